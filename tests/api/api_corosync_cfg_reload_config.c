/* API test: corosync_cfg_reload_config: the file re-read; a uidgid
 * section applied to the map (added, then removed); the logging section
 * applied (a log file made, its keys in the map); the totem timing
 * applied (the map's totem.* and runtime.config.totem.* keys follow);
 * another change logged and kept; a crypto change refused; a node
 * added to the nodelist (its keys in the map), given another address
 * (refused), removed; a file that does not load, or names a log file
 * that cannot be opened, refused. */
#include <unistd.h>

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

/* The u32 `key` of the map, or 0 when it has none. */
static uint32_t map_u32(const char *key)
{
	cmap_handle_t m;
	uint32_t v;
	cs_error_t err;

	CHECK_CS(cmap_initialize(&m), CS_OK);
	err = cmap_get_uint32(m, key, &v);
	CHECK_CS(cmap_finalize(m), CS_OK);
	return err == CS_OK ? v : 0;
}

#define TOKEN_RELOADED 5000u
#define KEY_BYTES 128u

/* A key file beside the configuration (the smallest corosync takes). */
static void write_key(void)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/authkey", cfgtest_dir());
	f = fopen(path, "w");
	CHECK(f != NULL);
	for (unsigned i = 0; i < KEY_BYTES; i++)
		fputc((int)i, f);
	CHECK(fclose(f) == 0);
}

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_reload_config(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "(0 key(s) of the map), 0 other key(s) changed");
	CHECK(map_u8("config.reload_status") == -1);   /* an i32 */
	/* uidgid: applied through the map. */
	CHECK(map_u8("uidgid.config.uid.65534") == -1);
	cfgtest_write("uidgid {\n\tuid: 65534\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "uidgid.config.uid.65534 set");
	CHECK(map_u8("uidgid.config.uid.65534") == 1);
	CHECK(map_u8("config.reload_in_progress") == 0);
	cfgtest_write(NULL, NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "uidgid.config.uid.65534 removed");
	CHECK(map_u8("uidgid.config.uid.65534") == -1);
	/* Logging: applied, a log file from now on. */
	cfgtest_write("logging {\n\tto_logfile: yes\n"
	    "\tlogfile: @DIR@/reloaded.log\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "logging.logfile set");
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/reloaded.log", cfgtest_dir());
		CHECK(access(path, F_OK) == 0);
	}
	/* A log file that cannot be opened: refused, nothing changed. */
	cfgtest_write("logging {\n\tto_logfile: yes\n"
	    "\tlogfile: @DIR@/none/x.log\n}\ntotem {\n\ttoken: 5000\n}\n",
	    NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_ERR_INVALID_PARAM);
	cfgtest_log_wait(&d, "none/x.log");
	/* Timing: applied, the map's totem and runtime keys follow. */
	CHECK(map_u32("runtime.config.totem.token") != TOKEN_RELOADED);
	cfgtest_write("totem {\n\ttoken: 5000\n\tconsensus: 7000\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "timing applied: token 5000 ms");
	CHECK(map_u32("runtime.config.totem.token") == TOKEN_RELOADED);
	CHECK(map_u32("runtime.config.totem.consensus") == 7000);
	CHECK(map_u32("totem.token") == TOKEN_RELOADED);
	/* Other keys: logged and kept. */
	cfgtest_write("totem {\n\ttoken: 5000\n\tconsensus: 7000\n"
	    "\tnetmtu: 1400\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "Modified entry 'totem.netmtu' in corosync.conf "
	    "cannot be changed at run-time");
	CHECK(map_u32("runtime.config.totem.token") == TOKEN_RELOADED);
	/* What cannot be applied refuses the file, timing and all. */
	write_key();
	cfgtest_write("totem {\n\tcrypto_cipher: aes256\n\tcrypto_hash: sha256"
	    "\n\tkeyfile: @DIR@/authkey\n\ttoken: 6000\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_ERR_INVALID_PARAM);
	cfgtest_log_wait(&d, "the crypto settings (crypto_cipher, crypto_hash, "
	    "keyfile) cannot change at run time");
	cfgtest_write("nodelist {\n\tnode {\n\t\tnodeid: 3\n"
	    "\t\tring0_addr: 127.0.0.3\n\t\tring1_addr: 127.0.1.3\n\t}\n}\n"
	    "totem {\n\ttoken: 6000\n}\n", NULL);
	CHECK(map_u32("nodelist.node.2.nodeid") == 0);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "node 3 added to the nodelist");
	CHECK(map_u32("nodelist.node.2.nodeid") == 3);
	/* 6000 and the coefficient for the third node. */
	CHECK(map_u32("runtime.config.totem.token") > 6000);
	/* Node 3 given another address: refused. */
	cfgtest_write("nodelist {\n\tnode {\n\t\tnodeid: 3\n"
	    "\t\tring0_addr: 127.0.0.4\n\t\tring1_addr: 127.0.1.4\n\t}\n}\n"
	    "totem {\n\ttoken: 6000\n}\n", NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_ERR_INVALID_PARAM);
	cfgtest_log_wait(&d, "a node given another address is not applied "
	    "at run time");
	/* Node 3 removed (it never ran): applied, its keys gone. */
	cfgtest_write(NULL, NULL);
	CHECK_CS(corosync_cfg_reload_config(h), CS_OK);
	cfgtest_log_wait(&d, "node 3 removed from the nodelist");
	CHECK(map_u32("nodelist.node.2.nodeid") == 0);
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
