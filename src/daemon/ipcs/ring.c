/*
 * ipcs/ring.c: the request ring (common/ipc_ring.h): taking the frames a
 * client wrote to its ring, and arming its doorbell before the loop
 * sleeps.
 */
#include <stdatomic.h>
#include <string.h>

#include "common/log.h"
#include "daemon/ipcs/ipcs_int.h"

void poll_ring(struct ipcs *srv, struct conn *c)
{
	if (c->polling || c->dead)
		return;
	c->polling = true;
	c->pnext = srv->polling;
	srv->polling = c;
}

/*
 * Hands every frame of the ring to the service, in order. Nothing in the
 * shared page is trusted: the head is ours, the tail and each frame's
 * header are read once and checked. A frame's payload is read in place
 * (the service copies it once); a client that changes it meanwhile only
 * garbles its own message. Returns false when the connection is closing.
 */
bool ring_drain(struct ipcs *srv, struct conn *c)
{
	struct ipc_ring *r = &c->ring;
	uint64_t head = c->ring_head, tail;

	if (c->dead)
		return false;
	if (!r->sh)
		return true;
	tail = atomic_load_explicit(&r->sh->tail, memory_order_acquire);
	if (tail - head > r->cap || tail % IPC_RING_ALIGN) {
		ipcs_close_conn(srv, c, "request ring tail out of range");
		return false;
	}
	while (head != tail && !c->dead) {
		const uint8_t *f = r->data + head % r->cap;
		uint8_t hb[IPC_HDR_LEN];
		struct ipc_hdr h;
		struct rbuf rb;

		memcpy(hb, f, sizeof(hb));
		/* The checked copy is what is used: the compiler may not
		 * read the shared header again in its place. */
		atomic_signal_fence(memory_order_seq_cst);
		if (ipc_hdr_get(hb, &h) < 0 || h.type != IPC_MCAST ||
		    ipc_ring_stride(h.len) > tail - head) {
			ipcs_close_conn(srv, c, "malformed frame in the "
			    "request ring");
			break;
		}
		rbuf_init(&rb, f + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
		srv->frames_in++;
		conn_dispatch(srv, c, &h, &rb);
		head += ipc_ring_stride(h.len);
	}
	/* Every socket frame drains first, mostly an empty ring: the
	 * shared line is written only when something was taken. */
	if (head != c->ring_head) {
		c->ring_head = head;
		atomic_store_explicit(&r->sh->head, head,
		    memory_order_release);
	}
	return !c->dead;
}

/*
 * The client is gone: one of its channels closed or broke. What it wrote
 * to its ring before it went is taken first, as what it wrote to the
 * socket and was read is; whichever channel the daemon sees go first (a
 * client that exits with events unread resets its event channel, which
 * may be seen before the request channel's end).
 */
void conn_gone(struct ipcs *srv, struct conn *c, const char *why)
{
	if (ring_drain(srv, c))
		ipcs_close_conn(srv, c, why);
}

/* Arms a ring's doorbell; false when a frame came meanwhile (the bell
 * stays armed: at worst one DOORBELL too many). */
static bool arm_bell(struct conn *c)
{
	atomic_store_explicit(&c->ring.sh->bell, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	return atomic_load_explicit(&c->ring.sh->tail, memory_order_relaxed) ==
	    c->ring_head;
}

void ipcs_poll_rings(struct ipcs *srv)
{
	for (struct conn *c = srv->polling; c; c = c->pnext)
		(void)ring_drain(srv, c);
}

/*
 * Before the loop sleeps: each polled ring that is empty gets its
 * doorbell armed and leaves the list. The fence between arming and
 * looking at the tail pairs with the library's between its tail and its
 * look at the bell: a frame written meanwhile is either seen here (the
 * loop does not sleep) or rings the bell. A ring that has frames already
 * stays on the list unarmed: its client goes on writing without a
 * doorbell, and the loop comes back to it at once.
 */
void arm_rings(struct ipcs *srv)
{
	struct conn **pp = &srv->polling;

	while (*pp) {
		struct conn *c = *pp;

		if (!c->dead && (atomic_load_explicit(&c->ring.sh->tail,
		    memory_order_relaxed) != c->ring_head || !arm_bell(c))) {
			loop_no_sleep(srv->loop);
			pp = &c->pnext;
			continue;
		}
		c->polling = false;
		*pp = c->pnext;
	}
}
