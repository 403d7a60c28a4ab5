/*
 * Unit tests: the protocol engine (src/proto) as its callers drive it.
 * One to four real engines talk through a tiny deterministic network: a
 * FIFO of datagrams delivered in order and instantly, and a virtual clock
 * in milliseconds that moves only when nothing is in flight, straight to
 * the earliest proto_next_timeout() of the live nodes. A crashed node is
 * one the network stops feeding and ticking.
 *
 * Every datagram an engine sends is checked on the way out: it fits the
 * sender's mtu and, unless the test fed forged input, decodes and names
 * the sender (a token carries figures from the wire, and a forged
 * datagram can make them ones the decoder refuses). Every configuration
 * and delivery is recorded per node, and the tests compare the records.
 *
 * The last tests feed engines what no honest peer sends; the one named
 * forged_recovered_multicast fails at the time of writing (see there).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/internal.h"   /* MIN_MTU, DGRAM_MAX */
#include "proto/proto.h"
#include "proto/wire.h"

#define MAX_NODES 4
#define MAX_CONFS 16
#define CLUSTER_ID 0xC0FFEEu
#define MTU 1200u
#define TOKEN_MS 1000u
#define CONSENSUS_MS 1200u   /* the default for TOKEN_MS */
#define JOIN_MS 50u          /* the default */
#define FORM_MS 5000u        /* generous bound on forming a ring */
/* Datagrams and timer firings one test may take: a runaway loop fails
 * the test instead of hanging it. */
#define STEP_LIMIT 2000000u
#define NOT_A_NODE 99u
#define DGRAM_CAP 65536u     /* the largest datagram any test sends */
#define OFF_TYPE 4           /* of the type in the header (wire.h) */

/* The nodelist, deliberately not in id order: the first n are used. */
static const uint32_t ids[MAX_NODES] = { 5, 2, 9, 7 };

struct conf_rec {
	enum proto_conf_type type;
	struct proto_ring_id ring;
	size_t n;
	uint32_t m[PROTO_MAX_NODES];
	uint64_t at;
};

struct dlv {
	uint32_t sender;
	enum proto_guarantee g;
	size_t len;
	uint8_t *data;
	void *block;              /* taken (proto_take_delivered), or NULL */
	const uint8_t *at;        /* where it was delivered from */
};

struct net;

struct node {
	struct net *net;
	struct proto_config cfg;
	struct proto *p;
	bool down;                /* crashed: neither fed nor ticked */
	uint64_t persisted;       /* the highest ring_seq() value */
	uint64_t seen;            /* the highest ring_seq_seen() value */
	bool seq_decreased;
	struct conf_rec conf[MAX_CONFS];
	size_t n_conf;
	struct dlv *dlv;
	size_t n_dlv, cap_dlv;
	size_t sent[WIRE_TYPE_MAX + 1];   /* send() calls by datagram type */
	size_t sends;
	int resubmit;             /* submit this many more from deliver() */
	bool take;                /* deliver() takes what it can */
};

struct pkt {
	uint32_t from;
	size_t to;                /* index in net->node */
	size_t len;
	uint8_t *data;
};

struct net {
	size_t n;
	struct node node[MAX_NODES];
	uint64_t now;
	struct pkt *q;
	size_t head, len, cap;
	uint64_t steps, step_limit;
	unsigned crashes;         /* tells apart the messages of each crash */
	size_t want_dlv;          /* for the all_up_delivered predicate */
	/* The last token and JOIN seen on the wire, to forge bad input. */
	uint8_t token[DGRAM_CAP];
	size_t token_len;
	uint8_t join[DGRAM_CAP];
	size_t join_len;
	/* A test fed forged datagrams: what the engines send may carry
	 * figures from them that the decoder refuses (see t_send). */
	bool forged;
	/* Optional: datagrams to lose on the way (true: lost). */
	bool (*lose)(struct net *net, const struct pkt *p);
	size_t lost;
};

/* ------------------------------------------------------- the callbacks */

static size_t index_of(const struct net *net, uint32_t id)
{
	for (size_t i = 0; i < net->n; i++)
		if (net->node[i].cfg.local_nodeid == id)
			return i;
	fail_msg("no node %u", id);
	return 0;
}

static void enqueue(struct net *net, uint32_t from, size_t to,
    const uint8_t *buf, size_t len)
{
	struct pkt *p;

	if (net->head + net->len == net->cap) {
		if (net->head > 0) {
			memmove(net->q, net->q + net->head,
			    net->len * sizeof(*net->q));
			net->head = 0;
		} else {
			net->cap = net->cap ? net->cap * 2 : 256;
			net->q = realloc(net->q, net->cap * sizeof(*net->q));
			assert_non_null(net->q);
		}
	}
	p = &net->q[net->head + net->len++];
	p->from = from;
	p->to = to;
	p->len = len;
	p->data = malloc(len);
	assert_non_null(p->data);
	memcpy(p->data, buf, len);
}

static void t_send(void *ctx, uint32_t to, const uint8_t *buf, size_t len)
{
	struct node *nd = ctx;
	struct net *net = nd->net;
	struct wire_msg m;
	uint8_t type;

	assert_true(len <= nd->cfg.mtu);
	assert_true(len >= WIRE_HDR_LEN);
	if (!net->forged) {
		assert_int_equal(wire_decode(buf, len, &m), 0);
		assert_int_equal(m.h.sender, nd->cfg.local_nodeid);
		assert_int_equal(m.h.cluster_id, CLUSTER_ID);
	}
	assert_true(to != nd->cfg.local_nodeid);
	type = buf[OFF_TYPE];
	assert_true(type >= WIRE_MCAST && type <= WIRE_TYPE_MAX);
	nd->sent[type]++;
	nd->sends++;
	if (type == WIRE_TOKEN) {
		memcpy(net->token, buf, len);
		net->token_len = len;
	} else if (type == WIRE_JOIN) {
		memcpy(net->join, buf, len);
		net->join_len = len;
	}
	if (to != 0) {
		enqueue(net, nd->cfg.local_nodeid, index_of(net, to), buf, len);
		return;
	}
	for (size_t i = 0; i < net->n; i++)
		if (&net->node[i] != nd)
			enqueue(net, nd->cfg.local_nodeid, i, buf, len);
}

static void t_deliver(void *ctx, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	struct node *nd = ctx;
	struct dlv *d;

	if (nd->n_dlv == nd->cap_dlv) {
		nd->cap_dlv = nd->cap_dlv ? nd->cap_dlv * 2 : 64;
		nd->dlv = realloc(nd->dlv, nd->cap_dlv * sizeof(*nd->dlv));
		assert_non_null(nd->dlv);
	}
	d = &nd->dlv[nd->n_dlv++];
	d->sender = sender;
	d->g = g;
	d->len = len;
	d->data = malloc(len ? len : 1);
	assert_non_null(d->data);
	if (len)
		memcpy(d->data, msg, len);
	d->at = msg;
	d->block = nd->take && len ? proto_take_delivered(nd->p, msg) : NULL;
	/* The contract allows queueing from inside a callback. */
	if (nd->resubmit > 0) {
		nd->resubmit--;
		assert_int_equal(proto_submit(nd->p, nd->net->now, "again", 5,
		    PROTO_AGREED), 0);
	}
}

static void t_confchg(void *ctx, const struct proto_conf *c)
{
	struct node *nd = ctx;
	struct conf_rec *r;
	bool self = false;

	assert_true(nd->n_conf < MAX_CONFS);
	assert_true(c->n_members >= 1 && c->n_members <= PROTO_MAX_NODES);
	for (size_t i = 0; i < c->n_members; i++) {
		if (i > 0)
			assert_true(c->members[i] > c->members[i - 1]);
		self |= c->members[i] == nd->cfg.local_nodeid;
	}
	assert_true(self);
	/* The ring's sequence was persisted before it was used. */
	assert_true(c->ring_id.seq <= nd->persisted);
	r = &nd->conf[nd->n_conf++];
	r->type = c->type;
	r->ring = c->ring_id;
	r->n = c->n_members;
	memcpy(r->m, c->members, c->n_members * sizeof(uint32_t));
	r->at = nd->net->now;
}

static void t_ring_seq(void *ctx, uint64_t seq)
{
	struct node *nd = ctx;

	if (seq < nd->persisted)
		nd->seq_decreased = true;
	else
		nd->persisted = seq;
}

static void t_ring_seq_seen(void *ctx, uint64_t seq)
{
	struct node *nd = ctx;

	if (seq > nd->seen)
		nd->seen = seq;
}

static void t_log(void *ctx, int level, const char *line)
{
	struct node *nd = ctx;

	if (getenv("PROTO_TEST_LOG"))
		fprintf(stderr, "%6llu node %u: %s\n",
		    (unsigned long long)nd->net->now, nd->cfg.local_nodeid, line);
}

static const struct proto_ops ops = {
	.send = t_send, .deliver = t_deliver, .confchg = t_confchg,
	.ring_seq = t_ring_seq, .ring_seq_seen = t_ring_seq_seen, .log = t_log,
};

/* --------------------------------------------------------- the network */

static bool same_ring(struct proto_ring_id a, struct proto_ring_id b)
{
	return a.rep == b.rep && a.seq == b.seq;
}

static struct proto_config base_config(size_t n, size_t self)
{
	struct proto_config cfg = { .cluster_id = CLUSTER_ID,
	    .local_nodeid = ids[self], .n_nodes = n, .mtu = MTU,
	    .timing = { .token_ms = TOKEN_MS } };

	memcpy(cfg.nodes, ids, n * sizeof(uint32_t));
	return cfg;
}

static void node_boot(struct node *nd, uint64_t ring_seq)
{
	nd->cfg.ring_seq = ring_seq;
	assert_int_equal(proto_new(&nd->cfg, &ops, nd, nd->net->now, &nd->p), 0);
	assert_int_equal(proto_start(nd->p, nd->net->now), 0);
	nd->down = false;
}

/* Creates n nodes; `cfg_fn`, if set, adjusts each configuration. */
static struct net *net_new(size_t n, void (*cfg_fn)(struct proto_config *))
{
	struct net *net = calloc(1, sizeof(*net));

	assert_non_null(net);
	net->n = n;
	net->step_limit = STEP_LIMIT;
	for (size_t i = 0; i < n; i++) {
		struct node *nd = &net->node[i];

		nd->net = net;
		nd->cfg = base_config(n, i);
		if (cfg_fn)
			cfg_fn(&nd->cfg);
	}
	for (size_t i = 0; i < n; i++)
		node_boot(&net->node[i], 0);
	return net;
}

static void node_forget(struct node *nd)
{
	for (size_t k = 0; k < nd->n_dlv; k++) {
		free(nd->dlv[k].data);
		free(nd->dlv[k].block);
	}
	nd->n_dlv = 0;
}

static void net_free(struct net *net)
{
	for (size_t i = 0; i < net->n; i++) {
		struct node *nd = &net->node[i];

		uint64_t last_regular = 0;

		/* Checked in every test: the persisted ring sequence never
		 * goes back, each regular ring of a node has a higher seq
		 * than the one before, and a transitional configuration
		 * carries the id of the regular one that follows it. */
		assert_false(nd->seq_decreased);
		for (size_t k = 0; k < nd->n_conf; k++) {
			const struct conf_rec *c = &nd->conf[k];

			if (c->type == PROTO_CONF_REGULAR) {
				assert_true(c->ring.seq > last_regular);
				last_regular = c->ring.seq;
			} else if (k + 1 < nd->n_conf) {
				assert_int_equal(nd->conf[k + 1].type,
				    PROTO_CONF_REGULAR);
				assert_true(same_ring(c->ring, nd->conf[k + 1].ring));
			}
		}
		proto_free(nd->p);
		node_forget(nd);
		free(nd->dlv);
	}
	for (size_t k = 0; k < net->len; k++)
		free(net->q[net->head + k].data);
	free(net->q);
	free(net);
}

/* Delivers one datagram or, with nothing in flight, moves the clock to
 * the earliest timer (not beyond `limit`) and fires what is due. False
 * when there is nothing to do before `limit`. */
static bool net_step(struct net *net, uint64_t limit)
{
	uint64_t t = UINT64_MAX;

	if (++net->steps > net->step_limit)
		fail_msg("more than %llu datagrams and timers at %llu ms: the "
		    "engines do not settle (a livelock?)",
		    (unsigned long long)net->step_limit,
		    (unsigned long long)net->now);
	if (net->len > 0) {
		struct pkt p = net->q[net->head++];
		struct node *to = &net->node[p.to];

		net->len--;
		if (net->lose && net->lose(net, &p)) {
			net->lost++;
		} else if (!to->down)
			assert_int_equal(proto_receive(to->p, net->now, p.from,
			    p.data, p.len), 0);
		free(p.data);
		return true;
	}
	net->head = 0;
	for (size_t i = 0; i < net->n; i++) {
		uint64_t nt;

		if (net->node[i].down)
			continue;
		nt = proto_next_timeout(net->node[i].p);
		t = nt < t ? nt : t;
	}
	if (t == UINT64_MAX || t > limit)
		return false;
	if (t > net->now)
		net->now = t;
	for (size_t i = 0; i < net->n; i++)
		if (!net->node[i].down &&
		    proto_next_timeout(net->node[i].p) <= net->now)
			assert_int_equal(proto_tick(net->node[i].p, net->now), 0);
	return true;
}

static void net_run_for(struct net *net, uint64_t ms)
{
	uint64_t limit = net->now + ms;

	while (net_step(net, limit))
		;
	net->now = limit;
}

/* Runs until `done` holds; false if it does not within `ms`. */
static bool net_run_until(struct net *net, bool (*done)(const struct net *),
    uint64_t ms)
{
	uint64_t limit = net->now + ms;

	while (!done(net))
		if (!net_step(net, limit))
			return false;
	return true;
}

/* --------------------------------------------------------- predicates */

static size_t n_up(const struct net *net)
{
	size_t k = 0;

	for (size_t i = 0; i < net->n; i++)
		k += !net->node[i].down;
	return k;
}

/* Every live node is operational in one ring of all the live nodes. */
static bool all_up_in_one_ring(const struct net *net)
{
	struct proto_status first = { 0 };
	bool have = false;

	for (size_t i = 0; i < net->n; i++) {
		struct proto_status st;

		if (net->node[i].down)
			continue;
		proto_status(net->node[i].p, &st);
		if (st.state != 1 || st.n_members != n_up(net))
			return false;
		if (have && (st.ring_id.rep != first.ring_id.rep ||
		    st.ring_id.seq != first.ring_id.seq))
			return false;
		first = st;
		have = true;
	}
	return have;
}

static bool all_up_delivered(const struct net *net)
{
	for (size_t i = 0; i < net->n; i++)
		if (!net->node[i].down && net->node[i].n_dlv < net->want_dlv)
			return false;
	return true;
}

static void form(struct net *net)
{
	assert_true(net_run_until(net, all_up_in_one_ring, FORM_MS));
}

static void run_until_delivered(struct net *net, size_t n, uint64_t ms)
{
	net->want_dlv = n;
	assert_true(net_run_until(net, all_up_delivered, ms));
}

static void submit(struct node *nd, const void *msg, size_t len,
    enum proto_guarantee g)
{
	assert_int_equal(proto_submit(nd->p, nd->net->now, msg, len, g), 0);
}

static void submit_str(struct node *nd, enum proto_guarantee g,
    const char *fmt, unsigned a, unsigned b)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), fmt, a, b);

	submit(nd, msg, (size_t)n, g);
}

static const struct conf_rec *last_conf(const struct node *nd, size_t back)
{
	assert_true(nd->n_conf > back);
	return &nd->conf[nd->n_conf - 1 - back];
}

static void assert_members(const struct conf_rec *c, enum proto_conf_type type,
    size_t n, const uint32_t *m)
{
	assert_int_equal(c->type, type);
	assert_int_equal(c->n, n);
	assert_memory_equal(c->m, m, n * sizeof(uint32_t));
}

/* Node a and node b delivered the same messages in the same order. */
static void assert_same_deliveries(const struct node *a, const struct node *b)
{
	assert_int_equal(a->n_dlv, b->n_dlv);
	for (size_t k = 0; k < a->n_dlv; k++) {
		assert_int_equal(a->dlv[k].sender, b->dlv[k].sender);
		assert_int_equal(a->dlv[k].g, b->dlv[k].g);
		assert_int_equal(a->dlv[k].len, b->dlv[k].len);
		assert_memory_equal(a->dlv[k].data, b->dlv[k].data, a->dlv[k].len);
	}
}

static bool dlv_is(const struct dlv *d, uint32_t sender, const char *s)
{
	return d->sender == sender && d->len == strlen(s) &&
	    !memcmp(d->data, s, d->len);
}

/* A small deterministic generator (xorshift64*) for test data. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static void sort_ids(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && v[k - 1] > v[k]; k--) {
			uint32_t t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
}

/* ------------------------------------------------------------- config */

/* A timing left 0 is the product's defaults (proto.h), derived from the
 * token as corosync derives them; what is given is kept. The engine runs
 * what proto_timing_fill() gives, as proto_status() shows. */
static void timing_defaults(void **state)
{
	struct proto_timing t = { 0 };
	struct proto_config cfg = base_config(3, 0);
	struct proto_status st;
	struct proto *p;
	struct node nd = { 0 };
	struct net net = { 0 };
	/* Token 300 + 30 for the third node; retransmit 330 / 4.2, hold
	 * 78 * 0.8 - 10, consensus 1.2 * 330. */
	const struct proto_timing want = { .token_ms = 330,
	    .token_retransmits_before_loss_const = 4, .token_retransmit_ms = 78,
	    .hold_ms = 52, .consensus_ms = 396, .join_ms = 50, .merge_ms = 200,
	    .fail_recv_const = 2500, .seqno_unchanged_const = 1,
	    .miss_count_const = 5, .max_messages = 50, .window_size = 50 };

	proto_timing_fill(&t, 3);
	assert_memory_equal(&t, &want, sizeof(t));
	/* Two nodes: no coefficient; a coefficient given is used. */
	t = (struct proto_timing){ 0 };
	proto_timing_fill(&t, 2);
	assert_int_equal(t.token_ms, 300);
	t = (struct proto_timing){ .token_coefficient_ms = 650 };
	proto_timing_fill(&t, 4);
	assert_int_equal(t.token_ms, 1600);
	/* corosync's values, given, are kept; the derived ones follow. */
	t = (struct proto_timing){ .token_ms = 3000, .max_messages = 17,
	    .seqno_unchanged_const = 30 };
	proto_timing_fill(&t, 3);
	assert_int_equal(t.token_ms, 3000);
	assert_int_equal(t.token_retransmit_ms, 714);
	assert_int_equal(t.hold_ms, 561);
	assert_int_equal(t.consensus_ms, 3600);
	assert_int_equal(t.max_messages, 17);
	assert_int_equal(t.seqno_unchanged_const, 30);
	/* A token too short to derive a retransmit interval from. */
	t = (struct proto_timing){ .token_ms = 4 };
	proto_timing_fill(&t, 2);
	assert_int_equal(t.token_retransmit_ms, 0);
	assert_int_equal(t.hold_ms, 0);
	assert_int_equal(proto_token_ms(UINT32_MAX, 1, 3), UINT32_MAX);

	nd.net = &net;
	cfg.timing = (struct proto_timing){ 0 };
	assert_int_equal(proto_new(&cfg, &ops, &nd, 0, &p), 0);
	proto_status(p, &st);
	assert_int_equal(st.token_ms, 330);
	proto_free(p);
}

static void config_rejections(void **state)
{
	struct proto_config cfg = base_config(3, 0);
	struct proto_ops bad_ops = ops;
	struct node nd = { 0 };
	/* Any address will do: proto_new must leave *out alone on error. */
	struct proto *sentinel = (struct proto *)(void *)&nd, *p = sentinel;
	struct net net = { 0 };

	nd.net = &net;
#define REJECT(c) do { \
	p = sentinel; \
	assert_int_equal(proto_new(&(c), &ops, &nd, 0, &p), -EINVAL); \
	assert_ptr_equal(p, sentinel); \
} while (0)
#define ACCEPT(c) do { \
	assert_int_equal(proto_new(&(c), &ops, &nd, 0, &p), 0); \
	proto_free(p); \
} while (0)
	ACCEPT(cfg);
	cfg.local_nodeid = NOT_A_NODE;        /* not in the nodelist */
	REJECT(cfg);
	cfg.local_nodeid = 0;
	REJECT(cfg);
	cfg = base_config(3, 0);
	cfg.nodes[2] = 0;                     /* a zero id */
	REJECT(cfg);
	cfg.nodes[2] = cfg.nodes[1];          /* a duplicate */
	REJECT(cfg);
	/* Below 576 (IPv4's minimum datagram) never; from the engine's own
	 * minimum on, yes; and no datagram beyond 64 KiB. */
	cfg = base_config(3, 0);
	cfg.mtu = 575;
	REJECT(cfg);
	assert_true(MIN_MTU >= 576);
	cfg.mtu = MIN_MTU - 1;
	REJECT(cfg);
	cfg.mtu = MIN_MTU;
	ACCEPT(cfg);
	cfg.mtu = DGRAM_MAX + 1;
	REJECT(cfg);
	cfg.mtu = DGRAM_MAX;
	ACCEPT(cfg);
	cfg = base_config(3, 0);
	cfg.n_nodes = 0;
	REJECT(cfg);
	cfg.n_nodes = PROTO_MAX_NODES + 1;
	REJECT(cfg);

	/* The commit token must fit one datagram: as many members as it
	 * has room for at the smallest mtu, and not one more. */
	cfg = base_config(1, 0);
	for (uint32_t i = 0; i < PROTO_MAX_NODES; i++)
		cfg.nodes[i] = 100 + i;
	cfg.local_nodeid = 100;
	cfg.mtu = MIN_MTU;
	cfg.n_nodes = wire_commit_capacity(MIN_MTU);
	assert_true(cfg.n_nodes < PROTO_MAX_NODES);
	ACCEPT(cfg);
	cfg.n_nodes++;
	REJECT(cfg);
	cfg.n_nodes = PROTO_MAX_NODES;
	cfg.mtu = WIRE_HDR_LEN + COMMIT_FIXED + PROTO_MAX_NODES * COMMIT_ENTRY;
	ACCEPT(cfg);
	cfg.mtu--;
	REJECT(cfg);
	/* proto_mtu_for_nodes() names exactly that bound, at every size
	 * the smallest mtu allows. */
	for (size_t n = wire_commit_capacity(MIN_MTU) + 1; n <= PROTO_MAX_NODES;
	    n++) {
		cfg.n_nodes = n;
		cfg.mtu = proto_mtu_for_nodes(n);
		ACCEPT(cfg);
		cfg.mtu--;
		REJECT(cfg);
	}

	/* Every callback but log is required. */
	cfg = base_config(3, 0);
	bad_ops.send = NULL;
	assert_int_equal(proto_new(&cfg, &bad_ops, &nd, 0, &p), -EINVAL);
	bad_ops = ops;
	bad_ops.deliver = NULL;
	assert_int_equal(proto_new(&cfg, &bad_ops, &nd, 0, &p), -EINVAL);
	bad_ops = ops;
	bad_ops.confchg = NULL;
	assert_int_equal(proto_new(&cfg, &bad_ops, &nd, 0, &p), -EINVAL);
	bad_ops = ops;
	bad_ops.ring_seq = NULL;
	assert_int_equal(proto_new(&cfg, &bad_ops, &nd, 0, &p), -EINVAL);
	bad_ops = ops;
	bad_ops.log = NULL;
	assert_int_equal(proto_new(&cfg, &bad_ops, &nd, 0, &p), 0);
	proto_free(p);
#undef REJECT
#undef ACCEPT
}

static void start_twice_and_receive_before_start(void **state)
{
	struct net *net = net_new(1, NULL);
	struct node *nd = &net->node[0];
	struct proto *idle;
	struct proto_status st;
	struct proto_config cfg = base_config(3, 1);
	uint8_t buf[MTU];
	struct wire_hdr h = { .type = WIRE_MERGE_DETECT, .cluster_id = CLUSTER_ID,
	    .sender = ids[0], .ring = { ids[0], 1 } };
	size_t n = wire_encode_hdr_only(buf, sizeof(buf), &h);

	assert_int_equal(proto_start(nd->p, 0), -EALREADY);
	assert_int_equal(proto_new(&cfg, &ops, nd, 0, &idle), 0);
	assert_int_equal(proto_next_timeout(idle), UINT64_MAX);
	assert_int_equal(proto_receive(idle, 0, ids[0], buf, n), 0);
	proto_status(idle, &st);
	assert_int_equal(st.stats.rx_datagrams, 1);
	assert_int_equal(st.stats.rx_dropped, 1);
	assert_int_equal(st.state, 0);
	proto_free(idle);
	net_free(net);
}

/* ---------------------------------------------------------- one node */

static void single_node_delivers_in_order(void **state)
{
	struct net *net = net_new(1, NULL);
	struct node *nd = &net->node[0];
	struct proto_status st;
	const uint32_t self[] = { ids[0] };

	form(net);
	assert_int_equal(nd->n_conf, 1);
	assert_members(&nd->conf[0], PROTO_CONF_REGULAR, 1, self);
	assert_int_equal(nd->conf[0].ring.rep, ids[0]);
	proto_status(nd->p, &st);
	assert_string_equal(st.state_name, "operational");
	assert_true(same_ring(st.ring_id, nd->conf[0].ring));
	assert_int_equal(st.n_members, 1);
	assert_int_equal(st.members[0], ids[0]);

	/* A ring of one delivers at once, in submission order, whatever
	 * the guarantee. */
	submit(nd, "a1", 2, PROTO_AGREED);
	submit(nd, "s1", 2, PROTO_SAFE);
	submit(nd, "a2", 2, PROTO_AGREED);
	submit(nd, "", 0, PROTO_SAFE);
	net_run_for(net, 10);
	assert_int_equal(nd->n_dlv, 4);
	assert_true(dlv_is(&nd->dlv[0], ids[0], "a1"));
	assert_int_equal(nd->dlv[0].g, PROTO_AGREED);
	assert_true(dlv_is(&nd->dlv[1], ids[0], "s1"));
	assert_int_equal(nd->dlv[1].g, PROTO_SAFE);
	assert_true(dlv_is(&nd->dlv[2], ids[0], "a2"));
	assert_true(dlv_is(&nd->dlv[3], ids[0], ""));
	assert_int_equal(nd->dlv[3].g, PROTO_SAFE);

	/* Submitting from inside deliver() queues; it is delivered next. */
	nd->resubmit = 2;
	submit(nd, "b", 1, PROTO_AGREED);
	net_run_for(net, 10);
	assert_int_equal(nd->n_dlv, 7);
	assert_true(dlv_is(&nd->dlv[4], ids[0], "b"));
	assert_true(dlv_is(&nd->dlv[5], ids[0], "again"));
	assert_true(dlv_is(&nd->dlv[6], ids[0], "again"));

	/* Nothing ever goes out on the wire, and the ring stays put. */
	assert_int_equal(nd->sends, 0);
	proto_status(nd->p, &st);
	assert_int_equal(st.stats.delivered, 7);
	assert_int_equal(st.stats.configurations, 1);
	net_run_for(net, 10 * TOKEN_MS);
	assert_int_equal(nd->n_conf, 1);
	net_free(net);
}

/* A message of several MiB through a ring of one: reassembled whole from
 * its fragments, and the node goes on with small ones after it. */
static void single_node_large_message(void **state)
{
	const size_t len = (2u << 20) + 1;
	struct net *net = net_new(1, NULL);
	struct node *nd = &net->node[0];
	uint8_t *big = malloc(len);

	assert_non_null(big);
	form(net);
	/* A pattern that differs from one fragment to the next. */
	for (size_t i = 0; i < len; i++)
		big[i] = (uint8_t)(i ^ i >> 10);
	submit(nd, big, len, PROTO_SAFE);
	submit(nd, "small", 5, PROTO_AGREED);
	net_run_for(net, 10);
	assert_int_equal(nd->n_dlv, 2);
	assert_int_equal(nd->dlv[0].len, len);
	assert_int_equal(nd->dlv[0].g, PROTO_SAFE);
	assert_true(memcmp(nd->dlv[0].data, big, len) == 0);
	assert_true(dlv_is(&nd->dlv[1], ids[0], "small"));
	free(big);
	net_free(net);
}

static size_t payload_max(size_t mtu);

/* Numbered messages of `nd` so far. */
static uint64_t originated(const struct node *nd)
{
	struct proto_status st;

	proto_status(nd->p, &st);
	return st.stats.originated;
}

/* Fills `len` bytes with a pattern that tells each message and offset
 * apart. */
static uint8_t *pattern(size_t len, unsigned tag)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i ^ i >> 9 ^ tag * 31u);
	return b;
}

/* How many of `nd`'s deliveries are exactly `len` bytes of `b`. */
static size_t count_big(const struct node *nd, const uint8_t *b, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->n_dlv; i++)
		k += nd->dlv[i].len == len &&
		    memcmp(nd->dlv[i].data, b, len) == 0;
	return k;
}

/*
 * A ring of one sends nothing, so a message too large for one datagram's
 * body is numbered whole, as one message (store.c sq_take_whole), not as
 * fragments: one numbered message each, whatever the size, delivered
 * intact, in submission order, with its guarantee, between small ones.
 */
static void single_node_numbers_large_whole(void **state)
{
	const size_t fit = payload_max(MTU) - ENTRY_HDR;
	const size_t sizes[] = { 1, fit, fit + 1, 65536, (2u << 20) + 1 };
	const size_t n = sizeof(sizes) / sizeof(sizes[0]);
	struct net *net = net_new(1, NULL);
	struct node *nd = &net->node[0];
	uint8_t *msg[sizeof(sizes) / sizeof(sizes[0])];
	uint64_t before;

	form(net);
	before = originated(nd);
	for (size_t i = 0; i < n; i++) {
		msg[i] = pattern(sizes[i], (unsigned)i);
		submit(nd, msg[i], sizes[i], i % 2 ? PROTO_SAFE : PROTO_AGREED);
		submit(nd, "small", 5, PROTO_AGREED);
	}
	net_run_for(net, 10);
	assert_int_equal(nd->n_dlv, 2 * n);
	for (size_t i = 0; i < n; i++) {
		const struct dlv *d = &nd->dlv[2 * i];

		assert_int_equal(d->sender, ids[0]);
		assert_int_equal(d->len, sizes[i]);
		assert_memory_equal(d->data, msg[i], sizes[i]);
		assert_int_equal(d->g, i % 2 ? PROTO_SAFE : PROTO_AGREED);
		assert_true(dlv_is(&nd->dlv[2 * i + 1], ids[0], "small"));
		free(msg[i]);
	}
	/* Fragments would number thousands of messages; a message and the
	 * small one behind it share at most one. */
	assert_true(originated(nd) - before <= 2 * n);
	assert_true(originated(nd) - before >= n);
	assert_int_equal(nd->sends, 0);
	net_free(net);
}

/*
 * proto_take_delivered: on a ring of one, a message delivered from where
 * it is stored, alone in its numbered message, can be taken; its bytes
 * stay where they were delivered from, after the store has moved on,
 * until the taker frees the block (ASan sees a block freed twice, or
 * read after the engine freed it). On a ring of several nothing can be
 * taken (a message may be asked for again): the caller copies it.
 */
static void take_delivered(void **state)
{
	const size_t big = 100u << 10;
	struct net *net = net_new(1, NULL);
	struct node *nd = &net->node[0];
	uint8_t *m = pattern(big, 4);

	form(net);
	nd->take = true;
	submit(nd, m, big, PROTO_SAFE);
	net_run_for(net, 10);
	submit(nd, "p1", 2, PROTO_AGREED);
	submit(nd, m, big, PROTO_AGREED);
	net_run_for(net, 10);
	assert_int_equal(nd->n_dlv, 3);
	assert_non_null(nd->dlv[0].block);
	assert_non_null(nd->dlv[2].block);
	assert_true(dlv_is(&nd->dlv[1], ids[0], "p1"));
	assert_memory_equal(nd->dlv[0].at, m, big);
	assert_memory_equal(nd->dlv[2].at, m, big);
	/* Outside deliver() there is nothing to take. */
	assert_null(proto_take_delivered(nd->p, nd->dlv[3].at));
	net_free(net);

	/* A ring of two: copied on both sides. */
	net = net_new(2, NULL);
	form(net);
	net->node[0].take = net->node[1].take = true;
	submit(&net->node[0], m, big, PROTO_SAFE);
	submit(&net->node[0], "small", 5, PROTO_AGREED);
	net_run_for(net, 3 * TOKEN_MS);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(net->node[i].n_dlv, 2);
		assert_null(net->node[i].dlv[0].block);
		assert_null(net->node[i].dlv[1].block);
		assert_memory_equal(net->node[i].dlv[0].data, m, big);
	}
	free(m);
	net_free(net);
}

static bool node0_not_operational(const struct net *net)
{
	struct proto_status st;

	proto_status(net->node[0].p, &st);
	return st.state != 1;
}

/*
 * Large messages across changes between a ring of one and a ring of two:
 * numbered whole on the ring of one, fragmented to fit the mtu on the
 * ring of two (t_send checks every datagram), and a message that was
 * partly numbered in fragments on a ring that ended is numbered again,
 * whole, on the ring of one that follows: each delivered once, intact.
 */
static void large_message_ring_of_one_and_two(void **state)
{
	const size_t len = (200u << 10) + 3;
	struct net *net = net_new(2, NULL);
	struct node *a = &net->node[0], *b = &net->node[1];
	uint8_t *m1 = pattern(len, 1), *m2 = pattern(len, 2),
	    *m3 = pattern(len, 3);
	uint64_t persisted, before;

	form(net);
	/* b goes: a alone. */
	b->down = true;
	form(net);
	before = originated(a);
	submit(a, m1, len, PROTO_SAFE);
	net_run_for(net, 10);
	assert_int_equal(count_big(a, m1, len), 1);
	assert_int_equal(originated(a) - before, 1);

	/* b comes back; a message queued while the ring of two forms is
	 * fragmented on it and reaches both. */
	persisted = b->persisted;
	proto_free(b->p);
	b->p = NULL;
	node_forget(b);
	node_boot(b, persisted);
	assert_true(net_run_until(net, node0_not_operational, FORM_MS));
	submit(a, m2, len, PROTO_SAFE);
	form(net);
	net_run_for(net, 3 * TOKEN_MS);
	assert_int_equal(count_big(a, m2, len), 1);
	assert_int_equal(count_big(b, m2, len), 1);
	assert_int_equal(count_big(a, m1, len), 1);
	assert_int_equal(count_big(b, m1, len), 0);
	assert_true(a->sent[WIRE_MCAST] >= len / MTU);

	/* b goes while a sends in fragments that b never acknowledges:
	 * the ring of one numbers the message again, whole. */
	before = originated(a);
	b->down = true;
	submit(a, m3, len, PROTO_AGREED);
	form(net);
	net_run_for(net, 10);
	assert_int_equal(count_big(a, m3, len), 1);
	assert_true(originated(a) - before >= 1);
	assert_int_equal(count_big(a, m2, len), 1);
	free(m1);
	free(m2);
	free(m3);
	net_free(net);
}

/* --------------------------------------------------------- several */

static void ring_forms(size_t n)
{
	struct net *net = net_new(n, NULL);
	uint32_t sorted[MAX_NODES];
	const struct conf_rec *c0;

	memcpy(sorted, ids, n * sizeof(uint32_t));
	sort_ids(sorted, n);
	form(net);
	c0 = last_conf(&net->node[0], 0);
	for (size_t i = 0; i < n; i++) {
		struct node *nd = &net->node[i];
		struct proto_status st;

		/* The first configuration: a regular one, all members, the
		 * lowest id as representative, the same ring everywhere. */
		assert_int_equal(nd->n_conf, 1);
		assert_members(&nd->conf[0], PROTO_CONF_REGULAR, n, sorted);
		assert_int_equal(nd->conf[0].ring.rep, sorted[0]);
		assert_true(same_ring(nd->conf[0].ring, c0->ring));
		assert_true(nd->conf[0].ring.seq > 1);
		assert_true(nd->conf[0].at < FORM_MS);
		proto_status(nd->p, &st);
		assert_int_equal(st.n_members, n);
		assert_memory_equal(st.members, sorted, n * sizeof(uint32_t));
		assert_true(same_ring(st.ring_id, c0->ring));
		assert_int_equal(st.stats.configurations, 1);
	}
	/* An idle ring stays as it is. */
	net_run_for(net, 20 * TOKEN_MS);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(net->node[i].n_conf, 1);
	net_free(net);
}

static void two_nodes_form_a_ring(void **state)
{
	ring_forms(2);
}

static void three_nodes_form_a_ring(void **state)
{
	ring_forms(3);
}

static void four_nodes_form_a_ring(void **state)
{
	ring_forms(4);
}

/* Every node sends, interleaved, AGREED and SAFE: every node delivers
 * all of them, in one order, and each sender's in the order sent. */
static void total_order(size_t n)
{
	const unsigned per_node = 40;
	struct net *net = net_new(n, NULL);
	unsigned next[MAX_NODES] = { 0 };

	form(net);
	for (unsigned k = 0; k < per_node; k++) {
		for (size_t i = 0; i < n; i++)
			submit_str(&net->node[i], (k + i) % 3 ? PROTO_AGREED :
			    PROTO_SAFE, "from %u msg %u", ids[i], k);
		/* Let the ring move between some of the bursts. */
		if (k % 7 == 0)
			net_run_for(net, 1);
	}
	run_until_delivered(net, n * per_node, 10 * TOKEN_MS);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(net->node[i].n_dlv, n * per_node);
		assert_same_deliveries(&net->node[0], &net->node[i]);
	}
	/* FIFO per sender, and the right guarantee on each. */
	for (size_t k = 0; k < net->node[0].n_dlv; k++) {
		const struct dlv *d = &net->node[0].dlv[k];
		size_t i = index_of(net, d->sender);
		char want[64];

		snprintf(want, sizeof(want), "from %u msg %u", ids[i], next[i]);
		assert_true(dlv_is(d, ids[i], want));
		assert_int_equal(d->g, (next[i] + i) % 3 ? PROTO_AGREED :
		    PROTO_SAFE);
		next[i]++;
	}
	/* Nothing more comes, and the membership did not change. */
	net_run_for(net, 5 * TOKEN_MS);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(net->node[i].n_dlv, n * per_node);
		assert_int_equal(net->node[i].n_conf, 1);
	}
	net_free(net);
}

static void three_nodes_total_order(void **state)
{
	total_order(3);
}

static void four_nodes_total_order(void **state)
{
	total_order(4);
}

/* 200 KiB through 1200-byte datagrams: fragmented, delivered whole. */
static void large_message_fragmented(void **state)
{
	const size_t len = 200u << 10;
	struct net *net = net_new(3, NULL);
	struct node *src = &net->node[2];
	uint8_t *big = malloc(len);
	uint64_t s = 7;

	assert_non_null(big);
	for (size_t i = 0; i < len; i++)
		big[i] = (uint8_t)rnd(&s);
	form(net);
	submit(src, big, len, PROTO_SAFE);
	submit(src, "after", 5, PROTO_AGREED);
	run_until_delivered(net, 2, 10 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++) {
		struct node *nd = &net->node[i];

		assert_int_equal(nd->n_dlv, 2);
		assert_int_equal(nd->dlv[0].sender, ids[2]);
		assert_int_equal(nd->dlv[0].g, PROTO_SAFE);
		assert_int_equal(nd->dlv[0].len, len);
		assert_memory_equal(nd->dlv[0].data, big, len);
		assert_true(dlv_is(&nd->dlv[1], ids[2], "after"));
	}
	/* Many datagrams, none above the mtu (t_send checks each). */
	assert_true(src->sent[WIRE_MCAST] >= len / MTU);
	/* Each numbered once by its origin (sends include retransmissions);
	 * the others originated nothing. */
	for (size_t i = 0; i < 3; i++) {
		struct proto_status st;

		proto_status(net->node[i].p, &st);
		if (i == 2) {
			assert_true(st.stats.originated >= len / MTU);
			assert_true(st.stats.originated <= src->sent[WIRE_MCAST]);
		} else {
			assert_int_equal(st.stats.originated, 0);
		}
	}
	free(big);
	net_free(net);
}

/* Small messages share datagrams. */
static void small_messages_packed(void **state)
{
	const unsigned count = 200;
	struct net *net = net_new(3, NULL);
	struct node *src = &net->node[0];
	size_t before;

	form(net);
	net_run_for(net, TOKEN_MS);
	before = src->sent[WIRE_MCAST];
	for (unsigned k = 0; k < count; k++)
		submit_str(src, PROTO_AGREED, "m%03u%u", k, 0);
	run_until_delivered(net, count, 10 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(net->node[i].n_dlv, count);
		assert_same_deliveries(&net->node[0], &net->node[i]);
	}
	for (unsigned k = 0; k < count; k++) {
		char want[16];

		snprintf(want, sizeof(want), "m%03u%u", k, 0);
		assert_true(dlv_is(&src->dlv[k], src->cfg.local_nodeid, want));
	}
	/* 200 entries of 10 bytes fit in a handful of datagrams. */
	assert_true(src->sent[WIRE_MCAST] - before < count);
	assert_true(src->sent[WIRE_MCAST] - before <= 5);
	net_free(net);
}

/* The representative of the ring `net` formed. */
static struct node *rep_node(struct net *net)
{
	uint32_t rep = last_conf(&net->node[0], 0)->ring.rep;

	for (size_t i = 0; i < net->n; i++)
		if (net->node[i].cfg.local_nodeid == rep)
			return &net->node[i];
	fail_msg("no representative");
	return NULL;
}

/* On an idle ring the rep holds the token; a message submitted there is
 * numbered and delivered by the submit itself (the held token is visited
 * again), not a rotation later. */
static void rep_numbers_at_once_while_holding(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *rep;
	uint8_t msg[64] = { 7 };

	form(net);
	rep = rep_node(net);
	net_run_for(net, TOKEN_MS);            /* idle: the token is held */
	assert_int_equal(rep->n_dlv, 0);
	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	assert_int_equal(rep->n_dlv, 1);       /* no step of the network */
	run_until_delivered(net, 1, TOKEN_MS);
	/* Again, once the ring is idle and the token held again. */
	net_run_for(net, TOKEN_MS);
	submit(rep, msg, sizeof(msg), PROTO_SAFE);
	run_until_delivered(net, 2, TOKEN_MS);
	net_free(net);
}

/* A congested rep (a local reader behind) that holds the token and keeps
 * getting messages submitted must still let the token go round: the
 * others would otherwise lose it and reform the ring. */
static void congested_rep_lets_the_token_go(void **state)
{
	struct net *net = net_new(3, NULL);
	struct proto_ring_id ring;
	struct proto_status st;
	struct node *rep;
	uint8_t msg[64] = { 0 };
	size_t queued = 0;

	form(net);
	rep = rep_node(net);
	ring = last_conf(rep, 0)->ring;
	net_run_for(net, TOKEN_MS);            /* idle: the token is held */
	proto_set_congested(rep->p, net->now, true);
	for (unsigned t = 0; t < 3 * TOKEN_MS; t += 10) {
		int rc = proto_submit(rep->p, net->now, msg, sizeof(msg),
		    PROTO_AGREED);

		assert_true(rc == 0 || rc == -EAGAIN);
		queued += rc == 0;
		net_run_for(net, 10);
	}
	for (size_t i = 0; i < net->n; i++) {
		proto_status(net->node[i].p, &st);
		assert_int_equal(st.stats.token_losses, 0);
		assert_true(same_ring(last_conf(&net->node[i], 0)->ring, ring));
	}
	/* Released: what waited is delivered everywhere. */
	assert_int_equal(rep->n_dlv, 0);
	proto_set_congested(rep->p, net->now, false);
	run_until_delivered(net, queued, 10 * TOKEN_MS);
	net_free(net);
}

/* The rep's hold of an idle token for TOKEN_MS (timing.c). */
#define HOLD_MS 180u

static uint32_t token_losses(const struct node *nd)
{
	struct proto_status st;

	proto_status(nd->p, &st);
	return (uint32_t)st.stats.token_losses;
}

/*
 * While only the rep's node sends, the rep keeps the token it held and
 * numbers each message as it is submitted: delivered there by the submit
 * itself, the token not sent; within HOLD_KEEP_MAX datagrams and the
 * hold's end, after which it goes round; and after that rotation
 * the rep keeps it again (only it sends). No member loses the token.
 */
static void rep_alone_keeps_the_token(void **state)
{
	struct net *net = net_new(3, NULL);
	struct proto_ring_id ring;
	struct node *rep;
	uint8_t msg[64] = { 1 };
	size_t tokens, n = 0;

	form(net);
	rep = rep_node(net);
	ring = last_conf(rep, 0)->ring;
	net_run_for(net, TOKEN_MS);            /* idle: the token is held */
	tokens = rep->sent[WIRE_TOKEN];
	for (unsigned i = 0; i < 5; i++) {
		submit(rep, msg, sizeof(msg), PROTO_AGREED);
		assert_int_equal(rep->n_dlv, ++n);   /* no network step */
	}
	assert_int_equal(rep->sent[WIRE_TOKEN], tokens);
	run_until_delivered(net, n, 1);
	/* At most HOLD_KEEP_MAX datagrams on a kept token (three nodes):
	 * then it goes on, and the rest waits for its return. */
	for (unsigned i = 0; i < HOLD_KEEP_MAX; i++)
		submit(rep, msg, sizeof(msg), PROTO_AGREED);
	/* 5 of the hold's were used above. */
	assert_int_equal(rep->n_dlv, HOLD_KEEP_MAX);
	assert_int_equal(rep->sent[WIRE_TOKEN], tokens + 1);
	n += HOLD_KEEP_MAX;
	run_until_delivered(net, n, 1);
	/* The rotation brought the token back with nothing from the
	 * others: kept again, the next message numbered at once. */
	tokens = rep->sent[WIRE_TOKEN];
	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	assert_int_equal(rep->n_dlv, ++n);
	assert_int_equal(rep->sent[WIRE_TOKEN], tokens);
	/* Never beyond the hold: a message each ms for three token
	 * timeouts, and the token goes round every hold at least. */
	for (unsigned t = 0; t < 3 * TOKEN_MS; t++) {
		submit(rep, msg, sizeof(msg), PROTO_AGREED);
		n++;
		net_run_for(net, 1);
	}
	assert_true(rep->sent[WIRE_TOKEN] - tokens >= 3 * TOKEN_MS / HOLD_MS);
	run_until_delivered(net, n, TOKEN_MS);
	for (size_t i = 0; i < net->n; i++) {
		assert_int_equal(token_losses(&net->node[i]), 0);
		assert_true(same_ring(last_conf(&net->node[i], 0)->ring, ring));
		assert_same_deliveries(rep, &net->node[i]);
	}
	net_free(net);
}

/* A node that sends one message a millisecond has nothing to pack: the
 * kept token numbers each at once, beyond HOLD_KEEP_MAX, without a
 * rotation (each would wake every daemon and hold up what comes
 * meanwhile); only the visit's budget or the hold's end sends it round. */
static void trickle_keeps_the_token(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *rep;
	uint8_t msg[64] = { 2 };
	size_t tokens, n = 0;

	form(net);
	rep = rep_node(net);
	net_run_for(net, TOKEN_MS);            /* idle: the token is held */
	tokens = rep->sent[WIRE_TOKEN];
	for (unsigned i = 0; i < 3 * HOLD_KEEP_MAX; i++) {
		submit(rep, msg, sizeof(msg), PROTO_AGREED);
		assert_int_equal(rep->n_dlv, ++n);   /* no network step */
		net_run_for(net, 1);
	}
	assert_int_equal(rep->sent[WIRE_TOKEN], tokens);
	run_until_delivered(net, n, 1);
	for (size_t i = 0; i < net->n; i++) {
		assert_int_equal(token_losses(&net->node[i]), 0);
		assert_same_deliveries(rep, &net->node[i]);
	}
	net_free(net);
}

/* Loses the rep's multicasts to node `lose_to` (an index): the next
 * `lose_left` of them, or all while `lose_all`. */
static size_t lose_to, lose_left;
static bool lose_all;

static bool lose_mcast_to(struct net *net, const struct pkt *p)
{
	(void)net;
	if (p->to != lose_to || p->data[OFF_TYPE] != WIRE_MCAST)
		return false;
	if (lose_all)
		return true;
	if (lose_left == 0)
		return false;
	lose_left--;
	return true;
}

static size_t other_index(struct net *net, const struct node *rep)
{
	return rep == &net->node[0] ? 1 : 0;
}

/*
 * A member that misses a message the rep numbered on a token it keeps
 * asks for the token (HOLD_CANCEL) when the next one shows the gap,
 * rather than wait for the hold to end; the token brings its request.
 */
/* Three nodes formed and idle (the token held), the rep's next
 * multicasts to another node `*x` lost: the first `first` of them, or
 * all while lose_all (set from `all`). */
static struct net *idle_ring_losing(struct node **rep, struct node **x,
    size_t first, bool all)
{
	struct net *net = net_new(3, NULL);

	form(net);
	*rep = rep_node(net);
	lose_to = other_index(net, *rep);
	*x = &net->node[lose_to];
	net_run_for(net, TOKEN_MS);
	lose_left = first;
	lose_all = all;
	net->lose = lose_mcast_to;
	return net;
}

/*
 * One link fails one way, off the token's path: the rep's datagrams no
 * longer reach the member the token leaves last (the token goes the other
 * way round, through the member in between, so it keeps moving). The rep
 * serves that member's requests first, in vain; a request that comes
 * back after the rep served it is left to the member in between, which
 * sends its copy.
 * Everything the rep sends is delivered everywhere, in the same order,
 * with no configuration change; before, the member failed to receive and
 * the ring re-formed for as long as the fault lasted, delivering nothing.
 */
static size_t deaf_to;            /* the member that no longer hears */
static uint32_t deaf_from;        /* the node id it no longer hears */

static bool lose_one_way(struct net *net, const struct pkt *p)
{
	(void)net;
	return p->to == deaf_to && p->from == deaf_from;
}

static void one_way_link_fault(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *rep, *last = NULL;
	size_t confs[3], last_i = 0;

	(void)state;
	form(net);
	rep = rep_node(net);
	/* The member with the highest id: the token goes rep, middle, it. */
	for (size_t i = 0; i < net->n; i++)
		if (!last || net->node[i].cfg.local_nodeid >
		    last->cfg.local_nodeid) {
			last = &net->node[i];
			last_i = i;
		}
	for (size_t i = 0; i < net->n; i++)
		confs[i] = net->node[i].n_conf;
	deaf_to = last_i;
	deaf_from = rep->cfg.local_nodeid;
	net->lose = lose_one_way;
	for (unsigned k = 0; k < 40; k++)
		submit_str(rep, PROTO_AGREED, "one way %u%u", k, 0);
	run_until_delivered(net, 40, 4 * TOKEN_MS);
	assert_true(net->lost > 0);
	for (size_t i = 0; i < net->n; i++) {
		assert_int_equal(net->node[i].n_conf, confs[i]);
		assert_same_deliveries(rep, &net->node[i]);
	}
	net_free(net);
}

static void gap_asks_for_the_token(void **state)
{
	uint8_t msg[64] = { 2 };
	struct node *rep, *x;
	struct net *net = idle_ring_losing(&rep, &x, 1, false);
	size_t cancels = x->sent[WIRE_HOLD_CANCEL];

	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	run_until_delivered(net, 2, HOLD_MS / 2);
	assert_true(x->sent[WIRE_HOLD_CANCEL] > cancels);
	assert_int_equal(net->lost, 1);
	assert_same_deliveries(rep, x);
	net_free(net);
}

/*
 * Messages numbered on a kept token are not stable until a rotation shows
 * every member has them: a SAFE one submitted after two AGREED ones, all
 * lost on the way to one member, is not delivered anywhere until that
 * member has them all.
 */
static void kept_token_claims_no_stability(void **state)
{
	uint8_t msg[64] = { 3 };
	struct node *rep, *x;
	struct net *net = idle_ring_losing(&rep, &x, 0, true);

	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	submit(rep, msg, sizeof(msg), PROTO_SAFE);
	/* A few rotations (the token asks for the lost ones, in vain). */
	for (unsigned k = 0; k < 300; k++)
		assert_true(net_step(net, net->now));
	assert_int_equal(x->n_dlv, 0);
	for (size_t i = 0; i < net->n; i++)
		assert_true(net->node[i].n_dlv <= 2);
	lose_all = false;
	run_until_delivered(net, 3, TOKEN_MS);
	for (size_t i = 0; i < net->n; i++)
		assert_same_deliveries(rep, &net->node[i]);
	net_free(net);
}

/* Another member's message reaches the token a rep keeps: the member
 * asks, and the rep lets it go at once, not at the hold's end. */
static void member_gets_a_kept_token(void **state)
{
	struct net *net = net_new(3, NULL);
	uint8_t msg[64] = { 4 };
	struct node *rep, *other;

	form(net);
	rep = rep_node(net);
	other = &net->node[other_index(net, rep)];
	net_run_for(net, TOKEN_MS);
	submit(rep, msg, sizeof(msg), PROTO_AGREED);
	run_until_delivered(net, 1, 1);
	submit(other, msg, sizeof(msg), PROTO_AGREED);
	run_until_delivered(net, 2, 1);
	for (size_t i = 0; i < net->n; i++)
		assert_same_deliveries(rep, &net->node[i]);
	net_free(net);
}

static void three_message_queue(struct proto_config *cfg)
{
	cfg->send_queue_msgs = 3;
}

/* Bytes in a node's send queue, not yet numbered. */
static size_t queued(const struct node *nd)
{
	struct proto_status st;

	proto_status(nd->p, &st);
	return st.send_queue_used;
}

/* The send queue is bounded in messages too: the fourth small message
 * waits, though its bytes would fit many times over. */
static void queue_bounded_in_messages(void **state)
{
	struct net *net = net_new(3, three_message_queue);
	struct node *nd = &net->node[0];
	uint8_t msg[8] = { 0 };

	form(net);
	assert_true(last_conf(nd, 0)->ring.rep != nd->cfg.local_nodeid);
	for (int k = 0; k < 3; k++)
		submit(nd, msg, sizeof(msg), PROTO_AGREED);
	assert_int_equal(proto_submit(nd->p, net->now, msg, sizeof(msg),
	    PROTO_AGREED), -EAGAIN);
	run_until_delivered(net, 3, 10 * TOKEN_MS);
	assert_int_equal(queued(nd), 0);
	submit(nd, msg, sizeof(msg), PROTO_AGREED);
	run_until_delivered(net, 4, 10 * TOKEN_MS);
	net_free(net);
}

static void small_queue(struct proto_config *cfg)
{
	cfg->send_queue_bytes = 4096;
}

static void flow_control(void **state)
{
	struct net *net = net_new(3, small_queue);
	/* Not the representative: the token is elsewhere while we submit. */
	struct node *nd = &net->node[0];
	uint8_t msg[1000] = { 0 };
	struct proto_status st;
	uint8_t *huge;
	struct iovec iov[2];

	form(net);
	assert_true(last_conf(nd, 0)->ring.rep != nd->cfg.local_nodeid);
	assert_int_equal(queued(nd), 0);
	for (int k = 0; k < 4; k++)
		submit(nd, msg, sizeof(msg), PROTO_AGREED);
	assert_int_equal(proto_submit(nd->p, net->now, msg, sizeof(msg),
	    PROTO_AGREED), -EAGAIN);
	proto_status(nd->p, &st);
	assert_int_equal(st.send_queue_used, 4000);
	assert_int_equal(st.send_queue_bytes, 4096);
	/* What fits still fits. */
	submit(nd, msg, 96, PROTO_AGREED);
	assert_int_equal(queued(nd), 4096);
	assert_int_equal(proto_submit(nd->p, net->now, msg, 1, PROTO_SAFE),
	    -EAGAIN);

	/* The ring drains the queue. */
	run_until_delivered(net, 5, 10 * TOKEN_MS);
	assert_int_equal(queued(nd), 0);

	/* One message larger than the whole queue goes into an empty one. */
	huge = calloc(1, 10000);
	assert_non_null(huge);
	submit(nd, huge, 10000, PROTO_AGREED);
	assert_int_equal(queued(nd), 10000);
	assert_int_equal(proto_submit(nd->p, net->now, msg, 1, PROTO_AGREED),
	    -EAGAIN);
	run_until_delivered(net, 6, 10 * TOKEN_MS);
	assert_int_equal(net->node[1].dlv[5].len, 10000);
	free(huge);

	/* Above PROTO_MSG_MAX: -EMSGSIZE, whole or in pieces, queue intact. */
	huge = calloc(1, PROTO_MSG_MAX + 1);
	assert_non_null(huge);
	assert_int_equal(proto_submit(nd->p, net->now, huge, PROTO_MSG_MAX + 1,
	    PROTO_AGREED), -EMSGSIZE);
	iov[0] = (struct iovec){ huge, PROTO_MSG_MAX };
	iov[1] = (struct iovec){ huge, 1 };
	assert_int_equal(proto_submitv(nd->p, net->now, iov, 2, PROTO_AGREED),
	    -EMSGSIZE);
	iov[1] = (struct iovec){ huge, SIZE_MAX };
	assert_int_equal(proto_submitv(nd->p, net->now, iov, 2, PROTO_AGREED),
	    -EMSGSIZE);
	assert_int_equal(proto_submit(nd->p, net->now, msg, 1,
	    (enum proto_guarantee)2), -EINVAL);
	assert_int_equal(queued(nd), 0);
	/* A message in pieces, one of them empty. */
	iov[0] = (struct iovec){ msg, 0 };
	iov[1] = (struct iovec){ msg, sizeof(msg) };
	assert_int_equal(proto_submitv(nd->p, net->now, iov, 2, PROTO_AGREED), 0);
	run_until_delivered(net, 7, 10 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(net->node[i].n_dlv, 7);
		assert_same_deliveries(&net->node[1], &net->node[i]);
	}

	/* PROTO_MSG_MAX itself is taken, by an empty queue (and freed with
	 * the engine: ordering 16 MiB is not this test's business). */
	submit(nd, huge, PROTO_MSG_MAX, PROTO_AGREED);
	free(huge);
	proto_status(nd->p, &st);
	assert_int_equal(st.send_queue_used, PROTO_MSG_MAX);
	net_free(net);
}

/* ------------------------------------------------------------ failures */

static size_t count_dlv(const struct node *nd, uint32_t sender, const char *s)
{
	size_t k = 0;

	for (size_t i = 0; i < nd->n_dlv; i++)
		k += dlv_is(&nd->dlv[i], sender, s);
	return k;
}

/* Node `crash` stops; the others install a transitional configuration of
 * the survivors then a regular one, within token + consensus + a margin,
 * and deliver what they sent meanwhile, in one order. */
static void crash_one(struct net *net, size_t crash)
{
	const uint64_t bound = TOKEN_MS + CONSENSUS_MS + 4 * JOIN_MS;
	uint32_t surv[MAX_NODES];
	size_t n_surv = 0, n_conf[MAX_NODES], first = crash == 0 ? 1 : 0;
	struct proto_ring_id old = last_conf(&net->node[first], 0)->ring;
	struct proto_ring_id ring = { 0, 0 };
	unsigned round = ++net->crashes;
	uint64_t t0;

	for (size_t i = 0; i < net->n; i++) {
		n_conf[i] = net->node[i].n_conf;
		if (i != crash)
			surv[n_surv++] = net->node[i].cfg.local_nodeid;
	}
	sort_ids(surv, n_surv);
	/* Some traffic at the moment of the crash. */
	for (size_t i = 0; i < net->n; i++)
		submit_str(&net->node[i], PROTO_SAFE, "before %u.%u", round,
		    (unsigned)i);
	net_run_for(net, 1);
	net->node[crash].down = true;
	t0 = net->now;
	for (size_t i = 0; i < net->n; i++)
		if (i != crash)
			submit_str(&net->node[i], PROTO_AGREED, "during %u.%u",
			    round, (unsigned)i);
	assert_true(net_run_until(net, all_up_in_one_ring, bound));
	for (size_t i = 0; i < net->n; i++) {
		struct node *nd = &net->node[i];
		const struct conf_rec *tr, *reg;

		if (i == crash)
			continue;
		assert_int_equal(nd->n_conf, n_conf[i] + 2);
		tr = last_conf(nd, 1);
		reg = last_conf(nd, 0);
		assert_members(tr, PROTO_CONF_TRANSITIONAL, n_surv, surv);
		assert_members(reg, PROTO_CONF_REGULAR, n_surv, surv);
		/* A transitional configuration carries the ring id of the
		 * regular one it precedes; a new ring has a higher seq. */
		assert_true(same_ring(tr->ring, reg->ring));
		assert_true(reg->ring.seq > old.seq);
		assert_int_equal(reg->ring.rep, surv[0]);
		if (ring.rep)
			assert_true(same_ring(ring, reg->ring));
		ring = reg->ring;
		assert_true(reg->at - t0 <= bound);
	}
	/* What the survivors sent during the change arrives once, and the
	 * survivors' histories are the same. */
	net_run_for(net, 3 * TOKEN_MS);
	for (size_t i = 0; i < net->n; i++) {
		if (i == crash)
			continue;
		for (size_t j = 0; j < net->n; j++) {
			char want[32];

			if (j == crash)
				continue;
			snprintf(want, sizeof(want), "during %u.%u", round,
			    (unsigned)j);
			assert_int_equal(count_dlv(&net->node[i],
			    net->node[j].cfg.local_nodeid, want), 1);
		}
		assert_same_deliveries(&net->node[first], &net->node[i]);
	}
}

static void crash_gives_transitional_then_regular(void **state)
{
	struct net *net = net_new(3, NULL);

	form(net);
	crash_one(net, 2);
	/* The new ring stays, and goes on ordering. */
	net_run_for(net, 10 * TOKEN_MS);
	assert_int_equal(net->node[0].n_conf, 3);
	assert_int_equal(net->node[1].n_conf, 3);
	net_free(net);
}

/* Whichever node of three crashes. Failing a node at the consensus
 * timeout changes the view the others are judged against: when the
 * crashed node sorts before live ones, those must not be failed too. */
static void crash_of_each_node_of_three(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		struct net *net = net_new(3, NULL);

		form(net);
		crash_one(net, k);
		net_free(net);
	}
}

static void crash_of_the_representative(void **state)
{
	struct net *net = net_new(4, NULL);

	form(net);
	/* ids[1] (2) is the lowest id: the representative. */
	crash_one(net, 1);
	net_free(net);
}

/* A crashed node restarts with its persisted ring seq and rejoins; ring
 * ids keep increasing everywhere. */
/*
 * A crashed daemon whose host answers with port unreachable: the
 * survivors fail it at once, long before the token timeout, and keep it
 * failed in the views they form until it speaks again; restarted, it
 * rejoins. Reports about an unknown node, ourselves, or a node already
 * reported are ignored.
 */
static void unreachable_peer_failed_at_once(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *nd = &net->node[2];
	uint64_t persisted;
	uint32_t dead = nd->cfg.local_nodeid;
	const uint32_t two[] = { 2, 5 };

	form(net);
	persisted = nd->persisted;
	nd->down = true;
	for (size_t i = 0; i < 2; i++) {
		struct proto_status st;

		proto_peer_unreachable(net->node[i].p, net->now, 77);
		proto_peer_unreachable(net->node[i].p, net->now,
		    net->node[i].cfg.local_nodeid);
		proto_peer_unreachable(net->node[i].p, net->now, dead);
		proto_peer_unreachable(net->node[i].p, net->now, dead);
		proto_status(net->node[i].p, &st);
		assert_int_equal(st.stats.unreachable, 1);
	}
	/* Well within the token timeout (1000 ms of virtual time). */
	assert_true(net_run_until(net, all_up_in_one_ring, TOKEN_MS / 4));
	for (size_t i = 0; i < 2; i++)
		assert_members(last_conf(&net->node[i], 0), PROTO_CONF_REGULAR,
		    2, two);
	/* A token loss later still leaves it out (it is still down). */
	net_run_for(net, 3 * TOKEN_MS);
	assert_true(all_up_in_one_ring(net));

	proto_free(nd->p);
	nd->p = NULL;
	node_forget(nd);
	node_boot(nd, persisted);
	form(net);
	assert_int_equal(last_conf(&net->node[0], 0)->n, 3);
	net_free(net);
}

static void restart_rejoins(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *nd = &net->node[2];
	uint64_t persisted, seq_before;
	size_t n_conf;
	const uint32_t all[] = { 2, 5, 9 }, two[] = { 2, 5 };

	form(net);
	crash_one(net, 2);
	seq_before = last_conf(&net->node[0], 0)->ring.seq;
	persisted = nd->persisted;
	assert_true(persisted >= nd->conf[0].ring.seq);
	net_run_for(net, 2 * TOKEN_MS);

	/* Restart: a new engine, the persisted value handed back. */
	proto_free(nd->p);
	nd->p = NULL;
	n_conf = nd->n_conf;
	node_forget(nd);
	node_boot(nd, persisted);
	assert_true(nd->persisted > persisted);   /* a new incarnation */
	form(net);
	for (size_t i = 0; i < 3; i++) {
		const struct conf_rec *reg = last_conf(&net->node[i], 0);

		assert_members(reg, PROTO_CONF_REGULAR, 3, all);
		assert_true(reg->ring.seq > seq_before);
		assert_true(reg->ring.seq > persisted);
		assert_true(same_ring(reg->ring, last_conf(&net->node[0], 0)->ring));
	}
	/* The survivors came from the ring of two; the restarted node
	 * starts from nothing (no transitional configuration). */
	for (size_t i = 0; i < 2; i++)
		assert_members(last_conf(&net->node[i], 1),
		    PROTO_CONF_TRANSITIONAL, 2, two);
	assert_int_equal(nd->n_conf, n_conf + 1);

	/* And the three order together again. */
	for (size_t i = 0; i < 3; i++)
		node_forget(&net->node[i]);
	for (size_t i = 0; i < 3; i++)
		submit_str(&net->node[i], PROTO_SAFE, "back %u%u", (unsigned)i, 0);
	run_until_delivered(net, 3, 5 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++)
		assert_same_deliveries(&net->node[0], &net->node[i]);

	/* Twice more, to see the sequence climb each time. */
	for (int round = 0; round < 2; round++) {
		uint64_t prev = last_conf(&net->node[0], 0)->ring.seq;

		crash_one(net, 2);
		assert_true(last_conf(&net->node[0], 0)->ring.seq > prev);
		prev = last_conf(&net->node[0], 0)->ring.seq;
		proto_free(nd->p);
		n_conf = nd->n_conf;
		node_boot(nd, nd->persisted);
		form(net);
		assert_int_equal(nd->n_conf, n_conf + 1);
		assert_true(last_conf(nd, 0)->ring.seq > prev);
		assert_true(same_ring(last_conf(nd, 0)->ring,
		    last_conf(&net->node[0], 0)->ring));
	}
	net_free(net);
}

/* A node restarts far above the ring sequence of the others (as after a
 * host crash, from its bound on disk): the others hear of the higher
 * sequence from its JOIN (ring_seq_seen) before they are asked to
 * persist the ring that uses it. */
static void jump_seen_before_use(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *nd = &net->node[2];
	uint64_t restart_at;

	form(net);
	crash_one(net, 2);
	net_run_for(net, 2 * TOKEN_MS);
	restart_at = nd->persisted + 1000;
	proto_free(nd->p);
	nd->p = NULL;
	node_forget(nd);
	node_boot(nd, restart_at);
	form(net);
	for (size_t i = 0; i < 2; i++) {
		const struct conf_rec *reg = last_conf(&net->node[i], 0);

		assert_int_equal(reg->n, 3);
		assert_true(reg->ring.seq > restart_at);
		assert_true(net->node[i].seen >= reg->ring.seq);
	}
	net_free(net);
}

/* ------------------------------------------------------------ bad input */

struct snapshot {
	struct proto_status st;
	uint64_t next_timeout;
	size_t sends, n_conf, n_dlv;
};

static struct snapshot snap(const struct node *nd)
{
	struct snapshot s;

	proto_status(nd->p, &s.st);
	s.next_timeout = proto_next_timeout(nd->p);
	s.sends = nd->sends;
	s.n_conf = nd->n_conf;
	s.n_dlv = nd->n_dlv;
	return s;
}

/* Feeds one datagram; it must be counted as dropped and change nothing
 * else: no state, ring, timer, send, delivery or configuration. */
static void assert_dropped(struct node *nd, uint32_t from, const uint8_t *buf,
    size_t len)
{
	struct snapshot a = snap(nd), b;

	assert_int_equal(proto_receive(nd->p, nd->net->now, from, buf, len), 0);
	b = snap(nd);
	assert_int_equal(b.st.stats.rx_datagrams, a.st.stats.rx_datagrams + 1);
	assert_int_equal(b.st.stats.rx_dropped, a.st.stats.rx_dropped + 1);
	b.st.stats.rx_datagrams = a.st.stats.rx_datagrams;
	b.st.stats.rx_dropped = a.st.stats.rx_dropped;
	assert_memory_equal(&a.st.stats, &b.st.stats, sizeof(a.st.stats));
	assert_int_equal(a.st.state, b.st.state);
	assert_true(same_ring(a.st.ring_id, b.st.ring_id));
	assert_int_equal(a.st.n_members, b.st.n_members);
	assert_memory_equal(a.st.members, b.st.members,
	    sizeof(a.st.members));
	assert_int_equal(a.st.send_queue_used, b.st.send_queue_used);
	assert_true(a.next_timeout == b.next_timeout);
	assert_int_equal(a.sends, b.sends);
	assert_int_equal(a.n_conf, b.n_conf);
	assert_int_equal(a.n_dlv, b.n_dlv);
}

static void bad_datagrams_dropped(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *nd = &net->node[0];
	uint8_t buf[2 * MTU], tok[MTU];
	size_t tok_len;
	uint32_t tok_sender;
	uint64_t s = 1;
	struct wire_msg m;

	form(net);
	submit(&net->node[1], "x", 1, PROTO_AGREED);
	run_until_delivered(net, 1, 5 * TOKEN_MS);
	net_run_for(net, 3 * TOKEN_MS);
	assert_true(net->token_len > 0);
	tok_len = net->token_len;
	memcpy(tok, net->token, tok_len);
	assert_int_equal(wire_decode(tok, tok_len, &m), 0);
	tok_sender = m.h.sender;

	/* Random bytes, of every length up to two mtus, from anyone. */
	for (size_t len = 0; len <= sizeof(buf); len++) {
		uint32_t from = (uint32_t[]){ 0, ids[1], ids[2], NOT_A_NODE }[len % 4];

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(&s);
		assert_dropped(nd, from, buf, len);
	}
	/* A valid header in front of random bytes. */
	for (size_t len = WIRE_HDR_LEN; len <= MTU; len += 3) {
		memcpy(buf, tok, WIRE_HDR_LEN);
		for (size_t i = WIRE_HDR_LEN; i < len; i++)
			buf[i] = (uint8_t)rnd(&s);
		assert_true(wire_decode(buf, len, &m) != 0);
		assert_dropped(nd, tok_sender, buf, len);
	}
	/* Every truncation of a real token. */
	for (size_t len = 0; len < tok_len; len++)
		assert_dropped(nd, 0, tok, len);
	/* Another cluster. */
	memcpy(buf, tok, tok_len);
	buf[8] ^= 0x01;
	assert_dropped(nd, 0, buf, tok_len);
	/* A sender, or a ring representative, not in the nodelist. */
	memcpy(buf, tok, tok_len);
	buf[12] = buf[13] = buf[14] = 0;
	buf[15] = NOT_A_NODE;
	assert_dropped(nd, 0, buf, tok_len);
	assert_dropped(nd, NOT_A_NODE, buf, tok_len);
	memcpy(buf, tok, tok_len);
	buf[16] = buf[17] = buf[18] = 0;
	buf[19] = NOT_A_NODE;
	assert_dropped(nd, 0, buf, tok_len);
	/* The transport says it came from another node than it claims. */
	assert_dropped(nd, tok_sender == ids[1] ? ids[2] : ids[1], tok, tok_len);
	/* Our own id as the sender. */
	memcpy(buf, tok, tok_len);
	buf[12] = buf[13] = buf[14] = 0;
	buf[15] = (uint8_t)nd->cfg.local_nodeid;
	assert_dropped(nd, 0, buf, tok_len);
	/* A JOIN of another cluster. */
	assert_true(net->join_len > 0);
	memcpy(buf, net->join, net->join_len);
	buf[11] ^= 0x80;
	assert_dropped(nd, 0, buf, net->join_len);

	/* The ring carries on as if nothing happened. */
	for (size_t i = 0; i < 3; i++)
		node_forget(&net->node[i]);
	for (size_t i = 0; i < 3; i++)
		submit_str(&net->node[i], PROTO_SAFE, "still %u%u", (unsigned)i, 0);
	run_until_delivered(net, 3, 5 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(net->node[i].n_conf, 1);
		assert_same_deliveries(&net->node[0], &net->node[i]);
	}
	net_free(net);
}

/* ------------------------------------------------ oversized multicasts */

/* The largest body of entries an engine of `mtu` packs into one message:
 * room is kept for the old-ring identity a recovered message carries. */
static size_t payload_max(size_t mtu)
{
	return mtu - WIRE_HDR_LEN - MCAST_FIXED - MCAST_OLD_FIXED;
}

/* Builds a plain multicast of `body_len` bytes of entries (one entry)
 * from `origin` on `ring`, numbered `seq`. Returns its length. */
static size_t forge_mcast(uint8_t *buf, size_t cap, uint32_t origin,
    struct proto_ring_id ring, uint64_t seq, size_t body_len)
{
	uint8_t *body = malloc(body_len);
	struct wire_hdr h = { .cluster_id = CLUSTER_ID, .sender = origin,
	    .ring = ring };
	struct wire_mcast m = { .seq = seq, .origin = origin, .body = body,
	    .body_len = body_len };
	size_t len;

	assert_non_null(body);
	assert_true(body_len >= ENTRY_HDR);
	memset(body, 'x', body_len);
	body[0] = ENTRY_FIRST | ENTRY_LAST;
	body[1] = (uint8_t)((body_len - ENTRY_HDR) >> 24);
	body[2] = (uint8_t)((body_len - ENTRY_HDR) >> 16);
	body[3] = (uint8_t)((body_len - ENTRY_HDR) >> 8);
	body[4] = (uint8_t)(body_len - ENTRY_HDR);
	len = wire_encode_mcast(buf, cap, &h, &m);
	free(body);
	return len;
}

/* Forms the ring, has node 2 (ids[2]) order one message and the token
 * go round a while; *tok is the last token on the wire. */
static void one_message_delivered(struct net *net, struct wire_msg *tok)
{
	form(net);
	submit(&net->node[2], "x", 1, PROTO_AGREED);
	run_until_delivered(net, 1, 5 * TOKEN_MS);
	net_run_for(net, TOKEN_MS);
	assert_int_equal(wire_decode(net->token, net->token_len, tok), 0);
}

/*
 * A multicast that fits the mtu but whose body is larger than what an
 * engine of that mtu packs (up to MCAST_OLD_FIXED bytes more: a peer
 * that does not keep room for the recovered header). Node 5 holds it,
 * node 2 does not, its origin crashes: in recovery node 5 must send it
 * again as a recovered message, MCAST_OLD_FIXED bytes longer (without
 * the check on the body in mcast_receive, it overflowed its datagram
 * buffer: ASan heap-buffer-overflow in send_messages, or without ASan
 * the assertion in number()). The engine must either
 * refuse such a body when it arrives or carry it, without writing past
 * a buffer or asserting; and the survivors agree.
 */
static void recovery_of_a_full_size_multicast(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *holder = &net->node[0], *other = &net->node[1];
	uint8_t buf[DGRAM_CAP];
	struct proto_status st;
	struct wire_msg m;
	size_t len;

	one_message_delivered(net, &m);
	proto_status(holder->p, &st);
	len = forge_mcast(buf, sizeof(buf), ids[2], st.ring_id,
	    m.u.token.seq + 1, MTU - WIRE_HDR_LEN - MCAST_FIXED);
	assert_int_equal(len, MTU);
	assert_true(len - WIRE_HDR_LEN - MCAST_FIXED > payload_max(MTU));
	net->node[2].down = true;
	net->forged = true;
	assert_int_equal(proto_receive(holder->p, net->now, ids[2], buf, len), 0);
	assert_true(net_run_until(net, all_up_in_one_ring,
	    TOKEN_MS + CONSENSUS_MS + 4 * JOIN_MS));
	net_run_for(net, 2 * TOKEN_MS);
	/* Whatever became of it, the survivors agree. */
	assert_same_deliveries(holder, other);
	net_free(net);
}

/*
 * A multicast the node has already delivered, sent again (a late
 * retransmission, or a replay of a captured datagram with a valid seal):
 * dropped and counted, nothing delivered twice, the ring unchanged. It
 * used to be ignored without being counted, so a replay left no trace.
 */
static void duplicate_multicast_counted(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *nd = &net->node[0];
	uint8_t buf[DGRAM_CAP];
	struct proto_status st;
	struct wire_msg m;
	size_t len;

	one_message_delivered(net, &m);
	proto_status(nd->p, &st);
	len = forge_mcast(buf, sizeof(buf), ids[2], st.ring_id, m.u.token.seq,
	    ENTRY_HDR + 1);
	assert_true(len > 0);
	assert_dropped(nd, ids[2], buf, len);
	assert_dropped(nd, ids[2], buf, len);
	net_free(net);
}

static void node_9_larger_mtu(struct proto_config *cfg)
{
	if (cfg->local_nodeid == 9)
		cfg->mtu = MTU + 300;
}

/* Loses node 9's datagrams to node 2, those in flight included. */
static bool lose_9_to_2(struct net *net, const struct pkt *p)
{
	return p->from == 9 && net->node[p->to].cfg.local_nodeid == 2;
}

/*
 * A peer configured with a larger mtu than ours (a configuration
 * mistake, or a daemon whose transport passes a datagram a little above
 * the mtu). Its full-size fragments reach node 5 but not node 2, and it
 * crashes: node 5 recovers them for node 2 in the new ring. Same demand
 * as above: no write past a buffer, no assertion; the survivors agree.
 */
static void peer_with_a_larger_mtu(void **state)
{
	struct net *net = net_new(3, node_9_larger_mtu);
	struct node *big = &net->node[2];
	uint8_t msg[4000];
	size_t before;

	memset(msg, 'y', sizeof(msg));
	form(net);
	net_run_for(net, TOKEN_MS);
	before = big->sent[WIRE_MCAST];
	net->lose = lose_9_to_2;
	submit(big, msg, sizeof(msg), PROTO_AGREED);
	/* Until node 9 has multicast its fragments, then it stops. */
	while (big->sent[WIRE_MCAST] == before)
		assert_true(net_step(net, net->now + TOKEN_MS));
	big->down = true;
	assert_true(net_run_until(net, all_up_in_one_ring,
	    TOKEN_MS + CONSENSUS_MS + 4 * JOIN_MS));
	net_run_for(net, 2 * TOKEN_MS);
	assert_same_deliveries(&net->node[0], &net->node[1]);
	net_free(net);
}

/*
 * One forged datagram must not wedge the ring. A multicast flagged
 * RECOVERED, numbered just above the ring's seq, reaches the
 * representative while the ring is operational and idle (honest peers
 * send those only in RECOVERY, and a spoofed UDP datagram is enough
 * when the cluster runs without crypto). Whatever the engine makes of
 * it, the nodes must be back in one operational ring of all three
 * within a few membership rounds, and order again.
 *
 * Fails at the time of writing: the representative stores it (with its
 * old-ring prefix, flag RECOVERED) in the current ring; its next token
 * has rot_aru above seq, which the peers' decoder refuses, so the token
 * is lost; in every recovery after that the representative sends the
 * stored message again as an old-ring message whose entries are the
 * prefix bytes, which the peers refuse too: node 5 never gets seq 1,
 * fails to receive, and the nodes go round gather/commit/recovery for
 * ever without the virtual clock moving.
 */
static void forged_recovered_multicast(void **state)
{
	struct net *net = net_new(3, NULL);
	struct node *rep = &net->node[1];   /* id 2, the lowest */
	static const uint8_t body[ENTRY_HDR + 6] = { ENTRY_FIRST | ENTRY_LAST,
	    0, 0, 0, 6, 'p', 'o', 'i', 's', 'o', 'n' };
	uint8_t buf[DGRAM_CAP];
	struct proto_status st;
	struct wire_msg m;
	struct wire_hdr h = { .cluster_id = CLUSTER_ID, .sender = ids[0] };
	struct wire_mcast mc = { .origin = ids[0], .mflags = MCAST_RECOVERED,
	    .old_ring = { ids[0], 1 }, .old_seq = 1, .old_origin = ids[0],
	    .body = body, .body_len = sizeof(body) };
	size_t len;

	form(net);
	net_run_for(net, TOKEN_MS);
	/* A livelock shows long before the general bound. */
	net->step_limit = net->steps + STEP_LIMIT / 20;
	assert_int_equal(wire_decode(net->token, net->token_len, &m), 0);
	proto_status(rep->p, &st);
	h.ring = st.ring_id;
	mc.seq = m.u.token.seq + 1;
	len = wire_encode_mcast(buf, sizeof(buf), &h, &mc);
	assert_int_equal(wire_decode(buf, len, &m), 0);
	net->forged = true;
	assert_int_equal(proto_receive(rep->p, net->now, ids[0], buf, len), 0);
	net_run_for(net, 2 * TOKEN_MS);
	assert_true(net_run_until(net, all_up_in_one_ring,
	    4 * (TOKEN_MS + CONSENSUS_MS)));
	for (size_t i = 0; i < 3; i++)
		node_forget(&net->node[i]);
	for (size_t i = 0; i < 3; i++)
		submit_str(&net->node[i], PROTO_SAFE, "later %u%u", (unsigned)i, 0);
	run_until_delivered(net, 3, 4 * (TOKEN_MS + CONSENSUS_MS));
	for (size_t i = 0; i < 3; i++)
		assert_same_deliveries(&net->node[0], &net->node[i]);
	net_free(net);
}

/* proto_reconfigure: every member takes a longer token timeout at the
 * same point; nothing is lost and no configuration changes, and a crash
 * is then detected by the new timeout, not the old one. Zero fields take
 * the defaults; a window above the bound is refused and changes nothing. */
#define RETIMED_TOKEN_MS (4u * TOKEN_MS)

static void reconfigure_timing(void **state)
{
	struct net *net = net_new(3, NULL);
	struct proto_timing t = { .token_ms = RETIMED_TOKEN_MS };
	struct proto_timing bad = { .window_size = PROTO_WINDOW_MAX + 1 };
	struct proto_status st;
	size_t n_conf[3];
	uint64_t t0;

	form(net);
	for (size_t i = 0; i < 3; i++) {
		n_conf[i] = net->node[i].n_conf;
		submit_str(&net->node[i], PROTO_SAFE, "before %u.%u", (unsigned)i, 0);
	}
	net_run_for(net, 1);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(proto_reconfigure(net->node[i].p, net->now,
		    &bad), -EINVAL);
		proto_status(net->node[i].p, &st);
		assert_int_equal(st.token_ms, TOKEN_MS);
		assert_int_equal(proto_reconfigure(net->node[i].p, net->now,
		    &t), 0);
		proto_status(net->node[i].p, &st);
		assert_int_equal(st.token_ms, RETIMED_TOKEN_MS);
		submit_str(&net->node[i], PROTO_SAFE, "after %u.%u", (unsigned)i, 0);
	}
	run_until_delivered(net, 6, FORM_MS);
	net_run_for(net, 3 * TOKEN_MS);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(net->node[i].n_conf, n_conf[i]);
		assert_int_equal(net->node[i].n_dlv, 6);
		assert_same_deliveries(&net->node[0], &net->node[i]);
	}
	/* The old timeouts would have formed a ring of two well within
	 * twice the old token timeout; the new ones do not start before
	 * the new token timeout. */
	net->node[2].down = true;
	t0 = net->now;
	net_run_for(net, 2 * TOKEN_MS);
	assert_int_equal(net->node[0].n_conf, n_conf[0]);
	assert_true(net_run_until(net, all_up_in_one_ring,
	    RETIMED_TOKEN_MS + 2 * RETIMED_TOKEN_MS + 4 * JOIN_MS));
	assert_true(last_conf(&net->node[0], 0)->at - t0 >= RETIMED_TOKEN_MS -
	    TOKEN_MS);
	/* All zero: the defaults for the nodelist. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(proto_reconfigure(net->node[0].p, net->now, &t), 0);
	proto_status(net->node[0].p, &st);
	assert_int_equal(st.token_ms, proto_token_ms(PROTO_DEFAULT_TOKEN_MS,
	    PROTO_DEFAULT_TOKEN_COEFFICIENT_MS, 3));
	net_free(net);
}

/* proto_add_nodes: a ring of three whose nodelist lacks the fourth
 * node; once every member adds it, the fourth (which knew all four)
 * joins, and the four order messages alike. Bad ids change nothing.
 * Then proto_remove_nodes takes it out again. */
static void three_of_four(struct proto_config *cfg)
{
	if (cfg->local_nodeid != ids[3])
		cfg->n_nodes = 3;
}

static void add_a_node(void **state)
{
	struct net *net = net_new(4, three_of_four);
	const uint32_t zero = 0, twice[2] = { ids[3], ids[3] };
	struct proto_status st;

	net->node[3].down = true;
	form(net);
	for (size_t i = 0; i < 3; i++) {
		struct proto *p = net->node[i].p;

		assert_int_equal(proto_add_nodes(p, net->now, &zero, 1),
		    -EINVAL);
		assert_int_equal(proto_add_nodes(p, net->now, &ids[1], 1),
		    -EINVAL);
		assert_int_equal(proto_add_nodes(p, net->now, twice, 2),
		    -EINVAL);
		assert_int_equal(proto_add_nodes(p, net->now, &ids[3], 1), 0);
		assert_int_equal(proto_add_nodes(p, net->now, &ids[3], 1),
		    -EINVAL);
	}
	net->node[3].down = false;
	form(net);
	proto_status(net->node[0].p, &st);
	assert_int_equal(st.n_members, 4);
	for (size_t i = 0; i < 4; i++) {
		node_forget(&net->node[i]);
		submit_str(&net->node[i], PROTO_SAFE, "four %u.%u", (unsigned)i,
		    0);
	}
	run_until_delivered(net, 4, FORM_MS);
	for (size_t i = 0; i < 4; i++)
		assert_same_deliveries(&net->node[0], &net->node[i]);
	/* proto_remove_nodes: not a member, not ours, not unknown; once
	 * the fourth has left the ring, removed, its datagrams dropped:
	 * restarted, it cannot join. */
	assert_int_equal(proto_remove_nodes(net->node[0].p, net->now, &ids[3],
	    1), -EBUSY);
	assert_int_equal(proto_remove_nodes(net->node[0].p, net->now, &ids[0],
	    1), -EINVAL);
	assert_int_equal(proto_remove_nodes(net->node[0].p, net->now, &zero,
	    1), -EINVAL);
	net->node[3].down = true;
	form(net);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(proto_remove_nodes(net->node[i].p, net->now,
		    &ids[3], 1), 0);
	proto_free(net->node[3].p);
	node_boot(&net->node[3], net->node[3].persisted);
	net_run_for(net, 4 * (TOKEN_MS + CONSENSUS_MS));
	for (size_t i = 0; i < 3; i++) {
		proto_status(net->node[i].p, &st);
		assert_int_equal(st.n_members, 3);
		assert_true(st.stats.rx_dropped > 0);
	}
	net_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timing_defaults),
		cmocka_unit_test(config_rejections),
		cmocka_unit_test(start_twice_and_receive_before_start),
		cmocka_unit_test(single_node_delivers_in_order),
		cmocka_unit_test(single_node_large_message),
		cmocka_unit_test(single_node_numbers_large_whole),
		cmocka_unit_test(large_message_ring_of_one_and_two),
		cmocka_unit_test(take_delivered),
		cmocka_unit_test(two_nodes_form_a_ring),
		cmocka_unit_test(three_nodes_form_a_ring),
		cmocka_unit_test(four_nodes_form_a_ring),
		cmocka_unit_test(three_nodes_total_order),
		cmocka_unit_test(four_nodes_total_order),
		cmocka_unit_test(large_message_fragmented),
		cmocka_unit_test(small_messages_packed),
		cmocka_unit_test(flow_control),
		cmocka_unit_test(queue_bounded_in_messages),
		cmocka_unit_test(rep_numbers_at_once_while_holding),
		cmocka_unit_test(rep_alone_keeps_the_token),
		cmocka_unit_test(trickle_keeps_the_token),
		cmocka_unit_test(gap_asks_for_the_token),
		cmocka_unit_test(kept_token_claims_no_stability),
		cmocka_unit_test(one_way_link_fault),
		cmocka_unit_test(member_gets_a_kept_token),
		cmocka_unit_test(congested_rep_lets_the_token_go),
		cmocka_unit_test(crash_gives_transitional_then_regular),
		cmocka_unit_test(crash_of_each_node_of_three),
		cmocka_unit_test(crash_of_the_representative),
		cmocka_unit_test(restart_rejoins),
		cmocka_unit_test(jump_seen_before_use),
		cmocka_unit_test(reconfigure_timing),
		cmocka_unit_test(add_a_node),
		cmocka_unit_test(unreachable_peer_failed_at_once),
		cmocka_unit_test(bad_datagrams_dropped),
		cmocka_unit_test(peer_with_a_larger_mtu),
		cmocka_unit_test(recovery_of_a_full_size_multicast),
		cmocka_unit_test(duplicate_multicast_counted),
		cmocka_unit_test(forged_recovered_multicast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
