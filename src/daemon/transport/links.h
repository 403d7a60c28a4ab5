/*
 * links.h: the health of each link to each peer, and which links a
 * peer's traffic takes (kronosnet's role behind corosync's knet
 * transport).
 *
 * A node has up to LINKS_MAX links (networks, ringN_addr); the link to a
 * peer exists where both have an address on it. On each such link the
 * transport sends the peer a ping every ping_interval; the peer answers
 * with a pong that echoes the ping's time. The link to the peer is:
 *
 *   - up once pong_count answers came (each within ping_timeout of its
 *     ping), none of them more than ping_timeout after the one before;
 *   - down once ping_timeout passed without an answer.
 *
 * Its latency is the mean round trip of the last `precision` answers.
 *
 * A link that carries a peer's traffic (up and selected) is also pinged
 * every LINKS_PROBE_MS when that is shorter than the ping interval and
 * the peer has another link its traffic could move to, and
 * an up link is suspect while an answer is overdue: more than
 * LINKS_GRACE_RTTS mean round trips (at least LINKS_GRACE_MIN_MS, at
 * most half the ping interval) have passed since the oldest ping not
 * answered yet. A suspect link is passed over while another is up and
 * not suspect, so traffic leaves a failing link within LINKS_PROBE_MS
 * and the grace, long before the ping timeout makes it down: the
 * protocol gives up on a node that cannot receive a peer's messages
 * after fail_recv_const token rotations, which a busy ring makes in well
 * under the timeout (a link that fails one way still passes the token).
 * It takes the traffic back as soon as a ping is answered.
 *
 * Selection, per peer, among the links that are up, settled (see below)
 * and not suspect, by the mode (corosync's totem.link_mode):
 *
 *   - passive: the one of highest priority, a tie to the lowest number;
 *   - active: every one of them;
 *   - rr: one after the other, a datagram each.
 *
 * A link that comes up again after it was down is settled only once it
 * has stayed up for LINKS_SETTLE_TIMEOUTS times its ping_timeout: until
 * then a link that never went down keeps the traffic, so a link that
 * flaps does not draw traffic onto itself at each short recovery. When
 * no link is up, settled and not suspect, the up links that are not
 * suspect are selected (settling or not), then the settled ones
 * (suspect or not), then the up links; when none is up at all (at start, or a peer that is gone),
 * every link to the peer is, so that nothing waits for heartbeats a
 * working link would answer (knet sends nothing then).
 *
 * Pure bookkeeping on given times (microseconds): no sockets, no clock.
 * Transitions are logged.
 */
#ifndef COHORT_LINKS_H
#define COHORT_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

#define LINKS_MAX 8u
/* A link back up after being down carries traffic again once it has
 * stayed up this many of its ping timeouts. */
#define LINKS_SETTLE_TIMEOUTS 2u
/* An unanswered ping makes its link suspect after this many mean round
 * trips, and never sooner than this (scheduling delays of a loaded host). */
#define LINKS_GRACE_RTTS 4u
#define LINKS_GRACE_MIN_MS 10u
/* The longest time between two pings on a link that carries traffic. */
#define LINKS_PROBE_MS 100u

enum links_mode {
	LINKS_PASSIVE,
	LINKS_ACTIVE,
	LINKS_RR,
};

/* One link's settings, the same towards every peer. */
struct links_timing {
	uint8_t priority;            /* higher first */
	uint32_t ping_interval_ms;   /* > 0 */
	uint32_t ping_timeout_ms;    /* > 0 */
	uint32_t pong_count;         /* >= 1 */
	uint32_t precision;          /* >= 1 */
};

enum link_state {
	LINK_DOWN,
	LINK_UP,
};

/* The counters and state of the link to one peer. */
struct link_status {
	bool configured;        /* both ends have an address on it */
	bool enabled;           /* configured (no link is disabled by hand) */
	bool up;
	bool settled;           /* up, and past its settling time */
	bool suspect;           /* up, its latest ping's answer overdue */
	bool in_use;            /* selected for the peer's traffic now */
	uint32_t latency_us;    /* mean round trip; 0 before an answer */
	uint64_t up_since_us;   /* when it came up; 0 while down */
	uint64_t pings_tx, pongs_rx, pongs_late, pings_rx;
	uint64_t downs;         /* times it went down */
	/* Frames sent and received over it, and frames that came over it
	 * from another address than the peer's on it (dropped). */
	uint64_t tx, rx, rx_wrong_addr;
};

struct links_link {
	bool configured;
	enum link_state state;
	bool was_up;            /* has been up before (settling applies) */
	uint32_t pongs;         /* answers counted while down */
	uint64_t next_ping_us;
	uint64_t last_ping_us;  /* when the latest ping left; 0: none */
	uint64_t answered_us;   /* send time of the latest ping answered */
	uint64_t pending_us;    /* send time of the oldest ping unanswered */
	uint64_t last_pong_us;  /* 0: none */
	uint64_t up_since_us;
	uint64_t latency_us;    /* running mean */
	uint32_t samples;
	uint64_t pings_tx, pongs_rx, pongs_late, pings_rx, downs;
	uint64_t tx, rx, rx_wrong_addr;
};

struct links_peer {
	uint32_t nodeid;
	struct links_link link[LINKS_MAX];
	unsigned rr;            /* the link rr used last */
};

struct links {
	enum links_mode mode;
	struct links_timing timing[LINKS_MAX];
	size_t n_peers;
	struct links_peer peer[PROTO_MAX_NODES];
};

/* Starts with no peer; `timing` gives every link's settings (those of
 * links that no peer has are not read). */
void links_init(struct links *ls, enum links_mode mode,
    const struct links_timing timing[LINKS_MAX]);
/* Adds peer `pi` (index, below PROTO_MAX_NODES; n_peers becomes at least
 * pi + 1) with the links in `mask` (bit l: link l), all down, the first
 * ping due at `now_us`. */
void links_add_peer(struct links *ls, size_t pi, uint32_t nodeid,
    uint8_t mask, uint64_t now_us);

/* Whether a ping to peer `pi` on link `l` is due at `now_us`; if so it
 * counts as sent and the next is due one ping interval later. */
bool links_ping_due(struct links *ls, size_t pi, unsigned l, uint64_t now_us);
/* An answer from peer `pi` on link `l` to our ping sent at `sent_us`. */
void links_pong(struct links *ls, size_t pi, unsigned l, uint64_t sent_us,
    uint64_t now_us);
/* Links whose answers are overdue go down; counts of answers while down
 * restart when the answers stop. */
void links_tick(struct links *ls, uint64_t now_us);
/* The earliest time, from `now_us` on, at which a ping is due or a link
 * may time out. */
uint64_t links_next_due(const struct links *ls, uint64_t now_us);

/* The links (bit l: link l) a datagram to peer `pi` takes now; 0 when
 * the peer has no link. Advances the round robin. */
uint8_t links_select(struct links *ls, size_t pi, uint64_t now_us);
/* The links peer `pi`'s traffic uses now, without advancing the round
 * robin: passive's one, or every selected one in the other modes. */
uint8_t links_selected(const struct links *ls, size_t pi, uint64_t now_us);

/* The state of the link `l` to peer `pi` at `now_us`. */
void links_status(const struct links *ls, size_t pi, unsigned l,
    uint64_t now_us, struct link_status *st);

const char *links_mode_name(enum links_mode m);

#endif /* COHORT_LINKS_H */
