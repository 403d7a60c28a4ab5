/* Unit tests: the replay window (src/daemon/replay.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/transport/replay.h"

/* Checks then, when fresh, takes: what the transport does per frame. */
static enum replay_verdict offer(struct replay_window *w, uint64_t inc,
    uint64_t ctr)
{
	enum replay_verdict v = replay_check(w, inc, ctr);

	if (replay_fresh(v))
		replay_take(w, inc, ctr);
	return v;
}

static void first_and_duplicates(void **state)
{
	struct replay_window w = { 0 };

	(void)state;
	assert_int_equal(offer(&w, 5, 1), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 5, 1), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 5, 2), REPLAY_FRESH);
	assert_int_equal(offer(&w, 5, 2), REPLAY_DUPLICATE);
	/* Out of order within the window: each once. */
	assert_int_equal(offer(&w, 5, 10), REPLAY_FRESH);
	assert_int_equal(offer(&w, 5, 7), REPLAY_FRESH);
	assert_int_equal(offer(&w, 5, 7), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 5, 3), REPLAY_FRESH);
	assert_int_equal(offer(&w, 5, 10), REPLAY_DUPLICATE);
	/* replay_check alone changes nothing. */
	assert_int_equal(replay_check(&w, 5, 4), REPLAY_FRESH);
	assert_int_equal(replay_check(&w, 5, 4), REPLAY_FRESH);
}

/* The first frame heard of an incarnation starts the window: frames
 * older than it (sent before we listened) are not taken later. */
static void window_starts_at_first_frame(void **state)
{
	struct replay_window w = { 0 };

	(void)state;
	assert_int_equal(offer(&w, 9, 500), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 9, 499), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 9, 1), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 9, 501), REPLAY_FRESH);
}

static void far_behind_and_far_ahead(void **state)
{
	struct replay_window w = { 0 };

	(void)state;
	offer(&w, 1, 1);
	assert_int_equal(offer(&w, 1, 1 + REPLAY_WINDOW), REPLAY_FRESH);
	/* Counter 1 is now exactly REPLAY_WINDOW behind: too old. */
	assert_int_equal(offer(&w, 1, 1), REPLAY_TOO_OLD);
	/* One inside the window's far edge, never taken: fresh. */
	assert_int_equal(offer(&w, 1, 2), REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, 2), REPLAY_DUPLICATE);
	/* Far ahead: the window is cleared, not left with stale bits. */
	assert_int_equal(offer(&w, 1, 1000000), REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, 1000000 - 1), REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, 1000000 - REPLAY_WINDOW + 1),
	    REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, 1000000 - REPLAY_WINDOW), REPLAY_TOO_OLD);
	assert_int_equal(offer(&w, 1, 1 + REPLAY_WINDOW), REPLAY_TOO_OLD);
}

/* The bitmap is a ring (counter mod REPLAY_WINDOW): sliding across its
 * end forgets the counters left behind and keeps the ones inside. */
static void bitmap_wrap(void **state)
{
	struct replay_window w = { 0 };
	uint64_t c, top = 0;

	(void)state;
	offer(&w, 1, 1);
	for (c = 2; c <= 3 * REPLAY_WINDOW + 5; c += 2) {
		assert_int_equal(offer(&w, 1, c), REPLAY_FRESH);
		top = c;
	}
	/* Every odd counter inside the window is still missing, every even
	 * one taken, on both sides of the ring's end. */
	for (c = top - REPLAY_WINDOW + 1; c <= top; c++)
		assert_int_equal(replay_check(&w, 1, c), c % 2 ?
		    REPLAY_FRESH : REPLAY_DUPLICATE);
	assert_int_equal(replay_check(&w, 1, top - REPLAY_WINDOW),
	    REPLAY_TOO_OLD);
	/* Near the top of the counter space: no overflow in the arithmetic. */
	assert_int_equal(offer(&w, 1, UINT64_MAX - 1), REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, UINT64_MAX), REPLAY_FRESH);
	assert_int_equal(offer(&w, 1, UINT64_MAX - 1), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 1, UINT64_MAX - REPLAY_WINDOW),
	    REPLAY_TOO_OLD);
	assert_int_equal(offer(&w, 1, 3), REPLAY_TOO_OLD);
}

static void incarnations(void **state)
{
	struct replay_window w = { 0 };

	(void)state;
	assert_int_equal(offer(&w, 0, 1), REPLAY_PAST_INCARNATION);
	assert_int_equal(offer(&w, 100, 50), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 99, 1000), REPLAY_PAST_INCARNATION);
	assert_int_equal(offer(&w, 99, 1), REPLAY_PAST_INCARNATION);
	/* A restart: its counters start again from 1. */
	assert_int_equal(offer(&w, 101, 1), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 101, 2), REPLAY_FRESH);
	assert_int_equal(offer(&w, 100, 51), REPLAY_PAST_INCARNATION);
	assert_int_equal(offer(&w, 101, 1), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, UINT64_MAX, 1), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 101, 3), REPLAY_PAST_INCARNATION);
}

/* A window restored from a previous run: what it had taken is refused
 * until a frame is taken, which starts the window anew. */
static void restored(void **state)
{
	struct replay_window w = { 0 };

	(void)state;
	replay_restore(&w, 7, 100);
	assert_int_equal(offer(&w, 7, 100), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 7, 1), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 6, 500), REPLAY_PAST_INCARNATION);
	assert_int_equal(offer(&w, 7, 150), REPLAY_FRESH);
	/* 101..149 were maybe taken by the previous run's last moments. */
	assert_int_equal(offer(&w, 7, 120), REPLAY_DUPLICATE);
	assert_int_equal(offer(&w, 7, 152), REPLAY_FRESH);
	assert_int_equal(offer(&w, 7, 151), REPLAY_FRESH);
	assert_int_equal(offer(&w, 7, 151), REPLAY_DUPLICATE);
	/* A restored window meets a new run of its sender. */
	replay_restore(&w, 7, 100);
	assert_int_equal(offer(&w, 8, 1), REPLAY_NEW_INCARNATION);
	assert_int_equal(offer(&w, 8, 2), REPLAY_FRESH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_and_duplicates),
		cmocka_unit_test(window_starts_at_first_frame),
		cmocka_unit_test(far_behind_and_far_ahead),
		cmocka_unit_test(bitmap_wrap),
		cmocka_unit_test(incarnations),
		cmocka_unit_test(restored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
