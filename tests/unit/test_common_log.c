/* Unit tests: the log module (src/common/log.c): the log file and its
 * reopening, and the rate gate of log lines. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "tmpdir.h"

/* The first line passes; the next ones within the interval are held and
 * counted; the first after it passes and reports how many were held. */
static void gate(void **state)
{
	struct log_gate g = { 0 };
	uint64_t held = 99;

	(void)state;
	assert_true(log_gate_pass(&g, 1000, 10000, &held));
	assert_int_equal(held, 0);
	for (int i = 0; i < 5; i++)
		assert_false(log_gate_pass(&g, 1000 + (uint64_t)i * 1000, 10000,
		    &held));
	assert_false(log_gate_pass(&g, 10999, 10000, &held));
	assert_true(log_gate_pass(&g, 11000, 10000, &held));
	assert_int_equal(held, 6);
	assert_false(log_gate_pass(&g, 11001, 10000, &held));
	assert_true(log_gate_pass(&g, 50000, 10000, &held));
	assert_int_equal(held, 1);
}

/* Two gates are independent. */
static void gates_apart(void **state)
{
	struct log_gate a = { 0 }, b = { 0 };
	uint64_t held;

	(void)state;
	assert_true(log_gate_pass(&a, 5, 100, &held));
	assert_true(log_gate_pass(&b, 6, 100, &held));
	assert_false(log_gate_pass(&a, 7, 100, &held));
}

/* A private directory for log files, removed after each test. */
struct logdir {
	char dir[TMPDIR_PATH_MAX];
	char path[TMPDIR_PATH_MAX + 16], moved[TMPDIR_PATH_MAX + 16];
};

static int logdir_setup(void **state)
{
	static struct logdir d;

	if (tmpdir_make(d.dir, sizeof(d.dir)) < 0)
		return -1;
	snprintf(d.path, sizeof(d.path), "%s/cohort.log", d.dir);
	snprintf(d.moved, sizeof(d.moved), "%s/cohort.log.1", d.dir);
	*state = &d;
	return 0;
}

static int logdir_teardown(void **state)
{
	struct logdir *d = *state;

	log_close();
	return tmpdir_remove(d->dir);
}

/* The whole file, malloc'd (empty when the file does not exist). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(buf);
	if (!f)
		return buf;
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void file_only(struct log_setup *s, const char *path)
{
	log_setup_defaults(s, "cohortd-test");
	s->logfile = path;
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		s->ss[i].to_stderr = false;
		s->ss[i].to_logfile = true;
	}
}

/* Lines go to the file; after a rename and log_reopen(), to a new file
 * at the path, and the renamed one keeps what it had. */
static void reopen_follows_rename(void **state)
{
	struct logdir *d = *state;
	struct log_setup s;
	char err[256], *old, *cur;

	file_only(&s, d->path);
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	log_info("before the rotation");
	assert_int_equal(rename(d->path, d->moved), 0);
	log_info("after the rename, before the reopen");
	assert_int_equal(log_reopen(), 0);
	log_info("after the reopen");
	old = slurp(d->moved);
	cur = slurp(d->path);
	assert_non_null(strstr(old, "before the rotation\n"));
	assert_non_null(strstr(old, "before the reopen\n"));
	assert_null(strstr(old, "after the reopen"));
	assert_non_null(strstr(cur, "after the reopen\n"));
	assert_null(strstr(cur, "before"));
	free(old);
	free(cur);
}

/* A path that cannot be opened again: an error, a warning, and the lines
 * keep going to the file opened before. */
static void reopen_failure_keeps_file(void **state)
{
	struct logdir *d = *state;
	struct log_setup s;
	char err[256], *old;

	file_only(&s, d->path);
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	assert_int_equal(rename(d->path, d->moved), 0);
	assert_int_equal(mkdir(d->path, 0700), 0);   /* open(2): EISDIR */
	assert_int_equal(log_reopen(), -EISDIR);
	log_info("still logged");
	assert_int_equal(rmdir(d->path), 0);
	old = slurp(d->moved);
	assert_non_null(strstr(old, "cannot reopen log file"));
	assert_non_null(strstr(old, "still writing to the one opened before"));
	assert_non_null(strstr(old, "still logged\n"));
	free(old);
	assert_int_equal(log_reopen(), 0);
	log_info("in the new file");
	old = slurp(d->path);
	assert_non_null(strstr(old, "in the new file\n"));
	free(old);
}

/* Without a log file, reopening does nothing and succeeds. */
static void reopen_without_file(void **state)
{
	struct log_setup s;

	(void)state;
	log_setup_defaults(&s, "cohortd-test");
	for (int i = 0; i < LOG_SS_COUNT; i++)
		s.ss[i].to_stderr = false;
	assert_int_equal(log_apply(&s, NULL, 0), 0);
	assert_int_equal(log_reopen(), 0);
}

/* A file that cannot be opened: the error names it, and the setup
 * before stays (lines still go to the file it had). */
static void apply_cannot_open(void **state)
{
	struct logdir *d = *state;
	struct log_setup s, bad;
	char err[256], path[160], *cur;

	file_only(&s, d->path);
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/no/such/dir/x.log", d->dir);
	file_only(&bad, path);
	assert_int_equal(log_apply(&bad, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open log file"));
	assert_non_null(strstr(err, path));
	log_info("kept the old setup");
	cur = slurp(d->path);
	assert_non_null(strstr(cur, "kept the old setup\n"));
	free(cur);
}

/* A file name of PATH_MAX bytes or more is refused before any open. */
static void apply_name_too_long(void **state)
{
	struct log_setup s;
	char *name = malloc(PATH_MAX + 1), err[256];

	(void)state;
	assert_non_null(name);
	memset(name, 'a', PATH_MAX);
	name[0] = '/';
	name[PATH_MAX] = '\0';
	file_only(&s, name);
	assert_int_equal(log_apply(&s, err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "longer than"));
	free(name);
}

/* A fixed time, in UTC: 2 Jan 2026 03:04:05.678. */
static const struct timespec when = { 1767323045, 678000000 };

static void fmt(const struct log_setup *s, enum log_out out,
    const struct log_line *l, const char *want)
{
	char buf[512];
	size_t n = log_format(buf, sizeof(buf), s, out, &when, 4242, "node7", l);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* corosync's layouts: stderr and the file with the stamp (seconds or
 * milliseconds, or none), the file with pid, host and ident, syslog with
 * the subsystem only; file, function and line where asked for. */
static void format_layouts(void **state)
{
	struct log_setup s;
	struct log_line l = { LOG_LVL_INFO, LOG_SS_CPG,
	    "src/daemon/cpg/sync.c", "cpg_sync_start", 42, "joined" };

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	log_setup_defaults(&s, "cohortd");
	fmt(&s, LOG_OUT_STDERR, &l,
	    "Jan 02 03:04:05.678 info    [CPG   ] joined");
	fmt(&s, LOG_OUT_FILE, &l,
	    "Jan 02 03:04:05.678 [4242] node7 cohortd info    [CPG   ] joined");
	fmt(&s, LOG_OUT_SYSLOG, &l, "  [CPG   ] joined");
	s.stamp = LOG_STAMP_ON;
	l.lvl = LOG_LVL_WARN;
	l.ss = LOG_SS_TOTEM;
	fmt(&s, LOG_OUT_STDERR, &l, "Jan 02 03:04:05 warning [TOTEM ] joined");
	s.stamp = LOG_STAMP_OFF;
	l.lvl = LOG_LVL_ERR;
	fmt(&s, LOG_OUT_STDERR, &l, "error   [TOTEM ] joined");
	fmt(&s, LOG_OUT_FILE, &l, "[4242] node7 cohortd error   [TOTEM ] joined");
	fmt(&s, LOG_OUT_SYSLOG, &l, " [TOTEM ] joined");
	s.fileline = true;
	l.lvl = LOG_LVL_DEBUG;
	fmt(&s, LOG_OUT_STDERR, &l, "debug   [TOTEM ] sync.c:42 joined");
	s.function_name = true;
	fmt(&s, LOG_OUT_SYSLOG, &l, " [TOTEM ] sync.c:cpg_sync_start:42 joined");
	s.fileline = false;
	fmt(&s, LOG_OUT_STDERR, &l, "debug   [TOTEM ] cpg_sync_start joined");
	/* A buffer too small is filled and terminated, never overrun. */
	{
		char small[8];

		assert_int_equal(log_format(small, sizeof(small), &s,
		    LOG_OUT_STDERR, &when, 1, "h", &l), 7);
		assert_string_equal(small, "debug  ");
	}
}

/* Names both ways; the subsystem of a line comes from its file's path. */
static void subsystems(void **state)
{
	static const struct {
		int ss;
		const char *file, *want;
	} cases[] = {
		{ LOG_SS_BY_PATH, "src/daemon/quorum/votequorum.c", "VOTEQ" },
		{ LOG_SS_BY_PATH, "/b/src/daemon/quorum/quorum.c", "QUORUM" },
		{ LOG_SS_BY_PATH, "src/daemon/transport/udp.c", "TOTEM" },
		{ LOG_SS_BY_PATH, "src/daemon/ordering.c", "TOTEM" },
		{ LOG_SS_BY_PATH, "src/daemon/ipcs/server.c", "MAIN" },
		{ LOG_SS_BY_PATH, "src/daemon/cmap/cmap.c", "CMAP" },
		{ LOG_SS_BY_PATH, "src/daemon/icmap.c", "CMAP" },
		{ LOG_SS_BY_PATH, "src/daemon/cfg/cfg.c", "CFG" },
		{ LOG_SS_BY_PATH, "src/daemon/cpg/sync.c", "CPG" },
		{ LOG_SS_BY_PATH, "elsewhere.c", "MAIN" },
		{ LOG_SS_CFG, "src/daemon/cpg/x.c", "CFG" },
	};
	struct logdir *d = *state;
	struct log_setup s;
	char err[256], *text;

	assert_string_equal(log_subsys_name(LOG_SS_VOTEQ), "VOTEQ");
	assert_null(log_subsys_name(LOG_SS_COUNT));
	assert_null(log_subsys_name(-1));
	assert_int_equal(log_subsys_find("QUORUM"), LOG_SS_QUORUM);
	assert_int_equal(log_subsys_find("cpg"), -1);
	assert_int_equal(log_subsys_find("SERV"), -1);
	file_only(&s, d->path);
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		log_print(cases[i].ss, cases[i].file, 1, "f", LOG_LVL_INFO,
		    false, "line %zu", i);
	text = slurp(d->path);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "[%-6s] line %zu\n",
		    cases[i].want, i);
		if (!strstr(text, want))
			fail_msg("%s: no '%s' in:\n%s", cases[i].file, want,
			    text);
	}
	free(text);
}

/* Priorities per output and subsystem; debug on for one subsystem lets
 * all its lines through, and only its. */
static void priorities_and_debug(void **state)
{
	struct logdir *d = *state;
	struct log_setup s;
	char err[256], *text;

	file_only(&s, d->path);
	for (int i = 0; i < LOG_SS_COUNT; i++)
		s.ss[i].logfile_priority = LOG_WARNING;
	s.ss[LOG_SS_CPG].debug = true;
	s.ss[LOG_SS_CFG].logfile_priority = LOG_DEBUG;
	s.ss[LOG_SS_CMAP].to_logfile = false;
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	log_print(LOG_SS_MAIN, "m.c", 1, "f", LOG_LVL_INFO, false, "main info");
	log_print(LOG_SS_MAIN, "m.c", 1, "f", LOG_LVL_WARN, false, "main warn");
	log_print(LOG_SS_MAIN, "m.c", 1, "f", LOG_LVL_DEBUG, false, "main dbg");
	log_print(LOG_SS_CPG, "c.c", 1, "f", LOG_LVL_DEBUG, false, "cpg dbg");
	log_print(LOG_SS_CPG, "c.c", 1, "f", LOG_LVL_INFO, false, "cpg info");
	log_print(LOG_SS_CFG, "c.c", 1, "f", LOG_LVL_DEBUG, false, "cfg dbg");
	log_print(LOG_SS_CMAP, "c.c", 1, "f", LOG_LVL_ERR, false, "cmap err");
	text = slurp(d->path);
	assert_null(strstr(text, "main info"));
	assert_non_null(strstr(text, "main warn"));
	assert_null(strstr(text, "main dbg"));
	assert_non_null(strstr(text, "cpg dbg"));
	assert_non_null(strstr(text, "cpg info"));
	assert_non_null(strstr(text, "cfg dbg"));
	assert_null(strstr(text, "cmap err"));
	free(text);
}

/* A message longer than LOG_MSG_MAX is cut and marked; errno is kept and
 * log_warn() appends its text. */
static void long_lines_and_errno(void **state)
{
	struct logdir *d = *state;
	struct log_setup s;
	char err[256], *text, *big = malloc(3 * LOG_MSG_MAX), *nl;

	assert_non_null(big);
	memset(big, 'x', 3 * LOG_MSG_MAX - 1);
	big[3 * LOG_MSG_MAX - 1] = '\0';
	file_only(&s, d->path);
	s.stamp = LOG_STAMP_OFF;
	assert_int_equal(log_apply(&s, err, sizeof(err)), 0);
	log_info("%s", big);
	errno = ENOENT;
	log_warn("opening %s", "x.conf");
	assert_int_equal(errno, ENOENT);
	text = slurp(d->path);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_memory_equal(nl - strlen(LOG_CUT_MARK), LOG_CUT_MARK,
	    strlen(LOG_CUT_MARK));
	assert_true(strstr(text, "] x") != NULL);
	assert_int_equal(nl - strstr(text, "] x") - 2, LOG_MSG_MAX - 1);
	assert_non_null(strstr(nl, "opening x.conf: No such file or "
	    "directory\n"));
	free(text);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reopen_follows_rename,
		    logdir_setup, logdir_teardown),
		cmocka_unit_test_setup_teardown(reopen_failure_keeps_file,
		    logdir_setup, logdir_teardown),
		cmocka_unit_test(reopen_without_file),
		cmocka_unit_test_setup_teardown(apply_cannot_open,
		    logdir_setup, logdir_teardown),
		cmocka_unit_test(apply_name_too_long),
		cmocka_unit_test(format_layouts),
		cmocka_unit_test_setup_teardown(subsystems, logdir_setup,
		    logdir_teardown),
		cmocka_unit_test_setup_teardown(priorities_and_debug,
		    logdir_setup, logdir_teardown),
		cmocka_unit_test_setup_teardown(long_lines_and_errno,
		    logdir_setup, logdir_teardown),
		cmocka_unit_test(gate),
		cmocka_unit_test(gates_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
