/*
 * unreach.c: the rule for believing an ICMP port unreachable (unreach.h).
 */
#include <string.h>

#include "daemon/transport/unreach.h"

void unreach_init(struct unreach *u, uint64_t quiet_ms, uint64_t age_ms)
{
	memset(u, 0, sizeof(*u));
	u->quiet_ms = quiet_ms;
	u->age_ms = age_ms;
}

void unreach_sent(struct unreach *u, size_t pi, const uint8_t *body,
    size_t len, uint64_t now)
{
	struct unreach_peer *p = &u->peer[pi];
	unsigned k = p->next;

	if (len > UNREACH_MATCH_LEN)
		len = UNREACH_MATCH_LEN;
	if (len == 0)
		return;     /* nothing a report could be matched with */
	memcpy(p->tag[k], body, len);
	p->tag_len[k] = (uint8_t)len;
	p->sent_at[k] = now;
	p->next = (k + 1) % UNREACH_RECENT;
}

/* Whether `body` is the start of a frame sent to `p` within age_ms. A
 * frame shorter than UNREACH_MATCH_LEN after its header is matched on
 * what it has; a quote must hold at least that much. */
static bool matches(const struct unreach *u, const struct unreach_peer *p,
    const uint8_t *body, size_t len, uint64_t now)
{
	for (unsigned k = 0; k < UNREACH_RECENT; k++) {
		size_t n = p->tag_len[k];

		if (n == 0 || len < n || now - p->sent_at[k] > u->age_ms)
			continue;
		if (memcmp(p->tag[k], body, n) == 0)
			return true;
	}
	return false;
}

/* Silent: nothing heard yet, or nothing for quiet_ms. */
static bool silent(const struct unreach *u, uint64_t heard, uint64_t now)
{
	return heard == 0 || now - heard >= u->quiet_ms;
}

/* A believed report about a silent peer: acted on, unless one was within
 * quiet_ms (the engine still has the peer failed then). */
static enum unreach_verdict report(const struct unreach *u,
    struct unreach_peer *p, uint64_t now)
{
	if (p->reported_at && now - p->reported_at < u->quiet_ms)
		return UNREACH_LIMITED;
	p->reported_at = now;
	return UNREACH_FAIL;
}

enum unreach_verdict unreach_judge(struct unreach *u, size_t pi,
    const uint8_t *body, size_t len, uint64_t heard, uint64_t now)
{
	struct unreach_peer *p = &u->peer[pi];

	if (!matches(u, p, body, len, now))
		return UNREACH_UNMATCHED;
	if (p->deferred)
		return UNREACH_DEFER;   /* already waiting for the same answer */
	if (silent(u, heard, now))
		return report(u, p, now);
	p->deferred = true;
	p->deferred_heard = heard;
	return UNREACH_DEFER;
}

uint64_t unreach_due(const struct unreach *u, size_t n_peers)
{
	uint64_t due = 0;

	for (size_t i = 0; i < n_peers && i < PROTO_MAX_NODES; i++) {
		const struct unreach_peer *p = &u->peer[i];
		uint64_t at = p->deferred_heard + u->quiet_ms;

		if (p->deferred && (due == 0 || at < due))
			due = at;
	}
	return due;
}

enum unreach_verdict unreach_recheck(struct unreach *u, size_t pi,
    uint64_t heard, uint64_t now)
{
	struct unreach_peer *p = &u->peer[pi];

	if (!p->deferred)
		return UNREACH_DEFER;
	if (heard != p->deferred_heard) {
		p->deferred = false;
		return UNREACH_ALIVE;
	}
	if (!silent(u, heard, now))
		return UNREACH_DEFER;
	p->deferred = false;
	return report(u, p, now);
}
