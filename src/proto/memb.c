/*
 * memb.c: forming a ring. GATHER: nodes multicast JOIN {process set,
 * failed set} until every non-failed node of the process set has sent
 * exactly the same two sets (consensus); nodes that do not agree within
 * `consensus` ms are failed. COMMIT: the lowest node id of the agreed
 * membership sends the commit token round twice: the first pass collects
 * each member's old ring and what it holds of it, the second tells
 * everyone, and hands over to recovery (recovery.c), where the token
 * (order.c) runs. Failure in COMMIT or RECOVERY goes back to GATHER with
 * the old ring's messages untouched.
 *
 * The membership state (struct memb) is this file's alone. Ordering is
 * told what membership decides through order.c's order_* functions: a
 * ring accepted (order_accept), the commit token passed on
 * (order_commit_forward), the ring's timers stopped when gathering
 * (order_stop). Ordering hands back by calling gather_enter() (token
 * lost, failure to receive) and install() (recovery.c).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/internal.h"

static void members_of(const struct wire_commit *c, struct idset *out)
{
	out->n = 0;
	for (size_t i = 0; i < c->n; i++)
		idset_add(out, c->e[i].nodeid);
}

static void agreed(const struct proto *p, struct idset *m)
{
	idset_minus(m, &p->memb.proc, &p->memb.fail);
}

int memb_init(struct proto *p)
{
	p->memb.jrec = calloc(p->cfg.n_nodes, sizeof(*p->memb.jrec));
	if (!p->memb.jrec)
		return -ENOMEM;
	p->memb.join_at = p->memb.consensus_at = UINT64_MAX;
	return 0;
}

void memb_free(struct proto *p)
{
	free(p->memb.jrec);
}

/* The first ring is this node alone, at this incarnation's sequence
 * number, installed at once: the old ring of the first gather. */
int memb_start(struct proto *p)
{
	struct proto_ring_id first;

	/* This incarnation's number is persisted before it is used, so a
	 * restarted node is told apart from its previous life. */
	p->memb.incarnation = p->cfg.ring_seq + 1;
	p->memb.seq_max = p->memb.accepted_seq = p->memb.incarnation;
	p->ops.ring_seq(p->ctx, p->memb.seq_max);
	first = (struct proto_ring_id){ p->cfg.local_nodeid,
	    p->memb.incarnation };
	p->ring = first;
	p->old = store_new(first);
	if (!p->old)
		return -ENOMEM;
	p->old_members.n = 0;
	idset_add(&p->old_members, p->cfg.local_nodeid);
	gather_enter(p, "start");
	return 0;
}

/* A valid datagram came from the node at nodelist index `i`. */
void memb_heard(struct proto *p, int i)
{
	p->memb.unreach[i] = false;
}

/* The most a JOIN's resend interval is stretched to, and the most a new
 * view's JOIN waits: a consensus timeout must see several resends, or a
 * JOIN lost on the way fails its sender. */
static uint64_t join_stretch_max(const struct proto *p)
{
	uint64_t ms = p->cfg.timing.consensus_ms / PROTO_JOIN_RESENDS_MIN;

	return ms > p->cfg.timing.join_ms ? ms : p->cfg.timing.join_ms;
}

/* How long a JOIN is resent after: `join` ms, stretched in proportion
 * to the nodelist above PROTO_JOIN_SCALE_NODES, so that the JOINs a
 * gathering cluster sends each second (every node to every other) grow
 * with the node count rather than with its square; at most
 * join_stretch_max(). */
static uint64_t join_interval(const struct proto *p)
{
	uint64_t ms = p->cfg.timing.join_ms, max = join_stretch_max(p);

	if (p->cfg.n_nodes > PROTO_JOIN_SCALE_NODES)
		ms = ms * p->cfg.n_nodes / PROTO_JOIN_SCALE_NODES;
	return ms < max ? ms : max;
}

/* The delay before the JOIN of a new view goes out: 0 without
 * send_join, else one from 0 to send_join ms, drawn from our id and the
 * view's counter (the same run gives the same delays), and at most
 * join_stretch_max(), so that nodes
 * whose views change together do not all send at once, and the views a
 * burst of JOINs makes go out as one JOIN. */
static uint64_t join_delay(const struct proto *p)
{
	uint64_t x = ((uint64_t)p->cfg.local_nodeid << 32 ^
	    p->memb.join_counter) + p->memb.incarnation, max;

	if (!p->cfg.timing.send_join_ms)
		return 0;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	max = p->cfg.timing.send_join_ms;
	if (max > join_stretch_max(p))
		max = join_stretch_max(p);
	return x % (max + 1);
}

static void join_send(struct proto *p)
{
	struct wire_hdr h = util_hdr(p, WIRE_JOIN, p->old->ring);
	const struct memb *mb = &p->memb;
	struct wire_join j = { .incarnation = mb->incarnation,
	    .counter = mb->join_counter, .seq_max = mb->seq_max,
	    .accepted = mb->accepted_seq,
	    .n_proc = (uint16_t)mb->proc.n, .n_fail = (uint16_t)mb->fail.n };
	size_t n;

	memcpy(j.proc, mb->proc.id, mb->proc.n * sizeof(uint32_t));
	memcpy(j.fail, mb->fail.id, mb->fail.n * sizeof(uint32_t));
	n = wire_encode_join(p->dgram, p->cfg.mtu, &h, &j);
	assert(n > 0);
	if (p->cfg.n_nodes > 1)
		util_send(p, 0, p->dgram, n);
	p->memb.join_at = p->now + join_interval(p);
}

/* Whether node k's latest JOIN, heard in this episode, shows our sets. */
static bool matches(const struct proto *p, uint32_t k)
{
	const struct memb *mb = &p->memb;
	int i = util_node_index(p, k);
	const struct jrec *r;

	if (k == p->cfg.local_nodeid)
		return true;
	r = &mb->jrec[i];
	return r->valid && r->episode == mb->episode &&
	    r->n_proc == mb->proc.n && r->n_fail == mb->fail.n &&
	    !memcmp(r->proc, mb->proc.id, mb->proc.n * sizeof(uint32_t)) &&
	    !memcmp(r->fail, mb->fail.id, mb->fail.n * sizeof(uint32_t));
}

static void accept_ring(struct proto *p, struct proto_ring_id ring,
    const struct wire_commit *c)
{
	p->ring = ring;
	members_of(c, &p->members);
	for (p->my_index = 0; p->members.id[p->my_index] != p->cfg.local_nodeid;
	    p->my_index++)
		;
	p->memb.accepted_seq = ring.seq;
	if (ring.seq > p->memb.seq_max)
		p->memb.seq_max = ring.seq;
	p->ops.ring_seq(p->ctx, p->memb.seq_max);
	order_accept(p, c->tseq);
}

static void fill_entry(struct proto *p, struct wire_commit *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].nodeid == p->cfg.local_nodeid)
			c->e[i] = (struct wire_commit_entry){
				.nodeid = p->cfg.local_nodeid,
				.eflags = COMMIT_FILLED,
				.old_ring = p->old->ring,
				.aru = p->old->aru, .high = p->old->high,
				.stable = p->old->stable };
}

/* The lowest node of an agreed membership builds the commit token. */
static void commit_create(struct proto *p)
{
	struct idset m;
	struct wire_commit c = { .tseq = 0, .pass = 1 };
	struct proto_ring_id ring = { p->cfg.local_nodeid, 0 };

	agreed(p, &m);
	ring.seq = (p->memb.seq_max > p->memb.accepted_seq ? p->memb.seq_max :
	    p->memb.accepted_seq) + RING_SEQ_STEP;
	c.n = (uint8_t)m.n;
	for (size_t i = 0; i < m.n; i++)
		c.e[i].nodeid = m.id[i];
	util_log(p, PROTO_LOG_DEBUG, "consensus on %zu members: commit ring "
	    "%x.%llx", m.n, ring.rep, (unsigned long long)ring.seq);
	accept_ring(p, ring, &c);
	fill_entry(p, &c);
	if (m.n == 1) {
		c.pass = 2;
		set_state(p, ST_COMMIT, "ring of one");
		recovery_enter(p, &c);
		token_start(p);
		return;
	}
	set_state(p, ST_COMMIT, "consensus");
	order_commit_forward(p, &c);
}

static void check_consensus(struct proto *p)
{
	struct idset m;

	if (p->state != ST_GATHER || p->memb.consensus)
		return;
	agreed(p, &m);
	for (size_t i = 0; i < m.n; i++)
		if (!matches(p, m.id[i]))
			return;
	p->memb.consensus = true;
	if (m.id[0] == p->cfg.local_nodeid)
		commit_create(p);
}

static void log_view(struct proto *p)
{
	char line[200];
	size_t off = 0;

	off += (size_t)snprintf(line + off, sizeof(line) - off, "view %u: proc",
	    p->memb.join_counter);
	for (size_t i = 0; i < p->memb.proc.n && off < sizeof(line) - 12; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %u",
		    p->memb.proc.id[i]);
	off += (size_t)snprintf(line + off, sizeof(line) - off, " fail");
	for (size_t i = 0; i < p->memb.fail.n && off < sizeof(line) - 12; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %u",
		    p->memb.fail.id[i]);
	util_log(p, PROTO_LOG_TRACE, "%s", line);
}

/* Our view changed. `fail_only`: only nodes failed, none added; its JOIN
 * goes at once. A failure changes every node's view once, the same way
 * (the nodes a consensus timeout fails, or those a JOIN spreads), so
 * there is no burst of views to gather into one JOIN, and every node
 * waiting up to send_join ms would only add that wait to the removal of
 * the failed nodes. */
static void view_changed(struct proto *p, bool fail_only)
{
	uint64_t delay;

	p->memb.join_counter++;
	log_view(p);
	p->memb.consensus = false;
	p->memb.consensus_at = p->now + p->cfg.timing.consensus_ms;
	delay = fail_only ? 0 : join_delay(p);
	if (!delay)
		join_send(p);
	else if (p->now + delay < p->memb.join_at)
		p->memb.join_at = p->now + delay;
}

void gather_enter(struct proto *p, const char *why)
{
	enum pstate was = p->state;

	if (was == ST_OPERATIONAL || was == ST_IDLE) {
		/* The ring ends here: its messages are frozen for recovery. */
		if (was == ST_OPERATIONAL) {
			assert(!p->old);
			p->old = p->cur;
			p->cur = NULL;
			p->old_members = p->members;
			sq_rewind(p);
		}
		p->memb.proc = p->old_members;
	} else {
		/* A ring that failed to form: start again from its members
		 * and our old ring. */
		store_free(p->cur);
		p->cur = NULL;
		p->memb.proc = p->old_members;
		for (size_t i = 0; i < p->members.n; i++)
			idset_add(&p->memb.proc, p->members.id[i]);
	}
	/* Failures are judged anew in every episode: a node failed in an
	 * earlier attempt, kept failed, would spread through the JOINs of
	 * the others and keep the cluster split after the fault is gone. */
	p->memb.fail.n = 0;
	for (size_t i = 0; i < p->memb.proc.n; i++)
		if (p->memb.unreach[util_node_index(p, p->memb.proc.id[i])])
			idset_add(&p->memb.fail, p->memb.proc.id[i]);
	p->memb.episode++;
	order_stop(p);
	if (was != ST_GATHER && was != ST_IDLE)
		p->stats.token_losses++;
	set_state(p, ST_GATHER, why);
	/* Consensus is looked for when JOINs arrive and when ours is resent,
	 * never here: the JOIN that made us gather is not merged yet. */
	view_changed(p, false);
}

/* A node's port is closed (proto_peer_unreachable): a member of the ring
 * we are in or forming ends it; in a forming view the node is failed.
 * Until it speaks again (memb_heard) it is failed in every new view. */
void peer_unreachable(struct proto *p, uint32_t id)
{
	int i = util_node_index(p, id);

	if (i < 0 || p->memb.unreach[i])
		return;
	p->memb.unreach[i] = true;
	p->stats.unreachable++;
	switch (p->state) {
	case ST_OPERATIONAL:
	case ST_COMMIT:
	case ST_RECOVERY:
		if (idset_has(&p->members, id)) {
			util_log(p, PROTO_LOG_INFO,
			    "node %u's port is closed: it failed", id);
			gather_enter(p, "a member's port is closed");
		}
		break;
	case ST_GATHER:
		if (idset_has(&p->memb.proc, id) &&
		    idset_add(&p->memb.fail, id)) {
			util_log(p, PROTO_LOG_INFO,
			    "node %u's port is closed: failed", id);
			view_changed(p, true);
			check_consensus(p);
		}
		break;
	case ST_IDLE:
		break;
	}
}

/* Merges a JOIN into our view. */
static void merge_join(struct proto *p, uint32_t from, const struct wire_join *j)
{
	bool grew = false, failed = false, me_failed = false;

	if (idset_has(&p->memb.fail, from))
		return;
	for (unsigned i = 0; i < j->n_fail; i++)
		me_failed |= j->fail[i] == p->cfg.local_nodeid;
	if (me_failed) {
		grew |= idset_add(&p->memb.proc, from);
		failed |= idset_add(&p->memb.fail, from);
	} else {
		grew |= idset_add(&p->memb.proc, from);
		for (unsigned i = 0; i < j->n_proc; i++)
			grew |= idset_add(&p->memb.proc, j->proc[i]);
		for (unsigned i = 0; i < j->n_fail; i++)
			failed |= idset_add(&p->memb.fail, j->fail[i]);
	}
	if (grew || failed)
		view_changed(p, !grew && !me_failed);
}

static bool join_fails(const struct wire_join *j, uint32_t id)
{
	for (unsigned k = 0; k < j->n_fail; k++)
		if (j->fail[k] == id)
			return true;
	return false;
}

/* Whether a JOIN's sets name only nodes of our nodelist, in ascending
 * order: matching compares sorted sets, and ours are sent sorted. */
static bool join_sets_valid(const struct proto *p, const struct wire_join *j)
{
	for (unsigned k = 0; k < j->n_proc; k++)
		if (util_node_index(p, j->proc[k]) < 0 ||
		    (k > 0 && j->proc[k] < j->proc[k - 1]))
			return false;
	for (unsigned k = 0; k < j->n_fail; k++)
		if (util_node_index(p, j->fail[k]) < 0 ||
		    (k > 0 && j->fail[k] < j->fail[k - 1]))
			return false;
	return true;
}

void join_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_join *j)
{
	int i = util_node_index(p, h->sender);
	struct jrec *r = &p->memb.jrec[i];

	if (!join_sets_valid(p, j))
		goto drop;
	/* An older view is stale. The same view again is a resend: it
	 * counts, because a JOIN is resent every `join` ms for nodes that
	 * started gathering after it was first sent. */
	if (r->valid && (j->incarnation < r->incarnation ||
	    (j->incarnation == r->incarnation && j->counter < r->counter)))
		goto drop;
	if (j->seq_max > p->memb.seq_max) {
		p->memb.seq_max = j->seq_max;
		/* A ring above it may be accepted soon: the caller can start
		 * making it durable now, not when ring_seq() asks. */
		if (p->ops.ring_seq_seen)
			p->ops.ring_seq_seen(p->ctx,
			    p->memb.seq_max + RING_SEQ_STEP);
	}
	switch (p->state) {
	case ST_IDLE:
		goto drop;
	case ST_OPERATIONAL:
		/* A member's JOIN from before it accepted our ring is stale. */
		if (idset_has(&p->members, h->sender) &&
		    j->accepted < p->ring.seq)
			goto drop;
		/* A node outside our ring that has failed us will not have
		 * us: leaving our ring for it would only make a ring of our
		 * own again (merge detection joins us once it has a ring). */
		if (!idset_has(&p->members, h->sender) &&
		    join_fails(j, p->cfg.local_nodeid))
			break;
		gather_enter(p, "join received");
		break;
	case ST_COMMIT:
	case ST_RECOVERY:
		/* Only a member that has given up on the ring we are forming
		 * stops it. A member that has not accepted it yet is behind
		 * (the commit token will reach it); a node outside it is
		 * merged once the ring is operational (its JOINs go on). */
		if (!idset_has(&p->members, h->sender) ||
		    j->accepted < p->ring.seq)
			break;
		gather_enter(p, "join received while forming a ring");
		break;
	case ST_GATHER:
		break;
	}
	if (!r->valid || r->episode != p->memb.episode) {
		r->checked_counter = j->counter;
		r->spared = 0;
	}
	r->valid = true;
	r->episode = p->memb.episode;
	r->incarnation = j->incarnation;
	r->counter = j->counter;
	r->n_proc = j->n_proc;
	r->n_fail = j->n_fail;
	memcpy(r->proc, j->proc, j->n_proc * sizeof(uint32_t));
	memcpy(r->fail, j->fail, j->n_fail * sizeof(uint32_t));
	if (p->state == ST_GATHER) {
		merge_join(p, h->sender, j);
		check_consensus(p);
	}
	return;
drop:
	p->stats.rx_dropped++;
}

/* Every `join` ms in GATHER: resend our JOIN, look for consensus. */
static void join_timeout(struct proto *p)
{
	join_send(p);
	check_consensus(p);
}

/* Whether node k, whose JOIN does not match our view at a consensus
 * timeout, is spared this once: it has sent a new view since the
 * timeout before (or since the episode began), and has been spared
 * fewer than PROTO_CONSENSUS_SPARES times in this episode. Views only
 * grow within an episode, so a node that keeps changing its view is
 * converging on ours; failing it would put it in every JOIN's failed
 * set and split a cluster whose nodes all answer, as happens when
 * dozens of nodes gather at once. A node that is silent, or whose view
 * stands still without matching ours, is failed as before. */
static bool spare(struct proto *p, uint32_t k)
{
	struct jrec *r = &p->memb.jrec[util_node_index(p, k)];
	bool moved;

	if (!r->valid || r->episode != p->memb.episode)
		return false;
	moved = r->counter != r->checked_counter;
	r->checked_counter = r->counter;
	if (!moved || r->spared >= PROTO_CONSENSUS_SPARES)
		return false;
	r->spared++;
	return true;
}

static void consensus_timeout(struct proto *p)
{
	struct idset m, late = { 0 };
	bool changed = false;
	size_t spared = 0;

	agreed(p, &m);
	/* Judge every node against the view as it stands, then fail the
	 * late ones: failing one changes the view, and the others would
	 * no longer match it. */
	for (size_t i = 0; i < m.n; i++) {
		if (matches(p, m.id[i]))
			continue;
		if (spare(p, m.id[i])) {
			spared++;
			continue;
		}
		util_log(p, PROTO_LOG_INFO,
		    "node %u did not agree in time: failed", m.id[i]);
		idset_add(&late, m.id[i]);
	}
	if (spared)
		util_log(p, PROTO_LOG_DEBUG, "%zu node(s) still changing their "
		    "views: given another consensus timeout", spared);
	for (size_t i = 0; i < late.n; i++)
		changed |= idset_add(&p->memb.fail, late.id[i]);
	if (!changed && p->memb.consensus && m.id[0] != p->cfg.local_nodeid) {
		util_log(p, PROTO_LOG_INFO,
		    "no commit token from node %u: failed", m.id[0]);
		changed = idset_add(&p->memb.fail, m.id[0]);
	}
	if (changed)
		view_changed(p, true);
	else
		p->memb.consensus_at = p->now + p->cfg.timing.consensus_ms;
	check_consensus(p);
}

/* GATHER's timers: JOIN resend and consensus. */
uint64_t memb_next_timeout(const struct proto *p)
{
	return p->memb.join_at < p->memb.consensus_at ? p->memb.join_at :
	    p->memb.consensus_at;
}

void memb_tick(struct proto *p)
{
	if (p->now >= p->memb.consensus_at)
		consensus_timeout(p);
	if (p->state == ST_GATHER && p->now >= p->memb.join_at)
		join_timeout(p);
}

void commit_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_commit *c)
{
	struct idset cm, m;
	bool same_ring = h->ring.rep == p->ring.rep && h->ring.seq == p->ring.seq;
	bool complete = true;
	struct wire_commit out = *c;

	members_of(c, &cm);
	for (size_t i = 0; i < c->n; i++) {
		if (util_node_index(p, c->e[i].nodeid) < 0)
			goto drop;
		complete &= (c->e[i].eflags & COMMIT_FILLED) != 0;
	}
	if (!idset_has(&cm, p->cfg.local_nodeid) || !idset_has(&cm, h->sender) ||
	    h->ring.rep != cm.id[0])
		goto drop;
	if (same_ring && (p->state == ST_COMMIT || p->state == ST_RECOVERY)) {
		if (!order_commit_arrived(p, c->tseq))
			goto drop;   /* duplicate */
		if (c->pass == 1 && complete && p->my_index == 0 &&
		    p->state == ST_COMMIT) {
			out.pass = 2;
			order_hop_seen(p, c->tseq);
			recovery_enter(p, &out);
			order_commit_forward(p, &out);
			return;
		}
		if (c->pass == 2 && complete && p->state == ST_COMMIT) {
			order_hop_seen(p, c->tseq);
			recovery_enter(p, c);
			order_commit_forward(p, &out);
			return;
		}
		if (c->pass == 2 && complete && p->state == ST_RECOVERY &&
		    p->my_index == 0) {
			order_hop_seen(p, c->tseq);
			token_start(p);
			return;
		}
		goto drop;
	}
	/* A new commit token: first pass, our agreed view, a newer ring. */
	agreed(p, &m);
	if (c->pass != 1 || p->state == ST_OPERATIONAL || p->state == ST_IDLE ||
	    h->ring.seq <= p->memb.accepted_seq || !idset_eq(&m, &cm))
		goto drop;
	if (p->state == ST_RECOVERY || p->state == ST_COMMIT) {
		store_free(p->cur);
		p->cur = NULL;
	}
	accept_ring(p, h->ring, c);
	fill_entry(p, &out);
	set_state(p, ST_COMMIT, "commit token accepted");
	order_commit_forward(p, &out);
	return;
drop:
	p->stats.rx_dropped++;
}

/* A multicast or merge-detect from a ring we are not in. */
void foreign_ring_heard(struct proto *p, const struct wire_hdr *h)
{
	if (p->state != ST_OPERATIONAL || idset_has(&p->members, h->sender))
		return;
	gather_enter(p, "another ring heard");
	if (idset_add(&p->memb.proc, h->sender))
		view_changed(p, false);
}
