/*
 * limits.h: every limit of Cohort in one place. Each is documented in
 * cohortd(8) and cpg_overview(3) and reached with a clear error.
 */
#ifndef COHORT_LIMITS_H
#define COHORT_LIMITS_H

/* Largest message cpg_mcast_joined() accepts; every message up to this
 * size is ordered and delivered whole (atomically). Above: CS_ERR_TOO_BIG. */
#define COHORT_MSG_MAX (16u << 20)

/* Largest IPC frame: a message plus its headers. A frame that announces
 * more is malformed and its connection is dropped. */
#define COHORT_FRAME_MAX (COHORT_MSG_MAX + 4096u)

/* Most iovec entries cpg_mcast_joined() takes (corosync: 63, unchecked). */
#define COHORT_IOV_MAX 1024

/* Client connections a daemon serves at once; the next gets
 * CS_ERR_NO_RESOURCES. */
#define COHORT_CONN_MAX 4096

/* Sockets accepted that have not yet said what they are (a HELLO or an
 * ATTACH frame). A peer whose credentials are not allowed is closed at
 * accept and never counts. At the cap, accepting one more closes an
 * older one: the oldest of the same process if it has one, else the
 * oldest of the user who holds the most. One that says nothing for COHORT_HANDSHAKE_MS is closed.
 * Either way the socket is told CS_ERR_TRY_AGAIN or CS_ERR_TIMEOUT first.
 * libcpg sends its first frame right after connecting, so neither bound
 * touches it; they stop idle sockets from using up the daemon's
 * descriptors. */
#define COHORT_HANDSHAKE_MAX 128u
#define COHORT_HANDSHAKE_MS 2000u

/* Members (processes) per group: CPG_MEMBERS_MAX, so that every member
 * list a program is given fits the CPG_MEMBERS_MAX arrays corosync's
 * programs use. Joins in flight count: a join is refused with
 * CS_ERR_NO_SPACE when the group and this node's joins in flight already
 * make this many, and, at its delivery, by every node alike when the
 * group is full then. A merge that makes a group larger keeps the first
 * members in (node id, pid) order; the others are dropped (cpg/sync.c). */
#define COHORT_GROUP_MEMBERS_MAX 128

/* Groups in the whole cluster; a join of a new group beyond gets
 * CS_ERR_TOO_MANY_GROUPS, when it is asked and again at its delivery.
 * A merge of two partitions may pass it (their groups are kept): it
 * bounds memory, and no list has a fixed size in groups. */
#define COHORT_GROUPS_MAX 65536

/* Per-connection send credit: bytes of messages a client may have handed
 * to its daemon that are not yet ordered. A message larger than the
 * window is accepted when nothing else is outstanding. */
#define COHORT_SEND_WINDOW (4u << 20)

/* Per-connection shared-memory request ring (common/ipc_ring.h): the
 * messages a client has written and the daemon not yet taken. A message
 * whose frame is larger than COHORT_IPC_RING_FRAME goes over the socket
 * instead; one that does not fit the ring's free room gets
 * CS_ERR_TRY_AGAIN from cpg_mcast_joined until the daemon has taken more. */
#define COHORT_IPC_RING (1u << 20)
#define COHORT_IPC_RING_FRAME (COHORT_IPC_RING / 8u)

/* Per-connection event queue (deliveries and confchgs not yet read by the
 * client). Above the high watermark the daemon turns flow control on for
 * that connection (cpg_mcast_joined returns CS_ERR_TRY_AGAIN and
 * cpg_flow_control_state_get reports ENABLED); below the low watermark it
 * turns it off again. A client whose queue passes the hard limit is
 * disconnected (PROCDOWN to its groups). */
/* Watermarks of a few large messages: a longer queue only holds more
 * memory in every daemon of a cluster whose nodes all send large
 * messages, without more throughput (bench/results/constants-log.md). */
#define COHORT_EVQ_LOW (2u << 20)
#define COHORT_EVQ_HIGH (4u << 20)
/* The same watermarks in events: 4 MiB of small messages is a queue of
 * tens of thousands, a quarter second of a reader's work; a queue that
 * long only adds delay (and memory), not throughput. */
#define COHORT_EVQ_LOW_EVENTS 2048u
#define COHORT_EVQ_HIGH_EVENTS 4096u
#define COHORT_EVQ_HARD (COHORT_MSG_MAX * 2u + (16u << 20))
/* While any client's queue is above the high watermark the node holds the
 * whole cluster's new messages back (proto_set_congested), so that a slow
 * reader slows the senders instead of being dropped. A client above the
 * high watermark that consumes nothing for this long (what it has read
 * from its event socket does not grow: daemon/ipcs/events.c) has stopped: it is
 * disconnected, and the cluster goes on. The library takes a refused
 * sender's own events into its memory (lib/dispatch.c), so a program that
 * retries sends without dispatching is not taken for one that stopped. */
#define COHORT_EVQ_STALL_MS 5000u
/* What counts as consuming, in that time: at least the smallest event
 * (the frame of a deliver event of an empty message), or everything that
 * was unread. A client that reads a byte now and then consumes no event
 * and is taken for one that stopped: it would otherwise hold every
 * sender of the cluster back for ever. */
#define COHORT_EVQ_MIN_PROGRESS 160u
/* A sender refused for its own unread events while the program reads
 * them (some thread dispatches) waits for that reader: it is the pace.
 * Only once the program has dispatched nothing for this long while its
 * sends were refused (no thread dispatches, or one sits in a callback,
 * perhaps waiting for this very sender) does the library take the events
 * into its stash (lib/dispatch.c). Well below COHORT_EVQ_STALL_MS, and
 * short beside what the cluster's senders may wait for a slow reader. */
#define COHORT_STASH_AFTER_MS 100u

/* Iteration handles one connection may hold open at once. */
#define COHORT_ITER_MAX 64

#endif /* COHORT_LIMITS_H */
