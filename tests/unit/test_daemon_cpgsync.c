/*
 * Unit tests: the CPG service's multi-node logic (src/daemon/cpg/service.c,
 * sync.c, deliver.c) without a network: services on nodes 1, 2 and 3 whose
 * ordered messages this test delivers in one total order, to all of them
 * or to one side of a split, and whose configuration changes it plays:
 * joins, a partition (NODEDOWN), a merge (JOINLIST exchange, NODEUP),
 * messages held back during synchronisation, a ring that breaks
 * while it synchronises, and the member limit (joins in flight on
 * several nodes, a merge into a group above the limit).
 *
 * The IPC server and the ordering glue are replaced at link time by the
 * small recorders below (the functions the CPG service calls), so what
 * each local connection would receive can be checked event by event.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <corosync/cpg.h>

#include "daemon/cpg/cpg_int.h"

#define MAX_EVENTS 64

/* ------------------------------------------------ the collaborators */

struct event {
	uint16_t type;
	uint32_t n_members, n_left, n_joined;
	struct ipc_member m[8];       /* members, then left, then joined */
	uint32_t left_reason, joined_reason;   /* of the first of each */
	uint32_t nodeid, pid;         /* deliver */
	char data[32];
};

struct fake_conn {
	struct conn c;
	struct cpg_conn cc;           /* c.svc[SERVICE_CPG] */
	struct event ev[MAX_EVENTS];
	int n;
	/* Kept for every connection, even one that keeps no events (many
	 * connections see many confchgs in the member limit tests). */
	bool summary_only;
	int confchgs, max_members;
	struct event last_confchg;
	int replies;
	uint32_t last_error;
	uint32_t last_count;          /* first u32 of the last reply's body */
	bool closed;
};

struct ordered {
	uint32_t sender;
	size_t len;
	uint8_t msg[2048];            /* a JOINLIST of a hundred members */
};

static struct ordered queue[1024];
static int q_head, q_tail;

/* What a node submitted while node_hold was on, in order. */
#define HELD_MAX 16
static struct ordered held[3][HELD_MAX];
static int n_held[3];
static bool holding[3];

struct ipcs {
	struct conn *first;
	struct cpg_svc *cpg;
	bool allow_close;             /* else a close fails the test */
};

struct ordering {
	uint32_t nodeid;
};

static void put(struct ordered *o, uint32_t sender, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen)
{
	assert_true(hlen + plen <= sizeof(o->msg));
	o->sender = sender;
	o->len = hlen + plen;
	memcpy(o->msg, hdr, hlen);
	if (plen)
		memcpy(o->msg + hlen, payload, plen);
}

/* Node ids are 1..3, their slots 0..2. */
int ordering_submit2(struct ordering *o, struct conn *owner,
    const uint8_t *hdr, size_t hlen, const uint8_t *payload, size_t plen,
    enum proto_guarantee g, uint64_t cost)
{
	int i = (int)o->nodeid - 1;

	if (holding[i]) {
		assert_true(n_held[i] < HELD_MAX);
		put(&held[i][n_held[i]++], o->nodeid, hdr, hlen, payload, plen);
	} else {
		assert_true(q_tail < (int)(sizeof(queue) / sizeof(queue[0])));
		put(&queue[q_tail++], o->nodeid, hdr, hlen, payload, plen);
	}
	return 0;
}

int ordering_submit_sync(struct ordering *o, const uint8_t *msg, size_t len)
{
	put(&queue[q_tail++], o->nodeid, msg, len, NULL, 0);
	return 0;
}

void ordering_hold(struct ordering *o, bool on)
{
	int i = (int)o->nodeid - 1;

	holding[i] = on;
	if (on)
		return;
	for (int k = 0; k < n_held[i]; k++)
		queue[q_tail++] = held[i][k];
	n_held[i] = 0;
}

int ordering_submit(struct ordering *o, struct conn *owner,
    const uint8_t *msg, size_t len, enum proto_guarantee g, uint64_t cost)
{
	return ordering_submit2(o, owner, msg, len, NULL, 0, g, cost);
}

void ordering_forget_owner(struct ordering *o, struct conn *c)
{
}

/* These tests deliver from their own queue, not from an engine's store:
 * nothing can be taken, the payload is copied. */
void *ordering_take_delivered(struct ordering *o, const uint8_t *msg)
{
	return NULL;
}

/* Whether a local reader holds the ring back, per node (set by a test;
 * as many as the tests' nodes below). */
static bool congested_node[3];

bool ordering_congested(const struct ordering *o)
{
	return congested_node[o->nodeid - 1];
}

struct conn *ipcs_first(struct ipcs *s)
{
	return s->first;
}

/* Keeps a confchg's counts and its first entries (members, then left,
 * then joined, as many as fit). */
static void record_confchg(struct event *e, const struct ipc_ev_confchg *ev)
{
	size_t total = (size_t)ev->n_members + ev->n_left + ev->n_joined;
	size_t room = sizeof(e->m) / sizeof(e->m[0]);
	struct ipc_member m;

	e->n_members = ev->n_members;
	e->n_left = ev->n_left;
	e->n_joined = ev->n_joined;
	for (size_t i = 0; i < total && i < room; i++)
		ipc_member_at(ev->entries, i, &e->m[i]);
	if (ev->n_left) {
		ipc_member_at(ev->entries, ev->n_members, &m);
		e->left_reason = m.reason;
	}
	if (ev->n_joined) {
		ipc_member_at(ev->entries, total - ev->n_joined, &m);
		e->joined_reason = m.reason;
	}
}

void ipcs_event(struct conn *c, struct frame *f)
{
	struct fake_conn *fc = (struct fake_conn *)c;
	struct event *e, one;
	struct ipc_hdr h;
	struct rbuf rb;

	if (c->dead)
		return;   /* as ipcs/: a closing connection gets nothing */
	e = fc->summary_only ? &one : &fc->ev[fc->n++];
	assert_true(fc->n <= MAX_EVENTS);
	assert_int_equal(ipc_hdr_get(f->data, &h), 0);
	rbuf_init(&rb, f->data + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	memset(e, 0, sizeof(*e));
	e->type = h.type;
	if (h.type == IPC_EV_CONFCHG) {
		struct ipc_ev_confchg ev;

		assert_int_equal(ipc_ev_confchg_get(&rb, &ev), 0);
		record_confchg(e, &ev);
		fc->confchgs++;
		fc->last_confchg = *e;
		if (fc->max_members < (int)ev.n_members)
			fc->max_members = (int)ev.n_members;
	} else if (h.type == IPC_EV_DELIVER) {
		struct ipc_ev_deliver ev;

		assert_int_equal(ipc_ev_deliver_get(&rb, &ev), 0);
		e->nodeid = ev.nodeid;
		e->pid = ev.pid;
		memcpy(e->data, ev.data, ev.len < 31 ? ev.len : 31);
	}
}

void ipcs_reply(struct conn *c, uint32_t seq, uint32_t error,
    const void *body, size_t len)
{
	struct fake_conn *fc = (struct fake_conn *)c;

	if (c->dead)
		return;
	fc->replies++;
	fc->last_error = error;
	fc->last_count = len >= 4 ? get_u32(body) : 0;
}

void ipcs_credit(struct conn *c, uint64_t cost)
{
}

void ipcs_watch_joiner(struct conn *c)
{
}

void ipcs_close_conn(struct ipcs *s, struct conn *c, const char *why)
{
	if (!s->allow_close)
		fail_msg("connection closed: %s", why);
	if (c->dead)
		return;
	c->dead = true;
	((struct fake_conn *)c)->closed = true;
	cpg_svc_conn_closed(s->cpg, c);
}

static void synced(void *arg)
{
}

/* ------------------------------------------------------- the cluster */

struct node {
	struct cpg_svc *cpg;
	struct ordering ord;
	struct ipcs ipcs;
	struct fake_conn conn;
	struct fake_conn *extra;      /* more connections; owned */
	int n_extra;
};

static struct node nodes[3];

static void setup_node(struct node *n, uint32_t id, uint32_t pid)
{
	memset(n, 0, sizeof(*n));
	n_held[id - 1] = 0;
	holding[id - 1] = false;
	n->ord.nodeid = id;
	n->ipcs.first = &n->conn.c;
	n->conn.c.id = id;
	n->conn.c.wants_events = true;
	n->conn.c.cpg_handle = true;
	n->conn.c.pid = (pid_t)pid;
	n->conn.c.svc[SERVICE_CPG] = &n->conn.cc;
	assert_int_equal(cpg_svc_new(&(struct cpg_env){ id, &n->ipcs, &n->ord,
	    { synced, NULL } }, &n->cpg), 0);
	n->ipcs.cpg = n->cpg;
}

/* Delivers every queued ordered message to the given nodes. */
static void deliver_all(int first, int count)
{
	while (q_head < q_tail) {
		struct ordered *o = &queue[q_head++];

		for (int i = first; i < first + count; i++)
			cpg_svc_deliver(nodes[i].cpg, o->sender, o->msg, o->len,
			    PROTO_AGREED);
	}
}

/* Delivers queue entry k to node slot i (for orders that differ in what
 * each side of a split has). */
static void deliver_one(int k, int i)
{
	const struct ordered *o = &queue[k];

	cpg_svc_deliver(nodes[i].cpg, o->sender, o->msg, o->len,
	    PROTO_AGREED);
}

static void confchg(int node, enum proto_conf_type type, uint32_t rep,
    uint64_t seq, const uint32_t *members, size_t n)
{
	struct proto_conf c = { type, { rep, seq }, n, members };

	cpg_svc_confchg(nodes[node].cpg, &c);
}

static void request_on(int node, struct fake_conn *fc, uint16_t type,
    const void *body, size_t len)
{
	struct ipc_hdr h = { .len = (uint32_t)(IPC_HDR_LEN + len), .type = type };
	struct rbuf rb;

	rbuf_init(&rb, body, len);
	cpg_svc_request(nodes[node].cpg, &fc->c, &h, &rb);
}

static void request(int node, uint16_t type, const void *body, size_t len)
{
	request_on(node, &nodes[node].conn, type, body, len);
}

static void put_name(struct wbuf *wb, const char *group)
{
	struct ipc_name n = { (uint32_t)strlen(group), { 0 } };

	memcpy(n.value, group, n.length);
	ipc_name_put(wb, &n);
}

static void join_on(int node, struct fake_conn *fc, const char *group,
    uint32_t pid)
{
	uint8_t body[256];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	put_name(&wb, group);
	wbuf_u32(&wb, pid);
	wbuf_u32(&wb, 0);
	request_on(node, fc, IPC_JOIN, body, wb.len);
}

static void join(int node, const char *group, uint32_t pid)
{
	join_on(node, &nodes[node].conn, group, pid);
}

/* The member count node slot `node` answers cpg_membership_get with. */
static uint32_t membership(int node, const char *group)
{
	uint8_t body[256];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	put_name(&wb, group);
	request(node, IPC_MEMBERSHIP, body, wb.len);
	assert_int_equal(nodes[node].conn.last_error, CS_OK);
	return nodes[node].conn.last_count;
}

static void mcast(int node, const char *text)
{
	uint8_t body[64];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, CPG_TYPE_AGREED);
	wbuf_copy(&wb, text, strlen(text));
	request(node, IPC_MCAST, body, wb.len);
}

static const struct event *last(int node, int back)
{
	struct fake_conn *fc = &nodes[node].conn;

	assert_true(fc->n > back);
	return &fc->ev[fc->n - 1 - back];
}

/* Two nodes in one ring, synchronised. */
static void two_nodes(void)
{
	const uint32_t both[] = { 1, 2 };

	setup_node(&nodes[0], 1, 100);
	setup_node(&nodes[1], 2, 200);
	q_head = q_tail = 0;
	confchg(0, PROTO_CONF_REGULAR, 1, 4, both, 2);
	confchg(1, PROTO_CONF_REGULAR, 1, 4, both, 2);
	deliver_all(0, 2);
}

static void partition_and_merge(void **state)
{
	const uint32_t both[] = { 1, 2 }, a[] = { 1 }, b[] = { 2 };
	const struct event *e;

	/* The first ring: both nodes, empty JOINLISTs, service ready. */
	two_nodes();
	assert_true(cpg_svc_ready(nodes[0].cpg));
	assert_true(cpg_svc_ready(nodes[1].cpg));

	/* A process on each node joins G; both see the same two confchgs. */
	join(0, "G", 100);
	deliver_all(0, 2);
	join(1, "G", 200);
	deliver_all(0, 2);
	e = last(0, 0);
	assert_int_equal(e->type, IPC_EV_CONFCHG);
	assert_int_equal(e->n_members, 2);
	assert_int_equal(e->m[2].pid, 200);       /* joined */
	assert_int_equal(e->m[2].reason, CPG_REASON_JOIN);
	assert_memory_equal(last(1, 0), e, sizeof(*e));
	/* Each join was answered once, when it was delivered. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(nodes[i].conn.replies, 1);
		assert_int_equal(nodes[i].conn.last_error, CS_OK);
	}

	/* A message reaches both, in order. */
	mcast(0, "one");
	deliver_all(0, 2);
	assert_string_equal(last(0, 0)->data, "one");
	assert_string_equal(last(1, 0)->data, "one");

	/* Partition: each side sees the other's process leave, NODEDOWN,
	 * at the regular configuration (what the transitional one delivers
	 * belongs to the old view). */
	confchg(0, PROTO_CONF_TRANSITIONAL, 1, 4, a, 1);
	confchg(1, PROTO_CONF_TRANSITIONAL, 1, 4, b, 1);
	assert_string_equal(last(0, 0)->data, "one");
	confchg(0, PROTO_CONF_REGULAR, 1, 8, a, 1);
	confchg(1, PROTO_CONF_REGULAR, 2, 8, b, 1);
	e = last(0, 0);
	assert_int_equal(e->type, IPC_EV_CONFCHG);
	assert_int_equal(e->n_members, 1);
	assert_int_equal(e->n_left, 1);
	assert_int_equal(e->m[1].nodeid, 2);
	assert_int_equal(e->m[1].reason, CPG_REASON_NODEDOWN);
	assert_int_equal(last(1, 0)->m[1].reason, CPG_REASON_NODEDOWN);
	/* Each side's JOINLIST, to its side only. */
	deliver_one(q_tail - 2, 0);
	deliver_one(q_tail - 1, 1);
	q_head = q_tail;
	assert_int_equal(last(0, 0)->type, IPC_EV_TOTEM);

	/* Merge: each side came alone from its ring. B's process sends
	 * while the ring synchronises: the message is held back and goes
	 * out once the JOINLISTs are all in, in the merged view. */
	confchg(0, PROTO_CONF_TRANSITIONAL, 1, 8, a, 1);
	confchg(1, PROTO_CONF_TRANSITIONAL, 2, 8, b, 1);
	confchg(0, PROTO_CONF_REGULAR, 1, 12, both, 2);
	confchg(1, PROTO_CONF_REGULAR, 1, 12, both, 2);
	mcast(1, "held");
	assert_int_equal(q_tail - q_head, 2);     /* the two JOINLISTs only */
	assert_int_equal(n_held[1], 1);
	deliver_all(0, 2);
	for (int n = 0; n < 2; n++) {
		/* NODEUP confchg, then the totem confchg, then the message. */
		e = last(n, 2);
		assert_int_equal(e->type, IPC_EV_CONFCHG);
		assert_int_equal(e->n_members, 2);
		assert_int_equal(e->n_joined, 1);
		assert_int_equal(e->m[2].nodeid, n == 0 ? 2 : 1);
		assert_int_equal(e->m[2].reason, CPG_REASON_NODEUP);
		assert_int_equal(last(n, 1)->type, IPC_EV_TOTEM);
		assert_int_equal(last(n, 0)->type, IPC_EV_DELIVER);
		assert_string_equal(last(n, 0)->data, "held");
	}
	/* Both member lists agree. */
	assert_memory_equal(last(0, 2)->m, last(1, 2)->m,
	    2 * sizeof(struct ipc_member));
	cpg_svc_free(nodes[0].cpg);
	cpg_svc_free(nodes[1].cpg);
}

/* Delivers queue entries [from, to) to node slots [first, first+count). */
static void deliver_range(int from, int to, int first, int count)
{
	for (int k = from; k < to; k++)
		for (int i = first; i < first + count; i++)
			deliver_one(k, i);
}

/* The member pids of the view in which node slot i delivered `text`
 * (the last confchg before it), sorted; -1 if it was not delivered. */
static int view_of(int i, const char *text, uint32_t *pids)
{
	const struct fake_conn *fc = &nodes[i].conn;
	int view = -1;

	for (int k = 0; k < fc->n; k++) {
		const struct event *e = &fc->ev[k];

		if (e->type == IPC_EV_CONFCHG)
			view = k;
		if (e->type == IPC_EV_DELIVER && strcmp(e->data, text) == 0) {
			int n;

			assert_true(view >= 0);
			n = (int)fc->ev[view].n_members;
			for (int j = 0; j < n; j++)
				pids[j] = fc->ev[view].m[j].pid;
			for (int a = 1; a < n; a++)
				for (int b = a; b > 0 && pids[b] < pids[b - 1]; b--) {
					uint32_t t = pids[b];

					pids[b] = pids[b - 1];
					pids[b - 1] = t;
				}
			return n;
		}
	}
	return -1;
}

static int count_type(int i, uint16_t type)
{
	int n = 0;

	for (int k = 0; k < nodes[i].conn.n; k++)
		n += nodes[i].conn.ev[k].type == type;
	return n;
}

/* Rings (1, seq) of {1} and (2, seq) of {2, 3}, each side synchronised
 * with what is queued. */
static void split(uint64_t seq)
{
	const uint32_t x[] = { 1 }, y[] = { 2, 3 };

	confchg(0, PROTO_CONF_TRANSITIONAL, 1, seq, x, 1);
	confchg(0, PROTO_CONF_REGULAR, 1, seq, x, 1);
	deliver_all(0, 1);
	for (int i = 1; i < 3; i++)
		confchg(i, PROTO_CONF_TRANSITIONAL, 2, seq, y, 2);
	for (int i = 1; i < 3; i++)
		confchg(i, PROTO_CONF_REGULAR, 2, seq, y, 2);
	deliver_all(1, 2);
}

/* Three nodes, a process of each in G; split into {1} and {2, 3}. */
static void three_nodes_split(void)
{
	const uint32_t all[] = { 1, 2, 3 };

	for (int i = 0; i < 3; i++)
		setup_node(&nodes[i], (uint32_t)i + 1, (uint32_t)(i + 1) * 100);
	q_head = q_tail = 0;
	for (int i = 0; i < 3; i++)
		confchg(i, PROTO_CONF_REGULAR, 1, 4, all, 3);
	deliver_all(0, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(cpg_svc_ready(nodes[i].cpg));
		join(i, "G", (uint32_t)(i + 1) * 100);
		deliver_all(0, 3);
	}
	assert_int_equal(last(0, 0)->n_members, 3);
	split(8);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(last(i, 0)->type, IPC_EV_TOTEM);
		assert_int_equal(last(i, 1)->n_members, i == 0 ? 1 : 2);
	}
}

/*
 * The ring that merges {1} and {2, 3} breaks while it synchronises: node
 * 1 delivers the last JOINLIST (its own) and completes, nodes 2 and 3
 * never get it. A message each side sent before the merge is delivered
 * by its own side only, in its own view, and the message node 2 sent
 * during the synchronisation waits for the next ring: no message is
 * delivered by two nodes in different views (chaos soak seed 965676562:
 * the old code applied the held messages in the merged view on node 1
 * and in the old one on nodes 2 and 3).
 */
static void split_while_synchronising(void **state)
{
	const uint32_t all[] = { 1, 2, 3 }, x[] = { 1 }, y[] = { 2, 3 };
	uint32_t pids[8];
	int k_y, k_x, k_jl1, k_jl3, from;

	three_nodes_split();
	/* Before the merge each side sends: the messages are queued in the
	 * engines, so each node's JOINLIST waits for its own message. */
	from = q_tail;
	mcast(2, "y");
	mcast(0, "x");
	k_y = from;
	k_x = from + 1;
	for (int i = 0; i < 3; i++)
		confchg(i, PROTO_CONF_TRANSITIONAL, 1, 12, i == 0 ? x : y,
		    i == 0 ? 1 : 2);
	for (int i = 0; i < 3; i++)
		confchg(i, PROTO_CONF_REGULAR, 1, 12, all, 3);
	assert_int_equal(q_tail, from + 3);       /* y, x, node 2's JOINLIST */
	mcast(1, "later");                        /* held: synchronising */
	assert_int_equal(n_held[1], 1);
	deliver_range(k_y, k_y + 1, 0, 3);        /* node 3's JOINLIST follows */
	k_jl3 = q_tail - 1;
	deliver_range(k_x, k_x + 1, 0, 3);        /* node 1's JOINLIST follows */
	k_jl1 = q_tail - 1;
	assert_int_equal(k_jl1, k_jl3 + 1);
	deliver_range(from + 2, k_jl1, 0, 3);     /* node 2's and node 3's */
	/* Node 1 completes; 2 and 3 get the transitional configuration. */
	deliver_one(k_jl1, 0);
	assert_int_equal(last(0, 0)->type, IPC_EV_TOTEM);
	assert_int_equal(last(0, 1)->n_members, 3);
	assert_int_equal(last(0, 1)->n_joined, 2);
	assert_int_equal(last(0, 1)->m[3].reason, CPG_REASON_NODEUP);
	/* Node 2's held message goes out ahead of its next JOINLIST. */
	q_head = q_tail;
	split(16);
	assert_int_equal(last(0, 1)->n_left, 2);
	assert_int_equal(last(0, 1)->m[1].reason, CPG_REASON_NODEDOWN);

	/* Each side delivered its own message, in its own view. */
	assert_int_equal(view_of(0, "x", pids), 1);
	assert_int_equal(pids[0], 100);
	assert_int_equal(view_of(0, "y", pids), -1);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(view_of(i, "y", pids), 2);
		assert_int_equal(pids[0], 200);
		assert_int_equal(pids[1], 300);
		assert_int_equal(view_of(i, "x", pids), -1);
		assert_int_equal(view_of(i, "later", pids), 2);
		/* No NODEUP on this side (node 1 never merged here): since
		 * "y", only "later" and the totem confchgs of the rings. */
		assert_int_equal(last(i, 0)->type, IPC_EV_TOTEM);
		assert_string_equal(last(i, 1)->data, "later");
		assert_int_equal(last(i, 2)->type, IPC_EV_DELIVER);
		assert_string_equal(last(i, 2)->data, "y");
	}
	assert_int_equal(view_of(0, "later", pids), -1);
	/* Each side counted the other's message it dropped. */
	for (int i = 0; i < 3; i++) {
		struct cpg_svc_stats st;

		cpg_svc_stats(nodes[i].cpg, &st);
		assert_int_equal(st.sync_dropped, 1);
		assert_false(st.syncing);
	}
	/* 2 and 3 saw the same events since the split (node 3 joined G
	 * last, so it saw one confchg fewer before). */
	for (int k = 0; k < 5; k++)
		assert_memory_equal(last(1, k), last(2, k), sizeof(struct event));
	for (int i = 0; i < 3; i++)
		cpg_svc_free(nodes[i].cpg);
}

/*
 * A message a node sends once it completed the synchronisation belongs to
 * the merged view; a node that delivers it without the last JOINLIST (the
 * ring broke, that JOINLIST is lost on its side) drops it rather than
 * deliver it in a view its sender never had.
 */
static void message_after_sync_dropped(void **state)
{
	const uint32_t all[] = { 1, 2, 3 }, x[] = { 1 }, y[] = { 2, 3 };
	uint32_t pids[8];
	int from;

	three_nodes_split();
	from = q_tail;
	for (int i = 0; i < 3; i++)
		confchg(i, PROTO_CONF_TRANSITIONAL, 1, 12, i == 0 ? x : y,
		    i == 0 ? 1 : 2);
	for (int i = 0; i < 3; i++)
		confchg(i, PROTO_CONF_REGULAR, 1, 12, all, 3);
	assert_int_equal(q_tail, from + 3);       /* the three JOINLISTs */
	/* Node 2 has them all and sends; node 3 missed node 1's. */
	deliver_range(from, from + 3, 0, 2);
	assert_int_equal(last(1, 0)->type, IPC_EV_TOTEM);
	q_head = q_tail;
	mcast(1, "merged");
	deliver_one(from + 1, 2);
	deliver_one(from + 2, 2);
	deliver_one(q_tail - 1, 0);
	deliver_one(q_tail - 1, 1);
	deliver_one(q_tail - 1, 2);
	assert_int_equal(view_of(0, "merged", pids), 3);
	assert_int_equal(view_of(1, "merged", pids), 3);
	assert_int_equal(view_of(2, "merged", pids), -1);
	assert_int_equal(count_type(2, IPC_EV_TOTEM), 2);  /* no third */
	for (int i = 0; i < 3; i++)
		cpg_svc_free(nodes[i].cpg);
}

/* Nodes 1 and 2, each in a ring of its own (1.4 and 2.4), synchronised. */
static void two_nodes_apart(void)
{
	const uint32_t a[] = { 1 }, b[] = { 2 };

	setup_node(&nodes[0], 1, 100);
	setup_node(&nodes[1], 2, 200);
	q_head = q_tail = 0;
	confchg(0, PROTO_CONF_REGULAR, 1, 4, a, 1);
	deliver_all(0, 1);
	confchg(1, PROTO_CONF_REGULAR, 2, 4, b, 1);
	deliver_all(1, 1);
}

/*
 * The synchronisation goes on through the transitional configuration:
 * a node that gets the last JOINLIST after it completes like one that
 * got it before, with the same events.
 */
static void sync_completes_in_transitional(void **state)
{
	const uint32_t both[] = { 1, 2 }, a[] = { 1 }, b[] = { 2 };
	const uint32_t three[] = { 1, 2, 3 };
	int from;

	two_nodes_apart();
	join(0, "G", 100);
	deliver_all(0, 1);
	join(1, "G", 200);
	deliver_all(1, 1);
	from = q_tail;
	for (int i = 0; i < 2; i++) {
		confchg(i, PROTO_CONF_TRANSITIONAL, 1, 8, i ? b : a, 1);
		confchg(i, PROTO_CONF_REGULAR, 1, 8, both, 2);
	}
	deliver_range(from, from + 1, 0, 2);
	/* The ring grows before node 2's JOINLIST is delivered: node 1 gets
	 * it in the regular configuration, node 2 after the transitional. */
	deliver_one(from + 1, 0);
	confchg(1, PROTO_CONF_TRANSITIONAL, 1, 12, both, 2);
	deliver_one(from + 1, 1);
	confchg(0, PROTO_CONF_TRANSITIONAL, 1, 12, both, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(last(i, 0)->type, IPC_EV_TOTEM);
		assert_int_equal(last(i, 1)->n_members, 2);
		assert_int_equal(last(i, 1)->m[2].reason, CPG_REASON_NODEUP);
		confchg(i, PROTO_CONF_REGULAR, 1, 12, three, 3);
	}
	assert_memory_equal(last(0, 1)->m, last(1, 1)->m,
	    2 * sizeof(struct ipc_member));
	cpg_svc_free(nodes[0].cpg);
	cpg_svc_free(nodes[1].cpg);
}

/* ------------------------------------------------ the member limit */

#define LIMIT COHORT_GROUP_MEMBERS_MAX

/* Gives node slot `node` `n` more connections, which keep no events. */
static void add_conns(int node, int n, uint32_t pid_base)
{
	struct node *nd = &nodes[node];

	nd->extra = calloc((size_t)n, sizeof(*nd->extra));
	assert_non_null(nd->extra);
	nd->n_extra = n;
	for (int i = 0; i < n; i++) {
		struct fake_conn *fc = &nd->extra[i];

		fc->summary_only = true;
		fc->c.id = 1000u + (uint32_t)i;
		fc->c.pid = (pid_t)(pid_base + (uint32_t)i);
		fc->c.wants_events = true;
		fc->c.cpg_handle = true;
		fc->c.svc[SERVICE_CPG] = &fc->cc;
		fc->c.next = i + 1 < n ? &nd->extra[i + 1].c : NULL;
	}
	nd->conn.c.next = &nd->extra[0].c;
}

static void free_nodes(int n)
{
	for (int i = 0; i < n; i++) {
		cpg_svc_free(nodes[i].cpg);
		free(nodes[i].extra);
	}
}

/*
 * Joins in flight on two nodes at once, twice as many as the group may
 * have: each node lets its own joins in flight count, so it refuses the
 * ones beyond at once; the others pass on both and are decided at
 * delivery, by both alike: the first LIMIT in the total order join, the
 * rest get CS_ERR_NO_SPACE. No confchg ever lists more than LIMIT, both
 * nodes answer cpg_membership_get with LIMIT, and once a member goes a
 * refused process may join.
 */
/* A join asked while a local reader holds the ring back is answered
 * CS_ERR_TRY_AGAIN at once, not held until the reader catches up (a
 * program whose other handle is that reader would wait on itself);
 * once the ring moves again the join goes through. */
static void join_while_congested(void **state)
{
	struct fake_conn *a;

	two_nodes();
	add_conns(0, 1, 1000);
	a = nodes[0].extra;
	congested_node[0] = true;
	join_on(0, &a[0], "C", 1000u);
	congested_node[0] = false;
	assert_int_equal(a[0].replies, 1);
	assert_int_equal(a[0].last_error, CS_ERR_TRY_AGAIN);
	assert_int_equal(a[0].cc.state, CONN_UNJOINED);
	assert_int_equal(q_tail - q_head, 0);
	join_on(0, &a[0], "C", 1000u);
	deliver_all(0, 2);
	assert_int_equal(a[0].last_error, CS_OK);
	assert_int_equal(a[0].cc.state, CONN_JOIN_COMPLETED);
	assert_int_equal(membership(1, "C"), 1);
	free_nodes(2);
}

static void joins_in_flight_limit(void **state)
{
	struct fake_conn *a, *b;

	two_nodes();
	add_conns(0, LIMIT + 2, 1000);
	add_conns(1, LIMIT, 2000);
	a = nodes[0].extra;
	b = nodes[1].extra;
	for (int i = 0; i < LIMIT; i++) {
		join_on(0, &a[i], "L", 1000u + (uint32_t)i);
		join_on(1, &b[i], "L", 2000u + (uint32_t)i);
	}
	for (int i = LIMIT; i < LIMIT + 2; i++) {
		join_on(0, &a[i], "L", 1000u + (uint32_t)i);
		assert_int_equal(a[i].replies, 1);
		assert_int_equal(a[i].last_error, CS_ERR_NO_SPACE);
		assert_int_equal(a[i].cc.state, CONN_UNJOINED);
	}
	/* Nothing is answered before its delivery. */
	assert_int_equal(a[0].replies + b[0].replies, 0);
	assert_int_equal(q_tail - q_head, 2 * LIMIT);
	deliver_all(0, 2);
	/* The order alternated between the nodes: each got half in. */
	for (int i = 0; i < LIMIT; i++) {
		bool in = i < LIMIT / 2;

		for (int k = 0; k < 2; k++) {
			struct fake_conn *fc = k ? &b[i] : &a[i];

			assert_int_equal(fc->replies, 1);
			assert_int_equal(fc->last_error, in ? CS_OK :
			    CS_ERR_NO_SPACE);
			assert_int_equal(fc->cc.state, in ? CONN_JOIN_COMPLETED :
			    CONN_UNJOINED);
			assert_true(fc->max_members <= LIMIT);
			assert_int_equal(fc->confchgs, in ? LIMIT - 2 * i -
			    k : 0);
		}
	}
	assert_int_equal(a[0].last_confchg.n_members, LIMIT);
	assert_int_equal(membership(0, "L"), LIMIT);
	assert_int_equal(membership(1, "L"), LIMIT);
	/* Full: refused when asked. */
	join_on(1, &b[LIMIT - 1], "L", 2000u + LIMIT - 1);
	assert_int_equal(b[LIMIT - 1].last_error, CS_ERR_NO_SPACE);
	assert_int_equal(q_tail - q_head, 0);

	/* A member's process exits (PROCDOWN): its place is free again. */
	nodes[1].ipcs.allow_close = true;
	ipcs_close_conn(&nodes[1].ipcs, &b[0].c, "exit");
	deliver_all(0, 2);
	assert_int_equal(a[0].last_confchg.n_members, LIMIT - 1);
	assert_int_equal(a[0].last_confchg.n_left, 1);
	assert_int_equal(a[0].last_confchg.left_reason, CPG_REASON_PROCDOWN);
	join_on(0, &a[LIMIT], "L", 1000u + LIMIT);
	assert_int_equal(a[LIMIT].replies, 1);    /* the refusal before */
	deliver_all(0, 2);
	assert_int_equal(a[LIMIT].replies, 2);
	assert_int_equal(a[LIMIT].last_error, CS_OK);
	assert_int_equal(membership(0, "L"), LIMIT);
	assert_int_equal(membership(1, "L"), LIMIT);
	free_nodes(2);
}

/*
 * Two sides each with a legal group merge into a group larger than the
 * limit. Both keep the same first LIMIT members in (node id, pid) order:
 * node 1's side sees only the NODEUP of those of node 2 that stay; node
 * 2's side sees node 1's processes come (NODEUP) and its own processes
 * beyond the limit go (PROCDOWN) in the same confchg, and node 2 closes
 * their connections, sending nothing: every node removed them already.
 */
static void merge_above_limit(void **state)
{
	const uint32_t both[] = { 1, 2 }, a1[] = { 1 }, b2[] = { 2 };
	const int per_side = LIMIT * 3 / 4, kept2 = LIMIT - per_side;
	struct fake_conn *a, *b;

	two_nodes_apart();
	add_conns(0, per_side, 1000);
	add_conns(1, per_side, 2000);
	a = nodes[0].extra;
	b = nodes[1].extra;
	for (int i = 0; i < per_side; i++)
		join_on(0, &a[i], "M", 1000u + (uint32_t)i);
	deliver_all(0, 1);
	for (int i = 0; i < per_side; i++)
		join_on(1, &b[i], "M", 2000u + (uint32_t)i);
	deliver_all(1, 1);
	assert_int_equal(membership(0, "M"), per_side);
	assert_int_equal(membership(1, "M"), per_side);

	nodes[1].ipcs.allow_close = true;
	for (int i = 0; i < 2; i++) {
		confchg(i, PROTO_CONF_TRANSITIONAL, i ? 2 : 1, 4, i ? b2 : a1,
		    1);
		confchg(i, PROTO_CONF_REGULAR, 1, 8, both, 2);
	}
	deliver_all(0, 2);
	assert_int_equal(membership(0, "M"), LIMIT);
	assert_int_equal(membership(1, "M"), LIMIT);
	for (int i = 0; i < per_side; i++) {
		const struct event *e = &a[i].last_confchg;

		assert_false(a[i].closed);
		assert_int_equal(e->n_members, LIMIT);
		assert_int_equal(e->n_left, 0);
		assert_int_equal(e->n_joined, kept2);
		assert_int_equal(e->joined_reason, CPG_REASON_NODEUP);
		assert_true(a[i].max_members <= LIMIT);
	}
	for (int i = 0; i < per_side; i++) {
		const struct event *e = &b[i].last_confchg;

		assert_true(b[i].max_members <= LIMIT);
		if (i >= kept2) {
			/* Dropped: closed, not told of the merged group. */
			assert_true(b[i].closed);
			assert_int_equal(b[i].cc.state, CONN_UNJOINED);
			assert_int_equal(e->n_members, per_side);
			continue;
		}
		assert_false(b[i].closed);
		assert_int_equal(e->n_members, LIMIT);
		assert_int_equal(e->n_left, per_side - kept2);
		assert_int_equal(e->left_reason, CPG_REASON_PROCDOWN);
		assert_int_equal(e->n_joined, per_side);
		assert_int_equal(e->joined_reason, CPG_REASON_NODEUP);
		assert_int_equal(e->m[0].nodeid, 1);   /* node 1's come first */
	}
	assert_int_equal(b[0].last_confchg.n_members, LIMIT);
	/* No PROCDOWN for the dropped ones follows (nor anything else). */
	assert_int_equal(q_tail - q_head, 0);
	/* The group is full on both. */
	join(1, "M", 200);
	assert_int_equal(nodes[1].conn.last_error, CS_ERR_NO_SPACE);
	free_nodes(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(partition_and_merge),
		cmocka_unit_test(split_while_synchronising),
		cmocka_unit_test(message_after_sync_dropped),
		cmocka_unit_test(sync_completes_in_transitional),
		cmocka_unit_test(join_while_congested),
		cmocka_unit_test(joins_in_flight_limit),
		cmocka_unit_test(merge_above_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
