/* API test: corosync_cfg_replyto_shutdown: with no query it is ignored
 * (CS_OK, as corosync's library); yes and no are counted once each. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	struct tracker a, b, idle;
	struct try_call call;
	corosync_cfg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_replyto_shutdown(0,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_replyto_shutdown(h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	tracker_open(&a, true);
	tracker_open(&b, true);
	tracker_open(&idle, false);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	tracker_wait(&b, 1);
	/* a's second answer does not count for b: the query waits for b. */
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	/* A handle not asked: its answer is not counted either. */
	CHECK_CS(corosync_cfg_replyto_shutdown(idle.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(corosync_cfg_replyto_shutdown(b.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	CHECK_CS(try_result(&call), CS_OK);
	cfgtest_log_wait(&d, "2 asked, 2 answered, 0 no: shutting down");
	CHECK(cfgtest_exit_wait(&d) == 0);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(b.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(idle.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
