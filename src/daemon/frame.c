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
	}
	return f;
}

void frame_unref(struct frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}
