/*
 * Unit tests: votequorum's rules (src/daemon/quorum/rules.c) on a virtual
 * clock, over sequences of rings as the votequorum service plays them:
 * every member of a new ring starts its synchronisation, each member's
 * node information is delivered to every member in one order, then every
 * member activates. Each option alone and in combination, partitions and
 * merges, two_node, wait_for_all at start and after, last_man_standing
 * step by step, the tie breaker (lowest, highest, list), allow_downscale,
 * expected votes raised by the total, a quorum that never decreases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/config/config.h"
#include "daemon/icmap.h"
#include "daemon/quorum/rules.h"
#include "daemon/quorum/vq_keys.h"

#define NODES_MAX 8

struct cluster {
	size_t n;                        /* nodes 1..n */
	struct vq_rules r[NODES_MAX + 1];
	uint64_t now;
};

static struct cluster *cluster_new(size_t n, const struct vq_settings *base)
{
	struct cluster *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->n = n;
	for (uint32_t id = 1; id <= n; id++) {
		struct vq_settings s = *base;

		s.nodeid = id;
		if (!s.votes)
			s.votes = 1;
		if (!s.expected_votes)
			s.expected_votes = (uint32_t)n;
		vq_init(&c->r[id], &s);
		vq_take_out(&c->r[id]);
	}
	return c;
}

static struct vq_settings plain(void)
{
	return (struct vq_settings){ .lms_window_ms = 10000 };
}

/* Plays a ring of the nodes listed (ascending, 0-terminated). */
static void ring(struct cluster *c, const uint32_t *m)
{
	size_t n = 0;

	while (m[n])
		n++;
	for (size_t i = 0; i < n; i++)
		vq_sync_init(&c->r[m[i]], m, n, c->now);
	for (size_t s = 0; s < n; s++) {
		struct vq_nodeinfo ni = vq_my_info(&c->r[m[s]]);

		for (size_t i = 0; i < n; i++)
			assert_int_equal(vq_nodeinfo(&c->r[m[i]], &ni), 0);
	}
	for (size_t i = 0; i < n; i++)
		vq_sync_activate(&c->r[m[i]]);
}

/* Delivers `apply` on every node of the ring `m` (a reconfiguration or
 * an LMS expiry, which the service multicasts). */
static void each(struct cluster *c, const uint32_t *m,
    void (*apply)(struct vq_rules *))
{
	for (size_t i = 0; m[i]; i++)
		apply(&c->r[m[i]]);
}

static void assert_q(const struct cluster *c, uint32_t id, bool quorate,
    uint32_t quorum, uint32_t total)
{
	const struct vq_rules *r = &c->r[id];
	uint32_t tv, he;

	vq_totals(r, &tv, &he);
	assert_int_equal(r->quorate, quorate);
	assert_int_equal(r->quorum, quorum);
	assert_int_equal(tv, total);
}

static void start_all(struct cluster *c)
{
	for (uint32_t id = 1; id <= c->n; id++)
		ring(c, (uint32_t[]){ id, 0 });
}

static void three_nodes(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);

	start_all(c);
	for (uint32_t id = 1; id <= 3; id++)
		assert_q(c, id, false, 2, 1);
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, true, 2, 2);
	assert_q(c, 2, true, 2, 2);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	for (uint32_t id = 1; id <= 3; id++)
		assert_q(c, id, true, 2, 3);
	/* A node dies: the other two keep quorum. */
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, true, 2, 2);
	assert_int_equal(vq_find(&c->r[1], 3)->state, VQ_DEAD);
	/* Another: the last one loses it. */
	ring(c, (uint32_t[]){ 1, 0 });
	assert_q(c, 1, false, 2, 1);
	free(c);
}

/* corosync's list order: node 1 sees 2 3 1, node 2 sees 1 3 2. */
static void list_order(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);

	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_int_equal(c->r[1].nodes[0].nodeid, 2);
	assert_int_equal(c->r[1].nodes[1].nodeid, 3);
	assert_int_equal(c->r[1].nodes[2].nodeid, 1);
	assert_int_equal(c->r[2].nodes[0].nodeid, 1);
	assert_int_equal(c->r[2].nodes[1].nodeid, 3);
	assert_int_equal(c->r[2].nodes[2].nodeid, 2);
	free(c);
}

static void partition_and_heal(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(5, &s);

	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 5, 0 });
	for (uint32_t id = 1; id <= 5; id++)
		assert_q(c, id, true, 3, 5);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	ring(c, (uint32_t[]){ 4, 5, 0 });
	for (uint32_t id = 1; id <= 3; id++)
		assert_q(c, id, true, 3, 3);
	for (uint32_t id = 4; id <= 5; id++)
		assert_q(c, id, false, 3, 2);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 5, 0 });
	for (uint32_t id = 1; id <= 5; id++)
		assert_q(c, id, true, 3, 5);
	free(c);
}

/* The quorum never goes down by itself: 5 nodes then 3 keep 3, even
 * with fewer expected votes announced by a node restarted alone. */
static void quorum_never_decreases(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(5, &s);

	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 5, 0 });
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_q(c, 1, true, 3, 3);
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, false, 3, 2);
	free(c);
}

/* Votes above the expected raise it, with a notification. */
static void expected_follows_total(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);
	const uint32_t all[] = { 1, 2, 3, 0 };

	start_all(c);
	ring(c, all);
	assert_int_equal(vq_check_votes(&c->r[1], 3, 2), 0);
	for (uint32_t id = 1; id <= 3; id++) {
		vq_set_votes(&c->r[id], 3, 2);
		assert_true(vq_take_out(&c->r[id]) & VQ_OUT_EXPECTED);
		assert_int_equal(c->r[id].us->expected, 4);
		assert_q(c, id, true, 3, 4);
	}
	free(c);
}

static void setexpected_and_setvotes_checks(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);

	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	/* Below the total, or a quorum above it while quorate. */
	assert_int_equal(vq_check_expected(&c->r[1], 1), -EINVAL);
	assert_int_equal(vq_check_expected(&c->r[1], 2), -EINVAL);
	assert_int_equal(vq_check_expected(&c->r[1], 3), 0);
	assert_int_equal(vq_check_expected(&c->r[1], 5), 0);
	assert_int_equal(vq_check_expected(&c->r[1], 6), -EINVAL);
	assert_int_equal(vq_check_votes(&c->r[1], 9, 1), -ENOENT);
	assert_int_equal(vq_check_votes(&c->r[1], 0, 1), -ENOENT);
	assert_int_equal(vq_check_votes(&c->r[1], 2, 0), 0);
	/* setexpected allows the quorum to go down. */
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, true, 2, 2);
	ring(c, (uint32_t[]){ 1, 0 });
	assert_q(c, 1, false, 2, 1);
	assert_int_equal(vq_check_expected(&c->r[1], 1), 0);
	vq_set_expected(&c->r[1], 1);
	assert_true(vq_take_out(&c->r[1]) & VQ_OUT_QUORUM);
	assert_q(c, 1, true, 1, 1);
	assert_int_equal(c->r[1].ev_barrier, 1);
	free(c);
}

/* Votes and expected votes beyond the configuration's limits: refused
 * before they are multicast, ignored when delivered, on every node
 * alike. A node's votes near 2^32 once wrapped the total in 32 bits and
 * left both sides of a split quorate. */
static void votes_and_expected_limits(void **state)
{
	const uint32_t all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0 };
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(8, &s);
	struct vq_nodeinfo ni;

	start_all(c);
	ring(c, all);
	assert_q(c, 1, true, 5, 8);
	assert_int_equal(vq_check_votes(&c->r[1], 1, 0xFFFFFFFEu), -EINVAL);
	assert_int_equal(vq_check_votes(&c->r[1], 1,
	    COHORT_CONFIG_VOTES_MAX + 1), -EINVAL);
	assert_int_equal(vq_check_expected(&c->r[1], 0xFFFFFFFFu), -EINVAL);
	assert_int_equal(vq_check_expected(&c->r[1],
	    COHORT_CONFIG_EXPECTED_MAX + 1), -EINVAL);
	/* Delivered anyway (a node that did not check): nothing changes. */
	for (size_t i = 0; all[i]; i++) {
		struct vq_rules *r = &c->r[all[i]];

		vq_take_out(r);
		assert_int_equal(vq_set_votes(r, 1, 0xFFFFFFFEu), -ERANGE);
		assert_int_equal(vq_set_expected(r, 0xFFFFFFFFu), -ERANGE);
		assert_int_equal(vq_take_out(r), 0);
		assert_int_equal(vq_find(r, 1)->votes, 1);
	}
	ni = vq_my_info(&c->r[2]);
	ni.votes = COHORT_CONFIG_VOTES_MAX + 1;
	assert_int_equal(vq_nodeinfo(&c->r[1], &ni), -ERANGE);
	assert_int_equal(vq_find(&c->r[1], 2)->votes, 1);
	/* A split after all that: only the larger side is quorate. */
	ring(c, (uint32_t[]){ 1, 0 });
	ring(c, (uint32_t[]){ 2, 3, 4, 5, 6, 7, 8, 0 });
	assert_q(c, 1, false, 5, 1);
	assert_q(c, 2, true, 5, 7);
	/* The largest votes the limits allow on every node: the sums stay
	 * exact, and expected votes follow the total beyond
	 * COHORT_CONFIG_EXPECTED_MAX (a node's information may carry it). */
	for (size_t i = 0; all[i]; i++)
		for (uint32_t id = 1; id <= 8; id++)
			assert_int_equal(vq_set_votes(&c->r[all[i]], id,
			    COHORT_CONFIG_VOTES_MAX), 0);
	ring(c, all);
	assert_q(c, 3, true, 4 * COHORT_CONFIG_VOTES_MAX + 1,
	    8 * COHORT_CONFIG_VOTES_MAX);
	free(c);
}

static void two_node(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.two_node = s.wait_for_all = true;
	c = cluster_new(2, &s);
	/* Alone at start: waiting for all, though quorum is 1. */
	start_all(c);
	assert_q(c, 1, false, 1, 1);
	assert_true(c->r[1].wfa_status);
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, true, 1, 2);
	assert_q(c, 2, true, 1, 2);
	assert_false(c->r[1].wfa_status);
	/* The other dies: the survivor keeps quorum. */
	ring(c, (uint32_t[]){ 1, 0 });
	assert_q(c, 1, true, 1, 1);
	assert_int_equal(vq_info_flags(&c->r[1]), VQ_INFO_TWONODE |
	    VQ_INFO_QUORATE | VQ_INFO_WAIT_FOR_ALL);
	free(c);
}

/* Without wait_for_all, two_node nodes are quorate alone at once. */
static void two_node_without_wfa(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.two_node = true;
	c = cluster_new(2, &s);
	start_all(c);
	assert_q(c, 1, true, 1, 1);
	free(c);
}

static void wait_for_all(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.wait_for_all = true;
	c = cluster_new(3, &s);
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 0 });
	/* Two of three would be a majority, but not all came. */
	assert_q(c, 1, false, 2, 2);
	assert_true(c->r[1].wfa_status);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_q(c, 1, true, 2, 3);
	/* Once quorate, losing one is the usual majority rule. */
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, true, 2, 2);
	/* Node 3 restarts: it joins a quorate cluster, it does not wait. */
	s.nodeid = 3;
	s.votes = 1;
	s.expected_votes = 3;
	vq_init(&c->r[3], &s);
	ring(c, (uint32_t[]){ 3, 0 });
	assert_true(c->r[3].wfa_status);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_q(c, 3, true, 2, 3);
	assert_false(c->r[3].wfa_status);
	/* Quorum lost: the node waits for all again, so a majority that
	 * comes back is not enough. */
	ring(c, (uint32_t[]){ 1, 0 });
	assert_q(c, 1, false, 2, 1);
	assert_true(c->r[1].wfa_status);
	s.nodeid = 2;
	vq_init(&c->r[2], &s);
	ring(c, (uint32_t[]){ 2, 0 });
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, false, 2, 2);
	assert_q(c, 2, false, 2, 2);
	free(c);
}

static void cancel_wait_for_all(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;
	const uint32_t two[] = { 1, 2, 0 };

	s.wait_for_all = true;
	c = cluster_new(3, &s);
	start_all(c);
	ring(c, two);
	assert_q(c, 1, false, 2, 2);
	each(c, two, vq_cancel_wfa);
	assert_q(c, 1, true, 2, 2);
	assert_q(c, 2, true, 2, 2);
	assert_true(vq_take_out(&c->r[1]) & VQ_OUT_QUORUM);
	free(c);
}

static void lms_apply_all(struct vq_rules *r)
{
	vq_lms_apply(r);
}

/* Last man standing: each step down, once the window has passed, makes
 * the survivors the whole cluster. */
static void last_man_standing(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;
	const uint32_t three[] = { 1, 2, 3, 0 }, two[] = { 1, 2, 0 };

	s.last_man_standing = true;
	c = cluster_new(5, &s);
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 5, 0 });
	assert_false(c->r[1].lms_armed);
	ring(c, three);
	assert_q(c, 1, true, 3, 3);
	assert_true(c->r[1].lms_armed);
	c->now += 9999;
	assert_false(vq_lms_due(&c->r[1], c->now));
	c->now += 1;
	assert_true(vq_lms_due(&c->r[1], c->now));
	assert_false(vq_lms_due(&c->r[1], c->now));
	each(c, three, lms_apply_all);
	assert_q(c, 1, true, 2, 3);
	assert_int_equal(c->r[1].us->expected, 3);
	/* Down to two: still quorate (2 of 3), then the window shrinks
	 * the cluster to two. */
	ring(c, two);
	assert_q(c, 1, true, 2, 2);
	c->now += 10000;
	assert_true(vq_lms_due(&c->r[1], c->now));
	each(c, two, lms_apply_all);
	assert_q(c, 1, true, 2, 2);
	/* One left of two is not a majority. */
	ring(c, (uint32_t[]){ 1, 0 });
	assert_q(c, 1, false, 2, 1);
	free(c);
}

/* Without the window passing, the survivors of a second loss have no
 * quorum. */
static void lms_too_soon(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.last_man_standing = true;
	c = cluster_new(5, &s);
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 5, 0 });
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	c->now += 5000;
	ring(c, (uint32_t[]){ 1, 2, 0 });
	assert_q(c, 1, false, 3, 2);
	/* An expiry while inquorate changes nothing. */
	c->now += 10000;
	assert_true(vq_lms_due(&c->r[1], c->now));
	vq_lms_apply(&c->r[1]);
	assert_q(c, 1, false, 3, 2);
	free(c);
}

/* LMS is for one vote per node. */
static void lms_off_with_votes(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.last_man_standing = true;
	c = cluster_new(3, &s);
	c->r[3].us->votes = 2;
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_false(c->r[1].set.last_man_standing);
	assert_int_equal(vq_info_flags(&c->r[1]) & VQ_INFO_LAST_MAN_STANDING,
	    0);
	free(c);
}

static void split_even(struct cluster *c)
{
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 4, 0 });
	ring(c, (uint32_t[]){ 1, 2, 0 });
	ring(c, (uint32_t[]){ 3, 4, 0 });
}

static void atb_lowest(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.atb = VQ_ATB_LOWEST;
	c = cluster_new(4, &s);
	split_even(c);
	assert_q(c, 1, true, 3, 2);
	assert_q(c, 3, false, 3, 2);
	assert_int_equal(c->r[1].lowest, 1);
	free(c);
}

static void atb_highest(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.atb = VQ_ATB_HIGHEST;
	c = cluster_new(4, &s);
	split_even(c);
	assert_q(c, 1, false, 3, 2);
	assert_q(c, 3, true, 3, 2);
	free(c);
}

static void atb_list(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.atb = VQ_ATB_LIST;
	s.n_atb = 2;
	s.atb_nodes[0] = 3;
	s.atb_nodes[1] = 1;
	c = cluster_new(4, &s);
	split_even(c);
	assert_q(c, 1, false, 3, 2);
	assert_q(c, 3, true, 3, 2);
	free(c);
}

/* Without the tie breaker an even split leaves both halves without. */
static void no_atb_even_split(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(4, &s);

	split_even(c);
	assert_q(c, 1, false, 3, 2);
	assert_q(c, 3, false, 3, 2);
	free(c);
}

/* LMS with ATB: the half with the lowest node shrinks too. */
static void lms_with_atb(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;
	const uint32_t half[] = { 1, 2, 0 };

	s.last_man_standing = true;
	s.atb = VQ_ATB_LOWEST;
	s.wait_for_all = true;
	c = cluster_new(4, &s);
	split_even(c);
	assert_q(c, 1, true, 3, 2);
	assert_true(c->r[1].lms_armed);
	c->now += 10000;
	assert_true(vq_lms_due(&c->r[1], c->now));
	each(c, half, lms_apply_all);
	assert_q(c, 1, true, 2, 2);
	free(c);
}

/* allow_downscale: an LMS-like shrink keeps expected at least the
 * barrier set by setexpected. */
static void allow_downscale(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;
	const uint32_t all[] = { 1, 2, 3, 4, 5, 0 };
	const uint32_t three[] = { 1, 2, 3, 0 };

	s.allow_downscale = s.ev_tracking = s.last_man_standing = true;
	c = cluster_new(5, &s);
	start_all(c);
	ring(c, all);
	for (size_t i = 0; all[i]; i++)
		vq_set_expected(&c->r[all[i]], 4);
	assert_int_equal(c->r[1].ev_barrier, 4);
	assert_q(c, 1, true, 3, 5);
	ring(c, three);
	c->now += 10000;
	assert_true(vq_lms_due(&c->r[1], c->now));
	each(c, three, lms_apply_all);
	/* max(ev_barrier 4, 3 members): quorum 3 of 3 votes. */
	assert_q(c, 1, true, 3, 3);
	free(c);
}

/* expected_votes_tracking: the highest expected is kept and starts the
 * next run. */
static void ev_tracking(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c;

	s.ev_tracking = true;
	c = cluster_new(3, &s);
	assert_int_equal(c->r[1].ev_tracking_barrier, 3);
	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	for (uint32_t id = 1; id <= 3; id++)
		vq_set_votes(&c->r[id], 2, 3);
	assert_int_equal(c->r[1].us->expected, 5);
	assert_int_equal(c->r[1].ev_tracking_barrier, 5);
	assert_true(vq_take_out(&c->r[1]) & VQ_OUT_EV_TRACKING);
	s.nodeid = 1;
	s.votes = 1;
	s.expected_votes = 3;
	s.ev_tracking_barrier = c->r[1].ev_tracking_barrier;
	vq_init(&c->r[1], &s);
	assert_int_equal(c->r[1].us->expected, 5);
	assert_int_equal(c->r[1].quorum, 3);
	free(c);
}

/* A node leaving cleanly lets the quorum go down. */
static void leaving_node(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);
	struct vq_nodeinfo ni;

	start_all(c);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	ni = vq_my_info(&c->r[3]);
	ni.flags |= VQ_NF_LEAVING;
	vq_nodeinfo(&c->r[1], &ni);
	assert_int_equal(vq_find(&c->r[1], 3)->state, VQ_LEAVING);
	assert_int_equal(c->r[1].us->expected, 2);
	assert_q(c, 1, true, 2, 2);
	free(c);
}

/* A quorum change outside a synchronisation is published at once; in a
 * synchronisation only at its end, then always. */
static void outputs(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(2, &s);
	const uint32_t both[] = { 1, 2, 0 };
	struct vq_nodeinfo ni;

	start_all(c);
	vq_take_out(&c->r[1]);
	vq_sync_init(&c->r[1], both, 2, 0);
	ni = vq_my_info(&c->r[2]);
	vq_nodeinfo(&c->r[1], &ni);
	assert_true(c->r[1].quorate);
	assert_false(vq_take_out(&c->r[1]) & VQ_OUT_QUORUM);
	vq_sync_activate(&c->r[1]);
	assert_true(vq_take_out(&c->r[1]) & VQ_OUT_QUORUM);
	vq_set_votes(&c->r[1], 2, 0);
	assert_false(c->r[1].quorate);
	assert_true(vq_take_out(&c->r[1]) & VQ_OUT_QUORUM);
	free(c);
}

/* The table keeps VQ_NODES_MAX nodes; a new one takes a dead one's
 * place, and with none dead it is refused. */
static void table_limit(void **state)
{
	struct vq_settings s = plain();
	struct vq_rules *r = malloc(sizeof(*r));
	struct vq_nodeinfo ni = { 0, 1, 3, 0 };
	uint32_t one = 1;

	assert_non_null(r);
	s.nodeid = 1;
	s.votes = 1;
	s.expected_votes = 3;
	vq_init(r, &s);
	for (uint32_t id = 2; id <= VQ_NODES_MAX; id++) {
		ni.nodeid = id;
		assert_int_equal(vq_nodeinfo(r, &ni), 0);
	}
	ni.nodeid = VQ_NODES_MAX + 1;
	assert_int_equal(vq_nodeinfo(r, &ni), -ENOSPC);
	vq_sync_init(r, (uint32_t[]){ 1, 2 }, 2, 0);
	vq_sync_init(r, &one, 1, 0);
	/* Node 2 was in the ring and is now dead. */
	ni.nodeid = VQ_NODES_MAX + 1;
	assert_int_equal(vq_nodeinfo(r, &ni), 0);
	assert_null(vq_find(r, 2));
	assert_int_equal(r->us->nodeid, 1);
	free(r);
}

static uint32_t key_u32(struct icmap *m, const char *key)
{
	uint32_t v = 0;

	assert_int_equal(icmap_get_u32(m, key, &v), 0);
	return v;
}

/* runtime.votequorum.*: corosync's keys of a healthy 3-node cluster, and
 * wait_for_all_status only with wait_for_all. */
static void runtime_keys(void **state)
{
	struct vq_settings s = plain();
	struct cluster *c = cluster_new(3, &s);
	struct icmap *m;
	uint8_t u8 = 9;

	assert_int_equal(icmap_new(&m), 0);
	start_all(c);
	assert_int_equal(vq_keys_update(m, &c->r[1], false), 0);
	/* Not quorate yet: no lowest/highest. */
	assert_int_equal(icmap_get_u32(m, "runtime.votequorum.lowest_node_id",
	    &(uint32_t){ 0 }), -ENOENT);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_int_equal(vq_keys_update(m, &c->r[1], false), 0);
	assert_int_equal(key_u32(m, "runtime.votequorum.this_node_id"), 1);
	assert_int_equal(key_u32(m, "runtime.votequorum.lowest_node_id"), 1);
	assert_int_equal(key_u32(m, "runtime.votequorum.highest_node_id"), 3);
	assert_int_equal(key_u32(m, "runtime.votequorum.atb_type"), 0);
	assert_int_equal(key_u32(m, "runtime.votequorum.ev_barrier"), 3);
	assert_int_equal(icmap_get_u8(m, "runtime.votequorum.two_node", &u8),
	    0);
	assert_int_equal(u8, 0);
	assert_int_equal(icmap_get_u8(m,
	    "runtime.votequorum.wait_for_all_status", &u8), -ENOENT);
	assert_int_equal(icmap_get_u8(m,
	    "runtime.votequorum.qdevice_can_operate", &u8), -ENOENT);
	assert_int_equal(icmap_count(m), 6);
	icmap_free(m);
	free(c);

	s.wait_for_all = s.ev_tracking = true;
	c = cluster_new(3, &s);
	assert_int_equal(icmap_new(&m), 0);
	start_all(c);
	assert_int_equal(vq_keys_update(m, &c->r[2], true), 0);
	assert_int_equal(icmap_get_u8(m,
	    "runtime.votequorum.wait_for_all_status", &u8), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(key_u32(m, "runtime.votequorum.ev_tracking_barrier"),
	    3);
	assert_int_equal(icmap_get_u8(m,
	    "runtime.votequorum.qdevice_can_operate", &u8), 0);
	ring(c, (uint32_t[]){ 1, 2, 3, 0 });
	assert_int_equal(vq_keys_update(m, &c->r[2], true), 0);
	assert_int_equal(icmap_get_u8(m,
	    "runtime.votequorum.wait_for_all_status", &u8), 0);
	assert_int_equal(u8, 0);
	icmap_free(m);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_nodes),
		cmocka_unit_test(list_order),
		cmocka_unit_test(partition_and_heal),
		cmocka_unit_test(quorum_never_decreases),
		cmocka_unit_test(expected_follows_total),
		cmocka_unit_test(setexpected_and_setvotes_checks),
		cmocka_unit_test(votes_and_expected_limits),
		cmocka_unit_test(two_node),
		cmocka_unit_test(two_node_without_wfa),
		cmocka_unit_test(wait_for_all),
		cmocka_unit_test(cancel_wait_for_all),
		cmocka_unit_test(last_man_standing),
		cmocka_unit_test(lms_too_soon),
		cmocka_unit_test(lms_off_with_votes),
		cmocka_unit_test(atb_lowest),
		cmocka_unit_test(atb_highest),
		cmocka_unit_test(atb_list),
		cmocka_unit_test(no_atb_even_split),
		cmocka_unit_test(lms_with_atb),
		cmocka_unit_test(allow_downscale),
		cmocka_unit_test(ev_tracking),
		cmocka_unit_test(leaving_node),
		cmocka_unit_test(outputs),
		cmocka_unit_test(table_limit),
		cmocka_unit_test(runtime_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
