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

#endif /* COHORT_WATCH_H */
