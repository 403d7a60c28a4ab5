/*
 * svc.h: what the client libraries of cmap, quorum, votequorum and cfg
 * share: a handle that owns one connection to cohortd (a request channel
 * and an event channel without a ring: common/ipc.h), synchronous
 * requests, and the dispatch of events in corosync's four modes.
 *
 * A library embeds `struct svc_client` in its handle's object, keeps the
 * objects in its own handle table (hdb.h) and converts errors with
 * svc_error() once, on the way out of each public function. Internal
 * functions return 0 or a negative errno (conn.h's convention).
 *
 * Threads: requests are serialised by the client's request lock, dispatch
 * by its event lock (held through the callbacks), so one thread may
 * dispatch while others make requests on the same handle.
 */
#ifndef COHORT_LIB_SVC_H
#define COHORT_LIB_SVC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/corotypes.h>

#include "common/buf.h"
#include "lib/conn.h"
#include "lib/hdb.h"

struct svc_client {
	pthread_mutex_t req_lock;
	pthread_mutex_t ev_lock;
	struct ipc_conn conn;
	atomic_bool finalized;
	/* Event frames read and not dispatched yet (under ev_lock). */
	uint8_t *evbuf;
	size_t evcap, evlen, evoff;
	pthread_t dispatcher;
	atomic_bool dispatching;
};

/* Connects (with an event channel when `events`). 0 or -errno, or
 * CONN_REFUSED with the daemon's error in *refused (conn_open). */
int svc_open(struct svc_client *sc, bool events, uint32_t *refused);
/* Closes the connection and frees what the client holds (not `sc`). */
void svc_close(struct svc_client *sc);

/* The cs_error_t of an internal result: 0 is CS_OK, CONN_REFUSED the
 * daemon's `refused`, each errno its documented error (svc.c's table);
 * anything unexpected CS_ERR_LIBRARY. */
cs_error_t svc_error(int rc, uint32_t refused);

/*
 * One request and its reply, under the request lock. `decode`, when not
 * NULL, reads the reply's body (valid only during the call) and returns
 * 0 or -errno; it runs only when the daemon answered CS_OK. Returns 0,
 * the decoder's error, CONN_REFUSED with the daemon's error in *refused,
 * -EBADF (finalized) or another -errno (the channel is broken).
 */
int svc_call(struct svc_client *sc, uint16_t type, const void *body,
    size_t len, int (*decode)(void *arg, struct rbuf *reply), void *arg,
    uint32_t *refused);

/* The event channel's descriptor (readable while events are pending). */
int svc_fd(const struct svc_client *sc);

/*
 * Dispatches events as `mode` says (CS_DISPATCH_ONE, _ALL, _BLOCKING,
 * _ONE_NONBLOCKING; the caller has checked the value), calling
 * `on_event` for each frame with its header and body (valid during the
 * call). on_event returns 0 or -errno (-EBADMSG for a frame it cannot
 * decode: the channel is then treated as broken). Returns 0, -EAGAIN
 * (ONE_NONBLOCKING found nothing), -EBADF (finalized, possibly by a
 * callback), -EBUSY (called from inside one of its own callbacks), or
 * -errno of a broken channel.
 */
int svc_dispatch(struct svc_client *sc, cs_dispatch_flags_t mode,
    int (*on_event)(void *arg, const struct ipc_hdr *h, struct rbuf *body),
    void *arg);

/* Marks the client finalized (false when it already was) and wakes a
 * thread blocked in svc_dispatch on it. The caller then destroys its
 * handle; svc_close runs when the last reference goes. */
bool svc_finalize(struct svc_client *sc);

/* Looks a handle up in `db` with a reference (hdb_get), refusing a
 * finalized one. The object must start with its struct svc_client. */
void *svc_get(struct hdb *db, uint64_t handle);

/*
 * What every service library does the same way with a handle of its
 * table `db` (objects that start with their struct svc_client), each
 * returning the API's error: a request and its reply (svc_call, with the
 * handle looked up and released), finalize, and the event descriptor.
 */
cs_error_t svc_request(struct hdb *db, uint64_t handle, uint16_t type,
    const void *body, size_t len, int (*decode)(void *arg, struct rbuf *reply),
    void *arg);
cs_error_t svc_handle_finalize(struct hdb *db, uint64_t handle);
cs_error_t svc_handle_fd(struct hdb *db, uint64_t handle, int *fd);
/* svc_dispatch on the handle, with the object as on_event's `arg`. With
 * `strict`, a mode other than the four is CS_ERR_INVALID_PARAM (quorum
 * and votequorum); without, it blocks (cmap and cfg, as CPG). */
cs_error_t svc_handle_dispatch(struct hdb *db, uint64_t handle,
    cs_dispatch_flags_t mode, bool strict,
    int (*on_event)(void *obj, const struct ipc_hdr *h, struct rbuf *body));

#endif /* COHORT_LIB_SVC_H */
