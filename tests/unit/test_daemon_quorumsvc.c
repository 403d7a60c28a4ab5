/*
 * Unit tests: the quorum and votequorum services (src/daemon/quorum/
 * quorum.c, votequorum.c) on three nodes without a network: this test
 * plays the configuration changes and delivers every node's ordered
 * messages to all of them in one total order, and records what the
 * local connections receive: replies, the V1 node list (members,
 * joined, left), the quorum notifications of both libraries in
 * corosync's order, the trackstart quirks, setexpected / setvotes, the
 * qdevice requests refused, and QUORUM_FREE without a provider.
 *
 * The IPC server and the ordering glue are replaced at link time by the
 * recorders below (the functions the services call).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <corosync/corotypes.h>

#include "common/buf.h"
#include "common/ipc_quorum.h"
#include "daemon/config/config.h"
#include "daemon/frame.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "daemon/ordering.h"
#include "daemon/quorum/quorum.h"
#include "daemon/statedir.h"
#include "tmpdir.h"

#define NODES 3
#define EVENTS_MAX 32

/* ------------------------------------------------ the collaborators */

struct event {
	uint16_t type;
	size_t len;
	uint8_t body[256];
};

struct fake_conn {
	struct conn c;
	struct event ev[EVENTS_MAX];
	int n;
	int replies;
	uint32_t last_error;
	size_t reply_len;
	uint8_t reply[64];
	bool closed;
};

struct ipcs {
	struct conn *first;
};

struct ordering {
	uint32_t nodeid;
};

struct ordered {
	uint32_t sender;
	size_t len;
	uint8_t msg[64];
};

static struct ordered queue[256];
static int q_head, q_tail;

static int submit(struct ordering *o, const uint8_t *msg, size_t len)
{
	assert_true(q_tail < (int)(sizeof(queue) / sizeof(queue[0])));
	assert_true(len <= sizeof(queue[0].msg));
	queue[q_tail].sender = o->nodeid;
	queue[q_tail].len = len;
	memcpy(queue[q_tail].msg, msg, len);
	q_tail++;
	return 0;
}

int ordering_submit(struct ordering *o, struct conn *owner,
    const uint8_t *msg, size_t len, enum proto_guarantee g, uint64_t cost)
{
	return submit(o, msg, len);
}

int ordering_submit_sync(struct ordering *o, const uint8_t *msg, size_t len)
{
	return submit(o, msg, len);
}

struct conn *ipcs_first(struct ipcs *s)
{
	return s->first;
}

void ipcs_event(struct conn *c, struct frame *f)
{
	struct fake_conn *fc = (struct fake_conn *)c;
	struct event *e;
	struct ipc_hdr h;

	assert_int_equal(ipc_hdr_get(f->data, &h), 0);
	assert_int_equal(h.len, f->len);
	assert_true(fc->n < EVENTS_MAX);
	e = &fc->ev[fc->n++];
	e->type = h.type;
	e->len = h.len - IPC_HDR_LEN;
	assert_true(e->len <= sizeof(e->body));
	memcpy(e->body, f->data + IPC_HDR_LEN, e->len);
}

void ipcs_reply(struct conn *c, uint32_t seq, uint32_t error,
    const void *body, size_t len)
{
	struct fake_conn *fc = (struct fake_conn *)c;

	fc->replies++;
	fc->last_error = error;
	fc->reply_len = len;
	assert_true(len <= sizeof(fc->reply));
	if (len)
		memcpy(fc->reply, body, len);
}

void ipcs_close_conn(struct ipcs *s, struct conn *c, const char *why)
{
	((struct fake_conn *)c)->closed = true;
	c->dead = true;
}

/* ------------------------------------------------ the nodes */

struct node {
	uint32_t id;
	struct ipcs ipcs;
	struct ordering ord;
	struct cohort_config cfg;
	struct statedir state;
	struct quorum_svc *q;
	struct fake_conn conn;        /* one local client */
};

static struct node nodes[NODES + 1];
static struct loop *loop;
/* node_init: with expected_votes_tracking, corosync's barrier looked for
 * in the test's directory. */
static bool tracking;
static uint64_t ring_seq = 4;

static void node_init(uint32_t id, bool provider)
{
	struct node *n = &nodes[id];
	struct quorum_env env;

	if (id == 1)
		q_head = q_tail = 0;   /* a test that failed left some */
	memset(n, 0, sizeof(*n));
	n->id = id;
	n->ord.nodeid = id;
	cohort_config_defaults(&n->cfg);
	n->cfg.n_nodes = NODES;
	for (uint32_t i = 0; i < NODES; i++)
		n->cfg.nodes[i] = (struct cohort_node){ .nodeid = i + 1,
		    .ring0_addr = "127.0.0.1", .quorum_votes = 1 };
	if (provider) {
		n->cfg.quorum.provider = COHORT_QUORUM_VOTEQUORUM;
		n->cfg.quorum.expected_votes = NODES;
	}
	n->cfg.quorum.expected_votes_tracking = tracking;
	n->state = (struct statedir){ .dir = tmpdir_path(), .nodeid = id };
	env = (struct quorum_env){ id, &n->cfg, &n->ipcs, &n->ord, loop,
	    &n->state, NULL, { NULL, NULL }, tracking ? tmpdir_path() : NULL };
	assert_int_equal(quorum_svc_new(&env, &n->q), 0);
	n->ipcs.first = &n->conn.c;
	assert_int_equal(quorum_service_ops.conn_open(n->q, &n->conn.c,
	    &n->conn.c.svc[SERVICE_QUORUM]), 0);
	assert_int_equal(votequorum_service_ops.conn_open(n->q, &n->conn.c,
	    &n->conn.c.svc[SERVICE_VOTEQUORUM]), 0);
}

static void nodes_free(void)
{
	for (uint32_t id = 1; id <= NODES; id++) {
		struct node *n = &nodes[id];

		if (!n->q)
			continue;
		free(n->conn.c.svc[SERVICE_QUORUM]);
		free(n->conn.c.svc[SERVICE_VOTEQUORUM]);
		quorum_svc_free(n->q);
		n->q = NULL;
	}
	q_head = q_tail = 0;
}

static void confchg_on(uint32_t id, enum proto_conf_type type,
    const uint32_t *m, size_t k)
{
	struct proto_conf conf = { type, { m[0], ring_seq }, k, m };

	quorum_service_ops.confchg(nodes[id].q, &conf);
	votequorum_service_ops.confchg(nodes[id].q, &conf);
}

/* A new ring of the nodes in `m` (0-terminated), each told a
 * transitional configuration of `trans` first when given. */
static void ring(const uint32_t *m, const uint32_t *trans)
{
	size_t k = 0, t = 0;

	while (m[k])
		k++;
	while (trans && trans[t])
		t++;
	ring_seq += 4;
	for (size_t i = 0; i < k; i++) {
		if (t)
			confchg_on(m[i], PROTO_CONF_TRANSITIONAL, trans, t);
		confchg_on(m[i], PROTO_CONF_REGULAR, m, k);
	}
}

/* Delivers what was submitted, in order, to the nodes in `m`. */
static void deliver(const uint32_t *m)
{
	while (q_head < q_tail) {
		struct ordered *o = &queue[q_head++];

		for (size_t i = 0; m[i]; i++)
			votequorum_service_ops.deliver(nodes[m[i]].q, o->sender,
			    o->msg, o->len, PROTO_AGREED);
	}
}

static uint32_t request(uint32_t id, uint16_t type, const void *body,
    size_t len)
{
	struct node *n = &nodes[id];
	const struct service_ops *ops = type < VQ_REQ_OPEN ?
	    &quorum_service_ops : &votequorum_service_ops;
	struct ipc_hdr h = { .type = type, .seq = 7 };
	struct rbuf rb;
	int before = n->conn.replies;

	rbuf_init(&rb, body, len);
	ops->request(n->q, &n->conn.c, &h, &rb);
	assert_int_equal(n->conn.replies, before + 1);
	return n->conn.last_error;
}

static uint32_t request_u32(uint32_t id, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	put_u32(b, v);
	return request(id, type, b, sizeof(b));
}

static uint32_t request_2u32(uint32_t id, uint16_t type, uint32_t a,
    uint32_t v)
{
	uint8_t b[8];

	put_u32(b, a);
	put_u32(b + 4, v);
	return request(id, type, b, sizeof(b));
}

static uint32_t vq_trackstart(uint32_t id, uint64_t context, uint32_t flags)
{
	uint8_t b[12];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u64(&wb, context);
	wbuf_u32(&wb, flags);
	return request(id, VQ_REQ_TRACKSTART, b, wb.len);
}

static const struct event *ev(uint32_t id, int k)
{
	assert_true(k < nodes[id].conn.n);
	return &nodes[id].conn.ev[k];
}

static void clear_events(void)
{
	for (uint32_t id = 1; id <= NODES; id++)
		nodes[id].conn.n = 0;
}

/* A QUORUM_EV_NODELIST's lists, as "members|joined|left". */
static void nodelist_text(const struct event *e, char *out, size_t cap)
{
	struct rbuf rb;
	uint32_t n[3];
	size_t len = 0;

	assert_int_equal(e->type, QUORUM_EV_NODELIST);
	rbuf_init(&rb, e->body, e->len);
	(void)rbuf_u32(&rb);
	(void)rbuf_u64(&rb);
	for (int i = 0; i < 3; i++)
		n[i] = rbuf_u32(&rb);
	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		for (uint32_t j = 0; j < n[i]; j++)
			len += (size_t)snprintf(out + len, cap - len, "%s%u",
			    j ? " " : "", rbuf_u32(&rb));
		if (i < 2)
			len += (size_t)snprintf(out + len, cap - len, "|");
	}
	assert_false(rb.err);
	assert_int_equal(rb.left, 0);
}

/* A QUORUM_EV_QUORUM as "quorate: members". */
static void quorum_text(const struct event *e, char *out, size_t cap)
{
	struct rbuf rb;
	uint32_t q, n;
	size_t len;

	assert_int_equal(e->type, QUORUM_EV_QUORUM);
	rbuf_init(&rb, e->body, e->len);
	q = rbuf_u32(&rb);
	(void)rbuf_u32(&rb);
	(void)rbuf_u64(&rb);
	n = rbuf_u32(&rb);
	len = (size_t)snprintf(out, cap, "%u:", q);
	for (uint32_t j = 0; j < n; j++)
		len += (size_t)snprintf(out + len, cap - len, " %u",
		    rbuf_u32(&rb));
	assert_int_equal(rb.left, 0);
}

/* A VQ_EV_QUORUM as "context quorate: id/state ...". */
static void vq_quorum_text(const struct event *e, char *out, size_t cap)
{
	struct rbuf rb;
	uint64_t ctx;
	uint32_t q, n;
	size_t len;

	assert_int_equal(e->type, VQ_EV_QUORUM);
	rbuf_init(&rb, e->body, e->len);
	ctx = rbuf_u64(&rb);
	q = rbuf_u32(&rb);
	n = rbuf_u32(&rb);
	len = (size_t)snprintf(out, cap, "%llu %u:", (unsigned long long)ctx, q);
	for (uint32_t j = 0; j < n; j++) {
		uint32_t id = rbuf_u32(&rb);

		len += (size_t)snprintf(out + len, cap - len, " %u/%u", id,
		    rbuf_u32(&rb));
	}
	assert_int_equal(rb.left, 0);
}

/* After a ring's two node lists, the decision: libquorum's quorum
 * notification, then libvotequorum's. */
static void decided(uint32_t id, const char *quorum, const char *vq)
{
	char text[128];

	assert_int_equal(nodes[id].conn.n, 4);
	quorum_text(ev(id, 2), text, sizeof(text));
	assert_string_equal(text, quorum);
	vq_quorum_text(ev(id, 3), text, sizeof(text));
	assert_string_equal(text, vq);
}

static const uint32_t all[] = { 1, 2, 3, 0 };

static void start(bool provider)
{
	for (uint32_t id = 1; id <= NODES; id++) {
		node_init(id, provider);
		ring((uint32_t[]){ id, 0 }, NULL);
		deliver((uint32_t[]){ id, 0 });
	}
	ring(all, NULL);
	deliver(all);
	clear_events();
}

/* ------------------------------------------------ the tests */

static void no_provider(void **state)
{
	char text[128];

	node_init(1, false);
	assert_true(votequorum_service_ops.ready(nodes[1].q));
	assert_int_equal(request_u32(1, QUORUM_REQ_GETTYPE, 1), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 0);   /* QUORUM_FREE */
	assert_int_equal(request(1, QUORUM_REQ_GETQUORATE, NULL, 0), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 1);
	assert_int_equal(request(1, VQ_REQ_OPEN, NULL, 0),
	    CS_ERR_NOT_SUPPORTED);
	assert_int_equal(request_u32(1, VQ_REQ_GETINFO, 0),
	    CS_ERR_NOT_SUPPORTED);
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CHANGES), CS_OK);
	/* The snapshot: node list (empty joined and left), then quorum. */
	assert_int_equal(nodes[1].conn.n, 2);
	nodelist_text(ev(1, 0), text, sizeof(text));
	assert_string_equal(text, "1||");
	quorum_text(ev(1, 1), text, sizeof(text));
	assert_string_equal(text, "1: 1");
	/* A membership change: both at once, always quorate. */
	ring_seq += 4;
	confchg_on(1, PROTO_CONF_TRANSITIONAL, (uint32_t[]){ 1 }, 1);
	confchg_on(1, PROTO_CONF_REGULAR, (uint32_t[]){ 1, 2 }, 2);
	assert_int_equal(nodes[1].conn.n, 4);
	nodelist_text(ev(1, 2), text, sizeof(text));
	assert_string_equal(text, "1 2|2|");
	quorum_text(ev(1, 3), text, sizeof(text));
	assert_string_equal(text, "1: 1 2");
	assert_int_equal(q_tail, 0);   /* nothing multicast */
	nodes_free();
}

static void decision_and_order(void **state)
{
	char text[128];
	uint8_t *r;

	for (uint32_t id = 1; id <= NODES; id++) {
		node_init(id, true);
		assert_false(votequorum_service_ops.ready(nodes[id].q));
	}
	assert_int_equal(request_u32(1, QUORUM_REQ_GETTYPE, 1), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 1);   /* QUORUM_SET */
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CHANGES_ONLY), CS_OK);
	assert_int_equal(vq_trackstart(1, 77, CS_TRACK_CHANGES_ONLY), CS_OK);
	assert_int_equal(nodes[1].conn.n, 0);
	ring(all, NULL);
	/* At the change: the node lists only; the decision waits for every
	 * member's node information. */
	assert_int_equal(nodes[1].conn.n, 2);
	nodelist_text(ev(1, 0), text, sizeof(text));
	assert_string_equal(text, "1 2 3|2 3|");
	assert_int_equal(ev(1, 1)->type, VQ_EV_NODELIST);
	assert_int_equal(q_tail, 3);
	deliver(all);
	assert_true(votequorum_service_ops.ready(nodes[1].q));
	/* Expected votes were not raised (3 = 3): quorum, then vq quorum
	 * with every node in corosync's list order. */
	decided(1, "1: 1 2 3", "77 1: 2/1 3/1 1/1");
	/* getinfo of this node (0), as corosync's healthy 3-node. */
	assert_int_equal(request_u32(1, VQ_REQ_GETINFO, 0), CS_OK);
	r = nodes[1].conn.reply;
	assert_int_equal(nodes[1].conn.reply_len, 40);
	assert_int_equal(get_u32(r), 1);
	assert_int_equal(get_u32(r + 4), 1);      /* MEMBER */
	assert_int_equal(get_u32(r + 8), 1);
	assert_int_equal(get_u32(r + 12), 3);
	assert_int_equal(get_u32(r + 16), 3);
	assert_int_equal(get_u32(r + 20), 3);
	assert_int_equal(get_u32(r + 24), 2);
	assert_int_equal(get_u32(r + 28), 2);     /* QUORATE */
	assert_int_equal(request_u32(1, VQ_REQ_GETINFO, 9), CS_ERR_NOT_EXIST);
	/* Node 3 dies. */
	clear_events();
	ring((uint32_t[]){ 1, 2, 0 }, (uint32_t[]){ 1, 2, 0 });
	nodelist_text(ev(1, 0), text, sizeof(text));
	assert_string_equal(text, "1 2||3");
	deliver((uint32_t[]){ 1, 2, 0 });
	decided(1, "1: 1 2", "77 1: 2/1 3/2 1/1");
	assert_int_equal(request_u32(1, VQ_REQ_GETINFO, 3), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply + 4), 2);   /* DEAD */
	/* Node 2 dies too: node 1 alone has no quorum. */
	clear_events();
	ring((uint32_t[]){ 1, 0 }, (uint32_t[]){ 1, 0 });
	deliver((uint32_t[]){ 1, 0 });
	quorum_text(ev(1, 2), text, sizeof(text));
	assert_string_equal(text, "0: 1");
	assert_int_equal(request(1, QUORUM_REQ_GETQUORATE, NULL, 0), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 0);
	nodes_free();
}

/* In the middle of a synchronisation the rules may already count a
 * quorum that is not decided yet: libquorum (GETQUORATE, a CURRENT
 * snapshot) and the status tell the last one published, as corosync
 * answers from what it last announced. */
static void quorate_as_published(void **state)
{
	struct quorum_status st;
	char text[128];

	for (uint32_t id = 1; id <= NODES; id++) {
		node_init(id, true);
		ring((uint32_t[]){ id, 0 }, NULL);
		deliver((uint32_t[]){ id, 0 });
	}
	clear_events();
	ring(all, NULL);
	/* Node 1 hears its own and node 2's information: 2 of 3 votes. */
	for (int k = 0; k < 2; k++)
		votequorum_service_ops.deliver(nodes[1].q, queue[k].sender,
		    queue[k].msg, queue[k].len, PROTO_AGREED);
	assert_int_equal(request(1, QUORUM_REQ_GETQUORATE, NULL, 0), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 0);
	quorum_svc_status(nodes[1].q, &st);
	assert_false(st.quorate);
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CURRENT), CS_OK);
	quorum_text(ev(1, nodes[1].conn.n - 1), text, sizeof(text));
	assert_int_equal(text[0], '0');
	/* The rest: decided, and told. */
	for (int k = 2; k < q_tail; k++)
		votequorum_service_ops.deliver(nodes[1].q, queue[k].sender,
		    queue[k].msg, queue[k].len, PROTO_AGREED);
	q_head = q_tail;
	assert_int_equal(request(1, QUORUM_REQ_GETQUORATE, NULL, 0), CS_OK);
	assert_int_equal(get_u32(nodes[1].conn.reply), 1);
	quorum_svc_status(nodes[1].q, &st);
	assert_true(st.quorate);
	nodes_free();
}

static void trackstart_quirks(void **state)
{
	char text[128];

	start(true);
	assert_int_equal(request_u32(1, QUORUM_REQ_GETTYPE, 0), CS_OK);
	/* CURRENT alone: a snapshot (V0: quorum only), no registration. */
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CURRENT), CS_OK);
	assert_int_equal(nodes[1].conn.n, 1);
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CHANGES), CS_OK);
	/* Again: EXIST, with a fresh snapshot all the same. */
	assert_int_equal(request_u32(1, QUORUM_REQ_TRACKSTART,
	    CS_TRACK_CHANGES), CS_ERR_EXIST);
	assert_int_equal(nodes[1].conn.n, 3);
	/* trackstop: OK, and OK again. */
	assert_int_equal(request(1, QUORUM_REQ_TRACKSTOP, NULL, 0), CS_OK);
	assert_int_equal(request(1, QUORUM_REQ_TRACKSTOP, NULL, 0), CS_OK);
	/* A bad model. */
	assert_int_equal(request_u32(1, QUORUM_REQ_GETTYPE, 2),
	    CS_ERR_INVALID_PARAM);
	/* votequorum: trackstop without tracking is NOT_EXIST. */
	clear_events();
	assert_int_equal(request(1, VQ_REQ_TRACKSTOP, NULL, 0),
	    CS_ERR_NOT_EXIST);
	assert_int_equal(vq_trackstart(1, 5, CS_TRACK_CHANGES), CS_OK);
	assert_int_equal(vq_trackstart(1, 6, CS_TRACK_CURRENT),
	    CS_ERR_EXIST);
	/* Both snapshots carry their own call's context; later ones the
	 * registering call's. */
	assert_int_equal(nodes[1].conn.n, 4);
	vq_quorum_text(ev(1, 1), text, sizeof(text));
	assert_string_equal(text, "5 1: 2/1 3/1 1/1");
	vq_quorum_text(ev(1, 3), text, sizeof(text));
	assert_string_equal(text, "6 1: 2/1 3/1 1/1");
	ring((uint32_t[]){ 1, 0 }, (uint32_t[]){ 1, 0 });
	deliver((uint32_t[]){ 1, 0 });
	vq_quorum_text(ev(1, nodes[1].conn.n - 1), text, sizeof(text));
	assert_string_equal(text, "5 0: 2/2 3/2 1/1");
	assert_int_equal(request(1, VQ_REQ_TRACKSTOP, NULL, 0), CS_OK);
	nodes_free();
}

static void reconfigure(void **state)
{
	uint8_t name[8];
	struct rbuf rb;

	start(true);
	assert_int_equal(vq_trackstart(2, 1, CS_TRACK_CHANGES_ONLY), CS_OK);
	assert_int_equal(request_u32(1, VQ_REQ_SETEXPECTED, 1),
	    CS_ERR_INVALID_PARAM);
	assert_int_equal(request_2u32(1, VQ_REQ_SETVOTES, 9, 1),
	    CS_ERR_NAME_NOT_FOUND);
	assert_int_equal(request_2u32(1, VQ_REQ_SETVOTES, 0, 1),
	    CS_ERR_NAME_NOT_FOUND);
	assert_int_equal(q_tail - q_head, 0);
	/* Node 3 gets 2 votes: the expected votes follow (4), quorum 3. */
	assert_int_equal(request_2u32(1, VQ_REQ_SETVOTES, 3, 2), CS_OK);
	assert_int_equal(q_tail - q_head, 1);
	deliver(all);
	assert_int_equal(nodes[2].conn.n, 1);
	assert_int_equal(ev(2, 0)->type, VQ_EV_EXPECTED);
	rbuf_init(&rb, ev(2, 0)->body, ev(2, 0)->len);
	assert_int_equal(rbuf_u64(&rb), 1);
	assert_int_equal(rbuf_u32(&rb), 4);
	for (uint32_t id = 1; id <= NODES; id++) {
		struct quorum_status st;

		quorum_svc_status(nodes[id].q, &st);
		assert_true(st.quorate);
		assert_int_equal(st.quorum, 3);
		assert_int_equal(st.total_votes, 4);
		assert_int_equal(st.expected_votes, 4);
	}
	/* setexpected 5 everywhere. */
	assert_int_equal(request_u32(2, VQ_REQ_SETEXPECTED, 5), CS_OK);
	deliver(all);
	assert_int_equal(ev(2, nodes[2].conn.n - 1)->type, VQ_EV_EXPECTED);
	/* The quorum device: Cohort runs none. */
	put_u32(name, 3);
	memcpy(name + 4, "dev", 3);
	assert_int_equal(request(1, VQ_REQ_QDEVICE_REGISTER, name, 7),
	    CS_ERR_NOT_SUPPORTED);
	nodes_free();
}

static void malformed(void **state)
{
	uint8_t junk[3] = { 1, 2, 3 };
	struct ipc_hdr h = { .type = VQ_REQ_GETINFO, .seq = 1 };
	struct rbuf rb;
	uint8_t msg[4] = { 3, 9, 1, 0 };

	start(true);
	rbuf_init(&rb, junk, sizeof(junk));
	votequorum_service_ops.request(nodes[1].q, &nodes[1].conn.c, &h, &rb);
	assert_true(nodes[1].conn.closed);
	/* An ordered message of another version is dropped, counted. */
	votequorum_service_ops.deliver(nodes[2].q, 1, msg, sizeof(msg),
	    PROTO_AGREED);
	assert_int_equal(nodes[2].conn.n, 0);
	nodes_free();
}

/* Writes corosync's barrier file (4 bytes, host order) into the test's
 * directory. */
static void corosync_file(uint32_t v)
{
	char path[TMPDIR_PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ev_tracking", tmpdir_path());
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(&v, sizeof(v), 1, f), 1);
	assert_int_equal(fclose(f), 0);
}

static uint32_t expected_votes(uint32_t id)
{
	struct quorum_status st;

	quorum_svc_status(nodes[id].q, &st);
	return st.expected_votes;
}

/* expected_votes_tracking: a start takes the higher of this node's
 * barrier and corosync's, keeps corosync's in its own file when it is
 * the higher (written by the helper thread, finished when the service is
 * freed), and leaves out a value above the limit. */
/* Starts node 1 with corosync's barrier at `corosync`: its expected votes
 * must be `expected`, and once it is freed (its writer finished) its own
 * file must hold `kept`. */
static void start_with(uint32_t corosync, uint32_t expected, uint64_t kept)
{
	uint64_t v = 0;

	corosync_file(corosync);
	node_init(1, true);
	assert_int_equal(expected_votes(1), expected);
	nodes_free();
	assert_int_equal(statedir_get(&nodes[1].state, "ev_tracking", NULL, 0),
	    0);
	assert_int_equal(statedir_read(&nodes[1].state, "ev_tracking", &v), 0);
	assert_int_equal(v, kept);
}

static void barrier_carried_over(void **state)
{
	char path[TMPDIR_PATH_MAX + 32];

	(void)state;
	tracking = true;
	start_with(5, 5, 5);
	/* corosync ran in between and raised it: taken. */
	start_with(9, 9, 9);
	/* Lower than this node's: this node's stands. */
	start_with(4, 9, 9);

	/* A barrier above the expected votes' limit is not taken. */
	snprintf(path, sizeof(path), "%s/ev_tracking_1", tmpdir_path());
	assert_int_equal(unlink(path), 0);
	start_with(1000001, NODES, NODES);
	tracking = false;
	snprintf(path, sizeof(path), "%s/ev_tracking", tmpdir_path());
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/ev_tracking_1", tmpdir_path());
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	if (tmpdir_setup(state) < 0)
		return -1;
	return loop_new(&loop);
}

static int teardown(void **state)
{
	loop_free(loop);
	return tmpdir_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_provider),
		cmocka_unit_test(decision_and_order),
		cmocka_unit_test(quorate_as_published),
		cmocka_unit_test(trackstart_quirks),
		cmocka_unit_test(reconfigure),
		cmocka_unit_test(malformed),
		cmocka_unit_test(barrier_carried_over),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
