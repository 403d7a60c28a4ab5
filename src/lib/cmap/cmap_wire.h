/*
 * cmap_wire.h: libcmap's decoders of the daemon's replies and events
 * (common/ipc_cmap.h), apart from the library so that they can be
 * fuzzed (tests/fuzz/fuzz_lib_cmapwire.c).
 *
 * Each reads the whole body through `rb` and returns 0, or -EBADMSG when
 * the body is not exactly the layout (short, long, a key over
 * CMAP_KEYNAME_MAXLEN, a value over the room given).
 */
#ifndef COHORT_LIB_CMAP_WIRE_H
#define COHORT_LIB_CMAP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/cmap.h>

#include "common/buf.h"

/* One side of a change; `bytes` points into the decoded body. */
struct cmap_wire_value {
	uint32_t type, len;
	const uint8_t *bytes;
};

struct cmap_wire_notify {
	uint64_t track, cookie;
	uint32_t event;
	char key[CMAP_KEYNAME_MAXLEN + 1];   /* NUL-terminated */
	struct cmap_wire_value new_value, old_value;
};

/* CMAP_EV_NOTIFY. */
int cmap_wire_notify_get(struct rbuf *rb, struct cmap_wire_notify *n);

/* CMAP_REQ_GET's reply: the type and length, and, when `value` is not
 * NULL, the bytes copied there (at most `room`). */
int cmap_wire_get_reply(struct rbuf *rb, void *value, size_t room,
    uint32_t *type, uint32_t *len);

/* CMAP_REQ_ITER_NEXT's reply: the key, NUL-terminated, its value's type
 * and length. */
int cmap_wire_next_reply(struct rbuf *rb, char key[CMAP_KEYNAME_MAXLEN + 1],
    uint32_t *type, uint32_t *len);

/* A reply that is one u64 (an iterator, a tracker, a cookie). */
int cmap_wire_u64(void *arg, struct rbuf *rb);

#endif /* COHORT_LIB_CMAP_WIRE_H */
