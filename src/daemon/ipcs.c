/*
 * ipcs.c: the IPC server.
 *
 * A peer whose credentials (SO_PEERCRED) are not allowed is told
 * CS_ERR_ACCESS and closed at accept. Every other accepted socket is a
 * `struct sock`. Its first frame decides what it is: HELLO opens a
 * connection and makes the socket its request channel; ATTACH, naming a
 * connection and its cookie, makes it that connection's event channel.
 * Anything else, and any malformed frame later, drops the client with a
 * log line. Sockets that have not said what they are yet are few
 * (COHORT_HANDSHAKE_MAX) and short-lived (COHORT_HANDSHAKE_MS).
 *
 * The pidfd libcpg passes with a JOIN (SCM_RIGHTS) is watched: when the
 * process that joined exits, its membership ends (PROCDOWN) even if
 * children it forked still hold the connection's descriptors.
 *
 * Back-pressure: a request channel is read at most IPC_READ_BUDGET bytes
 * per wake-up; MCAST frames beyond the credit window are a protocol
 * violation; the event channel's queue drives the flow-control notices
 * (high/low watermarks) and, past the hard limit, eviction. A client
 * above the high watermark is evicted when it consumes nothing for
 * COHORT_EVQ_STALL_MS, which is judged by the bytes it has read from its
 * event socket (ev_look), not by whether the daemon could write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/config.h"
#include "daemon/ipcs.h"
#include "daemon/loop.h"
#include "daemon/ratelog.h"
#include "daemon/sockdiag.h"

#define IPC_READ_BUDGET (1u << 20)  /* bytes read per socket per wake-up */
#define IPC_IOV_BATCH 64            /* frames per writev */
#define IN_KEEP_CAP (1u << 20)      /* input buffers above this are freed when empty */
#define SMALL_FRAME_MAX 4096u       /* every frame but MCAST */
#define IPC_SOCKBUF (256 << 10)     /* send buffer of each client socket */
#define REPLY_QUEUE_MAX (4u << 20)  /* unread replies before a client is dropped */

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

static void sock_free(struct sock *s);
static void on_sock(void *arg, int fd, uint32_t events);
static void conn_gone(struct ipcs *srv, struct conn *c, const char *why);
static void on_stall_check(void *arg);
static void on_handshake_check(void *arg);
static void sock_read(struct sock *s);
static void unwatch_joiner(struct conn *c);

/*
 * Whether the client consumed events since the last look, measured where
 * it cannot be faked. Whether a write succeeds says little: a unix stream
 * socket turns writable only once most of its buffer has drained, which a
 * reader of one large event a second may take longer than
 * COHORT_EVQ_STALL_MS to do. What was written minus what the client's end
 * still holds unread (socket diagnostics, sockdiag.c) is what it
 * consumed, to the byte, and only grows: the stall check compares it.
 * The bytes our end holds unread (SIOCOUTQ) fall only when the kernel
 * frees a buffer the client has read to its end (each up to about 36 KiB,
 * tens of small events), and our writes raise them; they are looked at
 * too, also around every write to a congested connection's event socket
 * (`around_write`), lest a write hide what was taken before it. Either
 * falling is real consumption; SIOCOUTQ alone decides where diagnostics
 * cannot see the client (another network namespace, no unix_diag).
 */
static void ev_look(struct ipcs *srv, struct conn *c, bool around_write)
{
	uint64_t unread, consumed;
	int outq, rc;

	if (!c->ev)
		return;
	if (ioctl(c->ev->fd, SIOCOUTQ, &outq) == 0 && outq >= 0) {
		if ((uint64_t)outq < c->ev_unread)
			c->ev_progress = loop_now(srv->loop);
		c->ev_unread = (uint64_t)outq;
	}
	if (around_write || c->ev_outq_only)
		return;
	rc = unix_peer_unread(c->ev->fd, &c->ev_peer_ino, &unread);
	if (rc == 0 && unread <= c->ev_written) {
		consumed = c->ev_written - unread;
		if (consumed > c->ev_consumed)
			c->ev_progress = loop_now(srv->loop);
		c->ev_consumed = consumed;
		return;
	}
	/* Short of descriptors or memory: only this look goes without. */
	if (rc != -EMFILE && rc != -ENFILE && rc != -ENOMEM && rc != -ENOBUFS)
		c->ev_outq_only = true;
}

/* A connection's event queue passes a watermark. */
static void set_fc_evq(struct ipcs *srv, struct conn *c, bool on)
{
	if (c->fc_evq == on)
		return;
	c->fc_evq = on;
	if (on) {
		srv->n_congested++;
		/* The stall clock starts now at the latest: a client idle
		 * for a while below the watermark gets its full grace. */
		c->ev_progress = loop_now(srv->loop);
		c->ev_unread = UINT64_MAX;
		ev_look(srv, c, false);
	} else {
		srv->n_congested--;
	}
}

static uint64_t next_cookie(struct ipcs *srv)
{
	uint64_t z = (srv->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---------------------------------------------------------------- output */

static int sock_queue(struct sock *s, struct frame *f)
{
	if (s->out_n == s->out_cap) {
		size_t cap = s->out_cap ? s->out_cap * 2 : 16;
		struct frame **v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < s->out_n; i++)
			v[i] = s->out[(s->out_head + i) % s->out_cap];
		free(s->out);
		s->out = v;
		s->out_cap = cap;
		s->out_head = 0;
	}
	f->refs++;
	s->out[(s->out_head + s->out_n++) % s->out_cap] = f;
	s->out_bytes += f->len;
	return 0;
}

/* Puts a connection on the list that ipcs_before_sleep() serves: only
 * connections with something to send are visited, not all of them. */
static void mark_dirty(struct conn *c)
{
	struct ipcs *srv;

	if (!c || c->dirty || c->dead || !c->req)
		return;
	srv = c->req->srv;
	c->dirty = true;
	c->dnext = srv->dirty;
	srv->dirty = c;
}

static void sock_set_events(struct sock *s, bool want_out)
{
	if (s->want_out == want_out)
		return;
	s->want_out = want_out;
	if (!s->close_after_flush)
		loop_mod_fd(s->srv->loop, s->reg,
		    EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0));
}

/* Writes what the socket takes. Returns 0, or -errno when it is broken. */
static int sock_flush(struct sock *s)
{
	struct conn *watched = s->role == SOCK_EV && s->conn &&
	    s->conn->fc_evq ? s->conn : NULL;

	if (watched)
		ev_look(s->srv, watched, true);
	while (s->out_n > 0) {
		struct iovec iov[IPC_IOV_BATCH];
		int n = 0;
		ssize_t w;

		for (size_t i = 0; i < s->out_n && n < IPC_IOV_BATCH; i++) {
			struct frame *f = s->out[(s->out_head + i) % s->out_cap];
			size_t off = i == 0 ? s->out_off : 0;

			iov[n++] = (struct iovec){ f->data + off, f->len - off };
		}
		w = writev(s->fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		s->out_bytes -= (uint64_t)w;
		if (s->role == SOCK_EV && s->conn)
			s->conn->ev_written += (uint64_t)w;
		while (w > 0) {
			struct frame *f = s->out[s->out_head];
			size_t rest = f->len - s->out_off;

			if ((size_t)w < rest) {
				s->out_off += (size_t)w;
				break;
			}
			w -= (ssize_t)rest;
			s->out_off = 0;
			s->out_head = (s->out_head + 1) % s->out_cap;
			s->out_n--;
			s->srv->frames_out++;
			frame_unref(f);
		}
	}
	if (watched)
		ev_look(s->srv, watched, true);
	sock_set_events(s, s->out_n > 0);
	return 0;
}

static void sock_send(struct sock *s, struct frame *f)
{
	if (!s || sock_queue(s, f) < 0) {
		if (s && s->conn)
			ipcs_close_conn(s->srv, s->conn, "out of memory");
		return;
	}
	/* A connection's frames are written in one batch before the loop
	 * sleeps (ipcs_before_sleep); handshake replies go at once. */
	mark_dirty(s->conn);
	if (!s->conn && s->out_n == 1 && sock_flush(s) < 0) {
		s->close_after_flush = true;
		return;
	}
	if (s->role == SOCK_REQ && s->out_bytes > REPLY_QUEUE_MAX && s->conn) {
		s->srv->dropped++;
		ipcs_close_conn(s->srv, s->conn, "stopped reading replies");
	}
}

static struct frame *make_frame(uint16_t type, uint32_t seq, uint32_t error,
    const void *body, size_t len)
{
	struct frame *f = frame_new(IPC_HDR_LEN + len);
	struct wbuf wb;

	if (!f)
		return NULL;
	wbuf_init(&wb, f->data, f->len);
	ipc_hdr_put(&wb, type, seq, error);
	wbuf_copy(&wb, body, len);
	ipc_hdr_finish(&wb);
	return f;
}

static void sock_send_new(struct sock *s, uint16_t type, uint32_t seq,
    uint32_t error, const void *body, size_t len)
{
	struct frame *f = make_frame(type, seq, error, body, len);

	if (!f) {
		if (s->conn)
			ipcs_close_conn(s->srv, s->conn, "out of memory");
		return;
	}
	sock_send(s, f);
	frame_unref(f);
}

void ipcs_reply(struct conn *c, uint32_t seq, uint32_t error,
    const void *body, size_t len)
{
	if (!c->dead)
		sock_send_new(c->req, IPC_REPLY, seq, error, body, len);
}

void ipcs_event(struct conn *c, struct frame *f)
{
	struct sock *ev = c->ev;

	if (c->dead || !c->wants_events)
		return;
	/* Between HELLO and ATTACH (inside cpg_initialize) the handle has
	 * joined nothing, so only a totem confchg can come here; the handle
	 * learns the membership from the ones that follow. */
	if (!ev)
		return;
	sock_send(ev, f);
	if (c->dead)
		return;
	if (ev->out_bytes > COHORT_EVQ_HARD) {
		ev->srv->evicted++;
		ipcs_close_conn(ev->srv, c, "stopped reading events "
		    "(queue above the hard limit)");
		return;
	}
	if (!c->fc_evq && (ev->out_bytes > COHORT_EVQ_HIGH ||
	    ev->out_n > COHORT_EVQ_HIGH_EVENTS))
		set_fc_evq(ev->srv, c, true);
}

void ipcs_credit(struct conn *c, uint64_t cost)
{
	if (cost > c->inflight)
		fatalx("credit returned beyond what was consumed");
	c->inflight -= cost;
	c->credit_total += cost;
	mark_dirty(c);
}

/* Writes a connection's queued frames, unless the socket is waiting for
 * room (EPOLLOUT will resume it). */
static void conn_flush(struct ipcs *srv, struct conn *c, struct sock *s)
{
	if (!c->dead && s && s->out_n > 0 && !s->want_out &&
	    sock_flush(s) < 0)
		conn_gone(srv, c, "write failed");
}

/* Tells credit and flow control in the ring's page: two stores, no
 * system call. */
static void conn_notices(struct conn *c)
{
	if (c->dead)
		return;
	if (c->fc_evq && c->ev && c->ev->out_bytes < COHORT_EVQ_LOW &&
	    c->ev->out_n < COHORT_EVQ_LOW_EVENTS)
		set_fc_evq(c->ev->srv, c, false);
	if (!c->ring.sh)
		return;
	atomic_store_explicit(&c->ring.sh->credit, c->credit_total,
	    memory_order_release);
	atomic_store_explicit(&c->ring.sh->fc, c->fc_evq, memory_order_release);
}

/* ------------------------------------------------------------ services */

/* Hands a request to the service that serves its type (checked when the
 * frame was read). */
static void dispatch(struct ipcs *srv, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	const struct service *sv = services_for_type(srv->svcs, h->type);

	if (!sv) {
		ipcs_close_conn(srv, c, "request of no service");
		return;
	}
	sv->ops->request(sv->svc, c, h, rb);
}

/* Each service's state of a new connection. 0 or -errno. */
static int conn_open_state(struct ipcs *srv, struct conn *c)
{
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];
		int rc;

		if (!sv->ops || !sv->ops->conn_open)
			continue;
		rc = sv->ops->conn_open(sv->svc, c, &c->svc[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void conn_free_state(struct ipcs *srv, struct conn *c)
{
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->conn_free && c->svc[i])
			sv->ops->conn_free(sv->svc, c->svc[i]);
		c->svc[i] = NULL;
	}
}

/* ------------------------------------------------------- request ring */

static void poll_ring(struct ipcs *srv, struct conn *c)
{
	if (c->polling || c->dead)
		return;
	c->polling = true;
	c->pnext = srv->polling;
	srv->polling = c;
}

/*
 * Hands every frame of the ring to the service, in order. Nothing in the
 * shared page is trusted: the head is ours, the tail and each frame's
 * header are read once and checked. A frame's payload is read in place
 * (the service copies it once); a client that changes it meanwhile only
 * garbles its own message. Returns false when the connection is closing.
 */
static bool ring_drain(struct ipcs *srv, struct conn *c)
{
	struct ipc_ring *r = &c->ring;
	uint64_t head = c->ring_head, tail;

	if (c->dead)
		return false;
	if (!r->sh)
		return true;
	tail = atomic_load_explicit(&r->sh->tail, memory_order_acquire);
	if (tail - head > r->cap || tail % IPC_RING_ALIGN) {
		ipcs_close_conn(srv, c, "request ring tail out of range");
		return false;
	}
	while (head != tail && !c->dead) {
		const uint8_t *f = r->data + head % r->cap;
		uint8_t hb[IPC_HDR_LEN];
		struct ipc_hdr h;
		struct rbuf rb;

		memcpy(hb, f, sizeof(hb));
		/* The checked copy is what is used: the compiler may not
		 * read the shared header again in its place. */
		atomic_signal_fence(memory_order_seq_cst);
		if (ipc_hdr_get(hb, &h) < 0 || h.type != IPC_MCAST ||
		    ipc_ring_stride(h.len) > tail - head) {
			ipcs_close_conn(srv, c, "malformed frame in the "
			    "request ring");
			break;
		}
		rbuf_init(&rb, f + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		srv->frames_in++;
		dispatch(srv, c, &h, &rb);
		head += ipc_ring_stride(h.len);
	}
	/* Every socket frame drains first, mostly an empty ring: the
	 * shared line is written only when something was taken. */
	if (head != c->ring_head) {
		c->ring_head = head;
		atomic_store_explicit(&r->sh->head, head,
		    memory_order_release);
	}
	return !c->dead;
}

/*
 * The client is gone: one of its channels closed or broke. What it wrote
 * to its ring before it went is taken first, as what it wrote to the
 * socket and was read is; whichever channel the daemon sees go first (a
 * client that exits with events unread resets its event channel, which
 * may be seen before the request channel's end).
 */
static void conn_gone(struct ipcs *srv, struct conn *c, const char *why)
{
	if (ring_drain(srv, c))
		ipcs_close_conn(srv, c, why);
}

/* Arms a ring's doorbell; false when a frame came meanwhile (the bell
 * stays armed: at worst one DOORBELL too many). */
static bool arm_bell(struct conn *c)
{
	atomic_store_explicit(&c->ring.sh->bell, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	return atomic_load_explicit(&c->ring.sh->tail, memory_order_relaxed) ==
	    c->ring_head;
}

void ipcs_poll_rings(struct ipcs *srv)
{
	for (struct conn *c = srv->polling; c; c = c->pnext)
		(void)ring_drain(srv, c);
}

/*
 * Before the loop sleeps: each polled ring that is empty gets its
 * doorbell armed and leaves the list. The fence between arming and
 * looking at the tail pairs with the library's between its tail and its
 * look at the bell: a frame written meanwhile is either seen here (the
 * loop does not sleep) or rings the bell. A ring that has frames already
 * stays on the list unarmed: its client goes on writing without a
 * doorbell, and the loop comes back to it at once.
 */
static void arm_rings(struct ipcs *srv)
{
	struct conn **pp = &srv->polling;

	while (*pp) {
		struct conn *c = *pp;

		if (!c->dead && (atomic_load_explicit(&c->ring.sh->tail,
		    memory_order_relaxed) != c->ring_head || !arm_bell(c))) {
			loop_no_sleep(srv->loop);
			pp = &c->pnext;
			continue;
		}
		c->polling = false;
		*pp = c->pnext;
	}
}

/* --------------------------------------------------------- connections */

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

static void loose_unlink(struct ipcs *srv, struct sock *s)
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

/* ------------------------------------------------- the joined process */

static void unwatch_joiner(struct conn *c)
{
	if (c->pidfd < 0)
		return;
	loop_del_fd(c->req->srv->loop, c->pid_reg);
	close(c->pidfd);
	c->pidfd = -1;
	c->pid_reg = NULL;
}

/*
 * The process that sent the connection's join has exited (its pidfd is
 * readable). What it sent before, on the socket and in the ring, is taken
 * first, as when its sockets close; then the CPG service ends its
 * membership. Its children may still hold the connection's descriptors:
 * that does not keep it a member.
 */
static void on_joiner_exit(void *arg, int fd, uint32_t events)
{
	struct conn *c = arg;
	struct ipcs *srv = c->req->srv;

	(void)fd;
	(void)events;
	unwatch_joiner(c);
	if (c->dead)
		return;
	sock_read(c->req);
	if (!ring_drain(srv, c))
		return;
	for (size_t i = 0; i < SERVICE_MAX && !c->dead; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->joiner_exited)
			sv->ops->joiner_exited(sv->svc, c);
	}
}

/* Whether `fd` is a pidfd: signal 0 to a pidfd only checks permission
 * and the process (which may be gone), any other descriptor is EBADF. */
static bool is_pidfd(int fd)
{
#ifdef SYS_pidfd_send_signal
	return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0 ||
	    (errno != EBADF && errno != ENOSYS);
#else
	(void)fd;
	return false;
#endif
}

void ipcs_watch_joiner(struct conn *c)
{
	struct sock *s = c->req;
	int fd = s->passed_fd;

	s->passed_fd = -1;
	unwatch_joiner(c);
	if (fd < 0)
		return;
	if (!is_pidfd(fd) || loop_add_fd(s->srv->loop, fd, EPOLLIN,
	    on_joiner_exit, c, &c->pid_reg) < 0) {
		log_debug("client %u: the descriptor sent with its join is "
		    "not a process's: not watched", c->id);
		close(fd);
		return;
	}
	c->pidfd = fd;
}

void ipcs_close_conn(struct ipcs *srv, struct conn *c, const char *why)
{
	if (c->dead)
		return;
	set_fc_evq(srv, c, false);
	c->dead = true;
	srv->reap = true;
	if (c->ring.sh)
		atomic_store_explicit(&c->ring.sh->closed, 1,
		    memory_order_release);
	unwatch_joiner(c);
	if (why)
		log_info("client %u (pid %d) disconnected: %s", c->id,
		    (int)c->pid, why);
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->conn_closed)
			sv->ops->conn_closed(sv->svc, c);
	}
}

static void conn_free(struct ipcs *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->n_conns--;
	unwatch_joiner(c);
	if (c->req)
		sock_free(c->req);
	if (c->ev)
		sock_free(c->ev);
	ipc_ring_unmap(&c->ring);
	conn_free_state(srv, c);
	free(c);
}

static void drop_sock(struct sock *s, const char *why)
{
	struct ipcs *srv = s->srv;

	srv->dropped++;
	log_warnx("dropping IPC client (pid %d uid %d): %s", (int)s->pid,
	    (int)s->uid, why);
	if (s->conn) {
		ipcs_close_conn(srv, s->conn, NULL);
	} else {
		loose_unlink(srv, s);
		sock_free(s);
	}
}

/* ------------------------------------------------------------ handshake */

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
static bool handle_hello(struct sock *s, const struct ipc_hdr *h,
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

	if (rb->err || rb->left || events > 1) {
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
	if (events && (ring_fd = ring_setup(c)) < 0) {
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
	c->wants_events = events;
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

static bool handle_attach(struct sock *s, const struct ipc_hdr *h,
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

/* --------------------------------------------------------------- input */

/* Handles one whole frame. Returns false when the socket is gone or must
 * not be read any more. */
static bool handle_frame(struct sock *s, const uint8_t *f,
    const struct ipc_hdr *h)
{
	struct rbuf rb;
	struct conn *c = s->conn;

	rbuf_init(&rb, f + IPC_HDR_LEN, h->len - IPC_HDR_LEN);
	s->srv->frames_in++;
	switch (s->role) {
	case SOCK_NEW:
		if (h->type == IPC_HELLO)
			return handle_hello(s, h, &rb);
		if (h->type == IPC_ATTACH)
			return handle_attach(s, h, &rb);
		drop_sock(s, "first frame is neither HELLO nor ATTACH");
		return false;
	case SOCK_REQ:
		/* The ring's frames were written before this one. */
		if (!ring_drain(s->srv, c))
			return false;
		if (h->type == IPC_DOORBELL) {
			if (rb.left || !c->ring.sh) {
				drop_sock(s, "malformed DOORBELL");
				return false;
			}
			poll_ring(s->srv, c);
			return true;
		}
		if (!services_for_type(s->srv->svcs, h->type)) {
			drop_sock(s, "unknown request type");
			return false;
		}
		if (h->type == IPC_MCAST && !c->ring.sh) {
			drop_sock(s, "MCAST on a connection without events");
			return false;
		}
		dispatch(s->srv, c, h, &rb);
		/* A descriptor sent with a JOIN is the joiner's pidfd;
		 * the service took it if it accepted the join. */
		if (h->type == IPC_JOIN && s->passed_fd >= 0) {
			close(s->passed_fd);
			s->passed_fd = -1;
		}
		if (h->type == IPC_MCAST && !c->dead)
			atomic_store_explicit(&c->ring.sh->sock_done,
			    ++c->sock_mcasts, memory_order_release);
		return !c->dead;
	case SOCK_EV:
		drop_sock(s, "frame on the event channel");
		return false;
	}
	return false;
}

/*
 * Receives into the input buffer. A descriptor passed with the bytes
 * (SCM_RIGHTS: libcpg sends a pidfd with each JOIN) is kept in
 * s->passed_fd for the JOIN, replacing an earlier one that no JOIN took;
 * one passed on any other socket than a request channel, and any beyond
 * the first, is closed. A client thus makes the daemon hold at most one
 * descriptor per socket.
 */
static ssize_t sock_recv(struct sock *s)
{
	union ipc_pass_ctl ctl;
	struct iovec iov = { s->in + s->in_len, s->in_cap - s->in_len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int got;

	if (n < 0 || (got = ipc_passed_fd(&mh)) < 0)
		return n;
	if (s->role != SOCK_REQ) {
		close(got);
		return n;
	}
	if (s->passed_fd >= 0)
		close(s->passed_fd);
	s->passed_fd = got;
	return n;
}

/* Reads what is there (within the budget) and handles whole frames. */
static void sock_read(struct sock *s)
{
	size_t budget = IPC_READ_BUDGET;

	for (;;) {
		struct ipc_hdr h;
		size_t need = IPC_HDR_LEN, off = 0;
		ssize_t n;

		/* Handle every whole frame in the buffer. */
		while (s->in_len - off >= IPC_HDR_LEN) {
			if (ipc_hdr_get(s->in + off, &h) < 0) {
				drop_sock(s, "malformed frame header "
				    "(length or flags)");
				return;
			}
			/* Refuse a large frame before buffering it: only a
			 * request channel's MCAST may be big. */
			if (h.len > SMALL_FRAME_MAX && (s->role != SOCK_REQ ||
			    h.type != IPC_MCAST)) {
				drop_sock(s, "oversized frame");
				return;
			}
			if (s->in_len - off < h.len) {
				need = h.len;
				break;
			}
			if (!handle_frame(s, s->in + off, &h))
				return;
			off += h.len;
			need = IPC_HDR_LEN;
		}
		if (off) {
			memmove(s->in, s->in + off, s->in_len - off);
			s->in_len -= off;
		}
		if (s->in_len == 0 && s->in_cap > IN_KEEP_CAP) {
			free(s->in);
			s->in = NULL;
			s->in_cap = 0;
		}
		/* Whole frames are handled before the budget is checked, so
		 * none waits in the buffer for a wake-up that will not come. */
		if (budget == 0)
			return;
		if (need < s->in_len + 1)
			need = s->in_len + 1;
		if (need > s->in_cap) {
			size_t cap = s->in_cap ? s->in_cap : 65536;
			uint8_t *grown;

			while (cap < need)
				cap *= 2;
			grown = realloc(s->in, cap);
			if (!grown) {
				drop_sock(s, "out of memory");
				return;
			}
			s->in = grown;
			s->in_cap = cap;
		}
		n = sock_recv(s);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (s->conn) {
				conn_gone(s->srv, s->conn,
				    n == 0 ? (s->in_len ? "closed mid-frame" :
				    "connection closed") : "read error");
			} else {
				loose_unlink(s->srv, s);
				sock_free(s);
			}
			return;
		}
		s->in_len += (size_t)n;
		budget -= (size_t)n < budget ? (size_t)n : budget;
		/* Less than there was room for: the socket is empty, most
		 * likely. Whole frames are handled now; anything that came
		 * meanwhile wakes the loop again (level-triggered). */
		if ((size_t)n < s->in_cap - (s->in_len - (size_t)n))
			budget = 0;
	}
}

static void on_sock(void *arg, int fd, uint32_t events)
{
	struct sock *s = arg;

	if (s->conn && s->conn->dead)
		return;
	if (events & EPOLLOUT) {
		mark_dirty(s->conn);   /* a drained queue may end flow control */
		if (sock_flush(s) < 0) {
			if (s->conn)
				conn_gone(s->srv, s->conn, "write failed");
			else
				drop_sock(s, "write failed");
			return;
		}
		if (s->close_after_flush && s->out_n == 0) {
			loose_unlink(s->srv, s);
			sock_free(s);
			return;
		}
	}
	if (s->close_after_flush)
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		sock_read(s);
}

static void sock_free(struct sock *s)
{
	loop_del_fd(s->srv->loop, s->reg);
	close(s->fd);
	s->fd = -1;
	if (s->passed_fd >= 0)
		close(s->passed_fd);
	for (size_t i = 0; i < s->out_n; i++)
		frame_unref(s->out[(s->out_head + i) % s->out_cap]);
	free(s->out);
	free(s->in);
	if (s->srv->accept_paused) {
		s->srv->accept_paused = false;
		loop_mod_fd(s->srv->loop, s->srv->lreg, EPOLLIN);
	}
	free(s);
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
	 * can), and the users and groups of the uidgid sections. */
	if (cr->uid == geteuid() ||
	    cohort_config_uid_allowed(srv->cfg, cr->uid, cr->gid))
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
 * opens many only pushes out its own), else the oldest of all. */
static void loose_make_room(struct ipcs *srv, pid_t pid)
{
	struct sock *oldest = NULL, *own = NULL;

	if (srv->n_loose < COHORT_HANDSHAKE_MAX)
		return;
	for (struct sock *x = srv->loose; x; x = x->next) {
		oldest = x;
		if (x->pid == pid)
			own = x;
	}
	close_loose(srv, own ? own : oldest, CS_ERR_TRY_AGAIN,
	    "too many sockets without a first frame");
}

/* Closes the sockets that have said nothing for COHORT_HANDSHAKE_MS and
 * waits for the next deadline. */
static void on_handshake_check(void *arg)
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

static void on_accept(void *arg, int fd, uint32_t events)
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

/* ------------------------------------------------------------ lifecycle */

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Refuses to take over the socket of a daemon that answers. */
static int claim_path(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return rc;
}

int ipcs_new(const struct ipcs_config *cfg, struct ipcs **out)
{
	const char *path = cfg->path;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ipcs *srv;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = cfg->loop;
	srv->nodeid = cfg->nodeid;
	srv->cfg = cfg->cfg;
	srv->svcs = cfg->services;
	srv->lfd = -1;
	srv->stall.fn = on_stall_check;
	srv->stall.arg = srv;
	srv->handshake.fn = on_handshake_check;
	srv->handshake.arg = srv;
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	srv->rng = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)srv ^
	    loop_now(srv->loop);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = make_parent_dir(path);
	if (rc == 0)
		rc = claim_path(&sun);
	if (rc < 0)
		goto fail;
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0 ||
	    bind(srv->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0666) < 0 || listen(srv->lfd, 128) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = loop_add_fd(srv->loop, srv->lfd, EPOLLIN, on_accept, srv,
	    &srv->lreg);
	if (rc < 0)
		goto fail;
	*out = srv;
	return 0;
fail:
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv);
	return rc;
}

static void reap(struct ipcs *srv)
{
	struct conn *c = srv->conns;

	while (c) {
		struct conn *next = c->next;

		if (c->dead)
			conn_free(srv, c);
		c = next;
	}
	srv->reap = false;
}

void ipcs_free(struct ipcs *srv)
{
	if (!srv)
		return;
	loop_timer_disarm(srv->loop, &srv->stall);
	loop_timer_disarm(srv->loop, &srv->handshake);
	while (srv->conns)
		conn_free(srv, srv->conns);
	while (srv->loose) {
		struct sock *s = srv->loose;

		loose_unlink(srv, s);
		sock_free(s);
	}
	loop_del_fd(srv->loop, srv->lreg);
	close(srv->lfd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	unlink(srv->path);
	free(srv);
}

void ipcs_before_sleep(struct ipcs *srv)
{
	/* Serving a connection may queue more (a notice): go until none is
	 * left. The list is empty before reaping, so it never holds a freed
	 * connection. */
	while (srv->dirty) {
		struct conn *c = srv->dirty, *next;

		srv->dirty = NULL;
		for (; c; c = next) {
			next = c->dnext;
			c->dirty = false;
			/* Events first: draining them may end flow control,
			 * which the notices then tell, with the credit. */
			conn_flush(srv, c, c->ev);
			conn_notices(c);
			conn_flush(srv, c, c->req);
		}
	}
	arm_rings(srv);
	if (srv->reap)
		reap(srv);
	if (srv->n_congested && !srv->stall.armed)
		loop_timer_arm(srv->loop, &srv->stall,
		    loop_now(srv->loop) + COHORT_EVQ_STALL_MS / 5);
}

/* Every COHORT_EVQ_STALL_MS / 5 while some queue is above the high
 * watermark: a client that has consumed nothing for COHORT_EVQ_STALL_MS
 * holds the cluster back for nothing and is disconnected. One that
 * consumes, however slowly, stays and sets the pace. */
static void on_stall_check(void *arg)
{
	struct ipcs *srv = arg;
	uint64_t now = loop_now(srv->loop);
	char why[96];

	snprintf(why, sizeof(why), "stopped reading events (nothing read "
	    "for %u ms above the high watermark)", COHORT_EVQ_STALL_MS);
	for (struct conn *c = srv->conns; c; c = c->next) {
		if (!c->fc_evq || c->dead)
			continue;
		ev_look(srv, c, false);
		if (now - c->ev_progress >= COHORT_EVQ_STALL_MS) {
			srv->evicted++;
			ipcs_close_conn(srv, c, why);
		}
	}
	/* Not reaped here: a closed connection may still be on the dirty
	 * list, which ipcs_before_sleep() empties first and then reaps. */
	if (srv->n_congested)
		loop_timer_arm(srv->loop, &srv->stall,
		    now + COHORT_EVQ_STALL_MS / 5);
}

bool ipcs_congested(const struct ipcs *srv)
{
	return srv->n_congested > 0;
}

size_t ipcs_count(const struct ipcs *srv)
{
	return srv->n_conns;
}

struct conn *ipcs_first(struct ipcs *srv)
{
	return srv->conns;
}

void ipcs_stats(const struct ipcs *srv, uint64_t *frames_in,
    uint64_t *frames_out, uint64_t *dropped, uint64_t *evicted)
{
	*frames_in = srv->frames_in;
	*frames_out = srv->frames_out;
	*dropped = srv->dropped;
	*evicted = srv->evicted;
}
