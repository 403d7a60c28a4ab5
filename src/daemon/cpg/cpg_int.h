/*
 * cpg/cpg_int.h: what the CPG service's files share: service.c (client
 * requests), sync.c (deliveries, configuration changes, synchronisation)
 * and deliver.c (the effects of an applied message, and the events).
 */
#ifndef COHORT_CPG_INT_H
#define COHORT_CPG_INT_H

#include "common/limits.h"
#include "daemon/cpg/cpg.h"
#include "daemon/cpg/groups.h"
#include "daemon/cpg/wire.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/ordering.h"

/* The CPG state of a connection (the daemon side of one cpg handle). */
enum cpg_conn_state {
	CONN_UNJOINED,
	CONN_JOIN_STARTED,    /* PROCJOIN ordered, not yet delivered nor
	                       * answered */
	CONN_JOIN_COMPLETED,
	CONN_LEAVE_STARTED,   /* PROCLEAVE ordered but not yet delivered */
};

struct iter_snap;

/* A connection's CPG state: c->svc[SERVICE_CPG], made when the
 * connection opens and freed with it. */
struct cpg_conn {
	enum cpg_conn_state state;
	struct ipc_name group;
	uint32_t join_pid;       /* pid given at join */
	uint32_t join_seq;       /* the JOIN request, answered at delivery */
	uint32_t flags;          /* model flags given at join */
	bool initial_totem_due;
	bool initial_totem_sent;
	struct iter_snap *iters[COHORT_ITER_MAX];
	uint32_t iter_next_id;
};

static inline struct cpg_conn *cpg_conn(const struct conn *c)
{
	return c->svc[SERVICE_CPG];
}

struct joinlist_rx {
	uint32_t node;
	uint8_t *msg;          /* the JOINLIST as delivered; owned */
	size_t len;
};

struct cpg_svc {
	uint32_t nodeid;
	struct ipcs *ipcs;
	struct ordering *ord;
	struct service_host host;
	struct groups groups;
	bool ready;                       /* first synchronisation done */

	/* The ring being synchronised or in service. */
	struct proto_ring_id ring;
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];
	/* The nodes that came with us into it and whose processes our table
	 * held then (the others are new: their JOINLISTs add them). */
	size_t n_trans;
	uint32_t trans[PROTO_MAX_NODES];
	/* Nodes whose processes our group table holds: those of `trans`
	 * while the ring synchronises, every member once it has. */
	size_t n_known;
	uint32_t known[PROTO_MAX_NODES];
	/* The last transitional configuration, as the engine gave it. */
	bool have_trans;
	size_t n_raw_trans;
	uint32_t raw_trans[PROTO_MAX_NODES];
	bool syncing;
	struct joinlist_rx jl[PROTO_MAX_NODES];
	/* Our own messages: submitted and delivered so far; our JOINLIST
	 * goes once the first `jl_after` are delivered. */
	uint64_t own_sent, own_delivered, jl_after;
	bool jl_sent;
	uint64_t sync_dropped;            /* see cpg_svc_deliver */

	/* The last ring whose synchronisation completed. */
	struct proto_ring_id synced_ring;
	size_t n_synced;
	uint32_t synced[PROTO_MAX_NODES];

	uint8_t *scratch;                 /* encoding buffer; owned */
	size_t scratch_cap;
	uint64_t bad_messages;
};

/* deliver.c: applies one ordered CPG message (outside synchronisation). */
void cpg_apply(struct cpg_svc *svc, uint32_t sender, const uint8_t *msg,
    size_t len);
/* Queues a confchg for `g` to its local members; `extra` (may be NULL)
 * also receives it (a leaver no longer in the list). */
void cpg_emit_confchg(struct cpg_svc *svc, const struct group *g,
    const struct member *left, size_t n_left, uint32_t left_reason,
    const struct member *joined, size_t n_joined, uint32_t joined_reason,
    struct conn *extra);
void cpg_emit_totem(struct cpg_svc *svc, struct conn *only);
/* Grows the scratch buffer; NULL on -ENOMEM. */
uint8_t *cpg_scratch(struct cpg_svc *svc, size_t len);
bool conn_receives(const struct conn *c);
/* The local connection whose join this PROCJOIN completes, if any, and
 * the answer to that join. */
struct conn *cpg_local_joiner(struct cpg_svc *svc, const struct cpg_wire *w);
void cpg_answer_join(struct conn *c, uint32_t err);

/* What the service's table (cpg_service_ops) calls; the unit test calls
 * them directly. */
void cpg_svc_request(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *body);
void cpg_svc_conn_closed(struct cpg_svc *svc, struct conn *c);
/* The process that sent the connection's join has exited. */
void cpg_svc_joiner_exited(struct cpg_svc *svc, struct conn *c);
void cpg_svc_deliver(struct cpg_svc *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g);
void cpg_svc_confchg(struct cpg_svc *svc, const struct proto_conf *conf);
bool cpg_svc_ready(const struct cpg_svc *svc);

#endif /* COHORT_CPG_INT_H */
