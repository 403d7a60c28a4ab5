/*
 * cmap.h: the configuration map (cmap) client API of Cohort's libcmap.
 *
 * Source- and binary-compatible with the header of the same name shipped
 * by corosync 3.1.7: every name, value and layout below matches it, so
 * programs written for corosync build unchanged against this file. The
 * behaviour of each function is in its man page (cmap_overview(3)).
 *
 * Copyright (c) 2026 The Cohort authors. License: see LICENSE in the source.
 */
#ifndef COROSYNC_CMAP_H_DEFINED
#define COROSYNC_CMAP_H_DEFINED

#include <corosync/corotypes.h>
#include <corosync/hdb.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A connection to the map; an iterator and a tracker on a connection. */
typedef uint64_t cmap_handle_t;
typedef uint64_t cmap_iter_handle_t;
typedef uint64_t cmap_track_handle_t;

/* Key names are CMAP_KEYNAME_MINLEN..CMAP_KEYNAME_MAXLEN characters of
 * [A-Za-z0-9._/:-]; a buffer for one needs CMAP_KEYNAME_MAXLEN + 1. */
#define CMAP_KEYNAME_MAXLEN 255
#define CMAP_KEYNAME_MINLEN 3

/* Events a tracker asks for (OR them), and PREFIX to match every key
 * that starts with the tracked name instead of the name exactly. */
#define CMAP_TRACK_ADD 4
#define CMAP_TRACK_DELETE 1
#define CMAP_TRACK_MODIFY 2
#define CMAP_TRACK_PREFIX 8

typedef enum {
	CMAP_VALUETYPE_INT8 = 1,
	CMAP_VALUETYPE_UINT8 = 2,
	CMAP_VALUETYPE_INT16 = 3,
	CMAP_VALUETYPE_UINT16 = 4,
	CMAP_VALUETYPE_INT32 = 5,
	CMAP_VALUETYPE_UINT32 = 6,
	CMAP_VALUETYPE_INT64 = 7,
	CMAP_VALUETYPE_UINT64 = 8,
	CMAP_VALUETYPE_FLOAT = 9,
	CMAP_VALUETYPE_DOUBLE = 10,
	CMAP_VALUETYPE_STRING = 11,
	CMAP_VALUETYPE_BINARY = 12,
} cmap_value_types_t;

/* The map a connection works on: the configuration and runtime map, or
 * the statistics computed when read. */
typedef enum {
	CMAP_MAP_DEFAULT = 0,
	CMAP_MAP_ICMAP = 0,
	CMAP_MAP_STATS = 1,
} cmap_map_t;

/* One side of a change. `data` points into the event being dispatched
 * and is valid only during the callback; an absent value has type 0 and
 * len 0 but a non-NULL data. */
struct cmap_notify_value {
	cmap_value_types_t type;
	size_t len;
	const void *data;
};

/* Called by cmap_dispatch() for each change a tracker matches; `event`
 * is one of CMAP_TRACK_ADD, _DELETE or _MODIFY. */
typedef void (*cmap_notify_fn_t)(cmap_handle_t cmap_handle,
    cmap_track_handle_t cmap_track_handle, int32_t event,
    const char *key_name, struct cmap_notify_value new_value,
    struct cmap_notify_value old_value, void *user_data);

extern cs_error_t cmap_initialize(cmap_handle_t *handle);
extern cs_error_t cmap_initialize_map(cmap_handle_t *handle, cmap_map_t map);
extern cs_error_t cmap_finalize(cmap_handle_t handle);
extern cs_error_t cmap_fd_get(cmap_handle_t handle, int *fd);
extern cs_error_t cmap_dispatch(cmap_handle_t handle,
    cs_dispatch_flags_t dispatch_types);
extern cs_error_t cmap_context_get(cmap_handle_t handle,
    const void **context);
extern cs_error_t cmap_context_set(cmap_handle_t handle,
    const void *context);

extern cs_error_t cmap_set(cmap_handle_t handle, const char *key_name,
    const void *value, size_t value_len, cmap_value_types_t type);
extern cs_error_t cmap_set_int8(cmap_handle_t handle, const char *key_name,
    int8_t value);
extern cs_error_t cmap_set_uint8(cmap_handle_t handle, const char *key_name,
    uint8_t value);
extern cs_error_t cmap_set_int16(cmap_handle_t handle, const char *key_name,
    int16_t value);
extern cs_error_t cmap_set_uint16(cmap_handle_t handle, const char *key_name,
    uint16_t value);
extern cs_error_t cmap_set_int32(cmap_handle_t handle, const char *key_name,
    int32_t value);
extern cs_error_t cmap_set_uint32(cmap_handle_t handle, const char *key_name,
    uint32_t value);
extern cs_error_t cmap_set_int64(cmap_handle_t handle, const char *key_name,
    int64_t value);
extern cs_error_t cmap_set_uint64(cmap_handle_t handle, const char *key_name,
    uint64_t value);
extern cs_error_t cmap_set_float(cmap_handle_t handle, const char *key_name,
    float value);
extern cs_error_t cmap_set_double(cmap_handle_t handle, const char *key_name,
    double value);
extern cs_error_t cmap_set_string(cmap_handle_t handle, const char *key_name,
    const char *value);

extern cs_error_t cmap_delete(cmap_handle_t handle, const char *key_name);

extern cs_error_t cmap_get(cmap_handle_t handle, const char *key_name,
    void *value, size_t *value_len, cmap_value_types_t *type);
extern cs_error_t cmap_get_int8(cmap_handle_t handle, const char *key_name,
    int8_t *i8);
extern cs_error_t cmap_get_uint8(cmap_handle_t handle, const char *key_name,
    uint8_t *u8);
extern cs_error_t cmap_get_int16(cmap_handle_t handle, const char *key_name,
    int16_t *i16);
extern cs_error_t cmap_get_uint16(cmap_handle_t handle, const char *key_name,
    uint16_t *u16);
extern cs_error_t cmap_get_int32(cmap_handle_t handle, const char *key_name,
    int32_t *i32);
extern cs_error_t cmap_get_uint32(cmap_handle_t handle, const char *key_name,
    uint32_t *u32);
extern cs_error_t cmap_get_int64(cmap_handle_t handle, const char *key_name,
    int64_t *i64);
extern cs_error_t cmap_get_uint64(cmap_handle_t handle, const char *key_name,
    uint64_t *u64);
extern cs_error_t cmap_get_float(cmap_handle_t handle, const char *key_name,
    float *flt);
extern cs_error_t cmap_get_double(cmap_handle_t handle, const char *key_name,
    double *dbl);
/* *str is malloc()ed and NUL-terminated; the caller frees it. */
extern cs_error_t cmap_get_string(cmap_handle_t handle, const char *key_name,
    char **str);

extern cs_error_t cmap_inc(cmap_handle_t handle, const char *key_name);
extern cs_error_t cmap_dec(cmap_handle_t handle, const char *key_name);

extern cs_error_t cmap_iter_init(cmap_handle_t handle, const char *prefix,
    cmap_iter_handle_t *cmap_iter_handle);
/* key_name must have room for CMAP_KEYNAME_MAXLEN + 1 bytes. */
extern cs_error_t cmap_iter_next(cmap_handle_t handle,
    cmap_iter_handle_t iter_handle, char key_name[], size_t *value_len,
    cmap_value_types_t *type);
extern cs_error_t cmap_iter_finalize(cmap_handle_t handle,
    cmap_iter_handle_t iter_handle);

extern cs_error_t cmap_track_add(cmap_handle_t handle, const char *key_name,
    int32_t track_type, cmap_notify_fn_t notify_fn, void *user_data,
    cmap_track_handle_t *cmap_track_handle);
extern cs_error_t cmap_track_delete(cmap_handle_t handle,
    cmap_track_handle_t track_handle);

#ifdef __cplusplus
}
#endif

#endif /* COROSYNC_CMAP_H_DEFINED */
