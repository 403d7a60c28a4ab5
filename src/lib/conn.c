/*
 * conn.c: connecting to cohortd and talking on the request channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "lib/conn.h"

#define HELLO_REPLY_BODY 32u   /* conn_id, cookie, nodeid, window, ring capacity */
#define RX_INITIAL 4096u
#define SOCKBUF (1 << 20)     /* requested send buffer per socket */

/* Writes the iovecs whole; with `pass` >= 0, that descriptor goes with
 * the first bytes (SCM_RIGHTS). */
static int write_full(int fd, const struct iovec *iov, int n, int pass)
{
	struct iovec local[COHORT_IOV_MAX + 2];
	union ipc_pass_ctl ctl;
	struct msghdr mh = { 0 };
	int i;

	if (n > (int)(sizeof(local) / sizeof(local[0])))
		return -EINVAL;
	memcpy(local, iov, (size_t)n * sizeof(*iov));
	mh.msg_iov = local;
	mh.msg_iovlen = (size_t)n;
	if (pass >= 0)
		ipc_pass_fd(&mh, &ctl, pass);
	while (mh.msg_iovlen > 0) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* The descriptor went with the first bytes. */
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		/* Skip what was written, across iovec boundaries. */
		for (i = 0; w > 0 && mh.msg_iovlen > 0;) {
			struct iovec *v = &mh.msg_iov[i];

			if ((size_t)w >= v->iov_len) {
				w -= (ssize_t)v->iov_len;
				mh.msg_iov++;
				mh.msg_iovlen--;
			} else {
				v->iov_base = (uint8_t *)v->iov_base + w;
				v->iov_len -= (size_t)w;
				w = 0;
			}
		}
		while (mh.msg_iovlen > 0 && mh.msg_iov[0].iov_len == 0) {
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
	}
	return 0;
}

/* Reads exactly `n` bytes. With `passed`, also takes a descriptor sent
 * with them (SCM_RIGHTS): the first one is kept in *passed (which starts
 * at -1), any other is closed. */
static int read_full(int fd, void *p, size_t n, int *passed)
{
	uint8_t *b = p;

	while (n > 0) {
		union {
			struct cmsghdr align;
			uint8_t buf[CMSG_SPACE(sizeof(int) * 4)];
		} ctl;
		struct iovec iov = { b, n };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r;

		if (passed) {
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
		}
		r = recvmsg(fd, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (passed) {
			int got = ipc_passed_fd(&mh);

			if (*passed < 0)
				*passed = got;
			else if (got >= 0)
				close(got);
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int rx_reserve(struct ipc_conn *c, size_t n)
{
	uint8_t *grown;
	size_t cap = c->rx_cap ? c->rx_cap : RX_INITIAL;

	if (n <= c->rx_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	grown = realloc(c->rx, cap);
	if (!grown)
		return -ENOMEM;
	c->rx = grown;
	c->rx_cap = cap;
	return 0;
}

/* Reads one whole frame of the request channel into c->rx, and with
 * `passed` a descriptor sent with it (see read_full). */
static int read_frame(struct ipc_conn *c, int fd, struct ipc_hdr *h,
    int *passed)
{
	int rc = rx_reserve(c, IPC_HDR_LEN);

	if (rc == 0)
		rc = read_full(fd, c->rx, IPC_HDR_LEN, passed);
	if (rc == 0 && ipc_hdr_get(c->rx, h) < 0)
		rc = -EBADMSG;
	if (rc == 0)
		rc = rx_reserve(c, h->len);
	if (rc == 0)
		rc = read_full(fd, c->rx + IPC_HDR_LEN, h->len - IPC_HDR_LEN,
		    passed);
	return rc;
}

static int send_frame_fd(int fd, uint16_t type, uint32_t seq,
    const void *body, size_t len, int pass)
{
	uint8_t hdr[IPC_HDR_LEN];
	struct wbuf wb;
	struct iovec iov[2];

	if (len > COHORT_FRAME_MAX - IPC_HDR_LEN)
		return -EMSGSIZE;
	wbuf_init(&wb, hdr, sizeof(hdr));
	ipc_hdr_put(&wb, type, seq, 0);
	put_u32(hdr, (uint32_t)(IPC_HDR_LEN + len));
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ (void *)body, len };
	return write_full(fd, iov, len ? 2 : 1, pass);
}

static int send_frame(int fd, uint16_t type, uint32_t seq, const void *body,
    size_t len)
{
	return send_frame_fd(fd, type, seq, body, len, -1);
}

static int connect_socket(int *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = ipc_socket_path();
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? -EMFILE : -EIO;
	/* Larger send buffer: fewer wake-ups of the daemon per megabyte. A
	 * refusal leaves the default, which works as well, with more
	 * wake-ups (and the library does not log). */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ SOCKBUF },
	    sizeof(int));
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		close(fd);
		/* Whatever else connect says (no socket file, nobody
		 * listening) means the same to the caller: no daemon. */
		return err == EACCES || err == EPERM ? -EACCES :
		    err == EAGAIN ? -EAGAIN : -ECONNREFUSED;
	}
	*out = fd;
	return 0;
}

/* Sends a handshake frame and reads its reply (and with `passed`, a
 * descriptor sent with it). Returns 0, CONN_REFUSED with the daemon's
 * error in *refused, or -EPROTO (no valid reply). */
static int handshake(struct ipc_conn *c, int fd, uint16_t type,
    const uint8_t *body, size_t len, uint16_t reply_type, struct rbuf *rb,
    int *passed, uint32_t *refused)
{
	struct ipc_hdr h;

	/* A daemon that refuses us may close before reading our frame: its
	 * reply, if any, still tells why. */
	(void)send_frame(fd, type, 0, body, len);
	if (read_frame(c, fd, &h, passed) < 0)
		return -EPROTO;
	/* A daemon that refuses a socket before its first frame (out of
	 * descriptors, too many sockets in their handshake, none sent in
	 * time) answers either first frame with a HELLO_REPLY carrying the
	 * error. */
	if (h.type != reply_type && !(h.type == IPC_HELLO_REPLY &&
	    h.error != CS_OK))
		return -EPROTO;
	if (h.error != CS_OK) {
		if (!h.error)
			return -EPROTO;
		*refused = h.error;
		return CONN_REFUSED;
	}
	rbuf_init(rb, c->rx + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	return 0;
}

int conn_open(struct ipc_conn *c, enum ipc_hello_events events,
    uint32_t *refused)
{
	bool ring = events == IPC_HELLO_EVENTS;
	uint8_t body[16];
	struct wbuf wb;
	struct rbuf rb;
	uint32_t conn_id;
	uint64_t cookie, ring_cap;
	int rc, ring_fd = -1;

	*c = (struct ipc_conn){ .req_fd = -1, .ev_fd = -1 };
	rc = connect_socket(&c->req_fd);
	if (rc)
		goto fail;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, IPC_VERSION);
	wbuf_u32(&wb, (uint32_t)getpid());
	wbuf_u32(&wb, (uint32_t)events);
	rc = handshake(c, c->req_fd, IPC_HELLO, body, wb.len, IPC_HELLO_REPLY,
	    &rb, &ring_fd, refused);
	if (rc)
		goto fail;
	conn_id = rbuf_u32(&rb);
	cookie = rbuf_u64(&rb);
	c->nodeid = rbuf_u32(&rb);
	c->window = rbuf_u64(&rb);
	ring_cap = rbuf_u64(&rb);
	/* A handle that asked for a ring gets one, any other none. */
	if (rb.err || rb.left || (ring != (ring_fd >= 0)) ||
	    (ring != (ring_cap > 0))) {
		rc = -EPROTO;
		goto fail;
	}
	if (events == IPC_HELLO_NO_EVENTS)
		return 0;
	if (ring) {
		rc = ipc_ring_map(ring_fd, ring_cap, &c->ring);
		close(ring_fd);
		ring_fd = -1;
		if (rc < 0) {
			rc = rc == -ENOMEM ? rc : -EIO;
			goto fail;
		}
	}
	rc = connect_socket(&c->ev_fd);
	if (rc)
		goto fail;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, conn_id);
	wbuf_u64(&wb, cookie);
	rc = handshake(c, c->ev_fd, IPC_ATTACH, body, wb.len, IPC_ATTACH_REPLY,
	    &rb, NULL, refused);
	if (rc)
		goto fail;
	return 0;
fail:
	if (ring_fd >= 0)
		close(ring_fd);
	conn_close(c);
	return rc;
}

void conn_close(struct ipc_conn *c)
{
	if (c->req_fd >= 0)
		close(c->req_fd);
	if (c->ev_fd >= 0)
		close(c->ev_fd);
	free(c->rx);
	ipc_ring_unmap(&c->ring);
	c->req_fd = c->ev_fd = -1;
	c->rx = NULL;
	c->rx_cap = 0;
	c->broken = true;
}

static int fail(struct ipc_conn *c, int rc)
{
	c->broken = true;
	return rc;
}

/* Sends a request, with `pass` >= 0 a descriptor with it, and waits for
 * its reply. */
static int request(struct ipc_conn *c, uint16_t type, const void *body,
    size_t len, int pass, struct ipc_reply *r)
{
	uint32_t seq;
	struct ipc_hdr h;
	int rc;

	if (c->broken)
		return -ENOTCONN;
	seq = ++c->seq;
	rc = send_frame_fd(c->req_fd, type, seq, body, len, pass);
	if (rc < 0)
		return fail(c, rc);
	rc = read_frame(c, c->req_fd, &h, NULL);
	if (rc < 0)
		return fail(c, rc);
	if (h.type != IPC_REPLY || h.seq != seq)
		return fail(c, -EBADMSG);
	r->error = h.error;
	r->body = c->rx + IPC_HDR_LEN;
	r->len = h.len - IPC_HDR_LEN;
	return h.error == CS_OK ? 0 : CONN_REFUSED;
}

int conn_request(struct ipc_conn *c, uint16_t type, const void *body,
    size_t len, struct ipc_reply *r)
{
	return request(c, type, body, len, -1, r);
}

/* A pidfd of the calling process (closed on exec), or -1 where the
 * kernel has none (before Linux 5.3) or the process may not make one. */
static int pidfd_self(void)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, getpid(), 0);
#else
	return -1;
#endif
}

int conn_request_as_self(struct ipc_conn *c, uint16_t type,
    const void *body, size_t len, struct ipc_reply *r)
{
	int pfd = pidfd_self(), rc;

	rc = request(c, type, body, len, pfd, r);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Credit still out: what was spent minus what the daemon gave back.
 * -EBADMSG when the daemon's page claims more than was spent. */
static int64_t outstanding(const struct ipc_conn *c)
{
	uint64_t back = atomic_load_explicit(&c->ring.sh->credit,
	    memory_order_acquire);

	return back > c->spent ? -1 : (int64_t)(c->spent - back);
}

/* Whether the next MCAST may use the ring: it fits the ring's frames, and
 * every one sent on the socket has been taken (none can be overtaken). */
static bool use_ring(const struct ipc_conn *c, uint64_t frame_len)
{
	return frame_len <= COHORT_IPC_RING_FRAME &&
	    atomic_load_explicit(&c->ring.sh->sock_done,
	    memory_order_acquire) == c->sock_mcasts;
}

static uint64_t ring_free(const struct ipc_conn *c)
{
	uint64_t head = atomic_load_explicit(&c->ring.sh->head,
	    memory_order_acquire);

	/* A head beyond the tail is the daemon's page gone wrong. */
	return c->tail - head > c->ring.cap ? 0 : c->ring.cap - (c->tail - head);
}

/* The daemon holds us back. Unless it is gone: a daemon that died cannot
 * say so in the ring, and nothing would ever move. Only on this path,
 * where the caller waits anyway, does the check cost a system call. */
static int pushed_back(struct ipc_conn *c)
{
	struct pollfd p = { .fd = c->req_fd, .events = POLLRDHUP };

	if (poll(&p, 1, 0) > 0 &&
	    (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
		return fail(c, -ENOTCONN);
	return -EAGAIN;
}

/* An MCAST frame: header, guarantee, payload. */
static uint64_t mcast_frame_len(size_t len)
{
	return IPC_HDR_LEN + 4 + (uint64_t)len;
}

/* conn_may_send; also tells whether the frame goes through the ring,
 * decided once (the daemon may take the socket's frames meanwhile). */
static int may_send(struct ipc_conn *c, size_t len, bool *ring)
{
	uint64_t frame_len = mcast_frame_len(len);
	int64_t out;

	if (c->broken)
		return -ENOTCONN;
	if (!c->ring.sh)
		return -EINVAL;   /* a handle without events does not send */
	*ring = use_ring(c, frame_len);
	if (atomic_load_explicit(&c->ring.sh->closed, memory_order_acquire))
		return fail(c, -ENOTCONN);
	out = outstanding(c);
	if (out < 0)
		return fail(c, -EBADMSG);
	if (atomic_load_explicit(&c->ring.sh->fc, memory_order_relaxed)) {
		int rc = pushed_back(c);

		return rc == -EAGAIN ? -ENOBUFS : rc;
	}
	if (out > 0 && (uint64_t)out + IPC_MCAST_COST(len) > c->window)
		return pushed_back(c);
	if (*ring && ring_free(c) < ipc_ring_stride(frame_len))
		return pushed_back(c);
	return 0;
}

int conn_may_send(struct ipc_conn *c, size_t len)
{
	bool ring;

	return may_send(c, len, &ring);
}

/* Tells a sleeping daemon that the ring has frames. The daemon arms the
 * bell before it sleeps and looks at the ring again after; the fence
 * between our tail and our look at the bell pairs with its fence, so one
 * of the two always sees the other. */
static int ring_bell(struct ipc_conn *c)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&c->ring.sh->bell, memory_order_relaxed) ||
	    !atomic_exchange(&c->ring.sh->bell, 0))
		return 0;
	return send_frame(c->req_fd, IPC_DOORBELL, 0, NULL, 0);
}

int conn_send_mcast(struct ipc_conn *c, uint32_t guarantee,
    const struct iovec *iov, unsigned int n, size_t total)
{
	uint64_t frame_len = mcast_frame_len(total);
	struct iovec all[COHORT_IOV_MAX + 1];
	uint8_t hdr[IPC_HDR_LEN + 4];
	struct wbuf wb;
	bool ring;
	int rc;

	if (n > COHORT_IOV_MAX)
		return -EINVAL;
	rc = may_send(c, total, &ring);
	if (rc < 0)
		return rc;
	wbuf_init(&wb, hdr, sizeof(hdr));
	ipc_hdr_put(&wb, IPC_MCAST, ++c->seq, 0);
	wbuf_u32(&wb, guarantee);
	put_u32(hdr, (uint32_t)frame_len);
	if (ring) {
		/* The data is mapped twice in a row: the frame is contiguous
		 * wherever it starts. */
		uint8_t *p = c->ring.data + c->tail % c->ring.cap;

		memcpy(p, hdr, sizeof(hdr));
		p += sizeof(hdr);
		for (unsigned int i = 0; i < n; i++) {
			if (iov[i].iov_len)
				memcpy(p, iov[i].iov_base, iov[i].iov_len);
			p += iov[i].iov_len;
		}
		c->tail += ipc_ring_stride(frame_len);
		atomic_store_explicit(&c->ring.sh->tail, c->tail,
		    memory_order_release);
		rc = ring_bell(c);
	} else {
		all[0] = (struct iovec){ hdr, sizeof(hdr) };
		if (n > 0)
			memcpy(&all[1], iov, n * sizeof(*iov));
		rc = write_full(c->req_fd, all, (int)n + 1, -1);
		c->sock_mcasts++;
	}
	c->spent += IPC_MCAST_COST(total);
	if (rc < 0)
		return fail(c, rc);
	return 0;
}
