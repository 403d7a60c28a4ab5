/*
 * raw.c: speaking the IPC protocol byte by byte (see raw.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "raw.h"

/* The HELLO reply's body: connection id, cookie, node id, send window,
 * ring capacity. */
#define HELLO_REPLY_BODY (4u + 8u + 4u + 8u + 8u)
#define ATTACH_BODY (4u + 8u)

int raw_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    getenv("COHORT_SOCKET"));
	CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	return fd;
}

void raw_hdr(uint8_t *buf, uint32_t len, uint16_t type, uint16_t flags)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, IPC_HDR_LEN);
	wbuf_u32(&wb, len);
	wbuf_u16(&wb, type);
	wbuf_u16(&wb, flags);
	wbuf_u32(&wb, 0);   /* seq */
	wbuf_u32(&wb, 0);   /* error */
}

/* raw_send, with `pass` >= 0 that descriptor passed along. */
static void send_passing(int fd, uint16_t type, uint32_t seq,
    const void *body, size_t len, int pass)
{
	uint8_t hdr[IPC_HDR_LEN];
	union ipc_pass_ctl ctl;
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)body, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct wbuf wb;

	wbuf_init(&wb, hdr, sizeof(hdr));
	ipc_hdr_put(&wb, type, seq, 0);
	put_u32(hdr, (uint32_t)(IPC_HDR_LEN + len));
	if (pass >= 0)
		ipc_pass_fd(&mh, &ctl, pass);
	CHECK(sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)(IPC_HDR_LEN + len));
}

void raw_send(int fd, uint16_t type, uint32_t seq, const void *body,
    size_t len)
{
	send_passing(fd, type, seq, body, len, -1);
}

void raw_hello(int fd, bool events)
{
	uint8_t body[12];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, IPC_VERSION);
	wbuf_u32(&wb, (uint32_t)getpid());
	wbuf_u32(&wb, events ? 1 : 0);
	raw_send(fd, IPC_HELLO, 1, body, wb.len);
}

/* Reads exactly `n` bytes (into `p`, or nowhere when it is NULL). */
static void read_exact(int fd, void *p, size_t n)
{
	uint8_t sink[4096];

	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		size_t want = p ? n : (n < sizeof(sink) ? n : sizeof(sink));
		ssize_t r;

		CHECK(poll(&pf, 1, WAIT_MS) == 1);
		r = recv(fd, p ? p : sink, want, 0);
		if (r < 0 && errno == EINTR)
			continue;
		CHECK(r > 0);
		if (p)
			p = (uint8_t *)p + r;
		n -= (size_t)r;
	}
}

/* Reads one frame's header, checks its type, and drops its body. */
static void read_reply(int fd, uint16_t type, uint32_t seq,
    struct ipc_hdr *h)
{
	uint8_t hb[IPC_HDR_LEN];

	read_exact(fd, hb, sizeof(hb));
	CHECK(ipc_hdr_get(hb, h) == 0);
	CHECK(h->type == type && h->seq == seq);
	read_exact(fd, NULL, h->len - IPC_HDR_LEN);
}

void raw_await_close(int fd)
{
	uint8_t buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		CHECK(poll(&p, 1, WAIT_MS) == 1);
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		CHECK(r > 0);
	}
	close(fd);
}

uint32_t raw_refusal(int fd)
{
	struct ipc_hdr h;

	read_reply(fd, IPC_HELLO_REPLY, 0, &h);
	raw_await_close(fd);
	return h.error;
}

/* Takes the HELLO reply, which carries the ring's descriptor. */
static void take_hello_reply(struct raw_conn *rc, uint32_t *id,
    uint64_t *cookie)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	uint8_t reply[IPC_HDR_LEN + HELLO_REPLY_BODY];
	struct iovec iov = { reply, sizeof(reply) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct pollfd p = { .fd = rc->req, .events = POLLIN };
	struct cmsghdr *cm;
	struct ipc_hdr h;
	struct rbuf rb;
	uint64_t cap;

	/* The daemon sends the reply and the descriptor in one message. */
	CHECK(poll(&p, 1, WAIT_MS) == 1);
	CHECK(recvmsg(rc->req, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC) ==
	    (ssize_t)sizeof(reply));
	cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)));
	memcpy(&rc->ring_fd, CMSG_DATA(cm), sizeof(int));
	CHECK(ipc_hdr_get(reply, &h) == 0 && h.type == IPC_HELLO_REPLY &&
	    h.error == CS_OK && h.len == sizeof(reply));
	rbuf_init(&rb, reply + IPC_HDR_LEN, HELLO_REPLY_BODY);
	*id = rbuf_u32(&rb);
	*cookie = rbuf_u64(&rb);
	(void)rbuf_u32(&rb);   /* node id */
	(void)rbuf_u64(&rb);   /* send window */
	cap = rbuf_u64(&rb);
	CHECK(!rb.err && cap == COHORT_IPC_RING);
	CHECK(ipc_ring_map(rc->ring_fd, cap, &rc->ring) == 0);
}

void raw_open(struct raw_conn *rc, bool attach)
{
	uint8_t body[ATTACH_BODY];
	struct ipc_hdr h;
	struct wbuf wb;
	uint64_t cookie;
	uint32_t id;

	*rc = (struct raw_conn){ .req = raw_connect(), .ev = -1, .ring_fd = -1,
	    .pass = -1 };
	raw_hello(rc->req, true);
	take_hello_reply(rc, &id, &cookie);
	if (!attach)
		return;
	rc->ev = raw_connect();
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, id);
	wbuf_u64(&wb, cookie);
	raw_send(rc->ev, IPC_ATTACH, 1, body, wb.len);
	read_reply(rc->ev, IPC_ATTACH_REPLY, 1, &h);
	CHECK(h.error == CS_OK);
}

void raw_close(struct raw_conn *rc)
{
	if (rc->req >= 0)
		close(rc->req);
	if (rc->ev >= 0)
		close(rc->ev);
	if (rc->ring_fd >= 0)
		close(rc->ring_fd);
	ipc_ring_unmap(&rc->ring);
	rc->ev = rc->req = rc->ring_fd = -1;
}

uint32_t raw_request(struct raw_conn *rc, uint16_t type, const void *body,
    size_t len)
{
	send_passing(rc->req, type, ++rc->seq, body, len, rc->pass);
	rc->pass = -1;
	return raw_reply(rc);
}

void raw_join_send(struct raw_conn *rc, const char *group, uint32_t pid)
{
	struct ipc_name name = { .length = (uint32_t)strlen(group) };
	uint8_t body[4 + IPC_NAME_MAX + 8];
	struct wbuf wb;

	CHECK(name.length <= IPC_NAME_MAX);
	memcpy(name.value, group, name.length);
	wbuf_init(&wb, body, sizeof(body));
	ipc_name_put(&wb, &name);
	wbuf_u32(&wb, pid);
	wbuf_u32(&wb, 0);   /* flags */
	send_passing(rc->req, IPC_JOIN, ++rc->seq, body, wb.len, rc->pass);
	rc->pass = -1;
}

uint32_t raw_reply(struct raw_conn *rc)
{
	struct ipc_hdr h;

	read_reply(rc->req, IPC_REPLY, rc->seq, &h);
	return h.error;
}

void raw_join(struct raw_conn *rc, const char *group, uint32_t pid)
{
	raw_join_send(rc, group, pid);
	CHECK_CS(raw_reply(rc), CS_OK);
}

uint8_t *raw_ring_next(struct raw_conn *rc)
{
	return rc->ring.data + rc->tail % rc->ring.cap;
}

void raw_ring_mcast(struct raw_conn *rc, const void *payload, size_t len)
{
	uint32_t frame_len = (uint32_t)(IPC_HDR_LEN + 4 + len);
	uint64_t head = atomic_load_explicit(&rc->ring.sh->head,
	    memory_order_acquire);
	uint8_t *p = raw_ring_next(rc);

	CHECK(rc->tail + ipc_ring_stride(frame_len) - head <= rc->ring.cap);
	raw_hdr(p, frame_len, IPC_MCAST, 0);
	put_u32(p + IPC_HDR_LEN, CPG_TYPE_AGREED);
	if (len)
		memcpy(p + IPC_HDR_LEN + 4, payload, len);
	rc->tail += ipc_ring_stride(frame_len);
}

void raw_ring_publish(struct raw_conn *rc)
{
	atomic_store_explicit(&rc->ring.sh->tail, rc->tail,
	    memory_order_release);
}
