/*
 * rawcmap.h: a cmap client that speaks the IPC protocol itself
 * (common/ipc_cmap.h), for the tests of the daemon's cmap service that
 * must not depend on libcmap: what a library would never send, and the
 * daemon's answers byte for byte.
 *
 * Every function fails the test (harness_fail) when the daemon does not
 * answer as a well-behaved daemon must; the cs_error_t of a request is
 * returned for the test to check.
 */
#ifndef COHORT_RAWCMAP_H
#define COHORT_RAWCMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmr {
	int req;          /* request channel */
	int ev;           /* event channel, or -1 */
	uint32_t seq;
};

/* One CMAP_EV_NOTIFY, its strings NUL-terminated copies. */
struct cmr_event {
	uint64_t track, cookie;
	uint32_t event;
	char key[256];
	uint32_t new_type, new_len, old_type, old_len;
	uint8_t new_data[16400], old_data[16400];
};

/* HELLO (with an event channel attached when `events`). */
void cmr_open(struct cmr *c, bool events);
/* HELLO without events; its reply's cs_error_t (on an error the
 * connection is closed). */
uint32_t cmr_try_open(struct cmr *c);
void cmr_close(struct cmr *c);
/* One request; its reply's cs_error_t, the body copied into `out` (at
 * most `cap` bytes, the length in *out_len; both may be NULL/0). */
uint32_t cmr_call(struct cmr *c, uint16_t type, const void *body, size_t len,
    void *out, size_t cap, size_t *out_len);
/* A request the daemon must answer by dropping the client: the request
 * channel is closed by the daemon without a reply. */
void cmr_dropped(struct cmr *c, uint16_t type, const void *body, size_t len);

uint32_t cmr_set_map(struct cmr *c, uint32_t map);
uint32_t cmr_set(struct cmr *c, const char *key, uint32_t type,
    const void *value, uint32_t len);
uint32_t cmr_delete(struct cmr *c, const char *key);
uint32_t cmr_adjust(struct cmr *c, const char *key, int32_t step);
/* want_value: the value's bytes into `value` (room `room`). */
uint32_t cmr_get(struct cmr *c, const char *key, bool want_value,
    uint32_t room, uint32_t *type, void *value, uint32_t *len);
uint32_t cmr_iter_init(struct cmr *c, const char *prefix, uint64_t *iter);
uint32_t cmr_iter_next(struct cmr *c, uint64_t iter, char key[256],
    uint32_t *type, uint32_t *len);
uint32_t cmr_iter_finalize(struct cmr *c, uint64_t iter);
uint32_t cmr_track_add(struct cmr *c, const char *key, uint32_t flags,
    uint64_t cookie, uint64_t *track);
uint32_t cmr_track_delete(struct cmr *c, uint64_t track, uint64_t *cookie);
/* The next event, waiting at most WAIT_MS (fails the test after). */
void cmr_event(struct cmr *c, struct cmr_event *ev);

#endif /* COHORT_RAWCMAP_H */
