/*
 * cpg/cpg.h: the CPG service, as main.c creates it and registers its
 * table (service.h), and its getters for the status.
 *
 * Requests (cpg/service.c) become ordered messages (cpg/wire.h) whose
 * effects happen on delivery (cpg/sync.c), on every node at the same
 * point of the total order; the group table is cpg/groups.h.
 */
#ifndef COHORT_CPG_H
#define COHORT_CPG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/service.h"

struct cpg_svc;
struct ipcs;
struct ordering;

/* What the service works with; borrowed, they outlive it. */
struct cpg_env {
	uint32_t nodeid;
	struct ipcs *ipcs;            /* replies, events, closing clients */
	struct ordering *ordering;    /* where its messages are ordered */
	struct service_host host;     /* told when the first sync completes */
};

extern const struct service_ops cpg_service_ops;

int cpg_svc_new(const struct cpg_env *env, struct cpg_svc **out);
void cpg_svc_free(struct cpg_svc *svc);
size_t cpg_svc_groups(const struct cpg_svc *svc);
/* The CPG service's counters, for the status text. */
struct cpg_svc_stats {
	bool syncing;             /* a ring's synchronisation is in progress */
	uint64_t sync_dropped;    /* messages outside our view, dropped then */
	uint64_t bad_messages;    /* undecodable messages from other nodes */
};
void cpg_svc_stats(const struct cpg_svc *svc, struct cpg_svc_stats *st);

#endif /* COHORT_CPG_H */
