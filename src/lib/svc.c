/*
 * svc.c: the handle, requests and dispatch shared by the cmap, quorum,
 * votequorum and cfg libraries (svc.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/svc.h"

#define EV_INITIAL 4096u

int svc_open(struct svc_client *sc, bool events, uint32_t *refused)
{
	pthread_mutex_init(&sc->req_lock, NULL);
	pthread_mutex_init(&sc->ev_lock, NULL);
	atomic_store(&sc->finalized, false);
	atomic_store(&sc->dispatching, false);
	sc->evbuf = NULL;
	sc->evcap = sc->evlen = sc->evoff = 0;
	return conn_open(&sc->conn, events ? IPC_HELLO_EVENTS_ONLY :
	    IPC_HELLO_NO_EVENTS, refused);
}

void svc_close(struct svc_client *sc)
{
	conn_close(&sc->conn);
	free(sc->evbuf);
	sc->evbuf = NULL;
	pthread_mutex_destroy(&sc->req_lock);
	pthread_mutex_destroy(&sc->ev_lock);
}

cs_error_t svc_error(int rc, uint32_t refused)
{
	switch (rc) {
	case 0:
		return CS_OK;
	case CONN_REFUSED:
		return (cs_error_t)refused;
	case -ENOMEM:
		return CS_ERR_NO_MEMORY;
	case -EBADF:
		return CS_ERR_BAD_HANDLE;
	case -EAGAIN:
	case -ENOBUFS:
		return CS_ERR_TRY_AGAIN;
	case -EINVAL:
		return CS_ERR_INVALID_PARAM;
	case -EMSGSIZE:
		return CS_ERR_TOO_BIG;
	case -ENAMETOOLONG:
		return CS_ERR_NAME_TOO_LONG;
	case -EMFILE:
		return CS_ERR_NO_RESOURCES;
	case -EACCES:
		return CS_ERR_ACCESS;
	case -EBUSY:
		return CS_ERR_BUSY;
	case -ENOENT:
		return CS_ERR_NOT_EXIST;
	case -EEXIST:
		return CS_ERR_EXIST;
	case -ENOTSUP:
		return CS_ERR_NOT_SUPPORTED;
	case -ETIMEDOUT:
		return CS_ERR_TIMEOUT;
	default:
		return CS_ERR_LIBRARY;
	}
}

int svc_call(struct svc_client *sc, uint16_t type, const void *body,
    size_t len, int (*decode)(void *arg, struct rbuf *reply), void *arg,
    uint32_t *refused)
{
	struct ipc_reply r;
	struct rbuf rb;
	int rc;

	if (atomic_load(&sc->finalized))
		return -EBADF;
	pthread_mutex_lock(&sc->req_lock);
	rc = conn_request(&sc->conn, type, body, len, &r);
	if (rc == CONN_REFUSED)
		*refused = r.error;
	if (rc == 0 && decode) {
		rbuf_init(&rb, r.body, r.len);
		rc = decode(arg, &rb);
	}
	pthread_mutex_unlock(&sc->req_lock);
	return rc;
}

int svc_fd(const struct svc_client *sc)
{
	return sc->conn.ev_fd;
}

/* Room for `need` more bytes after the buffered ones; dispatched frames
 * are dropped from the front first. */
static int ev_reserve(struct svc_client *sc, size_t need)
{
	size_t cap;
	uint8_t *grown;

	if (sc->evoff > 0) {
		memmove(sc->evbuf, sc->evbuf + sc->evoff, sc->evlen - sc->evoff);
		sc->evlen -= sc->evoff;
		sc->evoff = 0;
	}
	if (sc->evcap - sc->evlen >= need)
		return 0;
	cap = sc->evcap ? sc->evcap : EV_INITIAL;
	while (cap - sc->evlen < need)
		cap *= 2;
	grown = realloc(sc->evbuf, cap);
	if (!grown)
		return -ENOMEM;
	sc->evbuf = grown;
	sc->evcap = cap;
	return 0;
}

/* The length of the frame at the front, 0 when its header is not all
 * here yet, or -EBADMSG. */
static long head_len(const struct svc_client *sc)
{
	struct ipc_hdr h;

	if (sc->evlen - sc->evoff < IPC_HDR_LEN)
		return 0;
	if (ipc_hdr_get(sc->evbuf + sc->evoff, &h) < 0)
		return -EBADMSG;
	return (long)h.len;
}

static bool have_frame(const struct svc_client *sc)
{
	long n = head_len(sc);

	return n > 0 && sc->evlen - sc->evoff >= (size_t)n;
}

/*
 * Reads more of the frame at the front of the event channel, waiting up
 * to `timeout` ms (-1: until something comes) for its first bytes; once
 * a frame has begun, for the rest whatever `timeout` says. Never reads
 * past that frame: an event taken into the buffer would no longer make
 * the descriptor readable, and a caller that polls it before dispatching
 * again would wait for an event it already has. 0, -EAGAIN (nothing
 * came), -EPIPE (the daemon closed it), -EBADMSG or another -errno.
 */
static int ev_fill(struct svc_client *sc, int timeout)
{
	long need = head_len(sc);
	size_t have = sc->evlen - sc->evoff, want;
	ssize_t r;
	int rc;

	if (need < 0)
		return (int)need;
	want = need > 0 ? (size_t)need - have : IPC_HDR_LEN - have;
	if (have > 0)
		timeout = -1;
	rc = ev_reserve(sc, want < EV_INITIAL ? EV_INITIAL : want);
	if (rc)
		return rc;
	for (;;) {
		struct pollfd p = { .fd = sc->conn.ev_fd, .events = POLLIN };

		r = recv(sc->conn.ev_fd, sc->evbuf + sc->evlen, want,
		    MSG_DONTWAIT);
		if (r > 0) {
			sc->evlen += (size_t)r;
			return 0;
		}
		if (r == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (timeout == 0)
			return -EAGAIN;
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			return -errno;
		if (atomic_load(&sc->finalized))
			return -EBADF;
	}
}

static int dispatch_loop(struct svc_client *sc, cs_dispatch_flags_t mode,
    int (*on_event)(void *, const struct ipc_hdr *, struct rbuf *),
    void *arg)
{
	bool one = mode == CS_DISPATCH_ONE || mode == CS_DISPATCH_ONE_NONBLOCKING;
	int wait = mode == CS_DISPATCH_ONE || mode == CS_DISPATCH_BLOCKING ?
	    -1 : 0;

	for (;;) {
		const uint8_t *f;
		struct ipc_hdr h;
		struct rbuf rb;
		int rc;

		while (!have_frame(sc)) {
			rc = ev_fill(sc, wait);
			if (rc == -EAGAIN)
				return mode == CS_DISPATCH_ONE_NONBLOCKING ?
				    rc : 0;
			if (rc < 0)
				return atomic_load(&sc->finalized) ? -EBADF :
				    rc;
		}
		f = sc->evbuf + sc->evoff;
		if (ipc_hdr_get(f, &h) < 0)
			return -EBADMSG;
		sc->evoff += h.len;
		rbuf_init(&rb, f + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		rc = on_event(arg, &h, &rb);
		if (atomic_load(&sc->finalized))
			return -EBADF;
		if (rc < 0)
			return rc;
		if (one)
			return 0;
	}
}

int svc_dispatch(struct svc_client *sc, cs_dispatch_flags_t mode,
    int (*on_event)(void *arg, const struct ipc_hdr *h, struct rbuf *body),
    void *arg)
{
	int rc;

	if (atomic_load(&sc->finalized))
		return -EBADF;
	if (sc->conn.ev_fd < 0)
		return -EINVAL;
	/* A callback that dispatches its own handle again would pull the
	 * frame it is reading from under itself. */
	if (atomic_load(&sc->dispatching) &&
	    pthread_equal(sc->dispatcher, pthread_self()))
		return -EBUSY;
	pthread_mutex_lock(&sc->ev_lock);
	sc->dispatcher = pthread_self();
	atomic_store(&sc->dispatching, true);
	rc = dispatch_loop(sc, mode, on_event, arg);
	atomic_store(&sc->dispatching, false);
	pthread_mutex_unlock(&sc->ev_lock);
	return rc;
}

bool svc_finalize(struct svc_client *sc)
{
	if (atomic_exchange(&sc->finalized, true))
		return false;
	/* Wakes a thread blocked in svc_dispatch: its poll returns and it
	 * sees the handle finalized. */
	if (sc->conn.ev_fd >= 0)
		shutdown(sc->conn.ev_fd, SHUT_RDWR);
	return true;
}

void *svc_get(struct hdb *db, uint64_t handle)
{
	struct svc_client *sc = hdb_get(db, handle);

	if (sc && atomic_load(&sc->finalized)) {
		hdb_put(db, handle);
		return NULL;
	}
	return sc;
}

cs_error_t svc_request(struct hdb *db, uint64_t handle, uint16_t type,
    const void *body, size_t len, int (*decode)(void *arg, struct rbuf *reply),
    void *arg)
{
	struct svc_client *sc = svc_get(db, handle);
	uint32_t refused = 0;
	int rc;

	if (!sc)
		return CS_ERR_BAD_HANDLE;
	rc = svc_call(sc, type, body, len, decode, arg, &refused);
	hdb_put(db, handle);
	return svc_error(rc, refused);
}

cs_error_t svc_handle_finalize(struct hdb *db, uint64_t handle)
{
	struct svc_client *sc = svc_get(db, handle);

	if (!sc)
		return CS_ERR_BAD_HANDLE;
	/* Another thread finalizes it already. */
	if (!svc_finalize(sc)) {
		hdb_put(db, handle);
		return CS_ERR_BAD_HANDLE;
	}
	hdb_destroy(db, handle);
	hdb_put(db, handle);
	return CS_OK;
}

cs_error_t svc_handle_fd(struct hdb *db, uint64_t handle, int *fd)
{
	struct svc_client *sc;

	if (!fd)
		return CS_ERR_INVALID_PARAM;
	sc = svc_get(db, handle);
	if (!sc)
		return CS_ERR_BAD_HANDLE;
	*fd = svc_fd(sc);
	hdb_put(db, handle);
	return CS_OK;
}

cs_error_t svc_handle_dispatch(struct hdb *db, uint64_t handle,
    cs_dispatch_flags_t mode, bool strict,
    int (*on_event)(void *obj, const struct ipc_hdr *h, struct rbuf *body))
{
	struct svc_client *sc;
	int rc;

	if (mode != CS_DISPATCH_ONE && mode != CS_DISPATCH_ALL &&
	    mode != CS_DISPATCH_ONE_NONBLOCKING) {
		if (strict && mode != CS_DISPATCH_BLOCKING)
			return CS_ERR_INVALID_PARAM;
		mode = CS_DISPATCH_BLOCKING;
	}
	sc = svc_get(db, handle);
	if (!sc)
		return CS_ERR_BAD_HANDLE;
	rc = svc_dispatch(sc, mode, on_event, sc);
	hdb_put(db, handle);
	return svc_error(rc, 0);
}
