/*
 * cpg_int.h: what service.c (client requests) and sync.c
 * (deliveries, configuration changes, synchronisation) share.
 */
#ifndef COHORT_CPG_INT_H
#define COHORT_CPG_INT_H

#include "daemon/cpg/wire.h"
#include "daemon/daemon.h"
#include "daemon/cpg/groups.h"

struct joinlist_rx {
	uint32_t node;
	uint8_t *msg;          /* the JOINLIST as delivered; owned */
	size_t len;
};

struct cpg_svc {
	struct daemon *d;
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

/* Applies one ordered CPG message (outside synchronisation). */
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

#endif /* COHORT_CPG_INT_H */
