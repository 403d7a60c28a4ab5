/* API test: corosync_cfg_trackstart: a tracker is asked; one that starts
 * tracking during a query is asked at once; a non-tracker is not. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	struct tracker a, b, idle;
	struct try_call call;
	corosync_cfg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_trackstart(0, 0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	tracker_open(&a, true);
	tracker_open(&idle, false);
	tracker_open(&b, false);
	/* Flags are ignored; a second trackstart is harmless. */
	CHECK_CS(corosync_cfg_trackstart(a.h, 0xff), CS_OK);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	CHECK(a.asked == 1);
	CHECK_CS(corosync_cfg_trackstart(b.h, 0), CS_OK);
	tracker_wait(&b, 1);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	CHECK_CS(corosync_cfg_replyto_shutdown(b.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(try_result(&call), CS_ERR_BUSY);
	CHECK_CS(corosync_cfg_dispatch(idle.h, CS_DISPATCH_ALL), CS_OK);
	CHECK(idle.asked == 0);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_trackstart(a.h, 0), CS_ERR_BAD_HANDLE);
	CHECK_CS(corosync_cfg_finalize(b.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(idle.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
