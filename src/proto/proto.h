/*
 * proto.h: the membership and total-order protocol core, sans I/O.
 *
 * One `struct proto` is one node's protocol engine (Totem single-ring
 * style: token, agreed and safe delivery, retransmission, flow control,
 * gather/commit/recovery, transitional and regular configurations, packing
 * and fragmentation). It never touches a socket, a clock, an event loop or
 * a configuration file: the caller feeds it datagrams, local messages and
 * the current time, and it answers through the callbacks in `struct
 * proto_ops` and through proto_next_timeout(). The daemon (src/daemon) and
 * the deterministic simulator (tests/sim) drive the very same code.
 *
 * Contract for callers:
 *   - `now` is a monotonic time in milliseconds chosen by the caller; it
 *     never decreases from one call to the next.
 *   - After any call into the engine, the caller asks proto_next_timeout()
 *     and calls proto_tick() once that time has come.
 *   - Callbacks run synchronously inside proto_start(), proto_receive(),
 *     proto_tick(), proto_submit(), proto_submitv(),
 *     proto_peer_unreachable() and proto_set_congested(). From inside a
 *     callback the caller may call proto_submit() or proto_submitv(),
 *     and nothing else of this API; such a call queues the message and
 *     calls for the token as any submission does (it may send a
 *     HOLD_CANCEL, or release a token held here).
 *   - Buffers passed to callbacks belong to the engine and are valid only
 *     during the callback; copy what must outlive it.
 *
 * Memory: bounded by the configuration (send queue bytes, the window of
 * received-but-not-stable messages, fragment reassembly per node); see
 * docs/protocol.md. The functions that return int return 0 or a negative
 * errno.
 */
#ifndef COHORT_PROTO_H
#define COHORT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define PROTO_MAX_NODES 64          /* nodes in a nodelist / a ring */
/* Largest max_messages and window_size. The window bounds what a
 * rotation numbers, and so what recovery has to re-send of it, which
 * must fit one store (docs/protocol.md, "Known limits", item 1). */
#define PROTO_WINDOW_MAX 1024u
/* Largest mtu the engine takes (proto_config.mtu). */
#define PROTO_DGRAM_MAX 65536u
/* Largest message proto_submit takes: a 16 MiB client message plus the
 * CPG service header that travels with it. */
#define PROTO_MSG_MAX ((16u << 20) + 4096u)

struct proto;

struct proto_ring_id {
	uint32_t rep;  /* node id of the ring's representative (lowest id) */
	uint64_t seq;  /* unique, increasing, survives restarts via ring_seq() */
};

enum proto_conf_type {
	PROTO_CONF_TRANSITIONAL = 1,
	PROTO_CONF_REGULAR = 2,
};

/* A configuration change, delivered at the same point of the total order
 * on every node that installs it. Members are ascending node ids. A
 * transitional configuration carries the ring id of the regular one it
 * precedes; members that come from different old rings deliver
 * transitional configurations with that same id and different members,
 * so its id is unique only together with the previous regular one. */
struct proto_conf {
	enum proto_conf_type type;
	struct proto_ring_id ring_id;
	size_t n_members;
	const uint32_t *members;
};

enum proto_guarantee {
	PROTO_AGREED = 0,  /* total order, delivered as soon as contiguous */
	PROTO_SAFE = 1,    /* delivered only once every member has it */
};

/* How much a log line (proto_ops.log) matters, most first. */
enum proto_log_level {
	PROTO_LOG_ERR = 0,
	PROTO_LOG_WARN = 1,
	PROTO_LOG_INFO = 2,    /* a node failed, the token was lost */
	PROTO_LOG_DEBUG = 3,   /* a state change, a ring committed */
	PROTO_LOG_TRACE = 4,   /* every change of view while gathering */
};

struct proto_ops {
	/* Send one datagram: to `to` (a node id), or to every other node of
	 * the nodelist when `to` is 0. The engine never sends to itself
	 * through this callback. */
	void (*send)(void *ctx, uint32_t to, const uint8_t *buf, size_t len);
	/* One message in total order: `sender` is the node that submitted it.
	 * `msg` is the exact byte string given to proto_submit(). */
	void (*deliver)(void *ctx, uint32_t sender, const uint8_t *msg,
	    size_t len, enum proto_guarantee guarantee);
	/* A transitional or regular configuration change. */
	void (*confchg)(void *ctx, const struct proto_conf *conf);
	/* Persist the highest ring sequence seen so far, before the engine
	 * relies on it: the caller writes it to stable storage and passes it
	 * back as proto_config.ring_seq at the next start. */
	void (*ring_seq)(void *ctx, uint64_t seq);
	/* Optional (may be NULL): a JOIN raised the highest ring sequence
	 * seen; a ring up to `seq` may be accepted soon, and ring_seq() be
	 * asked for it then. Nothing need be written before returning. */
	void (*ring_seq_seen)(void *ctx, uint64_t seq);
	/* Optional (may be NULL): one line of protocol log, no newline;
	 * `level` is an enum proto_log_level. */
	void (*log)(void *ctx, int level, const char *line);
};

/* Local messages waiting for the token: a window of 64 KiB datagrams
 * (50 x 64 KiB) and some; a larger queue gives no more throughput, only
 * more peak memory (bench/results/constants-log.md). A configuration
 * that gives send_queue_bytes 0 gets this. */
#define PROTO_DEFAULT_SEND_QUEUE_BYTES (3u << 20)
/* And in messages, what cohortd passes as send_queue_msgs (0 there
 * means bytes only): bytes alone would let tens of thousands of small
 * messages queue, a delay at saturation that delivers nothing more. */
#define PROTO_DEFAULT_SEND_QUEUE_MSGS 8192u

/*
 * The timing defaults, the one place they are written: what cohortd runs
 * where its configuration names nothing (src/daemon/config_out.c resolves
 * a configuration with proto_timing_fill()), and what the engine uses for
 * a field left 0. Where they differ from corosync 3.1.7's, corosync's
 * value is named too; docs/compatibility.md lists the differences.
 */
/* The token loss timeout. corosync's 3000 ms (plus 650 a node) waits
 * seconds before it even starts to form a new ring; 300 ms reports a
 * dead node of a small cluster in under a second, well above what a
 * rotation takes on a LAN. */
#define PROTO_DEFAULT_TOKEN_MS 300u
/* Added to the token timeout per node above PROTO_COEFFICIENT_BASE_NODES
 * (corosync's rule; its default is 650): a rotation visits every node. */
#define PROTO_DEFAULT_TOKEN_COEFFICIENT_MS 30u
#define PROTO_COEFFICIENT_BASE_NODES 2u
/* As corosync: retransmissions of a token before it is lost (it sets
 * token_retransmit), JOIN resend and MERGE_DETECT intervals, and the
 * rotations a member may fail to receive before it is failed. */
#define PROTO_DEFAULT_RETRANSMITS_BEFORE_LOSS 4u
#define PROTO_DEFAULT_JOIN_MS 50u
/* Nodelists above this many nodes resend JOINs every join_ms times
 * n_nodes / PROTO_JOIN_SCALE_NODES instead of every join_ms
 * (docs/protocol.md, "Scaling with the node count"). */
#define PROTO_JOIN_SCALE_NODES 16u
/* Neither the stretched resend interval nor send_join's delay exceeds
 * consensus_ms / PROTO_JOIN_RESENDS_MIN (nor is it cut below join_ms):
 * a consensus timeout sees that many resends. */
#define PROTO_JOIN_RESENDS_MIN 8u
/* send_join for those nodelists where the configuration names none (0):
 * a new view's JOIN waits up to this long, so that the views a burst of
 * JOINs makes leave as one JOIN and nodes do not all send at once
 * (corosync's default is 0 at any size, and its documentation asks
 * for a value on large rings). */
#define PROTO_DEFAULT_SEND_JOIN_MS 50u
/* Consensus timeouts in one gather episode at which a node whose view
 * does not match ours yet, but has changed since the timeout before, is
 * given more time instead of being failed. */
#define PROTO_CONSENSUS_SPARES 2u
#define PROTO_DEFAULT_MERGE_MS 200u
#define PROTO_DEFAULT_FAIL_RECV_CONST 2500u
#define PROTO_DEFAULT_MISS_COUNT_CONST 5u
/* Idle rotations before the representative holds the token. corosync
 * waits 30, and an idle token meanwhile circulates as fast as the
 * network carries it, for CPU and nothing else; after one, a member with
 * something to send cancels the hold with one datagram. */
#define PROTO_DEFAULT_SEQNO_UNCHANGED_CONST 1u
/* Messages one visit may number, and one rotation for the whole ring.
 * corosync lets a visit take 17, a third of the window; the whole window
 * lets a lone sender use it all, and busy senders still share it in
 * proportion to their backlogs (flow control, docs/protocol.md 3.3). */
#define PROTO_DEFAULT_MAX_MESSAGES 50u
#define PROTO_DEFAULT_WINDOW_SIZE 50u

/* Timing and flow-control settings, with corosync's names. A value of 0
 * means "use the default" (proto_timing_fill()). */
struct proto_timing {
	/* The effective token loss timeout, used as given: a caller that
	 * names it has already added token_coefficient per node above 2
	 * (corosync's rule). 0: PROTO_DEFAULT_TOKEN_MS plus that, with the
	 * coefficient below (0: PROTO_DEFAULT_TOKEN_COEFFICIENT_MS). */
	uint32_t token_ms;
	uint32_t token_coefficient_ms;   /* only for a token_ms of 0 */
	uint32_t token_retransmit_ms;    /* token / (retransmits + 0.2) */
	uint32_t token_retransmits_before_loss_const;
	uint32_t hold_ms;                /* token_retransmit * 0.8 - 10 */
	uint32_t consensus_ms;           /* 1.2 * token */
	uint32_t join_ms;
	uint32_t send_join_ms;           /* most a new view's JOIN waits */
	uint32_t merge_ms;
	uint32_t fail_recv_const;
	uint32_t seqno_unchanged_const;
	uint32_t miss_count_const;       /* not used by the engine */
	uint32_t max_messages;
	uint32_t window_size;
};

/* Fills every 0 field of `t` for a nodelist of `n_nodes`: the
 * PROTO_DEFAULT_* values, and the derived ones from the others as
 * corosync derives them (the same floating-point expressions,
 * truncated, so that the results agree to the millisecond; a derived
 * value below 1 ms is 0). send_join_ms stays 0 (no delay) up to
 * PROTO_JOIN_SCALE_NODES nodes and is PROTO_DEFAULT_SEND_JOIN_MS above. proto_new() does the same with its copy of
 * the configuration, and then raises a 0 token_retransmit_ms or hold_ms
 * to 1. */
void proto_timing_fill(struct proto_timing *t, size_t n_nodes);

/* `base` plus `coefficient` for each node of `n_nodes` above
 * PROTO_COEFFICIENT_BASE_NODES, at most UINT32_MAX: the effective token
 * timeout (corosync's rule). */
uint32_t proto_token_ms(uint32_t base, uint32_t coefficient, size_t n_nodes);

struct proto_config {
	uint32_t cluster_id;      /* carried in every header; other ids dropped */
	uint32_t local_nodeid;    /* non-zero, must be in `nodes` */
	size_t n_nodes;           /* 1..PROTO_MAX_NODES */
	uint32_t nodes[PROTO_MAX_NODES]; /* the nodelist, any order */
	uint32_t mtu;             /* largest datagram the engine emits */
	uint64_t ring_seq;        /* last persisted ring sequence (0 at first) */
	size_t send_queue_bytes;  /* bound on queued local messages */
	size_t send_queue_msgs;   /* the same in messages (0: bytes only) */
	struct proto_timing timing;
};

/* Counters, for status output and for tests of bad input. */
struct proto_stats {
	uint64_t rx_datagrams, tx_datagrams;
	uint64_t rx_dropped;      /* malformed, foreign, stale or unknown */
	uint64_t delivered, retransmits, token_losses, configurations;
	uint64_t originated;      /* datagrams of our own numbered (first sends) */
	uint64_t unreachable;     /* peers failed on a closed port (new reports) */
	uint64_t congested;       /* times a local reader held the ring back */
};

struct proto_status {
	int state;                /* enum in proto internals; 1 = operational */
	const char *state_name;
	struct proto_ring_id ring_id;
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];
	size_t send_queue_used;   /* bytes queued locally, not yet ordered */
	size_t send_queue_bytes;  /* its bound */
	uint32_t token_ms;        /* the token timeout in use */
	struct proto_stats stats;
};

/* The smallest mtu (datagram payload) whose commit token holds a ring of
 * `n_nodes`: the token carries an entry per member and must fit one
 * datagram, so proto_new() refuses a longer nodelist for a smaller mtu. */
size_t proto_mtu_for_nodes(size_t n_nodes);

/* Creates an engine; `*out` is set on success. -EINVAL for a missing
 * callback (only `log` is optional) or a bad config: local node not in
 * the nodelist, zero ids, duplicates, more than PROTO_MAX_NODES, an mtu
 * outside the engine's range or too small for the nodelist's commit
 * token, max_messages or window_size above PROTO_WINDOW_MAX. -ENOMEM. */
int proto_new(const struct proto_config *cfg, const struct proto_ops *ops,
    void *ctx, uint64_t now, struct proto **out);
void proto_free(struct proto *p);

/* Starts the engine: it enters GATHER and forms a ring (with a one-node
 * nodelist, a ring of one). -EALREADY if it was started before, -ENOMEM. */
int proto_start(struct proto *p, uint64_t now);

/* A datagram from the network. `from` is the node id the transport
 * attributes the datagram to (0 if unknown). Bad input is counted and
 * dropped; returns 0 in that case too. */
int proto_receive(struct proto *p, uint64_t now, uint32_t from,
    const uint8_t *buf, size_t len);

/* Orders a local message. The bytes are copied. -EAGAIN when the send
 * queue has no room (flow control: try again after deliveries),
 * -EMSGSIZE above PROTO_MSG_MAX, -EINVAL for an unknown guarantee,
 * -ENOMEM. */
int proto_submit(struct proto *p, uint64_t now, const void *msg, size_t len,
    enum proto_guarantee guarantee);

/* The same, for a message given in pieces (copied once, in order). */
int proto_submitv(struct proto *p, uint64_t now, const struct iovec *iov,
    int iovcnt, enum proto_guarantee guarantee);

/* From inside deliver() only: takes the storage of the message being
 * delivered, so that the caller keeps its bytes without copying them.
 * Possible for a message numbered on a ring of one and delivered from
 * where it is stored (nobody will ask for it again); `msg` is a pointer
 * into the delivered bytes. Returns the block that holds them, for the
 * caller to release with free() once it is done with them (the bytes
 * stay where they were until then), or NULL: the bytes are the engine's,
 * valid only until deliver() returns. */
void *proto_take_delivered(struct proto *p, const uint8_t *msg);

/* The transport learnt that `nodeid`'s port is closed (an ICMP port
 * unreachable came back for a datagram sent to it): no daemon runs
 * there. The engine fails the node now, as the token and consensus
 * timeouts would later: a member ends the ring, a node in a forming
 * view is failed in it. Until a valid datagram comes from the node it
 * stays failed in every new view. Unknown ids and our own are ignored. */
void proto_peer_unreachable(struct proto *p, uint64_t now, uint32_t nodeid);

/* Consumer back-pressure: while `on`, a local reader of deliveries is
 * behind, and the whole ring stops numbering new messages (this node
 * claims the full window in the token's flow-control count, and numbers
 * nothing new itself); retransmission, membership and recovery go on.
 * Turning it off makes the token come (as a submit does). */
void proto_set_congested(struct proto *p, uint64_t now, bool on);

/* Replaces the timing settings while the engine runs (a reload of the
 * configuration): `timing` is taken as proto_new() takes
 * proto_config.timing, its 0 fields filled for the engine's nodelist.
 * Every member should switch at the same point of the total order (the
 * daemon does it at the delivery of its RELOAD message). Each value
 * counts from its next use: a timer already armed keeps its deadline
 * (the token loss, retransmission and hold timers take the new values
 * at the token's next visit, the consensus, join and merge timers when
 * next armed), and flow control uses the new window and max_messages
 * from the token's next visit. Not from inside a callback. -EINVAL for
 * max_messages or window_size above PROTO_WINDOW_MAX, and nothing
 * changes. */
int proto_reconfigure(struct proto *p, uint64_t now,
    const struct proto_timing *timing);

/* Adds `n` nodes to the nodelist while the engine runs (a reload of the
 * configuration), every member at the same point of the total order:
 * from then on their datagrams are taken and they may join a ring (an
 * operational ring with fewer members than the nodelist looks for them,
 * as for any node of it). Not from inside a callback. -EINVAL for a 0
 * or known id, a duplicate, more than PROTO_MAX_NODES in all or more
 * than the commit token holds at the engine's mtu; -ENOMEM. Nothing
 * changes on error. */
int proto_add_nodes(struct proto *p, uint64_t now, const uint32_t *ids,
    size_t n);

/* Removes `n` nodes from the nodelist while the engine runs (a reload),
 * every member at the same point of the total order: their datagrams
 * are dropped from then on. Not from inside a callback. -EINVAL for an
 * unknown id or our own; -EBUSY for a node of the ring, of the view
 * being gathered, or, while a ring forms, of the last one. Nothing changes on error. */
int proto_remove_nodes(struct proto *p, uint64_t now, const uint32_t *ids,
    size_t n);

/* The time at which proto_tick() must next be called (UINT64_MAX: none). */
uint64_t proto_next_timeout(const struct proto *p);
int proto_tick(struct proto *p, uint64_t now);

void proto_status(const struct proto *p, struct proto_status *st);

#endif /* COHORT_PROTO_H */
