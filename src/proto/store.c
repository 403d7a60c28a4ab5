/*
 * store.c: the messages of a ring by sequence number, the local send
 * queue, packing of small messages and fragmentation of large ones, and
 * delivery in order with reassembly.
 *
 * A numbered message (one datagram's worth) holds packed entries; an
 * application message travels as one entry (FIRST|LAST) or as fragments
 * in consecutive messages of its origin. Receivers reassemble per origin
 * and deliver a message when its LAST fragment is delivered, so a message
 * is delivered whole, at one point of the total order. On a ring of one
 * nothing goes on the network: a large message is numbered whole, as one
 * entry, and delivered from the store without reassembly.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "proto/internal.h"

/* A reassembly buffer up to this size is kept for the origin's next
 * large message: growing it again from its first size copies the message
 * once per doubling. Larger ones (up to PROTO_MSG_MAX) are freed after
 * use. */
#define REASM_KEEP (2u << 20)
/* A reassembly buffer's first size; it doubles until the message fits. */
#define REASM_FIRST (64u << 10)

struct store *store_new(struct proto_ring_id ring)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s) {
		s->ring = ring;
		s->base = 1;
	}
	return s;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < STORE_CAP; i++)
		free(s->slot[i]);
	free(s);
}

const struct smsg *store_get(const struct store *s, uint64_t seq)
{
	const struct smsg *m;

	if (seq < s->base || seq >= s->base + STORE_CAP)
		return NULL;
	m = s->slot[seq % STORE_CAP];
	return m && m->seq == seq ? m : NULL;
}

/* Whether `seq` has an empty slot: in the window, not delivered, not
 * held already. */
static bool store_room(const struct store *s, uint64_t seq)
{
	return seq >= s->base && seq < s->base + STORE_CAP &&
	    seq > s->delivered && !s->slot[seq % STORE_CAP];
}

/* Files `m` in its empty slot (store_room said so). */
static void store_insert(struct store *s, uint64_t seq, uint32_t origin,
    uint8_t mflags, struct smsg *m, size_t len)
{
	m->seq = seq;
	m->origin = origin;
	m->mflags = mflags;
	m->len = len;
	s->slot[seq % STORE_CAP] = m;
	if (seq > s->high)
		s->high = seq;
	while (store_get(s, s->aru + 1))
		s->aru++;
}

bool store_put(struct store *s, uint64_t seq, uint32_t origin, uint8_t mflags,
    const uint8_t *body, size_t len)
{
	struct smsg *m;

	if (!store_room(s, seq))
		return false;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return false;   /* as if lost: it will be retransmitted */
	memcpy(m->body, body, len);
	store_insert(s, seq, origin, mflags, m, len);
	return true;
}

bool store_adopt(struct store *s, uint64_t seq, uint32_t origin,
    uint8_t mflags, struct smsg *m, size_t len)
{
	if (!store_room(s, seq)) {
		free(m);
		return false;
	}
	store_insert(s, seq, origin, mflags, m, len);
	return true;
}

/* Frees every message up to `upto` (they are delivered and stable). */
void store_release(struct store *s, uint64_t upto)
{
	while (s->base <= upto) {
		struct smsg **slot = &s->slot[s->base % STORE_CAP];

		if (*slot && (*slot)->seq == s->base) {
			free(*slot);
			*slot = NULL;
		}
		s->base++;
	}
}

void reasm_reset_all(struct proto *p)
{
	for (size_t i = 0; i < p->cfg.n_nodes; i++) {
		free(p->reasm[i].buf);
		p->reasm[i] = (struct reasm){ 0 };
	}
}

static void deliver_entry(struct proto *p, uint32_t origin, uint8_t f,
    const uint8_t *d, uint32_t dl)
{
	int i = util_node_index(p, origin);
	struct reasm *r;
	enum proto_guarantee g = f & ENTRY_SAFE ? PROTO_SAFE : PROTO_AGREED;

	assert(i >= 0);
	r = &p->reasm[i];
	if (f & ENTRY_FIRST) {
		r->len = 0;
		r->active = true;
		if (f & ENTRY_LAST) {
			r->active = false;
			p->stats.delivered++;
			p->ops.deliver(p->ctx, origin, d, dl, g);
			return;
		}
	}
	if (!r->active)
		return;   /* the rest of a message whose start was skipped */
	if (r->len + dl > PROTO_MSG_MAX) {
		r->active = false;   /* cannot happen with a well-behaved peer */
		return;
	}
	if (r->len + dl > r->cap) {
		size_t cap = r->cap ? r->cap : REASM_FIRST;
		uint8_t *nb;

		while (cap < r->len + dl)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb) {
			r->active = false;
			return;
		}
		r->buf = nb;
		r->cap = cap;
	}
	if (dl) {   /* an empty fragment may come before any buffer */
		memcpy(r->buf + r->len, d, dl);
		r->len += dl;
	}
	if (f & ENTRY_LAST) {
		r->active = false;
		p->stats.delivered++;
		p->ops.deliver(p->ctx, origin, r->buf, r->len, g);
		if (r->cap > REASM_KEEP) {
			free(r->buf);
			r->buf = NULL;
			r->cap = 0;
		}
		r->len = 0;
	}
}

/* Delivers the entries of `m`. When the callback takes it
 * (proto_take_delivered), `m` may be gone on return: nothing of it is
 * read after its one entry. */
void deliver_msg(struct proto *p, const struct smsg *m)
{
	const uint8_t *body = m->body;
	size_t off = 0, len = m->len;
	uint32_t origin = m->origin;
	uint8_t f;
	const uint8_t *d;
	uint32_t dl;

	/* The body was validated when it was received or built. */
	while (wire_next_entry(body, len, &off, &f, &d, &dl) == 1) {
		p->take_whole = p->take == m && off == len &&
		    (f & (ENTRY_FIRST | ENTRY_LAST)) ==
		    (ENTRY_FIRST | ENTRY_LAST);
		deliver_entry(p, origin, f, d, dl);
		p->take_whole = false;
		if (p->taken)
			break;
	}
}

void *proto_take_delivered(struct proto *p, const uint8_t *msg)
{
	struct smsg *m = (struct smsg *)p->take;
	struct smsg **slot;

	if (!p->take_whole || msg < m->body || msg >= m->body + m->len)
		return NULL;
	slot = &p->cur->slot[m->seq % STORE_CAP];
	assert(*slot == m);
	*slot = NULL;
	p->take_whole = false;
	p->take = NULL;
	p->taken = true;
	return m;
}

/* Delivers the current ring's messages that are contiguous; a message
 * holding a SAFE entry waits until every member is known to have it. */
void deliver_ready(struct proto *p)
{
	struct store *s = p->cur;

	if (p->state != ST_OPERATIONAL || !s)
		return;
	while (s->delivered < s->aru) {
		const struct smsg *m = store_get(s, s->delivered + 1);

		assert(m);
		if ((m->mflags & MCAST_SAFE) && m->seq > s->stable)
			break;
		s->delivered = m->seq;
		/* On a ring of one nobody will ask for a delivered message
		 * again (no retransmission, and a recovery re-sends nothing
		 * at or below the aru): its storage may be taken. */
		p->take = p->members.n == 1 ? m : NULL;
		p->taken = false;
		if (!(m->mflags & MCAST_RECOVERED))
			deliver_msg(p, m);
		p->take = NULL;
		p->taken = false;
		if (p->cur != s)
			return;   /* cannot happen: callbacks only queue */
	}
	store_release(s, s->delivered < s->stable ? s->delivered : s->stable);
}

/* Takes the message at the head of the send queue off it and frees it. */
static void sq_pop(struct proto *p)
{
	struct qmsg *q = p->sq;

	p->sq = q->next;
	if (!p->sq)
		p->sq_tail = &p->sq;
	p->sq_bytes -= q->len;
	p->sq_n--;
	free(q->whole);
	free(q);
}

/* Packs queued messages into one message body of at most `cap` bytes:
 * whole small messages while they fit, or the next fragment of a large
 * one. */
size_t pack_next(struct proto *p, uint8_t *body, size_t cap, uint8_t *mflags)
{
	struct wbuf wb;

	*mflags = 0;
	wbuf_init(&wb, body, cap);
	while (p->sq && cap - wb.len > ENTRY_HDR) {
		struct qmsg *q = p->sq;
		size_t room = cap - wb.len - ENTRY_HDR;
		size_t left = q->len - q->off;
		size_t n = left < room ? left : room;
		uint8_t f = 0;

		/* Start a message in a fresh body unless it fits whole. */
		if (q->off == 0 && n < left && wb.len > 0)
			break;
		if (q->off == 0)
			f |= ENTRY_FIRST;
		if (n == left)
			f |= ENTRY_LAST;
		if (q->g == PROTO_SAFE) {
			f |= ENTRY_SAFE;
			*mflags |= MCAST_SAFE;
		}
		wbuf_u8(&wb, f);
		wbuf_be32(&wb, (uint32_t)n);
		wbuf_copy(&wb, q->data + q->off, n);
		q->off += n;
		if (q->off < q->len)
			break;
		sq_pop(p);
	}
	assert(!wb.err);
	return wb.len;
}

/*
 * On a ring of one nothing goes on the network, so nothing needs to fit
 * a datagram: the message at the head of the queue, too large for one
 * body and not begun, is numbered whole, as one entry, in the block it
 * was queued in. It is neither copied into fragments nor reassembled.
 * Returns that message (the caller's now); *len is its body's length.
 */
struct smsg *sq_take_whole(struct proto *p, size_t *len, uint8_t *mflags)
{
	struct qmsg *q = p->sq;
	struct smsg *m = q->whole;
	uint8_t f = ENTRY_FIRST | ENTRY_LAST;
	struct wbuf wb;

	assert(m && q->off == 0 && q->len <= PROTO_MSG_MAX);
	*mflags = 0;
	if (q->g == PROTO_SAFE) {
		f |= ENTRY_SAFE;
		*mflags = MCAST_SAFE;
	}
	wbuf_init(&wb, m->body, ENTRY_HDR);
	wbuf_u8(&wb, f);
	wbuf_be32(&wb, (uint32_t)q->len);
	assert(!wb.err);
	*len = ENTRY_HDR + q->len;
	q->whole = NULL;
	sq_pop(p);
	return m;
}

/* A message partly numbered in a ring that ended is sent again whole in
 * the next one: receivers drop incomplete messages at a configuration
 * change, so it is delivered once, atomically. */
void sq_rewind(struct proto *p)
{
	if (p->sq)
		p->sq->off = 0;
}

void sq_free(struct proto *p)
{
	while (p->sq) {
		struct qmsg *q = p->sq;

		p->sq = q->next;
		free(q->whole);
		free(q);
	}
	p->sq_tail = &p->sq;
	p->sq_bytes = 0;
	p->sq_n = 0;
}
