/* API test: corosync_cfg_trackstop: during a query it answers yes; a
 * stopped tracker is not asked again. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	struct tracker a, b;
	struct try_call call;
	corosync_cfg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_trackstop(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	tracker_open(&a, true);
	tracker_open(&b, true);
	/* Not tracking: harmless. */
	CHECK_CS(corosync_cfg_trackstop(h), CS_OK);
	/* b stops before the query: only a is asked. */
	CHECK_CS(corosync_cfg_trackstop(b.h), CS_OK);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	/* a stops while asked: a yes, the only answer wanted. */
	CHECK_CS(corosync_cfg_trackstop(a.h), CS_OK);
	CHECK_CS(try_result(&call), CS_OK);
	cfgtest_log_wait(&d, "1 asked, 1 answered, 0 no: shutting down");
	CHECK(cfgtest_exit_wait(&d) == 0);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(b.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
