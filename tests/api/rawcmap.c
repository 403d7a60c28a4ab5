/* rawcmap.c: a cmap client speaking raw IPC (rawcmap.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "common/ipc_cmap.h"
#include "harness.h"
#include "raw.h"
#include "rawcmap.h"

/* The largest frame a cmap reply or event can be. */
#define FRAME_MAX (IPC_HDR_LEN + 64u + 256u + 2u * (8u + 16385u))

static void read_all(int fd, void *p, size_t n)
{
	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t r;

		CHECK(poll(&pf, 1, WAIT_MS) == 1);
		r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		CHECK(r > 0);
		p = (uint8_t *)p + r;
		n -= (size_t)r;
	}
}

/* One whole frame into `buf` (FRAME_MAX bytes); its header in *h. */
static void read_frame(int fd, struct ipc_hdr *h, uint8_t *buf)
{
	read_all(fd, buf, IPC_HDR_LEN);
	CHECK(ipc_hdr_get(buf, h) == 0 && h->len <= FRAME_MAX);
	read_all(fd, buf + IPC_HDR_LEN, h->len - IPC_HDR_LEN);
}

/* HELLO; the reply's error, and on CS_OK the connection's id and cookie
 * for its ATTACH. The daemon refuses a peer it does not allow at accept,
 * with a HELLO_REPLY before the first frame is read. */
static uint32_t hello(struct cmr *c, bool events, uint32_t *id,
    uint64_t *cookie)
{
	static uint8_t buf[FRAME_MAX];
	uint8_t body[12];
	struct ipc_hdr h;
	struct wbuf wb;
	struct rbuf rb;

	*c = (struct cmr){ .req = raw_connect(), .ev = -1, .seq = 1 };
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, IPC_VERSION);
	wbuf_u32(&wb, (uint32_t)getpid());
	wbuf_u32(&wb, events ? IPC_HELLO_EVENTS_ONLY : IPC_HELLO_NO_EVENTS);
	/* A refused peer may find the socket closed already: the write
	 * may fail, the refusal is read all the same. */
	raw_hdr(buf, IPC_HDR_LEN + (uint32_t)wb.len, IPC_HELLO, 0);
	memcpy(buf + IPC_HDR_LEN, body, wb.len);
	(void)!send(c->req, buf, IPC_HDR_LEN + wb.len, MSG_NOSIGNAL);
	read_frame(c->req, &h, buf);
	CHECK(h.type == IPC_HELLO_REPLY);
	if (h.error != CS_OK)
		return h.error;
	rbuf_init(&rb, buf + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	*id = rbuf_u32(&rb);
	*cookie = rbuf_u64(&rb);
	CHECK(!rb.err);
	return CS_OK;
}

uint32_t cmr_try_open(struct cmr *c)
{
	uint64_t cookie;
	uint32_t id, err = hello(c, false, &id, &cookie);

	if (err != CS_OK)
		cmr_close(c);
	return err;
}

void cmr_open(struct cmr *c, bool events)
{
	static uint8_t buf[FRAME_MAX];
	uint8_t body[12];
	struct ipc_hdr h;
	struct wbuf wb;
	uint64_t cookie;
	uint32_t id;

	CHECK(hello(c, events, &id, &cookie) == CS_OK);
	if (!events)
		return;
	c->ev = raw_connect();
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, id);
	wbuf_u64(&wb, cookie);
	raw_send(c->ev, IPC_ATTACH, 1, body, wb.len);
	read_frame(c->ev, &h, buf);
	CHECK(h.type == IPC_ATTACH_REPLY && h.error == CS_OK);
}

void cmr_close(struct cmr *c)
{
	if (c->req >= 0)
		close(c->req);
	if (c->ev >= 0)
		close(c->ev);
	c->req = c->ev = -1;
}

uint32_t cmr_call(struct cmr *c, uint16_t type, const void *body, size_t len,
    void *out, size_t cap, size_t *out_len)
{
	static uint8_t buf[FRAME_MAX];
	struct ipc_hdr h;
	size_t n;

	raw_send(c->req, type, ++c->seq, body, len);
	read_frame(c->req, &h, buf);
	CHECK(h.type == IPC_REPLY && h.seq == c->seq);
	n = h.len - IPC_HDR_LEN;
	CHECK(n <= cap || !out);
	if (out)
		memcpy(out, buf + IPC_HDR_LEN, n);
	if (out_len)
		*out_len = n;
	return h.error;
}

void cmr_dropped(struct cmr *c, uint16_t type, const void *body, size_t len)
{
	raw_send(c->req, type, ++c->seq, body, len);
	raw_await_close(c->req);
	c->req = -1;
	cmr_close(c);
}

/* A request whose reply, on CS_OK, is one u64 (into *v). */
static uint32_t call_u64(struct cmr *c, uint16_t type, const struct wbuf *wb,
    uint64_t *v)
{
	uint8_t out[8];
	struct rbuf rb;
	size_t n;
	uint32_t err = cmr_call(c, type, wb->p, wb->len, out, sizeof(out), &n);

	if (err == CS_OK) {
		rbuf_init(&rb, out, n);
		*v = rbuf_u64(&rb);
		CHECK(!rb.err && rb.left == 0);
	}
	return err;
}

static void put_str(struct wbuf *wb, const char *s)
{
	wbuf_u32(wb, (uint32_t)strlen(s));
	wbuf_copy(wb, s, strlen(s));
}

uint32_t cmr_set_map(struct cmr *c, uint32_t map)
{
	uint8_t b[4];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u32(&wb, map);
	return cmr_call(c, CMAP_REQ_SET_MAP, b, wb.len, NULL, 0, NULL);
}

uint32_t cmr_set(struct cmr *c, const char *key, uint32_t type,
    const void *value, uint32_t len)
{
	uint8_t *b = malloc(16u + 256u + len);
	struct wbuf wb;
	uint32_t err;

	CHECK(b != NULL);
	wbuf_init(&wb, b, 16u + 256u + len);
	put_str(&wb, key);
	wbuf_u32(&wb, type);
	wbuf_u32(&wb, len);
	wbuf_copy(&wb, value, len);
	CHECK(!wb.err);
	err = cmr_call(c, CMAP_REQ_SET, b, wb.len, NULL, 0, NULL);
	free(b);
	return err;
}

uint32_t cmr_delete(struct cmr *c, const char *key)
{
	uint8_t b[300];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	put_str(&wb, key);
	return cmr_call(c, CMAP_REQ_DELETE, b, wb.len, NULL, 0, NULL);
}

uint32_t cmr_adjust(struct cmr *c, const char *key, int32_t step)
{
	uint8_t b[300];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	put_str(&wb, key);
	wbuf_u32(&wb, (uint32_t)step);
	return cmr_call(c, CMAP_REQ_ADJUST, b, wb.len, NULL, 0, NULL);
}

uint32_t cmr_get(struct cmr *c, const char *key, bool want_value,
    uint32_t room, uint32_t *type, void *value, uint32_t *len)
{
	static uint8_t out[FRAME_MAX];
	uint8_t b[300];
	struct wbuf wb;
	struct rbuf rb;
	size_t n;
	uint32_t err;

	wbuf_init(&wb, b, sizeof(b));
	put_str(&wb, key);
	wbuf_u32(&wb, want_value);
	wbuf_u32(&wb, room);
	err = cmr_call(c, CMAP_REQ_GET, b, wb.len, out, sizeof(out), &n);
	if (err != CS_OK) {
		CHECK(n == 0);
		return err;
	}
	rbuf_init(&rb, out, n);
	*type = rbuf_u32(&rb);
	*len = rbuf_u32(&rb);
	if (want_value)
		rbuf_copy(&rb, value, *len);
	CHECK(!rb.err && rb.left == 0);
	return err;
}

uint32_t cmr_iter_init(struct cmr *c, const char *prefix, uint64_t *iter)
{
	uint8_t b[300];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	put_str(&wb, prefix);
	return call_u64(c, CMAP_REQ_ITER_INIT, &wb, iter);
}

uint32_t cmr_iter_next(struct cmr *c, uint64_t iter, char key[256],
    uint32_t *type, uint32_t *len)
{
	uint8_t b[8], out[300];
	struct wbuf wb;
	struct rbuf rb;
	size_t n;
	uint32_t err, klen;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u64(&wb, iter);
	err = cmr_call(c, CMAP_REQ_ITER_NEXT, b, wb.len, out, sizeof(out), &n);
	if (err != CS_OK)
		return err;
	rbuf_init(&rb, out, n);
	klen = rbuf_u32(&rb);
	CHECK(klen < 256);
	rbuf_copy(&rb, key, klen);
	key[klen] = '\0';
	*type = rbuf_u32(&rb);
	*len = rbuf_u32(&rb);
	CHECK(!rb.err && rb.left == 0);
	return err;
}

uint32_t cmr_iter_finalize(struct cmr *c, uint64_t iter)
{
	uint8_t b[8];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u64(&wb, iter);
	return cmr_call(c, CMAP_REQ_ITER_FINALIZE, b, wb.len, NULL, 0, NULL);
}

uint32_t cmr_track_add(struct cmr *c, const char *key, uint32_t flags,
    uint64_t cookie, uint64_t *track)
{
	uint8_t b[300];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	put_str(&wb, key);
	wbuf_u32(&wb, flags);
	wbuf_u64(&wb, cookie);
	return call_u64(c, CMAP_REQ_TRACK_ADD, &wb, track);
}

uint32_t cmr_track_delete(struct cmr *c, uint64_t track, uint64_t *cookie)
{
	uint8_t b[8];
	struct wbuf wb;

	wbuf_init(&wb, b, sizeof(b));
	wbuf_u64(&wb, track);
	return call_u64(c, CMAP_REQ_TRACK_DELETE, &wb, cookie);
}

void cmr_event(struct cmr *c, struct cmr_event *ev)
{
	static uint8_t buf[FRAME_MAX];
	struct ipc_hdr h;
	struct rbuf rb;
	uint32_t klen;

	read_frame(c->ev, &h, buf);
	CHECK(h.type == CMAP_EV_NOTIFY);
	rbuf_init(&rb, buf + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	ev->track = rbuf_u64(&rb);
	ev->cookie = rbuf_u64(&rb);
	ev->event = rbuf_u32(&rb);
	klen = rbuf_u32(&rb);
	CHECK(klen < sizeof(ev->key));
	rbuf_copy(&rb, ev->key, klen);
	ev->key[klen] = '\0';
	ev->new_type = rbuf_u32(&rb);
	ev->new_len = rbuf_u32(&rb);
	CHECK(ev->new_len <= sizeof(ev->new_data));
	rbuf_copy(&rb, ev->new_data, ev->new_len);
	ev->old_type = rbuf_u32(&rb);
	ev->old_len = rbuf_u32(&rb);
	CHECK(ev->old_len <= sizeof(ev->old_data));
	rbuf_copy(&rb, ev->old_data, ev->old_len);
	CHECK(!rb.err && rb.left == 0);
}
