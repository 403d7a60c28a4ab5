/*
 * ipcs/accept.c: accepting clients and their handshake: credentials at
 * accept, the sockets that have not said what they are yet, HELLO (a new
 * connection, with its request ring) and ATTACH (its event channel).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/config/config.h"
#include "daemon/ipcs/ipcs_int.h"

#define IPC_SOCKBUF (256 << 10)     /* send buffer of each client socket */

static uint64_t next_cookie(struct ipcs *srv)
{
	uint64_t z = (srv->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void loose_link(struct ipcs *srv, struct sock *s)
{
	s->prev = NULL;
	s->next = srv->loose;
	if (srv->loose)
		srv->loose->prev = s;
	srv->loose = s;
	s->loose = true;
	srv->n_loose++;
	if (!srv->handshake.armed)
		loop_timer_arm(srv->loop, &srv->handshake,
		    s->accepted_ms + COHORT_HANDSHAKE_MS);
}

void loose_unlink(struct ipcs *srv, struct sock *s)
{
	if (!s->loose)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->loose = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	s->loose = false;
	srv->n_loose--;
}

/*
 * The HELLO reply of a connection with a ring carries the ring's
 * descriptor. It is the first frame on a fresh socket, so it goes at once
 * and whole; anything else means the client is gone.
 */
static int send_with_fd(struct sock *s, struct frame *f, int fd)
{
	union ipc_pass_ctl ctl;
	struct iovec iov = { f->data, f->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t w;

	ipc_pass_fd(&mh, &ctl, fd);
	do {
		w = sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != f->len)
		return -EMSGSIZE;
	s->srv->frames_out++;
	return 0;
}

/* Creates the connection's ring. Returns its descriptor or -errno. */
static int ring_setup(struct conn *c)
{
	int fd = ipc_ring_create(COHORT_IPC_RING), rc;

	if (fd < 0)
		return fd;
	rc = ipc_ring_map(fd, COHORT_IPC_RING, &c->ring);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	/* The daemon is idle for this ring until its first doorbell. */
	atomic_store(&c->ring.sh->bell, 1);
	return fd;
}

/* Answers a HELLO with `err` and closes once the answer is out. Returns
 * false (the socket will close). */
static bool refuse_hello(struct sock *s, const struct ipc_hdr *h,
    uint32_t err)
{
	sock_send_new(s, IPC_HELLO_REPLY, h->seq, err, NULL, 0);
	s->close_after_flush = true;
	if (s->out_n == 0) {
		loose_unlink(s->srv, s);
		sock_free(s);
	} else {
		/* Only wait for the reply to drain. */
		loop_mod_fd(s->srv->loop, s->reg, EPOLLOUT);
	}
	return false;
}

/* Returns false when the socket was dropped or will close. */
bool handle_hello(struct sock *s, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	struct ipcs *srv = s->srv;
	uint32_t version = rbuf_u32(rb), pid = rbuf_u32(rb);
	uint32_t events = rbuf_u32(rb);
	uint32_t err = CS_OK;
	uint8_t body[40];
	struct wbuf wb;
	struct frame *reply;
	struct conn *c;
	int ring_fd = -1, rc;

	if (rb->err || rb->left || events > IPC_HELLO_EVENTS_ONLY) {
		drop_sock(s, "malformed HELLO");
		return false;
	}
	(void)pid;
	/* Its credentials were checked at accept (peer_allowed). */
	if (version != IPC_VERSION)
		err = CS_ERR_VERSION;
	else if (!services_ready(srv->svcs))
		err = CS_ERR_TRY_AGAIN;
	else if (srv->n_conns >= COHORT_CONN_MAX)
		err = CS_ERR_NO_RESOURCES;
	if (err != CS_OK)
		return refuse_hello(s, h, err);
	c = calloc(1, sizeof(*c));
	if (!c || conn_open_state(srv, c) < 0) {
		if (c)
			conn_free_state(srv, c);
		free(c);
		drop_sock(s, "out of memory");
		return false;
	}
	if (events == IPC_HELLO_EVENTS && (ring_fd = ring_setup(c)) < 0) {
		log_warnx("client pid %d: no request ring: %s", (int)s->pid,
		    strerror(-ring_fd));
		conn_free_state(srv, c);
		free(c);
		return refuse_hello(s, h, CS_ERR_NO_RESOURCES);
	}
	c->id = ++srv->next_id;
	c->cookie = next_cookie(srv);
	c->pidfd = -1;
	c->pid = s->pid;
	c->uid = s->uid;
	c->req = s;
	c->wants_events = events != IPC_HELLO_NO_EVENTS;
	c->cpg_handle = events == IPC_HELLO_EVENTS;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
	loose_unlink(srv, s);
	s->conn = c;
	s->role = SOCK_REQ;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, c->id);
	wbuf_u64(&wb, c->cookie);
	wbuf_u32(&wb, srv->nodeid);
	wbuf_u64(&wb, COHORT_SEND_WINDOW);
	wbuf_u64(&wb, c->ring.cap);
	if (ring_fd < 0) {
		sock_send_new(s, IPC_HELLO_REPLY, h->seq, CS_OK, body, wb.len);
		return !c->dead;
	}
	reply = make_frame(IPC_HELLO_REPLY, h->seq, CS_OK, body, wb.len);
	rc = reply ? send_with_fd(s, reply, ring_fd) : -ENOMEM;
	frame_unref(reply);
	close(ring_fd);
	if (rc < 0) {
		ipcs_close_conn(srv, c, "HELLO reply not sent");
		return false;
	}
	return true;
}

bool handle_attach(struct sock *s, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	struct ipcs *srv = s->srv;
	uint32_t id = rbuf_u32(rb);
	uint64_t cookie = rbuf_u64(rb);
	struct conn *c;

	if (rb->err || rb->left) {
		drop_sock(s, "malformed ATTACH");
		return false;
	}
	for (c = srv->conns; c; c = c->next)
		if (c->id == id)
			break;
	if (!c || c->dead || c->cookie != cookie || c->ev ||
	    !c->wants_events || c->uid != s->uid) {
		drop_sock(s, "ATTACH to an unknown connection");
		return false;
	}
	loose_unlink(srv, s);
	s->conn = c;
	s->role = SOCK_EV;
	c->ev = s;
	c->ev_progress = loop_now(s->srv->loop);
	sock_send_new(s, IPC_ATTACH_REPLY, h->seq, CS_OK, NULL, 0);
	return !c->dead;
}

/*
 * Tells a socket that has not completed its handshake why it is refused:
 * a HELLO_REPLY with `err`, which libcpg takes as the answer to either
 * first frame. The client reads it even when its own first frame arrives
 * after the daemon closed the socket.
 */
static void tell_refusal(int fd, uint32_t err)
{
	uint8_t reply[IPC_HDR_LEN];
	struct wbuf wb;

	wbuf_init(&wb, reply, sizeof(reply));
	ipc_hdr_put(&wb, IPC_HELLO_REPLY, 0, err);
	ipc_hdr_finish(&wb);
	(void)send(fd, reply, wb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * Out of descriptors: the spare one is given up for a moment to accept
 * the waiting client and tell it CS_ERR_NO_RESOURCES, so that it does not
 * wait for a reply that would never come. Returns 0 if a client was
 * refused, -1 if nothing could be done.
 */
static int refuse_one(struct ipcs *srv, int lfd)
{
	int cfd;

	if (srv->spare_fd < 0)
		return -1;
	close(srv->spare_fd);
	cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd >= 0) {
		tell_refusal(cfd, CS_ERR_NO_RESOURCES);
		close(cfd);
		srv->dropped++;
		log_warnx("out of descriptors: a client was refused");
	}
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return cfd >= 0 ? 0 : -1;
}

/* Closes a socket that has not said what it is, telling it `err`, with a
 * line at most once a minute per uid. */
static void close_loose(struct ipcs *srv, struct sock *s, uint32_t err,
    const char *why)
{
	uint64_t quiet;

	if (ratelog_admit(&srv->idle_closed, s->uid, loop_now(srv->loop),
	    &quiet))
		log_warnx("closed an IPC socket of uid %d (pid %d) before its "
		    "first frame: %s (%" PRIu64 " more closed since the last "
		    "line; one line a minute per uid)", (int)s->uid,
		    (int)s->pid, why, quiet);
	srv->dropped++;
	loose_unlink(srv, s);
	if (s->out_n == 0 && !s->close_after_flush)
		tell_refusal(s->fd, err);
	sock_free(s);
}

/* The peer at accept: true when it may go on to its handshake. A peer
 * that may not connect is told CS_ERR_ACCESS and closed, with a line at
 * most once a minute per uid. */
static bool peer_allowed(struct ipcs *srv, int cfd, const struct ucred *cr)
{
	uint64_t quiet;

	/* Root, the daemon's own user (who could do anything the daemon
	 * can), the users and groups of the uidgid sections, and those the
	 * daemon's map allows now. */
	if (cr->uid == geteuid() ||
	    cohort_config_uid_allowed(srv->cfg, cr->uid, cr->gid) ||
	    (srv->allow && srv->allow(srv->allow_arg, cr->uid, cr->gid)))
		return true;
	if (ratelog_admit(&srv->denied, cr->uid, loop_now(srv->loop),
	    &quiet))
		log_warnx("refused IPC connections of uid %d gid %d (pid %d): "
		    "not root, the daemon's user or a uidgid entry (%" PRIu64
		    " more refused since the last line; one line a minute "
		    "per uid)", (int)cr->uid, (int)cr->gid, (int)cr->pid,
		    quiet);
	tell_refusal(cfd, CS_ERR_ACCESS);
	close(cfd);
	return false;
}

/* Makes room for one more socket that has not said what it is: at the
 * cap, the oldest of process `pid`'s goes if it has one (a process that
 * opens many only pushes out its own), else the oldest of the user who
 * holds the most (a user who opens many from many processes only pushes
 * out their own, not another user's client that is a little late). The
 * list is newest first and at most COHORT_HANDSHAKE_MAX long. */
static void loose_make_room(struct ipcs *srv, pid_t pid)
{
	struct sock *own = NULL, *victim = NULL;
	size_t most = 0;

	if (srv->n_loose < COHORT_HANDSHAKE_MAX)
		return;
	for (struct sock *x = srv->loose; x; x = x->next)
		if (x->pid == pid)
			own = x;
	if (!own)
		for (struct sock *x = srv->loose; x; x = x->next) {
			size_t n = 0;
			struct sock *last = x;

			for (struct sock *y = x; y; y = y->next)
				if (y->uid == x->uid) {
					n++;
					last = y;
				}
			if (n > most) {
				most = n;
				victim = last;
			}
		}
	close_loose(srv, own ? own : victim, CS_ERR_TRY_AGAIN,
	    "too many sockets without a first frame");
}

/* Closes the sockets that have said nothing for COHORT_HANDSHAKE_MS and
 * waits for the next deadline. */
void on_handshake_check(void *arg)
{
	struct ipcs *srv = arg;
	uint64_t now = loop_now(srv->loop), next = 0;
	struct sock *s = srv->loose, *n;

	for (; s; s = n) {
		n = s->next;
		if (now - s->accepted_ms >= COHORT_HANDSHAKE_MS)
			close_loose(srv, s, CS_ERR_TIMEOUT,
			    "no first frame in time");
		else if (!next || s->accepted_ms + COHORT_HANDSHAKE_MS < next)
			next = s->accepted_ms + COHORT_HANDSHAKE_MS;
	}
	if (next)
		loop_timer_arm(srv->loop, &srv->handshake, next);
}

void on_accept(void *arg, int fd, uint32_t events)
{
	struct ipcs *srv = arg;

	for (int i = 0; i < 64; i++) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		struct sock *s;
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if ((errno == EMFILE || errno == ENFILE) &&
			    refuse_one(srv, fd) == 0)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* Stop accepting until a descriptor frees up. */
				log_warn("accept paused");
				srv->accept_paused = true;
				loop_mod_fd(srv->loop, srv->lreg, 0);
			}
			return;
		}
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
			close(cfd);
			continue;
		}
		if (!peer_allowed(srv, cfd, &cred))
			continue;
		loose_make_room(srv, cred.pid);
		s = calloc(1, sizeof(*s));
		if (!s) {
			close(cfd);
			continue;
		}
		/* Larger socket buffers: fewer wake-ups per megabyte. */
		setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &(int){ IPC_SOCKBUF },
		    sizeof(int));
		s->fd = cfd;
		s->srv = srv;
		s->uid = cred.uid;
		s->gid = cred.gid;
		s->pid = cred.pid;
		s->passed_fd = -1;
		s->accepted_ms = loop_now(srv->loop);
		if (loop_add_fd(srv->loop, cfd, EPOLLIN | EPOLLRDHUP, on_sock,
		    s, &s->reg) < 0) {
			free(s);
			close(cfd);
			continue;
		}
		loose_link(srv, s);
		/* A client writes its first frame right after connecting: it
		 * is most often here already, and the socket leaves the
		 * loose list before the next accept could push it out. */
		sock_read(s);
	}
}
