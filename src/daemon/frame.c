/*
 * frame.c: reference-counted frames, shared by every connection a frame
 * goes to (one delivery frame per message, whatever the local members).
 */
#include <stdlib.h>

#include "daemon/frame.h"

struct frame *frame_new(size_t len)
{
	struct frame *f = malloc(sizeof(*f) + len);

	if (f)
		*f = (struct frame){ .refs = 1, .len = (uint32_t)len };
	return f;
}

struct frame *frame_new_ref(void *block, const uint8_t *bytes, size_t len)
{
	struct frame *f = malloc(sizeof(*f));

	if (f)
		*f = (struct frame){ .refs = 1, .len = (uint32_t)len,
		    .ref = bytes, .ref_block = block };
	return f;
}

void frame_set_tail(struct frame *f, struct frame *tail)
{
	tail->refs++;
	f->tail = tail;
}

size_t frame_wire_len(const struct frame *f)
{
	return f->len + (f->tail ? f->tail->len : 0u);
}

void frame_unref(struct frame *f)
{
	if (f && --f->refs == 0) {
		frame_unref(f->tail);
		free(f->ref_block);
		free(f);
	}
}
