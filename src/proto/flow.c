/*
 * flow.c: flow control on the token. Each visit may number at most
 * max_messages, and a rotation at most window_size for the whole ring;
 * the token carries what the ring numbered in its last rotation (fcc)
 * and how much it has queued (backlog), and each member's part of both
 * is kept in struct order (my_last_sent, my_backlog) to be replaced at
 * its next visit. docs/protocol.md, section 3.3.
 */
#include "proto/internal.h"

/* Datagrams we could number now, up to one window: what we ask the
 * ring's window for. A recovering ring numbers only old-ring messages, so
 * the queue of new ones does not count there (counted, it would let
 * members with long queues shrink the share of a member with old messages
 * to send to almost nothing, and recovery would not end). Capping
 * the claim at the window makes the shares of the busy members equal
 * (a member with a queue of thousands claims no more than one with a
 * window's worth), and a member with little to send still gets at least
 * 1/N of a message per visit: its turn comes within N visits. */
uint32_t flow_backlog(const struct proto *p)
{
	size_t n;

	if (p->state == ST_RECOVERY)
		n = recovery_left(p);
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
uint32_t flow_budget(struct proto *p, const struct wire_token *t,
    uint32_t backlog)
{
	uint32_t budget = p->cfg.timing.max_messages;
	uint32_t window = p->cfg.timing.window_size;
	uint32_t others = minus(t->fcc, p->order.my_last_sent);
	uint64_t total = (uint64_t)minus(t->backlog, p->order.my_backlog) +
	    backlog;
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

		p->order.share_credit += share;
		if (p->order.share_credit > (uint64_t)window * SHARE_ONE)
			p->order.share_credit = (uint64_t)window * SHARE_ONE;
		if (budget > p->order.share_credit / SHARE_ONE)
			budget = (uint32_t)(p->order.share_credit / SHARE_ONE);
	} else {
		p->order.share_credit = 0;
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

/* After numbering `sent` messages: the credit they used is spent, and
 * the token carries our new backlog. */
void flow_sent(struct proto *p, struct wire_token *t, uint32_t sent)
{
	uint32_t backlog;

	p->order.share_credit = p->order.share_credit >
	    (uint64_t)sent * SHARE_ONE ?
	    p->order.share_credit - (uint64_t)sent * SHARE_ONE : 0;
	backlog = flow_backlog(p);
	t->backlog = minus(t->backlog, p->order.my_backlog) + backlog;
	p->order.my_backlog = backlog;
}

/* Our part of the token's fcc becomes `claim`: what we numbered, or the
 * whole window while a local reader is behind. */
void flow_claim(struct proto *p, struct wire_token *t, uint32_t claim)
{
	t->fcc = minus(t->fcc, p->order.my_last_sent) + claim;
	p->order.my_last_sent = claim;
}
