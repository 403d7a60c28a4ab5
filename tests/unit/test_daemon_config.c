/*
 * Unit tests: the configuration reader (src/daemon/config*.c).
 *
 * The golden files live in tests/config: for each NAME.conf there,
 *   NAME.err  when present: the load must fail with exactly this line;
 *   NAME.out  otherwise: cohort_config_print() must print exactly this
 *             (what `cohortd -t -c NAME.conf` prints);
 *   NAME.warn the warnings, one a line (no file: no warnings).
 * Files are loaded by their base name from inside tests/config, so the
 * messages do not depend on where the tree is. The directory is found from
 * COHORT_SRCDIR (the source tree), else from this program's path
 * (BUILD/tests/unit/..), else from the current directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
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
#include "proto/proto.h"
#include "tmpdir.h"

/* ------------------------------------------------------------ helpers */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static char *printed(const struct cohort_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cohort_config_print(cfg, f), 0);
	fclose(f);
	return buf;
}

static char *warnings_text(const struct cohort_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (size_t i = 0; i < cfg->n_warnings; i++)
		fprintf(f, "%s\n", cfg->warnings[i]);
	fclose(f);
	return buf;
}

/* Loads `name` from the current directory and compares with the golden
 * files next to it. */
static void check_golden(const char *name)
{
	struct cohort_config cfg;
	char err[1024], base[PATH_MAX], path[PATH_MAX + 8];
	char *want, *got;
	int rc;

	snprintf(base, sizeof(base), "%.*s", (int)(strlen(name) - 5), name);
	rc = cohort_config_load(name, &cfg, err, sizeof(err));
	snprintf(path, sizeof(path), "%s.err", base);
	if ((want = slurp(path))) {
		char line[sizeof(err) + 1];

		if (rc == 0)
			fail_msg("%s: loaded, but %s expects: %s", name, path,
			    want);
		assert_true(rc < 0);
		snprintf(line, sizeof(line), "%s\n", err);
		assert_string_equal(line, want);
		/* A failed load leaves nothing behind. */
		assert_int_equal(cfg.n_nodes, 0);
		assert_null(cfg.warnings);
		cohort_config_free(&cfg);
		free(want);
		return;
	}
	if (rc != 0)
		fail_msg("%s: %s", name, err);
	snprintf(path, sizeof(path), "%s.out", base);
	want = slurp(path);
	if (!want)
		fail_msg("%s: no %s.out and no %s.err", name, base, base);
	got = printed(&cfg);
	assert_string_equal(got, want);
	free(got);
	free(want);
	snprintf(path, sizeof(path), "%s.warn", base);
	want = slurp(path);
	got = warnings_text(&cfg);
	assert_string_equal(got, want ? want : "");
	free(got);
	free(want);
	cohort_config_free(&cfg);
}

static void enter(const char *srcdir, const char *sub)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", srcdir, sub);
	if (chdir(dir) < 0)
		fail_msg("chdir %s: %s", dir, strerror(errno));
}

/* The fixtures of a test that works in a scratch directory of its own,
 * made current: the directory goes, and the test's directory is current
 * again, even when the test fails. */
static char scratch_cwd[PATH_MAX];

static int scratch_setup(void **state)
{
	if (!getcwd(scratch_cwd, sizeof(scratch_cwd)) ||
	    tmpdir_setup(state) < 0)
		return -1;
	return chdir(tmpdir_path());
}

static int scratch_teardown(void **state)
{
	if (chdir(scratch_cwd) < 0)
		return -1;
	return tmpdir_teardown(state);
}

static void put(const char *name, const char *text, size_t len)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void puts_file(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* Loads `name` expecting failure `rc` with the error line `want`. */
static void expect_error(const char *name, int want_rc, const char *want)
{
	struct cohort_config cfg;
	char err[1024];

	assert_int_equal(cohort_config_load(name, &cfg, err, sizeof(err)),
	    want_rc);
	assert_string_equal(err, want);
	cohort_config_free(&cfg);
}

/* ------------------------------------------------------------- tests */

static void golden_files(void **state)
{
	const char *srcdir = *state;
	char cwd[PATH_MAX];
	glob_t g;
	size_t n_err = 0;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	enter(srcdir, "");
	assert_int_equal(glob("*.conf", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char e[PATH_MAX];

		snprintf(e, sizeof(e), "%.*s.err",
		    (int)(strlen(g.gl_pathv[i]) - 5), g.gl_pathv[i]);
		n_err += access(e, F_OK) == 0;
		check_golden(g.gl_pathv[i]);
	}
	/* The set this test was written with: good files and bad ones. */
	assert_true(g.gl_pathc - n_err >= 8);
	assert_true(n_err >= 25);
	globfree(&g);
	assert_int_equal(chdir(cwd), 0);
}

static void uidgid_directory(void **state)
{
	const char *srcdir = *state;
	struct cohort_config cfg;
	char cwd[PATH_MAX], err[512];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* uidgid.d/10-ops names user daemon and group adm; 20-more adds gid
	 * 65534 and repeats uid 1000; subdir/ is not read. */
	enter(srcdir, "uidgid-dir");
	check_golden("corosync.conf");
	assert_int_equal(cohort_config_load("corosync.conf", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.n_uids, 2);   /* daemon (1), 1000 */
	assert_int_equal(cfg.n_gids, 3);   /* adm (4), 1000, 65534 */
	assert_int_equal(cohort_config_uid_allowed(&cfg, 0, 12345), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 12345, 0), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 1000, 12345), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 1, 12345), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 12345, 65534), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 12345, 4), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 2, 2), 0);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 65534, 12345), 0);
	cohort_config_free(&cfg);
	/* A name in a uidgid.d file that does not resolve: its file:line. */
	enter(srcdir, "uidgid-bad");
	check_golden("corosync.conf");
	/* Loaded from elsewhere, uidgid.d is still the one next to the
	 * file, and messages carry the path as given. */
	enter(srcdir, "");
	expect_error("uidgid-bad/corosync.conf", -EINVAL,
	    "uidgid-bad/uidgid.d/50-bad:3: key 'uidgid.uid': no user named "
	    "'cohort-no-such-user'");
	assert_int_equal(chdir(cwd), 0);
}

static void defaults(void **state)
{
	struct cohort_config cfg;
	struct proto_timing t;
	char *out;

	memset(&cfg, 0xa5, sizeof(cfg));
	cohort_config_defaults(&cfg);
	assert_string_equal(cfg.cluster_name, "cohort");
	assert_int_equal(cfg.n_nodes, 1);
	assert_int_equal(cfg.nodes[0].nodeid, 1);
	assert_string_equal(cfg.nodes[0].ring0_addr, "127.0.0.1");
	assert_int_equal(cfg.local_nodeid, 1);
	/* corosync's default transport and its 64 KiB datagram. */
	assert_int_equal(cfg.transport, COHORT_TRANSPORT_KNET);
	assert_int_equal(cfg.netmtu, 65536);
	assert_int_equal(cfg.knet_mtu, 0);
	/* One link, with corosync's per-link defaults: its timers from the
	 * token (300 / 2 and 300 / 4), the other links absent. */
	assert_int_equal(cfg.link_mode, COHORT_LINK_PASSIVE);
	assert_int_equal(cfg.links[0].mcastport, 5405);
	assert_int_equal(cfg.links[0].n_addrs, 1);
	assert_int_equal(cfg.links[0].knet_link_priority, 1);
	assert_int_equal(cfg.links[0].knet_ping_timeout, 150);
	assert_int_equal(cfg.links[0].knet_ping_interval, 75);
	assert_int_equal(cfg.links[0].knet_ping_precision, 2048);
	assert_int_equal(cfg.links[0].knet_pong_count, 2);
	for (unsigned l = 1; l < COHORT_CONFIG_MAX_LINKS; l++) {
		assert_int_equal(cfg.links[l].n_addrs, 0);
		assert_int_equal(cfg.links[l].linknumber, l);
		assert_null(cfg.nodes[0].addr[l]);
	}
	assert_int_equal(cfg.crypto_cipher, COHORT_CIPHER_NONE);
	assert_int_equal(cfg.n_uids + cfg.n_gids + cfg.n_warnings, 0);
	assert_null(cfg.state_dir);
	assert_true(cfg.logging.to_stderr);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 0, 5), 1);
	assert_int_equal(cohort_config_uid_allowed(&cfg, 5, 5), 0);
	/* corosync 3.1.7's effective defaults (reference §8.8), but for the
	 * token: 300 ms + 30 a node above two (corosync: 3000 + 650). */
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 300);
	assert_int_equal(t.token_coefficient_ms, 30);
	assert_int_equal(t.token_retransmits_before_loss_const, 4);
	assert_int_equal(t.token_retransmit_ms, 71);
	assert_int_equal(t.hold_ms, 46);
	assert_int_equal(t.consensus_ms, 360);
	assert_int_equal(t.join_ms, 50);
	assert_int_equal(t.send_join_ms, 0);
	assert_int_equal(t.merge_ms, 200);
	assert_int_equal(t.fail_recv_const, 2500);
	assert_int_equal(t.seqno_unchanged_const, 1);
	assert_int_equal(t.miss_count_const, 5);
	assert_int_equal(t.max_messages, 50);
	assert_int_equal(t.window_size, 50);
	out = printed(&cfg);
	assert_non_null(strstr(out, "# local nodeid: 1\n"));
	assert_non_null(strstr(out, "\t\tring0_addr: 127.0.0.1\n"));
	assert_null(strstr(out, "uidgid"));
	free(out);
	cohort_config_free(&cfg);   /* nothing allocated: harmless */
	cohort_config_free(&cfg);
}

static void effective_timing(void **state)
{
	struct cohort_config cfg;
	struct proto_timing t;

	cohort_config_defaults(&cfg);
	/* The coefficient counts nodes above two. */
	cfg.n_nodes = 2;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 300);
	cfg.n_nodes = 3;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 330);
	assert_int_equal(t.consensus_ms, 396);
	assert_int_equal(t.token_retransmit_ms, 78);
	assert_int_equal(t.hold_ms, 52);
	cfg.n_nodes = 64;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 300 + 62 * 30);
	/* An explicit coefficient of 0 switches it off; one of 100 counts. */
	cfg.totem.token_coefficient_set = true;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 300);
	cfg.totem.token_coefficient = 100;
	cfg.totem.token = 1000;
	cfg.n_nodes = 5;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 1300);
	assert_int_equal(t.consensus_ms, 1560);
	/* Given values are kept as they are. */
	cfg.totem.consensus = 5000;
	cfg.totem.token_retransmit = 400;
	cfg.totem.hold = 300;
	cfg.totem.send_join = 7;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.consensus_ms, 5000);
	assert_int_equal(t.token_retransmit_ms, 400);
	assert_int_equal(t.hold_ms, 300);
	assert_int_equal(t.send_join_ms, 7);
	/* token 1000: corosync's man page values. */
	memset(&cfg.totem, 0, sizeof(cfg.totem));
	cfg.totem.token = 1000;
	cfg.n_nodes = 1;
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_retransmit_ms, 238);
	assert_int_equal(t.hold_ms, 180);
	assert_int_equal(t.consensus_ms, 1200);
}

static void limits(void **state)
{
	char want[256];
	size_t big = COHORT_CONFIG_FILE_MAX + 1, n;
	struct cohort_config cfg;
	char err[512];
	char *buf;
	FILE *f;

	buf = malloc(big + 64);
	assert_non_null(buf);
	/* A line of exactly COHORT_CONFIG_LINE_MAX bytes, with a CR too. */
	n = (size_t)snprintf(buf, 64, "totem {\n#");
	memset(buf + n, 'x', COHORT_CONFIG_LINE_MAX - 1);
	n += COHORT_CONFIG_LINE_MAX - 1;
	n += (size_t)sprintf(buf + n, "\r\n}\n");
	put("long-ok.conf", buf, n);
	assert_int_equal(cohort_config_load("long-ok.conf", &cfg, err,
	    sizeof(err)), 0);
	cohort_config_free(&cfg);
	/* One byte more. */
	n = (size_t)snprintf(buf, 64, "totem {\n#");
	memset(buf + n, 'x', COHORT_CONFIG_LINE_MAX);
	n += COHORT_CONFIG_LINE_MAX;
	n += (size_t)sprintf(buf + n, "\n}\n");
	put("long.conf", buf, n);
	expect_error("long.conf", -EINVAL,
	    "long.conf:2: line longer than 4096 bytes");
	/* A file over the size limit: the line where it is crossed. */
	for (n = 0; n < big; n++)
		buf[n] = n % 1024 == 1023 ? '\n' : '#';
	put("big.conf", buf, big);
	snprintf(want, sizeof(want), "big.conf:%zu: file larger than %u "
	    "bytes", (size_t)COHORT_CONFIG_FILE_MAX / 1024 + 1,
	    COHORT_CONFIG_FILE_MAX);
	expect_error("big.conf", -EFBIG, want);
	/* Nesting: COHORT_CONFIG_DEPTH_MAX levels pass, one more does not. */
	for (int depth = COHORT_CONFIG_DEPTH_MAX;
	    depth <= COHORT_CONFIG_DEPTH_MAX + 1; depth++) {
		n = 0;
		for (int i = 0; i < depth; i++)
			n += (size_t)sprintf(buf + n, "a%d {\n", i);
		for (int i = 0; i < depth; i++)
			n += (size_t)sprintf(buf + n, "}\n");
		put("deep.conf", buf, n);
		if (depth == COHORT_CONFIG_DEPTH_MAX) {
			assert_int_equal(cohort_config_load("deep.conf", &cfg,
			    err, sizeof(err)), 0);
			assert_int_equal(cfg.n_warnings, 2);  /* a0, no nodes */
			cohort_config_free(&cfg);
		} else {
			expect_error("deep.conf", -EINVAL,
			    "deep.conf:17: sections nested deeper than 16");
		}
	}
	/* A NUL byte. */
	put("nul.conf", "totem {\n\ttoken: 1\0000\n}\n", 22);
	expect_error("nul.conf", -EINVAL, "nul.conf:2: NUL byte in line");
	/* COHORT_CONFIG_MAX_NODES nodes pass, one more does not. */
	f = fopen("nodes.conf", "w");
	assert_non_null(f);
	fprintf(f, "nodelist {\n");
	for (int i = 1; i <= COHORT_CONFIG_MAX_NODES + 1; i++)
		fprintf(f, "\tnode {\n\t\tnodeid: %d\n\t\tring0_addr: "
		    "10.0.%d.%d\n\t}\n", i, i / 256, i % 256);
	fprintf(f, "}\n");
	fclose(f);
	expect_error("nodes.conf", -EINVAL, "nodes.conf:258: section "
	    "'nodelist.node': more than 64 nodes");
	free(buf);
}

static void sixty_four_nodes(void **state)
{
	char err[512];
	struct cohort_config cfg;
	struct proto_timing t;
	FILE *f = fopen("nodes.conf", "w");

	assert_non_null(f);
	fprintf(f, "nodelist {\n");
	for (int i = 1; i <= COHORT_CONFIG_MAX_NODES; i++)
		fprintf(f, "\tnode {\n\t\tnodeid: %d\n\t\tring0_addr: "
		    "10.0.0.%d\n\t}\n", i * 3, i);
	fprintf(f, "}\n");
	fclose(f);
	assert_int_equal(cohort_config_load("nodes.conf", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.n_nodes, 64);
	assert_int_equal(cfg.nodes[63].nodeid, 192);
	assert_int_equal(cfg.nodes[63].line, 2 + 63 * 4);
	cohort_config_timing(&cfg, &t);
	assert_int_equal(t.token_ms, 300 + 62 * 30);
	cohort_config_free(&cfg);
}

static void io_errors(void **state)
{
	struct cohort_config cfg;
	char small[24];
	FILE *full;

	expect_error("absent.conf", -ENOENT,
	    "absent.conf: cannot open: No such file or directory");
	assert_int_equal(mkdir("adir.conf", 0700), 0);
	expect_error("adir.conf", -EISDIR, "adir.conf: cannot read: Is a "
	    "directory");
	/* A short error buffer gets a cut, terminated line. */
	puts_file("bad.conf", "totem {\n\ttoken: abc\n}\n");
	assert_int_equal(cohort_config_load("bad.conf", &cfg, small,
	    sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "bad.conf:2: key 'totem.", 23);
	/* A file whose size is not known in advance (procfs says 0): the
	 * buffer grows as it is read; every "Key: value" line of it is an
	 * unknown key. */
	if (access("/proc/self/status", R_OK) == 0) {
		char err[512];

		assert_int_equal(cohort_config_load("/proc/self/status", &cfg,
		    err, sizeof(err)), 0);
		assert_true(cfg.n_warnings > 10);
		assert_memory_equal(cfg.warnings[0], "/proc/self/status:1: "
		    "unknown key 'Name' ignored", 47);
		cohort_config_free(&cfg);
	}
	/* Printing to a full device fails. */
	if ((full = fopen("/dev/full", "w"))) {
		cohort_config_defaults(&cfg);
		assert_int_equal(cohort_config_print(&cfg, full), -EIO);
		fclose(full);
	}
}

static void warning_limit(void **state)
{
	char err[512];
	struct cohort_config cfg;
	FILE *f = fopen("many.conf", "w");

	assert_non_null(f);
	fprintf(f, "totem {\n");
	for (int i = 0; i < 150; i++)
		fprintf(f, "\tunknown_%d: %d\n", i, i);
	fprintf(f, "}\n");
	fclose(f);
	assert_int_equal(cohort_config_load("many.conf", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.n_warnings, COHORT_CONFIG_WARNINGS_MAX + 1);
	assert_string_equal(cfg.warnings[0],
	    "many.conf:2: unknown key 'totem.unknown_0' ignored");
	/* 150 unknown keys and "no nodelist": 51 not shown. */
	assert_string_equal(cfg.warnings[COHORT_CONFIG_WARNINGS_MAX],
	    "many.conf: 51 more warnings not shown");
	cohort_config_free(&cfg);
}

static void values_as_written(void **state)
{
	char err[512];
	struct cohort_config cfg;

	/* Quotes stay (corosync keeps them), '#' after a value is part of
	 * it, the last of a repeated key counts, sections merge. */
	puts_file("v.conf",
	    "totem {\n"
	    "\tcluster_name: \"two words\"   \n"
	    "\tkeyfile: /etc/key # not a comment\n"
	    "\ttoken: 1000\n"
	    "\ttoken: 2000\n"
	    "}\n"
	    "totem {\n"
	    "\tnetmtu: 9000\n"
	    "}\n"
	    "nodelist {\n"
	    "\tnode {\n"
	    "\t\tnodeid: 4294967295\n"
	    "\t\tring0_addr: node-a.example.com\n"
	    "\t\tname: a\n"
	    "\t}\n"
	    "}\n");
	assert_int_equal(cohort_config_load("v.conf", &cfg, err, sizeof(err)),
	    0);
	assert_string_equal(cfg.path, "v.conf");
	assert_string_equal(cfg.cluster_name, "\"two words\"");
	assert_string_equal(cfg.keyfile, "/etc/key # not a comment");
	assert_int_equal(cfg.totem.token, 2000);
	assert_int_equal(cfg.netmtu, 9000);
	assert_int_equal(cfg.nodes[0].nodeid, UINT32_MAX);
	assert_int_equal(cfg.nodes[0].line, 11);
	assert_int_equal(cfg.local_nodeid, 0);
	assert_int_equal(cfg.n_warnings, 1);
	assert_string_equal(cfg.warnings[0], "v.conf:5: key 'totem.token' "
	    "given again (first at line 4): the last value counts");
	cohort_config_free(&cfg);
	assert_null(cfg.warnings);
	/* A node id past 32 bits. */
	puts_file("v.conf", "nodelist {\n\tnode {\n\t\tnodeid: 4294967296\n");
	expect_error("v.conf", -EINVAL, "v.conf:3: key 'nodelist.node.nodeid'"
	    ": '4294967296' is out of range (0..4294967295)");
}

static void find_local_node(void **state)
{
	struct cohort_config cfg;
	const char *addrs[3];

	memset(&cfg, 0, sizeof(cfg));
	cfg.n_nodes = 4;
	cfg.nodes[0] = (struct cohort_node){ .nodeid = 1,
	    .name = "alpha.example.com", .ring0_addr = "10.0.0.1" };
	cfg.nodes[1] = (struct cohort_node){ .nodeid = 2, .name = "beta",
	    .ring0_addr = "fd00::2" };
	cfg.nodes[2] = (struct cohort_node){ .nodeid = 3, .name = "gamma.lab",
	    .ring0_addr = "Gamma.Lab" };
	cfg.nodes[3] = (struct cohort_node){ .nodeid = 4,
	    .ring0_addr = "10.0.0.4" };

	addrs[0] = "192.168.1.1";
	addrs[1] = "fd00:0:0::2";
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 2), 1);
	addrs[1] = "::ffff:10.0.0.4";       /* IPv4-mapped */
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 2), 3);
	addrs[1] = "gamma.LAB";             /* host names: any case */
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 2), 2);
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 1), -ENOENT);
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 0), -ENOENT);
	addrs[0] = "10.0.0.1";
	addrs[2] = "10.0.0.4";
	assert_int_equal(cohort_config_find_local(&cfg, addrs, 3), -EEXIST);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random line soup from pieces of real syntax: every load either succeeds
 * or fails with one line naming the file, never crashes or leaks (the
 * suite runs this under ASan+UBSan too). Deterministic: a fixed seed. */
static void random_input(void **state)
{
	static const char *const pieces[] = {
		"totem {", "}", "nodelist {", "node {", "interface {",
		"logging {", "uidgid {", "system {", "quorum {", "x {", "{",
		"token: 3000", "token: abc", "token:", "nodeid: 1", "nodeid: 0",
		"nodeid: 2", "ring0_addr: 10.0.0.1", "name: n", ": v", "junk",
		"uid: root", "gid: 0", "uid: cohort-no-such-user",
		"linknumber: 1", "mcastport: 5405", "state_dir: /x",
		"to_logfile: yes", "logfile: /l", "crypto_cipher: aes256",
		"crypto_hash: sha1", "transport: knet", "debug: trace",
		"# comment", "", "\t\t", "}}", "a: {", "consensus: 10",
		"join: 5000", "window_size: 1000001", "netmtu: 576",
	};
	const size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
	char err[512];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int ok = 0, failed = 0;

	for (int round = 0; round < 3000; round++) {
		struct cohort_config cfg;
		FILE *f = fopen("r.conf", "w");
		int lines, rc;

		assert_non_null(f);
		lines = (int)(xorshift(&seed) % 40);
		for (int i = 0; i < lines; i++) {
			uint64_t r = xorshift(&seed);

			fprintf(f, "%s%s\n", r & 0x100 ? "\t" : "",
			    pieces[(r >> 16) % n_pieces]);
		}
		fclose(f);
		err[0] = '\0';
		rc = cohort_config_load("r.conf", &cfg, err, sizeof(err));
		if (rc == 0) {
			char *out = printed(&cfg);

			free(out);
			ok++;
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_memory_equal(err, "r.conf:", 7);
			assert_null(strchr(err, '\n'));
			failed++;
		}
		cohort_config_free(&cfg);
	}
	/* Both outcomes were exercised. */
	assert_true(ok > 100 && failed > 100);
}

/* The tree's tests/config, from COHORT_SRCDIR, the program's path
 * (BUILD/tests/unit/NAME) or the current directory. */
static void find_srcdir(const char *argv0, char *out, size_t len)
{
	const char *env = getenv("COHORT_SRCDIR");
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	int n;
	char *slash;

	if (env && *env) {
		snprintf(out, len, "%s/tests/config", env);
		return;
	}
	if (realpath(argv0, exe) && (slash = strrchr(exe, '/'))) {
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/../../../tests/config", exe);
		if (realpath(probe, out) && access(out, F_OK) == 0)
			return;
	}
	assert_non_null(getcwd(exe, sizeof(exe)));
	n = snprintf(out, len, "%s/tests/config", exe);
	assert_true(n > 0 && (size_t)n < len);
}

int main(int argc, char **argv)
{
	char srcdir[PATH_MAX];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(golden_files, srcdir),
		cmocka_unit_test_prestate(uidgid_directory, srcdir),
		cmocka_unit_test(defaults),
		cmocka_unit_test(effective_timing),
		cmocka_unit_test_setup_teardown(limits, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(sixty_four_nodes, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(io_errors, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(warning_limit, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(values_as_written, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test(find_local_node),
		cmocka_unit_test_setup_teardown(random_input, scratch_setup,
		    scratch_teardown),
	};

	find_srcdir(argc > 0 ? argv[0] : "", srcdir, sizeof(srcdir));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
