/*
 * quorum/quorum.h: the quorum and votequorum services (corosync's quorum
 * and corosync_votequorum), as main.c creates them and registers their
 * tables (service.h), and their getter for the status.
 *
 * One object serves both tables: the quorum service (libquorum) tells
 * whether this node is quorate and who the members are; the votequorum
 * service (libvotequorum) is the provider when the configuration names
 * corosync_votequorum, and decides the quorum (rules.h) from the node
 * information every member multicasts after each configuration change,
 * at the same point of the total order on every node
 * (docs/design.md, "Quorum").
 */
#ifndef COHORT_QUORUM_H
#define COHORT_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/service.h"

struct cohort_config;
struct icmap;
struct ipcs;
struct loop;
struct ordering;
struct quorum_svc;
struct statedir;

/* What the services work with; borrowed, they outlive them. */
struct quorum_env {
	uint32_t nodeid;
	const struct cohort_config *cfg;  /* quorum.*, the nodes' votes */
	struct ipcs *ipcs;                /* replies and events */
	struct ordering *ordering;        /* where node information goes */
	struct loop *loop;                /* the last-man-standing timer */
	const struct statedir *state;     /* expected_votes_tracking */
	struct icmap *map;                /* runtime.votequorum.*; NULL: none */
	struct service_host host;         /* told when the first decision is
	                                   * taken (the service is ready) */
	/* Where corosync kept its state under this configuration: the
	 * expected-votes barrier is taken from there when this node has
	 * none of its own. NULL: nowhere. */
	const char *corosync_dir;
};

extern const struct service_ops quorum_service_ops;
extern const struct service_ops votequorum_service_ops;

/* 0, -ENOMEM. */
int quorum_svc_new(const struct quorum_env *env, struct quorum_svc **out);
void quorum_svc_free(struct quorum_svc *q);

/* A configuration reload applied at the RELOAD's point of the order, on
 * every node (services-reference 4.6): votequorum re-reads two_node,
 * this node's votes and expected_votes from `fresh` (read during the
 * call) and recalculates, as a delivered setexpected / setvotes would;
 * the other quorum settings keep their start values. Nothing without a
 * provider. */
void quorum_svc_reload(struct quorum_svc *q, const struct cohort_config *fresh);

/* For the status: what `cohortctl status` shows of the quorum. */
struct quorum_status {
	bool provider;            /* votequorum decides; else always quorate */
	bool quorate;
	uint32_t quorum;          /* votes needed (0 without a provider) */
	uint32_t total_votes;     /* of the members */
	uint32_t expected_votes;  /* this node's */
	uint32_t flags;           /* VOTEQUORUM_INFO_* */
	uint64_t ring_seq;        /* of the membership last decided on */
	size_t n_members;
};
void quorum_svc_status(const struct quorum_svc *q, struct quorum_status *st);

/*
 * A clean stop (a signal, a cfg shutdown) is starting. With votequorum's
 * allow_downscale, as corosync does on exit, this node multicasts its
 * node information marked LEAVING, so that the others lower their
 * expected votes by its votes; `done(arg)` runs once that has been
 * delivered here, or after QUORUM_LEAVE_WAIT_MS if it has not (a log
 * line). Returns false, and `done` never runs, when there is nothing to
 * tell: no votequorum, allow_downscale off, no ring decided on yet, or a
 * leave already under way or done.
 */
#define QUORUM_LEAVE_WAIT_MS 2000u
bool quorum_svc_leave(struct quorum_svc *q, void (*done)(void *arg),
    void *arg);

#endif /* COHORT_QUORUM_H */
