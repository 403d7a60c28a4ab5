/* API test: corosync_cfg_reload_config: the file re-read, a change
 * logged and kept, a file that does not load refused. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_reload_config(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "0 key(s) changed");
	cfgtest_write("logging {\n\tdebug: on\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "Modified entry 'logging.debug' in corosync.conf "
	    "cannot be changed at run-time");
	cfgtest_write(NULL, "totem {\n\ttoken: abc\n}\n");
	CHECK_CS(corosync_cfg_reload_config(h), CS_ERR_INVALID_PARAM);
	cfgtest_log_wait(&d, "reload refused, nothing changed");
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_reload_config(h), CS_ERR_BAD_HANDLE);
	cfgtest_stop(&d);
	/* No file: nothing to read. */
	harness_start(&d, NULL);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
