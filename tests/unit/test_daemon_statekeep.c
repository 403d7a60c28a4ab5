/* Unit tests: a value kept durably by a helper thread
 * (src/daemon/statekeep.c): the latest value reaches the file, a failed
 * write is reported and retried, nothing stops the process, and a value
 * still pending at close is tried once more. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "daemon/statedir.h"
#include "daemon/statekeep.h"
#include "tmpdir.h"

#define NODE 4
#define NAME "kept"

/* The value in state file NAME of `sd`; fails the test if there is none. */
static uint64_t on_disk(const struct statedir *sd)
{
	uint8_t b[8];
	uint64_t v;

	assert_int_equal(statedir_get(sd, NAME, b, sizeof(b)), 8);
	assert_int_equal(statedir_read(sd, NAME, &v), 0);
	return v;
}

/* Waits (bounded: 10 s) until the writer reports `err` with nothing
 * pending (err 0) or with the value still pending (err < 0). */
static void wait_for(struct statekeep *k, int err)
{
	struct timespec tick = { 0, 1000000 };
	bool pending;

	for (int i = 0; i < 10000; i++) {
		int e = statekeep_error(k, &pending);

		if (e == err && pending == (err < 0))
			return;
		nanosleep(&tick, NULL);
	}
	fail_msg("the writer did not report %d", err);
}

static void latest_value_written(void **state)
{
	struct statedir sd = { tmpdir_path(), NODE, false };
	struct statekeep k;

	(void)state;
	assert_int_equal(statekeep_open(&k, &sd, NAME, true), 0);
	assert_int_equal(statedir_get(&sd, NAME, NULL, 0), -ENOENT);
	statekeep_set(&k, 5);
	statekeep_set(&k, 7);
	wait_for(&k, 0);
	assert_int_equal(on_disk(&sd), 7);
	statekeep_set(&k, 9);
	statekeep_close(&k);   /* a pending value is written first */
	assert_int_equal(on_disk(&sd), 9);
}

/* Without the thread: a write into a directory that is not there fails,
 * is reported and stays pending; once the directory is there the next
 * flush writes it. */
static void failure_reported_and_retried(void **state)
{
	char dir[TMPDIR_PATH_MAX + 16];
	struct statedir sd = { dir, NODE, false };
	struct statekeep k;
	bool pending;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/later", tmpdir_path());
	assert_int_equal(statekeep_open(&k, &sd, NAME, false), 0);
	assert_int_equal(statekeep_error(&k, &pending), 0);
	assert_false(pending);
	statekeep_set(&k, 3);
	assert_int_equal(statekeep_error(&k, &pending), 0);
	assert_true(pending);
	statekeep_flush(&k);
	assert_int_equal(statekeep_error(&k, &pending), -ENOENT);
	assert_true(pending);
	assert_int_equal(k.failures, 1);
	assert_int_equal(mkdir(dir, 0700), 0);
	statekeep_flush(&k);
	assert_int_equal(statekeep_error(&k, &pending), 0);
	assert_false(pending);
	assert_int_equal(on_disk(&sd), 3);
	statekeep_flush(&k);   /* nothing pending: nothing written */
	assert_int_equal(k.failures, 1);
	statekeep_close(&k);
}

/* With the thread: the failure is reported while the writer waits to
 * retry; a newer value ends the wait and is written at once. */
static void thread_retries_on_new_value(void **state)
{
	char dir[TMPDIR_PATH_MAX + 16];
	struct statedir sd = { dir, NODE, false };
	struct statekeep k;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/later2", tmpdir_path());
	assert_int_equal(statekeep_open(&k, &sd, NAME, true), 0);
	statekeep_set(&k, 11);
	wait_for(&k, -ENOENT);
	assert_int_equal(mkdir(dir, 0700), 0);
	statekeep_set(&k, 12);
	wait_for(&k, 0);
	assert_int_equal(on_disk(&sd), 12);
	statekeep_close(&k);
}

/* A value that cannot be written at close is tried once and given up:
 * close returns. */
static void close_gives_up(void **state)
{
	char dir[TMPDIR_PATH_MAX + 16];
	struct statedir sd = { dir, NODE, false };
	struct statekeep k;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/never", tmpdir_path());
	assert_int_equal(statekeep_open(&k, &sd, NAME, true), 0);
	statekeep_set(&k, 1);
	statekeep_close(&k);
	assert_int_equal(statedir_get(&sd, NAME, NULL, 0), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latest_value_written),
		cmocka_unit_test(failure_reported_and_retried),
		cmocka_unit_test(thread_retries_on_new_value),
		cmocka_unit_test(close_gives_up),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
