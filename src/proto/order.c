/*
 * order.c: the token. It circulates among the members in ascending node
 * id order; its holder re-multicasts what others asked for, numbers and
 * multicasts up to max_messages of its queued messages (window_size per
 * rotation for the whole ring), lowers the rotation's all-received-up-to,
 * asks for what it is missing, and passes it on.
 *
 * Stability: the representative (first member) starts each rotation with
 * rot_aru = its own aru; each member lowers it to its own. When the token
 * is back at the representative, rot_aru is a lower bound of what every
 * member holds; it is published as `stable` for the next rotation. SAFE
 * messages are delivered once stable, and stable messages are freed.
 *
 * In RECOVERY the same token numbers the old ring's messages that some
 * member may lack (see memb.c); when a whole rotation shows nothing pending
 * and everything received, the representative sets INSTALL and every
 * member installs the new ring as the token reaches it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "proto/internal.h"

static uint32_t next_member(const struct proto *p)
{
	return p->members.id[(p->my_index + 1) % p->members.n];
}

/* Re-multicasts a stored message. A recovered one is stored with its
 * old-ring identity in front of its entries (see store_recovered). */
static void retransmit(struct proto *p, const struct smsg *m)
{
	struct wire_hdr h = util_hdr(p, WIRE_MCAST, p->ring);
	struct wire_mcast w = { .seq = m->seq, .origin = m->origin,
	    .mflags = m->mflags, .body = m->body, .body_len = m->len };
	size_t len;

	p->stats.retransmits++;
	if (m->mflags & MCAST_RECOVERED) {
		memcpy(&w.old_ring.rep, m->body, 4);
		memcpy(&w.old_ring.seq, m->body + 4, 8);
		memcpy(&w.old_seq, m->body + 12, 8);
		memcpy(&w.old_origin, m->body + 20, 4);
		w.old_mflags = m->body[24];
		w.body = m->body + REC_PREFIX;
		w.body_len = m->len - REC_PREFIX;
	}
	len = wire_encode_mcast(p->dgram2, p->cfg.mtu, &h, &w);
	assert(len > 0);
	util_send(p, 0, p->dgram2, len);
}

/* Stores a received recovered message: in the new ring's store (with the
 * old identity as a prefix, to retransmit it as it came) and, if it is
 * one of our old ring's, in the old store too. False when the new ring's
 * store did not take it (a duplicate, or outside its window). */
static bool store_recovered(struct proto *p, const struct wire_mcast *m)
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

void mcast_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_mcast *m)
{
	/* Old-ring messages travel only while a ring recovers: one at any
	 * other time is forged or stale, and stored it would wedge the ring.
	 * A body larger than we pack ourselves (a peer with a larger mtu)
	 * could not be sent again as a recovered message, which carries
	 * the old identity too, within our mtu: refuse it now rather than
	 * overflow the datagram buffer in recovery. */
	if ((p->state != ST_OPERATIONAL && p->state != ST_RECOVERY) ||
	    !p->cur || !idset_has(&p->members, m->origin) ||
	    !idset_has(&p->members, h->sender) ||
	    m->body_len > p->payload_max ||
	    ((m->mflags & MCAST_RECOVERED) && p->state != ST_RECOVERY)) {
		p->stats.rx_dropped++;
		return;
	}
	/* A message the store already had (a retransmission that crossed
	 * our request, or a replay) or numbered outside its window (stale)
	 * is dropped, and counted like every other drop. */
	if ((m->mflags & MCAST_RECOVERED) ? !store_recovered(p, m) :
	    !store_put(p->cur, m->seq, m->origin, m->mflags, m->body,
	    m->body_len)) {
		p->stats.rx_dropped++;
		return;
	}
	deliver_ready(p);
}

/* Numbers and multicasts one message of ours: a new one, `own`, whose
 * body the store takes as it is, or (`old` set) a recovered one. */
static void number(struct proto *p, struct wire_token *t, struct smsg *own,
    const uint8_t *body, size_t len, uint8_t mflags,
    const struct wire_mcast *old)
{
	struct wire_mcast w = { .seq = ++t->seq, .origin = p->cfg.local_nodeid,
	    .mflags = mflags, .body = body, .body_len = len };
	size_t n = 0;

	p->stats.originated++;
	if (old) {
		w.mflags |= MCAST_RECOVERED;
		w.old_ring = old->old_ring;
		w.old_seq = old->old_seq;
		w.old_origin = old->old_origin;
		w.old_mflags = old->old_mflags;
	}
	/* Encoded before the store takes `own`, which it may free; a ring
	 * of one has nobody to send to, and no datagram to build. */
	if (p->members.n > 1) {
		struct wire_hdr h = util_hdr(p, WIRE_MCAST, p->ring);

		n = wire_encode_mcast(p->dgram2, p->cfg.mtu, &h, &w);
		assert(n > 0);
	}
	if (old)
		(void)store_recovered(p, &w);
	else
		(void)store_adopt(p->cur, w.seq, w.origin, w.mflags, own, len);
	if (n > 0)
		util_send(p, 0, p->dgram2, n);
}

/* Whether this node recovers old-ring message `s`: a message some
 * transitional member is sure to hold (its aru covers it) is sent by the
 * lowest such member only; above every aru, by every holder. */
static const struct smsg *recovers(const struct proto *p, uint64_t s)
{
	const struct smsg *m = store_get(p->old, s);

	if (!m)
		return NULL;
	for (size_t i = 0; i < p->commit.n; i++) {
		const struct wire_commit_entry *e = &p->commit.e[i];

		if (idset_has(&p->trans, e->nodeid) && e->aru >= s)
			return e->nodeid == p->cfg.local_nodeid ? m : NULL;
	}
	return m;
}

static const struct smsg *next_recovered(struct proto *p)
{
	while (p->rec_next <= p->rec_high) {
		const struct smsg *m = recovers(p, p->rec_next++);

		if (m)
			return m;
	}
	return NULL;
}

static bool recovery_pending(const struct proto *p)
{
	for (uint64_t s = p->rec_next; s <= p->rec_high; s++)
		if (recovers(p, s))
			return true;
	return false;
}

/* Datagrams we could number now, up to one window: what we ask the
 * ring's window for. A recovering ring numbers only old-ring messages, so
 * the queue of new ones does not count there (counted, it would let
 * members with long queues shrink the share of a member with old messages
 * to send to almost nothing, and recovery would not end). Capping
 * the claim at the window makes the shares of the busy members equal
 * (a member with a queue of thousands claims no more than one with a
 * window's worth), and a member with little to send still gets at least
 * 1/N of a message per visit: its turn comes within N visits. */
static uint32_t backlog_now(const struct proto *p)
{
	size_t n;

	if (p->state == ST_RECOVERY)
		n = p->rec_next <= p->rec_high ?
		    (size_t)(p->rec_high - p->rec_next + 1) : 0;
	else
		n = p->sq_bytes / p->payload_max + (p->sq ? 1 : 0);
	return n > p->cfg.timing.window_size ?
	    p->cfg.timing.window_size : (uint32_t)n;
}

/* What the token's counters say of the rest of the ring: our previous
 * contribution taken out (never below zero, whatever a peer sent). */
static uint32_t minus(uint32_t total, uint32_t mine)
{
	return total > mine ? total - mine : 0;
}

/*
 * How many messages this visit may number: at most max_messages, within
 * what the rest of the ring left of window_size in the last rotation,
 * within the store's bound above the stable point, and, when several
 * members have a backlog, our fair share of the window (so that busy
 * senders early in the ring cannot starve the later ones). A share
 * below one message per rotation accumulates as credit, in 1/SHARE_ONE
 * units, until it makes a message: with more busy members than the
 * window has room for, they take turns.
 */
static uint32_t send_budget(struct proto *p, const struct wire_token *t,
    uint32_t backlog)
{
	uint32_t budget = p->cfg.timing.max_messages;
	uint32_t window = p->cfg.timing.window_size;
	uint32_t others = minus(t->fcc, p->my_last_sent);
	uint64_t total = (uint64_t)minus(t->backlog, p->my_backlog) + backlog;
	uint64_t limit = t->stable + OUTSTANDING_MAX;

	if (t->seq >= limit)
		return 0;
	if (budget > limit - t->seq)
		budget = (uint32_t)(limit - t->seq);
	if (total > backlog && backlog > 0) {
		/* Several members are busy: the window is theirs in
		 * proportion to their backlogs, as credit that accrues at
		 * every visit, so that the shares add up to the window per
		 * rotation and a late member's turn comes too. */
		uint64_t share = (uint64_t)window * SHARE_ONE * backlog / total;

		if (share == 0)
			share = 1;   /* never starve: a peer's counters may lie */

		p->share_credit += share;
		if (p->share_credit > (uint64_t)window * SHARE_ONE)
			p->share_credit = (uint64_t)window * SHARE_ONE;
		if (budget > p->share_credit / SHARE_ONE)
			budget = (uint32_t)(p->share_credit / SHARE_ONE);
	} else {
		p->share_credit = 0;
	}
	/* And never beyond the window: credit accrues even while it is full,
	 * so a member refused now has its turn once the others' (smaller)
	 * shares leave room. */
	if (others >= window)
		return 0;
	if (budget > window - others)
		budget = window - others;
	return budget;
}

static uint32_t send_messages(struct proto *p, struct wire_token *t)
{
	uint32_t backlog = backlog_now(p);
	uint32_t budget = send_budget(p, t, backlog), sent = 0;

	while (sent < budget) {
		uint8_t mflags;
		size_t len;

		if (p->state == ST_RECOVERY) {
			const struct smsg *m = next_recovered(p);
			struct wire_mcast old = { 0 };

			if (!m)
				break;
			old.old_ring = p->old->ring;
			old.old_seq = m->seq;
			old.old_origin = m->origin;
			old.old_mflags = m->mflags;
			number(p, t, NULL, m->body, m->len, 0, &old);
		} else {
			/* Packed straight into the store's copy. */
			struct smsg *m;

			if (!p->sq)
				break;
			m = malloc(sizeof(*m) + p->payload_max);
			if (!m)
				break;   /* numbered at a later visit */
			len = pack_next(p, m->body, p->payload_max, &mflags);
			assert(len > 0);
			if (len + SMSG_SLACK < p->payload_max) {
				/* Shrinks in place: a light load's small
				 * messages do not hold a datagram each. */
				struct smsg *small = realloc(m, sizeof(*m) + len);

				if (small)
					m = small;
			}
			number(p, t, m, m->body, len, mflags, NULL);
		}
		sent++;
	}
	p->share_credit = p->share_credit > (uint64_t)sent * SHARE_ONE ?
	    p->share_credit - (uint64_t)sent * SHARE_ONE : 0;
	backlog = backlog_now(p);
	t->backlog = minus(t->backlog, p->my_backlog) + backlog;
	p->my_backlog = backlog;
	return sent;
}

/* Asks for what we miss of what was numbered before our last visit. */
static void request_missing(struct proto *p, struct wire_token *t)
{
	struct store *s = p->cur;
	uint64_t upto = p->seq_last_visit < t->seq ? p->seq_last_visit : t->seq;

	for (uint64_t q = s->aru + 1; q <= upto && t->n_rtr < TOKEN_RTR_MAX; q++) {
		bool listed = false;

		if (store_get(s, q) || q < s->base)
			continue;
		for (unsigned i = 0; i < t->n_rtr && !listed; i++)
			listed = t->rtr[i] == q;
		if (!listed)
			t->rtr[t->n_rtr++] = q;
	}
}

static void serve_requests(struct proto *p, struct wire_token *t)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < t->n_rtr; i++) {
		const struct smsg *m = store_get(p->cur, t->rtr[i]);

		if (m)
			retransmit(p, m);
		else
			t->rtr[keep++] = t->rtr[i];
	}
	t->n_rtr = (uint16_t)keep;
}

/* Sends a token or commit token and keeps it to resend until the next
 * hop shows it arrived (a later token reaches us). */
void token_send_saved(struct proto *p)
{
	if (p->tok_saved_to == p->cfg.local_nodeid)
		return;
	util_send(p, p->tok_saved_to, p->tok_saved, p->tok_saved_len);
	p->tok_retransmit_at = p->now + p->cfg.timing.token_retransmit_ms;
}

void token_forward(struct proto *p, struct wire_token *t)
{
	struct wire_hdr h = util_hdr(p, WIRE_TOKEN, p->ring);

	t->tseq++;
	p->last_tseq = t->tseq;
	p->tok_saved_len = wire_encode_token(p->tok_saved, p->cfg.mtu, &h, t);
	assert(p->tok_saved_len > 0);
	p->tok_saved_to = next_member(p);
	token_send_saved(p);
}

static bool ring_idle(const struct proto *p, const struct wire_token *t)
{
	/* Our queue waits while a local reader is behind (congested). */
	return t->n_rtr == 0 && (!p->sq || p->congested) &&
	    p->cur->delivered == t->seq &&
	    t->stable == t->seq && !(t->tflags & (TOKEN_PENDING | TOKEN_INSTALL));
}

/* One visit of the token at this node. */
static void token_visit(struct proto *p, struct wire_token *t)
{
	bool rep = p->my_index == 0;
	struct store *s;
	uint32_t sent;
	uint64_t seq_before = t->seq;

	if (rep) {
		/* A rotation ends here. */
		t->stable = t->rot_aru;
		if (p->state == ST_RECOVERY && !(t->tflags & TOKEN_PENDING) &&
		    t->rot_aru == t->seq && p->seq_last_visit != UINT64_MAX) {
			t->tflags |= TOKEN_INSTALL;
			t->install_seq = t->seq;
		} else if (p->state == ST_OPERATIONAL) {
			t->tflags &= ~(uint32_t)TOKEN_INSTALL;
		}
		t->tflags &= ~(uint32_t)TOKEN_PENDING;
	}
	if (p->state == ST_RECOVERY && (t->tflags & TOKEN_INSTALL))
		install(p, t->install_seq);
	s = p->cur;
	if (t->stable > s->stable)
		s->stable = t->stable;
	serve_requests(p, t);
	{
		/* A local reader is behind: nothing new, here or anywhere;
		 * the full window claimed leaves the others none. */
		bool hold = p->congested && p->state == ST_OPERATIONAL;
		uint32_t claim;

		sent = hold ? 0 : send_messages(p, t);
		claim = hold ? p->cfg.timing.window_size : sent;
		t->fcc = minus(t->fcc, p->my_last_sent) + claim;
		p->my_last_sent = claim;
	}
	if (p->state == ST_RECOVERY && recovery_pending(p))
		t->tflags |= TOKEN_PENDING;
	if (rep || s->aru < t->rot_aru)
		t->rot_aru = s->aru;
	if (p->seq_last_visit != UINT64_MAX)
		request_missing(p, t);
	/* Failure to receive: our aru stays behind while the ring moves. */
	if (s->aru < t->seq && s->aru == p->aru_last_visit)
		p->aru_stuck++;
	else
		p->aru_stuck = 0;
	p->aru_last_visit = s->aru;
	p->seq_last_visit = t->seq;
	if (rep)
		p->seq_unchanged = t->seq == seq_before && sent == 0 ?
		    p->seq_unchanged + 1 : 0;
	deliver_ready(p);
}

/* After a visit: forward the token, or (`may_hold`, on an idle ring)
 * keep it a while. */
static void after_visit(struct proto *p, struct wire_token *t, bool may_hold)
{
	if (p->aru_stuck > p->cfg.timing.fail_recv_const) {
		util_log(p, PROTO_LOG_INFO, "failed to receive: aru %llu "
		    "behind seq %llu for %u rotations",
		    (unsigned long long)p->cur->aru, (unsigned long long)t->seq,
		    p->aru_stuck);
		gather_enter(p, "failed to receive", true);
		return;
	}
	p->token_loss_at = p->now + p->cfg.timing.token_ms;
	if (may_hold && p->my_index == 0 && p->members.n > 1 &&
	    p->state == ST_OPERATIONAL &&
	    p->seq_unchanged > p->cfg.timing.seqno_unchanged_const &&
	    ring_idle(p, t)) {
		/* An idle ring: keep the token a while (hold), unless asked. */
		p->held = *t;
		p->hold_until = p->now + p->cfg.timing.hold_ms;
		return;
	}
	token_forward(p, t);
}

/* A ring of one passes the token to itself while there is work. */
static void solo_rotate(struct proto *p, struct wire_token *t)
{
	if (p->in_visit)
		return;
	p->in_visit = true;
	p->solo_more = false;
	for (unsigned visits = 0;; visits++) {
		bool more;

		t->tseq++;
		p->last_tseq = t->tseq;
		token_visit(p, t);
		if (p->state != ST_OPERATIONAL && p->state != ST_RECOVERY)
			break;
		more = (p->sq && !p->congested) || p->cur->delivered < t->seq ||
		    t->stable < t->seq || p->state == ST_RECOVERY ||
		    (t->tflags & TOKEN_INSTALL);
		if (!more)
			break;
		/* A deliver callback that submits again would keep us here
		 * for ever: return, and go on at once from proto_tick(). */
		if (visits + 1 >= SOLO_VISITS_MAX && p->state == ST_OPERATIONAL) {
			p->solo_more = true;
			break;
		}
	}
	p->held = *t;
	p->in_visit = false;
	p->token_loss_at = UINT64_MAX;
}

/*
 * A message submitted at the rep while it holds the token: the token has
 * not left, so the rep visits it again as if it arrived now and numbers
 * the message at once, instead of forwarding it empty and waiting a whole
 * rotation for its return. The hold began on an idle ring (ring_idle():
 * stable == seq == the rep's aru, nothing to retransmit), so the second
 * visit's rotation bookkeeping (stable from rot_aru, the rep's own aru)
 * states nothing that is not true. The token then goes on, never held
 * again here: a hold renewed at every submit could keep it past the
 * others' token timeout.
 */
static void revisit_held(struct proto *p)
{
	struct wire_token t = p->held;

	p->hold_until = UINT64_MAX;
	token_visit(p, &t);
	if (p->state == ST_OPERATIONAL || p->state == ST_RECOVERY)
		after_visit(p, &t, false);
}

/* Something was queued: make the token come to it. */
void ring_kick(struct proto *p)
{
	if (p->state != ST_OPERATIONAL || p->in_visit)
		return;
	if (p->members.n == 1) {
		struct wire_token t = p->held;

		solo_rotate(p, &t);
		return;
	}
	if (p->hold_until != UINT64_MAX) {
		/* Only what the visit can number is worth it; a congested
		 * node numbers nothing, and its hold runs out as planned. */
		if (!p->congested)
			revisit_held(p);
		return;
	}
	if (!p->hold_cancel_sent && p->my_index != 0) {
		struct wire_hdr h = util_hdr(p, WIRE_HOLD_CANCEL, p->ring);
		size_t n = wire_encode_hdr_only(p->dgram, p->cfg.mtu, &h);

		util_send(p, p->members.id[0], p->dgram, n);
		p->hold_cancel_sent = true;
	}
}

void hold_release(struct proto *p)
{
	struct wire_token t = p->held;

	if (p->hold_until == UINT64_MAX)
		return;
	/* seq_unchanged is not reset: an idle ring goes on holding the token
	 * at every rotation (one rotation per hold_ms) until a visit sees
	 * new messages or a member asks with HOLD_CANCEL. */
	p->hold_until = UINT64_MAX;
	token_forward(p, &t);
}

void hold_cancel_receive(struct proto *p, const struct wire_hdr *h)
{
	if (p->state != ST_OPERATIONAL || h->ring.rep != p->ring.rep ||
	    h->ring.seq != p->ring.seq || !idset_has(&p->members, h->sender)) {
		p->stats.rx_dropped++;
		return;
	}
	p->seq_unchanged = 0;
	hold_release(p);
}

/* The representative of a new ring creates its first token. */
void token_start(struct proto *p)
{
	/* Hop numbers continue the commit token's, which every member has
	 * seen: a token numbered below them would be taken as stale. */
	struct wire_token t = { .tseq = p->last_tseq };

	p->seq_last_visit = UINT64_MAX;   /* no visit yet on this ring */
	if (p->members.n == 1) {
		solo_rotate(p, &t);
		return;
	}
	token_visit(p, &t);
	if (p->state == ST_OPERATIONAL || p->state == ST_RECOVERY)
		after_visit(p, &t, true);
}

void token_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_token *in)
{
	struct wire_token t;

	if ((p->state != ST_OPERATIONAL && p->state != ST_RECOVERY) ||
	    h->ring.rep != p->ring.rep || h->ring.seq != p->ring.seq ||
	    !idset_has(&p->members, h->sender) || in->tseq <= p->last_tseq) {
		p->stats.rx_dropped++;
		return;
	}
	t = *in;
	p->last_tseq = t.tseq;
	p->tok_retransmit_at = UINT64_MAX;
	p->hold_cancel_sent = false;
	token_visit(p, &t);
	if (p->state == ST_OPERATIONAL || p->state == ST_RECOVERY)
		after_visit(p, &t, true);
}
