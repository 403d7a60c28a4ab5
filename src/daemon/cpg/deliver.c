/*
 * cpg/deliver.c: what an ordered CPG message does once it is applied
 * (outside a synchronisation, or by the side of a merge it came from):
 * PROCJOIN, PROCLEAVE and MCAST change the group table and become the
 * confchg and deliver events of the local members, and the totem
 * confchg of every connection. cpg/sync.c decides when a message is
 * applied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cpg.h>

#include "common/log.h"
#include "daemon/cpg/cpg_int.h"

/* Payloads from this size on are sent from where the engine stored them
 * when it can give them up: below it, a copy costs less than the second
 * piece to write. */
#define DELIVER_REF_MIN (16u << 10)

bool conn_receives(const struct conn *c)
{
	return c && !c->dead && (cpg_conn(c)->state == CONN_JOIN_COMPLETED ||
	    cpg_conn(c)->state == CONN_LEAVE_STARTED);
}

static void put_members(struct wbuf *wb, const struct member *m, size_t n,
    uint32_t reason)
{
	for (size_t i = 0; i < n; i++)
		ipc_member_put(wb, m[i].nodeid, m[i].pid, reason);
}

void cpg_emit_confchg(struct cpg_svc *svc, const struct group *g,
    const struct member *left, size_t n_left, uint32_t left_reason,
    const struct member *joined, size_t n_joined, uint32_t joined_reason,
    struct conn *extra)
{
	size_t len = IPC_EV_CONFCHG_LEN(g->n + n_left + n_joined);
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a confchg");
	wbuf_init(&wb, f->data, len);
	ipc_ev_confchg_put(&wb, &g->name, (uint32_t)g->n, (uint32_t)n_left,
	    (uint32_t)n_joined);
	put_members(&wb, g->m, g->n, CPG_REASON_UNDEFINED);
	put_members(&wb, left, n_left, left_reason);
	put_members(&wb, joined, n_joined, joined_reason);
	ipc_hdr_finish(&wb);
	f->len = (uint32_t)wb.len;
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i].nodeid == svc->nodeid && conn_receives(g->m[i].conn))
			ipcs_event(g->m[i].conn, f);
	if (conn_receives(extra))
		ipcs_event(extra, f);
	frame_unref(f);
}

static struct frame *totem_frame(struct cpg_svc *svc)
{
	size_t len = IPC_EV_TOTEM_LEN(svc->n_synced);
	struct frame *f = frame_new(len);
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a totem confchg");
	wbuf_init(&wb, f->data, len);
	ipc_ev_totem_put(&wb, svc->synced_ring.rep, svc->synced_ring.seq,
	    svc->synced, (uint32_t)svc->n_synced);
	return f;
}

/* The totem confchg: to one connection (its initial one) or to all. */
void cpg_emit_totem(struct cpg_svc *svc, struct conn *only)
{
	struct frame *f = totem_frame(svc);

	if (only) {
		ipcs_event(only, f);
	} else {
		/* Only CPG handles: the event channels of cmap, quorum,
		 * votequorum and cfg handles carry their own services'
		 * events, and a library that reads a frame it does not know
		 * takes the connection for broken. */
		for (struct conn *c = ipcs_first(svc->ipcs); c; c = c->next)
			if (c->cpg_handle)
				ipcs_event(c, f);
	}
	frame_unref(f);
}

/* The local connection whose join this PROCJOIN completes, if any. */
struct conn *cpg_local_joiner(struct cpg_svc *svc,
    const struct cpg_wire *w)
{
	for (struct conn *c = ipcs_first(svc->ipcs); c; c = c->next) {
		const struct cpg_conn *cc = cpg_conn(c);

		if (!c->dead && cc->state == CONN_JOIN_STARTED &&
		    cc->join_pid == w->pid &&
		    ipc_name_cmp(&cc->group, &w->name) == 0)
			return c;
	}
	return NULL;
}

/* Answers the JOIN request whose PROCJOIN was delivered (service.c
 * req_join defers the reply to this point). */
void cpg_answer_join(struct conn *c, uint32_t err)
{
	struct cpg_conn *cc = cpg_conn(c);

	if (err != CS_OK)
		cc->state = CONN_UNJOINED;
	ipcs_reply(c, cc->join_seq, err, NULL, 0);
}

/*
 * A join is refused here, by every node alike, when its group is full or
 * it would make one group too many: joins in flight on several nodes can
 * pass the checks each node made when they were asked.
 */
static void apply_join(struct cpg_svc *svc, uint32_t sender,
    const struct cpg_wire *w)
{
	struct group *g = groups_find(&svc->groups, &w->name);
	struct conn *c = NULL;
	struct cpg_conn *cc;
	struct member joined = { sender, w->pid, NULL };
	uint32_t err = CS_OK;

	if (sender == svc->nodeid)
		c = cpg_local_joiner(svc, w);
	if (g && group_member(g, sender, w->pid))
		err = CS_ERR_TRY_AGAIN;   /* its earlier leave is in flight */
	else if (g && g->n >= COHORT_GROUP_MEMBERS_MAX)
		err = CS_ERR_NO_SPACE;
	else if (!g && svc->groups.count >= COHORT_GROUPS_MAX)
		err = CS_ERR_TOO_MANY_GROUPS;
	if (err != CS_OK) {
		log_debug("join of %u/%u refused (error %u)", sender, w->pid,
		    err);
		if (c)
			cpg_answer_join(c, err);
		return;
	}
	g = groups_get(&svc->groups, &w->name);
	if (!g)
		fatalx("out of memory adding a group");
	if (group_add(g, sender, w->pid, c) < 0)
		fatalx("out of memory adding a member");
	cc = c ? cpg_conn(c) : NULL;
	if (cc) {
		cc->state = CONN_JOIN_COMPLETED;
		cc->initial_totem_due = w->arg &
		    CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
		cpg_answer_join(c, CS_OK);
	}
	cpg_emit_confchg(svc, g, NULL, 0, 0, &joined, 1, CPG_REASON_JOIN, NULL);
	if (cc && cc->initial_totem_due && !cc->initial_totem_sent) {
		cc->initial_totem_sent = true;
		cpg_emit_totem(svc, c);
	}
}

static void apply_leave(struct cpg_svc *svc, uint32_t sender,
    const struct cpg_wire *w)
{
	struct group *g = groups_find(&svc->groups, &w->name);
	struct member *m, left;

	if (!g || !(m = group_member(g, sender, w->pid))) {
		log_debug("leave of %u/%u: not a member", sender, w->pid);
		return;
	}
	left = *m;
	group_del(g, sender, w->pid);
	if (w->arg != CPG_REASON_LEAVE && w->arg != CPG_REASON_PROCDOWN)
		w = NULL;  /* decoded by every node alike; treat as PROCDOWN */
	cpg_emit_confchg(svc, g, &left, 1, w ? w->arg : CPG_REASON_PROCDOWN,
	    NULL, 0, 0, left.conn);
	if (left.conn && cpg_conn(left.conn)->state == CONN_LEAVE_STARTED)
		cpg_conn(left.conn)->state = CONN_UNJOINED;
	groups_release(&svc->groups, g);
}

/*
 * The delivery event of a message: one frame, or, for a large message
 * whose storage the engine gives up (a ring of one), a frame of the
 * event's first bytes whose tail refers to the payload where the engine
 * stored it: the payload is not copied.
 */
static struct frame *mcast_frame(struct cpg_svc *svc, const struct group *g,
    uint32_t sender, const struct cpg_wire *w)
{
	void *block = w->len >= DELIVER_REF_MIN ?
	    ordering_take_delivered(svc->ord, w->data) : NULL;
	size_t len = IPC_EV_DELIVER_LEN(block ? 0 : w->len);
	struct frame *f = frame_new(len), *tail;
	struct wbuf wb;

	if (!f)
		fatalx("out of memory building a delivery");
	wbuf_init(&wb, f->data, len);
	if (block) {
		ipc_ev_deliver_head_put(&wb, &g->name, sender, w->pid, w->arg,
		    w->len);
		tail = frame_new_ref(block, w->data, w->len);
		if (!tail)
			fatalx("out of memory building a delivery");
		frame_set_tail(f, tail);
		frame_unref(tail);
	} else {
		ipc_ev_deliver_put(&wb, &g->name, sender, w->pid, w->arg,
		    w->data, w->len);
	}
	f->len = (uint32_t)wb.len;
	return f;
}

static void apply_mcast(struct cpg_svc *svc, uint32_t sender,
    const struct cpg_wire *w)
{
	const struct group *g = groups_find(&svc->groups, &w->name);
	struct frame *f = NULL;

	if (!g || !group_member(g, sender, w->pid)) {
		log_debug("message from %u/%u: not a member, dropped", sender,
		    w->pid);
		return;
	}
	for (size_t i = 0; i < g->n; i++) {
		struct conn *c = g->m[i].conn;

		if (g->m[i].nodeid != svc->nodeid || !conn_receives(c))
			continue;
		if (!f)
			f = mcast_frame(svc, g, sender, w);
		ipcs_event(c, f);
	}
	frame_unref(f);
}

void cpg_apply(struct cpg_svc *svc, uint32_t sender, const uint8_t *msg,
    size_t len)
{
	struct cpg_wire w;

	if (cpg_wire_get(msg, len, &w) < 0) {
		svc->bad_messages++;
		log_warnx("undecodable CPG message from node %u ignored", sender);
		return;
	}
	switch (w.type) {
	case CPG_MSG_PROCJOIN:
		apply_join(svc, sender, &w);
		break;
	case CPG_MSG_PROCLEAVE:
		apply_leave(svc, sender, &w);
		break;
	case CPG_MSG_MCAST:
		apply_mcast(svc, sender, &w);
		break;
	case CPG_MSG_JOINLIST:
		log_debug("JOINLIST from node %u outside synchronisation", sender);
		break;
	}
}

/* --------------------------------------------------------------- sync */
