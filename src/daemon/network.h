/*
 * network.h: the cluster network as cohortd sets it up from its
 * configuration: the UDP transport (none for a one-node cluster) with
 * its key held in locked memory while it passes, this run's incarnation
 * and the configuration summary the peers compare, the log of a peer
 * whose configuration differs, and the replay windows kept in the state
 * directory while the daemon runs.
 */
#ifndef COHORT_NETWORK_H
#define COHORT_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/loop.h"
#include "proto/proto.h"

struct cfgcheck;
struct cohort_config;
struct statedir;
struct transport;

/* Where what the transport receives goes (main.c: the ordering glue). */
struct network_hooks {
	void (*datagram)(void *arg, uint32_t from, const uint8_t *buf,
	    size_t len);
	void (*unreachable)(void *arg, uint32_t nodeid);
	void *arg;
};

struct network {
	struct loop *loop;
	uint32_t nodeid;
	struct statedir *state;          /* borrowed */
	struct network_hooks hooks;
	struct transport *transport;     /* NULL for a one-node cluster */
	/* The configuration nodes must share (cfgcheck.h): ours (NULL for
	 * one node), and per node (as node_ids) when its difference was last
	 * logged, and the summary digest logged then. */
	struct cfgcheck *cfgsum;
	size_t n_nodes;
	const uint32_t *node_ids;        /* borrowed */
	uint64_t cfg_logged_at[PROTO_MAX_NODES];
	uint32_t cfg_logged_digest[PROTO_MAX_NODES];
	struct loop_timer replay_save;
	/* What the summary was built from, for network_reconfigure: the
	 * configuration (borrowed), the transport's settings (their key
	 * pointer only says whether there is one: the key is the
	 * transport's) and the room a datagram has for it. */
	const struct cohort_config *cfg;
	struct transport_config *summary_tc;
	size_t summary_room;
	uint32_t token_ms;               /* in the summary now */
};

/* A reload's digest grace (transport_set_config: the previous digest
 * sent that long, taken twice that long), in token timeouts (the larger
 * of the old and the new): every member delivers the SAFE RELOAD within
 * a rotation of the first, and a rotation longer than a token
 * timeout is a token loss, which forms a new ring anyway (a member left
 * behind on the old digest delivers the RELOAD in its own transitional
 * configuration, switches, and joins again). */
#define NETWORK_DIGEST_GRACE_TOKENS 3u

/* Sets the transport up, for a nodelist of more than one node, and sets
 * pc->mtu to what its datagrams carry; `n` has loop, nodeid, state,
 * hooks, n_nodes and node_ids filled. 0 or -errno (logged). */
int network_setup(struct network *n, const struct cohort_config *cfg,
    struct proto_config *pc);
/* Whether the nodes `fresh` adds to the nodelist can be added to the
 * transport (their addresses resolve, in the cluster's family). 0, or
 * -errno with the reason in `err`. 0 for a one-node cluster. */
int network_check_nodes(const struct network *n,
    const struct cohort_config *fresh, char *err, size_t errlen);
/* A reload: the nodes `fresh` adds to the nodelist become peers of the
 * transport, those it no longer names stop being peers, and when the
 * nodelist or the effective token timeout changed, the
 * summary and its digest follow (cfgcheck.h) and the transport switches
 * to them with the grace of NETWORK_DIGEST_GRACE_TOKENS. Nothing for a
 * one-node cluster. 0 or -errno (logged). */
int network_reconfigure(struct network *n, const struct cohort_config *fresh,
    uint32_t token_ms);
/* Starts keeping the replay windows while the daemon runs. */
void network_start(struct network *n);
/* Keeps the replay windows one last time and frees the transport. */
void network_stop(struct network *n);

#endif /* COHORT_NETWORK_H */
