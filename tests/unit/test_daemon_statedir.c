/* Unit tests: the state directory's files (src/daemon/statedir.c):
 * values survive a reread, a missing file reads as 0, a damaged one as 0
 * with a warning, and the incarnation grows from one run to the next. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/statedir.h"
#include "tmpdir.h"

static void values_survive(void **state)
{
	struct statedir sd = { tmpdir_path(), 7, false },
	    other = { tmpdir_path(), 8, false };
	uint64_t v = 1;

	assert_int_equal(statedir_read(&sd, "ringid", &v), 0);
	assert_int_equal(v, 0);
	statedir_write(&sd, "ringid", 0x0102030405060708ull);
	assert_int_equal(statedir_read(&sd, "ringid", &v), 0);
	assert_int_equal(v, 0x0102030405060708ull);
	/* Each node id has its own file. */
	assert_int_equal(statedir_read(&other, "ringid", &v), 0);
	assert_int_equal(v, 0);
}

static void damaged_reads_as_zero(void **state)
{
	struct statedir sd = { tmpdir_path(), 9, false };
	char path[128];
	uint64_t v = 1;
	int fd;

	snprintf(path, sizeof(path), "%s/ringid_9", tmpdir_path());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(statedir_read(&sd, "ringid", &v), 0);
	assert_int_equal(v, 0);
}

static void incarnation_grows(void **state)
{
	struct statedir sd = { tmpdir_path(), 10, false };
	uint64_t a, b, kept;

	assert_int_equal(statedir_incarnation(&sd, &a), 0);
	assert_int_equal(statedir_read(&sd, "incarnation", &kept), 0);
	assert_int_equal(kept, a);
	/* A clock far behind: the next is still above the last. */
	statedir_write(&sd, "incarnation", UINT64_MAX - 10);
	assert_int_equal(statedir_incarnation(&sd, &b), 0);
	assert_int_equal(b, UINT64_MAX - 9);
	assert_true(a < b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_survive),
		cmocka_unit_test(damaged_reads_as_zero),
		cmocka_unit_test(incarnation_grows),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
