/*
 * cmap/cmap_int.h: what the cmap service's files share (not used outside
 * src/daemon/cmap/).
 *
 *   service.c   requests, iterators, trackers, the service's table
 *   rules.c     the read-only keys (icmap_ipc_ro)
 *   members.c   runtime.members.* on each configuration change
 */
#ifndef COHORT_CMAP_INT_H
#define COHORT_CMAP_INT_H

#include "common/buf.h"
#include "common/ipc.h"
#include "common/ipc_cmap.h"
#include "daemon/cmap/cmap.h"
#include "daemon/icmap.h"
#include "proto/proto.h"

/* The maps a connection may read (CMAP_REQ_SET_MAP), cmap_map_t's. */
enum cmap_map {
	CMAP_MAP_ID_ICMAP = 0,
	CMAP_MAP_ID_STATS = 1,
};

/* An open iterator: where the connection's last ITER_NEXT stopped. */
struct cmap_iter {
	uint64_t handle;
	struct icmap *map;
	bool started;
	char prefix[ICMAP_KEY_MAX + 1];
	char last[ICMAP_KEY_MAX + 1];
};

struct cmap_conn;

/* A tracker of a connection: the map's tracker and what its events
 * carry. */
struct cmap_track {
	uint64_t handle;
	uint64_t cookie;             /* the library's, echoed in events */
	struct cmap_conn *cc;
	struct cmap_svc *svc;
	struct icmap *map;
	struct icmap_track *t;
	bool stats;                  /* in the STATS map */
};

/* Up to `max` objects of one kind, found by handle in O(1): a handle is
 * a generation number (high 32 bits) and its slot (low 32 bits). */
struct cmap_slots {
	void **p;
	uint32_t cap, used, max;
};

struct cmap_conn {
	struct conn *c;
	enum cmap_map map;
	uint32_t gen;                /* of the last handle given */
	struct cmap_slots iters, tracks;
};

struct cmap_svc {
	uint32_t nodeid;
	struct icmap *map;
	struct icmap *stats;         /* the STATS map */
	struct ipcs *ipcs;
	const struct cohort_config *cfg;
	/* The last regular configuration's members (ascending). */
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];
	uint8_t *out;                /* a reply or event being built */
	size_t out_cap;
};

/* members.c: runtime.members.* for a configuration change. */
void cmap_members_confchg(struct cmap_svc *svc, const struct proto_conf *conf);

/* stats.c: the STATS map. Brings the keys starting with `prefix` up to
 * date (their trackers hear of what changed); the action of a set of
 * stats.clear.NAME (CS_OK or CS_ERR_NOT_SUPPORTED for a name corosync
 * does not have); a STATS tracker was added (the poll timer runs while
 * there are any). */
void cmap_stats_refresh(struct cmap_svc *svc, const char *prefix);
uint32_t cmap_stats_clear(struct cmap_svc *svc, const char *key);
void cmap_stats_tracked(struct cmap_svc *svc);

/* service.c, for the unit tests: one request as the IPC server hands it. */
void cmap_svc_request(struct cmap_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb);

#endif /* COHORT_CMAP_INT_H */
