/*
 * watch.h: numbered messages, and a member that watches one sender, for
 * the tests of what reaches the group: nothing lost, nothing reordered,
 * nothing garbled, nothing after the sender's leave.
 */
#ifndef COHORT_WATCH_H
#define COHORT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/cpg.h>

/* A numbered message: its number and length first, then bytes that
 * depend on both, so that one lost, reordered, cut short or garbled on
 * its way is seen. Lengths from MSG_MIN to MSG_MAX. */
#define MSG_MIN 8u                /* the number and the length */
#define MSG_MAX (1u << 20)
void msg_fill(void *buf, uint32_t seq, size_t len);
/* Whether `msg` is what msg_fill made for `seq` and `len`. */
bool msg_ok(const void *msg, size_t len, uint32_t seq);

/* What a member saw of one process of its group (maybe itself), which
 * sends numbered messages from number 0. */
struct watch {
	uint32_t pid;                /* the process watched */
	uint32_t got;                /* its messages so far */
	uint32_t bad;                /* of those, not message number `got` */
	uint32_t late;               /* of those, delivered after it left */
	bool in;                     /* a member, as of the last confchg */
	bool left;                   /* it left (since watch_reset); why: */
	uint32_t left_reason;
	uint32_t members;            /* in the last confchg */
	bool self_in;                /* the watching handle is a member */
	volatile bool changed;       /* set by every event */
};

/* A handle that joins `group`, watching `pid`; returns once it is in. */
cpg_handle_t watch_open(struct watch *w, const char *group, uint32_t pid);
/* Watches `pid` from now on, from its message number 0. */
void watch_reset(struct watch *w, uint32_t pid);
/* Dispatches until the next event; fails after WAIT_MS without one. */
void watch_next(cpg_handle_t h, struct watch *w);
/*
 * For a sender told CS_ERR_TRY_AGAIN (its credit, the ring's room or flow
 * control says wait): each comes back as the daemon takes and delivers
 * what was sent, so reading its own deliveries (`w` watches itself) is
 * both what makes room and the event to wait for. Waits for them up to
 * WATCH_RETRY_MS and dispatches; *idle_ms counts the time nothing of
 * its own came, and it fails once that reaches WAIT_MS.
 */
#define WATCH_RETRY_MS 5
void watch_let_progress(cpg_handle_t h, struct watch *w, int *idle_ms);
/* Sends numbered message `seq` of `len` bytes (msg_fill into `buf`),
 * AGREED: true once sent; false when refused with CS_ERR_TRY_AGAIN, after
 * watch_let_progress (then send it again). */
bool watch_send(cpg_handle_t h, struct watch *w, void *buf, uint32_t seq,
    size_t len, int *idle_ms);

#endif /* COHORT_WATCH_H */
