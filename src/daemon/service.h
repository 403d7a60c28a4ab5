/*
 * service.h: the table of operations through which the IPC server and
 * the ordering glue reach the services cohortd hosts.
 *
 * main.c creates each service and registers its table here; ipcs/ hands
 * a service the requests of the types it serves and tells it of
 * connections opening and closing, ordering.c hands it the ordered
 * messages and the configuration changes. Neither knows a service by
 * name, as src/proto reaches the daemon only through proto_ops.
 *
 * Synchronisation: a service that must agree on its state with the other
 * nodes after a configuration change (CPG) holds the ordering glue's
 * queue while it does (ordering_hold, ordering_submit_sync) and says
 * through `ready` whether it has done so once; until every service is
 * ready the IPC server refuses new connections with CS_ERR_TRY_AGAIN.
 * The first time it completes, the service calls the `synced` hook main.c
 * gave it (struct service_host).
 *
 * Everything runs on the daemon's one thread.
 */
#ifndef COHORT_SERVICE_H
#define COHORT_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ipc.h"
#include "proto/proto.h"

struct conn;

/* The services, each with its slot of per-connection state. The order is
 * the order in which they hear of a configuration change (corosync's
 * service ids: cmap 0, cfg 1, cpg 2, quorum 3, votequorum 5): cmap
 * updates runtime.members.* before CPG's confchg events go out, and the
 * quorum services speak after CPG. */
enum service_id {
	SERVICE_CMAP,
	SERVICE_CFG,
	SERVICE_CPG,
	SERVICE_QUORUM,
	SERVICE_VOTEQUORUM,
	SERVICE_STATUS,
	SERVICE_MAX
};

/*
 * The first byte of every message a service multicasts through the
 * ordering glue says whose it is: the glue hands an ordered message only
 * to the service with that tag (a message with an unknown tag is counted
 * and dropped by every node alike). CPG's tag is its wire version byte.
 */
enum service_wire_tag {
	WIRE_TAG_CPG = 1,
	WIRE_TAG_CFG = 2,
	WIRE_TAG_VOTEQUORUM = 3,
	WIRE_TAG_CMAP = 4,
};

struct service_ops {
	const char *name;
	/* The request types the service serves (each type one service). */
	const uint16_t *types;
	size_t n_types;
	/* The largest request frame it takes, header included; 0: the IPC
	 * server's default for every frame but MCAST (ipcs/channel.c). A
	 * larger one drops the client as malformed. */
	uint32_t request_max;
	/* One whole request frame of one of those types; `body` reads its
	 * payload, which stays valid only during the call. */
	void (*request)(void *svc, struct conn *c, const struct ipc_hdr *h,
	    struct rbuf *body);
	/* A connection opened (HELLO accepted): its state for this service,
	 * kept in c->svc[id] until conn_free. 0 or -errno (the connection is
	 * then refused). NULL: the service keeps none. */
	int (*conn_open)(void *svc, struct conn *c, void **state);
	/* The connection is closing: no more requests come, no event is
	 * sent to it; its memory stays until conn_free. */
	void (*conn_closed)(void *svc, struct conn *c);
	/* Frees the state conn_open made. */
	void (*conn_free)(void *svc, void *state);
	/* The process that sent the connection's join exited (the IPC
	 * server watches the pidfd passed with a JOIN frame). */
	void (*joiner_exited)(void *svc, struct conn *c);
	/* Whether the service may take new connections (NULL: always). */
	bool (*ready)(const void *svc);
	/* The first byte of the service's ordered messages (enum
	 * service_wire_tag); 0: it multicasts none. */
	uint8_t wire_tag;
	/* An ordered message carrying the service's tag (the bytes are the
	 * engine's, valid during the call) and a configuration change, from
	 * the ordering glue. */
	void (*deliver)(void *svc, uint32_t sender, const uint8_t *msg,
	    size_t len, enum proto_guarantee g);
	void (*confchg)(void *svc, const struct proto_conf *conf);
};

/* What main.c gives a service to report to it. */
struct service_host {
	/* The service's first synchronisation completed. */
	void (*synced)(void *arg);
	void *arg;
};

struct service {
	const struct service_ops *ops;   /* NULL: slot unused */
	void *svc;
};

/* The registered services, indexed by enum service_id. */
struct services {
	struct service s[SERVICE_MAX];
	uint8_t by_type[256];            /* request type -> id + 1; 0 none */
};

/* Registers service `id` and the request types it serves. */
void services_add(struct services *ss, enum service_id id,
    const struct service_ops *ops, void *svc);
/* The service that serves request type `type`, or NULL. */
const struct service *services_for_type(const struct services *ss,
    uint16_t type);
/* Whether every service is ready for new connections. */
bool services_ready(const struct services *ss);

#endif /* COHORT_SERVICE_H */
