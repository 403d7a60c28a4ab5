/*
 * ordering.c: the glue between the protocol engine and the services
 * (ordering.h).
 *
 * Calls into the engine are marked (in_proto): the engine's callbacks
 * run inside them, and what they ask for (handing queued messages over,
 * rearming the timer) waits until the outermost call returns.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/loop.h"
#include "daemon/ordering.h"
#include "daemon/ringseq.h"
#include "daemon/transport/transport.h"

struct subq_entry {
	struct subq_entry *next;
	struct conn *owner;      /* NULL: the daemon's own, or owner gone */
	uint64_t cost;
	enum proto_guarantee g;
	bool held;               /* submitted while the queue was held */
	size_t len;
	uint8_t msg[];
};

struct ordering {
	struct loop *loop;
	struct proto *proto;
	struct transport *transport;     /* NULL for a one-node cluster */
	const struct services *services;
	struct ringseq ring_seq;         /* the ring sequence's files */
	bool ring_seq_open;
	void (*credit)(void *arg, struct conn *owner, uint64_t cost);
	void *arg;
	struct loop_timer timer;
	bool in_proto;           /* inside a proto call (callbacks running) */
	bool congested;          /* told to the engine: a local reader is behind */
	/* The submission queue. */
	struct subq_entry *head, **tail;
	size_t n;
	bool hold;               /* new messages wait (ordering_hold) */
	uint64_t unclaimed;      /* ordered messages no service took */
	struct log_gate unclaimed_gate;
	/* Timing asked for inside a proto call, given to the engine when
	 * the outermost call has returned (ordering_reconfigure). */
	bool timing_pending;
	struct proto_timing timing;
	/* Nodes to add and remove, the same way (ordering_add_nodes,
	 * ordering_remove_nodes). */
	size_t n_adding, n_removing;
	uint32_t adding[PROTO_MAX_NODES], removing[PROTO_MAX_NODES];
};

static void rearm(struct ordering *o)
{
	uint64_t next = proto_next_timeout(o->proto);

	if (next == UINT64_MAX)
		loop_timer_disarm(o->loop, &o->timer);
	else
		loop_timer_arm(o->loop, &o->timer, next);
}

/* Hands queued messages to the engine while it has room. */
static void pump(struct ordering *o)
{
	while (o->head && !o->head->held) {
		struct subq_entry *e = o->head;
		int rc = proto_submit(o->proto, loop_now(o->loop), e->msg, e->len,
		    e->g);

		if (rc == -EAGAIN)
			break;
		/* The services' sizes are within the engine's, so only
		 * memory can fail here; dropping the message would lose it and
		 * stall the synchronisation that waits for it (cpg/sync.c). */
		if (rc < 0)
			fatalx("message of %zu bytes refused by the protocol "
			    "engine: %s", e->len, strerror(-rc));
		o->head = e->next;
		if (!o->head)
			o->tail = &o->head;
		o->n--;
		if (e->owner)
			o->credit(o->arg, e->owner, e->cost);
		free(e);
	}
}

/* Nodes and timing waiting for the engine: given now that no call
 * runs. */
static void reconfigure_pending(struct ordering *o)
{
	int rc;

	if (o->n_removing) {
		rc = proto_remove_nodes(o->proto, loop_now(o->loop),
		    o->removing, o->n_removing);
		if (rc < 0)
			log_warnx("protocol engine: nodes not removed: %s",
			    strerror(-rc));
		o->n_removing = 0;
	}
	if (o->n_adding) {
		rc = proto_add_nodes(o->proto, loop_now(o->loop), o->adding,
		    o->n_adding);
		if (rc < 0)
			log_warnx("protocol engine: nodes not added: %s",
			    strerror(-rc));
		o->n_adding = 0;
	}
	if (!o->timing_pending)
		return;
	o->timing_pending = false;
	rc = proto_reconfigure(o->proto, loop_now(o->loop), &o->timing);
	if (rc < 0)
		log_warnx("protocol engine: timing not applied: %s",
		    strerror(-rc));
}

int ordering_reconfigure(struct ordering *o, const struct proto_timing *t)
{
	if (t->window_size > PROTO_WINDOW_MAX ||
	    t->max_messages > PROTO_WINDOW_MAX)
		return -EINVAL;
	o->timing = *t;
	o->timing_pending = true;
	if (!o->in_proto)
		ordering_after_io(o);
	return 0;
}

int ordering_add_nodes(struct ordering *o, const uint32_t *ids, size_t n)
{
	if (o->n_adding + n > PROTO_MAX_NODES)
		return -EINVAL;
	memcpy(o->adding + o->n_adding, ids, n * sizeof(ids[0]));
	o->n_adding += n;
	if (!o->in_proto)
		ordering_after_io(o);
	return 0;
}

int ordering_remove_nodes(struct ordering *o, const uint32_t *ids, size_t n)
{
	if (o->n_removing + n > PROTO_MAX_NODES)
		return -EINVAL;
	memcpy(o->removing + o->n_removing, ids, n * sizeof(ids[0]));
	o->n_removing += n;
	if (!o->in_proto)
		ordering_after_io(o);
	return 0;
}

void ordering_after_io(struct ordering *o)
{
	if (!o->in_proto) {
		reconfigure_pending(o);
		o->in_proto = true;
		pump(o);
		o->in_proto = false;
	}
	rearm(o);
}

bool ordering_set_congested(struct ordering *o, bool on)
{
	if (o->congested == on || o->in_proto)
		return false;
	o->congested = on;
	log_debug("a local client is %s: new messages of the cluster %s",
	    on ? "behind on its events" : "caught up",
	    on ? "wait" : "go on");
	o->in_proto = true;
	proto_set_congested(o->proto, loop_now(o->loop), on);
	o->in_proto = false;
	ordering_after_io(o);
	return true;
}

/* Hands a message straight to the engine: 0, -EAGAIN (no room) or
 * another -errno (refused). */
static int submit_now(struct ordering *o, const uint8_t *hdr, size_t hlen,
    const uint8_t *payload, size_t plen, enum proto_guarantee g)
{
	struct iovec iov[2] = { { (void *)hdr, hlen }, { (void *)payload, plen } };
	bool outer = !o->in_proto;
	int rc;

	o->in_proto = true;
	rc = proto_submitv(o->proto, loop_now(o->loop), iov, 2, g);
	o->in_proto = !outer;
	if (rc == 0 && outer)
		rearm(o);
	return rc;
}

/* Queues a message: at the tail, or (`ahead`) in front of the held ones. */
static int enqueue(struct ordering *o, struct conn *owner, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, enum proto_guarantee g,
    uint64_t cost, bool ahead)
{
	struct subq_entry *e = malloc(sizeof(*e) + hlen + plen), **at;

	if (!e)
		return -ENOMEM;
	*e = (struct subq_entry){ NULL, owner, cost, g, o->hold && !ahead,
	    hlen + plen };
	memcpy(e->msg, hdr, hlen);
	if (plen)
		memcpy(e->msg + hlen, payload, plen);
	at = &o->head;
	if (ahead)
		while (*at && !(*at)->held)
			at = &(*at)->next;
	else
		at = o->tail;
	e->next = *at;
	*at = e;
	if (!e->next)
		o->tail = &e->next;
	o->n++;
	return 0;
}

int ordering_submit2(struct ordering *o, struct conn *owner,
    const uint8_t *hdr, size_t hlen, const uint8_t *payload, size_t plen,
    enum proto_guarantee g, uint64_t cost)
{
	if (!o->head && !o->hold) {
		int rc = submit_now(o, hdr, hlen, payload, plen, g);

		if (rc == 0 && owner)
			o->credit(o->arg, owner, cost);
		if (rc != -EAGAIN)
			return rc;
	}
	return enqueue(o, owner, hdr, hlen, payload, plen, g, cost, false);
}

int ordering_submit_sync(struct ordering *o, const uint8_t *msg, size_t len)
{
	if (!o->head || o->head->held) {
		int rc = submit_now(o, msg, len, NULL, 0, PROTO_AGREED);

		if (rc != -EAGAIN)
			return rc;
	}
	return enqueue(o, NULL, msg, len, NULL, 0, PROTO_AGREED, 0, true);
}

void ordering_hold(struct ordering *o, bool on)
{
	o->hold = on;
	if (on)
		return;
	for (struct subq_entry *e = o->head; e; e = e->next)
		e->held = false;
	if (!o->in_proto)
		ordering_after_io(o);   /* inside a callback: after the proto call */
}

int ordering_submit(struct ordering *o, struct conn *owner,
    const uint8_t *msg, size_t len, enum proto_guarantee g, uint64_t cost)
{
	return ordering_submit2(o, owner, msg, len, NULL, 0, g, cost);
}

void ordering_forget_owner(struct ordering *o, struct conn *c)
{
	for (struct subq_entry *e = o->head; e; e = e->next)
		if (e->owner == c)
			e->owner = NULL;
}

void *ordering_take_delivered(struct ordering *o, const uint8_t *msg)
{
	return proto_take_delivered(o->proto, msg);
}

/* ------------------------------------------------------ engine callbacks */

static void cb_send(void *ctx, uint32_t to, const uint8_t *buf, size_t len)
{
	struct ordering *o = ctx;

	/* A one-node cluster has no transport: nobody to send to. */
	if (o->transport)
		transport_send(o->transport, to, buf, len);
}

static void cb_deliver(void *ctx, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g)
{
	struct ordering *o = ctx;
	uint64_t held;

	for (size_t i = 0; len > 0 && i < SERVICE_MAX; i++) {
		const struct service *s = &o->services->s[i];

		if (s->ops && s->ops->deliver && s->ops->wire_tag == msg[0]) {
			s->ops->deliver(s->svc, sender, msg, len, g);
			return;
		}
	}
	/* Every node drops the same bytes: state stays the same everywhere. */
	o->unclaimed++;
	if (log_gate_pass(&o->unclaimed_gate, loop_now(o->loop), 60000,
	    &held))
		log_warnx("ordered message of %zu bytes from node %u for no "
		    "service here (tag %u): dropped (%" PRIu64 " so far, %"
		    PRIu64 " not logged)", len, sender, len ? msg[0] : 0,
		    o->unclaimed, held);
}

static void cb_confchg(void *ctx, const struct proto_conf *conf)
{
	struct ordering *o = ctx;

	log_info("%s configuration %x.%" PRIx64 " with %zu member(s)",
	    conf->type == PROTO_CONF_REGULAR ? "regular" : "transitional",
	    conf->ring_id.rep, conf->ring_id.seq, conf->n_members);
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *s = &o->services->s[i];

		if (s->ops && s->ops->confchg)
			s->ops->confchg(s->svc, conf);
	}
}

/* The engine relies on the ring sequence to keep ring ids unique across
 * restarts; the bound on disk is written ahead by a thread, so this
 * waits on the disk only for a value above it (ringseq.h). */
static void cb_ring_seq(void *ctx, uint64_t seq)
{
	struct ordering *o = ctx;

	ringseq_use(&o->ring_seq, seq);
}

/* A peer's JOIN showed a higher ring sequence: the bound is asked for
 * before a ring needs it. */
static void cb_ring_seq_seen(void *ctx, uint64_t seq)
{
	struct ordering *o = ctx;

	ringseq_hint(&o->ring_seq, seq);
}

static void cb_log(void *ctx, int level, const char *line)
{
	(void)ctx;
	log_msg(level <= 0 ? LOG_LVL_ERR : level == 1 ? LOG_LVL_WARN :
	    level == 2 ? LOG_LVL_INFO : LOG_LVL_DEBUG, "totem: %s", line);
}

static const struct proto_ops ordering_ops = {
	.send = cb_send,
	.deliver = cb_deliver,
	.confchg = cb_confchg,
	.ring_seq = cb_ring_seq,
	.ring_seq_seen = cb_ring_seq_seen,
	.log = cb_log,
};

static void on_proto_timer(void *arg)
{
	struct ordering *o = arg;

	o->in_proto = true;
	proto_tick(o->proto, loop_now(o->loop));
	o->in_proto = false;
	ordering_after_io(o);
}

void ordering_receive(struct ordering *o, uint32_t from, const uint8_t *buf,
    size_t len)
{
	o->in_proto = true;
	proto_receive(o->proto, loop_now(o->loop), from, buf, len);
	o->in_proto = false;
	ordering_after_io(o);
}

void ordering_peer_unreachable(struct ordering *o, uint32_t nodeid)
{
	log_debug("node %u: port unreachable (no daemon at its address)",
	    nodeid);
	o->in_proto = true;
	proto_peer_unreachable(o->proto, loop_now(o->loop), nodeid);
	o->in_proto = false;
	ordering_after_io(o);
}

int ordering_new(const struct ordering_config *cfg, struct ordering **out)
{
	struct proto_config pc = *cfg->proto;
	struct ordering *o = calloc(1, sizeof(*o));
	char boot[RINGSEQ_BOOT_ID_LEN + 1];
	int rc;

	if (!o)
		return -ENOMEM;
	o->loop = cfg->loop;
	o->transport = cfg->transport;
	o->services = cfg->services;
	o->credit = cfg->credit;
	o->arg = cfg->arg;
	o->tail = &o->head;
	o->timer = (struct loop_timer){ .fn = on_proto_timer, .arg = o };
	if (ringseq_boot_id(boot) < 0)
		log_warnx("cannot read this boot's id: each start goes on from "
		    "the ring sequence's bound, well above the last one used");
	rc = ringseq_open(&o->ring_seq, cfg->state, boot, true, &pc.ring_seq);
	if (rc < 0) {
		free(o);
		return rc;
	}
	o->ring_seq_open = true;
	rc = proto_new(&pc, &ordering_ops, o, loop_now(o->loop), &o->proto);
	if (rc < 0) {
		ordering_free(o);
		return rc;
	}
	*out = o;
	return 0;
}

int ordering_start(struct ordering *o)
{
	int rc;

	o->in_proto = true;
	rc = proto_start(o->proto, loop_now(o->loop));
	o->in_proto = false;
	ordering_after_io(o);
	return rc;
}

void ordering_free(struct ordering *o)
{
	if (!o)
		return;
	while (o->head) {
		struct subq_entry *e = o->head;

		o->head = e->next;
		free(e);
	}
	loop_timer_disarm(o->loop, &o->timer);
	if (o->proto)
		proto_free(o->proto);
	if (o->ring_seq_open)
		ringseq_close(&o->ring_seq);
	free(o);
}

void ordering_status(const struct ordering *o, struct proto_status *st)
{
	proto_status(o->proto, st);
}

bool ordering_congested(const struct ordering *o)
{
	return o->congested;
}

size_t ordering_queued(const struct ordering *o)
{
	return o->n;
}
