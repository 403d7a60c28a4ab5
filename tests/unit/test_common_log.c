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
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"

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
	char dir[64];
	char path[128], moved[128];
};

static int logdir_setup(void **state)
{
	static struct logdir d;

	snprintf(d.dir, sizeof(d.dir), "/tmp/cohort-log-test.XXXXXX");
	if (!mkdtemp(d.dir))
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
	unlink(d->path);
	unlink(d->moved);
	rmdir(d->dir);
	return 0;
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
	s->to_stderr = false;
	s->logfile = path;
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
	s.to_stderr = false;
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
		cmocka_unit_test(gate),
		cmocka_unit_test(gates_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
