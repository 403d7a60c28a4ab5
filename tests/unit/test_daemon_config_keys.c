/* Unit tests: the configuration as keys of the daemon's map
 * (src/daemon/config/config_keys.c), against the keys corosync makes of
 * the same corosync.conf (services-reference §2.8). */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config/config.h"
#include "daemon/config/config_keys.h"
#include "daemon/icmap.h"
#include "tmpdir.h"

/* The file, in the test's directory (tmpdir_setup()): the loader also
 * reads the uidgid.d directory next to it. */
static char path[TMPDIR_PATH_MAX + 16];

static void write_file(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/corosync.conf", tmpdir_path());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A file of uidgid.d next to the configuration. */
static void write_dropin(const char *text)
{
	char d[TMPDIR_PATH_MAX + 16], dropin[TMPDIR_PATH_MAX + 32];
	FILE *f;

	snprintf(d, sizeof(d), "%s/uidgid.d", tmpdir_path());
	assert_true(mkdir(d, 0700) == 0 || errno == EEXIST);
	snprintf(dropin, sizeof(dropin), "%s/pacemaker", d);
	f = fopen(dropin, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every key of the map as "key type value" lines. */
static char *dump(const struct icmap *m)
{
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	struct icmap_value v;

	assert_non_null(out);
	out[0] = '\0';
	for (const char *k = icmap_next(m, NULL, NULL, &v); k;
	    k = icmap_next(m, NULL, k, &v)) {
		char val[300];

		switch (v.type) {
		case ICMAP_UINT8:
			snprintf(val, sizeof(val), "u8 %u",
			    *(const uint8_t *)v.data);
			break;
		case ICMAP_UINT16:
			snprintf(val, sizeof(val), "u16 %u",
			    *(const uint16_t *)v.data);
			break;
		case ICMAP_UINT32:
			snprintf(val, sizeof(val), "u32 %" PRIu32,
			    *(const uint32_t *)v.data);
			break;
		case ICMAP_INT32:
			snprintf(val, sizeof(val), "i32 %" PRId32,
			    *(const int32_t *)v.data);
			break;
		case ICMAP_UINT64:
			snprintf(val, sizeof(val), "u64 %" PRIu64,
			    *(const uint64_t *)v.data);
			break;
		case ICMAP_STRING:
			snprintf(val, sizeof(val), "str %s",
			    (const char *)v.data);
			break;
		default:
			snprintf(val, sizeof(val), "type %d", (int)v.type);
			break;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s %s\n", k, val);
		assert_true(len < cap);
	}
	return out;
}

static const char sample[] =
	"# a three-node knet cluster, as corosync's examples\n"
	"totem {\n"
	"\tversion: 2\n"
	"\tcluster_name: demo\n"
	"\ttoken: 1000\n"
	"\tconfig_version: 7\n"
	"\tcrypto_cipher: none\n"
	"\tcrypto_hash: none\n"
	"\tknet_compression_level: -1\n"
	"\tinterface {\n"
	"\t\tknet_ping_precision: 100\n"
	"\t\tlinknumber: 1\n"
	"\t\tknet_link_priority: 5\n"
	"\t}\n"
	"}\n"
	"nodelist {\n"
	"\tnode {\n\t\tring0_addr: 10.0.0.1\n\t\tring1_addr: 10.1.0.1\n"
	"\t\tname: node1\n\t\tnodeid: 1\n\t\tquorum_votes: 2\n\t}\n"
	"\tnode {\n\t\tring0_addr: 10.0.0.2\n\t\tring1_addr: 10.1.0.2\n"
	"\t\tnodeid: 2\n\t}\n"
	"\tnode {\n\t\tring0_addr: 10.0.0.3\n\t\tring1_addr: 10.1.0.3\n"
	"\t\tnodeid: 3\n\t}\n"
	"}\n"
	"quorum {\n"
	"\tprovider: corosync_votequorum\n"
	"\ttwo_node: 0\n"
	"\texpected_votes: 4\n"
	"\tauto_tie_breaker_node: lowest\n"
	"\tdevice {\n\t\tmodel: net\n\t\tvotes: 1\n"
	"\t\tnet {\n\t\t\thost: qnetd\n\t\t}\n\t}\n"
	"}\n"
	"logging {\n"
	"\tto_syslog: yes\n"
	"\tdebug: off\n"
	"\tlogger_subsys {\n\t\tdebug: on\n\t\tsubsys: QUORUM\n\t}\n"
	"}\n"
	"uidgid {\n\tuid: 4242\n\tgid: 4343\n}\n"
	"system {\n\tqb_ipc_type: native\n}\n";

/* What corosync 3.1.7 makes of `sample`, plus the keys the daemon
 * computes: runtime.config.totem.* are Cohort's effective values
 * (config_out.c, cohort_config_timing: 3 nodes, token 1000 plus one
 * default coefficient of 30; the ping timers derived from it), whose
 * defaults differ from corosync's (docs/compatibility.md). */
static const char expected[] =
	"logging.debug str off\n"
	"logging.logger_subsys.QUORUM.debug str on\n"
	"logging.logger_subsys.QUORUM.subsys str QUORUM\n"
	"logging.to_syslog str yes\n"
	"nodelist.local_node_pos u32 1\n"
	"nodelist.node.0.name str node1\n"
	"nodelist.node.0.nodeid u32 1\n"
	"nodelist.node.0.quorum_votes u32 2\n"
	"nodelist.node.0.ring0_addr str 10.0.0.1\n"
	"nodelist.node.0.ring1_addr str 10.1.0.1\n"
	"nodelist.node.1.nodeid u32 2\n"
	"nodelist.node.1.ring0_addr str 10.0.0.2\n"
	"nodelist.node.1.ring1_addr str 10.1.0.2\n"
	"nodelist.node.2.nodeid u32 3\n"
	"nodelist.node.2.ring0_addr str 10.0.0.3\n"
	"nodelist.node.2.ring1_addr str 10.1.0.3\n"
	"quorum.auto_tie_breaker_node str lowest\n"
	"quorum.device.model str net\n"
	"quorum.device.net.host str qnetd\n"
	"quorum.device.votes u32 1\n"
	"quorum.expected_votes u32 4\n"
	"quorum.provider str corosync_votequorum\n"
	"quorum.two_node u8 0\n"
	"runtime.config.totem.consensus u32 1236\n"
	"runtime.config.totem.fail_recv_const u32 2500\n"
	"runtime.config.totem.hold u32 186\n"
	"runtime.config.totem.interface.0.knet_ping_interval u32 257\n"
	"runtime.config.totem.interface.0.knet_ping_timeout u32 515\n"
	"runtime.config.totem.interface.1.knet_ping_interval u32 257\n"
	"runtime.config.totem.interface.1.knet_ping_timeout u32 515\n"
	"runtime.config.totem.join u32 50\n"
	"runtime.config.totem.max_messages u32 50\n"
	"runtime.config.totem.merge u32 200\n"
	"runtime.config.totem.miss_count_const u32 5\n"
	"runtime.config.totem.send_join u32 0\n"
	"runtime.config.totem.seqno_unchanged_const u32 1\n"
	"runtime.config.totem.token u32 1030\n"
	"runtime.config.totem.token_retransmit u32 245\n"
	"runtime.config.totem.token_retransmits_before_loss_const u32 4\n"
	"runtime.config.totem.window_size u32 50\n"
	"system.qb_ipc_type str native\n"
	"totem.cluster_name str demo\n"
	"totem.config_version u64 7\n"
	"totem.crypto_cipher str none\n"
	"totem.crypto_hash str none\n"
	"totem.interface.1.knet_link_priority u8 5\n"
	"totem.interface.1.knet_ping_precision u32 100\n"
	"totem.knet_compression_level i32 -1\n"
	"totem.token u32 1000\n"
	"totem.version u32 2\n"
	"uidgid.config.gid.4343 u8 1\n"
	"uidgid.config.gid.4444 u8 1\n"
	"uidgid.config.uid.4242 u8 1\n";

static void keys_of_sample(void **state)
{
	struct cohort_config cfg;
	struct icmap *m;
	char err[512];
	char *got;

	write_file(sample);
	write_dropin("uidgid {\n\tgid: 4444\n}\n");
	assert_int_equal(cohort_config_load(path, &cfg, err, sizeof(err)), 0);
	cfg.local_nodeid = 2;
	assert_int_equal(icmap_new(&m), 0);
	assert_int_equal(cohort_config_keys(&cfg, m, err, sizeof(err)), 0);
	got = dump(m);
	if (strcmp(got, expected) != 0)
		fprintf(stderr, "got:\n%s", got);
	assert_string_equal(got, expected);
	free(got);
	icmap_free(m);
	cohort_config_free(&cfg);
}

/* A value that does not fit its key's type is an error naming the file,
 * line and key, as corosync refuses such a file. */
static void bad_numbers(void **state)
{
	static const char *const files[] = {
		"quorum {\n\tvotes: many\n}\n",
		"quorum {\n\ttwo_node: 256\n}\n",
		"quorum {\n\texpected_votes: -1\n}\n",
		"totem {\n\tconfig_version: x1\n}\n",
		"logging {\n\tlogger_subsys {\n\t\tdebug: on\n\t}\n}\n",
	};
	/* The reader refuses most of them when it loads the file (the
	 * quorum and logging sections have meanings of their own); what it
	 * lets through, the map's pass refuses. Either way the error names
	 * the line and the key. */
	static const char *const want[] = {
		":2: key 'quorum.votes'",
		":2: key 'quorum.two_node'",
		":2: key 'quorum.expected_votes'",
		":2: key 'totem.config_version': expected an unsigned 64-bit",
		":2: section 'logging.logger_subsys'",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct cohort_config cfg;
		struct icmap *m;
		char err[512];

		write_file(files[i]);
		if (cohort_config_load(path, &cfg, err, sizeof(err)) == 0) {
			cfg.local_nodeid = 1;
			assert_int_equal(icmap_new(&m), 0);
			assert_int_equal(cohort_config_keys(&cfg, m, err,
			    sizeof(err)), -EINVAL);
			icmap_free(m);
			cohort_config_free(&cfg);
		}
		if (!strstr(err, want[i]))
			fprintf(stderr, "error: %s\nwant: %s\n", err, want[i]);
		assert_non_null(strstr(err, want[i]));
	}
}

/* A key the map cannot hold (longer than ICMAP_KEY_MAX) is an error
 * naming the file, line and key. */
static void key_too_long(void **state)
{
	char text[400], err[512];
	struct cohort_config cfg;
	struct icmap *m;
	int n;

	n = snprintf(text, sizeof(text), "system {\n\tx");
	memset(text + n, 'k', 300);
	snprintf(text + n + 300, sizeof(text) - (size_t)n - 300, ": 1\n}\n");
	write_file(text);
	assert_int_equal(cohort_config_load(path, &cfg, err, sizeof(err)), 0);
	cfg.local_nodeid = 1;
	assert_int_equal(icmap_new(&m), 0);
	assert_int_equal(cohort_config_keys(&cfg, m, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, ":2: key 'system.xkkk"));
	assert_non_null(strstr(err, "cannot be a map key"));
	icmap_free(m);
	cohort_config_free(&cfg);
}

/* Without a file: only what the daemon computes. */
static void no_file(void **state)
{
	struct cohort_config cfg;
	struct icmap *m;
	char err[512];
	uint32_t token;

	cohort_config_defaults(&cfg);
	assert_int_equal(icmap_new(&m), 0);
	assert_int_equal(cohort_config_keys(&cfg, m, err, sizeof(err)), 0);
	assert_null(icmap_next(m, "totem.", NULL, NULL));
	assert_null(icmap_next(m, "nodelist.", NULL, NULL));
	assert_int_equal(icmap_get_u32(m, "runtime.config.totem.token",
	    &token), 0);
	assert_true(token > 0);
	icmap_free(m);
	cohort_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(keys_of_sample, tmpdir_setup,
		    tmpdir_teardown),
		cmocka_unit_test_setup_teardown(bad_numbers, tmpdir_setup,
		    tmpdir_teardown),
		cmocka_unit_test_setup_teardown(key_too_long, tmpdir_setup,
		    tmpdir_teardown),
		cmocka_unit_test(no_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
