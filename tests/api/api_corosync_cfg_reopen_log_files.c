/* API test: corosync_cfg_reopen_log_files. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_reopen_log_files(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_OK);
	cfgtest_log_wait(&d, "log files reopened");
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
