/*
 * ipcs/ipcs_int.h: what the IPC server's files share: its sockets, the
 * server itself, and the functions each file offers the others. Only the
 * files of ipcs/ include it.
 */
#ifndef COHORT_IPCS_INT_H
#define COHORT_IPCS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "common/ipc.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/loop.h"
#include "daemon/ratelog.h"

enum sock_role { SOCK_NEW, SOCK_REQ, SOCK_EV };

struct sock {
	int fd;
	struct loop_reg *reg;
	struct ipcs *srv;
	struct conn *conn;
	enum sock_role role;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	uint8_t *in;
	size_t in_len, in_cap;
	struct frame **out;          /* ring of queued frames */
	size_t out_head, out_n, out_cap;
	size_t out_off;              /* bytes of the head frame written */
	uint64_t out_bytes;          /* queued, not yet written */
	bool want_out;
	bool close_after_flush;
	bool loose;                  /* on the list of unattached sockets */
	uint64_t accepted_ms;        /* loop time of accept */
	int passed_fd;               /* received with a frame, or -1 */
	struct sock *next, *prev;    /* unattached sockets, newest first */
};

struct ipcs {
	struct loop *loop;
	uint32_t nodeid;
	const struct cohort_config *cfg;
	bool (*allow)(void *arg, uid_t uid, gid_t gid);
	void *allow_arg;
	const struct services *svcs;
	int lfd;
	int spare_fd;                /* given up to refuse a client at EMFILE */
	struct loop_reg *lreg;
	bool accept_paused;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct conn *conns;
	size_t n_conns;
	struct conn *dirty;          /* connections with notices or frames to send */
	struct conn *polling;        /* rings looked at every loop (doorbell off) */
	struct sock *loose;          /* sockets without a connection yet */
	size_t n_loose;
	struct loop_timer handshake; /* closes loose sockets at their deadline */
	struct ratelog denied;       /* refused peers, logged by uid */
	struct ratelog idle_closed;  /* loose sockets closed, logged by uid */
	uint32_t next_id;
	uint64_t rng;
	uint64_t frames_in, frames_out, dropped, evicted;
	bool reap;                   /* some connection is dead */
	size_t n_congested;          /* live connections with fc_evq */
	struct loop_timer stall;     /* looks for stopped readers */
};

/* server.c */
void conn_dispatch(struct ipcs *srv, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *rb);
int conn_open_state(struct ipcs *srv, struct conn *c);
void conn_free_state(struct ipcs *srv, struct conn *c);
void drop_sock(struct sock *s, const char *why);
void sock_free(struct sock *s);

/* accept.c */
void loose_unlink(struct ipcs *srv, struct sock *s);
bool handle_hello(struct sock *s, const struct ipc_hdr *h,
    struct rbuf *rb);
bool handle_attach(struct sock *s, const struct ipc_hdr *h,
    struct rbuf *rb);
void on_handshake_check(void *arg);
void on_accept(void *arg, int fd, uint32_t events);

/* channel.c */
void mark_dirty(struct conn *c);
int sock_flush(struct sock *s);
void sock_send(struct sock *s, struct frame *f);
struct frame *make_frame(uint16_t type, uint32_t seq, uint32_t error,
    const void *body, size_t len);
void sock_send_new(struct sock *s, uint16_t type, uint32_t seq,
    uint32_t error, const void *body, size_t len);
void sock_read(struct sock *s);
void on_sock(void *arg, int fd, uint32_t events);

/* events.c */
void ev_look(struct ipcs *srv, struct conn *c, bool around_write);
void set_fc_evq(struct ipcs *srv, struct conn *c, bool on);
void conn_flush(struct ipcs *srv, struct conn *c, struct sock *s);
void conn_notices(struct conn *c);
void on_stall_check(void *arg);

/* ring.c */
void poll_ring(struct ipcs *srv, struct conn *c);
bool ring_drain(struct ipcs *srv, struct conn *c);
void conn_gone(struct ipcs *srv, struct conn *c, const char *why);
void arm_rings(struct ipcs *srv);

#endif /* COHORT_IPCS_INT_H */
