/*
 * frame.h: reference-counted IPC frames, shared by every connection a
 * frame goes to (one delivery frame per message, whatever the number of
 * local members).
 */
#ifndef COHORT_FRAME_H
#define COHORT_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* A frame to send, shared by every connection it goes to. */
struct frame {
	uint32_t refs;
	uint32_t len;
	uint8_t data[];
};

/* A frame of `len` bytes with one reference; NULL on -ENOMEM. */
struct frame *frame_new(size_t len);
/* Drops a reference; the last one frees the frame. NULL is ignored. */
void frame_unref(struct frame *f);

#endif /* COHORT_FRAME_H */
