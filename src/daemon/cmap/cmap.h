/*
 * cmap/cmap.h: the cmap service, as main.c creates it and registers its
 * table (service.h): corosync's cmap over the daemon's map (icmap.h) and
 * the STATS map, for libcmap's requests (common/ipc_cmap.h).
 *
 * A connection reads and writes one map at a time, ICMAP unless it
 * switched to STATS (CMAP_REQ_SET_MAP). Its iterators and trackers are
 * its own, at most CMAP_CONN_ITERS_MAX and CMAP_CONN_TRACKS_MAX (beyond:
 * CS_ERR_NO_RESOURCES), freed when it closes; all connections together
 * hold at most CMAP_ITERS_MAX iterators and ICMAP_TRACKS_MAX trackers,
 * the connections of one user at most CMAP_UID_TRACKS_MAX trackers. A
 * key a client creates (or a value it grows) must leave the reserved
 * room free (CMAP_*_RESERVED); the daemon's own writes may use it. A tracker's notifications
 * go out as CMAP_EV_NOTIFY events, one per change, in the order the
 * changes happen; the events of one change share its key and values (one
 * copy, however many trackers). A connection whose event queue is above
 * the high watermark (COHORT_EVQ_HIGH, COHORT_EVQ_HIGH_EVENTS) gets no
 * notifications until it is below it again (a log line, once per
 * connection), and the IPC server closes one that stops reading.
 *
 * On a configuration change (its confchg, before CPG's) the service
 * keeps runtime.members.<nodeid>.* current; the nodes tell each other
 * their totem.config_version in ordered messages (tag WIRE_TAG_CMAP),
 * and a node whose version is older than another's at its first
 * configuration with others shuts down (corosync's rule).
 *
 * The STATS map's keys are computed from the daemon's counters each
 * time a client reads that map, and every CMAP_STATS_POLL_MS while a
 * client tracks it.
 */
#ifndef COHORT_CMAP_H
#define COHORT_CMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/icmap.h"
#include "daemon/service.h"

struct cmap_svc;
struct cohort_config;
struct icmap;
struct ipcs;
struct loop;
struct ordering;
struct transport;

#define CMAP_CONN_ITERS_MAX 1024u    /* open iterators per connection */
#define CMAP_ITERS_MAX 65536u        /* open iterators, all clients together */
#define CMAP_CONN_TRACKS_MAX 1024u   /* trackers per connection */
#define CMAP_STATS_POLL_MS 1500u     /* corosync's stats timer */
/* Trackers the clients of one user (uid) may hold together: a quarter of
 * ICMAP_TRACKS_MAX, so that no one user locks the others out. */
#define CMAP_UID_TRACKS_MAX (ICMAP_TRACKS_MAX / 4u)
/* Room in the map that keys clients create never take: the daemon's own
 * runtime keys (runtime.members.*, runtime.votequorum.*, config_version)
 * always fit, and so do access grants (uidgid.uid.*, uidgid.gid.*) in
 * room of their own. */
#define CMAP_DAEMON_KEYS_RESERVED 1024u
#define CMAP_DAEMON_BYTES_RESERVED (1u << 20)
#define CMAP_GRANT_KEYS_RESERVED 1024u
#define CMAP_GRANT_BYTES_RESERVED (CMAP_GRANT_KEYS_RESERVED * 512u)

/* What the service works with; borrowed, they outlive it. */
struct cmap_env {
	uint32_t nodeid;
	struct icmap *map;            /* the daemon's map */
	struct ipcs *ipcs;            /* replies, events, closing clients */
	/* The nodes' addresses, for runtime.members.<nodeid>.ip. */
	const struct cohort_config *cfg;
	/* Where the STATS map's values come from (transport: NULL for a
	 * one-node cluster); the loop times its polls. */
	struct loop *loop;
	struct ordering *ordering;    /* the configuration versions' messages */
	const struct transport *transport;
};

extern const struct service_ops cmap_service_ops;

int cmap_svc_new(const struct cmap_env *env, struct cmap_svc **out);
void cmap_svc_free(struct cmap_svc *svc);

/*
 * Whether a client may not write `key` of the daemon's map (set, delete,
 * increment, decrement): corosync's read-only prefixes and keys
 * (services-reference §2.4), the quorum ones only when `votequorum` is
 * the quorum provider the daemon started with (its configuration: the
 * quorum.provider key is writable, and changing it changes no rule). The
 * daemon itself writes them.
 */
bool icmap_ipc_ro(const char *key, bool votequorum);

/*
 * Whether the map lets a client of this uid and gid connect: any of
 * uidgid.uid.<uid>, uidgid.gid.<gid> (set at run time by clients) or
 * uidgid.config.uid.<uid>, uidgid.config.gid.<gid> (from the
 * configuration) is a u8 equal to 1 (services-reference §1.4). Asked
 * once, when the client connects.
 */
bool cmap_uid_allowed(const struct icmap *m, uid_t uid, gid_t gid);

#endif /* COHORT_CMAP_H */
