/* Unit tests: which ICMP port unreachable reports are believed
 * (src/daemon/unreach.c), on made-up frames and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/transport/unreach.h"

#define QUIET 250u
#define AGE 1000u

/* The bytes after the header of frame `k`: 24 "random" bytes, distinct
 * for every k below 65536. */
static void body(uint8_t b[24], unsigned k)
{
	for (unsigned i = 0; i < 24; i++)
		b[i] = (uint8_t)(k * 131u + i * 7u + 1u);
	b[0] = (uint8_t)k;
	b[1] = (uint8_t)(k >> 8);
}

static struct unreach u;

static int setup(void **state)
{
	(void)state;
	unreach_init(&u, QUIET, AGE);
	return 0;
}

/* A report quoting a frame sent to the peer, about a peer never heard:
 * believed at once; quoting anything else, or a frame sent to another
 * peer, or too few bytes: not. */
static void match_rule(void **state)
{
	uint8_t b[24], other[24];

	(void)state;
	body(b, 1);
	body(other, 2);
	unreach_sent(&u, 1, b, sizeof(b), 1000);
	unreach_sent(&u, 2, other, sizeof(other), 1000);
	assert_int_equal(unreach_judge(&u, 1, other, sizeof(other), 0, 1001),
	    UNREACH_UNMATCHED);
	/* One byte off. */
	other[0] = b[0];
	memcpy(other + 1, b + 1, sizeof(b) - 1);
	other[UNREACH_MATCH_LEN - 1] ^= 1;
	assert_int_equal(unreach_judge(&u, 1, other, sizeof(other), 0, 1001),
	    UNREACH_UNMATCHED);
	/* Cut short by the reporting host. */
	assert_int_equal(unreach_judge(&u, 1, b, UNREACH_MATCH_LEN - 1, 0,
	    1001), UNREACH_UNMATCHED);
	/* Only the compared bytes matter: the rest may differ. */
	memcpy(other, b, sizeof(b));
	other[UNREACH_MATCH_LEN] ^= 0xff;
	assert_int_equal(unreach_judge(&u, 1, other, UNREACH_MATCH_LEN, 0,
	    1001), UNREACH_FAIL);
}

/* A sent frame counts for age_ms; a peer's ring keeps the last
 * UNREACH_RECENT frames. */
static void age_and_ring(void **state)
{
	uint8_t b[24], first[24];

	(void)state;
	body(first, 100);
	unreach_sent(&u, 0, first, sizeof(first), 1000);
	assert_int_equal(unreach_judge(&u, 0, first, sizeof(first), 0,
	    1000 + AGE + 1), UNREACH_UNMATCHED);
	unreach_sent(&u, 0, first, sizeof(first), 5000);
	for (unsigned k = 0; k < UNREACH_RECENT; k++) {
		body(b, 200 + k);
		unreach_sent(&u, 0, b, sizeof(b), 5000);
	}
	assert_int_equal(unreach_judge(&u, 0, first, sizeof(first), 0, 5001),
	    UNREACH_UNMATCHED);
	/* The oldest still kept. */
	body(b, 200);
	assert_int_equal(unreach_judge(&u, 0, b, sizeof(b), 0, 5001),
	    UNREACH_FAIL);
}

/* A short frame is matched on what it has. */
static void short_frame(void **state)
{
	const uint8_t tiny[3] = { 1, 2, 3 };
	const uint8_t quote[8] = { 1, 2, 3, 9, 9, 9, 9, 9 };

	(void)state;
	unreach_sent(&u, 3, tiny, sizeof(tiny), 10);
	unreach_sent(&u, 3, tiny, 0, 10);   /* nothing to match: ignored */
	assert_int_equal(unreach_judge(&u, 3, quote, 2, 0, 11),
	    UNREACH_UNMATCHED);
	assert_int_equal(unreach_judge(&u, 3, quote, sizeof(quote), 0, 11),
	    UNREACH_FAIL);
}

/* A peer heard within the quiet time: the report waits until quiet_ms
 * after it was last heard; it fails the peer then if nothing came, and
 * is dropped if something did. */
static void quiet_time(void **state)
{
	uint8_t b[24];

	(void)state;
	body(b, 7);
	unreach_sent(&u, 1, b, sizeof(b), 2000);
	assert_int_equal(unreach_due(&u, 4), 0);
	assert_int_equal(unreach_judge(&u, 1, b, sizeof(b), 1990, 2001),
	    UNREACH_DEFER);
	assert_int_equal(unreach_due(&u, 4), 1990 + QUIET);
	/* Another report meanwhile waits for the same answer. */
	assert_int_equal(unreach_judge(&u, 1, b, sizeof(b), 1990, 2002),
	    UNREACH_DEFER);
	assert_int_equal(unreach_recheck(&u, 1, 1990, 1990 + QUIET - 1),
	    UNREACH_DEFER);
	assert_int_equal(unreach_recheck(&u, 1, 1990, 1990 + QUIET),
	    UNREACH_FAIL);
	assert_int_equal(unreach_due(&u, 4), 0);
	assert_int_equal(unreach_recheck(&u, 1, 1990, 3000), UNREACH_DEFER);

	/* Heard again before the time: alive, the report dropped. */
	unreach_sent(&u, 2, b, sizeof(b), 4000);
	assert_int_equal(unreach_judge(&u, 2, b, sizeof(b), 3950, 4001),
	    UNREACH_DEFER);
	assert_int_equal(unreach_recheck(&u, 2, 4100, 3950 + QUIET),
	    UNREACH_ALIVE);
	assert_int_equal(unreach_due(&u, 4), 0);
}

/* At most one report acted on per peer per quiet time. */
static void rate_limit(void **state)
{
	uint8_t b[24];

	(void)state;
	body(b, 9);
	unreach_sent(&u, 1, b, sizeof(b), 1000);
	assert_int_equal(unreach_judge(&u, 1, b, sizeof(b), 0, 1000),
	    UNREACH_FAIL);
	assert_int_equal(unreach_judge(&u, 1, b, sizeof(b), 0, 1000 + QUIET - 1),
	    UNREACH_LIMITED);
	/* Another peer is not held back. */
	unreach_sent(&u, 2, b, sizeof(b), 1000);
	assert_int_equal(unreach_judge(&u, 2, b, sizeof(b), 0, 1001),
	    UNREACH_FAIL);
	assert_int_equal(unreach_judge(&u, 1, b, sizeof(b), 0, 1000 + QUIET),
	    UNREACH_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(match_rule, setup),
		cmocka_unit_test_setup(age_and_ring, setup),
		cmocka_unit_test_setup(short_frame, setup),
		cmocka_unit_test_setup(quiet_time, setup),
		cmocka_unit_test_setup(rate_limit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
