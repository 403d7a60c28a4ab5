/*
 * ipc_ring.h: the shared-memory request ring between libcpg and cohortd.
 *
 * Every connection with an event channel gets one ring: the daemon
 * creates it (a sealed memfd of ipc_ring_meta() + COHORT_IPC_RING bytes),
 * passes the descriptor with the HELLO reply, and both sides map it. The
 * library writes MCAST frames into it (the same bytes as on the socket:
 * header, guarantee, payload), each at a multiple of IPC_RING_ALIGN, so a
 * message costs no system call. The data is mapped twice back to back,
 * so every frame is contiguous in memory whatever its offset.
 *
 * The shared page holds counters, each written by one side only:
 *
 *   tail       library  bytes written (grows forever; offset = tail % cap)
 *   bell       both     1: the daemon may sleep and wants a DOORBELL frame
 *                       on the request socket; the library that sees 1
 *                       swaps in 0 and sends one
 *   head       daemon   bytes consumed
 *   credit     daemon   send credit returned so far (see ipc.h)
 *   sock_done  daemon   MCAST frames taken from the socket so far
 *   fc         daemon   1 while the daemon pushes back (FLOWCTL)
 *   closed     daemon   1 once the daemon has dropped the connection: the
 *                       library fails its next call instead of writing
 *                       into a ring nobody reads
 *
 * Order: the daemon handles everything in the ring before any frame it
 * reads from the socket, so a frame sent on the socket after ring frames
 * (a request, or an MCAST too large for the ring) comes after them. The
 * library writes to the ring only when the daemon has taken every MCAST
 * it sent on the socket (sock_done), so a ring frame never overtakes one.
 *
 * The daemon trusts nothing in the page: it keeps its own head, checks
 * every tail and frame, and drops a client whose ring is inconsistent.
 */
#ifndef COHORT_IPC_RING_H
#define COHORT_IPC_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

#define IPC_RING_ALIGN 16u    /* frames start at multiples of this */

struct ipc_ring_shared {
	_Alignas(64) _Atomic uint64_t tail;
	_Atomic uint32_t bell;
	_Alignas(64) _Atomic uint64_t head;
	_Atomic uint64_t credit;
	_Atomic uint64_t sock_done;
	_Atomic uint32_t fc;
	_Atomic uint32_t closed;
};

struct ipc_ring {
	struct ipc_ring_shared *sh;
	uint8_t *data;         /* cap bytes, then the same cap bytes again */
	uint64_t cap;
	void *base;            /* the whole reservation, for unmapping */
	size_t span;
};

/* Bytes of the shared counters ahead of the data: a page (at least
 * 4 KiB), so that the data can be mapped a second time after itself.
 * Library and daemon run on one host: they agree. */
size_t ipc_ring_meta(void);

/* Bytes a frame of `len` bytes takes in the ring. */
static inline uint64_t ipc_ring_stride(uint64_t len)
{
	return (len + IPC_RING_ALIGN - 1) & ~(uint64_t)(IPC_RING_ALIGN - 1);
}

/* Daemon: a sealed memfd for a ring of `cap` bytes (a multiple of the
 * page size). Returns the descriptor or -errno. */
int ipc_ring_create(uint64_t cap);

/* Maps a ring of `cap` bytes from `fd` (which stays the caller's). Checks
 * the descriptor's size. 0 or -errno (-EINVAL: wrong size or capacity). */
int ipc_ring_map(int fd, uint64_t cap, struct ipc_ring *r);
void ipc_ring_unmap(struct ipc_ring *r);

#endif /* COHORT_IPC_RING_H */
