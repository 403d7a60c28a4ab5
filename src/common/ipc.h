/*
 * ipc.h: the protocol between libcpg and cohortd over a unix socket.
 *
 * A client handle owns two stream connections to the daemon's socket, and
 * a shared-memory ring (common/ipc_ring.h):
 *
 *   request channel  HELLO, then requests; carries their replies. The
 *                    HELLO reply of a handle with events carries the
 *                    ring's descriptor (SCM_RIGHTS).
 *   request ring     MCAST frames, written without a system call; a
 *                    DOORBELL frame on the request channel wakes the
 *                    daemon when it sleeps. The ring's shared page also
 *                    carries the send credit and the flow-control state.
 *   event channel    ATTACH, then only events (confchg, deliver, totem
 *                    confchg). Its descriptor is what cpg_fd_get() returns,
 *                    so it is readable exactly while events are pending.
 *
 * Every frame starts with a 16-byte header, little-endian:
 *
 *   u32 len     whole frame, header included, IPC_HDR_LEN..COHORT_FRAME_MAX
 *   u16 type    enum ipc_type
 *   u16 flags   0 (reserved; nonzero is malformed)
 *   u32 seq     request number chosen by the client, echoed in the reply
 *   u32 error   cs_error_t in replies, 0 elsewhere
 *
 * A daemon that receives a malformed frame (bad length, unknown type,
 * reserved bits, a body that does not decode) drops that client and logs
 * why. A library that receives one treats the connection as broken
 * (CS_ERR_LIBRARY).
 *
 * Flow control is credit based: the HELLO reply grants `window` bytes; each
 * MCAST consumes IPC_MCAST_COST of its payload; the daemon returns credit
 * in the ring's shared page as messages leave its queues, and sets the
 * page's flow-control flag while it pushes back for other reasons (unread
 * events above the high watermark). Only a connection with a ring may
 * send MCAST frames.
 */
#ifndef COHORT_IPC_H
#define COHORT_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/limits.h"

#define IPC_HDR_LEN 16u
#define IPC_VERSION 2u
#define IPC_NAME_MAX 128u  /* CPG_MAX_NAME_LENGTH */
#define IPC_DEFAULT_SOCKET "/run/cohort/cohort.sock"
#define IPC_SOCKET_ENV "COHORT_SOCKET"

/* Credit an MCAST consumes: its payload plus a fixed cost, so that even
 * empty messages are bounded by the window. */
#define IPC_MCAST_COST(len) ((uint64_t)(len) + 512u)

/* HELLO body: u32 version (IPC_VERSION), u32 pid, u32 events, one of: */
enum ipc_hello_events {
	IPC_HELLO_NO_EVENTS = 0,    /* requests only */
	IPC_HELLO_EVENTS = 1,       /* event channel and request ring (CPG) */
	IPC_HELLO_EVENTS_ONLY = 2,  /* event channel, no ring: a handle that
	                             * takes events but sends no MCAST (cmap,
	                             * quorum, votequorum, cfg) */
};

/*
 * Request and event types. Each service has its own range: CPG and the
 * handshake below 100, cmap 100-129 (ipc_cmap.h), quorum and votequorum
 * 130-179 (ipc_quorum.h), cfg 180-209 (ipc_cfg.h); each header describes
 * its requests' bodies and its events. Every request is answered by one
 * IPC_REPLY whose header carries the cs_error_t.
 */
enum ipc_type {
	IPC_HELLO = 1,
	IPC_HELLO_REPLY = 2,
	IPC_ATTACH = 3,
	IPC_ATTACH_REPLY = 4,

	IPC_JOIN = 10,
	IPC_LEAVE = 11,
	IPC_MCAST = 12,        /* no reply: flow-controlled by credit */
	IPC_MEMBERSHIP = 13,
	IPC_LOCAL_GET = 14,
	IPC_ITER_INIT = 15,
	IPC_ITER_NEXT = 16,
	IPC_ITER_FINALIZE = 17,
	IPC_FINALIZE = 18,
	IPC_STATUS = 19,
	IPC_DOORBELL = 20,     /* no reply: the ring has frames (ipc_ring.h) */
	/* cohortctl reopen-log: the daemon reopens its log file (log.h
	 * log_reopen). Empty body; the reply's body: u32 the reopen's errno
	 * (0: done), u32 1 when the daemon has a log file, else 0. */
	IPC_LOG_REOPEN = 21,

	IPC_REPLY = 40,

	IPC_EV_CONFCHG = 60,
	IPC_EV_DELIVER = 61,
	IPC_EV_TOTEM = 62,
};

struct ipc_hdr {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t error;
};

/* A group name as on the wire: u32 length (at most IPC_NAME_MAX) and that
 * many bytes. */
struct ipc_name {
	uint32_t length;
	char value[IPC_NAME_MAX];
};

struct ipc_member {
	uint32_t nodeid, pid, reason;
};

/* Header: write at the start of a frame; patch the length at the end. */
void ipc_hdr_put(struct wbuf *wb, uint16_t type, uint32_t seq, uint32_t error);
void ipc_hdr_finish(struct wbuf *wb);
/* Decodes and validates a header (length bounds, reserved flags). Returns
 * 0 or -EBADMSG. The type is not checked here: each side checks the types
 * it accepts. */
int ipc_hdr_get(const uint8_t *b, struct ipc_hdr *h);

void ipc_name_put(struct wbuf *wb, const struct ipc_name *n);
void ipc_name_get(struct rbuf *rb, struct ipc_name *n);
int ipc_name_cmp(const struct ipc_name *a, const struct ipc_name *b);

/* Event frames. Decoders read the body (after the header) and borrow
 * from the frame; encoders write the whole frame, header included, into
 * a buffer of the size the matching IPC_EV_*_LEN gives. */
#define IPC_MEMBER_ENTRY_LEN 12u   /* u32 nodeid, u32 pid, u32 reason */

struct ipc_ev_confchg {
	struct ipc_name group;
	uint32_t n_members, n_left, n_joined;
	const uint8_t *entries;  /* (n_members + n_left + n_joined) x 12 bytes */
};
int ipc_ev_confchg_get(struct rbuf *rb, struct ipc_ev_confchg *ev);
void ipc_member_at(const uint8_t *entries, size_t i, struct ipc_member *m);
/* A confchg of `n` entries in all: the header, the group and the three
 * counts; the entries follow (ipc_member_put, members then left then
 * joined), then ipc_hdr_finish. */
#define IPC_EV_CONFCHG_LEN(n) \
	(IPC_HDR_LEN + 4u + IPC_NAME_MAX + 12u + \
	(size_t)(n) * IPC_MEMBER_ENTRY_LEN)
void ipc_ev_confchg_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t n_members, uint32_t n_left, uint32_t n_joined);
void ipc_member_put(struct wbuf *wb, uint32_t nodeid, uint32_t pid,
    uint32_t reason);

struct ipc_ev_deliver {
	struct ipc_name group;
	uint32_t nodeid, pid, guarantee;
	const uint8_t *data;
	size_t len;
};
int ipc_ev_deliver_get(struct rbuf *rb, struct ipc_ev_deliver *ev);
#define IPC_EV_DELIVER_LEN(len) \
	(IPC_HDR_LEN + 4u + IPC_NAME_MAX + 12u + (size_t)(len))
void ipc_ev_deliver_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t nodeid, uint32_t pid, uint32_t guarantee, const void *data,
    size_t len);
/* The event's bytes before its payload of `len` bytes, which the caller
 * sends right after them (the header counts them). */
void ipc_ev_deliver_head_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t nodeid, uint32_t pid, uint32_t guarantee, size_t len);

struct ipc_ev_totem {
	uint32_t rep;
	uint64_t seq;
	uint32_t n;
	const uint8_t *nodes;   /* n x u32 */
};
int ipc_ev_totem_get(struct rbuf *rb, struct ipc_ev_totem *ev);
#define IPC_EV_TOTEM_LEN(n) (IPC_HDR_LEN + 16u + (size_t)(n) * 4u)
void ipc_ev_totem_put(struct wbuf *wb, uint32_t rep, uint64_t seq,
    const uint32_t *nodes, uint32_t n);

/* The socket path: $COHORT_SOCKET or the default. */
const char *ipc_socket_path(void);

/* Room for the control message that passes one descriptor. */
union ipc_pass_ctl {
	struct cmsghdr align;
	uint8_t buf[CMSG_SPACE(sizeof(int))];
};
/* Makes the message `mh` pass `fd` (SCM_RIGHTS), its control message
 * written into `ctl`, which must live as long as `mh` is used. */
void ipc_pass_fd(struct msghdr *mh, union ipc_pass_ctl *ctl, int fd);
/* The first descriptor passed (SCM_RIGHTS) with a received message, or
 * -1; any other is closed. */
int ipc_passed_fd(struct msghdr *mh);

#endif /* COHORT_IPC_H */
