/*
 * replay.c: the sliding window of frame counters (see replay.h).
 */
#include <string.h>

#include "daemon/transport/replay.h"

static int bit_get(const struct replay_window *w, uint64_t c)
{
	uint64_t i = c % REPLAY_WINDOW;

	return (int)(w->bits[i / 64] >> (i % 64) & 1);
}

static void bit_set(struct replay_window *w, uint64_t c)
{
	uint64_t i = c % REPLAY_WINDOW;

	w->bits[i / 64] |= UINT64_C(1) << (i % 64);
}

static void bit_clear(struct replay_window *w, uint64_t c)
{
	uint64_t i = c % REPLAY_WINDOW;

	w->bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

enum replay_verdict replay_check(const struct replay_window *w,
    uint64_t incarnation, uint64_t counter)
{
	if (incarnation == 0 || incarnation < w->incarnation)
		return REPLAY_PAST_INCARNATION;
	if (incarnation > w->incarnation)
		return REPLAY_NEW_INCARNATION;
	if (counter > w->top)
		return REPLAY_FRESH;
	if (w->top - counter >= REPLAY_WINDOW)
		return REPLAY_TOO_OLD;
	return bit_get(w, counter) ? REPLAY_DUPLICATE : REPLAY_FRESH;
}

void replay_take(struct replay_window *w, uint64_t incarnation,
    uint64_t counter)
{
	if (incarnation != w->incarnation || w->restored) {
		/* A window begins: all before this frame counts as taken. */
		replay_restore(w, incarnation, counter);
		w->restored = false;
		return;
	}
	if (counter > w->top) {
		/* The counters the window slides over are not taken yet. */
		if (counter - w->top >= REPLAY_WINDOW)
			memset(w->bits, 0, sizeof(w->bits));
		else
			for (uint64_t c = w->top + 1; c < counter; c++)
				bit_clear(w, c);
		w->top = counter;
	}
	bit_set(w, counter);
}

void replay_restore(struct replay_window *w, uint64_t incarnation,
    uint64_t top)
{
	w->incarnation = incarnation;
	w->top = top;
	memset(w->bits, 0xff, sizeof(w->bits));
	w->restored = true;
}
