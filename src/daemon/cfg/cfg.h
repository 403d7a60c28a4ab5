/*
 * cfg/cfg.h: the cfg service (corosync's "cfg": libcfg's requests), as
 * main.c creates it and registers its table (service.h).
 *
 * It answers what this node knows of the configuration and the links
 * (status.c), runs the shutdown consultation of this node's trackers
 * (shutdown.c), and orders the cluster-wide actions as messages with
 * WIRE_TAG_CFG (service.c): a kill of a node, a node's shutdown, a
 * reload of every node's configuration file (reload.c).
 */
#ifndef COHORT_CFG_H
#define COHORT_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/service.h"

struct cfg_svc;
struct cohort_config;
struct icmap;
struct ipcs;
struct loop;
struct network;
struct ordering;
struct transport;

/* What the service works with; borrowed, they outlive it. */
struct cfg_env {
	uint32_t nodeid;
	struct loop *loop;
	struct ipcs *ipcs;
	struct ordering *ordering;
	struct transport *transport;      /* NULL for a one-node cluster */
	/* The transport's peers and configuration summary, which a
	 * reload's new nodes or token timeout change (network_reconfigure). */
	struct network *net;
	const struct cohort_config *cfg;  /* the configuration running */
	/* The daemon's map: runtime.members.<id>.status (kill_node),
	 * cfg.shutdown_timeout, the config.reload_* keys. */
	struct icmap *map;
	bool debug;                       /* -d: a reload keeps debug on */
	/* A reload was applied (NULL: nothing to tell): `fresh` is the
	 * configuration read; when `nodes_changed`, its nodelist is the
	 * one running from now on, and `fresh` stays valid until the next
	 * call that says so (or cfg_svc_free), else during the call only.
	 * main.c's tables of the nodes follow; quorum re-reads its
	 * settings. */
	void (*reloaded)(void *arg, const struct cohort_config *fresh,
	    bool nodes_changed);
	/* Ends the daemon with exit status `status`: 0 after a shutdown
	 * of this node, CFG_EXIT_KILLED when another node killed it. */
	void (*exit)(void *arg, int status);
	/* This node is about to multicast its shutdown: `go(go_arg)` once
	 * whatever must reach the others before it has been sent (NULL: go
	 * at once). */
	void (*leaving)(void *arg, void (*go)(void *go_arg), void *go_arg);
	void *arg;
};

/* cohortd's exit status when a kill_node names it (corosync's). */
#define CFG_EXIT_KILLED 255

extern const struct service_ops cfg_service_ops;

int cfg_svc_new(const struct cfg_env *env, struct cfg_svc **out);
void cfg_svc_free(struct cfg_svc *svc);

#endif /* COHORT_CFG_H */
