/*
 * Unit tests: the CPG service's multi-node logic (src/daemon/cpg_svc.c,
 * cpg_sync.c) without a network: two services, A (node 1) and B (node 2),
 * whose ordered messages this test delivers to both in one total order,
 * and whose configuration changes it plays: joins, a partition
 * (NODEDOWN), a merge (JOINLIST exchange, NODEUP), and messages held back
 * during synchronisation.
 *
 * The IPC server and the protocol glue are replaced at link time by the
 * small recorders below (the functions cpg_svc calls), so what each local
 * connection would receive can be checked event by event.
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

#include "daemon/daemon.h"

#define MAX_EVENTS 64

/* ------------------------------------------------ the collaborators */

struct event {
	uint16_t type;
	uint32_t n_members, n_left, n_joined;
	struct ipc_member m[8];       /* members, then left, then joined */
	uint32_t nodeid, pid;         /* deliver */
	char data[32];
};

struct fake_conn {
	struct conn c;
	struct event ev[MAX_EVENTS];
	int n;
};

struct ordered {
	uint32_t sender;
	size_t len;
	uint8_t msg[512];
};

static struct ordered queue[256];
static int q_head, q_tail;

struct ipcs {
	struct conn *first;
};

int node_submit2(struct daemon *d, struct conn *owner, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, enum proto_guarantee g,
    uint64_t cost)
{
	assert_true(hlen + plen <= sizeof(queue[0].msg));
	queue[q_tail].sender = d->nodeid;
	queue[q_tail].len = hlen + plen;
	memcpy(queue[q_tail].msg, hdr, hlen);
	if (plen)
		memcpy(queue[q_tail].msg + hlen, payload, plen);
	q_tail++;
	return 0;
}

int node_submit(struct daemon *d, struct conn *owner, const uint8_t *msg,
    size_t len, enum proto_guarantee g, uint64_t cost)
{
	return node_submit2(d, owner, msg, len, NULL, 0, g, cost);
}

char *node_status_text(struct daemon *d, size_t *len)
{
	return NULL;
}

struct conn *ipcs_first(struct ipcs *s)
{
	return s->first;
}

void ipcs_event(struct conn *c, struct frame *f)
{
	struct fake_conn *fc = (struct fake_conn *)c;
	struct event *e = &fc->ev[fc->n++];
	struct ipc_hdr h;
	struct rbuf rb;

	assert_true(fc->n <= MAX_EVENTS);
	assert_int_equal(ipc_hdr_get(f->data, &h), 0);
	rbuf_init(&rb, f->data + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	memset(e, 0, sizeof(*e));
	e->type = h.type;
	if (h.type == IPC_EV_CONFCHG) {
		struct ipc_ev_confchg ev;

		assert_int_equal(ipc_ev_confchg_get(&rb, &ev), 0);
		e->n_members = ev.n_members;
		e->n_left = ev.n_left;
		e->n_joined = ev.n_joined;
		for (size_t i = 0; i < ev.n_members + ev.n_left + ev.n_joined; i++)
			ipc_member_at(ev.entries, i, &e->m[i]);
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
	assert_int_equal(error, CS_OK);
}

void ipcs_credit(struct conn *c, uint64_t cost)
{
}

void ipcs_close_conn(struct ipcs *s, struct conn *c, const char *why)
{
	fail_msg("connection closed: %s", why);
}

void daemon_ready(struct daemon *d)
{
}

/* ------------------------------------------------------- the cluster */

struct node {
	struct daemon d;
	struct ipcs ipcs;
	struct fake_conn conn;
};

static struct node nodes[2];

static void setup_node(struct node *n, uint32_t id, uint32_t pid)
{
	memset(n, 0, sizeof(*n));
	n->d.nodeid = id;
	n->d.ipcs = &n->ipcs;
	n->ipcs.first = &n->conn.c;
	n->conn.c.id = id;
	n->conn.c.wants_events = true;
	n->conn.c.pid = (pid_t)pid;
	assert_int_equal(cpg_svc_new(&n->d, &n->d.cpg), 0);
}

/* Delivers every queued ordered message to the given nodes. */
static void deliver_all(int first, int count)
{
	while (q_head < q_tail) {
		struct ordered *o = &queue[q_head++];

		for (int i = first; i < first + count; i++)
			cpg_svc_deliver(nodes[i].d.cpg, o->sender, o->msg, o->len,
			    PROTO_AGREED);
	}
}

static void confchg(int node, enum proto_conf_type type, uint32_t rep,
    uint64_t seq, const uint32_t *members, size_t n)
{
	struct proto_conf c = { type, { rep, seq }, n, members };

	cpg_svc_confchg(nodes[node].d.cpg, &c);
}

static void request(int node, uint16_t type, const void *body, size_t len)
{
	struct ipc_hdr h = { .len = (uint32_t)(IPC_HDR_LEN + len), .type = type };
	struct rbuf rb;

	rbuf_init(&rb, body, len);
	cpg_svc_request(nodes[node].d.cpg, &nodes[node].conn.c, &h, &rb);
}

static void join(int node, const char *group, uint32_t pid)
{
	uint8_t body[256];
	struct ipc_name n = { (uint32_t)strlen(group), { 0 } };
	struct wbuf wb;

	memcpy(n.value, group, n.length);
	wbuf_init(&wb, body, sizeof(body));
	ipc_name_put(&wb, &n);
	wbuf_u32(&wb, pid);
	wbuf_u32(&wb, 0);
	request(node, IPC_JOIN, body, wb.len);
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

static void partition_and_merge(void **state)
{
	const uint32_t both[] = { 1, 2 }, a[] = { 1 }, b[] = { 2 };
	const struct event *e;

	setup_node(&nodes[0], 1, 100);
	setup_node(&nodes[1], 2, 200);
	q_head = q_tail = 0;

	/* The first ring: both nodes, empty JOINLISTs, service ready. */
	confchg(0, PROTO_CONF_REGULAR, 1, 4, both, 2);
	confchg(1, PROTO_CONF_REGULAR, 1, 4, both, 2);
	deliver_all(0, 2);
	assert_true(cpg_svc_ready(nodes[0].d.cpg));
	assert_true(cpg_svc_ready(nodes[1].d.cpg));

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
	deliver_all(0, 1);   /* A's JOINLIST, to A only */
	deliver_all(1, 1);
	assert_int_equal(last(0, 0)->type, IPC_EV_TOTEM);

	/* Merge: each side came alone from its ring. B's process sends
	 * before the JOINLISTs are all in: held until the sync completes. */
	confchg(0, PROTO_CONF_TRANSITIONAL, 1, 8, a, 1);
	confchg(1, PROTO_CONF_TRANSITIONAL, 2, 8, b, 1);
	confchg(0, PROTO_CONF_REGULAR, 1, 12, both, 2);
	confchg(1, PROTO_CONF_REGULAR, 1, 12, both, 2);
	/* Queue now: A's JOINLIST, B's JOINLIST. Put B's message between. */
	{
		struct ordered jl_b = queue[q_tail - 1];

		q_tail--;
		mcast(1, "held");
		queue[q_tail++] = jl_b;
	}
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
	cpg_svc_free(nodes[0].d.cpg);
	cpg_svc_free(nodes[1].d.cpg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(partition_and_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
