/* Unit tests: where the daemon looks for its key file (src/daemon/netconf.c,
 * netconf_keyfile): `keyfile` when given; else `authkey` beside the
 * configuration file, so that cohortd on corosync's
 * /etc/corosync/corosync.conf reads corosync's /etc/corosync/authkey, as
 * corosync does; else /etc/cohort/authkey. And netconf_key reading it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/netconf.h"
#include "tmpdir.h"

static void path_is(const char *conf, const char *keyfile, const char *want)
{
	struct cohort_config cfg;
	char buf[PATH_MAX];

	cohort_config_defaults(&cfg);
	cfg.path = conf;
	cfg.keyfile = keyfile;
	assert_int_equal(netconf_keyfile(&cfg, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void chosen_path(void **state)
{
	path_is("/etc/corosync/corosync.conf", NULL, "/etc/corosync/authkey");
	path_is("/etc/cohort/cohort.conf", NULL, "/etc/cohort/authkey");
	path_is("/srv/a/b.conf", "/keys/k", "/keys/k");
	path_is("/corosync.conf", NULL, "/authkey");
	path_is("cohort.conf", NULL, "authkey");
	path_is("conf/cohort.conf", NULL, "conf/authkey");
	/* No file read: the defaults. */
	path_is(NULL, NULL, "/etc/cohort/authkey");
	path_is(NULL, "/keys/k", "/keys/k");
}

static void too_long(void **state)
{
	struct cohort_config cfg;
	char buf[16];

	cohort_config_defaults(&cfg);
	cfg.path = "/etc/corosync/corosync.conf";
	assert_int_equal(netconf_keyfile(&cfg, buf, sizeof(buf)), -ENAMETOOLONG);
	/* Exactly fitting: "/etc/c/authkey" is 14 bytes and its NUL. */
	cfg.path = "/etc/c/x.conf";
	assert_int_equal(netconf_keyfile(&cfg, buf, 15), 0);
	assert_string_equal(buf, "/etc/c/authkey");
	assert_int_equal(netconf_keyfile(&cfg, buf, 14), -ENAMETOOLONG);
}

/* netconf_key reads the file beside the configuration, and names the
 * path it tried when there is none. */
static void key_beside_conf(void **state)
{
	struct cohort_config cfg;
	uint8_t key[TRANSPORT_KEY_LEN], bytes[128];
	char conf[PATH_MAX], keyf[PATH_MAX], err[512];
	int fd;

	snprintf(conf, sizeof(conf), "%s/corosync.conf", tmpdir_path());
	snprintf(keyf, sizeof(keyf), "%s/authkey", tmpdir_path());
	cohort_config_defaults(&cfg);
	cfg.path = conf;
	cfg.cluster_name = "keytest";
	assert_int_equal(netconf_key(&cfg, key, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, keyf));

	memset(bytes, 0x5a, sizeof(bytes));
	fd = open(keyf, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, sizeof(bytes)), (ssize_t)sizeof(bytes));
	close(fd);
	assert_int_equal(netconf_key(&cfg, key, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chosen_path),
		cmocka_unit_test(too_long),
		cmocka_unit_test(key_beside_conf),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
