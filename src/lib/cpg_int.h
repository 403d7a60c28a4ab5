/*
 * cpg_int.h: what the files of libcpg share.
 */
#ifndef COHORT_CPG_INT_H
#define COHORT_CPG_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <corosync/cpg.h>

#include "lib/conn.h"
#include "lib/hdb.h"
#include "lib/svc.h"

/* The library's view of this handle's group, kept from its own calls and
 * events so that cpg_mcast_joined can refuse without a round trip. */
enum join_state { JS_UNJOINED, JS_JOINED, JS_LEAVING };

struct zcb_buf;

struct cpg_inst {
	/* Serialises the request channel: every call but cpg_dispatch. */
	pthread_mutex_t req_lock;
	/* Serialises the event channel: one dispatcher at a time, held
	 * through its callbacks. */
	pthread_mutex_t ev_lock;
	/* Serialises reads of the channel's socket and of the stash: held
	 * by the dispatcher only while it reads (never through a callback),
	 * and by a sender taking the backlog, so that a sender is not
	 * refused for ever while another thread sits in a callback. */
	pthread_mutex_t chan_lock;
	struct ipc_conn conn;
	cpg_model_v1_data_t model;
	void *_Atomic context;
	_Atomic int join;              /* enum join_state */
	atomic_bool finalized;
	struct ipc_name group;         /* under req_lock */

	/* Event channel state, under ev_lock. */
	pthread_t dispatcher;
	atomic_bool dispatching;
	uint8_t *evbuf;                /* owned; frames read, not dispatched */
	size_t evcap, evlen, evoff;
	struct cpg_address *addrs;     /* scratch for confchg lists */
	size_t addrs_cap;
	uint32_t *nodes;               /* scratch for totem confchg */
	size_t nodes_cap;
	/* Bytes of the event channel taken off it by a sender held back for
	 * this handle's unread events (cpg_take_backlog): they come after
	 * those in evbuf and before those still in the socket. Owned;
	 * under chan_lock. */
	uint8_t *stash;
	size_t stash_cap, stash_off, stash_len;
	/* Frames dispatched so far (written by the dispatcher, read by a
	 * refused sender), and what a refused sender saw of it and since
	 * when (under chan_lock): the stash is taken only once the program
	 * has read nothing for COHORT_STASH_AFTER_MS (cpg_take_backlog). */
	atomic_uint_fast64_t ev_taken;
	uint64_t held_taken, held_since_ms;

	/* Under req_lock. */
	struct zcb_buf *zcb;           /* buffers from cpg_zcb_alloc */
	uint64_t iters[COHORT_ITER_MAX];
	size_t n_iters;
};

extern struct hdb cpg_handles;
extern struct hdb cpg_iter_handles;

/* The one place where the library's internal errors become the API's:
 * `rc` is 0 or a negative errno, and CONN_REFUSED (conn.h) stands for
 * the daemon's own answer `refused`, passed on as is. */
cs_error_t cpg_errno_to_cs(int rc, uint32_t refused);
/* Destroys the iteration handles of `inst` (req_lock held). */
void cpg_iter_release_all(struct cpg_inst *inst);
/* Frees the zero-copy buffers of `inst` (req_lock held). */
void cpg_zcb_release_all(struct cpg_inst *inst);
/* The daemon refuses this handle's sends until it reads its events
 * (conn_may_send said -ENOBUFS): takes what the event channel holds into
 * the stash, unless another thread dispatches (and so reads them). Called
 * with or without req_lock. */
void cpg_take_backlog(struct cpg_inst *inst);
/* Drives cpg_mcast_joined and cpg_zcb_mcast_joined: 0, -EINVAL, -EMSGSIZE,
 * -EBADF (handle), -ENOENT (not joined), -EAGAIN or -ENOBUFS (try
 * again), -ENOTCONN (the connection is broken). */
int cpg_mcast_iov(cpg_handle_t handle, cpg_guarantee_t guarantee,
    const struct iovec *iov, unsigned int iov_len);

#endif /* COHORT_CPG_INT_H */
