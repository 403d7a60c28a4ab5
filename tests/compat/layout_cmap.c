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
