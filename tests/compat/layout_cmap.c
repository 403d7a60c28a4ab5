/*
 * layout_cmap.c: prints every size, offset, enum value and constant of
 * cmap.h and of what its include of hdb.h provides. t_compat.sh compiles
 * it against corosync's headers and against Cohort's and compares.
 */
#include <stddef.h>
#include <stdio.h>

#include <corosync/cmap.h>

#define S(t) printf("sizeof(%s)=%zu\n", #t, sizeof(t))
#define O(t, f) printf("offsetof(%s,%s)=%zu\n", #t, #f, offsetof(t, f))
#define V(x) printf("%s=%lld\n", #x, (long long)(x))

/* Every function has corosync's prototype: each build (against
 * corosync's header and against ours) fails when one differs. */
#define SIG(fn, type) _Static_assert(__builtin_types_compatible_p( \
	__typeof__(fn), type), #fn " has another prototype")
#define H cmap_handle_t
#define K const char *
SIG(cmap_initialize, cs_error_t(H *));
SIG(cmap_initialize_map, cs_error_t(H *, cmap_map_t));
SIG(cmap_finalize, cs_error_t(H));
SIG(cmap_fd_get, cs_error_t(H, int *));
SIG(cmap_dispatch, cs_error_t(H, cs_dispatch_flags_t));
SIG(cmap_context_get, cs_error_t(H, const void **));
SIG(cmap_context_set, cs_error_t(H, const void *));
SIG(cmap_set, cs_error_t(H, K, const void *, size_t, cmap_value_types_t));
SIG(cmap_set_int8, cs_error_t(H, K, int8_t));
SIG(cmap_set_uint8, cs_error_t(H, K, uint8_t));
SIG(cmap_set_int16, cs_error_t(H, K, int16_t));
SIG(cmap_set_uint16, cs_error_t(H, K, uint16_t));
SIG(cmap_set_int32, cs_error_t(H, K, int32_t));
SIG(cmap_set_uint32, cs_error_t(H, K, uint32_t));
SIG(cmap_set_int64, cs_error_t(H, K, int64_t));
SIG(cmap_set_uint64, cs_error_t(H, K, uint64_t));
SIG(cmap_set_float, cs_error_t(H, K, float));
SIG(cmap_set_double, cs_error_t(H, K, double));
SIG(cmap_set_string, cs_error_t(H, K, const char *));
SIG(cmap_delete, cs_error_t(H, K));
SIG(cmap_get, cs_error_t(H, K, void *, size_t *, cmap_value_types_t *));
SIG(cmap_get_int8, cs_error_t(H, K, int8_t *));
SIG(cmap_get_uint8, cs_error_t(H, K, uint8_t *));
SIG(cmap_get_int16, cs_error_t(H, K, int16_t *));
SIG(cmap_get_uint16, cs_error_t(H, K, uint16_t *));
SIG(cmap_get_int32, cs_error_t(H, K, int32_t *));
SIG(cmap_get_uint32, cs_error_t(H, K, uint32_t *));
SIG(cmap_get_int64, cs_error_t(H, K, int64_t *));
SIG(cmap_get_uint64, cs_error_t(H, K, uint64_t *));
SIG(cmap_get_float, cs_error_t(H, K, float *));
SIG(cmap_get_double, cs_error_t(H, K, double *));
SIG(cmap_get_string, cs_error_t(H, K, char **));
SIG(cmap_inc, cs_error_t(H, K));
SIG(cmap_dec, cs_error_t(H, K));
SIG(cmap_iter_init, cs_error_t(H, K, cmap_iter_handle_t *));
SIG(cmap_iter_next, cs_error_t(H, cmap_iter_handle_t, char[], size_t *,
    cmap_value_types_t *));
SIG(cmap_iter_finalize, cs_error_t(H, cmap_iter_handle_t));
SIG(cmap_track_add, cs_error_t(H, K, int32_t, cmap_notify_fn_t, void *,
    cmap_track_handle_t *));
SIG(cmap_track_delete, cs_error_t(H, cmap_track_handle_t));
SIG(cmap_notify_fn_t, void (*)(H, cmap_track_handle_t, int32_t, K,
    struct cmap_notify_value, struct cmap_notify_value, void *));

static void notify(cmap_handle_t h, cmap_track_handle_t t, int32_t ev,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *ud)
{
}

int main(void)
{
	cmap_notify_fn_t fn = notify;
	uint64_t wide = UINT64_MAX;

	S(cmap_handle_t); S(cmap_iter_handle_t); S(cmap_track_handle_t);
	S(cmap_value_types_t); S(cmap_map_t); S(cmap_notify_fn_t);
	S(struct cmap_notify_value); O(struct cmap_notify_value, type);
	O(struct cmap_notify_value, len); O(struct cmap_notify_value, data);
	V(CMAP_KEYNAME_MAXLEN); V(CMAP_KEYNAME_MINLEN);
	V(CMAP_TRACK_ADD); V(CMAP_TRACK_DELETE); V(CMAP_TRACK_MODIFY);
	V(CMAP_TRACK_PREFIX);
	V(CMAP_VALUETYPE_INT8); V(CMAP_VALUETYPE_UINT8); V(CMAP_VALUETYPE_INT16);
	V(CMAP_VALUETYPE_UINT16); V(CMAP_VALUETYPE_INT32);
	V(CMAP_VALUETYPE_UINT32); V(CMAP_VALUETYPE_INT64);
	V(CMAP_VALUETYPE_UINT64); V(CMAP_VALUETYPE_FLOAT);
	V(CMAP_VALUETYPE_DOUBLE); V(CMAP_VALUETYPE_STRING);
	V(CMAP_VALUETYPE_BINARY);
	V(CMAP_MAP_DEFAULT); V(CMAP_MAP_ICMAP); V(CMAP_MAP_STATS);
	/* What programs get from cmap.h's include of hdb.h. */
	S(hdb_handle_t);
	printf("HDB_D_FORMAT=" HDB_D_FORMAT "\n", wide);
	printf("HDB_X_FORMAT=" HDB_X_FORMAT "\n", wide);
	printf("PRIu64 via cmap.h=%" PRIu64 " strlen=%zu errno=%d\n", wide,
	    strlen("cmap"), EINVAL);
	return fn == NULL;
}
