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
 * notifications to several trackers) share their common rest. A tail may
 * also refer to bytes held elsewhere (frame_new_ref): a delivery's
 * payload where the protocol engine stored it. */
struct frame {
	uint32_t refs;
	uint32_t len;                /* of its bytes, without the tail */
	struct frame *tail;          /* sent after its bytes; NULL: none */
	const uint8_t *ref;          /* its bytes, if not data[] */
	void *ref_block;             /* freed with the frame (free()) */
	uint8_t data[];
};

/* A frame of `len` bytes with one reference and no tail; NULL on
 * -ENOMEM. */
struct frame *frame_new(size_t len);
/* A frame of the `len` bytes at `bytes`, which lie in `block` (a
 * malloc()ed block it takes: freed with the frame); NULL on -ENOMEM,
 * `block` then the caller's still. */
struct frame *frame_new_ref(void *block, const uint8_t *bytes, size_t len);
/* The bytes of `f` itself (not its tail's). */
static inline const uint8_t *frame_bytes(const struct frame *f)
{
	return f->ref ? f->ref : f->data;
}
/* Makes `tail` (a frame without a tail of its own) the rest of `f`,
 * taking a reference to it. */
void frame_set_tail(struct frame *f, struct frame *tail);
/* The bytes `f` puts on the wire: its own and its tail's. */
size_t frame_wire_len(const struct frame *f);
/* Drops a reference; the last one frees the frame (and drops its tail's
 * reference). NULL is ignored. */
void frame_unref(struct frame *f);

#endif /* COHORT_FRAME_H */
