/*
 * icmap.h: the daemon's configuration and runtime map (corosync's ICMAP):
 * one flat map of typed values under string keys, in byte-wise key
 * order, with tracking of changes. The cmap service serves it to
 * clients; the other services and the configuration read and write it.
 *
 * Keys: 3..ICMAP_KEY_MAX bytes of [A-Za-z0-9._/:-], checked when a key is
 * created. Values: the cmap types (same numbers as cmap_value_types_t);
 * fixed-size types with exactly their size, STRING stored with its
 * terminating NUL (its length counts it), BINARY 0..ICMAP_VALUE_MAX
 * bytes. The map holds at most ICMAP_KEYS_MAX keys and ICMAP_BYTES_MAX
 * bytes of keys and values: beyond, a new key is refused (-ENOSPC) and
 * nothing else changes.
 *
 * Read-only keys (for clients: the daemon itself writes them) are a rule
 * of the cmap service, icmap_ipc_ro().
 *
 * Tracking: a tracker names a key, or with ICMAP_TRACK_PREFIX a prefix,
 * and the events it wants. Its function runs synchronously inside the
 * call that changed the key, once per change, trackers in the order they
 * were added. A tracker may delete itself or others from inside its
 * function, but must not change the map there (if it does, the trackers
 * still to be told of the first change hear of the second before it;
 * the values they are given stay valid).
 *
 * Everything runs on the daemon's one thread.
 */
#ifndef COHORT_ICMAP_H
#define COHORT_ICMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMAP_KEY_MIN 3u
#define ICMAP_KEY_MAX 255u         /* CMAP_KEYNAME_MAXLEN */
#define ICMAP_VALUE_MAX 16384u     /* ICMAP_MAX_VALUE_LEN */
#define ICMAP_KEYS_MAX 65536u      /* keys in the map */
#define ICMAP_BYTES_MAX (64u << 20) /* bytes of keys and values */
#define ICMAP_TRACKS_MAX 65536u    /* trackers, all clients together */

enum icmap_type {
	ICMAP_INT8 = 1,
	ICMAP_UINT8 = 2,
	ICMAP_INT16 = 3,
	ICMAP_UINT16 = 4,
	ICMAP_INT32 = 5,
	ICMAP_UINT32 = 6,
	ICMAP_INT64 = 7,
	ICMAP_UINT64 = 8,
	ICMAP_FLOAT = 9,
	ICMAP_DOUBLE = 10,
	ICMAP_STRING = 11,
	ICMAP_BINARY = 12,
};

/* Track events and flag: the values of CMAP_TRACK_*. */
enum {
	ICMAP_TRACK_DELETE = 1,
	ICMAP_TRACK_MODIFY = 2,
	ICMAP_TRACK_ADD = 4,
	ICMAP_TRACK_PREFIX = 8,
};

/* A value as stored: `data` is the map's (a STRING's ends with its NUL,
 * counted in len) and stays valid until the key next changes. */
struct icmap_value {
	enum icmap_type type;
	size_t len;
	const void *data;
};

struct icmap;
struct icmap_track;

/* Called for each change a tracker asked for. `event` is one of
 * ICMAP_TRACK_ADD, _DELETE, _MODIFY; an absent value (the old of an ADD,
 * the new of a DELETE) has type 0, len 0 and data NULL. */
typedef void (*icmap_notify_fn)(void *arg, struct icmap_track *t,
    int event, const char *key, const struct icmap_value *new_value,
    const struct icmap_value *old_value);

int icmap_new(struct icmap **out);
void icmap_free(struct icmap *m);

/* The size of a fixed-size type, 0 for STRING and BINARY, -1 for a
 * number that is no type. */
int icmap_type_size(enum icmap_type t);
/* Whether `key` may be created: its length and characters. */
bool icmap_key_valid(const char *key);

/*
 * Creates or replaces `key`. A STRING value is taken up to its first NUL
 * or `len` bytes, whichever comes first, and stored with a NUL; `len`
 * may not exceed strlen + 1. Setting the same type and bytes again
 * changes nothing and notifies no one. Returns 0, -ENAMETOOLONG (a new
 * key that is not icmap_key_valid), -EINVAL (no such type, a length that
 * does not fit the type, over ICMAP_VALUE_MAX), -ENOSPC (the map is
 * full) or -ENOMEM.
 */
int icmap_set(struct icmap *m, const char *key, enum icmap_type type,
    const void *value, size_t len);
int icmap_set_u8(struct icmap *m, const char *key, uint8_t v);
int icmap_set_u16(struct icmap *m, const char *key, uint16_t v);
int icmap_set_u32(struct icmap *m, const char *key, uint32_t v);
int icmap_set_i32(struct icmap *m, const char *key, int32_t v);
int icmap_set_u64(struct icmap *m, const char *key, uint64_t v);
int icmap_set_str(struct icmap *m, const char *key, const char *v);

/* 0 with the value, or -ENOENT. */
int icmap_get(const struct icmap *m, const char *key, struct icmap_value *out);
/* 0, -ENOENT, or -EINVAL (the key has another type). */
int icmap_get_u8(const struct icmap *m, const char *key, uint8_t *v);
int icmap_get_u16(const struct icmap *m, const char *key, uint16_t *v);
int icmap_get_u32(const struct icmap *m, const char *key, uint32_t *v);
int icmap_get_i32(const struct icmap *m, const char *key, int32_t *v);
int icmap_get_u64(const struct icmap *m, const char *key, uint64_t *v);
/* The string, borrowed from the map (valid until the key changes). */
int icmap_get_str(const struct icmap *m, const char *key, const char **v);

/* 0 or -ENOENT. */
int icmap_delete(struct icmap *m, const char *key);
/* Deletes every key starting with `prefix` (each notified); how many. */
size_t icmap_delete_prefix(struct icmap *m, const char *prefix);
/* Adds `step` (+1 or -1) with wrap-around in the key's own width.
 * 0, -ENOENT, or -EINVAL (FLOAT, DOUBLE, STRING or BINARY). */
int icmap_adjust(struct icmap *m, const char *key, int step);

/*
 * Iteration in byte-wise key order, safe across changes: the first key
 * after `after` (NULL: from the start) that starts with `prefix` (NULL
 * or "": every key). Returns the key (the map's, valid until it is
 * deleted) and its value, or NULL at the end.
 */
const char *icmap_next(const struct icmap *m, const char *prefix,
    const char *after, struct icmap_value *value);
size_t icmap_count(const struct icmap *m);
/* The bytes of keys and values the map holds (ICMAP_BYTES_MAX at most). */
size_t icmap_bytes(const struct icmap *m);

/*
 * Adds a tracker of `key` (with ICMAP_TRACK_PREFIX in `flags`: of every
 * key starting with it; NULL or "" then tracks every key) for the events
 * in `flags`. 0, -EINVAL (no event, or bits other than the four),
 * -ENOSPC (ICMAP_TRACKS_MAX reached) or -ENOMEM.
 */
int icmap_track_add(struct icmap *m, const char *key, int flags,
    icmap_notify_fn fn, void *arg, struct icmap_track **out);
void icmap_track_delete(struct icmap *m, struct icmap_track *t);
/* Inside a tracker function: the number of the change being told, the
 * same for every tracker of one change and different for every other
 * change (also one made inside a tracker function). */
uint64_t icmap_change_seq(const struct icmap *m);

#endif /* COHORT_ICMAP_H */
