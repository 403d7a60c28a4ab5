/*
 * quorum/rules.h: votequorum's rules (corosync 3.1.7's, reference §4.3)
 * as a pure state machine: no clock, no socket, no log. The votequorum
 * service (votequorum.c) feeds it the ordered inputs (configuration
 * changes, node information, reconfigurations, the last-man-standing
 * expiry, cancelling wait_for_all) and reads the outputs: the quorum, the
 * quorate flag, the node table, and the notifications due (vq_take_out).
 *
 * Every input except vq_lms_due comes from the total order, so every node
 * of a ring sees the same inputs at the same point: the decision taken
 * when the last member's node information of a ring is delivered
 * (vq_sync_activate) is the same everywhere, provided the nodes start
 * the ring in the same state, which the node information carries
 * (votes, expected votes, and whether its sender is quorate).
 *
 * The node table keeps every node ever seen (dead ones stay, state
 * VQ_DEAD), in corosync's list order: a new node goes before the first
 * with a higher id, or else before the last entry, so the local node,
 * which is added first, tends to stay last (tools show that order).
 */
#ifndef COHORT_QUORUM_RULES_H
#define COHORT_QUORUM_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_NODES_MAX 384u   /* nodes remembered: PROCESSOR_COUNT_MAX */
#define VQ_ATB_MAX 64u      /* auto_tie_breaker_node list entries */

enum vq_state {
	VQ_MEMBER = 1,
	VQ_DEAD = 2,
	VQ_LEAVING = 3,
};

/* A node's flags as its node information carries them (corosync's). */
enum {
	VQ_NF_QUORATE = 1,
	VQ_NF_LEAVING = 2,
	VQ_NF_WFASTATUS = 4,
	VQ_NF_FIRST = 8,
};

/* The cluster-wide flags of getinfo (VOTEQUORUM_INFO_*). */
enum {
	VQ_INFO_TWONODE = 1,
	VQ_INFO_QUORATE = 2,
	VQ_INFO_WAIT_FOR_ALL = 4,
	VQ_INFO_LAST_MAN_STANDING = 8,
	VQ_INFO_AUTO_TIE_BREAKER = 16,
	VQ_INFO_ALLOW_DOWNSCALE = 32,
};

enum vq_atb {
	VQ_ATB_NONE = 0,
	VQ_ATB_LOWEST = 1,
	VQ_ATB_HIGHEST = 2,
	VQ_ATB_LIST = 3,
};

/* Notifications and side effects due, accumulated until vq_take_out. */
enum {
	VQ_OUT_QUORUM = 1,       /* quorum notifications (quorum and vq) */
	VQ_OUT_EXPECTED = 2,     /* expected-votes notification */
	VQ_OUT_EV_TRACKING = 4,  /* persist ev_tracking_barrier */
	VQ_OUT_LMS_TIMER = 8,    /* the LMS deadline was set or cleared */
};

/* What the configuration gives (resolved as config.h says). */
struct vq_settings {
	uint32_t nodeid;
	uint32_t votes;              /* this node's */
	uint32_t expected_votes;
	uint32_t device_votes;       /* a configured quorum device's, or 0 */
	bool two_node, wait_for_all, last_man_standing, allow_downscale;
	bool ev_tracking;            /* expected_votes_tracking */
	uint32_t lms_window_ms;
	enum vq_atb atb;
	size_t n_atb;
	uint32_t atb_nodes[VQ_ATB_MAX];
	uint32_t ev_tracking_barrier;   /* from the state directory, or 0 */
};

struct vq_node {
	uint32_t nodeid;
	uint32_t votes, expected;
	enum vq_state state;
	uint32_t flags;              /* VQ_NF_* */
};

/* A node's information as the wire carries it. */
struct vq_nodeinfo {
	uint32_t nodeid, votes, expected, flags;
};

struct vq_rules {
	struct vq_settings set;      /* LMS may be turned off at run time */
	size_t n_nodes;
	struct vq_node nodes[VQ_NODES_MAX];
	struct vq_node *us;          /* into nodes[] */
	uint32_t quorum;
	bool quorate;
	bool wfa_status;             /* still waiting for all */
	uint32_t ev_barrier;
	uint32_t ev_tracking_barrier;
	uint32_t lowest, highest;    /* MEMBER ids when last quorate */
	bool syncing;                /* between vq_sync_init and _activate */
	size_t n_members, n_prev;
	uint32_t members[VQ_NODES_MAX];      /* the current ring's */
	uint32_t prev_members[VQ_NODES_MAX]; /* the ring before */
	bool lms_armed;
	uint64_t lms_deadline;       /* ms, on the caller's clock */
	unsigned out;                /* VQ_OUT_* */
};

/* Starts with this node alone as MEMBER (flag FIRST), its configured
 * votes and expected votes, wait_for_all waiting when configured, and a
 * first calculation. */
void vq_init(struct vq_rules *r, const struct vq_settings *s);

/* A new ring with `members` (at most VQ_NODES_MAX, ascending): nodes of
 * the previous ring not in it become DEAD; when nodes left and
 * last_man_standing applies, the LMS deadline becomes now +
 * lms_window_ms. Sync mode: quorum changes are published at
 * vq_sync_activate, not before. */
void vq_sync_init(struct vq_rules *r, const uint32_t *members, size_t n,
    uint64_t now);
/* The end of the ring's synchronisation (every member's node information
 * delivered): recalculates and publishes (VQ_OUT_QUORUM, always). */
void vq_sync_activate(struct vq_rules *r);

/* This node's information to multicast. */
struct vq_nodeinfo vq_my_info(const struct vq_rules *r);
/* A node's information, delivered. -ERANGE (nothing changes) for votes
 * above COHORT_CONFIG_VOTES_MAX, which no node sends (its expected votes
 * may be above COHORT_CONFIG_EXPECTED_MAX: they follow the total);
 * -ENOSPC when the table is full of nodes that are not dead; else 0. */
int vq_nodeinfo(struct vq_rules *r, const struct vq_nodeinfo *ni);

/* The checks made before a setexpected / setvotes is multicast, on this
 * node's view: 0, -EINVAL (above COHORT_CONFIG_EXPECTED_MAX or
 * COHORT_CONFIG_VOTES_MAX, the configuration's limits, or the value would
 * break quorum) or -ENOENT (setvotes: no such node). */
int vq_check_expected(const struct vq_rules *r, uint32_t expected);
int vq_check_votes(const struct vq_rules *r, uint32_t nodeid, uint32_t votes);
/* The reconfigurations, delivered: 0, or -ERANGE for a value above those
 * limits, which changes nothing (every node ignores it alike). */
int vq_set_expected(struct vq_rules *r, uint32_t expected);
int vq_set_votes(struct vq_rules *r, uint32_t nodeid, uint32_t votes);
void vq_cancel_wfa(struct vq_rules *r);

/* Whether the LMS deadline has passed at `now` (then it is cleared):
 * the caller then multicasts the expiry, so that every node applies it
 * at the same point of the order. It does not look at the quorum: the
 * receivers do (vq_lms_apply), each on its state at that point. */
bool vq_lms_due(struct vq_rules *r, uint64_t now);
/* The expiry, delivered: while quorate, expected votes drop to the
 * current members' and quorum is recalculated allowing a decrease. */
void vq_lms_apply(struct vq_rules *r);

/* Getters. */
const struct vq_node *vq_find(const struct vq_rules *r, uint32_t nodeid);
/* getinfo's totals over MEMBER nodes. */
void vq_totals(const struct vq_rules *r, uint32_t *total_votes,
    uint32_t *highest_expected);
/* VQ_INFO_* of the cluster. */
uint32_t vq_info_flags(const struct vq_rules *r);
/* The accumulated VQ_OUT_* bits, cleared. */
unsigned vq_take_out(struct vq_rules *r);

#endif /* COHORT_QUORUM_RULES_H */
