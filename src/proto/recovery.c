/*
 * recovery.c: between a ring's commit and its install. Membership hands
 * over when the commit token's second pass is complete (recovery_enter):
 * the members that come from our old ring re-send, numbered on the new
 * ring with their old identity in front (MCAST_RECOVERED), the old
 * ring's messages some of them may lack. The token numbers them
 * (recovery_next, recovery_pending) and, once a rotation shows every
 * member holds all of them, says INSTALL: each member then delivers what
 * the old ring leaves and the two configurations (install).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "proto/internal.h"

/* The commit token is complete (its second pass): it names, for each
 * member, its old ring and what it holds of it. The members from our old
 * ring (the transitional set) re-send what some of them may lack, from
 * the lowest aru among them up to the highest message any of them holds.
 * The new ring's store starts empty, and so do the token's counters. */
void recovery_enter(struct proto *p, const struct wire_commit *c)
{
	uint64_t low = UINT64_MAX;

	p->rec.commit = *c;
	p->rec.trans.n = 0;
	p->rec.high = p->rec.safe = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct wire_commit_entry *e = &c->e[i];

		if (e->old_ring.rep != p->old->ring.rep ||
		    e->old_ring.seq != p->old->ring.seq)
			continue;
		idset_add(&p->rec.trans, e->nodeid);
		if (e->aru < low)
			low = e->aru;
		if (e->high > p->rec.high)
			p->rec.high = e->high;
		if (e->stable > p->rec.safe)
			p->rec.safe = e->stable;
	}
	assert(idset_has(&p->rec.trans, p->cfg.local_nodeid));
	p->rec.next = low + 1;
	store_free(p->cur);
	p->cur = store_new(p->ring);
	if (!p->cur)
		abort();   /* one store per configuration change */
	set_state(p, ST_RECOVERY, "commit token complete");
	order_ring_reset(p);
}

/* Stores a received recovered message: in the new ring's store (with the
 * old identity as a prefix, to retransmit it as it came) and, if it is
 * one of our old ring's, in the old store too. False when the new ring's
 * store did not take it (a duplicate, or outside its window). */
bool recovery_store(struct proto *p, const struct wire_mcast *m)
{
	uint8_t buf[REC_PREFIX + DGRAM_MAX];
	size_t n = m->body_len;

	if (n > DGRAM_MAX)
		return false;
	memcpy(buf, &m->old_ring.rep, 4);
	memcpy(buf + 4, &m->old_ring.seq, 8);
	memcpy(buf + 12, &m->old_seq, 8);
	memcpy(buf + 20, &m->old_origin, 4);
	buf[24] = m->old_mflags;
	memcpy(buf + REC_PREFIX, m->body, n);
	if (!store_put(p->cur, m->seq, m->origin, MCAST_RECOVERED, buf, n + REC_PREFIX))
		return false;
	if (p->state == ST_RECOVERY && p->old &&
	    m->old_ring.rep == p->old->ring.rep &&
	    m->old_ring.seq == p->old->ring.seq &&
	    util_node_index(p, m->old_origin) >= 0)
		store_put(p->old, m->old_seq, m->old_origin, m->old_mflags,
		    m->body, m->body_len);
	return true;
}

/* Whether this node recovers old-ring message `s`: a message some
 * transitional member is sure to hold (its aru covers it) is sent by the
 * lowest such member only; above every aru, by every holder. */
static const struct smsg *recovers(const struct proto *p, uint64_t s)
{
	const struct smsg *m = store_get(p->old, s);

	if (!m)
		return NULL;
	for (size_t i = 0; i < p->rec.commit.n; i++) {
		const struct wire_commit_entry *e = &p->rec.commit.e[i];

		if (idset_has(&p->rec.trans, e->nodeid) && e->aru >= s)
			return e->nodeid == p->cfg.local_nodeid ? m : NULL;
	}
	return m;
}

const struct smsg *recovery_next(struct proto *p)
{
	while (p->rec.next <= p->rec.high) {
		const struct smsg *m = recovers(p, p->rec.next++);

		if (m)
			return m;
	}
	return NULL;
}

bool recovery_pending(const struct proto *p)
{
	for (uint64_t s = p->rec.next; s <= p->rec.high; s++)
		if (recovers(p, s))
			return true;
	return false;
}

static void conf(struct proto *p, enum proto_conf_type type,
    const struct idset *m)
{
	struct proto_conf c = { type, p->ring, m->n, m->id };

	p->ops.confchg(p->ctx, &c);
}

/* Old-ring messages not looked at yet (each one this node may re-send). */
size_t recovery_left(const struct proto *p)
{
	return p->rec.next <= p->rec.high ?
	    (size_t)(p->rec.high - p->rec.next + 1) : 0;
}

/*
 * Installs the new ring: every member of the transitional set holds the
 * same old-ring messages now, so each delivers the same ones. First the
 * messages before the first gap (a SAFE one only if some member knew it
 * stable), then the transitional configuration, then the rest, skipping
 * after a gap the messages of nodes outside the transitional set (their
 * earlier messages may be lost: FIFO), then the regular configuration.
 */
void install(struct proto *p, uint64_t install_seq)
{
	struct store *o = p->old;
	uint64_t s;
	bool gap = false;

	assert(p->cur->aru >= install_seq);
	for (s = o->delivered + 1; s <= p->rec.high; s++) {
		const struct smsg *m = store_get(o, s);

		if (!m || ((m->mflags & MCAST_SAFE) && s > p->rec.safe))
			break;
		o->delivered = s;
		deliver_msg(p, m);
	}
	if (p->installed_once)
		conf(p, PROTO_CONF_TRANSITIONAL, &p->rec.trans);
	for (; s <= p->rec.high; s++) {
		const struct smsg *m = store_get(o, s);

		if (!m) {
			gap = true;
			continue;
		}
		if (gap && !idset_has(&p->rec.trans, m->origin))
			continue;
		deliver_msg(p, m);
	}
	reasm_reset_all(p);
	store_free(o);
	p->old = NULL;
	p->old_members = p->members;
	p->installed_once = true;
	p->cur->delivered = install_seq;
	p->stats.configurations++;
	set_state(p, ST_OPERATIONAL, "ring installed");
	order_installed(p);
	conf(p, PROTO_CONF_REGULAR, &p->members);
}
