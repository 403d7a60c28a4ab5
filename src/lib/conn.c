/*
 * conn.c: connecting to cohortd and talking on the request channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "lib/conn.h"

#define HELLO_REPLY_BODY 24u   /* conn_id u32, cookie u64, nodeid u32, window u64 */
#define RX_INITIAL 4096u
#define SOCKBUF (1 << 20)     /* requested send buffer per socket */

static int write_full(int fd, const struct iovec *iov, int n)
{
	struct iovec local[COHORT_IOV_MAX + 2];
	struct msghdr mh = { 0 };
	int i;

	if (n > (int)(sizeof(local) / sizeof(local[0])))
		return -EINVAL;
	memcpy(local, iov, (size_t)n * sizeof(*iov));
	mh.msg_iov = local;
	mh.msg_iovlen = (size_t)n;
	while (mh.msg_iovlen > 0) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
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

static int read_full(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = recv(fd, b, n, MSG_WAITALL);

		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
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

/* Reads one whole frame of the request channel into c->rx. */
static int read_frame(struct ipc_conn *c, int fd, struct ipc_hdr *h)
{
	int rc = rx_reserve(c, IPC_HDR_LEN);

	if (rc == 0)
		rc = read_full(fd, c->rx, IPC_HDR_LEN);
	if (rc == 0 && ipc_hdr_get(c->rx, h) < 0)
		rc = -EBADMSG;
	if (rc == 0)
		rc = rx_reserve(c, h->len);
	if (rc == 0)
		rc = read_full(fd, c->rx + IPC_HDR_LEN, h->len - IPC_HDR_LEN);
	return rc;
}

static int send_frame(int fd, uint16_t type, uint32_t seq, const void *body,
    size_t len)
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
	return write_full(fd, iov, len ? 2 : 1);
}

static int connect_socket(int *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = ipc_socket_path();
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return CS_ERR_NAME_TOO_LONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? CS_ERR_NO_RESOURCES :
		    CS_ERR_LIBRARY;
	/* Larger send buffer: fewer wake-ups of the daemon per megabyte. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ SOCKBUF }, sizeof(int));
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		if (err == EINTR)
			continue;
		close(fd);
		return err == EACCES || err == EPERM ? CS_ERR_ACCESS :
		    err == EAGAIN ? CS_ERR_TRY_AGAIN : CS_ERR_LIBRARY;
	}
	*out = fd;
	return 0;
}

/* Sends a handshake frame and reads its reply. Returns 0 or a cs_error_t. */
static int handshake(struct ipc_conn *c, int fd, uint16_t type,
    const uint8_t *body, size_t len, uint16_t reply_type, struct rbuf *rb)
{
	struct ipc_hdr h;

	/* A daemon that refuses us may close before reading our frame: its
	 * reply, if any, still tells why. */
	(void)send_frame(fd, type, 0, body, len);
	if (read_frame(c, fd, &h) < 0)
		return CS_ERR_LIBRARY;
	/* A daemon out of descriptors answers any first frame with a
	 * HELLO_REPLY carrying CS_ERR_NO_RESOURCES. */
	if (h.type != reply_type && !(h.type == IPC_HELLO_REPLY &&
	    h.error == CS_ERR_NO_RESOURCES))
		return CS_ERR_LIBRARY;
	if (h.error != CS_OK)
		return h.error ? (int)h.error : CS_ERR_LIBRARY;
	rbuf_init(rb, c->rx + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	return 0;
}

int conn_open(struct ipc_conn *c, bool events)
{
	uint8_t body[16];
	struct wbuf wb;
	struct rbuf rb;
	uint32_t conn_id;
	uint64_t cookie;
	int rc;

	*c = (struct ipc_conn){ .req_fd = -1, .ev_fd = -1 };
	rc = connect_socket(&c->req_fd);
	if (rc)
		goto fail;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, IPC_VERSION);
	wbuf_u32(&wb, (uint32_t)getpid());
	wbuf_u32(&wb, events ? 1 : 0);
	rc = handshake(c, c->req_fd, IPC_HELLO, body, wb.len, IPC_HELLO_REPLY,
	    &rb);
	if (rc)
		goto fail;
	conn_id = rbuf_u32(&rb);
	cookie = rbuf_u64(&rb);
	c->nodeid = rbuf_u32(&rb);
	c->window = rbuf_u64(&rb);
	if (rb.err) {
		rc = CS_ERR_LIBRARY;
		goto fail;
	}
	if (!events)
		return 0;
	rc = connect_socket(&c->ev_fd);
	if (rc)
		goto fail;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, conn_id);
	wbuf_u64(&wb, cookie);
	rc = handshake(c, c->ev_fd, IPC_ATTACH, body, wb.len, IPC_ATTACH_REPLY,
	    &rb);
	if (rc)
		goto fail;
	return 0;
fail:
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
	c->req_fd = c->ev_fd = -1;
	c->rx = NULL;
	c->rx_cap = 0;
	c->broken = true;
}

/* Applies a CREDIT or FLOWCTL notice. Returns 0, or -EBADMSG. */
static int apply_notice(struct ipc_conn *c, const struct ipc_hdr *h)
{
	struct rbuf rb;

	rbuf_init(&rb, c->rx + IPC_HDR_LEN, h->len - IPC_HDR_LEN);
	if (h->type == IPC_CREDIT) {
		uint64_t back = rbuf_u64(&rb);

		if (rb.err || back > c->outstanding)
			return -EBADMSG;
		c->outstanding -= back;
	} else if (h->type == IPC_FLOWCTL) {
		uint32_t on = rbuf_u32(&rb);

		if (rb.err || on > 1)
			return -EBADMSG;
		c->daemon_fc = on;
	} else {
		return -EBADMSG;
	}
	return 0;
}

static int fail(struct ipc_conn *c, int rc)
{
	c->broken = true;
	return rc;
}

int conn_request(struct ipc_conn *c, uint16_t type, const void *body,
    size_t len, struct ipc_reply *r)
{
	uint32_t seq;
	struct ipc_hdr h;
	int rc;

	if (c->broken)
		return -ENOTCONN;
	seq = ++c->seq;
	rc = send_frame(c->req_fd, type, seq, body, len);
	if (rc < 0)
		return fail(c, rc);
	for (;;) {
		rc = read_frame(c, c->req_fd, &h);
		if (rc < 0)
			return fail(c, rc);
		if (h.type == IPC_REPLY && h.seq == seq)
			break;
		if (apply_notice(c, &h) < 0)
			return fail(c, -EBADMSG);
	}
	r->error = h.error;
	r->body = c->rx + IPC_HDR_LEN;
	r->len = h.len - IPC_HDR_LEN;
	return 0;
}

int conn_poll_notices(struct ipc_conn *c)
{
	uint8_t peek[IPC_HDR_LEN];
	struct ipc_hdr h;

	if (c->broken)
		return -ENOTCONN;
	for (;;) {
		ssize_t n = recv(c->req_fd, peek, sizeof(peek),
		    MSG_PEEK | MSG_DONTWAIT);

		if (n == 0)
			return fail(c, -ECONNRESET);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return fail(c, -errno);
		}
		if ((size_t)n < sizeof(peek))
			return 0;  /* the rest of the header is on its way */
		if (read_frame(c, c->req_fd, &h) < 0 || apply_notice(c, &h) < 0)
			return fail(c, -EBADMSG);
	}
}

bool conn_may_send(const struct ipc_conn *c, size_t len)
{
	if (c->daemon_fc)
		return false;
	return c->outstanding == 0 ||
	    c->outstanding + IPC_MCAST_COST(len) <= c->window;
}

int conn_send_mcast(struct ipc_conn *c, uint32_t guarantee,
    const struct iovec *iov, unsigned int n, size_t total)
{
	struct iovec all[COHORT_IOV_MAX + 1];
	uint8_t hdr[IPC_HDR_LEN + 4];
	struct wbuf wb;
	int rc;

	if (c->broken)
		return -ENOTCONN;
	if (n > COHORT_IOV_MAX)
		return -EINVAL;
	wbuf_init(&wb, hdr, sizeof(hdr));
	ipc_hdr_put(&wb, IPC_MCAST, ++c->seq, 0);
	wbuf_u32(&wb, guarantee);
	put_u32(hdr, (uint32_t)(sizeof(hdr) + total));
	all[0] = (struct iovec){ hdr, sizeof(hdr) };
	if (n > 0)
		memcpy(&all[1], iov, n * sizeof(*iov));
	rc = write_full(c->req_fd, all, (int)n + 1);
	if (rc < 0)
		return fail(c, rc);
	c->outstanding += IPC_MCAST_COST(total);
	return 0;
}
