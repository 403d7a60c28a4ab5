/*
 * ring.c: the protocol engine, as far as it goes today: a ring of one.
 *
 * The engine orders messages the Totem way: local messages wait in a
 * bounded send queue; when the token visits a node it numbers up to
 * max_messages of them (never more than window_size per rotation),
 * multicasts them to the ring, and every member delivers in sequence
 * order; a SAFE message is delivered only once the token has shown that
 * every member holds it (the all-received-up-to, aru, of a full rotation).
 *
 * With a nodelist of one node, forming a ring needs no agreement: the
 * node installs the regular configuration {self} with a new, persisted
 * ring sequence, and the token circulates to itself, one visit per batch
 * of submitted messages (an idle ring holds the token and costs nothing).
 *
 * Multi-node membership (gather, commit, recovery over the network) is
 * not implemented yet: proto_new() refuses a nodelist of several nodes
 * with -EOPNOTSUPP, and every datagram is counted and dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

#define DEFAULT_MAX_MESSAGES 17
#define DEFAULT_WINDOW_SIZE 50
#define DEFAULT_SEND_QUEUE (8u << 20)
#define MIN_MTU 576u
#define RING_SEQ_STEP 4u   /* as corosync: a new ring is old + 4 */

enum ring_state { ST_IDLE, ST_GATHER, ST_OPERATIONAL };

static const char *const state_names[] = {
	[ST_IDLE] = "idle",
	[ST_GATHER] = "gather",
	[ST_OPERATIONAL] = "operational",
};

/* A submitted message: queued until a token visit numbers it. */
struct qmsg {
	struct qmsg *next;
	uint64_t seq;            /* 0 until numbered */
	enum proto_guarantee g;
	size_t len;
	uint8_t data[];
};

struct proto {
	struct proto_config cfg;
	struct proto_ops ops;
	void *ctx;
	enum ring_state state;
	struct proto_ring_id ring;
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];

	/* Send queue: submitted, not yet numbered. */
	struct qmsg *sq, **sq_tail;
	size_t sq_bytes;
	/* Numbered, not yet delivered (SAFE ones wait for stability). */
	struct qmsg *rq, **rq_tail;
	uint64_t seq;            /* highest number assigned on this ring */
	uint64_t aru;            /* every member has everything up to here */
	uint64_t delivered;      /* delivered up to here */
	bool in_visit;           /* a token visit is running (reentrancy) */
	struct proto_stats stats;
};

static void plog(struct proto *p, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void plog(struct proto *p, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!p->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->ops.log(p->ctx, level, line);
}

/* Every state change goes through here, and is logged. */
static void set_state(struct proto *p, enum ring_state to)
{
	plog(p, 3, "%s -> %s", state_names[p->state], state_names[to]);
	p->state = to;
}

int proto_new(const struct proto_config *cfg, const struct proto_ops *ops,
    void *ctx, uint64_t now, struct proto **out)
{
	struct proto *p;
	bool self_listed = false;

	(void)now;
	if (!cfg || !ops || !ops->deliver || !ops->confchg || !ops->ring_seq ||
	    cfg->local_nodeid == 0 || cfg->n_nodes == 0 ||
	    cfg->n_nodes > PROTO_MAX_NODES || cfg->mtu < MIN_MTU)
		return -EINVAL;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		if (cfg->nodes[i] == 0)
			return -EINVAL;
		for (size_t j = i + 1; j < cfg->n_nodes; j++)
			if (cfg->nodes[i] == cfg->nodes[j])
				return -EINVAL;
		self_listed |= cfg->nodes[i] == cfg->local_nodeid;
	}
	if (!self_listed)
		return -EINVAL;
	if (cfg->n_nodes > 1)
		return -EOPNOTSUPP;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	if (!p->cfg.send_queue_bytes)
		p->cfg.send_queue_bytes = DEFAULT_SEND_QUEUE;
	if (!p->cfg.timing.max_messages)
		p->cfg.timing.max_messages = DEFAULT_MAX_MESSAGES;
	if (!p->cfg.timing.window_size)
		p->cfg.timing.window_size = DEFAULT_WINDOW_SIZE;
	p->ops = *ops;
	p->ctx = ctx;
	p->sq_tail = &p->sq;
	p->rq_tail = &p->rq;
	*out = p;
	return 0;
}

static void free_list(struct qmsg *m)
{
	while (m) {
		struct qmsg *next = m->next;

		free(m);
		m = next;
	}
}

void proto_free(struct proto *p)
{
	if (!p)
		return;
	free_list(p->sq);
	free_list(p->rq);
	free(p);
}

/* Delivers, in sequence order, what may be delivered: AGREED messages as
 * soon as they are contiguous, SAFE ones once numbered at or below aru. */
static void deliver_ready(struct proto *p)
{
	while (p->rq) {
		struct qmsg *m = p->rq;

		if (m->seq != p->delivered + 1)
			abort();   /* the receive queue is contiguous by construction */
		if (m->g == PROTO_SAFE && m->seq > p->aru)
			break;
		p->rq = m->next;
		if (!p->rq)
			p->rq_tail = &p->rq;
		p->delivered = m->seq;
		p->stats.delivered++;
		p->ops.deliver(p->ctx, p->cfg.local_nodeid, m->data, m->len, m->g);
		free(m);
	}
}

/*
 * One visit of the token: number up to max_messages queued messages
 * (within the window), "multicast" them — with a ring of one, into our
 * own receive queue — and move aru: after a full rotation every member
 * has everything numbered before the visit.
 */
static void token_visit(struct proto *p)
{
	uint32_t budget = p->cfg.timing.max_messages;

	if (budget > p->cfg.timing.window_size)
		budget = p->cfg.timing.window_size;
	while (p->sq && budget-- > 0) {
		struct qmsg *m = p->sq;

		p->sq = m->next;
		if (!p->sq)
			p->sq_tail = &p->sq;
		p->sq_bytes -= m->len;
		m->next = NULL;
		m->seq = ++p->seq;
		*p->rq_tail = m;
		p->rq_tail = &m->next;
	}
	/* A ring of one: the rotation is complete when the token returns,
	 * and this node holds every message it numbered. */
	p->aru = p->seq;
	deliver_ready(p);
}

/* Runs token visits while there is work (the single node passes the token
 * to itself). Callbacks may submit more; the loop picks that up. */
static void rotate(struct proto *p)
{
	if (p->in_visit || p->state != ST_OPERATIONAL)
		return;
	p->in_visit = true;
	while (p->sq || p->rq)
		token_visit(p);
	p->in_visit = false;
}

int proto_start(struct proto *p, uint64_t now)
{
	struct proto_conf conf;

	(void)now;
	if (p->state != ST_IDLE)
		return -EALREADY;
	set_state(p, ST_GATHER);
	/* Consensus on {self} is immediate: the only node agrees. */
	p->ring.rep = p->cfg.local_nodeid;
	p->ring.seq = p->cfg.ring_seq + RING_SEQ_STEP;
	p->ops.ring_seq(p->ctx, p->ring.seq);
	p->n_members = 1;
	p->members[0] = p->cfg.local_nodeid;
	p->seq = p->aru = p->delivered = 0;
	set_state(p, ST_OPERATIONAL);
	p->stats.configurations++;
	conf = (struct proto_conf){ PROTO_CONF_REGULAR, p->ring, p->n_members,
	    p->members };
	p->in_visit = true;
	p->ops.confchg(p->ctx, &conf);
	p->in_visit = false;
	rotate(p);
	return 0;
}

int proto_receive(struct proto *p, uint64_t now, uint32_t from,
    const uint8_t *buf, size_t len)
{
	(void)now;
	(void)buf;
	(void)len;
	/* A ring of one has no peers: whatever arrives is foreign. */
	p->stats.rx_datagrams++;
	p->stats.rx_dropped++;
	plog(p, 3, "datagram from node %u dropped: not in this ring", from);
	return 0;
}

int proto_submitv(struct proto *p, uint64_t now, const struct iovec *iov,
    int iovcnt, enum proto_guarantee guarantee)
{
	struct qmsg *m;
	size_t len = 0, off = 0;

	(void)now;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > PROTO_MSG_MAX - len)
			return -EMSGSIZE;
		len += iov[i].iov_len;
	}
	if (guarantee != PROTO_AGREED && guarantee != PROTO_SAFE)
		return -EINVAL;
	/* A message larger than the whole queue fits an empty queue. */
	if (p->sq_bytes > 0 && p->sq_bytes + len > p->cfg.send_queue_bytes)
		return -EAGAIN;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	*m = (struct qmsg){ .g = guarantee, .len = len };
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len)
			memcpy(m->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	*p->sq_tail = m;
	p->sq_tail = &m->next;
	p->sq_bytes += len;
	rotate(p);
	return 0;
}

int proto_submit(struct proto *p, uint64_t now, const void *msg, size_t len,
    enum proto_guarantee guarantee)
{
	struct iovec iov = { (void *)msg, len };

	return proto_submitv(p, now, &iov, 1, guarantee);
}

size_t proto_send_space(const struct proto *p)
{
	return p->sq_bytes >= p->cfg.send_queue_bytes ? 0 :
	    p->cfg.send_queue_bytes - p->sq_bytes;
}

uint64_t proto_next_timeout(const struct proto *p)
{
	/* Work left (a visit interrupted by a callback) is due at once. */
	return p->state == ST_OPERATIONAL && p->sq && !p->in_visit ? 0 :
	    UINT64_MAX;
}

int proto_tick(struct proto *p, uint64_t now)
{
	(void)now;
	rotate(p);
	return 0;
}

void proto_status(const struct proto *p, struct proto_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = p->state;
	st->state_name = state_names[p->state];
	st->ring_id = p->ring;
	st->n_members = p->n_members;
	memcpy(st->members, p->members, p->n_members * sizeof(uint32_t));
	st->send_queue_used = p->sq_bytes;
	st->send_queue_bytes = p->cfg.send_queue_bytes;
	st->stats = p->stats;
}
