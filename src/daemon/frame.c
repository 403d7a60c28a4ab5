/*
 * frame.c: reference-counted frames, shared by every connection a frame
 * goes to (one delivery frame per message, whatever the local members).
 */
#include <stdlib.h>

#include "daemon/frame.h"

struct frame *frame_new(size_t len)
{
	struct frame *f = malloc(sizeof(*f) + len);

	if (f) {
		f->refs = 1;
		f->len = (uint32_t)len;
		f->tail = NULL;
	}
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
		free(f);
	}
}
