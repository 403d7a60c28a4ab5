/*
 * replay.h: the receiver's window of frame counters, per sender and
 * stream (transport.c): a frame is taken once, and never one from a past
 * incarnation of its sender or from too far in its sender's past.
 *
 * A sender numbers the frames of each stream (to one peer, or to the
 * multicast group) 1, 2, 3, ... within an incarnation, a number that
 * grows across its restarts. The receiver keeps, per sender and stream,
 * the incarnation it knows, the highest counter taken and a bitmap of
 * the REPLAY_WINDOW counters up to it (IPsec's and WireGuard's sliding
 * window). A frame is fresh when its incarnation is higher than the
 * known one (the window starts over from it), or equal and its counter
 * above the highest, or within the window and not yet taken.
 *
 * REPLAY_WINDOW is how far behind the newest frame of a stream a frame
 * may arrive and still be taken: frames of one stream leave one socket
 * in order and travel one path, so reordering is rare and short
 * (batches, fragments of one datagram, offload); a frame later than
 * REPLAY_WINDOW newer ones is dropped as if lost, and the protocol
 * retransmits. When a window starts (the first frame heard of an
 * incarnation), everything older than that frame counts as taken:
 * frames sent before this node listened are not taken later.
 */
#ifndef COHORT_REPLAY_H
#define COHORT_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW 1024u

struct replay_window {
	uint64_t incarnation;    /* 0: nothing taken yet */
	uint64_t top;            /* the highest counter taken */
	/* Bit c % REPLAY_WINDOW: counter c, top - REPLAY_WINDOW < c <= top,
	 * was taken. */
	uint64_t bits[REPLAY_WINDOW / 64];
	/* Restored from a previous run (replay_restore): the next frame
	 * taken starts the window anew. */
	bool restored;
};

enum replay_verdict {
	REPLAY_FRESH,            /* take it */
	REPLAY_NEW_INCARNATION,  /* take it: the sender restarted */
	REPLAY_DUPLICATE,        /* within the window, taken before */
	REPLAY_TOO_OLD,          /* behind the window (or before it began) */
	REPLAY_PAST_INCARNATION, /* from before the sender's last restart */
};

/* Whether a frame would be taken; changes nothing (call it before the
 * frame is authenticated, replay_take after). Incarnation 0 is never
 * valid. */
enum replay_verdict replay_check(const struct replay_window *w,
    uint64_t incarnation, uint64_t counter);

/* Records a frame that replay_check found fresh (or a new incarnation). */
void replay_take(struct replay_window *w, uint64_t incarnation,
    uint64_t counter);

/* A window as a previous run of this daemon left it: every counter up to
 * `top` of `incarnation` counts as taken. The frames taken in that run's
 * last moments may not be in `top`; the first frame taken now therefore
 * starts the window again (everything older counts as taken), as if it
 * were the first one heard. */
void replay_restore(struct replay_window *w, uint64_t incarnation,
    uint64_t top);

/* True for the verdicts that take the frame. */
static inline int replay_fresh(enum replay_verdict v)
{
	return v == REPLAY_FRESH || v == REPLAY_NEW_INCARNATION;
}

#endif /* COHORT_REPLAY_H */
