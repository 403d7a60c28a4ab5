/*
 * quorum/quorum_int.h: what the quorum services' files share (not used
 * outside src/daemon/quorum/).
 *
 *   quorum.c      the quorum service: its requests, its notifications,
 *                 membership changes without a provider
 *   votequorum.c  the votequorum service: requests, node information in
 *                 the total order, the decision, the LMS timer, the state
 *                 directory and the runtime.votequorum.* keys
 *   rules.c       the rules themselves (rules.h), pure
 */
#ifndef COHORT_QUORUM_INT_H
#define COHORT_QUORUM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "daemon/quorum/quorum.h"
#include "daemon/quorum/rules.h"
#include "daemon/statekeep.h"
#include "proto/proto.h"

struct icmap_track;

/* The votequorum service's ordered messages: u8 WIRE_TAG_VOTEQUORUM, u8
 * version, u8 type, then the body (little-endian). */
#define VQ_WIRE_VERSION 1
enum vq_wire_type {
	VQ_MSG_NODEINFO = 1,     /* u64 ring seq, u32 nodeid, votes,
	                          * expected, flags */
	VQ_MSG_RECONFIG = 2,     /* u8 param, u32 nodeid, u32 value */
	VQ_MSG_LMS = 3,          /* u64 ring seq: the window passed */
};
enum vq_reconfig_param {
	VQ_RECONFIG_EXPECTED = 1,
	VQ_RECONFIG_VOTES = 2,
	VQ_RECONFIG_CANCEL_WFA = 3,
};
#define VQ_WIRE_MAX 32u

/* decode.c: the decoders of the services' requests and messages, pure.
 * A quorum request's body: its one u32 (GETTYPE's model, TRACKSTART's
 * flags; 0 for the others) in `v`. 0, or -EBADMSG when `type` is not a
 * quorum request or the body is not exactly its fields. */
int quorum_req_decode(uint16_t type, const uint8_t *body, size_t len,
    uint32_t *v);
/* A votequorum request's fields: GETINFO's nodeid and SETEXPECTED's
 * expected votes in `a`; SETVOTES' nodeid in `a`, votes in `b`;
 * TRACKSTART's context and flags in `context` and `a`. */
struct vq_req {
	uint32_t a, b;
	uint64_t context;
};
/* 0; -ENOTSUP for a request Cohort does not run (the quorum device's);
 * -EBADMSG when the body is not exactly the type's fields. */
int vq_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct vq_req *r);
/* An ordered message: `type`, then its fields (the others 0). */
struct vq_msg {
	uint8_t type;            /* enum vq_wire_type */
	uint64_t seq;            /* NODEINFO, LMS: the ring */
	struct vq_nodeinfo ni;   /* NODEINFO */
	uint8_t param;           /* RECONFIG: enum vq_reconfig_param */
	uint32_t nodeid, value;  /* RECONFIG */
};
/* `msg` is the whole message, tag first. 0, or -EBADMSG for another
 * version, an unknown type or a body that is not exactly its fields. */
int vq_msg_decode(const uint8_t *msg, size_t len, struct vq_msg *m);

/* A connection's state in the quorum service. */
struct quorum_conn {
	bool model_set;          /* GETTYPE done */
	uint32_t model;          /* QUORUM_MODEL_V0 / V1 */
	bool tracking;
	uint32_t track_flags;
};

/* A connection's state in the votequorum service. */
struct vq_conn {
	bool tracking;
	uint64_t context;
};

struct quorum_svc {
	struct quorum_env env;
	bool provider;                   /* votequorum decides */
	struct vq_rules rules;
	/* The membership as the provider last reported it (or, without a
	 * provider, the last regular configuration), for the quorum
	 * service's notifications. */
	struct proto_ring_id ring;
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];
	/* The previous regular configuration and the transitional one
	 * since: who joined and who left (the V1 nodelist). */
	size_t n_prev, n_trans;
	uint32_t prev[PROTO_MAX_NODES], trans[PROTO_MAX_NODES];
	bool quorate;                    /* as last published */
	bool announced;                  /* the first decision was logged */
	/* The synchronisation of the current ring: the members whose node
	 * information for it has not been delivered yet. */
	bool syncing;
	bool synced_once;
	size_t n_waiting;
	uint32_t waiting[PROTO_MAX_NODES];
	struct loop_timer lms_timer;
	struct loop_timer cancel_timer;  /* quorum.cancel_wait_for_all set */
	struct icmap_track *cancel_track;
	bool keys_failed;                /* logged once */
	/* expected_votes_tracking: the barrier's state file, written by a
	 * helper thread (statekeep.h); the timer that looks at how its
	 * write went, and whether a failure was logged. */
	bool keep_open;
	struct statekeep keep;
	struct loop_timer keep_timer;
	bool keep_warned;
	uint64_t bad_messages;
	/* A clean stop waiting for this node's LEAVING information to be
	 * delivered (quorum_svc_leave): whom to tell, and its bound. */
	void (*leave_done)(void *arg);
	void *leave_arg;
	struct loop_timer leave_timer;
};

static inline struct quorum_conn *quorum_conn(struct conn *c)
{
	return c->svc[SERVICE_QUORUM];
}

static inline struct vq_conn *vq_conn(struct conn *c)
{
	return c->svc[SERVICE_VOTEQUORUM];
}

/* quorum.c: the quorum service's notifications to its trackers: the
 * quorum (quorate, ring, members), and the V1 nodelist (members, joined,
 * left) of a new regular configuration. */
void quorum_notify_quorum(struct quorum_svc *q);
void quorum_notify_nodelist(struct quorum_svc *q);
/* Records a configuration change (members, joined, left); without a
 * provider also notifies, quorate always. */
void quorum_confchg(void *svc, const struct proto_conf *conf);

/* Frees a connection's state of either service (service_ops.conn_free). */
void quorum_conn_state_free(void *svc, void *state);

/* votequorum.c: the votequorum side of quorum_svc_new. */
int vq_svc_init(struct quorum_svc *q);

#endif /* COHORT_QUORUM_INT_H */
