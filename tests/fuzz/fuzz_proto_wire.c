/*
 * Fuzz target: the protocol's datagrams, decoded (wire_decode) and fed to
 * a running engine (proto_receive), so that both the decoder and the
 * engine's handling of whatever decodes are fuzzed.
 *
 * The input's first byte says who receives the rest, and from whom:
 *   bits 0-1  the sender the transport claims: 0 (unknown), node 2,
 *             node 3, or a node outside the nodelist;
 *   bits 2-3  the receiving engine, node 1 of the nodelist {1, 2, 3}:
 *             0  just started, gathering, its peers silent;
 *             1  alone in a ring of its own (the peers never answered);
 *             2, 3  in an operational ring with nodes 2 and 3, real
 *             engines that the target runs in-process.
 * The rest of the input is the datagram. After it, the engines run for
 * a few token timeouts of virtual time, with a message from each, so
 * that what the datagram changed is acted on. Each input starts from
 * scratch: the runs are deterministic.
 *
 * Every datagram an engine sends must fit its mtu and name its sender,
 * and those built from its own state alone must decode, whatever the
 * engine was fed (see f_send); a violation aborts.
 *
 * FUZZ_SOURCES: src/proto/engine.c src/proto/flow.c src/proto/memb.c src/proto/order.c src/proto/recovery.c src/proto/store.c src/proto/timing.c src/proto/util.c src/proto/wire.c
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "proto/wire.h"

#define N_NODES 3
#define MTU 1200u
#define CLUSTER_ID 0xC0FFEEu
#define OUTSIDER 77u
#define TOKEN_MS 300u
#define QUEUE_MAX 256u       /* datagrams in flight; beyond, lost */
/* Datagrams and timer firings per input. A forged datagram can keep the
 * ring busy without the clock moving (see forged_recovered_multicast in
 * tests/unit/test_proto_engine.c); this bounds the time an input takes. */
#define STEP_MAX 5000u
#define RUN_MS (4u * TOKEN_MS)

enum mode { MODE_GATHER = 0, MODE_ALONE = 1, MODE_RING = 2 };

struct pkt {
	size_t to;
	uint32_t from;
	size_t len;
	uint8_t data[MTU];
};

struct fnet;

struct fnode {
	struct fnet *net;
	uint32_t id;
	struct proto *p;
	uint64_t persisted;
};

struct fnet {
	size_t n;                 /* engines that run: 1 or N_NODES */
	struct fnode node[N_NODES];
	uint64_t now;
	struct pkt *q;            /* QUEUE_MAX slots, a ring buffer */
	size_t head, len;
	unsigned steps;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void f_send(void *ctx, uint32_t to, const uint8_t *buf, size_t len)
{
	struct fnode *nd = ctx;
	struct fnet *net = nd->net;
	struct wire_msg m;

	/* The engine's own output fits its mtu, names its sender and, for
	 * the kinds built from its own state alone, decodes, whatever it
	 * was fed. Multicasts and tokens carry what came from the wire, and
	 * a forged datagram may make them inconsistent: a forged multicast
	 * numbered above the ring's seq raises an aru above the token's
	 * seq; a forged recovered multicast, stored while operational, is
	 * sent again in the next recovery with its old-ring prefix as
	 * entries. The next hop refuses those: a lost datagram, no crash. */
	if (len > MTU || len < WIRE_HDR_LEN)
		abort();
	if (((uint32_t)buf[12] << 24 | (uint32_t)buf[13] << 16 |
	    (uint32_t)buf[14] << 8 | buf[15]) != nd->id)
		abort();
	if ((buf[4] == WIRE_JOIN || buf[4] == WIRE_MERGE_DETECT ||
	    buf[4] == WIRE_HOLD_CANCEL) && wire_decode(buf, len, &m) != 0)
		abort();
	for (size_t i = 0; i < net->n; i++) {
		struct pkt *p;

		if (&net->node[i] == nd || (to && net->node[i].id != to))
			continue;
		if (net->len == QUEUE_MAX)
			return;
		p = &net->q[(net->head + net->len++) % QUEUE_MAX];
		p->to = i;
		p->from = nd->id;
		p->len = len;
		memcpy(p->data, buf, len);
	}
}

/* What is delivered is not checked: a forged datagram may well be
 * delivered, the engine cannot tell it from a real one. */
static void f_deliver(void *ctx, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
}

static void f_confchg(void *ctx, const struct proto_conf *c)
{
	if (c->n_members == 0 || c->n_members > N_NODES)
		abort();
}

static void f_ring_seq(void *ctx, uint64_t seq)
{
	struct fnode *nd = ctx;

	if (seq < nd->persisted)
		abort();   /* the persisted sequence never goes back */
	nd->persisted = seq;
}

static const struct proto_ops f_ops = {
	.send = f_send, .deliver = f_deliver, .confchg = f_confchg,
	.ring_seq = f_ring_seq,
};

/* One datagram, or the earliest timer if nothing is in flight. */
static bool step(struct fnet *net, uint64_t limit)
{
	uint64_t t = UINT64_MAX;

	if (++net->steps > STEP_MAX)
		return false;
	if (net->len > 0) {
		struct pkt *p = &net->q[net->head];

		net->head = (net->head + 1) % QUEUE_MAX;
		net->len--;
		proto_receive(net->node[p->to].p, net->now, p->from, p->data,
		    p->len);
		return true;
	}
	for (size_t i = 0; i < net->n; i++) {
		uint64_t nt = proto_next_timeout(net->node[i].p);

		t = nt < t ? nt : t;
	}
	if (t == UINT64_MAX || t > limit)
		return false;
	if (t > net->now)
		net->now = t;
	for (size_t i = 0; i < net->n; i++)
		if (proto_next_timeout(net->node[i].p) <= net->now)
			proto_tick(net->node[i].p, net->now);
	return true;
}

static void run(struct fnet *net, uint64_t ms)
{
	uint64_t limit = net->now + ms;

	while (step(net, limit))
		;
	if (net->now < limit)
		net->now = limit;
}

static bool formed(const struct fnet *net)
{
	for (size_t i = 0; i < net->n; i++) {
		struct proto_status st;

		proto_status(net->node[i].p, &st);
		if (st.state != 1 || st.n_members != net->n)
			return false;
	}
	return true;
}

/* The timing is short, and a node gives up on a ring it cannot keep up
 * with after few rotations, so that an input reaches the membership
 * changes it causes within its run. */
static bool setup(struct fnet *net, enum mode mode)
{
	struct proto_config cfg = { .cluster_id = CLUSTER_ID, .n_nodes = N_NODES,
	    .nodes = { 1, 2, 3 }, .mtu = MTU,
	    .timing = { .token_ms = TOKEN_MS, .seqno_unchanged_const = 2,
	    .fail_recv_const = 20 } };

	net->n = mode == MODE_RING ? N_NODES : 1;
	for (size_t i = 0; i < net->n; i++) {
		struct fnode *nd = &net->node[i];

		nd->net = net;
		nd->id = (uint32_t)i + 1;
		cfg.local_nodeid = nd->id;
		if (proto_new(&cfg, &f_ops, nd, 0, &nd->p) != 0)
			return false;
	}
	for (size_t i = 0; i < net->n; i++)
		proto_start(net->node[i].p, 0);
	if (mode == MODE_ALONE)
		run(net, 2 * TOKEN_MS);
	if (mode == MODE_RING)
		while (!formed(net))
			if (!step(net, 10u * TOKEN_MS))
				abort();   /* three engines must form a ring */
	net->steps = 0;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t claimed[4] = { 0, 2, 3, OUTSIDER };
	struct fnet net = { 0 };
	struct wire_msg m;
	enum mode mode;

	if (size == 0)
		return 0;
	wire_decode(data, size, &m);
	wire_decode(data + 1, size - 1, &m);
	mode = (enum mode)((data[0] >> 2) & 3);
	if (mode > MODE_RING)
		mode = MODE_RING;
	net.q = malloc(QUEUE_MAX * sizeof(*net.q));
	if (!net.q)
		return 0;
	if (setup(&net, mode)) {
		proto_receive(net.node[0].p, net.now, claimed[data[0] & 3],
		    data + 1, size - 1);
		run(&net, TOKEN_MS / 2);
		for (size_t i = 0; i < net.n; i++)
			proto_submit(net.node[i].p, net.now, data, size > 64 ?
			    64 : size, i == 1 ? PROTO_SAFE : PROTO_AGREED);
		run(&net, RUN_MS);
	}
	for (size_t i = 0; i < N_NODES; i++)
		proto_free(net.node[i].p);
	free(net.q);
	return 0;
}
