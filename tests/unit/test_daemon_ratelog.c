/* Unit tests: lines about one user at a bounded rate
 * (src/daemon/ratelog.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/ratelog.h"

#define T0 1000000u

/* One line per uid per interval; the next one counts the rest. */
static void one_line_per_interval(void **state)
{
	struct ratelog rl = { 0 };
	uint64_t quiet = 99;

	assert_true(ratelog_admit(&rl, 65534, T0, &quiet));
	assert_int_equal(quiet, 0);
	for (int i = 0; i < 9000; i++)
		assert_false(ratelog_admit(&rl, 65534, T0 + (uint64_t)i, &quiet));
	/* Another uid has its own line. */
	assert_true(ratelog_admit(&rl, 1000, T0 + 1, &quiet));
	assert_int_equal(quiet, 0);
	assert_false(ratelog_admit(&rl, 65534,
	    T0 + RATELOG_INTERVAL_MS - 1, &quiet));
	assert_true(ratelog_admit(&rl, 65534, T0 + RATELOG_INTERVAL_MS,
	    &quiet));
	assert_int_equal(quiet, 9001);
}

/* Beyond RATELOG_UIDS uids in one interval nothing is logged; the count
 * goes with the next line. */
static void bounded_uids(void **state)
{
	struct ratelog rl = { 0 };
	uint64_t quiet;

	assert_true(ratelog_admit(&rl, 1, T0, &quiet));
	for (uid_t u = 2; u <= RATELOG_UIDS; u++)
		assert_true(ratelog_admit(&rl, u, T0 + 1, &quiet));
	for (uid_t u = RATELOG_UIDS + 1; u <= 3 * RATELOG_UIDS; u++)
		assert_false(ratelog_admit(&rl, u, T0 + 2, &quiet));
	assert_false(ratelog_admit(&rl, 1, T0 + 2, &quiet));
	/* An interval after uid 1's line its entry may be reused: the new
	 * uid's line carries the events not logged, uid 1's one too. */
	assert_true(ratelog_admit(&rl, 5000, T0 + RATELOG_INTERVAL_MS,
	    &quiet));
	assert_int_equal(quiet, 2 * RATELOG_UIDS + 1);
	/* Every other entry is still within its interval. */
	assert_false(ratelog_admit(&rl, 6000, T0 + RATELOG_INTERVAL_MS,
	    &quiet));
	assert_false(ratelog_admit(&rl, 2, T0 + RATELOG_INTERVAL_MS, &quiet));
	assert_true(ratelog_admit(&rl, 2, T0 + 1 + RATELOG_INTERVAL_MS,
	    &quiet));
	assert_int_equal(quiet, 1 + 1);   /* its own, and uid 6000's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_line_per_interval),
		cmocka_unit_test(bounded_uids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
