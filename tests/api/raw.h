/*
 * raw.h: a client that speaks the IPC protocol itself (common/ipc.h,
 * common/ipc_ring.h), for the tests of what the daemon does with clients
 * that libcpg would never be: bytes libcpg would not send, a ring it
 * would not write, channels closed in an order it would not close them.
 *
 * Every function fails the test (harness_fail) when the daemon does not
 * answer as a well-behaved daemon must.
 */
#ifndef COHORT_RAW_H
#define COHORT_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"
#include "common/ipc_ring.h"

struct raw_conn {
	int req;               /* request channel */
	int ev;                /* event channel, or -1 */
	int ring_fd;           /* the ring's descriptor from the HELLO reply */
	struct ipc_ring ring;
	uint64_t tail;         /* ring bytes written, published or not */
	uint32_t seq;          /* number of the last request */
	int pass;              /* a descriptor to pass with the next request
	                        * (SCM_RIGHTS), or -1; the caller keeps it */
};

/* A stream socket connected to the daemon's (COHORT_SOCKET). */
int raw_connect(void);
/* Writes a frame header into `buf`: `len` as the whole frame's length,
 * whatever the bytes that follow. */
void raw_hdr(uint8_t *buf, uint32_t len, uint16_t type, uint16_t flags);
/* Sends one well-formed frame: a header, then `len` bytes of body. */
void raw_send(int fd, uint16_t type, uint32_t seq, const void *body,
    size_t len);
/* Sends a HELLO of the current IPC version. */
void raw_hello(int fd, bool events);
/* Reads until the daemon closes `fd` (what it sends first is ignored),
 * then closes it; fails after WAIT_MS of silence. */
void raw_await_close(int fd);
/* For a socket the daemon refuses before its first frame: reads the
 * HELLO_REPLY it is told and the close after it, closes `fd`, and returns
 * the reply's error. */
uint32_t raw_refusal(int fd);

/* Opens a connection with events: HELLO, the ring's descriptor taken
 * from the reply and the ring mapped, and with `attach` the event
 * channel attached. */
void raw_open(struct raw_conn *rc, bool attach);
/* Closes whatever of the connection is still open, the request channel
 * first as libcpg does, and unmaps the ring. */
void raw_close(struct raw_conn *rc);
/* Sends a request on the request channel and returns its reply's
 * cs_error_t (the reply's body is read and dropped). */
uint32_t raw_request(struct raw_conn *rc, uint16_t type, const void *body,
    size_t len);
/* Joins `group` in the name of process `pid`, which need not exist. */
void raw_join(struct raw_conn *rc, const char *group, uint32_t pid);
/* The same in two steps, so that many joins can be in flight at once:
 * the request, then its reply's cs_error_t (the daemon answers a join
 * once it is delivered). raw_reply reads the reply to the last request. */
void raw_join_send(struct raw_conn *rc, const char *group, uint32_t pid);
uint32_t raw_reply(struct raw_conn *rc);

/* Writes a well-formed MCAST frame (AGREED) at the ring's tail as libcpg
 * would, without publishing it; fails if the ring has no room. */
void raw_ring_mcast(struct raw_conn *rc, const void *payload, size_t len);
/* Where the next frame goes: the ring is mapped twice in a row, so a
 * frame of up to the ring's capacity may be written there whole. */
uint8_t *raw_ring_next(struct raw_conn *rc);
/* Tells the daemon what was written (stores the shared tail). */
void raw_ring_publish(struct raw_conn *rc);

#endif /* COHORT_RAW_H */
