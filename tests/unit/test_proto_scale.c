/*
 * test_proto_scale.c: what the engine does differently for large
 * nodelists (docs/protocol.md, section 12), on one engine fed JOINs of
 * a peer forged with the wire encoder: the JOIN resend interval
 * stretched above PROTO_JOIN_SCALE_NODES nodes, send_join's delay of a
 * new view's JOIN (and none for a view that only fails nodes), and a
 * node whose view keeps changing spared at a consensus timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/proto.h"
#include "proto/wire.h"

#define CLUSTER_ID 0x5CA1Eu
#define MTU 4096u
#define TOKEN_MS 1000u
#define CONSENSUS_MS 1200u   /* the default for TOKEN_MS */
#define SELF 1u
#define PEER 2u
#define JOINS_MAX 256u

struct rec {
	uint64_t now;                 /* the engine's time, as last given */
	size_t joins;                 /* JOINs sent */
	uint64_t join_at[JOINS_MAX];  /* when each was sent */
	uint16_t join_fail[JOINS_MAX]; /* the size of its failed set */
	size_t alone_at_n;            /* regular configurations of one node */
	uint64_t alone_at;            /* when the first came */
};

static void r_send(void *ctx, uint32_t to, const uint8_t *buf, size_t len)
{
	struct rec *r = ctx;
	struct wire_msg m;

	assert_int_equal(wire_decode(buf, len, &m), 0);
	if (m.h.type == WIRE_JOIN && r->joins < JOINS_MAX) {
		r->join_fail[r->joins] = m.u.join.n_fail;
		r->join_at[r->joins++] = r->now;
	}
	(void)to;
}

static void r_deliver(void *ctx, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	(void)ctx, (void)sender, (void)msg, (void)len, (void)g;
}

static void r_confchg(void *ctx, const struct proto_conf *c)
{
	struct rec *r = ctx;

	if (c->type == PROTO_CONF_REGULAR && c->n_members == 1 &&
	    r->alone_at_n++ == 0)
		r->alone_at = r->now;
}

static void r_ring_seq(void *ctx, uint64_t seq)
{
	(void)ctx, (void)seq;
}

static const struct proto_ops ops = {
	.send = r_send, .deliver = r_deliver, .confchg = r_confchg,
	.ring_seq = r_ring_seq,
};

/* An engine for node SELF in a nodelist of ids 1..n, started at 0,
 * with a token timeout of `token_ms` (0: the default for n nodes). */
static struct proto *engine_token(size_t n, struct rec *r, uint32_t token_ms)
{
	struct proto_config cfg = { .cluster_id = CLUSTER_ID,
	    .local_nodeid = SELF, .n_nodes = n, .mtu = MTU,
	    .timing = { .token_ms = token_ms } };
	struct proto *p;

	for (size_t i = 0; i < n; i++)
		cfg.nodes[i] = (uint32_t)i + 1;
	memset(r, 0, sizeof(*r));
	assert_int_equal(proto_new(&cfg, &ops, r, 0, &p), 0);
	assert_int_equal(proto_start(p, 0), 0);
	return p;
}

/* The same with TOKEN_MS, so that the consensus timeout does not depend
 * on n. */
static struct proto *engine(size_t n, struct rec *r)
{
	return engine_token(n, r, TOKEN_MS);
}

/* Node `from`'s JOIN with view counter `counter` and process set
 * {from}: not our view (ours has us too), so it never gives consensus. */
static void feed_join(struct proto *p, struct rec *r, uint32_t from,
    uint32_t counter)
{
	uint8_t buf[MTU];
	struct wire_hdr h = { .type = WIRE_JOIN, .cluster_id = CLUSTER_ID,
	    .sender = from, .ring = { from, 1 } };
	struct wire_join j = { .incarnation = 1, .counter = counter,
	    .seq_max = 1, .accepted = 1, .n_proc = 1, .proc = { from } };
	size_t len = wire_encode_join(buf, sizeof(buf), &h, &j);

	assert_true(len > 0);
	assert_int_equal(proto_receive(p, r->now, from, buf, len), 0);
}

static void feed_peer_join(struct proto *p, struct rec *r, uint32_t counter)
{
	feed_join(p, r, PEER, counter);
}

/* Runs the engine's timers up to `until` (ms). */
static void run_to(struct proto *p, struct rec *r, uint64_t until)
{
	for (;;) {
		uint64_t t = proto_next_timeout(p);

		if (t > until)
			break;
		if (t > r->now)
			r->now = t;
		assert_int_equal(proto_tick(p, r->now), 0);
	}
	r->now = until;
}

/* The interval between two JOIN resends, once the peer's JOIN has put
 * the engine in a view that does not reach consensus. */
static uint64_t resend_interval(size_t n, uint32_t token_ms)
{
	struct rec r;
	struct proto *p = engine_token(n, &r, token_ms);
	struct proto_timing t = { .token_ms = token_ms };
	uint64_t gap;
	size_t k;

	proto_timing_fill(&t, n);
	feed_peer_join(p, &r, 1);
	run_to(p, &r, t.consensus_ms - 1);
	assert_true(r.joins >= 4);
	k = r.joins - 1;
	gap = r.join_at[k] - r.join_at[k - 1];
	/* Steady: every gap after the first view's the same. */
	assert_int_equal(r.join_at[k - 1] - r.join_at[k - 2], gap);
	proto_free(p);
	return gap;
}

/* join at 16 nodes and below, join x n / 16 above with the default
 * timing; never more than consensus / PROTO_JOIN_RESENDS_MIN. */
static void join_interval_scales(void **state)
{
	(void)state;
	assert_int_equal(resend_interval(3, 0), PROTO_DEFAULT_JOIN_MS);
	assert_int_equal(resend_interval(PROTO_JOIN_SCALE_NODES, 0),
	    PROTO_DEFAULT_JOIN_MS);
	assert_int_equal(resend_interval(32, 0),
	    PROTO_DEFAULT_JOIN_MS * 32 / PROTO_JOIN_SCALE_NODES);
	assert_int_equal(resend_interval(PROTO_MAX_NODES, 0),
	    PROTO_DEFAULT_JOIN_MS * PROTO_MAX_NODES / PROTO_JOIN_SCALE_NODES);
	/* A token of 1000 ms at 64 nodes: consensus 1200, at most 150. */
	assert_int_equal(resend_interval(PROTO_MAX_NODES, TOKEN_MS),
	    CONSENSUS_MS / PROTO_JOIN_RESENDS_MIN);
	/* A consensus too short to stretch at all: join as given. */
	assert_int_equal(resend_interval(32, 300), PROTO_DEFAULT_JOIN_MS);
}

/* The JOIN of the view a received JOIN makes: at once up to
 * PROTO_JOIN_SCALE_NODES nodes; above, not during the receive but within
 * PROTO_DEFAULT_SEND_JOIN_MS. */
static void send_join_delays_a_new_view(void **state)
{
	struct rec r;
	struct proto *p;
	size_t before;

	(void)state;
	p = engine(PROTO_JOIN_SCALE_NODES, &r);
	r.now = 10;
	before = r.joins;
	feed_peer_join(p, &r, 1);
	assert_int_equal(r.joins, before + 1);
	assert_int_equal(r.join_at[before], 10);
	proto_free(p);

	p = engine(PROTO_JOIN_SCALE_NODES + 1, &r);
	r.now = 10;
	before = r.joins;
	feed_peer_join(p, &r, 1);
	assert_int_equal(r.joins, before);
	assert_true(proto_next_timeout(p) <= 10 + PROTO_DEFAULT_SEND_JOIN_MS);
	/* Another change before it leaves goes with the same JOIN. */
	r.now = 11;
	feed_join(p, &r, PEER + 1, 1);
	assert_int_equal(r.joins, before);
	run_to(p, &r, 11 + PROTO_DEFAULT_SEND_JOIN_MS);
	assert_int_equal(r.joins, before + 1);
	proto_free(p);
}

/* When the first JOIN with a failed set left (UINT64_MAX: none). */
static uint64_t first_failing_join(const struct rec *r)
{
	for (size_t i = 0; i < r->joins; i++)
		if (r->join_fail[i])
			return r->join_at[i];
	return UINT64_MAX;
}

/* Above PROTO_JOIN_SCALE_NODES nodes, a view that only fails nodes
 * sends its JOIN at once: the one a consensus timeout makes, and the one
 * a JOIN that brings a failure and no new node makes. */
static void failing_view_not_delayed(void **state)
{
	struct rec r;
	struct proto *p;
	uint8_t buf[MTU];
	struct wire_hdr h = { .type = WIRE_JOIN, .cluster_id = CLUSTER_ID,
	    .sender = PEER, .ring = { PEER, 1 } };
	struct wire_join j = { .incarnation = 1, .counter = 2, .seq_max = 1,
	    .accepted = 1, .n_proc = 2, .proc = { SELF, PEER }, .n_fail = 1,
	    .fail = { PEER + 1 } };
	size_t len;

	(void)state;
	/* The silent nodes 3.. fail at the consensus timeout of the view
	 * PEER's JOIN made. */
	p = engine(PROTO_JOIN_SCALE_NODES + 1, &r);
	r.now = 10;
	feed_peer_join(p, &r, 1);
	run_to(p, &r, 10 + CONSENSUS_MS);
	assert_int_equal(first_failing_join(&r), 10 + CONSENSUS_MS);
	proto_free(p);

	/* PEER's JOIN fails node 3: our view takes the failure, no node. */
	p = engine(PROTO_JOIN_SCALE_NODES + 1, &r);
	r.now = 10;
	feed_peer_join(p, &r, 1);
	run_to(p, &r, 20);
	len = wire_encode_join(buf, sizeof(buf), &h, &j);
	assert_true(len > 0);
	assert_int_equal(proto_receive(p, r.now, PEER, buf, len), 0);
	assert_int_equal(first_failing_join(&r), 20);
	proto_free(p);
}

/* How long until the engine gives up on PEER (a ring of one), when
 * PEER's JOIN is fed every `every` ms with a counter that moves (or
 * not). */
static uint64_t time_to_fail_peer(bool moving, uint64_t every)
{
	struct rec r;
	struct proto *p = engine(3, &r);
	uint32_t counter = 1;
	uint64_t at;

	feed_peer_join(p, &r, counter);
	for (at = every; at < 10 * CONSENSUS_MS && !r.alone_at_n; at += every) {
		run_to(p, &r, at);
		if (!r.alone_at_n)
			feed_peer_join(p, &r, moving ? ++counter : counter);
	}
	assert_int_equal(r.alone_at_n, 1);
	proto_free(p);
	return r.alone_at;
}

/* A peer whose view keeps changing is spared at PROTO_CONSENSUS_SPARES
 * consensus timeouts and failed at the next; one whose view stands still
 * at the first. Node 3 never speaks: failed at the first either way, so
 * every timeout after the first is the peer's alone. */
static void changing_view_spared(void **state)
{
	uint64_t still, moving;

	(void)state;
	still = time_to_fail_peer(false, 100);
	moving = time_to_fail_peer(true, 100);
	assert_true(still >= CONSENSUS_MS && still < 2 * CONSENSUS_MS);
	assert_true(moving >= (PROTO_CONSENSUS_SPARES + 1) * CONSENSUS_MS);
	assert_true(moving < (PROTO_CONSENSUS_SPARES + 2) * CONSENSUS_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(join_interval_scales),
		cmocka_unit_test(send_join_delays_a_new_view),
		cmocka_unit_test(failing_view_not_delayed),
		cmocka_unit_test(changing_view_spared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
