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
 * member may lack (see recovery.c); when a whole rotation shows nothing
 * pending and everything received, the representative sets INSTALL and
 * every member installs the new ring as the token reaches it.
 *
 * The token's state (struct order) is this file's and flow.c's alone;
 * membership drives it through the order_* functions at the end.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/internal.h"

static uint32_t next_member(const struct proto *p)
{
	return p->members.id[(p->my_index + 1) % p->members.n];
}

/* Re-multicasts a stored message. A recovered one is stored with its
 * old-ring identity in front of its entries (see recovery_store). */
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

/* A member that is not the rep asks it for the token (HOLD_CANCEL, a
 * bare header), at most once between two visits of the token here. */
static void ask_token(struct proto *p)
{
	struct wire_hdr h;
	size_t n;

	if (p->order.hold_cancel_sent || p->my_index == 0)
		return;
	h = util_hdr(p, WIRE_HOLD_CANCEL, p->ring);
	n = wire_encode_hdr_only(p->dgram, p->cfg.mtu, &h);
	util_send(p, p->members.id[0], p->dgram, n);
	p->order.hold_cancel_sent = true;
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
	if ((m->mflags & MCAST_RECOVERED) ? !recovery_store(p, m) :
	    !store_put(p->cur, m->seq, m->origin, m->mflags, m->body,
	    m->body_len)) {
		p->stats.rx_dropped++;
		return;
	}
	/* A message beyond one we miss: the token carries the request for
	 * it, so ask for the token now rather than wait for the rep's hold
	 * (section 3.5) to end. */
	if (p->state == ST_OPERATIONAL && !(m->mflags & MCAST_RECOVERED) &&
	    p->cur->aru < m->seq)
		ask_token(p);
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
	if (p->order.burst_at != p->now) {
		p->order.burst_at = p->now;
		p->order.burst = 0;
	}
	p->order.burst++;
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
		(void)recovery_store(p, &w);
	else
		(void)store_adopt(p->cur, w.seq, w.origin, w.mflags, own, len);
	if (n > 0)
		util_send(p, 0, p->dgram2, n);
}

/* Numbers the next old-ring message this node re-sends; false if none
 * is left. */
static bool number_recovered(struct proto *p, struct wire_token *t)
{
	const struct smsg *m = recovery_next(p);
	struct wire_mcast old = { 0 };

	if (!m)
		return false;
	old.old_ring = p->old->ring;
	old.old_seq = m->seq;
	old.old_origin = m->origin;
	old.old_mflags = m->mflags;
	number(p, t, NULL, m->body, m->len, 0, &old);
	return true;
}

/* Packs the next message of ours from the send queue straight into the
 * store's copy and numbers it (on a ring of one, a large message is
 * numbered whole, in its own block: sq_take_whole); false if nothing is
 * queued (or no memory: it is numbered at a later visit). */
static bool number_own(struct proto *p, struct wire_token *t)
{
	struct smsg *m;
	uint8_t mflags;
	size_t len;

	if (!p->sq)
		return false;
	if (p->members.n == 1 && p->sq->whole && p->sq->off == 0) {
		m = sq_take_whole(p, &len, &mflags);
		number(p, t, m, m->body, len, mflags, NULL);
		return true;
	}
	m = malloc(sizeof(*m) + p->payload_max);
	if (!m)
		return false;
	len = pack_next(p, m->body, p->payload_max, &mflags);
	assert(len > 0);
	if (mflags & MCAST_SAFE)
		p->order.numbered_safe = true;
	if (len + SMSG_SLACK < p->payload_max) {
		/* Shrinks in place: a light load's small messages do not
		 * hold a datagram each. */
		struct smsg *small = realloc(m, sizeof(*m) + len);

		if (small)
			m = small;
	}
	number(p, t, m, m->body, len, mflags, NULL);
	return true;
}

static uint32_t send_messages(struct proto *p, struct wire_token *t)
{
	uint32_t budget = flow_budget(p, t, flow_backlog(p)), sent = 0;

	p->order.visit_budget = budget;

	while (sent < budget && (p->state == ST_RECOVERY ?
	    number_recovered(p, t) : number_own(p, t)))
		sent++;
	flow_sent(p, t, sent);
	return sent;
}

/* Asks for what we miss of what was numbered before our last visit. */
static void request_missing(struct proto *p, struct wire_token *t)
{
	struct store *s = p->cur;
	uint64_t upto = p->order.seq_last_visit < t->seq ?
	    p->order.seq_last_visit : t->seq;

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

static bool served_last_visit(const struct proto *p, uint64_t seq)
{
	for (unsigned i = 0; i < p->order.n_served; i++)
		if (p->order.served[i] == seq)
			return true;
	return false;
}

/*
 * Retransmits what the token asks for that we hold, and takes the
 * request off the token. A request we served at our last visit that is
 * back asked again: our copy did not reach whoever asked. Lost twice at
 * random, or a link that drops what we send to that node, one way (the
 * node still hears the others and passes the token on): we leave it on
 * the token for the next holder on the token's way, which sends its copy
 * over another link, and serve it ourselves again at the visit after.
 * Without that, the first holder after the asking node would serve it
 * alone, for ever, and a fault of one link from one node to another
 * would stop the ring. Each request is still sent at most once a
 * rotation.
 */
static void serve_requests(struct proto *p, struct wire_token *t)
{
	uint64_t served[TOKEN_RTR_MAX];
	unsigned keep = 0, n = 0;

	for (unsigned i = 0; i < t->n_rtr; i++) {
		const struct smsg *m = store_get(p->cur, t->rtr[i]);

		if (!m || served_last_visit(p, t->rtr[i])) {
			t->rtr[keep++] = t->rtr[i];
			continue;
		}
		retransmit(p, m);
		served[n++] = t->rtr[i];
	}
	t->n_rtr = (uint16_t)keep;
	memcpy(p->order.served, served, n * sizeof(served[0]));
	p->order.n_served = (uint16_t)n;
}

/* Sends a token or commit token and keeps it to resend until the next
 * hop shows it arrived (a later token reaches us). */
static void token_send_saved(struct proto *p)
{
	if (p->order.tok_saved_to == p->cfg.local_nodeid)
		return;
	util_send(p, p->order.tok_saved_to, p->order.tok_saved,
	    p->order.tok_saved_len);
	p->order.tok_retransmit_at = p->now + p->cfg.timing.token_retransmit_ms;
}

/* The token or commit token of hop `tseq`, encoded in tok_saved (`len`
 * bytes), goes to the next member and is kept to resend. */
static void pass_saved(struct proto *p, uint64_t tseq, size_t len)
{
	assert(len > 0);
	p->order.last_tseq = tseq;
	p->order.tok_saved_len = len;
	p->order.tok_saved_to = next_member(p);
	token_send_saved(p);
}

static void token_forward(struct proto *p, struct wire_token *t)
{
	struct wire_hdr h = util_hdr(p, WIRE_TOKEN, p->ring);

	p->order.asked = false;   /* it goes to whoever asked */
	t->tseq++;
	pass_saved(p, t->tseq, wire_encode_token(p->order.tok_saved,
	    p->cfg.mtu, &h, t));
}

/* Passes the commit token on, one hop up, as token_forward does a token. */
void order_commit_forward(struct proto *p, struct wire_commit *c)
{
	struct wire_hdr h = util_hdr(p, WIRE_COMMIT, p->ring);

	c->tseq++;
	pass_saved(p, c->tseq, wire_encode_commit(p->order.tok_saved,
	    p->cfg.mtu, &h, c));
}

static bool ring_idle(const struct proto *p, const struct wire_token *t)
{
	/* Our queue waits while a local reader is behind (congested). */
	return t->n_rtr == 0 && (!p->sq || p->order.congested) &&
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

	p->order.visit_from = seq_before;
	p->order.numbered_safe = false;
	if (rep) {
		/* A rotation ends here. */
		t->stable = t->rot_aru;
		if (p->state == ST_RECOVERY && !(t->tflags & TOKEN_PENDING) &&
		    t->rot_aru == t->seq &&
		    p->order.seq_last_visit != UINT64_MAX) {
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
		bool hold = p->order.congested && p->state == ST_OPERATIONAL;
		uint32_t claim;

		sent = hold ? 0 : send_messages(p, t);
		claim = hold ? p->cfg.timing.window_size : sent;
		flow_claim(p, t, claim);
	}
	if (p->state == ST_RECOVERY && recovery_pending(p))
		t->tflags |= TOKEN_PENDING;
	if (rep || s->aru < t->rot_aru)
		t->rot_aru = s->aru;
	if (p->order.seq_last_visit != UINT64_MAX)
		request_missing(p, t);
	/* Failure to receive: our aru stays behind while the ring moves. */
	if (s->aru < t->seq && s->aru == p->order.aru_last_visit)
		p->order.aru_stuck++;
	else
		p->order.aru_stuck = 0;
	p->order.aru_last_visit = s->aru;
	p->order.seq_last_visit = t->seq;
	if (rep)
		p->order.seq_unchanged = t->seq == seq_before && sent == 0 ?
		    p->order.seq_unchanged + 1 : 0;
	deliver_ready(p);
}

/*
 * How many datagrams the rep may number on a token it keeps before the
 * token goes round. A kept token numbers what is submitted as it comes,
 * a datagram for each submission, where a token that goes round finds
 * the messages of a rotation queued and packs them. For a node that sends
 * now and then there is nothing to pack: each message is a datagram
 * either way, and a rotation only adds the token's hops (a wake-up of
 * every daemon) and a wait for any message submitted meanwhile. Under a
 * flood, packing wins. So the kept token costs at most HOLD_KEEP_SENDS
 * sends to the other members in all per hold (one datagram on rings above
 * HOLD_KEEP_SENDS / 2 + 1 members), and goes round once it numbered
 * HOLD_KEEP_MAX datagrams, or that total if lower, within one millisecond
 * since the token last came (keep_burst_ok()): a burst is a flood's
 * beginning. The visit's budget (max_messages) and the hold's end bound
 * it too (keep_held()).
 */
static uint32_t keep_max(const struct proto *p)
{
	uint32_t n = (uint32_t)(HOLD_KEEP_SENDS / (p->members.n - 1));

	return n < 1 ? 1 : n;
}

static bool keep_burst_ok(const struct proto *p)
{
	uint32_t most = keep_max(p) < HOLD_KEEP_MAX ? keep_max(p) :
	    HOLD_KEEP_MAX;

	return p->order.burst_at != p->now || p->order.burst < most;
}

/*
 * May the rep keep the token after a visit that numbered `numbered` of
 * its messages, to number what its node submits next at once too
 * (extend_held())? Only with everything queued here numbered within the
 * visit's budget, `keep_max()` and the burst bound, nothing to
 * retransmit, no SAFE message (it waits for a rotation to be stable), no
 * local reader behind, and the ring operational; and never beyond
 * `until`, the end of the hold, which is not extended.
 */
static bool keep_held(const struct proto *p, const struct wire_token *t,
    uint32_t numbered, uint64_t until)
{
	return p->state == ST_OPERATIONAL && !p->order.congested &&
	    !p->sq && t->n_rtr == 0 && !p->order.numbered_safe &&
	    numbered < p->order.visit_budget && numbered < keep_max(p) &&
	    keep_burst_ok(p) && p->now < until;
}

/*
 * Only the rep sends: its visit numbered messages, every member had all
 * numbered before (stable, from the rotation that just ended, reaches the
 * visit's start), and the others numbered nothing in that rotation and
 * have nothing queued, nor asked for the token since it last left here
 * (a member may ask between its visit and the token's return). Then the
 * rep keeps the token as on an idle ring, and numbers its node's next
 * messages without waiting for a rotation.
 */
static bool rep_alone(const struct proto *p, const struct wire_token *t)
{
	return !p->order.asked && t->seq > p->order.visit_from &&
	    t->stable == p->order.visit_from &&
	    !(t->tflags & (TOKEN_PENDING | TOKEN_INSTALL)) &&
	    t->fcc == p->order.my_last_sent &&
	    t->backlog == p->order.my_backlog &&
	    p->cur->delivered == t->seq &&
	    keep_held(p, t, (uint32_t)(t->seq - p->order.visit_from),
	    UINT64_MAX);
}

/* After a visit: forward the token, or (`may_hold`, on an idle ring or
 * one where only we send) keep it a while. */
static void after_visit(struct proto *p, struct wire_token *t, bool may_hold)
{
	if (p->order.aru_stuck > p->cfg.timing.fail_recv_const) {
		util_log(p, PROTO_LOG_INFO, "failed to receive: aru %llu "
		    "behind seq %llu for %u rotations",
		    (unsigned long long)p->cur->aru, (unsigned long long)t->seq,
		    p->order.aru_stuck);
		gather_enter(p, "failed to receive");
		return;
	}
	p->order.token_loss_at = p->now + p->cfg.timing.token_ms;
	if (may_hold && p->my_index == 0 && p->members.n > 1 &&
	    p->state == ST_OPERATIONAL &&
	    ((p->order.seq_unchanged > p->cfg.timing.seqno_unchanged_const &&
	    ring_idle(p, t)) || rep_alone(p, t))) {
		/* An idle ring, or one where only we send: keep the token a
		 * while (hold), unless asked. */
		p->order.held = *t;
		p->order.hold_until = p->now + p->cfg.timing.hold_ms;
		p->order.held_sent = (uint32_t)(t->seq - p->order.visit_from);
		return;
	}
	token_forward(p, t);
}

/* A ring of one passes the token to itself while there is work. */
static void solo_rotate(struct proto *p, struct wire_token *t)
{
	if (p->order.in_visit)
		return;
	p->order.in_visit = true;
	p->order.solo_more = false;
	for (unsigned visits = 0;; visits++) {
		bool more;

		t->tseq++;
		p->order.last_tseq = t->tseq;
		token_visit(p, t);
		if (p->state != ST_OPERATIONAL && p->state != ST_RECOVERY)
			break;
		more = (p->sq && !p->order.congested) ||
		    p->cur->delivered < t->seq ||
		    t->stable < t->seq || p->state == ST_RECOVERY ||
		    (t->tflags & TOKEN_INSTALL);
		if (!more)
			break;
		/* A deliver callback that submits again would keep us here
		 * for ever: return, and go on at once from proto_tick(). */
		if (visits + 1 >= SOLO_VISITS_MAX && p->state == ST_OPERATIONAL) {
			p->order.solo_more = true;
			break;
		}
	}
	p->order.held = *t;
	p->order.in_visit = false;
	p->order.token_loss_at = UINT64_MAX;
}

/* The held token goes on, or is kept until `until` (keep_held()). */
static void held_next(struct proto *p, struct wire_token *t, uint64_t until)
{
	if (keep_held(p, t, p->order.held_sent, until)) {
		p->order.held = *t;
		p->order.hold_until = until;
		return;
	}
	p->order.hold_until = UINT64_MAX;
	if (p->state == ST_OPERATIONAL || p->state == ST_RECOVERY)
		after_visit(p, t, false);
}

/*
 * A message submitted at the rep while it holds the token: the token has
 * not left, so the rep visits it again as if it arrived now and numbers
 * the message at once, instead of forwarding it empty and waiting a whole
 * rotation for its return. The hold began on an idle ring (ring_idle():
 * stable == seq == the rep's aru, nothing to retransmit), so the second
 * visit's rotation bookkeeping (stable from rot_aru, the rep's own aru)
 * states nothing that is not true.
 *
 * The rep may then keep the token (keep_held()) and number what comes
 * next the same way (extend_held()): while only the rep's node sends, a
 * message is numbered, multicast and delivered locally without waiting
 * for the token, and the token goes round when the hold ends, someone
 * asks for it (HOLD_CANCEL: a member with messages, or one that misses
 * one), or the visit's budget is spent.
 */
static void revisit_held(struct proto *p)
{
	struct wire_token t = p->order.held;
	uint64_t until = p->order.hold_until;
	uint64_t seq = t.seq;

	p->order.hold_until = UINT64_MAX;
	token_visit(p, &t);
	p->order.held_sent = (uint32_t)(t.seq - seq);
	held_next(p, &t, until);
}

/*
 * Numbers more of the rep's messages on a token it kept after a visit
 * that numbered some, as one visit that goes on: within what is left of
 * that visit's budget, the token's share of the window claimed for all
 * of them. The token has not moved, so nothing new is known of the other
 * members: `stable` stays; the next rotation starts from the rep's aru as
 * it is now, as it would had the token left at this moment.
 */
static void extend_held(struct proto *p)
{
	struct wire_token t = p->order.held;
	uint64_t until = p->order.hold_until;
	uint32_t sent = 0;

	p->order.hold_until = UINT64_MAX;
	while (p->order.held_sent + sent < p->order.visit_budget &&
	    number_own(p, &t))
		sent++;
	p->order.held_sent += sent;
	flow_sent(p, &t, sent);
	flow_claim(p, &t, p->order.held_sent);
	if (sent > 0)
		p->order.seq_unchanged = 0;
	t.rot_aru = p->cur->aru;
	p->order.seq_last_visit = t.seq;
	p->order.aru_last_visit = p->cur->aru;
	deliver_ready(p);
	held_next(p, &t, until);
}

/* Something was queued: make the token come to it. */
void ring_kick(struct proto *p)
{
	if (p->state != ST_OPERATIONAL || p->order.in_visit)
		return;
	if (p->members.n == 1) {
		struct wire_token t = p->order.held;

		solo_rotate(p, &t);
		return;
	}
	if (p->order.hold_until != UINT64_MAX) {
		/* Only what the visit can number is worth it; a congested
		 * node numbers nothing, and its hold runs out as planned. */
		if (p->order.congested)
			return;
		if (p->order.held_sent > 0)
			extend_held(p);
		else
			revisit_held(p);
		return;
	}
	ask_token(p);
}

static void hold_release(struct proto *p)
{
	struct wire_token t = p->order.held;

	if (p->order.hold_until == UINT64_MAX)
		return;
	/* seq_unchanged is not reset: an idle ring goes on holding the token
	 * at every rotation (one rotation per hold_ms) until a visit sees
	 * new messages or a member asks with HOLD_CANCEL. */
	p->order.hold_until = UINT64_MAX;
	token_forward(p, &t);
}

void hold_cancel_receive(struct proto *p, const struct wire_hdr *h)
{
	if (p->state != ST_OPERATIONAL || h->ring.rep != p->ring.rep ||
	    h->ring.seq != p->ring.seq || !idset_has(&p->members, h->sender)) {
		p->stats.rx_dropped++;
		return;
	}
	p->order.seq_unchanged = 0;
	p->order.asked = true;
	hold_release(p);
}

/* The representative of a new ring creates its first token. */
void token_start(struct proto *p)
{
	/* Hop numbers continue the commit token's, which every member has
	 * seen: a token numbered below them would be taken as stale. */
	struct wire_token t = { .tseq = p->order.last_tseq };

	p->order.seq_last_visit = UINT64_MAX;   /* no visit yet on this ring */
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
	    !idset_has(&p->members, h->sender) ||
	    in->tseq <= p->order.last_tseq) {
		p->stats.rx_dropped++;
		return;
	}
	t = *in;
	p->order.last_tseq = t.tseq;
	p->order.tok_retransmit_at = UINT64_MAX;
	p->order.hold_cancel_sent = false;
	p->order.burst = 0;   /* a burst is counted from the token's arrival */
	token_visit(p, &t);
	if (p->state == ST_OPERATIONAL || p->state == ST_RECOVERY)
		after_visit(p, &t, true);
}

int order_init(struct proto *p)
{
	p->order.tok_saved = malloc(p->cfg.mtu);
	if (!p->order.tok_saved)
		return -ENOMEM;
	p->order.tok_retransmit_at = p->order.token_loss_at = UINT64_MAX;
	p->order.hold_until = p->order.merge_at = UINT64_MAX;
	return 0;
}

void order_free(struct proto *p)
{
	free(p->order.tok_saved);
}

/* Membership accepted a ring whose commit token had hop number `tseq`:
 * the token must come within the token timeout. */
void order_accept(struct proto *p, uint64_t tseq)
{
	p->order.last_tseq = tseq;
	p->order.token_loss_at = p->now + p->cfg.timing.token_ms;
}

/* A commit token of the ring being formed: false if it is one we have
 * seen (a retransmission); otherwise ours arrived, and is not resent. */
bool order_commit_arrived(struct proto *p, uint64_t tseq)
{
	if (tseq <= p->order.last_tseq)
		return false;
	p->order.tok_retransmit_at = UINT64_MAX;
	return true;
}

void order_hop_seen(struct proto *p, uint64_t tseq)
{
	p->order.last_tseq = tseq;
}

/* A new ring enters recovery: its token's counters start from zero. */
void order_ring_reset(struct proto *p)
{
	p->order.my_last_sent = 0;
	p->order.my_backlog = 0;
	p->order.share_credit = 0;
	p->order.aru_stuck = 0;
	p->order.seq_unchanged = 0;
	p->order.n_served = 0;
	p->order.asked = false;
	p->order.seq_last_visit = UINT64_MAX;
	p->order.aru_last_visit = 0;
	p->order.token_loss_at = p->now + p->cfg.timing.token_ms;
}

/* Gathering: no token, no timer of the ring. */
void order_stop(struct proto *p)
{
	p->order.tok_retransmit_at = UINT64_MAX;
	p->order.token_loss_at = UINT64_MAX;
	p->order.hold_until = UINT64_MAX;
	p->order.merge_at = UINT64_MAX;
}

/* The ring is installed: merge detection starts. */
void order_installed(struct proto *p)
{
	p->order.merge_at = p->now + p->cfg.timing.merge_ms;
}

void order_set_congested(struct proto *p, bool on)
{
	if (p->order.congested == on)
		return;
	p->order.congested = on;
	p->stats.congested += on;
	if (!on)
		ring_kick(p);
}

/* A ring of one with work left: a callback queued more, or messages wait
 * (unless a local reader is behind: they wait for it). */
static bool solo_work(const struct proto *p)
{
	return p->state == ST_OPERATIONAL && p->members.n == 1 &&
	    ((p->sq && !p->order.congested) || p->order.solo_more);
}

/* The representative of a ring smaller than the nodelist announces it, so
 * that partitions heal (MERGE_DETECT every `merge` ms). */
static bool merges(const struct proto *p)
{
	return p->state == ST_OPERATIONAL && p->members.n < p->cfg.n_nodes &&
	    p->my_index == 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t order_next_timeout(const struct proto *p)
{
	uint64_t t = min64(p->order.token_loss_at, p->order.tok_retransmit_at);

	t = min64(t, p->order.hold_until);
	if (merges(p))
		t = min64(t, p->order.merge_at);
	/* A ring of one with work left (a callback queued more). */
	if (solo_work(p))
		t = 0;
	return t;
}

static void merge_detect(struct proto *p)
{
	struct wire_hdr h = util_hdr(p, WIRE_MERGE_DETECT, p->ring);
	size_t n = wire_encode_hdr_only(p->dgram, p->cfg.mtu, &h);

	util_send(p, 0, p->dgram, n);
	p->order.merge_at = p->now + p->cfg.timing.merge_ms;
}

void order_tick(struct proto *p)
{
	if (p->now >= p->order.token_loss_at) {
		util_log(p, PROTO_LOG_INFO, "token lost: a processor failed, "
		    "forming a new configuration");
		gather_enter(p, "token lost");
		return;
	}
	if (p->now >= p->order.tok_retransmit_at)
		token_send_saved(p);
	if (p->now >= p->order.hold_until)
		hold_release(p);
	if (merges(p) && p->now >= p->order.merge_at)
		merge_detect(p);
	if (solo_work(p))
		ring_kick(p);
}
