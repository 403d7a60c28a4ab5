/*
 * cmap_int.h: libcmap's handle object and what its files share.
 */
#ifndef COHORT_LIB_CMAP_INT_H
#define COHORT_LIB_CMAP_INT_H

#include <corosync/cmap.h>

#include "common/ipc_cmap.h"
#include "lib/svc.h"

/* What the library keeps of one tracker: the daemon knows it by `track`
 * and echoes `cookie` in each of its events, by which the library finds
 * the callback. A notification whose cookie is gone (the tracker was
 * deleted before it was dispatched) is skipped. */
struct cmap_track {
	uint64_t cookie;
	uint64_t track;
	cmap_notify_fn_t fn;
	void *user_data;
};

struct cmap_inst {
	struct svc_client sc;          /* first: svc_get() relies on it */
	_Atomic(const void *) context;
	pthread_mutex_t tr_lock;       /* the tracker table below */
	struct cmap_track *tracks;     /* owned */
	size_t n_tracks, cap_tracks;
	uint64_t next_cookie;
	/* Event values copied out of the frame, so that the callback gets
	 * aligned data (owned, under the event lock of svc_dispatch). */
	uint8_t *scratch;
	size_t scratch_cap;
};

/* The process-wide table of cmap handles (the API hands out integers). */
extern struct hdb cmap_handles;

/* Writes a key or prefix as the wire's "str"; NULL is the empty one. */
void cmap_put_str(struct wbuf *wb, const char *s);

/* A reply that is one u64 (an iterator, a tracker, a cookie). */
int cmap_decode_u64(void *arg, struct rbuf *reply);

/* One request on `handle` and its reply (svc_call), with the handle
 * looked up and released; returns the caller's cs_error_t. */
cs_error_t cmap_call(cmap_handle_t handle, uint16_t type, const void *body,
    size_t len, int (*decode)(void *arg, struct rbuf *reply), void *arg);

#endif /* COHORT_LIB_CMAP_INT_H */
