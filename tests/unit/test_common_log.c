/* Unit tests: the rate gate of log lines (src/common/log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gate),
		cmocka_unit_test(gates_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
