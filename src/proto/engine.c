/*
 * engine.c: the engine's API (proto.h): creation, datagram dispatch,
 * local submissions, timers and status. The protocol itself is in
 * order.c (the token) and memb.c (forming rings); docs/protocol.md
 * describes both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/internal.h"

static const char *const state_names[] = {
	[ST_IDLE] = "idle",
	[ST_OPERATIONAL] = "operational",
	[ST_GATHER] = "gather",
	[ST_COMMIT] = "commit",
	[ST_RECOVERY] = "recovery",
};

/* Every state change goes through here, and is logged. */
void set_state(struct proto *p, enum pstate to, const char *why)
{
	util_log(p, PROTO_LOG_DEBUG, "%s -> %s (%s) ring %x.%llx",
	    state_names[p->state], state_names[to], why, p->ring.rep,
	    (unsigned long long)p->ring.seq);
	p->state = to;
}

static int check_config(const struct proto_config *cfg)
{
	bool self_listed = false;

	if (cfg->local_nodeid == 0 || cfg->n_nodes == 0 ||
	    cfg->n_nodes > PROTO_MAX_NODES || cfg->mtu < MIN_MTU ||
	    cfg->mtu > DGRAM_MAX)
		return -EINVAL;
	if (cfg->n_nodes > wire_commit_capacity(cfg->mtu))
		return -EINVAL;   /* the commit token must fit a datagram */
	if (cfg->timing.window_size > PROTO_WINDOW_MAX ||
	    cfg->timing.max_messages > PROTO_WINDOW_MAX)
		return -EINVAL;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		if (cfg->nodes[i] == 0)
			return -EINVAL;
		for (size_t j = i + 1; j < cfg->n_nodes; j++)
			if (cfg->nodes[i] == cfg->nodes[j])
				return -EINVAL;
		self_listed |= cfg->nodes[i] == cfg->local_nodeid;
	}
	return self_listed ? 0 : -EINVAL;
}

/* The engine's timing from a configured one: the defaults filled, and a
 * token resent, or held, for 0 ms raised to 1 (it would never wait). */
static void timing_resolve(struct proto_timing *t, size_t n_nodes)
{
	proto_timing_fill(t, n_nodes);
	if (!t->token_retransmit_ms)
		t->token_retransmit_ms = 1;
	if (!t->hold_ms)
		t->hold_ms = 1;
}

int proto_new(const struct proto_config *cfg, const struct proto_ops *ops,
    void *ctx, uint64_t now, struct proto **out)
{
	struct proto *p;
	int rc;

	if (!cfg || !ops || !ops->deliver || !ops->confchg || !ops->ring_seq ||
	    !ops->send)
		return -EINVAL;
	rc = check_config(cfg);
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	if (!p->cfg.send_queue_bytes)
		p->cfg.send_queue_bytes = PROTO_DEFAULT_SEND_QUEUE_BYTES;
	timing_resolve(&p->cfg.timing, cfg->n_nodes);
	p->ops = *ops;
	p->ctx = ctx;
	p->now = now;
	p->sq_tail = &p->sq;
	p->payload_max = cfg->mtu - WIRE_HDR_LEN - MCAST_FIXED - MCAST_OLD_FIXED;
	p->dgram = malloc(cfg->mtu);
	p->dgram2 = malloc(cfg->mtu);
	p->reasm = calloc(cfg->n_nodes, sizeof(*p->reasm));
	if (!p->dgram || !p->dgram2 || !p->reasm || memb_init(p) ||
	    order_init(p)) {
		proto_free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void proto_free(struct proto *p)
{
	if (!p)
		return;
	sq_free(p);
	store_free(p->cur);
	store_free(p->old);
	if (p->reasm)
		reasm_reset_all(p);
	free(p->reasm);
	memb_free(p);
	order_free(p);
	free(p->dgram);
	free(p->dgram2);
	free(p);
}

int proto_start(struct proto *p, uint64_t now)
{
	if (p->state != ST_IDLE)
		return -EALREADY;
	p->now = now;
	return memb_start(p);
}

int proto_receive(struct proto *p, uint64_t now, uint32_t from,
    const uint8_t *buf, size_t len)
{
	/* Callbacks never call back into proto_receive: one decode buffer. */
	struct wire_msg *m = &p->rx;
	int rc, si;

	p->now = now;
	p->stats.rx_datagrams++;
	rc = wire_decode(buf, len, m);
	si = rc ? -1 : util_node_index(p, m->h.sender);
	if (rc || m->h.cluster_id != p->cfg.cluster_id ||
	    si < 0 || util_node_index(p, m->h.ring.rep) < 0 ||
	    (from && from != m->h.sender) ||
	    m->h.sender == p->cfg.local_nodeid || p->state == ST_IDLE) {
		p->stats.rx_dropped++;
		return 0;
	}
	memb_heard(p, si);   /* it speaks: up again */
	switch (m->h.type) {
	case WIRE_JOIN:
		join_receive(p, &m->h, &m->u.join);
		break;
	case WIRE_COMMIT:
		commit_receive(p, &m->h, &m->u.commit);
		break;
	case WIRE_TOKEN:
		token_receive(p, &m->h, &m->u.token);
		break;
	case WIRE_HOLD_CANCEL:
		hold_cancel_receive(p, &m->h);
		break;
	case WIRE_MCAST:
	case WIRE_MERGE_DETECT:
		if (m->h.ring.rep != p->ring.rep || m->h.ring.seq != p->ring.seq) {
			p->stats.rx_dropped++;
			foreign_ring_heard(p, &m->h);
		} else if (m->h.type == WIRE_MCAST) {
			mcast_receive(p, &m->h, &m->u.mcast);
		}
		break;
	}
	return 0;
}

int proto_submitv(struct proto *p, uint64_t now, const struct iovec *iov,
    int iovcnt, enum proto_guarantee guarantee)
{
	struct qmsg *q;
	size_t len = 0, off = 0;
	bool whole;

	p->now = now;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > PROTO_MSG_MAX - len)
			return -EMSGSIZE;
		len += iov[i].iov_len;
	}
	if (guarantee != PROTO_AGREED && guarantee != PROTO_SAFE)
		return -EINVAL;
	/* A message larger than the whole queue fits an empty queue. */
	if (p->sq_bytes > 0 && (p->sq_bytes + len > p->cfg.send_queue_bytes ||
	    (p->cfg.send_queue_msgs && p->sq_n >= p->cfg.send_queue_msgs)))
		return -EAGAIN;
	whole = len + ENTRY_HDR > p->payload_max;
	q = malloc(sizeof(*q) + (whole ? 0 : len));
	if (!q)
		return -ENOMEM;
	*q = (struct qmsg){ .g = guarantee, .len = len, .data = q->small };
	if (whole) {
		q->whole = malloc(sizeof(*q->whole) + ENTRY_HDR + len);
		if (!q->whole) {
			free(q);
			return -ENOMEM;
		}
		q->data = q->whole->body + ENTRY_HDR;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len)
			memcpy(q->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	*p->sq_tail = q;
	p->sq_tail = &q->next;
	p->sq_bytes += len;
	p->sq_n++;
	ring_kick(p);
	return 0;
}

int proto_submit(struct proto *p, uint64_t now, const void *msg, size_t len,
    enum proto_guarantee guarantee)
{
	struct iovec iov = { (void *)msg, len };

	return proto_submitv(p, now, &iov, 1, guarantee);
}

int proto_reconfigure(struct proto *p, uint64_t now,
    const struct proto_timing *timing)
{
	struct proto_timing t = *timing;

	p->now = now;
	if (t.window_size > PROTO_WINDOW_MAX || t.max_messages > PROTO_WINDOW_MAX)
		return -EINVAL;
	timing_resolve(&t, p->cfg.n_nodes);
	util_log(p, PROTO_LOG_INFO, "timing reconfigured: token %u ms (was %u), "
	    "consensus %u ms, join %u ms, merge %u ms, window %u, "
	    "max_messages %u", t.token_ms, p->cfg.timing.token_ms,
	    t.consensus_ms, t.join_ms, t.merge_ms, t.window_size,
	    t.max_messages);
	p->cfg.timing = t;
	return 0;
}

int proto_add_nodes(struct proto *p, uint64_t now, const uint32_t *ids,
    size_t n)
{
	size_t total = p->cfg.n_nodes + n;
	struct jrec *jrec;
	struct reasm *reasm;

	p->now = now;
	if (total > PROTO_MAX_NODES || total > wire_commit_capacity(p->cfg.mtu))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == 0 || util_node_index(p, ids[i]) >= 0)
			return -EINVAL;
		for (size_t j = i + 1; j < n; j++)
			if (ids[i] == ids[j])
				return -EINVAL;
	}
	/* Per nodelist index, the new ones empty at the end. */
	jrec = realloc(p->memb.jrec, total * sizeof(*jrec));
	if (!jrec)
		return -ENOMEM;
	p->memb.jrec = jrec;
	reasm = realloc(p->reasm, total * sizeof(*reasm));
	if (!reasm)
		return -ENOMEM;
	p->reasm = reasm;
	for (size_t i = 0; i < n; i++) {
		size_t k = p->cfg.n_nodes + i;

		p->memb.jrec[k] = (struct jrec){ 0 };
		p->reasm[k] = (struct reasm){ 0 };
		p->memb.unreach[k] = false;
		p->cfg.nodes[k] = ids[i];
		util_log(p, PROTO_LOG_INFO, "node %u added to the nodelist",
		    ids[i]);
	}
	p->cfg.n_nodes = total;
	return 0;
}

int proto_remove_nodes(struct proto *p, uint64_t now, const uint32_t *ids,
    size_t n)
{
	size_t kept = 0;

	p->now = now;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == p->cfg.local_nodeid ||
		    util_node_index(p, ids[i]) < 0)
			return -EINVAL;
	/* Busy: a member of the ring, of the view being gathered, or,
	 * while a ring forms, of the last one (its messages may still be
	 * recovered). */
	for (size_t i = 0; i < n; i++)
		if (idset_has(&p->members, ids[i]) ||
		    (idset_has(&p->memb.proc, ids[i]) &&
		    !idset_has(&p->memb.fail, ids[i])) ||
		    (p->state != ST_OPERATIONAL &&
		    idset_has(&p->old_members, ids[i])))
			return -EBUSY;
	/* Per nodelist index: the others move down, in order. */
	for (size_t k = 0; k < p->cfg.n_nodes; k++) {
		bool gone = false;

		for (size_t i = 0; i < n; i++)
			gone |= p->cfg.nodes[k] == ids[i];
		if (gone) {
			util_log(p, PROTO_LOG_INFO, "node %u removed from the "
			    "nodelist", p->cfg.nodes[k]);
			free(p->reasm[k].buf);
			continue;
		}
		p->cfg.nodes[kept] = p->cfg.nodes[k];
		p->memb.jrec[kept] = p->memb.jrec[k];
		p->reasm[kept] = p->reasm[k];
		p->memb.unreach[kept] = p->memb.unreach[k];
		kept++;
	}
	p->cfg.n_nodes = kept;
	return 0;
}

uint64_t proto_next_timeout(const struct proto *p)
{
	switch (p->state) {
	case ST_IDLE:
		break;
	case ST_GATHER:
		return memb_next_timeout(p);
	case ST_COMMIT:
	case ST_RECOVERY:
	case ST_OPERATIONAL:
		return order_next_timeout(p);
	}
	return UINT64_MAX;
}

void proto_peer_unreachable(struct proto *p, uint64_t now, uint32_t nodeid)
{
	p->now = now;
	if (nodeid == p->cfg.local_nodeid || p->state == ST_IDLE)
		return;
	peer_unreachable(p, nodeid);
}

void proto_set_congested(struct proto *p, uint64_t now, bool on)
{
	p->now = now;
	order_set_congested(p, on);
}

int proto_tick(struct proto *p, uint64_t now)
{
	p->now = now;
	switch (p->state) {
	case ST_IDLE:
		break;
	case ST_GATHER:
		memb_tick(p);
		break;
	case ST_COMMIT:
	case ST_RECOVERY:
	case ST_OPERATIONAL:
		order_tick(p);
		break;
	}
	return 0;
}

void proto_status(const struct proto *p, struct proto_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = p->state;
	st->state_name = state_names[p->state];
	st->ring_id = p->ring;
	if (p->state == ST_OPERATIONAL) {
		st->n_members = p->members.n;
		memcpy(st->members, p->members.id,
		    p->members.n * sizeof(uint32_t));
	} else {
		st->n_members = p->old_members.n;
		memcpy(st->members, p->old_members.id,
		    p->old_members.n * sizeof(uint32_t));
	}
	st->send_queue_used = p->sq_bytes;
	st->send_queue_bytes = p->cfg.send_queue_bytes;
	st->token_ms = p->cfg.timing.token_ms;
	st->stats = p->stats;
}
