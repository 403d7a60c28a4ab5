/* API test: corosync_cfg_reload_config: the file re-read; a uidgid
 * section applied to the map (added, then removed); another change
 * logged and kept; a file that does not load refused. */
#include <corosync/cmap.h>

#include "cfgtest.h"

/* The u8 `key` of the map, or -1 when it has none. */
static int map_u8(const char *key)
{
	cmap_handle_t m;
	uint8_t v;
	cs_error_t err;

	CHECK_CS(cmap_initialize(&m), CS_OK);
	err = cmap_get_uint8(m, key, &v);
	CHECK_CS(cmap_finalize(m), CS_OK);
	return err == CS_OK ? v : -1;
}

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_reload_config(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "0 uidgid key(s) applied, 0 other key(s) changed");
	CHECK(map_u8("config.reload_status") == -1);   /* an i32 */
	/* uidgid: applied through the map. */
	CHECK(map_u8("uidgid.config.uid.65534") == -1);
	cfgtest_write("uidgid {\n\tuid: 65534\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "uidgid.config.uid.65534 added");
	CHECK(map_u8("uidgid.config.uid.65534") == 1);
	CHECK(map_u8("config.reload_in_progress") == 0);
	cfgtest_write(NULL, NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "uidgid.config.uid.65534 removed");
	CHECK(map_u8("uidgid.config.uid.65534") == -1);
	/* Other keys: logged and kept. */
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
