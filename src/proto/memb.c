/*
 * memb.c: forming a ring. GATHER: nodes multicast JOIN {process set,
 * failed set} until every non-failed node of the process set has sent
 * exactly the same two sets (consensus); nodes that do not agree within
 * `consensus` ms are failed. COMMIT: the lowest node id of the agreed
 * membership sends the commit token round twice: the first pass collects
 * each member's old ring and what it holds of it, the second tells
 * everyone. RECOVERY: members re-send, on the new ring, the old ring's
 * messages other members of their old ring may lack; once the token shows
 * everybody holds everything, each member installs: it delivers the old
 * ring's messages, the transitional configuration (members that come
 * from its old ring), the rest of the old messages, then the regular
 * configuration. Failure in COMMIT or RECOVERY goes back to GATHER with
 * the old ring's messages untouched.
 */
#include <assert.h>
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
	idset_minus(m, &p->proc, &p->fail);
}

void join_send(struct proto *p)
{
	struct wire_hdr h = util_hdr(p, WIRE_JOIN, p->old->ring);
	struct wire_join j = { .incarnation = p->incarnation,
	    .counter = p->join_counter, .seq_max = p->seq_max,
	    .accepted = p->accepted_seq,
	    .n_proc = (uint16_t)p->proc.n, .n_fail = (uint16_t)p->fail.n };
	size_t n;

	memcpy(j.proc, p->proc.id, p->proc.n * sizeof(uint32_t));
	memcpy(j.fail, p->fail.id, p->fail.n * sizeof(uint32_t));
	n = wire_encode_join(p->dgram, p->cfg.mtu, &h, &j);
	assert(n > 0);
	if (p->cfg.n_nodes > 1)
		util_send(p, 0, p->dgram, n);
	p->join_at = p->now + p->cfg.timing.join_ms;
}

/* Whether node k's latest JOIN, heard in this episode, shows our sets. */
static bool matches(const struct proto *p, uint32_t k)
{
	int i = util_node_index(p, k);
	const struct jrec *r;

	if (k == p->cfg.local_nodeid)
		return true;
	r = &p->jrec[i];
	return r->valid && r->episode == p->episode && r->n_proc == p->proc.n &&
	    r->n_fail == p->fail.n &&
	    !memcmp(r->proc, p->proc.id, p->proc.n * sizeof(uint32_t)) &&
	    !memcmp(r->fail, p->fail.id, p->fail.n * sizeof(uint32_t));
}

static void commit_forward(struct proto *p, struct wire_commit *c)
{
	struct wire_hdr h = util_hdr(p, WIRE_COMMIT, p->ring);

	c->tseq++;
	p->last_tseq = c->tseq;
	p->tok_saved_len = wire_encode_commit(p->tok_saved, p->cfg.mtu, &h, c);
	assert(p->tok_saved_len > 0);
	p->tok_saved_to = p->members.id[(p->my_index + 1) % p->members.n];
	token_send_saved(p);
}

static void accept_ring(struct proto *p, struct proto_ring_id ring,
    const struct wire_commit *c)
{
	p->ring = ring;
	members_of(c, &p->members);
	for (p->my_index = 0; p->members.id[p->my_index] != p->cfg.local_nodeid;
	    p->my_index++)
		;
	p->accepted_seq = ring.seq;
	if (ring.seq > p->seq_max)
		p->seq_max = ring.seq;
	p->ops.ring_seq(p->ctx, p->seq_max);
	p->last_tseq = c->tseq;
	p->token_loss_at = p->now + p->cfg.timing.token_ms;
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

static void recovery_enter(struct proto *p, const struct wire_commit *c)
{
	p->commit = *c;
	p->trans.n = 0;
	p->rec_low = UINT64_MAX;
	p->rec_high = p->rec_safe = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct wire_commit_entry *e = &c->e[i];

		if (e->old_ring.rep != p->old->ring.rep ||
		    e->old_ring.seq != p->old->ring.seq)
			continue;
		idset_add(&p->trans, e->nodeid);
		if (e->aru < p->rec_low)
			p->rec_low = e->aru;
		if (e->high > p->rec_high)
			p->rec_high = e->high;
		if (e->stable > p->rec_safe)
			p->rec_safe = e->stable;
	}
	assert(idset_has(&p->trans, p->cfg.local_nodeid));
	p->rec_next = p->rec_low + 1;
	store_free(p->cur);
	p->cur = store_new(p->ring);
	if (!p->cur)
		abort();   /* one store per configuration change */
	p->my_last_sent = 0;
	p->my_backlog = 0;
	p->share_credit = 0;
	p->aru_stuck = 0;
	p->seq_unchanged = 0;
	p->seq_last_visit = UINT64_MAX;
	p->aru_last_visit = 0;
	set_state(p, ST_RECOVERY, "commit token complete");
	p->token_loss_at = p->now + p->cfg.timing.token_ms;
}

/* The lowest node of an agreed membership builds the commit token. */
static void commit_create(struct proto *p)
{
	struct idset m;
	struct wire_commit c = { .tseq = 0, .pass = 1 };
	struct proto_ring_id ring = { p->cfg.local_nodeid, 0 };

	agreed(p, &m);
	ring.seq = (p->seq_max > p->accepted_seq ? p->seq_max :
	    p->accepted_seq) + RING_SEQ_STEP;
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
	commit_forward(p, &c);
}

static void check_consensus(struct proto *p)
{
	struct idset m;

	if (p->state != ST_GATHER || p->consensus)
		return;
	agreed(p, &m);
	for (size_t i = 0; i < m.n; i++)
		if (!matches(p, m.id[i]))
			return;
	p->consensus = true;
	if (m.id[0] == p->cfg.local_nodeid)
		commit_create(p);
}

static void log_view(struct proto *p)
{
	char line[200];
	size_t off = 0;

	off += (size_t)snprintf(line + off, sizeof(line) - off, "view %u: proc",
	    p->join_counter);
	for (size_t i = 0; i < p->proc.n && off < sizeof(line) - 12; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %u",
		    p->proc.id[i]);
	off += (size_t)snprintf(line + off, sizeof(line) - off, " fail");
	for (size_t i = 0; i < p->fail.n && off < sizeof(line) - 12; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %u",
		    p->fail.id[i]);
	util_log(p, PROTO_LOG_TRACE, "%s", line);
}

static void view_changed(struct proto *p)
{
	p->join_counter++;
	log_view(p);
	p->consensus = false;
	p->consensus_at = p->now + p->cfg.timing.consensus_ms;
	join_send(p);
}

void gather_enter(struct proto *p, const char *why, bool from_operational)
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
		p->proc = p->old_members;
	} else {
		/* A ring that failed to form: start again from its members
		 * and our old ring. */
		store_free(p->cur);
		p->cur = NULL;
		p->proc = p->old_members;
		for (size_t i = 0; i < p->members.n; i++)
			idset_add(&p->proc, p->members.id[i]);
	}
	/* Failures are judged anew in every episode: a node failed in an
	 * earlier attempt, kept failed, would spread through the JOINs of
	 * the others and keep the cluster split after the fault is gone. */
	p->fail.n = 0;
	for (size_t i = 0; i < p->proc.n; i++)
		if (p->unreach[util_node_index(p, p->proc.id[i])])
			idset_add(&p->fail, p->proc.id[i]);
	(void)from_operational;
	p->episode++;
	p->tok_retransmit_at = UINT64_MAX;
	p->token_loss_at = UINT64_MAX;
	p->hold_until = UINT64_MAX;
	p->merge_at = UINT64_MAX;
	if (was != ST_GATHER && was != ST_IDLE)
		p->stats.token_losses++;
	set_state(p, ST_GATHER, why);
	/* Consensus is looked for when JOINs arrive and when ours is resent,
	 * never here: the JOIN that made us gather is not merged yet. */
	view_changed(p);
}

/* A node's port is closed (proto_peer_unreachable): a member of the ring
 * we are in or forming ends it; in a forming view the node is failed. */
void peer_unreachable(struct proto *p, uint32_t id)
{
	switch (p->state) {
	case ST_OPERATIONAL:
	case ST_COMMIT:
	case ST_RECOVERY:
		if (idset_has(&p->members, id)) {
			util_log(p, PROTO_LOG_INFO,
			    "node %u's port is closed: it failed", id);
			gather_enter(p, "a member's port is closed",
			    p->state == ST_OPERATIONAL);
		}
		break;
	case ST_GATHER:
		if (idset_has(&p->proc, id) && idset_add(&p->fail, id)) {
			util_log(p, PROTO_LOG_INFO,
			    "node %u's port is closed: failed", id);
			view_changed(p);
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
	bool changed = false, me_failed = false;

	if (idset_has(&p->fail, from))
		return;
	for (unsigned i = 0; i < j->n_fail; i++)
		me_failed |= j->fail[i] == p->cfg.local_nodeid;
	if (me_failed) {
		changed |= idset_add(&p->proc, from);
		changed |= idset_add(&p->fail, from);
	} else {
		changed |= idset_add(&p->proc, from);
		for (unsigned i = 0; i < j->n_proc; i++)
			changed |= idset_add(&p->proc, j->proc[i]);
		for (unsigned i = 0; i < j->n_fail; i++)
			changed |= idset_add(&p->fail, j->fail[i]);
	}
	if (changed)
		view_changed(p);
}

static bool join_fails(const struct wire_join *j, uint32_t id)
{
	for (unsigned k = 0; k < j->n_fail; k++)
		if (j->fail[k] == id)
			return true;
	return false;
}

void join_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_join *j)
{
	int i = util_node_index(p, h->sender);
	struct jrec *r = &p->jrec[i];

	for (unsigned k = 0; k < j->n_proc; k++)
		if (util_node_index(p, j->proc[k]) < 0)
			goto drop;
	for (unsigned k = 0; k < j->n_fail; k++)
		if (util_node_index(p, j->fail[k]) < 0)
			goto drop;
	/* Matching compares sorted sets, and ours are sent sorted: a JOIN
	 * whose lists are not in ascending order is dropped. */
	for (unsigned k = 1; k < j->n_proc; k++)
		if (j->proc[k] < j->proc[k - 1])
			goto drop;
	for (unsigned k = 1; k < j->n_fail; k++)
		if (j->fail[k] < j->fail[k - 1])
			goto drop;
	/* An older view is stale. The same view again is a resend: it
	 * counts, because a JOIN is resent every `join` ms for nodes that
	 * started gathering after it was first sent. */
	if (r->valid && (j->incarnation < r->incarnation ||
	    (j->incarnation == r->incarnation && j->counter < r->counter)))
		goto drop;
	if (j->seq_max > p->seq_max)
		p->seq_max = j->seq_max;
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
		gather_enter(p, "join received", true);
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
		gather_enter(p, "join received while forming a ring", false);
		break;
	case ST_GATHER:
		break;
	}
	*r = (struct jrec){ .valid = true, .episode = p->episode,
	    .incarnation = j->incarnation, .counter = j->counter,
	    .n_proc = j->n_proc, .n_fail = j->n_fail };
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
void join_timeout(struct proto *p)
{
	join_send(p);
	check_consensus(p);
}

void consensus_timeout(struct proto *p)
{
	struct idset m, late = { 0 };
	bool changed = false;

	agreed(p, &m);
	/* Judge every node against the view as it stands, then fail the
	 * late ones: failing one changes the view, and the others would
	 * no longer match it. */
	for (size_t i = 0; i < m.n; i++)
		if (!matches(p, m.id[i])) {
			util_log(p, PROTO_LOG_INFO,
			    "node %u did not agree in time: failed", m.id[i]);
			idset_add(&late, m.id[i]);
		}
	for (size_t i = 0; i < late.n; i++)
		changed |= idset_add(&p->fail, late.id[i]);
	if (!changed && p->consensus && m.id[0] != p->cfg.local_nodeid) {
		util_log(p, PROTO_LOG_INFO,
		    "no commit token from node %u: failed", m.id[0]);
		changed = idset_add(&p->fail, m.id[0]);
	}
	if (changed)
		view_changed(p);
	else
		p->consensus_at = p->now + p->cfg.timing.consensus_ms;
	check_consensus(p);
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
		if (c->tseq <= p->last_tseq)
			goto drop;   /* duplicate */
		p->tok_retransmit_at = UINT64_MAX;
		if (c->pass == 1 && complete && p->my_index == 0 &&
		    p->state == ST_COMMIT) {
			out.pass = 2;
			p->last_tseq = c->tseq;
			recovery_enter(p, &out);
			commit_forward(p, &out);
			return;
		}
		if (c->pass == 2 && complete && p->state == ST_COMMIT) {
			p->last_tseq = c->tseq;
			recovery_enter(p, c);
			commit_forward(p, &out);
			return;
		}
		if (c->pass == 2 && complete && p->state == ST_RECOVERY &&
		    p->my_index == 0) {
			p->last_tseq = c->tseq;
			token_start(p);
			return;
		}
		goto drop;
	}
	/* A new commit token: first pass, our agreed view, a newer ring. */
	agreed(p, &m);
	if (c->pass != 1 || p->state == ST_OPERATIONAL || p->state == ST_IDLE ||
	    h->ring.seq <= p->accepted_seq || !idset_eq(&m, &cm))
		goto drop;
	if (p->state == ST_RECOVERY || p->state == ST_COMMIT) {
		store_free(p->cur);
		p->cur = NULL;
	}
	accept_ring(p, h->ring, c);
	fill_entry(p, &out);
	set_state(p, ST_COMMIT, "commit token accepted");
	commit_forward(p, &out);
	return;
drop:
	p->stats.rx_dropped++;
}

/* A multicast or merge-detect from a ring we are not in. */
void foreign_ring_heard(struct proto *p, const struct wire_hdr *h)
{
	if (p->state != ST_OPERATIONAL || idset_has(&p->members, h->sender))
		return;
	gather_enter(p, "another ring heard", true);
	if (idset_add(&p->proc, h->sender))
		view_changed(p);
}

static void conf(struct proto *p, enum proto_conf_type type,
    const struct idset *m)
{
	struct proto_conf c = { type, p->ring, m->n, m->id };

	p->ops.confchg(p->ctx, &c);
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
	for (s = o->delivered + 1; s <= p->rec_high; s++) {
		const struct smsg *m = store_get(o, s);

		if (!m || ((m->mflags & MCAST_SAFE) && s > p->rec_safe))
			break;
		o->delivered = s;
		deliver_msg(p, m);
	}
	if (p->installed_once)
		conf(p, PROTO_CONF_TRANSITIONAL, &p->trans);
	for (; s <= p->rec_high; s++) {
		const struct smsg *m = store_get(o, s);

		if (!m) {
			gap = true;
			continue;
		}
		if (gap && !idset_has(&p->trans, m->origin))
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
	p->merge_at = p->now + p->cfg.timing.merge_ms;
	conf(p, PROTO_CONF_REGULAR, &p->members);
}
