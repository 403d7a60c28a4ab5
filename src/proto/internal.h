/*
 * internal.h: the engine's state, shared by its parts:
 *   engine.c  the API, timers, state changes, datagram dispatch
 *   util.c    logging, node look-up, sending, headers, node id sets
 *   store.c   message stores, the send queue, packing, delivery
 *   order.c   the token: numbering, retransmission, stability, hold
 *   flow.c    flow control: what one visit may number
 *   memb.c    membership: gather, commit
 *   recovery.c recovery of the old ring's messages, install
 *   timing.c  the timing defaults (proto.h's proto_timing_fill)
 * Nothing here is visible outside src/proto.
 */
#ifndef COHORT_PROTO_INTERNAL_H
#define COHORT_PROTO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"
#include "proto/wire.h"

/* Messages of one ring kept at once: numbering stops at stable + half of
 * this, so a store never overflows (docs/protocol.md, "Memory"). */
#define STORE_CAP 8192u
#define OUTSTANDING_MAX (STORE_CAP / 2)
#define RING_SEQ_STEP 4u
/* The largest token (every retransmission request slot used) must fit. */
#define MIN_MTU (WIRE_HDR_LEN + TOKEN_FIXED + 8u * TOKEN_RTR_MAX)
/* Token visits a ring of one makes in one call before it returns (the
 * rest is due at once: proto_next_timeout() says 0). */
#define SOLO_VISITS_MAX 64u
#define DGRAM_MAX PROTO_DGRAM_MAX
/* A recovered message is stored with its old identity in front. */
#define REC_PREFIX 25u
#define SHARE_ONE 256u
/* A token the rep keeps while only its node sends (order.c keep_max()):
 * the sends to the other members it may cost in one hold, and the
 * datagrams it may number within one millisecond (a burst). */
#define HOLD_KEEP_MAX 8u
#define HOLD_KEEP_SENDS 128u

enum pstate {
	ST_IDLE = 0,
	ST_OPERATIONAL = 1,
	ST_GATHER = 2,
	ST_COMMIT = 3,
	ST_RECOVERY = 4,
};

/* A numbered message of a ring, as stored. Owned by its store. */
struct smsg {
	uint64_t seq;
	uint32_t origin;
	uint8_t mflags;          /* MCAST_SAFE */
	size_t len;
	uint8_t body[];          /* packed entries */
};
/* A message of ours is packed into a datagram-sized smsg, given back
 * down to its length when it leaves more than this unused. */
#define SMSG_SLACK 1024u

/* The messages of one ring, indexed by sequence number. */
struct store {
	struct proto_ring_id ring;
	struct smsg *slot[STORE_CAP];  /* seq % STORE_CAP */
	uint64_t base;           /* every seq below it is freed */
	uint64_t aru;            /* all received up to */
	uint64_t high;           /* highest received */
	uint64_t delivered;      /* delivered (or skipped) up to */
	uint64_t stable;         /* known received by every member */
};

/* A local message waiting to be numbered; `off` is how much of it has
 * been numbered already, as fragments. A message too large for one
 * body is queued in `whole`, a numbered message of one entry laid out
 * in advance (its entry header is written when it is numbered): a ring
 * of one numbers it as it is, without a copy (sq_take_whole). `data`
 * points at the message's bytes, in `whole` or in `small`; both are
 * owned by the queue until the message is numbered. */
struct qmsg {
	struct qmsg *next;
	enum proto_guarantee g;
	size_t len, off;
	struct smsg *whole;      /* NULL: the message fits one body */
	uint8_t *data;
	uint8_t small[];
};

/* Reassembly of one origin's fragmented message. */
struct reasm {
	uint8_t *buf;
	size_t len, cap;
	bool active;             /* a FIRST fragment has been seen */
};

/* The last JOIN heard from a node. */
struct jrec {
	bool valid;
	uint64_t episode;        /* our gather episode it was received in */
	uint64_t incarnation;
	uint32_t counter;
	uint16_t n_proc, n_fail;
	uint32_t proc[PROTO_MAX_NODES], fail[PROTO_MAX_NODES];
	/* In `episode`: the node's view counter at our last consensus
	 * timeout (at first, that of its first JOIN of the episode), and
	 * how many times it was spared for a view that changed since
	 * (memb.c, spare()). */
	uint32_t checked_counter;
	uint32_t spared;
};

/* A sorted set of node ids. */
struct idset {
	size_t n;
	uint32_t id[PROTO_MAX_NODES];
};

/*
 * Membership state: memb.c's alone. The rest of the engine reaches it
 * through memb.c's functions (memb_*, gather_enter, join_receive, ...).
 */
struct memb {
	uint64_t incarnation;
	uint32_t join_counter;
	uint64_t episode;
	uint64_t seq_max;        /* highest ring seq seen */
	uint64_t accepted_seq;   /* ring seq of the last accepted commit */
	struct idset proc, fail;
	struct jrec *jrec;       /* per nodelist index */
	/* Per nodelist index: its port was reported closed and nothing has
	 * come from it since (proto_peer_unreachable). */
	bool unreach[PROTO_MAX_NODES];
	uint64_t join_at, consensus_at;
	bool consensus;
};

/*
 * Ordering state: the token, order.c's alone (flow.c computes the send
 * budget from it). Membership drives it through order.c's order_*
 * functions: a ring accepted, a new ring's counters, the timers stopped
 * when gathering, the commit token passed on.
 */
struct order {
	uint64_t last_tseq;      /* highest token hop seen on this ring */
	uint8_t *tok_saved;      /* last token or commit token sent */
	size_t tok_saved_len;
	uint32_t tok_saved_to;
	uint64_t tok_retransmit_at;   /* UINT64_MAX: off */
	uint64_t token_loss_at;       /* UINT64_MAX: off */
	uint32_t my_last_sent;   /* our part of the token's fcc */
	uint32_t my_backlog;     /* our part of the token's backlog */
	uint64_t share_credit;   /* fair share not used yet, 1/SHARE_ONE */
	uint64_t seq_last_visit; /* token seq at our previous visit */
	uint64_t aru_last_visit;
	uint32_t aru_stuck;      /* visits without progress (fail_recv) */
	uint32_t seq_unchanged;  /* rep visits in a row that numbered nothing */
	uint64_t hold_until;     /* UINT64_MAX: not holding */
	struct wire_token held;  /* the token while held */
	uint64_t visit_from;     /* token seq when the last visit began */
	uint32_t visit_budget;   /* what the last visit might number */
	uint32_t held_sent;      /* numbered on the held token, this hold */
	uint64_t burst_at;       /* the millisecond of `burst` */
	uint32_t burst;          /* datagrams numbered here in it */
	bool numbered_safe;      /* a SAFE message numbered, this visit */
	bool asked;              /* HOLD_CANCEL since the token left (rep) */
	bool in_visit;           /* reentrancy guard for a ring of one */
	bool congested;          /* proto_set_congested() */
	bool solo_more;          /* a ring of one stopped with work left */
	bool hold_cancel_sent;
	uint64_t merge_at;
	/* The requests we served at our last visit (serve_requests()). */
	uint64_t served[TOKEN_RTR_MAX];
	uint16_t n_served;
};

/*
 * Recovery: recovery.c's. Membership hands over when the commit token's
 * second pass is complete (recovery_enter); ordering then numbers the old
 * ring's messages it names (recovery_next) and hands back when the token
 * says INSTALL (install).
 */
struct recovery {
	struct wire_commit commit;   /* the completed commit token */
	struct idset trans;      /* members that come from our old ring */
	uint64_t high;           /* highest old-ring seq any member holds */
	uint64_t next;           /* next old-ring seq to look at */
	uint64_t safe;           /* highest stable point of the old ring */
};

struct proto {
	struct proto_config cfg;
	struct proto_ops ops;
	void *ctx;
	enum pstate state;
	struct proto_stats stats;
	uint8_t *dgram;          /* scratch for encoding, cfg.mtu bytes */
	uint8_t *dgram2;         /* second scratch (retransmission) */
	size_t payload_max;      /* entries bytes per message */
	uint64_t now;
	struct wire_msg rx;      /* the datagram being handled */

	/* The ring being formed or operating: memb.c sets it up, order.c
	 * runs the token on it. */
	struct proto_ring_id ring;
	struct idset members;
	size_t my_index;
	struct store *cur;
	/* The last installed ring, frozen while a new one forms. */
	struct idset old_members;
	struct store *old;
	bool installed_once;

	/* Local send queue: engine.c fills it, store.c packs from it. */
	struct qmsg *sq, **sq_tail;
	size_t sq_bytes;
	size_t sq_n;              /* messages in sq */
	struct reasm *reasm;     /* per nodelist index */
	/* While deliver_ready hands over a message of the current ring of
	 * one: that message, which proto_take_delivered may take out of
	 * the store when it is one entry delivered from its body
	 * (`take_whole`); `taken` once it was. */
	const struct smsg *take;
	bool take_whole, taken;

	struct memb memb;
	struct order order;
	struct recovery rec;
};

/* engine.c */
void set_state(struct proto *p, enum pstate to, const char *why);

/* util.c */
void util_log(struct proto *p, enum proto_log_level level, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* The node's index in the nodelist, -1 if it is not in it. */
int util_node_index(const struct proto *p, uint32_t nodeid);
/* Sends through proto_ops.send (0: to every other node); nothing to
 * ourselves, nothing in a nodelist of one. */
void util_send(struct proto *p, uint32_t to, const uint8_t *buf, size_t len);
/* The header of a datagram of ours, of `type`, on `ring`. */
struct wire_hdr util_hdr(const struct proto *p, uint8_t type,
    struct proto_ring_id ring);
bool idset_has(const struct idset *s, uint32_t id);
bool idset_add(struct idset *s, uint32_t id);
bool idset_eq(const struct idset *a, const struct idset *b);
/* out = a without b (out may not be a or b). */
void idset_minus(struct idset *out, const struct idset *a,
    const struct idset *b);

/* store.c */
struct store *store_new(struct proto_ring_id ring);
void store_free(struct store *s);
const struct smsg *store_get(const struct store *s, uint64_t seq);
/* Takes a copy; false if it is a duplicate or out of the window. */
bool store_put(struct store *s, uint64_t seq, uint32_t origin, uint8_t mflags,
    const uint8_t *body, size_t len);
/* Takes `m` (malloc'd, its body's first `len` bytes filled) instead of a
 * copy; frees it and returns false where store_put would refuse. */
bool store_adopt(struct store *s, uint64_t seq, uint32_t origin,
    uint8_t mflags, struct smsg *m, size_t len);
void store_release(struct store *s, uint64_t upto);
void deliver_msg(struct proto *p, const struct smsg *m);
void reasm_reset_all(struct proto *p);
void deliver_ready(struct proto *p);
/* Builds the next message from the send queue into `body` (cap bytes):
 * returns the body length (0: nothing queued) and sets *mflags. */
size_t pack_next(struct proto *p, uint8_t *body, size_t cap, uint8_t *mflags);
struct smsg *sq_take_whole(struct proto *p, size_t *len, uint8_t *mflags);
void sq_rewind(struct proto *p);
void sq_free(struct proto *p);

/* order.c: the token, and what membership tells it. */
void token_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_token *t);
void mcast_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_mcast *m);
void hold_cancel_receive(struct proto *p, const struct wire_hdr *h);
/* The representative of a new ring creates its first token. */
void token_start(struct proto *p);
/* Something was queued: make the token come to it. */
void ring_kick(struct proto *p);
int order_init(struct proto *p);
void order_free(struct proto *p);
void order_accept(struct proto *p, uint64_t tseq);
void order_commit_forward(struct proto *p, struct wire_commit *c);
bool order_commit_arrived(struct proto *p, uint64_t tseq);
/* The last hop number seen on the ring is `tseq`. */
void order_hop_seen(struct proto *p, uint64_t tseq);
void order_ring_reset(struct proto *p);
void order_stop(struct proto *p);
void order_installed(struct proto *p);
void order_set_congested(struct proto *p, bool on);
/* The timers of COMMIT, RECOVERY and OPERATIONAL. */
uint64_t order_next_timeout(const struct proto *p);
void order_tick(struct proto *p);

/* flow.c */
/* Datagrams we could number now, at most a window. */
uint32_t flow_backlog(const struct proto *p);
/* How many messages this visit may number. */
uint32_t flow_budget(struct proto *p, const struct wire_token *t,
    uint32_t backlog);
void flow_sent(struct proto *p, struct wire_token *t, uint32_t sent);
void flow_claim(struct proto *p, struct wire_token *t, uint32_t claim);

/* memb.c: forming a ring. */
int memb_init(struct proto *p);
void memb_free(struct proto *p);
int memb_start(struct proto *p);
void memb_heard(struct proto *p, int index);
uint64_t memb_next_timeout(const struct proto *p);
void memb_tick(struct proto *p);
/* Leaves the ring (operational, or being formed) and gathers. */
void gather_enter(struct proto *p, const char *why);
void peer_unreachable(struct proto *p, uint32_t id);
void join_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_join *j);
void commit_receive(struct proto *p, const struct wire_hdr *h,
    const struct wire_commit *c);
void foreign_ring_heard(struct proto *p, const struct wire_hdr *h);

/* recovery.c: from the complete commit token to install. */
void recovery_enter(struct proto *p, const struct wire_commit *c);
/* Stores a recovered message received or numbered here; false when the
 * new ring's store refuses it (a duplicate, or outside its window). */
bool recovery_store(struct proto *p, const struct wire_mcast *m);
/* The next old-ring message this node re-sends, NULL when none is left. */
const struct smsg *recovery_next(struct proto *p);
/* Whether this node has old-ring messages left to re-send. */
bool recovery_pending(const struct proto *p);
size_t recovery_left(const struct proto *p);
void install(struct proto *p, uint64_t install_seq);

#endif /* COHORT_PROTO_INTERNAL_H */
