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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/ipc.h"

struct ipc_conn {
	int req_fd;            /* request channel, blocking */
	int ev_fd;             /* event channel, or -1 */
	uint32_t seq;          /* last request number used */
	uint32_t nodeid;       /* local node id, from the HELLO reply */
	uint64_t window;       /* send credit granted at HELLO */
	uint64_t outstanding;  /* bytes sent and not yet credited back */
	bool daemon_fc;        /* the daemon asked us to hold back */
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

/* Connects both channels (the event channel only when `events`). Returns
 * 0, or a cs_error_t (positive) that the daemon or the socket gave. */
int conn_open(struct ipc_conn *c, bool events);
void conn_close(struct ipc_conn *c);

/* Sends a request and waits for its reply, handling credit and flow
 * control notices that arrive first. 0 or -errno (channel broken). */
int conn_request(struct ipc_conn *c, uint16_t type, const void *body,
    size_t len, struct ipc_reply *r);

/* Reads the notices already waiting, without blocking. 0 or -errno. */
int conn_poll_notices(struct ipc_conn *c);

/* True when an MCAST of `len` bytes fits the credit and the daemon is
 * not pushing back. */
bool conn_may_send(const struct ipc_conn *c, size_t len);

/* Sends an MCAST frame: header, guarantee, then the iovecs. 0 or -errno. */
int conn_send_mcast(struct ipc_conn *c, uint32_t guarantee,
    const struct iovec *iov, unsigned int n, size_t total);

#endif /* COHORT_CONN_H */
