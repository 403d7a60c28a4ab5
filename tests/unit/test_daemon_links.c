/* Unit tests: link health and selection per peer
 * (src/daemon/transport/links.c), on a virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/transport/links.h"

#define MS 1000u            /* microseconds */
#define INTERVAL 100u       /* ms */
#define TIMEOUT 300u        /* ms */
#define RTT 200u            /* us */

static struct links ls;
static uint64_t now;

/* Every link: the timers above, `pongs` answers to come up, priority
 * prio[l] (priority 1 without `prio`). */
static void start_prio(enum links_mode mode, uint32_t pongs,
    const uint8_t *prio)
{
	struct links_timing tm[LINKS_MAX];

	for (unsigned l = 0; l < LINKS_MAX; l++)
		tm[l] = (struct links_timing){ .priority = prio ? prio[l] : 1,
		    .ping_interval_ms = INTERVAL, .ping_timeout_ms = TIMEOUT,
		    .pong_count = pongs, .precision = 4 };
	now = 1000 * MS;
	links_init(&ls, mode, tm);
}

static void start(enum links_mode mode, uint32_t pongs)
{
	start_prio(mode, pongs, NULL);
}

/* Moves the clock by `ms`, answering every ping due on the links in
 * `answer` (bit l) of peer `pi`, in steps of a millisecond. */
static void run(size_t pi, uint8_t answer, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		now += MS;
		for (unsigned l = 0; l < LINKS_MAX; l++)
			if (links_ping_due(&ls, pi, l, now) &&
			    (answer & (1u << l)))
				links_pong(&ls, pi, l, now, now + RTT);
		links_tick(&ls, now + RTT);
	}
}

static bool up(size_t pi, unsigned l)
{
	struct link_status st;

	links_status(&ls, pi, l, now, &st);
	return st.up;
}

/* Up after exactly pong_count answers; answers that stop for longer than
 * the timeout start the count again. */
static void pong_counting(void **state)
{
	(void)state;
	start(LINKS_PASSIVE, 3);
	links_add_peer(&ls, 0, 2, 0x1, now);
	links_pong(&ls, 0, 0, now, now + RTT);
	links_pong(&ls, 0, 0, now + 50 * MS, now + 50 * MS + RTT);
	assert_false(up(0, 0));
	/* A gap beyond the timeout: the two answers are forgotten. */
	now += 500 * MS;
	links_tick(&ls, now);
	links_pong(&ls, 0, 0, now, now + RTT);
	links_pong(&ls, 0, 0, now + 10 * MS, now + 10 * MS + RTT);
	assert_false(up(0, 0));
	links_pong(&ls, 0, 0, now + 20 * MS, now + 20 * MS + RTT);
	assert_true(up(0, 0));
}

/* Down once the timeout passes without an answer, not a moment before;
 * a late answer (past the timeout) and one from the future count for
 * nothing. */
static void timeouts(void **state)
{
	struct link_status st;
	uint64_t last;

	(void)state;
	start(LINKS_PASSIVE, 1);
	links_add_peer(&ls, 0, 2, 0x1, now);
	links_pong(&ls, 0, 0, now, now + RTT);
	assert_true(up(0, 0));
	last = now + RTT;
	links_tick(&ls, last + TIMEOUT * MS);
	assert_true(up(0, 0));
	assert_true(links_next_due(&ls, now) <= last + TIMEOUT * MS + 1);
	links_tick(&ls, last + TIMEOUT * MS + 1);
	assert_false(up(0, 0));
	now = last + TIMEOUT * MS + 1;
	links_pong(&ls, 0, 0, now - TIMEOUT * MS - 1, now);
	links_pong(&ls, 0, 0, now + MS, now);
	links_status(&ls, 0, 0, now, &st);
	assert_false(st.up);
	assert_int_equal(st.pongs_late, 2);
	assert_int_equal(st.downs, 1);
}

/* Pings every interval, on every configured link only. */
static void ping_schedule(void **state)
{
	unsigned sent[2] = { 0, 0 };

	(void)state;
	start(LINKS_PASSIVE, 2);
	links_add_peer(&ls, 0, 2, 0x2, now);
	assert_int_equal(links_next_due(&ls, now), now);
	for (unsigned i = 0; i < 10 * INTERVAL; i++, now += MS)
		for (unsigned l = 0; l < 2; l++)
			sent[l] += links_ping_due(&ls, 0, l, now);
	assert_int_equal(sent[0], 0);
	assert_int_equal(sent[1], 10);
}

/* The latency is the mean of the last `precision` round trips. */
static void latency(void **state)
{
	struct link_status st;

	(void)state;
	start(LINKS_PASSIVE, 1);
	links_add_peer(&ls, 0, 2, 0x1, now);
	links_pong(&ls, 0, 0, now, now + 100);
	links_pong(&ls, 0, 0, now, now + 300);
	links_status(&ls, 0, 0, now, &st);
	assert_int_equal(st.latency_us, 200);
	for (unsigned i = 0; i < 20; i++)
		links_pong(&ls, 0, 0, now, now + 1000);
	links_status(&ls, 0, 0, now, &st);
	assert_in_range(st.latency_us, 990, 1000);
}

/* Passive: the up link of highest priority; a tie to the lowest number. */
static void priorities(void **state)
{
	static const uint8_t prio[LINKS_MAX] = { 1, 1, 5, 5, 1, 1, 1, 1 };

	(void)state;
	start_prio(LINKS_PASSIVE, 1, prio);
	links_add_peer(&ls, 0, 2, 0x0f, now);
	run(0, 0x0f, 1);
	assert_int_equal(links_select(&ls, 0, now), 1u << 2);
	/* Link 2 stops answering: link 3 (the same priority) takes over. */
	run(0, 0x0b, TIMEOUT + INTERVAL);
	assert_false(up(0, 2));
	assert_int_equal(links_select(&ls, 0, now), 1u << 3);
	/* Then link 3: back to the lowest of priority 1. */
	run(0, 0x03, TIMEOUT + INTERVAL);
	assert_int_equal(links_select(&ls, 0, now), 1u << 0);
	run(0, 0x02, TIMEOUT + INTERVAL);
	assert_int_equal(links_select(&ls, 0, now), 1u << 1);
}

/* Active: every up link; rr: each up link in turn. */
static void active_and_rr(void **state)
{
	uint8_t seen = 0;

	(void)state;
	start(LINKS_ACTIVE, 1);
	links_add_peer(&ls, 0, 2, 0x07, now);
	run(0, 0x07, 1);
	assert_int_equal(links_select(&ls, 0, now), 0x07);
	run(0, 0x05, TIMEOUT + INTERVAL);
	assert_int_equal(links_select(&ls, 0, now), 0x05);
	assert_int_equal(links_selected(&ls, 0, now), 0x05);

	start(LINKS_RR, 1);
	links_add_peer(&ls, 0, 2, 0x07, now);
	run(0, 0x07, 1);
	for (unsigned i = 0; i < 3; i++) {
		uint8_t m = links_select(&ls, 0, now);

		assert_int_equal(__builtin_popcount(m), 1);
		assert_int_equal(seen & m, 0);
		seen |= m;
	}
	assert_int_equal(seen, 0x07);
	run(0, 0x06, TIMEOUT + INTERVAL);
	for (unsigned i = 0; i < 6; i++)
		assert_int_not_equal(links_select(&ls, 0, now) & 0x06, 0);
	assert_int_equal(links_selected(&ls, 0, now), 0x06);
}

/* A link back up after being down takes the traffic back only once it
 * has stayed up for its settling time; a flap within that time starts
 * the wait over. A link up for the first time is used at once. */
static void flapping(void **state)
{
	static const uint8_t prio[LINKS_MAX] = { 9, 1, 1, 1, 1, 1, 1, 1 };
	uint64_t settle = LINKS_SETTLE_TIMEOUTS * TIMEOUT;
	struct link_status st;

	(void)state;
	start_prio(LINKS_PASSIVE, 1, prio);
	links_add_peer(&ls, 0, 2, 0x03, now);
	run(0, 0x03, 1);
	assert_int_equal(links_select(&ls, 0, now), 0x01);
	for (unsigned flap = 0; flap < 3; flap++) {
		run(0, 0x02, TIMEOUT + INTERVAL);
		assert_false(up(0, 0));
		assert_int_equal(links_select(&ls, 0, now), 0x02);
		/* Back for less than the settling time. */
		run(0, 0x03, (unsigned)settle / 2);
		assert_true(up(0, 0));
		assert_int_equal(links_select(&ls, 0, now), 0x02);
	}
	links_status(&ls, 0, 0, now, &st);
	assert_int_equal(st.downs, 3);
	assert_false(st.settled);
	assert_false(st.in_use);
	run(0, 0x03, (unsigned)settle);
	assert_int_equal(links_select(&ls, 0, now), 0x01);
	links_status(&ls, 0, 0, now, &st);
	assert_true(st.settled);
	assert_true(st.in_use);
	/* A settling link is used when it is the only one up. */
	run(0, 0x02, TIMEOUT + INTERVAL);
	run(0, 0x01, TIMEOUT + INTERVAL);
	assert_false(up(0, 1));
	assert_true(up(0, 0));
	assert_int_equal(links_select(&ls, 0, now), 0x01);
}

/* A ping unanswered past its grace makes its link suspect: traffic
 * leaves it within a ping interval, long before the timeout makes it
 * down, and comes back at the next answer (it never went down: no
 * settling). */
static void suspect_link(void **state)
{
	static const uint8_t prio[LINKS_MAX] = { 9, 1, 1, 1, 1, 1, 1, 1 };
	struct link_status st;
	unsigned waited = 0;

	(void)state;
	start_prio(LINKS_PASSIVE, 1, prio);
	links_add_peer(&ls, 0, 2, 0x03, now);
	run(0, 0x03, 1);
	assert_int_equal(links_select(&ls, 0, now), 0x01);
	/* Link 0 stops answering: away from it within an interval and the
	 * grace, while it is still up. */
	while (links_select(&ls, 0, now) == 0x01) {
		run(0, 0x02, 1);
		assert_true(++waited <= INTERVAL + LINKS_GRACE_MIN_MS + 1);
	}
	assert_int_equal(links_select(&ls, 0, now), 0x02);
	links_status(&ls, 0, 0, now, &st);
	assert_true(st.up);
	assert_true(st.suspect);
	assert_false(st.in_use);
	/* Answered again: back at once. */
	run(0, 0x03, INTERVAL + 1);
	assert_int_equal(links_select(&ls, 0, now), 0x01);
	links_status(&ls, 0, 0, now, &st);
	assert_false(st.suspect);
	assert_int_equal(st.downs, 0);
	/* Link 1 goes down and comes back (settling); link 0 then stops
	 * answering: the settling link that answers takes the traffic. */
	run(0, 0x01, TIMEOUT + INTERVAL);
	assert_false(up(0, 1));
	run(0, 0x03, INTERVAL + 1);
	links_status(&ls, 0, 1, now, &st);
	assert_true(st.up);
	assert_false(st.settled);
	waited = 0;
	while (links_select(&ls, 0, now) == 0x01) {
		run(0, 0x02, 1);
		assert_true(++waited <= INTERVAL + LINKS_GRACE_MIN_MS + 1);
	}
	assert_int_equal(links_select(&ls, 0, now), 0x02);
	run(0, 0x03, LINKS_SETTLE_TIMEOUTS * TIMEOUT + INTERVAL);
	/* Every up link suspect: the settled ones all the same. */
	run(0, 0x00, INTERVAL + LINKS_GRACE_MIN_MS + 1);
	assert_true(up(0, 0) && up(0, 1));
	assert_int_equal(links_select(&ls, 0, now), 0x01);
}

/* The link that carries the traffic is pinged every LINKS_PROBE_MS, an
 * up link that does not every ping interval; a peer's only link (peer 1
 * here) every ping interval too, though it carries the traffic. */
static void probes(void **state)
{
	struct links_timing tm[LINKS_MAX];
	unsigned sent[2] = { 0, 0 }, sent_single = 0;

	(void)state;
	for (unsigned l = 0; l < LINKS_MAX; l++)
		tm[l] = (struct links_timing){ .priority = l == 0 ? 2 : 1,
		    .ping_interval_ms = 10 * LINKS_PROBE_MS,
		    .ping_timeout_ms = 30 * LINKS_PROBE_MS, .pong_count = 1,
		    .precision = 1 };
	links_init(&ls, LINKS_PASSIVE, tm);
	now = 1000 * MS;
	links_add_peer(&ls, 0, 2, 0x03, now);
	links_add_peer(&ls, 1, 3, 0x01, now);
	run(0, 0x03, 1);
	run(1, 0x01, 1);
	assert_int_equal(links_selected(&ls, 0, now), 0x01);
	assert_int_equal(links_selected(&ls, 1, now), 0x01);
	for (unsigned i = 0; i < 20 * LINKS_PROBE_MS; i++) {
		now += MS;
		for (unsigned l = 0; l < 2; l++)
			if (links_ping_due(&ls, 0, l, now)) {
				sent[l]++;
				links_pong(&ls, 0, l, now, now + RTT);
			}
		if (links_ping_due(&ls, 1, 0, now)) {
			sent_single++;
			links_pong(&ls, 1, 0, now, now + RTT);
		}
		assert_true(links_next_due(&ls, now) <= now + LINKS_PROBE_MS * MS);
	}
	assert_int_equal(sent[0], 20);
	assert_int_equal(sent[1], 2);
	assert_int_equal(sent_single, 2);
	assert_true(up(1, 0));
}

/* No link up: every configured link is selected, in every mode. */
static void none_up(void **state)
{
	(void)state;
	for (int m = LINKS_PASSIVE; m <= LINKS_RR; m++) {
		start((enum links_mode)m, 2);
		links_add_peer(&ls, 0, 2, 0x05, now);
		assert_int_equal(links_select(&ls, 0, now), 0x05);
		assert_int_equal(links_selected(&ls, 0, now), 0x05);
	}
}

/* Peers with different links: each peer's selection is its own (one node
 * reached over link 1, another over link 0), and a peer without link 1
 * never gets it. */
static void fewer_links(void **state)
{
	struct link_status st;

	(void)state;
	start(LINKS_PASSIVE, 1);
	links_add_peer(&ls, 0, 2, 0x03, now);
	links_add_peer(&ls, 1, 3, 0x01, now);
	assert_int_equal(ls.n_peers, 2);
	for (unsigned i = 0; i < TIMEOUT + INTERVAL; i++) {
		run(0, 0x02, 1);
		now -= MS;
		run(1, 0x01, 1);
	}
	assert_int_equal(links_select(&ls, 0, now), 0x02);
	assert_int_equal(links_select(&ls, 1, now), 0x01);
	links_status(&ls, 1, 1, now, &st);
	assert_false(st.configured);
	assert_false(st.in_use);
	assert_int_equal(st.pings_tx, 0);
	/* Out of range: all zero. */
	links_status(&ls, 5, 0, now, &st);
	assert_false(st.configured);
	links_status(&ls, 0, LINKS_MAX, now, &st);
	assert_false(st.configured);
	assert_string_equal(links_mode_name(LINKS_RR), "rr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pong_counting),
		cmocka_unit_test(timeouts),
		cmocka_unit_test(ping_schedule),
		cmocka_unit_test(latency),
		cmocka_unit_test(priorities),
		cmocka_unit_test(active_and_rr),
		cmocka_unit_test(flapping),
		cmocka_unit_test(suspect_link),
		cmocka_unit_test(probes),
		cmocka_unit_test(none_up),
		cmocka_unit_test(fewer_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
