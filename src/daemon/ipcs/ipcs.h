/*
 * ipcs/ipcs.h: the IPC server: the local socket, its connections' request and
 * event channels, their request rings, flow control and back-pressure.
 *
 * It knows the services only through their tables (service.h): a request
 * goes to the service that serves its type, and each service keeps its
 * own state of a connection in c->svc[its id].
 */
#ifndef COHORT_IPCS_H
#define COHORT_IPCS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ipc_ring.h"
#include "daemon/frame.h"
#include "daemon/service.h"

struct cohort_config;
struct ipcs;
struct loop;
struct loop_reg;
struct sock;

/*
 * One client connection: a request channel and, for handles that take
 * events, an event channel. Owned by ipcs.c, which allocates it at HELLO
 * and frees it after ipcs_close_conn, once the loop is done with it.
 * Services read id, pid, uid, dead, wants_events and cpg_handle, walk
 * the list with `next` (ipcs_first), and account the credit of what they
 * submit in `inflight` (ipcs_credit gives it back); the other fields are
 * the IPC server's.
 */
struct conn {
	uint32_t id;
	uint64_t cookie;
	pid_t pid;
	uid_t uid;
	struct sock *req, *ev;
	bool wants_events;       /* a service may turn it off (FINALIZE) */
	bool cpg_handle;         /* HELLO asked for the request ring
	                          * (IPC_HELLO_EVENTS): a CPG handle, whose
	                          * event channel takes CPG's events; the
	                          * other services' handles ask for
	                          * IPC_HELLO_EVENTS_ONLY */
	bool dead;               /* closing: no more events, freed soon */
	struct conn *next, *prev;
	bool dirty;              /* on the server's list of work for later */
	struct conn *dnext;
	void *svc[SERVICE_MAX];  /* each service's state (conn_open) */

	/* Request ring (common/ipc_ring.h); ring.sh is NULL without one. */
	struct ipc_ring ring;
	uint64_t ring_head;      /* ours: the page's copy is only told */
	uint64_t sock_mcasts;    /* MCAST frames taken from the socket */
	bool polling;            /* on the list of rings looked at each loop */
	struct conn *pnext;

	/* Flow control. */
	uint64_t inflight;       /* credit consumed and not yet returned */
	uint64_t credit_total;   /* returned so far (told in the ring's page) */
	bool fc_evq;             /* above the event-queue high watermark */
	uint64_t ev_progress;    /* loop time the client was last seen to
	                          * consume events (while fc_evq) */
	uint64_t ev_written;     /* bytes written to the event socket */
	uint64_t ev_consumed;    /* of those, read by the client at its last
	                          * progress (ev_written - the peer's unread,
	                          * grown by COHORT_EVQ_MIN_PROGRESS or to
	                          * all that was written) */
	uint32_t ev_peer_ino;    /* the client's end, for diagnostics; 0 unknown */
	bool ev_outq_only;       /* diagnostics cannot see it: SIOCOUTQ alone */
	uint64_t ev_unread;      /* SIOCOUTQ at the last look */

	/* The process that sent the current join, watched through the
	 * pidfd libcpg passed with it (-1: none). */
	int pidfd;
	struct loop_reg *pid_reg;

	/* Counters for the STATS map (cmap): requests handed to a service,
	 * replies and events sent, times above the event queue's high
	 * watermark; the service of its first request (id + 1, 0: none
	 * yet). */
	uint64_t n_requests, n_replies, n_events, n_fc;
	uint8_t first_service;
};

struct ipcs_config {
	struct loop *loop;
	const char *path;                   /* the listening socket */
	uint32_t nodeid;                    /* told in the HELLO reply */
	/* Who may connect besides root and the daemon's user (uidgid). */
	const struct cohort_config *cfg;
	/* Who else may connect, asked at accept when `cfg` does not allow
	 * the peer (the live uidgid.uid.* / uidgid.gid.* keys); NULL: no
	 * one else. */
	bool (*allow)(void *arg, uid_t uid, gid_t gid);
	void *allow_arg;
	const struct services *services;    /* borrowed: outlives the server */
};

int ipcs_new(const struct ipcs_config *cfg, struct ipcs **out);
void ipcs_free(struct ipcs *s);
void ipcs_reply(struct conn *c, uint32_t seq, uint32_t error,
    const void *body, size_t len);
/* Queues an event frame on the connection's event channel (takes a
 * reference). May mark the connection dead when its queue passes the
 * hard limit. */
void ipcs_event(struct conn *c, struct frame *f);
/* Gives back `cost` of the connection's consumed credit. */
void ipcs_credit(struct conn *c, uint64_t cost);
/* Takes the frames waiting in the request rings of clients that are
 * writing (the others ring the doorbell). */
void ipcs_poll_rings(struct ipcs *s);
/* Writes queued frames, tells credit and flow control, arms the rings'
 * doorbells and reaps dead connections. */
void ipcs_before_sleep(struct ipcs *s);
/* Closes a connection (every service's conn_closed runs); `why` is
 * logged unless NULL. It is freed before the loop sleeps. */
void ipcs_close_conn(struct ipcs *s, struct conn *c, const char *why);
/* The connection's join was accepted: watch the process that sent it,
 * through the pidfd passed with the JOIN frame if there was one (the
 * watch of an earlier join ends). */
void ipcs_watch_joiner(struct conn *c);
size_t ipcs_count(const struct ipcs *s);
/* Whether some client's event queue is above the high watermark. */
bool ipcs_congested(const struct ipcs *s);
/* Events queued on the connection's event channel, not yet written. */
size_t ipcs_conn_queued(const struct conn *c);
/* The first connection (then c->next), dead ones included. */
struct conn *ipcs_first(struct ipcs *s);
void ipcs_stats(const struct ipcs *s, uint64_t *frames_in,
    uint64_t *frames_out, uint64_t *dropped, uint64_t *evicted);

#endif /* COHORT_IPCS_H */
