/*
 * cmap.c: libcmap's handles, trackers and the dispatch of their
 * notifications (cmap.h; the wire is common/ipc_cmap.h).
 *
 * Errors inside are negative errnos or CONN_REFUSED with the daemon's
 * cs_error_t; each public function converts once, with svc_error(), on
 * its way out. Checks that corosync's library makes before talking to
 * the daemon are made here in the same order; everything else is the
 * daemon's answer, passed through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmap/cmap_int.h"

static void inst_destroy(void *obj);

struct hdb cmap_handles = HDB_INIT(inst_destroy);

static void inst_destroy(void *obj)
{
	struct cmap_inst *ci = obj;

	svc_close(&ci->sc);
	free(ci->tracks);
	free(ci->scratch);
	pthread_mutex_destroy(&ci->tr_lock);
	free(ci);
}

void cmap_put_str(struct wbuf *wb, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	wbuf_u32(wb, (uint32_t)n);
	wbuf_copy(wb, s, n);
}

cs_error_t cmap_call(cmap_handle_t handle, uint16_t type, const void *body,
    size_t len, int (*decode)(void *arg, struct rbuf *reply), void *arg)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);
	uint32_t refused = 0;
	int rc;

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	rc = svc_call(&ci->sc, type, body, len, decode, arg, &refused);
	hdb_put(&cmap_handles, handle);
	return svc_error(rc, refused);
}

cs_error_t cmap_initialize(cmap_handle_t *handle)
{
	struct cmap_inst *ci;
	uint32_t refused = 0;
	int rc;

	if (!handle)
		return CS_ERR_INVALID_PARAM;
	ci = calloc(1, sizeof(*ci));
	if (!ci)
		return CS_ERR_NO_MEMORY;
	pthread_mutex_init(&ci->tr_lock, NULL);
	atomic_store(&ci->context, NULL);
	ci->next_cookie = 1;
	rc = svc_open(&ci->sc, true, &refused);
	if (rc == 0)
		rc = hdb_create(&cmap_handles, ci, handle);
	if (rc)
		inst_destroy(ci);
	return svc_error(rc, refused);
}

cs_error_t cmap_initialize_map(cmap_handle_t *handle, cmap_map_t map)
{
	uint8_t body[4];
	struct wbuf wb;
	cs_error_t err;

	err = cmap_initialize(handle);
	if (err != CS_OK)
		return err;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, (uint32_t)map);
	/* As corosync's: when the daemon refuses the map, the handle stays
	 * connected and is returned with the error. */
	return cmap_call(*handle, CMAP_REQ_SET_MAP, body, wb.len, NULL, NULL);
}

cs_error_t cmap_finalize(cmap_handle_t handle)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	if (!svc_finalize(&ci->sc)) {
		hdb_put(&cmap_handles, handle);
		return CS_ERR_BAD_HANDLE;
	}
	/* The daemon drops this connection's iterators and trackers when it
	 * closes; the library's trackers go with the object. */
	hdb_destroy(&cmap_handles, handle);
	hdb_put(&cmap_handles, handle);
	return CS_OK;
}

cs_error_t cmap_fd_get(cmap_handle_t handle, int *fd)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	if (fd)
		*fd = svc_fd(&ci->sc);
	hdb_put(&cmap_handles, handle);
	return fd ? CS_OK : CS_ERR_INVALID_PARAM;
}

cs_error_t cmap_context_get(cmap_handle_t handle, const void **context)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	if (context)
		*context = atomic_load(&ci->context);
	hdb_put(&cmap_handles, handle);
	return context ? CS_OK : CS_ERR_INVALID_PARAM;
}

cs_error_t cmap_context_set(cmap_handle_t handle, const void *context)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	atomic_store(&ci->context, context);
	hdb_put(&cmap_handles, handle);
	return CS_OK;
}

/* ------------------------------------------------------------ trackers */

static int track_find(const struct cmap_inst *ci, uint64_t cookie)
{
	for (size_t i = 0; i < ci->n_tracks; i++)
		if (ci->tracks[i].cookie == cookie)
			return (int)i;
	return -1;
}

static void track_remove(struct cmap_inst *ci, uint64_t cookie)
{
	int i;

	pthread_mutex_lock(&ci->tr_lock);
	i = track_find(ci, cookie);
	if (i >= 0)
		ci->tracks[i] = ci->tracks[--ci->n_tracks];
	pthread_mutex_unlock(&ci->tr_lock);
}

/* Adds the library's side of a tracker before the request goes, so that
 * an event dispatched by another thread before the reply finds it. */
static int track_insert(struct cmap_inst *ci, cmap_notify_fn_t fn,
    void *user_data, uint64_t *cookie)
{
	int rc = 0;

	pthread_mutex_lock(&ci->tr_lock);
	if (ci->n_tracks == ci->cap_tracks) {
		size_t cap = ci->cap_tracks ? ci->cap_tracks * 2 : 8;
		struct cmap_track *t = realloc(ci->tracks, cap * sizeof(*t));

		if (!t) {
			rc = -ENOMEM;
			goto out;
		}
		ci->tracks = t;
		ci->cap_tracks = cap;
	}
	*cookie = ci->next_cookie++;
	ci->tracks[ci->n_tracks++] = (struct cmap_track){
		.cookie = *cookie, .fn = fn, .user_data = user_data,
	};
out:
	pthread_mutex_unlock(&ci->tr_lock);
	return rc;
}

int cmap_decode_u64(void *arg, struct rbuf *rb)
{
	*(uint64_t *)arg = rbuf_u64(rb);
	return rb->err || rb->left ? -EBADMSG : 0;
}

cs_error_t cmap_track_add(cmap_handle_t handle, const char *key_name,
    int32_t track_type, cmap_notify_fn_t notify_fn, void *user_data,
    cmap_track_handle_t *cmap_track_handle)
{
	uint8_t body[4 + CMAP_KEYNAME_MAXLEN + 4 + 8];
	struct cmap_inst *ci;
	uint64_t cookie = 0, track = 0;
	uint32_t refused = 0;
	struct wbuf wb;
	int rc;

	if (!cmap_track_handle || !notify_fn)
		return CS_ERR_INVALID_PARAM;
	ci = svc_get(&cmap_handles, handle);
	if (!ci)
		return CS_ERR_BAD_HANDLE;
	if (key_name && strlen(key_name) > CMAP_KEYNAME_MAXLEN) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	rc = track_insert(ci, notify_fn, user_data, &cookie);
	if (rc)
		goto out;
	wbuf_init(&wb, body, sizeof(body));
	cmap_put_str(&wb, key_name);
	wbuf_u32(&wb, (uint32_t)track_type);
	wbuf_u64(&wb, cookie);
	rc = svc_call(&ci->sc, CMAP_REQ_TRACK_ADD, body, wb.len, cmap_decode_u64,
	    &track, &refused);
	if (rc) {
		track_remove(ci, cookie);
		goto out;
	}
	pthread_mutex_lock(&ci->tr_lock);
	int i = track_find(ci, cookie);
	if (i >= 0)
		ci->tracks[i].track = track;
	pthread_mutex_unlock(&ci->tr_lock);
	*cmap_track_handle = track;
out:
	hdb_put(&cmap_handles, handle);
	return svc_error(rc, refused);
}

cs_error_t cmap_track_delete(cmap_handle_t handle,
    cmap_track_handle_t track_handle)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);
	uint8_t body[8];
	uint64_t cookie = 0;
	uint32_t refused = 0;
	struct wbuf wb;
	int rc;

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, track_handle);
	rc = svc_call(&ci->sc, CMAP_REQ_TRACK_DELETE, body, wb.len,
	    cmap_decode_u64, &cookie, &refused);
	if (rc == 0)
		track_remove(ci, cookie);
	hdb_put(&cmap_handles, handle);
	return svc_error(rc, refused);
}

/* ------------------------------------------------------------ dispatch */

struct ev_value {
	uint32_t type, len;
	const uint8_t *bytes;
};

static void get_value(struct rbuf *rb, struct ev_value *v)
{
	v->type = rbuf_u32(rb);
	v->len = rbuf_u32(rb);
	v->bytes = rbuf_take(rb, v->len);
}

/* Room in the scratch buffer for both values of an event. */
static int scratch_reserve(struct cmap_inst *ci, size_t need)
{
	uint8_t *p;

	if (need <= ci->scratch_cap)
		return 0;
	p = realloc(ci->scratch, need);
	if (!p)
		return -ENOMEM;
	ci->scratch = p;
	ci->scratch_cap = need;
	return 0;
}

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static int on_event(void *arg, const struct ipc_hdr *h, struct rbuf *rb)
{
	cmap_handle_t handle = *(const cmap_handle_t *)arg;
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);
	struct cmap_notify_value nv, ov;
	struct ev_value n, o;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	uint64_t track, cookie;
	cmap_notify_fn_t fn = NULL;
	void *user_data = NULL;
	uint32_t event, klen;
	int rc = 0, i;

	if (!ci)
		return -EBADF;
	if (h->type != CMAP_EV_NOTIFY) {
		rc = -EBADMSG;
		goto out;
	}
	track = rbuf_u64(rb);
	cookie = rbuf_u64(rb);
	event = rbuf_u32(rb);
	klen = rbuf_u32(rb);
	if (klen > CMAP_KEYNAME_MAXLEN) {
		rc = -EBADMSG;
		goto out;
	}
	rbuf_copy(rb, key, klen);
	key[klen] = '\0';
	get_value(rb, &n);
	get_value(rb, &o);
	if (rb->err || rb->left) {
		rc = -EBADMSG;
		goto out;
	}
	pthread_mutex_lock(&ci->tr_lock);
	i = track_find(ci, cookie);
	if (i >= 0) {
		fn = ci->tracks[i].fn;
		user_data = ci->tracks[i].user_data;
	}
	pthread_mutex_unlock(&ci->tr_lock);
	if (!fn)
		goto out;       /* deleted before this notification came */
	/* Both values are copied to aligned memory, the old one just past
	 * the new, so that neither data pointer is ever NULL (corosync's
	 * callers test len, not data). */
	rc = scratch_reserve(ci, ALIGN8(n.len) + o.len + 1);
	if (rc)
		goto out;
	memcpy(ci->scratch, n.bytes, n.len);
	memcpy(ci->scratch + ALIGN8(n.len), o.bytes, o.len);
	nv = (struct cmap_notify_value){ n.type, n.len, ci->scratch };
	ov = (struct cmap_notify_value){ o.type, o.len,
	    ci->scratch + ALIGN8(n.len) };
	fn(handle, track, (int32_t)event, key, nv, ov, user_data);
out:
	hdb_put(&cmap_handles, handle);
	return rc;
}

cs_error_t cmap_dispatch(cmap_handle_t handle,
    cs_dispatch_flags_t dispatch_types)
{
	struct cmap_inst *ci = svc_get(&cmap_handles, handle);
	int rc;

	if (!ci)
		return CS_ERR_BAD_HANDLE;
	/* corosync's cmap_dispatch treats a value it does not know as
	 * CS_DISPATCH_BLOCKING. */
	if (dispatch_types != CS_DISPATCH_ONE &&
	    dispatch_types != CS_DISPATCH_ALL &&
	    dispatch_types != CS_DISPATCH_ONE_NONBLOCKING)
		dispatch_types = CS_DISPATCH_BLOCKING;
	rc = svc_dispatch(&ci->sc, dispatch_types, on_event, &handle);
	hdb_put(&cmap_handles, handle);
	return svc_error(rc, 0);
}
