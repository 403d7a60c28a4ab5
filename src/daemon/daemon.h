/*
 * daemon.h: the objects cohortd is made of, and how they call each other.
 *
 *   main.c    arguments, configuration, signals; builds a struct daemon
 *   node.c    the protocol engine's glue: timers, the submission queue,
 *             ring-sequence persistence, status
 *   ipcs.c    the IPC server: sockets, frames, handshake, credentials,
 *             output queues, flow-control notices
 *   cpg/service.c the CPG service: connections' states, groups, requests,
 *             deliveries, configuration changes and their synchronisation
 *
 * Everything runs on one thread, in the loop's callbacks.
 */
#ifndef COHORT_DAEMON_H
#define COHORT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ipc.h"
#include "common/ipc_ring.h"
#include "daemon/loop.h"
#include "daemon/sched.h"
#include "proto/proto.h"

struct daemon;
struct cohort_config;
struct sock;
struct cpg_svc;
struct ipcs;

/* A frame to send, shared by every connection it goes to. */
struct frame {
	uint32_t refs;
	uint32_t len;
	uint8_t data[];
};

struct frame *frame_new(size_t len);
void frame_unref(struct frame *f);

/* The CPG state of a connection (the daemon side of one cpg handle). */
enum cpg_conn_state {
	CONN_UNJOINED,
	CONN_JOIN_STARTED,    /* PROCJOIN ordered, not yet delivered nor
	                       * answered */
	CONN_JOIN_COMPLETED,
	CONN_LEAVE_STARTED,   /* PROCLEAVE ordered but not yet delivered */
};

struct iter_snap;

/* One client connection: a request channel and, for CPG handles, an event
 * channel. Owned by ipcs.c; the cpg_* fields belong to cpg/service.c. */
struct conn {
	uint32_t id;
	uint64_t cookie;
	pid_t pid;
	uid_t uid;
	struct sock *req, *ev;
	bool wants_events;
	bool dead;               /* closing: no more events, freed soon */
	struct conn *next, *prev;
	bool dirty;              /* on the server's list of work for later */
	struct conn *dnext;

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
	uint64_t ev_consumed;    /* of those, read by the client at the last
	                          * look (ev_written - the peer's unread) */
	uint32_t ev_peer_ino;    /* the client's end, for diagnostics; 0 unknown */
	bool ev_outq_only;       /* diagnostics cannot see it: SIOCOUTQ alone */
	uint64_t ev_unread;      /* SIOCOUTQ at the last look */

	/* The process that sent the current join, watched through the
	 * pidfd libcpg passed with it (-1: none). Owned by ipcs.c. */
	int pidfd;
	struct loop_reg *pid_reg;

	/* CPG service. */
	enum cpg_conn_state state;
	struct ipc_name group;
	uint32_t join_pid;       /* pid given at join */
	uint32_t join_seq;       /* the JOIN request, answered at delivery */
	uint32_t flags;          /* model flags given at join */
	bool initial_totem_due;
	bool initial_totem_sent;
	struct iter_snap *iters[COHORT_ITER_MAX];
	uint32_t iter_next_id;
};

/* sockdiag.c: the bytes the peer of unix stream socket `fd` has not
 * read yet (its receive queue, exact to the byte). *peer_ino caches the
 * peer's inode (0: look it up). 0 or -errno (no diagnostics, or a peer in
 * another network namespace). */
int unix_peer_unread(int fd, uint32_t *peer_ino, uint64_t *unread);

/* ipcs.c */
int ipcs_new(struct daemon *d, const char *path, struct ipcs **out);
void ipcs_free(struct ipcs *s);
void ipcs_reply(struct conn *c, uint32_t seq, uint32_t error,
    const void *body, size_t len);
/* Queues an event frame on the connection's event channel (takes a
 * reference). May mark the connection dead when its queue passes the
 * hard limit. */
void ipcs_event(struct conn *c, struct frame *f);
void ipcs_credit(struct conn *c, uint64_t cost);
/* Takes the frames waiting in the request rings of clients that are
 * writing (the others ring the doorbell). */
void ipcs_poll_rings(struct ipcs *s);
/* Writes queued frames, tells credit and flow control, arms the rings'
 * doorbells and reaps dead connections. */
void ipcs_before_sleep(struct ipcs *s);
void ipcs_close_conn(struct ipcs *s, struct conn *c, const char *why);
/* The connection's join was accepted: watch the process that sent it,
 * through the pidfd passed with the JOIN frame if there was one (the
 * watch of an earlier join ends). */
void ipcs_watch_joiner(struct conn *c);
size_t ipcs_count(const struct ipcs *s);
/* Whether some client's event queue is above the high watermark. */
bool ipcs_congested(const struct ipcs *s);
struct conn *ipcs_first(struct ipcs *s);
void ipcs_stats(const struct ipcs *s, uint64_t *frames_in,
    uint64_t *frames_out, uint64_t *dropped, uint64_t *evicted);

/* cpg/service.c: requests from ipcs, events from node.c. */
int cpg_svc_new(struct daemon *d, struct cpg_svc **out);
void cpg_svc_free(struct cpg_svc *svc);
void cpg_svc_request(struct cpg_svc *svc, struct conn *c,
    const struct ipc_hdr *h, struct rbuf *body);
void cpg_svc_conn_closed(struct cpg_svc *svc, struct conn *c);
/* The process that sent the connection's join (ipcs_watch_joiner) has
 * exited. */
void cpg_svc_joiner_exited(struct cpg_svc *svc, struct conn *c);
void cpg_svc_deliver(struct cpg_svc *svc, uint32_t sender, const uint8_t *msg,
    size_t len, enum proto_guarantee g);
void cpg_svc_confchg(struct cpg_svc *svc, const struct proto_conf *conf);
bool cpg_svc_ready(const struct cpg_svc *svc);
size_t cpg_svc_groups(const struct cpg_svc *svc);
/* The CPG service's counters, for the status text. */
struct cpg_svc_stats {
	bool syncing;             /* a ring's synchronisation is in progress */
	uint64_t sync_dropped;    /* messages outside our view, dropped then */
	uint64_t bad_messages;    /* undecodable messages from other nodes */
};
void cpg_svc_stats(const struct cpg_svc *svc, struct cpg_svc_stats *st);
/* True for the request types a request channel may carry. */
bool cpg_svc_is_request(uint16_t type);

/* node.c */
int node_new(struct daemon *d, const struct proto_config *pc);
void node_free(struct daemon *d);
int node_start(struct daemon *d);
/* Hands a CPG message to the protocol, in order after everything queued
 * before it. `owner` gets `cost` credit back once it is handed over (NULL:
 * a message of the daemon's own). The bytes are copied. 0 or -errno. */
int node_submit(struct daemon *d, struct conn *owner, const uint8_t *msg,
    size_t len, enum proto_guarantee g, uint64_t cost);
/* The same for a message in two pieces (a header and a payload). */
int node_submit2(struct daemon *d, struct conn *owner, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, enum proto_guarantee g,
    uint64_t cost);
/* A message of the CPG synchronisation (a JOINLIST): to the engine ahead
 * of the messages held by node_hold, behind any queued before them. */
int node_submit_sync(struct daemon *d, const uint8_t *msg, size_t len);
/* On: messages submitted from now on wait in the queue (behind those
 * queued before) until it is turned off; then they go in order. */
void node_hold(struct daemon *d, bool on);
/* A connection is going away: its queued messages stay, unowned. */
void node_forget_owner(struct daemon *d, struct conn *c);
void node_after_io(struct daemon *d);
/* Tells the engine whether a local client's event queue is above the
 * high watermark (the ring then holds new messages back). Whether that
 * changed. */
bool node_set_congested(struct daemon *d, bool on);
void node_receive(struct daemon *d, uint32_t from, const uint8_t *buf,
    size_t len);
/* This run's incarnation for the transport (transport.h): above the one
 * kept in the state directory and at least the realtime clock in
 * microseconds, so it grows across restarts even when the clock steps
 * back; kept there durably before it is used. 0 or -errno. */
int node_incarnation(struct daemon *d, uint64_t *inc);
/* Writes the transport's replay windows to the state directory if they
 * moved (also every second while running), so that the next run takes
 * no frame this one took. */
void node_save_replay(struct daemon *d);
/* A peer's configuration summary differs from ours: logs which values. */
void node_config_differs(struct daemon *d, uint32_t nodeid,
    const uint8_t *summary, size_t len);
/* The transport saw a closed port at `nodeid`'s address. */
void node_peer_unreachable(struct daemon *d, uint32_t nodeid);
char *node_status_text(struct daemon *d, size_t *len);

struct submitq;

struct daemon {
	struct loop *loop;
	uint32_t nodeid;
	const char *cluster_name;
	const char *state_dir;
	struct proto *proto;
	struct transport *transport;   /* NULL for a one-node cluster */
	struct loop_timer proto_timer;
	struct submitq *subq;
	struct ipcs *ipcs;
	struct cpg_svc *cpg;
	uint64_t started_ms;
	int ready_fd;            /* COHORT_READY_FD, -1 once used */
	bool in_proto;           /* inside a proto call (callbacks running) */
	bool congested;          /* told to the engine: a local reader is behind */
	struct sched_ctl sched;  /* CPU scheduling (system.sched_rr) */
	struct loop_timer trim;  /* gives the heap's free memory back */
	const struct cohort_config *cfg;
	/* Status text: nodes and addresses. */
	size_t n_nodes;
	uint32_t node_ids[PROTO_MAX_NODES];
	const char *node_addrs[PROTO_MAX_NODES];
	const char *node_names[PROTO_MAX_NODES];
	/* The configuration nodes must share (cfgcheck.h): ours, and per
	 * node (as node_ids) when its difference was last logged, and the
	 * summary digest logged then. */
	struct cfgcheck *cfgsum;
	struct loop_timer replay_save;  /* node_save_replay, every second */
	bool replay_save_failed;        /* logged once */
	uint64_t cfg_logged_at[PROTO_MAX_NODES];
	uint32_t cfg_logged_digest[PROTO_MAX_NODES];
};

bool daemon_uid_allowed(const struct daemon *d, uid_t uid, gid_t gid);
void daemon_ready(struct daemon *d);

#endif /* COHORT_DAEMON_H */
