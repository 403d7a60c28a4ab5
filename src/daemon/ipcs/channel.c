/*
 * ipcs/channel.c: a socket's frames: reading and handling whole frames
 * within a budget per wake-up, and queueing and writing frames out.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/log.h"
#include "daemon/ipcs/ipcs_int.h"

#define IPC_READ_BUDGET (1u << 20)  /* bytes read per socket per wake-up */
#define IPC_IOV_BATCH 64            /* frames per writev */
#define IN_KEEP_CAP (1u << 20)      /* input buffers above this are freed when empty */
#define SMALL_FRAME_MAX 4096u       /* every frame but MCAST */
#define REPLY_QUEUE_MAX (4u << 20)  /* unread replies before a client is dropped */

/* Whether a frame above SMALL_FRAME_MAX may be read. */
static bool large_allowed(const struct sock *s, const struct ipc_hdr *h)
{
	const struct service *sv;

	if (s->role != SOCK_REQ)
		return false;
	if (h->type == IPC_MCAST)
		return true;
	sv = services_for_type(s->srv->svcs, h->type);
	return sv && h->len <= sv->ops->request_max;
}

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
	s->out_bytes += frame_wire_len(f);
	return 0;
}

/* Puts a connection on the list that ipcs_before_sleep() serves: only
 * connections with something to send are visited, not all of them. */
void mark_dirty(struct conn *c)
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
int sock_flush(struct sock *s)
{
	struct conn *watched = s->role == SOCK_EV && s->conn &&
	    s->conn->fc_evq ? s->conn : NULL;

	if (watched)
		ev_look(s->srv, watched, true);
	while (s->out_n > 0) {
		struct iovec iov[IPC_IOV_BATCH];
		int n = 0;
		ssize_t w;

		/* Two pieces per frame at most: its bytes and its tail's. */
		for (size_t i = 0; i < s->out_n && n + 2 <= IPC_IOV_BATCH;
		    i++) {
			struct frame *f = s->out[(s->out_head + i) % s->out_cap];
			size_t off = i == 0 ? s->out_off : 0;

			if (off < f->len)
				iov[n++] = (struct iovec){ f->data + off,
				    f->len - off };
			off = off > f->len ? off - f->len : 0;
			if (f->tail)
				iov[n++] = (struct iovec){
				    (uint8_t *)frame_bytes(f->tail) + off,
				    f->tail->len - off };
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
			size_t rest = frame_wire_len(f) - s->out_off;

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

void sock_send(struct sock *s, struct frame *f)
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

struct frame *make_frame(uint16_t type, uint32_t seq, uint32_t error,
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

void sock_send_new(struct sock *s, uint16_t type, uint32_t seq,
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
	if (c->dead)
		return;
	c->n_replies++;
	sock_send_new(c->req, IPC_REPLY, seq, error, body, len);
}

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
		conn_dispatch(s->srv, c, h, &rb);
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
static ssize_t sock_recv(struct sock *s, size_t want)
{
	union ipc_pass_ctl ctl;
	struct iovec iov = { s->in + s->in_len, want };
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

/*
 * Handles every whole frame in the input buffer and keeps the rest at its
 * start. Returns false when the socket is gone or must not be read any
 * more; else *need is the bytes the buffer must hold for the next frame.
 */
static bool handle_buffered(struct sock *s, size_t *need)
{
	struct ipc_hdr h;
	size_t off = 0;

	*need = IPC_HDR_LEN;
	while (s->in_len - off >= IPC_HDR_LEN) {
		if (ipc_hdr_get(s->in + off, &h) < 0) {
			drop_sock(s, "malformed frame header "
			    "(length or flags)");
			return false;
		}
		/* Refuse a large frame before buffering it: only a request
		 * channel's MCAST, and the requests of a service that says
		 * it takes larger ones, may be big. */
		if (h.len > SMALL_FRAME_MAX && !large_allowed(s, &h)) {
			drop_sock(s, "oversized frame");
			return false;
		}
		if (s->in_len - off < h.len) {
			*need = h.len;
			break;
		}
		if (!handle_frame(s, s->in + off, &h))
			return false;
		off += h.len;
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
	return true;
}

/* Grows the input buffer to hold `need` bytes and at least one more than
 * it holds; false (the socket dropped) without memory. */
static bool in_reserve(struct sock *s, size_t need)
{
	size_t cap = s->in_cap ? s->in_cap : 65536;
	uint8_t *grown;

	if (need < s->in_len + 1)
		need = s->in_len + 1;
	if (need <= s->in_cap)
		return true;
	while (cap < need)
		cap *= 2;
	grown = realloc(s->in, cap);
	if (!grown) {
		drop_sock(s, "out of memory");
		return false;
	}
	s->in = grown;
	s->in_cap = cap;
	return true;
}

/*
 * Reads what is there (within the budget) and handles whole frames. A
 * large frame is read up to its end and no further: it is then handled
 * from where it was read, and nothing of the next frame is left behind
 * it to be moved to the buffer's start (a copy of up to a whole large
 * frame).
 */
void sock_read(struct sock *s)
{
	size_t budget = IPC_READ_BUDGET, need;

	for (;;) {
		size_t want;
		ssize_t n;

		if (!handle_buffered(s, &need))
			return;
		/* Whole frames are handled before the budget is checked, so
		 * none waits in the buffer for a wake-up that will not come. */
		if (budget == 0 || !in_reserve(s, need))
			return;
		want = s->in_cap - s->in_len;
		if (need > SMALL_FRAME_MAX && need - s->in_len < want)
			want = need - s->in_len;
		n = sock_recv(s, want);
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
		/* Less than was asked for: the socket is empty, most
		 * likely. Whole frames are handled now; anything that came
		 * meanwhile wakes the loop again (level-triggered). */
		if ((size_t)n < want)
			budget = 0;
	}
}

void on_sock(void *arg, int fd, uint32_t events)
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
