/*
 * conn.h: the client side of the IPC (see common/ipc.h).
 *
 * A `struct ipc_conn` is not thread-safe by itself: the caller serialises
 * the request channel (every function here but conn_ev_*) with one lock
 * and the event channel with another, so that a dispatching thread and
 * sending threads can share a handle.
 */
#ifndef COHORT_CONN_H
#define COHORT_CONN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/ipc.h"
#include "common/ipc_ring.h"

struct ipc_conn {
	int req_fd;            /* request channel, blocking */
	int ev_fd;             /* event channel, or -1 */
	uint32_t seq;          /* last request number used */
	uint32_t nodeid;       /* local node id, from the HELLO reply */
	uint64_t window;       /* send credit granted at HELLO */
	uint64_t spent;        /* credit consumed so far (the daemon's page
	                        * says how much came back) */
	struct ipc_ring ring;  /* the request ring, when events are wanted */
	uint64_t tail;         /* bytes written to the ring */
	uint64_t sock_mcasts;  /* MCAST frames sent on the socket */
	bool broken;           /* the channel failed: every call fails */
	uint8_t *rx;           /* reply buffer; owned, grows on demand */
	size_t rx_cap;
};

/* A decoded reply. `body` points into conn->rx and stays valid until the
 * next call on the request channel. */
struct ipc_reply {
	uint32_t error;        /* cs_error_t chosen by the daemon */
	const uint8_t *body;
	size_t len;
};

/* What a function here returns when the daemon answered with an error:
 * the error itself, a cs_error_t the daemon chose, is in the reply (or,
 * for conn_open, in *refused) and is passed on to the caller as is. */
#define CONN_REFUSED (-EREMOTEIO)

/* Connects the request channel and, unless `events` is
 * IPC_HELLO_NO_EVENTS, the event channel (with IPC_HELLO_EVENTS also the
 * request ring). Returns
 * 0 or -errno: -ENAMETOOLONG (socket path), -EMFILE (out of descriptors),
 * -EACCES (not permitted to connect), -EAGAIN (the daemon's backlog is
 * full), -ECONNREFUSED (no daemon), -ENOMEM, -EIO (the request ring
 * could not be mapped), -EPROTO (no valid handshake reply), or
 * CONN_REFUSED with the daemon's error in *refused. */
int conn_open(struct ipc_conn *c, enum ipc_hello_events events,
    uint32_t *refused);
void conn_close(struct ipc_conn *c);

/* Sends a request and waits for its reply. 0, CONN_REFUSED (the daemon
 * answered r->error, not CS_OK; the channel stays usable) or another
 * -errno (the channel is broken). */
int conn_request(struct ipc_conn *c, uint16_t type, const void *body,
    size_t len, struct ipc_reply *r);

/* conn_request, with a pidfd of the calling process passed along, so
 * that the daemon can tell when that process exits (JOIN: the member is
 * the process that joined). Without pidfds, a plain request. */
int conn_request_as_self(struct ipc_conn *c, uint16_t type,
    const void *body, size_t len, struct ipc_reply *r);

/* Whether an MCAST of `len` bytes may go now: 0, -EAGAIN (no credit, or
 * the ring is full), -ENOBUFS (the daemon pushes back because this
 * handle's own unread events are above the high watermark: the caller
 * takes them off the event channel, see cpg_take_backlog), -EBADMSG or
 * -ENOTCONN (the connection is broken). */
int conn_may_send(struct ipc_conn *c, size_t len);

/* Sends an MCAST frame (header, guarantee, then the iovecs) through the
 * ring, or the socket when it is too large for the ring. 0, -EAGAIN or
 * -ENOBUFS (as conn_may_send) or another -errno (broken). */
int conn_send_mcast(struct ipc_conn *c, uint32_t guarantee,
    const struct iovec *iov, unsigned int n, size_t total);

#endif /* COHORT_CONN_H */
