/* API test: corosync_cfg_finalize: twice, and a tracker's finalize
 * during a query counts as a yes. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	struct tracker a;
	struct try_call call;
	corosync_cfg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_finalize(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	tracker_open(&a, true);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(try_result(&call), CS_OK);
	cfgtest_log_wait(&d, "Node 1 was shut down by sysadmin");
	CHECK(cfgtest_exit_wait(&d) == 0);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
