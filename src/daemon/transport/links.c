/*
 * links.c: link health and selection per peer (links.h).
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "daemon/transport/links.h"

#define US_PER_MS 1000u

static uint64_t ms_us(uint32_t ms)
{
	return (uint64_t)ms * US_PER_MS;
}

static struct links_link *link_of(struct links *ls, size_t pi, unsigned l)
{
	assert(pi < ls->n_peers && l < LINKS_MAX);
	return &ls->peer[pi].link[l];
}

/* Every change of a link's state goes through here, and is logged. */
static void change_state(struct links *ls, size_t pi, unsigned l,
    enum link_state to, uint64_t now_us)
{
	struct links_link *k = link_of(ls, pi, l);

	if (k->state == to)
		return;
	k->state = to;
	if (to == LINK_UP) {
		k->up_since_us = now_us;
		log_info("link %u to node %u is up (%" PRIu64 " us round trip)",
		    l, ls->peer[pi].nodeid, k->latency_us);
	} else {
		k->up_since_us = 0;
		k->was_up = true;
		k->pongs = 0;
		k->downs++;
		log_warnx("link %u to node %u is down: no answer for %u ms", l,
		    ls->peer[pi].nodeid, ls->timing[l].ping_timeout_ms);
	}
}

void links_init(struct links *ls, enum links_mode mode,
    const struct links_timing timing[LINKS_MAX])
{
	memset(ls, 0, sizeof(*ls));
	ls->mode = mode;
	memcpy(ls->timing, timing, sizeof(ls->timing));
}

void links_add_peer(struct links *ls, size_t pi, uint32_t nodeid,
    uint8_t mask, uint64_t now_us)
{
	struct links_peer *p;

	assert(pi < PROTO_MAX_NODES);
	if (ls->n_peers <= pi)
		ls->n_peers = pi + 1;
	p = &ls->peer[pi];
	memset(p, 0, sizeof(*p));
	p->nodeid = nodeid;
	for (unsigned l = 0; l < LINKS_MAX; l++) {
		if (!(mask & (1u << l)))
			continue;
		assert(ls->timing[l].ping_interval_ms > 0 &&
		    ls->timing[l].ping_timeout_ms > 0 &&
		    ls->timing[l].pong_count > 0 &&
		    ls->timing[l].precision > 0);
		p->link[l].configured = true;
		p->link[l].next_ping_us = now_us;
	}
}

/* Whether peer `pi` has more than one link: only then can a failing
 * link's traffic move to another. */
static bool has_alternative(const struct links *ls, size_t pi)
{
	unsigned n = 0;

	for (unsigned l = 0; l < LINKS_MAX; l++)
		n += ls->peer[pi].link[l].configured;
	return n > 1;
}

/* When the link `l` to peer `pi` is next pinged: every ping interval,
 * and every LINKS_PROBE_MS while it carries the peer's traffic and
 * another link could take it over. A peer's only link is pinged at the
 * interval alone: the probe would find nothing to move to, and probing
 * every peer of a large nodelist that often costs every node CPU that
 * grows with the nodelist (docs/protocol.md, "Scaling with the node
 * count"). */
static uint64_t ping_at(const struct links *ls, size_t pi, unsigned l,
    uint64_t now_us)
{
	const struct links_link *k = &ls->peer[pi].link[l];
	uint64_t probe = k->last_ping_us + ms_us(LINKS_PROBE_MS);

	if (k->state == LINK_UP && probe < k->next_ping_us &&
	    has_alternative(ls, pi) &&
	    (links_selected(ls, pi, now_us) & (1u << l)))
		return probe;
	return k->next_ping_us;
}

bool links_ping_due(struct links *ls, size_t pi, unsigned l, uint64_t now_us)
{
	struct links_link *k = link_of(ls, pi, l);

	if (!k->configured || now_us < ping_at(ls, pi, l, now_us))
		return false;
	k->next_ping_us = now_us + ms_us(ls->timing[l].ping_interval_ms);
	/* The oldest unanswered ping: this one, if all before were. */
	if (k->answered_us >= k->last_ping_us)
		k->pending_us = now_us;
	k->last_ping_us = now_us;
	k->pings_tx++;
	return true;
}

void links_pong(struct links *ls, size_t pi, unsigned l, uint64_t sent_us,
    uint64_t now_us)
{
	struct links_link *k = link_of(ls, pi, l);
	const struct links_timing *tm = &ls->timing[l];
	uint64_t rtt, n;

	if (!k->configured)
		return;
	/* An answer to a ping from the future (a forged or corrupt stamp)
	 * or later than the timeout says nothing about the link now. */
	if (sent_us > now_us || now_us - sent_us > ms_us(tm->ping_timeout_ms)) {
		k->pongs_late++;
		return;
	}
	rtt = now_us - sent_us;
	k->pongs_rx++;
	if (sent_us > k->answered_us)
		k->answered_us = sent_us;
	if (k->samples < tm->precision)
		k->samples++;
	n = k->samples;
	/* The running mean over the last `precision` answers. */
	k->latency_us = n == 1 ? rtt : (k->latency_us * (n - 1) + rtt) / n;
	/* Answers while down count towards up only if they keep coming. */
	if (k->state == LINK_DOWN && k->last_pong_us &&
	    now_us - k->last_pong_us > ms_us(tm->ping_timeout_ms))
		k->pongs = 0;
	k->last_pong_us = now_us;
	if (k->state == LINK_DOWN && ++k->pongs >= tm->pong_count)
		change_state(ls, pi, l, LINK_UP, now_us);
}

void links_tick(struct links *ls, uint64_t now_us)
{
	for (size_t pi = 0; pi < ls->n_peers; pi++)
		for (unsigned l = 0; l < LINKS_MAX; l++) {
			struct links_link *k = &ls->peer[pi].link[l];
			uint64_t to = ms_us(ls->timing[l].ping_timeout_ms);

			if (!k->configured || now_us - k->last_pong_us <= to)
				continue;
			if (k->state == LINK_UP)
				change_state(ls, pi, l, LINK_DOWN, now_us);
			else
				k->pongs = 0;
		}
}

uint64_t links_next_due(const struct links *ls, uint64_t now_us)
{
	uint64_t due = UINT64_MAX;

	for (size_t pi = 0; pi < ls->n_peers; pi++)
		for (unsigned l = 0; l < LINKS_MAX; l++) {
			const struct links_link *k = &ls->peer[pi].link[l];
			uint64_t to;

			if (!k->configured)
				continue;
			if (ping_at(ls, pi, l, now_us) < due)
				due = ping_at(ls, pi, l, now_us);
			to = k->last_pong_us +
			    ms_us(ls->timing[l].ping_timeout_ms) + 1;
			if ((k->state == LINK_UP || k->pongs) && to < due)
				due = to;
		}
	return due;
}

static bool settled(const struct links *ls, const struct links_link *k,
    unsigned l, uint64_t now_us)
{
	return k->state == LINK_UP && (!k->was_up || now_us - k->up_since_us >=
	    LINKS_SETTLE_TIMEOUTS * ms_us(ls->timing[l].ping_timeout_ms));
}

/* Whether up link `k` (link `l`) waits for the answer to its latest ping
 * longer than its grace (links.h). */
static bool suspect(const struct links *ls, const struct links_link *k,
    unsigned l, uint64_t now_us)
{
	uint64_t grace = LINKS_GRACE_RTTS * k->latency_us;
	uint64_t most = ms_us(ls->timing[l].ping_interval_ms) / 2;

	if (grace < ms_us(LINKS_GRACE_MIN_MS))
		grace = ms_us(LINKS_GRACE_MIN_MS);
	if (grace > most)
		grace = most;
	return k->state == LINK_UP && k->last_ping_us > k->answered_us &&
	    now_us - k->pending_us > grace;
}

/* The links a peer's traffic may take now: up, settled and not suspect;
 * else up and not suspect (a link that answers, though settling, before
 * one that does not); else up and settled; else up; else every
 * configured one (*none_up set). */
static uint8_t candidates(const struct links *ls, size_t pi, uint64_t now_us,
    bool *none_up)
{
	const struct links_peer *p = &ls->peer[pi];
	uint8_t best_set = 0, answers = 0, good = 0, up = 0, all = 0;

	for (unsigned l = 0; l < LINKS_MAX; l++) {
		const struct links_link *k = &p->link[l];

		if (!k->configured)
			continue;
		all |= (uint8_t)(1u << l);
		if (k->state == LINK_UP)
			up |= (uint8_t)(1u << l);
		if (settled(ls, k, l, now_us))
			good |= (uint8_t)(1u << l);
		if (k->state == LINK_UP && !suspect(ls, k, l, now_us)) {
			answers |= (uint8_t)(1u << l);
			if (settled(ls, k, l, now_us))
				best_set |= (uint8_t)(1u << l);
		}
	}
	*none_up = !up;
	return best_set ? best_set : answers ? answers : good ? good : up ?
	    up : all;
}

/* Of the links in `set`, the one of highest priority, a tie to the lowest
 * number. */
static uint8_t best(const struct links *ls, uint8_t set)
{
	int pick = -1;

	for (unsigned l = 0; l < LINKS_MAX; l++)
		if ((set & (1u << l)) && (pick < 0 ||
		    ls->timing[l].priority > ls->timing[pick].priority))
			pick = (int)l;
	return pick < 0 ? 0 : (uint8_t)(1u << pick);
}

uint8_t links_selected(const struct links *ls, size_t pi, uint64_t now_us)
{
	bool none_up;
	uint8_t set;

	assert(pi < ls->n_peers);
	set = candidates(ls, pi, now_us, &none_up);
	return ls->mode == LINKS_PASSIVE && !none_up ? best(ls, set) : set;
}

uint8_t links_select(struct links *ls, size_t pi, uint64_t now_us)
{
	struct links_peer *p = &ls->peer[pi];
	uint8_t set = links_selected(ls, pi, now_us);
	bool none_up;

	(void)candidates(ls, pi, now_us, &none_up);
	if (ls->mode != LINKS_RR || none_up || !set)
		return set;
	for (unsigned i = 1; i <= LINKS_MAX; i++) {
		unsigned l = (p->rr + i) % LINKS_MAX;

		if (set & (1u << l)) {
			p->rr = l;
			return (uint8_t)(1u << l);
		}
	}
	return 0;   /* not reached: set is not empty */
}

void links_status(const struct links *ls, size_t pi, unsigned l,
    uint64_t now_us, struct link_status *st)
{
	const struct links_link *k;

	memset(st, 0, sizeof(*st));
	if (pi >= ls->n_peers || l >= LINKS_MAX)
		return;
	k = &ls->peer[pi].link[l];
	st->configured = k->configured;
	st->enabled = k->configured;
	st->up = k->state == LINK_UP;
	st->settled = settled(ls, k, l, now_us);
	st->suspect = suspect(ls, k, l, now_us);
	st->in_use = k->configured &&
	    (links_selected(ls, pi, now_us) & (1u << l));
	st->latency_us = k->latency_us > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)k->latency_us;
	st->up_since_us = k->up_since_us;
	st->pings_tx = k->pings_tx;
	st->pongs_rx = k->pongs_rx;
	st->pongs_late = k->pongs_late;
	st->pings_rx = k->pings_rx;
	st->downs = k->downs;
	st->tx = k->tx;
	st->rx = k->rx;
	st->rx_wrong_addr = k->rx_wrong_addr;
}

const char *links_mode_name(enum links_mode m)
{
	switch (m) {
	case LINKS_PASSIVE:
		return "passive";
	case LINKS_ACTIVE:
		return "active";
	case LINKS_RR:
		return "rr";
	}
	return "?";
}
