/*
 * unreach.h: which ICMP port unreachable reports the transport believes.
 *
 * A daemon that died on a live host leaves its port closed, and the host
 * answers what is sent there with an ICMP port unreachable; acting on it
 * fails the node at once instead of after the token and consensus
 * timeouts. But anyone can send an ICMP error, so a report is believed
 * only when all of this holds:
 *
 *   - it comes from the peer's own address (the transport checks that:
 *     a host reports its own closed port, from the address it was sent
 *     to);
 *   - the bytes it quotes match a frame sent to that peer within the
 *     last age_ms: the UNREACH_MATCH_LEN bytes after the frame header,
 *     which in a sealed frame are the start of its random nonce, so a
 *     host that does not see our traffic cannot produce them;
 *   - the peer has been silent (no datagram that passed every check)
 *     for quiet_ms; a report that comes sooner is deferred until then
 *     and dropped if the peer speaks meanwhile;
 *   - no report about that peer was acted on in the last quiet_ms.
 *
 * Pure bookkeeping: no sockets, no clock (times are given), no logging.
 */
#ifndef COHORT_UNREACH_H
#define COHORT_UNREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* Frames remembered per peer (more than four 64 KiB datagrams cut into
 * 1500-byte frames: what may still be on its way when the peer dies
 * under load), and bytes of each compared. */
#define UNREACH_RECENT 256u
#define UNREACH_MATCH_LEN 16u
/* The daemon's quiet time is the token timeout divided by this: longer
 * than the default hold of an idle token (token_retransmit * 0.8 - 10 ms,
 * about a fifth of the token), and much shorter than the token plus
 * consensus timeouts the fast path stands in for. It does not protect
 * the peer a node passes the token to, which sends nothing back to it on
 * an idle ring: there the quoted nonce is the check (docs/protocol.md
 * 3.8). The age of a frame that a report may quote is the token timeout. */
#define UNREACH_QUIET_DIV 4u

struct unreach_peer {
	uint8_t tag[UNREACH_RECENT][UNREACH_MATCH_LEN];
	uint8_t tag_len[UNREACH_RECENT];   /* 0: an empty slot */
	uint64_t sent_at[UNREACH_RECENT];
	unsigned next;                      /* the slot written next */
	bool deferred;                      /* a believed report waits */
	uint64_t deferred_heard;            /* the peer's last rx then */
	uint64_t reported_at;               /* last report acted on; 0: none */
};

struct unreach {
	uint64_t quiet_ms;                  /* silence a report needs */
	uint64_t age_ms;                    /* how long a sent frame counts */
	struct unreach_peer peer[PROTO_MAX_NODES];   /* by nodelist index */
};

enum unreach_verdict {
	UNREACH_FAIL,        /* believed: fail the peer now */
	UNREACH_DEFER,       /* believed, the peer spoke lately: ask again
	                      * at unreach_due() */
	UNREACH_UNMATCHED,   /* quotes no recent frame to the peer: dropped */
	UNREACH_ALIVE,       /* the peer spoke after the report: dropped */
	UNREACH_LIMITED,     /* a report was acted on lately: dropped */
};

void unreach_init(struct unreach *u, uint64_t quiet_ms, uint64_t age_ms);

/* A frame to peer `pi` was sent at `now`; `body` is what follows the
 * frame header, `len` bytes of it. */
void unreach_sent(struct unreach *u, size_t pi, const uint8_t *body,
    size_t len, uint64_t now);

/* An ICMP port unreachable about peer `pi`, from the peer's address,
 * quoting `body` (what follows the frame header in the quoted datagram,
 * `len` bytes, possibly cut short by the reporting host). `heard` is the
 * time of the peer's last good datagram (0: none yet). */
enum unreach_verdict unreach_judge(struct unreach *u, size_t pi,
    const uint8_t *body, size_t len, uint64_t heard, uint64_t now);

/* The earliest time a deferred report is due, 0 if none waits. */
uint64_t unreach_due(const struct unreach *u, size_t n_peers);

/* At or after unreach_due(): the deferred report of peer `pi` (heard: as
 * for unreach_judge) is UNREACH_FAIL, UNREACH_ALIVE or, not due yet or
 * none, UNREACH_DEFER. */
enum unreach_verdict unreach_recheck(struct unreach *u, size_t pi,
    uint64_t heard, uint64_t now);

#endif /* COHORT_UNREACH_H */
