/*
 * cpg/wire.h: the CPG service's messages, carried in total order by the
 * protocol engine between the daemons of a cluster.
 *
 * Every message starts with u8 version (CPG_WIRE_VERSION), u8 type and a
 * u16 that must be 0. Integers are little-endian; names as in ipc.h.
 *
 *   PROCJOIN   name, u32 pid, u32 flags
 *   PROCLEAVE  name, u32 pid, u32 reason (LEAVE or PROCDOWN)
 *   MCAST      name, u32 pid, u32 guarantee, payload (rest)
 *   JOINLIST   u32 ring rep, u64 ring seq, u32 count, count x (name, u32 pid)
 *
 * A message that does not decode is counted and ignored by every node
 * alike (they all deliver the same bytes), so state stays consistent.
 */
#ifndef COHORT_CPG_WIRE_H
#define COHORT_CPG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/ipc.h"

#define CPG_WIRE_VERSION 1
#define CPG_WIRE_HDR 4u
/* Largest header of an MCAST: what travels in front of the payload. */
#define CPG_WIRE_MCAST_HDR (CPG_WIRE_HDR + 4u + IPC_NAME_MAX + 8u)

enum cpg_wire_type {
	CPG_MSG_PROCJOIN = 1,
	CPG_MSG_PROCLEAVE = 2,
	CPG_MSG_MCAST = 3,
	CPG_MSG_JOINLIST = 4,
};

struct cpg_wire {
	enum cpg_wire_type type;
	struct ipc_name name;
	uint32_t pid;
	uint32_t arg;              /* flags, reason or guarantee */
	const uint8_t *data;       /* MCAST payload, JOINLIST entries */
	size_t len;
	uint32_t ring_rep;         /* JOINLIST */
	uint64_t ring_seq;
	uint32_t count;
};

void cpg_wire_put_hdr(struct wbuf *wb, enum cpg_wire_type type);
/* PROCJOIN, PROCLEAVE and the MCAST header (payload appended by caller). */
void cpg_wire_put_proc(struct wbuf *wb, enum cpg_wire_type type,
    const struct ipc_name *name, uint32_t pid, uint32_t arg);
/* Decodes any message; 0 or -EBADMSG. Borrows from `msg`. */
int cpg_wire_get(const uint8_t *msg, size_t len, struct cpg_wire *w);
/* Reads JOINLIST entry `rb` (a reader over w->data); 0 or -EBADMSG. */
int cpg_wire_joinlist_next(struct rbuf *rb, struct ipc_name *name,
    uint32_t *pid);

#endif /* COHORT_CPG_WIRE_H */
