/*
 * frame.h: reference-counted IPC frames, shared by every connection a
 * frame goes to (one delivery frame per message, whatever the number of
 * local members).
 */
#ifndef COHORT_FRAME_H
#define COHORT_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* A frame to send, shared by every connection it goes to. A frame may
 * end in another frame's bytes (`tail`), which it holds a reference to:
 * the events of one change that differ only in their first bytes (cmap's
 * notifications to several trackers) share their common rest. */
struct frame {
	uint32_t refs;
	uint32_t len;                /* of data[], without the tail */
	struct frame *tail;          /* sent after data[]; NULL: none */
	uint8_t data[];
};

/* A frame of `len` bytes with one reference and no tail; NULL on
 * -ENOMEM. */
struct frame *frame_new(size_t len);
/* Makes `tail` (a frame without a tail of its own) the rest of `f`,
 * taking a reference to it. */
void frame_set_tail(struct frame *f, struct frame *tail);
/* The bytes `f` puts on the wire: its own and its tail's. */
size_t frame_wire_len(const struct frame *f);
/* Drops a reference; the last one frees the frame (and drops its tail's
 * reference). NULL is ignored. */
void frame_unref(struct frame *f);

#endif /* COHORT_FRAME_H */
