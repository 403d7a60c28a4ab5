/*
 * cfg/cfg_int.h: what the cfg service's files share.
 */
#ifndef COHORT_CFG_INT_H
#define COHORT_CFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "daemon/cfg/cfg.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "proto/proto.h"

/* cfg.shutdown_timeout's default: how long trackers have to answer. */
#define CFG_SHUTDOWN_TIMEOUT_MS 5000u
/* SHUTDOWNs of other nodes remembered between a delivery and the timer
 * that fails them in the engine (more in one wake-up wait for the
 * engine's own timeouts). */
#define CFG_LEAVING_MAX 64u
/* CFG_NODE_STATUS_V1: the only node status layout. */
#define CFG_STATUS_VERSION_1 1u
/* corosync's limit on a kill's reason, NUL included. */
#define CFG_REASON_MAX 256u

/* Where a connection stands in the shutdown consultation. */
enum cfg_vote {
	CFG_VOTE_NONE = 0,   /* not asked in the query running (or none) */
	CFG_VOTE_ASKED,      /* asked, no answer yet */
	CFG_VOTE_YES,
	CFG_VOTE_NO,
};

/* The service's state of one connection (c->svc[SERVICE_CFG]). */
struct cfg_conn {
	bool tracker;            /* trackstart and no trackstop since */
	enum cfg_vote vote;
	bool reload_pending;     /* its reload is in the ordered stream */
	uint32_t reload_seq;     /* the request to answer */
	uint64_t reload_token;   /* names it in the RELOAD message */
};

/* The consultation of this node's trackers (shutdown.c). */
struct cfg_query {
	struct conn *caller;     /* NULL: none running */
	uint32_t seq;            /* the caller's request, answered at the end */
	uint32_t flags;          /* corosync_cfg_shutdown_flags_t */
	size_t asked, answered, no;
	struct loop_timer timer;
};

struct cfg_svc {
	struct cfg_env env;
	struct cfg_query query;
	uint64_t next_token;     /* of this node's RELOAD messages */
	/* The engine's timing as the running file or the last reload that
	 * changed it gave it (cohort_config_timing). */
	struct proto_timing timing;
	/* The configuration of the last reload that changed the nodelist
	 * (NULL: none did): the nodelist running, into which main.c's
	 * tables point. */
	struct cohort_config *nodes_cfg;
	struct loop_timer exit_timer;  /* cfg_exit's */
	int exit_status;
	/* Nodes whose SHUTDOWN was delivered, failed in the engine from a
	 * timer (not from inside the delivery). */
	struct loop_timer leave_timer;
	size_t n_leaving;
	uint32_t leaving[CFG_LEAVING_MAX];
};

static inline struct cfg_conn *cfg_conn(struct conn *c)
{
	return c->svc[SERVICE_CFG];
}

/* The kinds of the service's ordered messages (after the tag byte). */
enum cfg_msg {
	CFG_MSG_KILL = 1,        /* u32 nodeid, u32 len, reason */
	CFG_MSG_SHUTDOWN = 2,    /* the sender shuts down */
	CFG_MSG_RELOAD = 3,      /* u64 the sender's token */
};

/* A request's body decoded (decode.c): the fields its type carries, the
 * others 0. `reason` points into the body. */
struct cfg_req {
	uint32_t nodeid;         /* NODE_ADDRS, NODE_STATUS, KILL_NODE */
	uint32_t version;        /* NODE_STATUS */
	uint32_t flags;          /* TRACKSTART, TRY_SHUTDOWN, REPLYTO_SHUTDOWN */
	uint32_t reason_len;     /* KILL_NODE: below CFG_REASON_MAX */
	const uint8_t *reason;
};

/* 0, or -EBADMSG when `type` is not a cfg request or the body does not
 * decode to exactly its fields. */
int cfg_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct cfg_req *r);

/* An ordered message decoded (decode.c); `reason` points into it. */
struct cfg_delivery {
	uint8_t kind;            /* enum cfg_msg */
	uint32_t nodeid;         /* KILL: the node to kill */
	uint32_t reason_len;     /* KILL: below CFG_REASON_MAX */
	const uint8_t *reason;
	uint64_t token;          /* RELOAD */
};

/* `msg` is the whole message, tag first. 0; -ENOENT for a kind unknown
 * (d->kind says which); -EBADMSG when it does not decode. */
int cfg_delivery_decode(const uint8_t *msg, size_t len,
    struct cfg_delivery *d);

/* Multicasts one of the service's messages (tag and kind first, then
 * `body`), SAFE. 0 or -errno. */
int cfg_submit(struct cfg_svc *svc, enum cfg_msg kind, const void *body,
    size_t len);

/* Ends the daemon with `status` once what is queued for the clients
 * (the replies of this wake-up) has been written: from a timer due at
 * once, after which the loop flushes before it stops. */
void cfg_exit(struct cfg_svc *svc, int status);

/* status.c: the replies of NODE_ADDRS, NODE_STATUS, RING_STATUS. Each
 * returns a cs_error_t and, on CS_OK, writes the reply's body in `wb`. */
uint32_t cfg_node_addrs(const struct cfg_svc *svc, uint32_t nodeid,
    struct wbuf *wb);
uint32_t cfg_node_status(const struct cfg_svc *svc, uint32_t nodeid,
    uint32_t version, struct wbuf *wb);
uint32_t cfg_ring_status(const struct cfg_svc *svc, struct wbuf *wb);
/* Room a reply of status.c takes at most. */
#define CFG_STATUS_REPLY_MAX (32u + 8u * (11u + 2u * (4u + 256u)))

/* shutdown.c. */
void cfg_query_init(struct cfg_svc *svc);
void cfg_try_shutdown(struct cfg_svc *svc, struct conn *c, uint32_t seq,
    uint32_t flags);
/* A tracker's answer: 0, or -EACCES when it was not asked. */
int cfg_query_answer(struct cfg_svc *svc, struct conn *c, bool yes);
/* Trackstart: asked at once when a query runs. */
void cfg_track_start(struct cfg_svc *svc, struct conn *c);
/* Trackstop or the connection closing: an answer pending is a yes; a
 * caller's query is abandoned. */
void cfg_track_stop(struct cfg_svc *svc, struct conn *c, bool closing);

/* The configuration whose nodelist runs: the last reload's that changed
 * it, else the one the daemon started with. */
static inline const struct cohort_config *cfg_nodes(const struct cfg_svc *svc)
{
	return svc->nodes_cfg ? svc->nodes_cfg : svc->env.cfg;
}

/* reload.c: re-reads this node's configuration file. A cs_error_t:
 * CS_ERR_INVALID_PARAM when it does not load. */
uint32_t cfg_reload(struct cfg_svc *svc);

#endif /* COHORT_CFG_INT_H */
