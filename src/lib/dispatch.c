/*
 * dispatch.c: cpg_dispatch, reading the event channel and calling back.
 *
 * The event channel's descriptor is what cpg_fd_get() hands out, so it
 * must be readable exactly while an event is pending. ONE and
 * ONE_NONBLOCKING therefore read exactly one frame; ALL and BLOCKING read
 * in large chunks but never return while a whole frame sits in the
 * buffer.
 *
 * The stash: the daemon refuses a handle's sends while its unread events
 * are above the high watermark, and a program that retries
 * cpg_mcast_joined on CS_ERR_TRY_AGAIN without dispatching (corosync's
 * own test programs do) would be refused for ever, then disconnected.
 * So the refused sender takes what the channel holds into the stash, in
 * the program's own memory: the daemon's queue drains, its bound holds,
 * and the send goes through; the program pays in its own heap for what
 * it has not read, as a corosync client makes the daemon pay. Dispatch
 * takes the stash before the socket, so the order is kept. The stash
 * takes all but the last byte the socket holds: while it holds anything
 * the socket stays readable (only the dispatcher reads the socket, and
 * it empties the stash first), so the descriptor still says exactly
 * whether an event is pending.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/cpg_int.h"

#define EV_CHUNK (256u * 1024u)

static int ev_reserve(struct cpg_inst *inst, size_t need)
{
	size_t cap = inst->evcap ? inst->evcap : EV_CHUNK;
	uint8_t *grown;

	if (inst->evoff > 0 && inst->evoff == inst->evlen)
		inst->evoff = inst->evlen = 0;
	if (inst->evlen + need <= inst->evcap)
		return 0;
	if (inst->evoff > 0) {
		memmove(inst->evbuf, inst->evbuf + inst->evoff,
		    inst->evlen - inst->evoff);
		inst->evlen -= inst->evoff;
		inst->evoff = 0;
		if (inst->evlen + need <= inst->evcap)
			return 0;
	}
	while (cap < inst->evlen + need)
		cap *= 2;
	grown = realloc(inst->evbuf, cap);
	if (!grown)
		return -ENOMEM;
	inst->evbuf = grown;
	inst->evcap = cap;
	return 0;
}

/* Length of the whole frame at the head of the buffer, 0 if the header
 * is incomplete, or -1 for a malformed header. */
static long head_frame_len(const struct cpg_inst *inst)
{
	struct ipc_hdr h;

	if (inst->evlen - inst->evoff < IPC_HDR_LEN)
		return 0;
	if (ipc_hdr_get(inst->evbuf + inst->evoff, &h) < 0)
		return -1;
	return h.len;
}

static bool have_frame(const struct cpg_inst *inst)
{
	long len = head_frame_len(inst);

	return len != 0 && (len < 0 || inst->evlen - inst->evoff >= (size_t)len);
}

/* The bytes that complete the head frame (or its header), or -1 when
 * the header is malformed. */
static long head_frame_rest(const struct cpg_inst *inst)
{
	long len = head_frame_len(inst);

	if (len < 0)
		return -1;
	return len == 0 ? (long)(IPC_HDR_LEN - (inst->evlen - inst->evoff)) :
	    len - (long)(inst->evlen - inst->evoff);
}

/* ev_fill from the stash: what a read of the channel would give. */
static int stash_fill(struct cpg_inst *inst, bool exact, bool *short_read)
{
	size_t have = inst->stash_len - inst->stash_off, want = EV_CHUNK;

	if (exact) {
		long rest = head_frame_rest(inst);

		if (rest < 0)
			return -EBADMSG;
		want = (size_t)rest;
	}
	if (want > have)
		want = have;
	if (ev_reserve(inst, want) < 0)
		return -ENOMEM;
	memcpy(inst->evbuf + inst->evlen, inst->stash + inst->stash_off, want);
	inst->evlen += want;
	inst->stash_off += want;
	if (inst->stash_off == inst->stash_len) {
		/* What a burst left behind goes back to the heap. */
		free(inst->stash);
		inst->stash = NULL;
		inst->stash_cap = inst->stash_off = inst->stash_len = 0;
	}
	/* The socket comes next. */
	*short_read = false;
	return 0;
}

/*
 * Reads from the event channel: waits up to `timeout` ms (-1 forever) for
 * it to be readable, then reads either exactly the rest of the head frame
 * (`exact`) or whatever is there. *short_read tells whether the channel
 * gave less than was asked, that is, it is most likely empty now. What
 * the stash holds comes first, without a wait. Returns 0, -EAGAIN (nothing
 * came in time), -EBADF (the handle was finalized), -ENOMEM, or -EBADMSG
 * or -EPIPE (the channel is broken).
 */
static int ev_fill(struct cpg_inst *inst, int timeout, bool exact,
    bool *short_read)
{
	struct pollfd pfd = { .fd = inst->conn.ev_fd, .events = POLLIN };
	size_t want = EV_CHUNK;
	ssize_t n;
	int rc = 1;

	if (atomic_load(&inst->finalized))
		return -EBADF;
	if (inst->stash_off < inst->stash_len)
		return stash_fill(inst, exact, short_read);
	/* Without a wait, a read that does not block says all poll would. */
	if (timeout != 0 || exact)
		do {
			rc = poll(&pfd, 1, timeout);
		} while (rc < 0 && errno == EINTR &&
		    !atomic_load(&inst->finalized));
	if (atomic_load(&inst->finalized))
		return -EBADF;
	if (rc == 0)
		return -EAGAIN;
	if (rc < 0)
		return -EPIPE;
	if (exact || head_frame_len(inst) > (long)EV_CHUNK) {
		long rest = head_frame_rest(inst);

		if (rest < 0)
			return -EBADMSG;
		/* A large frame is read up to its end and no further: once
		 * it is dispatched the buffer is empty, and no start of the
		 * next frame is left to move to its front. */
		if (exact || (size_t)rest < want)
			want = (size_t)rest;
	}
	if (ev_reserve(inst, want) < 0)
		return -ENOMEM;
	do {
		n = recv(inst->conn.ev_fd, inst->evbuf + inst->evlen, want,
		    exact ? MSG_WAITALL : MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n <= 0)
		return -EPIPE;
	inst->evlen += (size_t)n;
	*short_read = (size_t)n < want;
	return 0;
}

/* Takes all but the last byte the event channel holds into the stash
 * (chan_lock held). Only what is there: it never waits. */
static void stash_take(struct cpg_inst *inst)
{
	int avail;
	size_t want, cap;
	ssize_t n;

	if (ioctl(inst->conn.ev_fd, FIONREAD, &avail) < 0 || avail <= 1)
		return;
	want = (size_t)avail - 1;
	if (inst->stash_off > 0) {
		memmove(inst->stash, inst->stash + inst->stash_off,
		    inst->stash_len - inst->stash_off);
		inst->stash_len -= inst->stash_off;
		inst->stash_off = 0;
	}
	if (inst->stash_len + want > inst->stash_cap) {
		uint8_t *grown;

		cap = inst->stash_cap ? inst->stash_cap : EV_CHUNK;
		while (cap < inst->stash_len + want)
			cap *= 2;
		grown = realloc(inst->stash, cap);
		/* Without memory the send stays refused: the events wait
		 * in the daemon, under its limits. */
		if (!grown)
			return;
		inst->stash = grown;
		inst->stash_cap = cap;
	}
	do {
		n = recv(inst->conn.ev_fd, inst->stash + inst->stash_len, want,
		    MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	/* A broken channel stays readable: dispatch reports it, after
	 * what was stashed. */
	if (n > 0)
		inst->stash_len += (size_t)n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Whether the program has read nothing of its events for
 * COHORT_STASH_AFTER_MS while its sends were refused (chan_lock held).
 * A program that reads them sets the pace: taking them from under its
 * reader would let the sender run ahead of it without bound, the whole
 * backlog then waiting in the stash, and each message's delivery seconds
 * behind its send. */
static bool reader_stalled(struct cpg_inst *inst)
{
	uint64_t taken = atomic_load_explicit(&inst->ev_taken,
	    memory_order_relaxed);
	uint64_t now = now_ms();

	if (taken != inst->held_taken) {
		inst->held_taken = taken;
		inst->held_since_ms = now;
		return false;
	}
	return now - inst->held_since_ms >= COHORT_STASH_AFTER_MS;
}

void cpg_take_backlog(struct cpg_inst *inst)
{
	/* A callback of this handle sends: nothing reads until it returns,
	 * so the events are taken now. */
	bool mine = atomic_load(&inst->dispatching) &&
	    pthread_equal(inst->dispatcher, pthread_self());

	/* The stash and the socket are the channel's, under chan_lock; the
	 * frame a callback is given lives in evbuf, which the stash leaves
	 * alone, so this works from a callback of this handle too, and
	 * while another thread sits in one. A dispatcher that holds
	 * chan_lock is reading the events itself. */
	if (pthread_mutex_trylock(&inst->chan_lock) != 0)
		return;
	if (!atomic_load(&inst->finalized) && (mine || reader_stalled(inst)))
		stash_take(inst);
	pthread_mutex_unlock(&inst->chan_lock);
}

static int reserve_scratch(void **p, size_t *cap, size_t n, size_t size)
{
	void *grown;

	if (n <= *cap)
		return 0;
	grown = realloc(*p, n * size);
	if (!grown)
		return -ENOMEM;
	*p = grown;
	*cap = n;
	return 0;
}

static void cpg_name_from(struct cpg_name *out, const struct ipc_name *n)
{
	memset(out, 0, sizeof(*out));
	out->length = n->length;
	memcpy(out->value, n->value, n->length);
}

static int on_confchg(struct cpg_inst *inst, cpg_handle_t handle,
    struct rbuf *rb)
{
	struct ipc_ev_confchg ev;
	struct cpg_name group;
	struct cpg_address *a;
	size_t total;
	uint32_t self = inst->conn.nodeid, pid = (uint32_t)getpid();

	if (ipc_ev_confchg_get(rb, &ev) < 0)
		return -EBADMSG;
	total = (size_t)ev.n_members + ev.n_left + ev.n_joined;
	if (reserve_scratch((void **)&inst->addrs, &inst->addrs_cap,
	    total ? total : 1, sizeof(*inst->addrs)) < 0)
		return -ENOMEM;
	a = inst->addrs;
	for (size_t i = 0; i < total; i++) {
		struct ipc_member m;

		ipc_member_at(ev.entries, i, &m);
		a[i] = (struct cpg_address){ m.nodeid, m.pid, m.reason };
	}
	/* Our own JOIN: the handle may send, even if the thread in cpg_join
	 * has not seen the daemon's answer yet. */
	for (size_t i = ev.n_members + ev.n_left; i < total; i++) {
		int unjoined = JS_UNJOINED;

		if (a[i].nodeid == self && a[i].pid == pid &&
		    a[i].reason == CPG_REASON_JOIN)
			atomic_compare_exchange_strong(&inst->join, &unjoined,
			    JS_JOINED);
	}
	/* Our own LEAVE completes the leave: the handle may join again. */
	for (size_t i = ev.n_members; i < ev.n_members + ev.n_left; i++) {
		int leaving = JS_LEAVING;

		if (a[i].nodeid == self && a[i].pid == pid &&
		    a[i].reason == CPG_REASON_LEAVE)
			atomic_compare_exchange_strong(&inst->join, &leaving,
			    JS_UNJOINED);
	}
	cpg_name_from(&group, &ev.group);
	if (inst->model.cpg_confchg_fn)
		inst->model.cpg_confchg_fn(handle, &group, a, ev.n_members,
		    a + ev.n_members, ev.n_left, a + ev.n_members + ev.n_left,
		    ev.n_joined);
	return 0;
}

static int on_deliver(struct cpg_inst *inst, cpg_handle_t handle,
    struct rbuf *rb)
{
	struct ipc_ev_deliver ev;
	struct cpg_name group;

	if (ipc_ev_deliver_get(rb, &ev) < 0)
		return -EBADMSG;
	cpg_name_from(&group, &ev.group);
	if (inst->model.cpg_deliver_fn)
		inst->model.cpg_deliver_fn(handle, &group, ev.nodeid, ev.pid,
		    (void *)ev.data, ev.len);
	return 0;
}

static int on_totem(struct cpg_inst *inst, cpg_handle_t handle,
    struct rbuf *rb)
{
	struct ipc_ev_totem ev;
	struct cpg_ring_id ring = { 0 };

	if (ipc_ev_totem_get(rb, &ev) < 0)
		return -EBADMSG;
	if (reserve_scratch((void **)&inst->nodes, &inst->nodes_cap,
	    ev.n ? ev.n : 1, sizeof(*inst->nodes)) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < ev.n; i++)
		inst->nodes[i] = get_u32(ev.nodes + 4 * i);
	ring.nodeid = ev.rep;
	ring.seq = ev.seq;
	if (inst->model.cpg_totem_confchg_fn)
		inst->model.cpg_totem_confchg_fn(handle, ring, ev.n,
		    inst->nodes);
	return 0;
}

/* Takes the head frame off the buffer and calls back for it. The frame
 * stays in place until the next read, so the callback may use it. */
static int dispatch_one(struct cpg_inst *inst, cpg_handle_t handle)
{
	const uint8_t *f = inst->evbuf + inst->evoff;
	struct ipc_hdr h;
	struct rbuf rb;

	if (ipc_hdr_get(f, &h) < 0)
		return -EBADMSG;
	inst->evoff += h.len;
	/* Only the dispatcher writes it (under ev_lock): a store, not a
	 * locked add, on the path of every event. */
	atomic_store_explicit(&inst->ev_taken, atomic_load_explicit(
	    &inst->ev_taken, memory_order_relaxed) + 1, memory_order_relaxed);
	/* Finalized by another thread: no more callbacks. */
	if (atomic_load(&inst->finalized))
		return 0;
	rbuf_init(&rb, f + IPC_HDR_LEN, h.len - IPC_HDR_LEN);
	switch (h.type) {
	case IPC_EV_CONFCHG:
		return on_confchg(inst, handle, &rb);
	case IPC_EV_DELIVER:
		return on_deliver(inst, handle, &rb);
	case IPC_EV_TOTEM:
		return on_totem(inst, handle, &rb);
	default:
		return -EBADMSG;
	}
}

/* Dispatches as `mode` says: 0, -EAGAIN (ONE_NONBLOCKING found nothing),
 * -EBADF (the handle was finalized meanwhile), -ENOMEM, or -EBADMSG or
 * -EPIPE (the channel is broken). */
static int dispatch_loop(struct cpg_inst *inst, cpg_handle_t handle,
    cs_dispatch_flags_t mode)
{
	bool one = mode == CS_DISPATCH_ONE || mode == CS_DISPATCH_ONE_NONBLOCKING;
	int wait = mode == CS_DISPATCH_ONE || mode == CS_DISPATCH_BLOCKING ?
	    -1 : 0;
	bool short_read = false;

	for (;;) {
		int rc;

		while (!have_frame(inst)) {
			/* CS_DISPATCH_ALL: the channel gave less than asked
			 * and all of it is dispatched. Looking again would
			 * cost a system call that almost always finds
			 * nothing; what comes later keeps the descriptor
			 * readable for the next dispatch. */
			if (short_read && wait == 0 && !one &&
			    inst->evoff == inst->evlen)
				return 0;
			pthread_mutex_lock(&inst->chan_lock);
			rc = ev_fill(inst, wait, one, &short_read);
			pthread_mutex_unlock(&inst->chan_lock);
			if (rc == -EAGAIN)
				return mode == CS_DISPATCH_ONE_NONBLOCKING ?
				    rc : 0;
			if (rc < 0)
				return atomic_load(&inst->finalized) ? -EBADF :
				    rc;
		}
		rc = dispatch_one(inst, handle);
		if (atomic_load(&inst->finalized))
			return -EBADF;
		if (rc < 0)
			return rc;
		if (one)
			return 0;
	}
}

cs_error_t cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct cpg_inst *inst;
	int rc;

	if (dispatch_types < CS_DISPATCH_ONE ||
	    dispatch_types > CS_DISPATCH_ONE_NONBLOCKING)
		return CS_ERR_INVALID_PARAM;
	inst = hdb_get(&cpg_handles, handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	if (atomic_load(&inst->finalized)) {
		rc = -EBADF;
		goto out;
	}
	/* A callback that dispatches its own handle again would pull the
	 * frame it is reading from under itself. */
	if (inst->dispatching && pthread_equal(inst->dispatcher, pthread_self())) {
		rc = -EBUSY;
		goto out;
	}
	pthread_mutex_lock(&inst->ev_lock);
	/* The thread first: a thread that sees `dispatching` set sees who
	 * (cpg_take_backlog relies on it). */
	inst->dispatcher = pthread_self();
	inst->dispatching = true;
	rc = dispatch_loop(inst, handle, dispatch_types);
	inst->dispatching = false;
	pthread_mutex_unlock(&inst->ev_lock);
out:
	hdb_put(&cpg_handles, handle);
	return cpg_errno_to_cs(rc, 0);
}
