/*
 * cpg/service.c: the CPG service's side of client requests.
 *
 * Requests are checked here against this node's state, then turned into
 * ordered messages (PROCJOIN, PROCLEAVE, MCAST) for the protocol engine;
 * their effects happen when the messages are delivered (sync.c), at
 * the same point of the total order on every node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cpg.h>

#include "common/log.h"
#include "daemon/cpg/cpg_int.h"

struct iter_entry {
	struct ipc_name name;
	uint32_t nodeid, pid;
};

struct iter_snap {
	uint32_t id;
	size_t n, pos;
	struct iter_entry e[];
};

typedef void (*req_fn)(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb);

static void malformed(struct cpg_svc *svc, struct conn *c, const char *what)
{
	log_warnx("client %u (pid %d): malformed %s request", c->id,
	    (int)c->pid, what);
	ipcs_close_conn(svc->ipcs, c, "malformed request");
}

uint8_t *cpg_scratch(struct cpg_svc *svc, size_t len)
{
	if (len > svc->scratch_cap) {
		uint8_t *grown = realloc(svc->scratch, len);

		if (!grown)
			return NULL;
		svc->scratch = grown;
		svc->scratch_cap = len;
	}
	return svc->scratch;
}

/* Another live connection of this node has the same pid in this group. */
static bool local_duplicate(struct cpg_svc *svc, const struct conn *self,
    const struct ipc_name *name, uint32_t pid)
{
	for (struct conn *c = ipcs_first(svc->ipcs); c; c = c->next) {
		const struct cpg_conn *cc = cpg_conn(c);

		if (c != self && !c->dead && cc->state != CONN_UNJOINED &&
		    cc->join_pid == pid && ipc_name_cmp(&cc->group, name) == 0)
			return true;
	}
	return false;
}

/* This node's joins of `name` that are ordered and not yet delivered:
 * they count towards the group's member limit. */
static size_t joins_in_flight(struct cpg_svc *svc, const struct ipc_name *name)
{
	size_t n = 0;

	for (struct conn *c = ipcs_first(svc->ipcs); c; c = c->next)
		if (!c->dead && cpg_conn(c)->state == CONN_JOIN_STARTED &&
		    ipc_name_cmp(&cpg_conn(c)->group, name) == 0)
			n++;
	return n;
}

/* Encodes PROCJOIN/PROCLEAVE and submits it. 0 or a cs_error_t. */
static uint32_t submit_proc(struct cpg_svc *svc, enum cpg_wire_type type,
    const struct ipc_name *name, uint32_t pid, uint32_t arg)
{
	uint8_t buf[CPG_WIRE_MCAST_HDR];
	struct wbuf wb;

	wbuf_init(&wb, buf, sizeof(buf));
	cpg_wire_put_proc(&wb, type, name, pid, arg);
	if (ordering_submit(svc->ord, NULL, buf, wb.len, PROTO_AGREED, 0) < 0)
		return CS_ERR_NO_MEMORY;
	svc->own_sent++;
	return CS_OK;
}

static void req_join(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct cpg_conn *cc = cpg_conn(c);
	struct ipc_name name;
	uint32_t pid, flags, err;
	struct group *g;

	ipc_name_get(rb, &name);
	pid = rbuf_u32(rb);
	flags = rbuf_u32(rb);
	if (rb->err || rb->left) {
		malformed(svc, c, "JOIN");
		return;
	}
	g = groups_find(&svc->groups, &name);
	if (flags & ~(uint32_t)CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF)
		err = CS_ERR_INVALID_PARAM;
	else if (cc->state == CONN_LEAVE_STARTED)
		err = CS_ERR_TRY_AGAIN;
	else if (cc->state != CONN_UNJOINED ||
	    local_duplicate(svc, c, &name, pid))
		err = CS_ERR_EXIST;
	else if (g && group_member(g, svc->nodeid, pid))
		err = CS_ERR_TRY_AGAIN;   /* its earlier leave is in flight */
	else if (ordering_congested(svc->ord))
		/* A local reader is behind and the ring is held for it: the
		 * join would be answered only once it caught up or was
		 * dropped, and a program whose other handle is that reader
		 * would wait on itself. */
		err = CS_ERR_TRY_AGAIN;
	else if ((g ? g->n : 0) + joins_in_flight(svc, &name) >=
	    COHORT_GROUP_MEMBERS_MAX)
		err = CS_ERR_NO_SPACE;
	else if (!g && svc->groups.count >= COHORT_GROUPS_MAX)
		err = CS_ERR_TOO_MANY_GROUPS;
	else
		err = CS_OK;
	if (err != CS_OK) {
		ipcs_reply(c, h->seq, err, NULL, 0);
		return;
	}
	/* Other nodes' joins in flight are not known here: the join is
	 * answered when it is delivered (apply_join), accepted or refused
	 * there by every node alike. The state is set first: a one-node ring
	 * may deliver the join before submit_proc returns. */
	cc->state = CONN_JOIN_STARTED;
	cc->group = name;
	cc->join_pid = pid;
	cc->flags = flags;
	cc->join_seq = h->seq;
	ipcs_watch_joiner(c);
	if (submit_proc(svc, CPG_MSG_PROCJOIN, &name, pid, flags) != CS_OK)
		ipcs_close_conn(svc->ipcs, c, "out of memory");
}

static void req_leave(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct cpg_conn *cc = cpg_conn(c);
	struct ipc_name name;
	uint32_t err;

	ipc_name_get(rb, &name);
	(void)rbuf_u32(rb);   /* pid: the one given at join is used */
	(void)rbuf_u32(rb);
	if (rb->err || rb->left) {
		malformed(svc, c, "LEAVE");
		return;
	}
	if (cc->state != CONN_JOIN_STARTED && cc->state != CONN_JOIN_COMPLETED)
		err = CS_ERR_NOT_EXIST;
	else if (ipc_name_cmp(&name, &cc->group) != 0)
		err = CS_ERR_NOT_EXIST;
	else if (cc->state == CONN_JOIN_STARTED)
		err = CS_ERR_TRY_AGAIN;   /* its join is not answered yet */
	else
		err = CS_OK;
	if (err == CS_OK) {
		cc->state = CONN_LEAVE_STARTED;
		ipcs_reply(c, h->seq, CS_OK, NULL, 0);
		if (submit_proc(svc, CPG_MSG_PROCLEAVE, &cc->group,
		    cc->join_pid, CPG_REASON_LEAVE) != CS_OK)
			ipcs_close_conn(svc->ipcs, c, "out of memory");
		return;
	}
	ipcs_reply(c, h->seq, err, NULL, 0);
}

static void req_mcast(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct cpg_conn *cc = cpg_conn(c);

	uint32_t guarantee = rbuf_u32(rb);
	size_t len = rb->left;
	uint64_t cost = IPC_MCAST_COST(len);
	uint8_t hdr[CPG_WIRE_MCAST_HDR];
	struct wbuf wb;

	if (rb->err || guarantee > CPG_TYPE_SAFE || len > COHORT_MSG_MAX) {
		malformed(svc, c, "MCAST");
		return;
	}
	if (c->inflight > 0 && c->inflight + cost > COHORT_SEND_WINDOW) {
		malformed(svc, c, "MCAST (beyond its send credit)");
		return;
	}
	c->inflight += cost;
	if (cc->state != CONN_JOIN_STARTED &&
	    cc->state != CONN_JOIN_COMPLETED) {
		log_debug("client %u: message while not joined, dropped", c->id);
		ipcs_credit(c, cost);
		return;
	}
	/* The payload goes from the IPC buffer to the protocol engine in one
	 * copy, behind the service header. */
	wbuf_init(&wb, hdr, sizeof(hdr));
	cpg_wire_put_proc(&wb, CPG_MSG_MCAST, &cc->group, cc->join_pid,
	    guarantee);
	if (ordering_submit2(svc->ord, c, hdr, wb.len, rb->p, len,
	    guarantee == CPG_TYPE_SAFE ? PROTO_SAFE : PROTO_AGREED, cost) < 0)
		ipcs_close_conn(svc->ipcs, c, "out of memory");
	else
		svc->own_sent++;
}

static void req_membership(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct ipc_name name;
	const struct group *g;
	struct wbuf wb;
	uint8_t *buf;
	size_t n;

	ipc_name_get(rb, &name);
	if (rb->err || rb->left) {
		malformed(svc, c, "MEMBERSHIP");
		return;
	}
	g = groups_find(&svc->groups, &name);
	n = g ? g->n : 0;
	buf = cpg_scratch(svc, 4 + n * 8);
	if (!buf) {
		ipcs_reply(c, h->seq, CS_ERR_NO_MEMORY, NULL, 0);
		return;
	}
	wbuf_init(&wb, buf, 4 + n * 8);
	wbuf_u32(&wb, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		wbuf_u32(&wb, g->m[i].nodeid);
		wbuf_u32(&wb, g->m[i].pid);
	}
	ipcs_reply(c, h->seq, CS_OK, buf, wb.len);
}

static void req_local_get(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	uint8_t body[4];
	struct wbuf wb;

	if (rb->left) {
		malformed(svc, c, "LOCAL_GET");
		return;
	}
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, svc->nodeid);
	ipcs_reply(c, h->seq, CS_OK, body, wb.len);
}

/* Builds the snapshot of an iteration, in (name, nodeid, pid) order. */
static struct iter_snap *snapshot(struct cpg_svc *svc, uint32_t type,
    const struct ipc_name *name)
{
	struct group **v, *one;
	struct iter_snap *s = NULL;
	size_t ng = 0, total = 0;

	if (type == CPG_ITERATION_ONE_GROUP) {
		one = groups_find(&svc->groups, name);
		v = malloc(sizeof(*v));
		if (v) {
			v[0] = one;
			ng = one ? 1 : 0;
		}
	} else {
		v = groups_sorted(&svc->groups, &ng);
	}
	if (!v)
		return NULL;
	for (size_t i = 0; i < ng; i++)
		total += type == CPG_ITERATION_NAME_ONLY ? 1 : v[i]->n;
	s = malloc(sizeof(*s) + total * sizeof(s->e[0]));
	if (!s)
		goto out;
	s->n = s->pos = 0;
	for (size_t i = 0; i < ng; i++) {
		const struct group *g = v[i];

		if (type == CPG_ITERATION_NAME_ONLY) {
			s->e[s->n++] = (struct iter_entry){ g->name, 0, 0 };
			continue;
		}
		for (size_t k = 0; k < g->n; k++)
			s->e[s->n++] = (struct iter_entry){ g->name,
			    g->m[k].nodeid, g->m[k].pid };
	}
out:
	free(v);
	return s;
}

static struct iter_snap **find_iter(struct conn *c, uint32_t id)
{
	struct cpg_conn *cc = cpg_conn(c);

	for (size_t i = 0; i < COHORT_ITER_MAX; i++)
		if (cc->iters[i] && cc->iters[i]->id == id)
			return &cc->iters[i];
	return NULL;
}

static void req_iter_init(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	struct cpg_conn *cc = cpg_conn(c);

	uint32_t type = rbuf_u32(rb);
	struct ipc_name name;
	struct iter_snap **slot = NULL;
	uint8_t body[4];
	struct wbuf wb;

	ipc_name_get(rb, &name);
	if (rb->err || rb->left || type < CPG_ITERATION_NAME_ONLY ||
	    type > CPG_ITERATION_ALL) {
		malformed(svc, c, "ITERATION_INITIALIZE");
		return;
	}
	for (size_t i = 0; i < COHORT_ITER_MAX && !slot; i++)
		if (!cc->iters[i])
			slot = &cc->iters[i];
	if (!slot) {
		ipcs_reply(c, h->seq, CS_ERR_NO_RESOURCES, NULL, 0);
		return;
	}
	*slot = snapshot(svc, type, &name);
	if (!*slot) {
		ipcs_reply(c, h->seq, CS_ERR_NO_MEMORY, NULL, 0);
		return;
	}
	(*slot)->id = ++cc->iter_next_id;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, (*slot)->id);
	ipcs_reply(c, h->seq, CS_OK, body, wb.len);
}

static void req_iter_next(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	uint32_t id = rbuf_u32(rb);
	struct iter_snap **s;
	uint8_t body[IPC_NAME_MAX + 16];
	struct wbuf wb;

	if (rb->err || rb->left) {
		malformed(svc, c, "ITERATION_NEXT");
		return;
	}
	s = find_iter(c, id);
	if (!s) {
		ipcs_reply(c, h->seq, CS_ERR_LIBRARY, NULL, 0);
		return;
	}
	if ((*s)->pos == (*s)->n) {
		ipcs_reply(c, h->seq, CS_ERR_NO_SECTIONS, NULL, 0);
		return;
	}
	wbuf_init(&wb, body, sizeof(body));
	ipc_name_put(&wb, &(*s)->e[(*s)->pos].name);
	wbuf_u32(&wb, (*s)->e[(*s)->pos].nodeid);
	wbuf_u32(&wb, (*s)->e[(*s)->pos].pid);
	(*s)->pos++;
	ipcs_reply(c, h->seq, CS_OK, body, wb.len);
}

static void req_iter_finalize(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	uint32_t id = rbuf_u32(rb);
	struct iter_snap **s;

	if (rb->err || rb->left) {
		malformed(svc, c, "ITERATION_FINALIZE");
		return;
	}
	s = find_iter(c, id);
	if (s) {
		free(*s);
		*s = NULL;
	}
	ipcs_reply(c, h->seq, s ? CS_OK : CS_ERR_LIBRARY, NULL, 0);
}

static void req_finalize(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb)
{
	if (rb->left) {
		malformed(svc, c, "FINALIZE");
		return;
	}
	/* No event is queued for a finalizing handle any more; its groups
	 * see it go (PROCDOWN, or LEAVE if it left) when it disconnects. */
	c->wants_events = false;
	ipcs_reply(c, h->seq, CS_OK, NULL, 0);
}

static const req_fn requests[] = {
	[IPC_JOIN] = req_join,
	[IPC_LEAVE] = req_leave,
	[IPC_MCAST] = req_mcast,
	[IPC_MEMBERSHIP] = req_membership,
	[IPC_LOCAL_GET] = req_local_get,
	[IPC_ITER_INIT] = req_iter_init,
	[IPC_ITER_NEXT] = req_iter_next,
	[IPC_ITER_FINALIZE] = req_iter_finalize,
	[IPC_FINALIZE] = req_finalize,
};

static const uint16_t request_types[] = {
	IPC_JOIN, IPC_LEAVE, IPC_MCAST, IPC_MEMBERSHIP, IPC_LOCAL_GET,
	IPC_ITER_INIT, IPC_ITER_NEXT, IPC_ITER_FINALIZE, IPC_FINALIZE,
};

void cpg_svc_request(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *body)
{
	requests[h->type](svc, c, h, body);
}

void cpg_svc_conn_closed(struct cpg_svc *svc, struct conn *c)
{
	struct cpg_conn *cc = cpg_conn(c);
	struct group *g;

	for (size_t i = 0; i < COHORT_ITER_MAX; i++) {
		free(cc->iters[i]);
		cc->iters[i] = NULL;
	}
	if (cc->state == CONN_UNJOINED)
		return;
	g = groups_find(&svc->groups, &cc->group);
	if (g) {
		struct member *m = group_member(g, svc->nodeid, cc->join_pid);

		if (m && m->conn == c)
			m->conn = NULL;
	}
	/* A process that goes without leaving leaves with PROCDOWN, whatever
	 * its group's name (corosync forgets the empty name: a ghost). */
	if (cc->state != CONN_LEAVE_STARTED &&
	    submit_proc(svc, CPG_MSG_PROCLEAVE, &cc->group, cc->join_pid,
	    CPG_REASON_PROCDOWN) != CS_OK)
		fatalx("cannot queue the PROCDOWN of client %u", c->id);
	cc->state = CONN_UNJOINED;
}

/*
 * The member is the process that joined, not whoever holds the
 * connection: when it exits, its membership ends with PROCDOWN even if a
 * child it forked keeps the descriptors open. The connection is closed
 * (the child's calls on it then fail), through the same path as a
 * connection that closes. A leave in flight goes on: the member leaves
 * as it asked, and the handle stays.
 */
void cpg_svc_joiner_exited(struct cpg_svc *svc, struct conn *c)
{
	struct cpg_conn *cc = cpg_conn(c);

	if (cc->state == CONN_JOIN_STARTED || cc->state == CONN_JOIN_COMPLETED)
		ipcs_close_conn(svc->ipcs, c,
		    "the process that joined exited");
}

int cpg_svc_new(const struct cpg_env *env, struct cpg_svc **out)
{
	struct cpg_svc *svc = calloc(1, sizeof(*svc));

	if (!svc || groups_init(&svc->groups) < 0) {
		free(svc);
		return -ENOMEM;
	}
	svc->nodeid = env->nodeid;
	svc->ipcs = env->ipcs;
	svc->ord = env->ordering;
	svc->host = env->host;
	*out = svc;
	return 0;
}

void cpg_svc_free(struct cpg_svc *svc)
{
	if (!svc)
		return;
	groups_free(&svc->groups);
	for (size_t i = 0; i < PROTO_MAX_NODES; i++)
		free(svc->jl[i].msg);
	free(svc->scratch);
	free(svc);
}

bool cpg_svc_ready(const struct cpg_svc *svc)
{
	return svc->ready;
}

void cpg_svc_stats(const struct cpg_svc *svc, struct cpg_svc_stats *st)
{
	st->syncing = svc->syncing;
	st->sync_dropped = svc->sync_dropped;
	st->bad_messages = svc->bad_messages;
}

size_t cpg_svc_groups(const struct cpg_svc *svc)
{
	return svc->groups.count;
}

/* ------------------------------------------------- the service's table */

static void op_request(void *svc, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *body)
{
	cpg_svc_request(svc, c, h, body);
}

static int op_conn_open(void *svc, struct conn *c, void **state)
{
	*state = calloc(1, sizeof(struct cpg_conn));
	return *state ? 0 : -ENOMEM;
}

/* The connection's messages still queued for the engine go on, unowned:
 * its credit no longer matters. */
static void op_conn_closed(void *arg, struct conn *c)
{
	struct cpg_svc *svc = arg;

	cpg_svc_conn_closed(svc, c);
	ordering_forget_owner(svc->ord, c);
}

static void op_conn_free(void *svc, void *state)
{
	struct cpg_conn *cc = state;

	for (size_t i = 0; i < COHORT_ITER_MAX; i++)
		free(cc->iters[i]);
	free(cc);
}

static void op_joiner_exited(void *svc, struct conn *c)
{
	cpg_svc_joiner_exited(svc, c);
}

static bool op_ready(const void *svc)
{
	return cpg_svc_ready(svc);
}

static void op_deliver(void *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	cpg_svc_deliver(svc, sender, msg, len, g);
}

static void op_confchg(void *svc, const struct proto_conf *conf)
{
	cpg_svc_confchg(svc, conf);
}

const struct service_ops cpg_service_ops = {
	.name = "cpg",
	.types = request_types,
	.n_types = sizeof(request_types) / sizeof(request_types[0]),
	.request = op_request,
	.conn_open = op_conn_open,
	.conn_closed = op_conn_closed,
	.conn_free = op_conn_free,
	.joiner_exited = op_joiner_exited,
	.ready = op_ready,
	.wire_tag = WIRE_TAG_CPG,
	.deliver = op_deliver,
	.confchg = op_confchg,
};
