/*
 * status.h: the daemon's status and counters, the text `cohortctl status`
 * prints (one key=value a line). A service of its own (service.h) that
 * serves IPC_STATUS, built from the other modules' getters, and
 * IPC_LOG_REOPEN (`cohortctl reopen-log`), the other operator's request.
 */
#ifndef COHORT_STATUS_H
#define COHORT_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/service.h"
#include "proto/proto.h"

struct cfgcheck;
struct cpg_svc;
struct ipcs;
struct loop;
struct ordering;
struct quorum_svc;
struct sched_ctl;
struct transport;

/* Where the status comes from; every pointer is borrowed and outlives
 * the status service. */
struct status_config {
	struct loop *loop;
	uint32_t nodeid;
	const char *cluster_name;
	const char *transport_name;         /* totem.transport: knet, udpu.. */
	uint64_t started_ms;                /* loop time at start */
	/* The nodes of the configuration. */
	size_t n_nodes;
	const uint32_t *node_ids;
	const char *const *node_addrs;
	const char *const *node_names;      /* entries may be NULL */
	const struct cfgcheck *cfgsum;      /* NULL: none (one node) */
	struct transport *transport;        /* NULL for a one-node cluster */
	const struct sched_ctl *sched;
	const struct ordering *ordering;
	struct ipcs *ipcs;
	const struct cpg_svc *cpg;
	const struct quorum_svc *quorum;    /* NULL: none (tests) */
};

extern const struct service_ops status_service_ops;

/* The status text; malloc'd (the caller frees it), NULL on -ENOMEM. */
char *status_text(const struct status_config *sc, size_t *len);

#endif /* COHORT_STATUS_H */
