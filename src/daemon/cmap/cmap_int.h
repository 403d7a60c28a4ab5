/*
 * cmap/cmap_int.h: what the cmap service's files share (not used outside
 * src/daemon/cmap/).
 *
 *   service.c   requests, iterators, trackers, the service's table
 *   decode.c    request bodies and the ordered message, bounds-checked
 *   rules.c     the read-only keys (icmap_ipc_ro)
 *   members.c   runtime.members.* on each configuration change
 *   version.c   the nodes' configuration versions (ordered messages)
 *   stats.c     the STATS map
 */
#ifndef COHORT_CMAP_INT_H
#define COHORT_CMAP_INT_H

#include "common/buf.h"
#include "common/ipc.h"
#include "common/ipc_cmap.h"
#include "daemon/cmap/cmap.h"
#include "daemon/icmap.h"
#include "daemon/loop.h"
#include "proto/proto.h"

/* The maps a connection may read (CMAP_REQ_SET_MAP), cmap_map_t's. */
enum cmap_map {
	CMAP_MAP_ID_ICMAP = 0,
	CMAP_MAP_ID_STATS = 1,
};

/* A request's body as decoded (decode.c): the fields of its type; the
 * others are 0. `value` points into the request's frame. */
struct cmap_req {
	uint32_t map;                /* SET_MAP */
	uint32_t type, len;          /* SET: the value's type and length */
	const uint8_t *value;        /* SET */
	uint32_t want, room;         /* GET: 0 or 1; the caller's buffer */
	int32_t step;                /* ADJUST: +1 or -1 */
	uint64_t handle;             /* ITER_NEXT, ITER_FINALIZE, TRACK_DELETE */
	uint32_t flags;              /* TRACK_ADD */
	uint64_t cookie;             /* TRACK_ADD */
	char key[ICMAP_KEY_MAX + 1]; /* the key or prefix, NUL-terminated */
};

/* An open iterator: where the connection's last ITER_NEXT stopped. Its
 * strings are its own, of their real length. */
struct cmap_iter {
	uint64_t handle;             /* first: the slot table reads it */
	struct icmap *map;
	char *last;                  /* the last key given; NULL: none yet */
	char prefix[];
};

struct cmap_conn;

/* A tracker of a connection: the map's tracker and what its events
 * carry. */
struct cmap_track {
	uint64_t handle;             /* first: the slot table reads it */
	uint64_t cookie;             /* the library's, echoed in events */
	struct cmap_conn *cc;
	struct cmap_svc *svc;
	struct icmap *map;
	struct icmap_track *t;
	uid_t uid;                   /* of the connection (its quota) */
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
	uint64_t dropped;            /* tracking events dropped (queue full) */
};

/* The trackers the clients of one user hold (quota.c). */
struct cmap_uid_tracks {
	uid_t uid;
	uint32_t n;
};

struct cmap_svc {
	uint32_t nodeid;
	struct icmap *map;
	struct icmap *stats;         /* the STATS map */
	struct ipcs *ipcs;
	const struct cohort_config *cfg;
	bool votequorum;             /* the provider at start (write rules) */
	/* The last regular configuration's members (ascending). */
	size_t n_members;
	uint32_t members[PROTO_MAX_NODES];
	uint8_t *out;                /* a reply or event being built */
	size_t out_cap;
	/* The shared part of the last change told to a tracker (on_change),
	 * for change shared_seq of shared_map; a reference of its own. */
	struct frame *shared;
	const struct icmap *shared_map;
	uint64_t shared_seq;
	uint32_t n_iters;            /* open iterators, all connections */
	struct cmap_uid_tracks *uids; /* users holding trackers */
	size_t n_uids, uids_cap;

	/* The STATS map's sources, what stats.clear.* took off the
	 * counters, and its poll while STATS trackers exist. */
	struct loop *loop;
	struct ordering *ordering;
	const struct transport *transport;
	uint64_t closed;             /* connections closed */
	struct proto_stats srp_base;
	uint64_t closed_base;
	size_t n_stats_tracks;
	struct loop_timer poll;

	/* The configuration versions (version.c): whether the first
	 * configuration with other nodes is still to be checked, the
	 * members whose version it waits for, the highest seen. */
	bool first_sync;
	size_t n_waiting;
	uint32_t waiting[PROTO_MAX_NODES];
	uint64_t highest;
	uint64_t bad_messages;       /* undecodable, from other nodes */
	struct icmap_track *version_track;
	struct loop_timer announce;
};

/* decode.c: a request of `type` from its body. 0, or -EBADMSG for a
 * body that is not the type's layout or carries what no library sends
 * (a key over ICMAP_KEY_MAX bytes or with a NUL, a value length other
 * than the bytes that follow, GET's want other than 0 or 1, a step
 * other than +1 or -1, bytes left over). */
int cmap_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct cmap_req *r);
/* The request's name for log lines ("SET"), "unknown" for another. */
const char *cmap_req_name(uint16_t type);

/* The service's ordered message (version.c): the wire tag
 * (WIRE_TAG_CMAP), CMAP_WIRE_VERSION, the reason, the version (u64). */
#define CMAP_WIRE_VERSION 1
#define CMAP_WIRE_LEN 11u
enum version_reason {
	VERSION_SYNC = 1,       /* a configuration change */
	VERSION_CHANGED = 2,    /* totem.config_version changed */
};
/* decode.c: the message, tag first, into its reason and version. 0, or
 * -EBADMSG for another length, wire version or reason. */
int cmap_version_decode(const uint8_t *msg, size_t len, uint8_t *why,
    uint64_t *v);

/* members.c: runtime.members.* for a configuration change. */
void cmap_members_confchg(struct cmap_svc *svc, const struct proto_conf *conf);

/* version.c: tracking totem.config_version (start, stop), a regular
 * configuration change, an ordered message of the service. */
int cmap_version_start(struct cmap_svc *svc);
void cmap_version_stop(struct cmap_svc *svc);
void cmap_version_confchg(struct cmap_svc *svc, const struct proto_conf *conf);
void cmap_version_deliver(struct cmap_svc *svc, uint32_t sender,
    const uint8_t *msg, size_t len);

/* stats.c: the STATS map. Brings its keys starting with `prefix` up to
 * date (their trackers hear of what changed); the action of a set of stats.clear.NAME (CS_OK,
 * or CS_ERR_NOT_SUPPORTED for a name corosync does not have); a STATS
 * tracker was added or deleted (the poll runs while there are any). */
void cmap_stats_refresh(struct cmap_svc *svc, const char *prefix);
uint32_t cmap_stats_clear(struct cmap_svc *svc, const char *key);
void cmap_stats_tracked(struct cmap_svc *svc, bool added);
void cmap_stats_poll(void *svc);

/* quota.c: a tracker for a client of `uid` (0, -ENOSPC beyond
 * CMAP_UID_TRACKS_MAX, -ENOMEM) and its return; whether a client may set
 * `key` to a value of `len` bytes without taking the reserved room (0 or
 * -ENOSPC). */
int cmap_quota_track_take(struct cmap_svc *svc, uid_t uid);
void cmap_quota_track_give(struct cmap_svc *svc, uid_t uid);
int cmap_quota_set_room(const struct cmap_svc *svc, const char *key,
    size_t len);

/* service.c, for the unit tests: one request as the IPC server hands it. */
void cmap_svc_request(struct cmap_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *rb);

#endif /* COHORT_CMAP_INT_H */
