/* Unit tests: the daemon's map (src/daemon/icmap.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/icmap.h"

/* ------------------------------------------------------------ recorder */

#define REC_MAX 64

/* What one tracker function saw, one entry per call. */
struct rec {
	int n;
	struct {
		int id;
		int event;
		char key[ICMAP_KEY_MAX + 1];
		struct icmap_value now, old;
		char now_s[64], old_s[64];   /* string values, copied */
	} e[REC_MAX];
};

/* A tracker's argument: its id, the shared recorder, and what it does
 * to trackers from inside its function. */
struct probe {
	int id;
	struct rec *rec;
	struct icmap *m;
	struct icmap_track *self;
	struct icmap_track *kill;   /* deleted on the first call */
	bool kill_self;
};

static void copy_str(char *dst, const struct icmap_value *v)
{
	dst[0] = '\0';
	if (v->type == ICMAP_STRING)
		snprintf(dst, 64, "%s", (const char *)v->data);
}

static void record(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct probe *p = arg;
	struct rec *r = p->rec;

	assert_ptr_equal(t, p->self);
	assert_true(r->n < REC_MAX);
	r->e[r->n].id = p->id;
	r->e[r->n].event = event;
	snprintf(r->e[r->n].key, sizeof(r->e[r->n].key), "%s", key);
	r->e[r->n].now = *now;
	r->e[r->n].old = *old;
	copy_str(r->e[r->n].now_s, now);
	copy_str(r->e[r->n].old_s, old);
	r->n++;
	if (p->kill) {
		icmap_track_delete(p->m, p->kill);
		p->kill = NULL;
	}
	if (p->kill_self) {
		icmap_track_delete(p->m, t);
		p->self = NULL;
		p->kill_self = false;
	}
}

static void track(struct icmap *m, struct probe *p, const char *key,
    int flags)
{
	assert_int_equal(icmap_track_add(m, key, flags, record, p, &p->self),
	    0);
}

/* The trackers called since the last check, by id, in order; then
 * forgets them. */
static void expect_ids(struct rec *r, const int *ids, int n)
{
	assert_int_equal(r->n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(r->e[i].id, ids[i]);
	r->n = 0;
}
#define EXPECT_IDS(r, ...) expect_ids(r, (const int[]){ __VA_ARGS__ }, \
	(int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)))

static struct icmap *new_map(void)
{
	struct icmap *m;

	assert_int_equal(icmap_new(&m), 0);
	return m;
}

/* ------------------------------------------------------ types, lengths */

static void types_and_lengths(void **state)
{
	static const int sizes[] = { [ICMAP_INT8] = 1, [ICMAP_UINT8] = 1,
	    [ICMAP_INT16] = 2, [ICMAP_UINT16] = 2, [ICMAP_INT32] = 4,
	    [ICMAP_UINT32] = 4, [ICMAP_INT64] = 8, [ICMAP_UINT64] = 8,
	    [ICMAP_FLOAT] = 4, [ICMAP_DOUBLE] = 8, [ICMAP_STRING] = 0,
	    [ICMAP_BINARY] = 0 };
	struct icmap *m = new_map();
	uint8_t bytes[ICMAP_VALUE_MAX + 1] = { 0 };
	struct icmap_value v;

	assert_int_equal(icmap_type_size(0), -1);
	assert_int_equal(icmap_type_size(13), -1);
	assert_int_equal(icmap_set(m, "k.t0", 0, bytes, 0), -EINVAL);
	assert_int_equal(icmap_set(m, "k.t13", 13, bytes, 4), -EINVAL);
	for (int t = ICMAP_INT8; t <= ICMAP_DOUBLE; t++) {
		char key[32];

		assert_int_equal(icmap_type_size(t), sizes[t]);
		snprintf(key, sizeof(key), "k.type%d", t);
		/* Exactly the type's size, nothing else (a 3-byte u32 is
		 * refused as corosync refuses it). */
		assert_int_equal(icmap_set(m, key, t, bytes, sizes[t] - 1),
		    -EINVAL);
		assert_int_equal(icmap_set(m, key, t, bytes, sizes[t] + 1),
		    -EINVAL);
		assert_int_equal(icmap_get(m, key, &v), -ENOENT);
		assert_int_equal(icmap_set(m, key, t, bytes, sizes[t]), 0);
		assert_int_equal(icmap_get(m, key, &v), 0);
		assert_int_equal(v.type, t);
		assert_int_equal(v.len, sizes[t]);
	}
	assert_int_equal(icmap_type_size(ICMAP_STRING), 0);
	assert_int_equal(icmap_type_size(ICMAP_BINARY), 0);

	/* BINARY: 0..ICMAP_VALUE_MAX bytes. */
	assert_int_equal(icmap_set(m, "k.bin", ICMAP_BINARY, NULL, 0), 0);
	assert_int_equal(icmap_get(m, "k.bin", &v), 0);
	assert_int_equal(v.len, 0);
	assert_non_null(v.data);
	assert_int_equal(icmap_set(m, "k.bin", ICMAP_BINARY, bytes,
	    ICMAP_VALUE_MAX), 0);
	assert_int_equal(icmap_set(m, "k.bin", ICMAP_BINARY, bytes,
	    ICMAP_VALUE_MAX + 1), -EINVAL);
	assert_int_equal(icmap_get(m, "k.bin", &v), 0);
	assert_int_equal(v.len, ICMAP_VALUE_MAX);
	assert_int_equal(icmap_set(m, "k.null", ICMAP_BINARY, NULL, 1),
	    -EINVAL);

	/* STRING: up to the first NUL or len bytes, stored with a NUL. */
	assert_int_equal(icmap_set(m, "k.s", ICMAP_STRING, "abcdef", 3), 0);
	assert_int_equal(icmap_get(m, "k.s", &v), 0);
	assert_int_equal(v.len, 4);
	assert_string_equal(v.data, "abc");
	assert_int_equal(icmap_set(m, "k.s", ICMAP_STRING, "abc", 4), 0);
	assert_int_equal(icmap_set(m, "k.s", ICMAP_STRING, "abc", 5),
	    -EINVAL);
	assert_int_equal(icmap_set(m, "k.s", ICMAP_STRING, "ab\0cd", 5),
	    -EINVAL);
	assert_int_equal(icmap_set(m, "k.e", ICMAP_STRING, "", 0), 0);
	assert_int_equal(icmap_get(m, "k.e", &v), 0);
	assert_int_equal(v.len, 1);
	assert_string_equal(v.data, "");
	memset(bytes, 'x', ICMAP_VALUE_MAX - 1);
	bytes[ICMAP_VALUE_MAX - 1] = '\0';
	assert_int_equal(icmap_set(m, "k.long", ICMAP_STRING, bytes,
	    ICMAP_VALUE_MAX), 0);
	memset(bytes, 'x', sizeof(bytes));
	assert_int_equal(icmap_set(m, "k.long", ICMAP_STRING, bytes,
	    ICMAP_VALUE_MAX + 1), -EINVAL);
	assert_int_equal(icmap_get(m, "k.long", &v), 0);
	assert_int_equal(v.len, ICMAP_VALUE_MAX);

	/* Typed access: the type must match exactly. */
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	int32_t i32;
	uint64_t u64;
	const char *s;

	assert_int_equal(icmap_set_u8(m, "k.u8", 200), 0);
	assert_int_equal(icmap_set_u16(m, "k.u16", 60000), 0);
	assert_int_equal(icmap_set_u32(m, "k.u32", 4000000000u), 0);
	assert_int_equal(icmap_set_i32(m, "k.i32", -5), 0);
	assert_int_equal(icmap_set_u64(m, "k.u64", UINT64_MAX - 1), 0);
	assert_int_equal(icmap_set_str(m, "k.str", "hello"), 0);
	assert_int_equal(icmap_set_str(m, "k.str2", NULL), -EINVAL);
	assert_int_equal(icmap_get_u8(m, "k.u8", &u8), 0);
	assert_int_equal(u8, 200);
	assert_int_equal(icmap_get_u16(m, "k.u16", &u16), 0);
	assert_int_equal(u16, 60000);
	assert_int_equal(icmap_get_u32(m, "k.u32", &u32), 0);
	assert_int_equal(u32, 4000000000u);
	assert_int_equal(icmap_get_i32(m, "k.i32", &i32), 0);
	assert_int_equal(i32, -5);
	assert_int_equal(icmap_get_u64(m, "k.u64", &u64), 0);
	assert_true(u64 == UINT64_MAX - 1);
	assert_int_equal(icmap_get_str(m, "k.str", &s), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(icmap_get_u8(m, "k.u32", &u8), -EINVAL);
	assert_int_equal(icmap_get_u32(m, "k.u8", &u32), -EINVAL);
	assert_int_equal(icmap_get_i32(m, "k.u32", &i32), -EINVAL);
	assert_int_equal(icmap_get_str(m, "k.u64", &s), -EINVAL);
	assert_int_equal(icmap_get_u16(m, "k.none", &u16), -ENOENT);
	assert_int_equal(icmap_get_str(m, "k.none", &s), -ENOENT);
	icmap_free(m);
}

/* -------------------------------------------------------------- keys */

static void key_rules(void **state)
{
	struct icmap *m = new_map();
	char key[ICMAP_KEY_MAX + 2];

	assert_false(icmap_key_valid("ab"));
	assert_false(icmap_key_valid("a b c"));
	assert_false(icmap_key_valid("abc\n"));
	assert_false(icmap_key_valid("abc*"));
	assert_true(icmap_key_valid("abc"));
	assert_true(icmap_key_valid("aZ09._-/:"));
	assert_int_equal(icmap_set_u8(m, "ab", 1), -ENAMETOOLONG);
	assert_int_equal(icmap_set_u8(m, "a b c", 1), -ENAMETOOLONG);
	assert_int_equal(icmap_set_u8(m, "x\xc3\xa9z", 1), -ENAMETOOLONG);
	/* Value checks come first, as in corosync. */
	assert_int_equal(icmap_set(m, "ab", ICMAP_UINT8, "12", 2), -EINVAL);
	memset(key, 'k', ICMAP_KEY_MAX);
	key[ICMAP_KEY_MAX] = '\0';
	assert_true(icmap_key_valid(key));
	assert_int_equal(icmap_set_u8(m, key, 1), 0);
	key[ICMAP_KEY_MAX] = 'k';
	key[ICMAP_KEY_MAX + 1] = '\0';
	assert_false(icmap_key_valid(key));
	assert_int_equal(icmap_set_u8(m, key, 1), -ENAMETOOLONG);
	assert_int_equal(icmap_count(m), 1);
	assert_int_equal(icmap_set(m, NULL, ICMAP_UINT8, "1", 1), -EINVAL);
	assert_int_equal(icmap_delete(m, "nothing"), -ENOENT);
	icmap_free(m);
}

/* ------------------------------------------------ changes and trackers */

/* The same type and bytes again change nothing and tell no one; another
 * type replaces the value as a MODIFY. */
static void identical_set_and_type_change(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe p = { .id = 1, .rec = &rec, .m = m };
	uint32_t five = 5;

	track(m, &p, "test.", ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY |
	    ICMAP_TRACK_DELETE | ICMAP_TRACK_PREFIX);
	assert_int_equal(icmap_set_u32(m, "test.x", 5), 0);
	assert_int_equal(icmap_set_u32(m, "test.x", 5), 0);
	assert_int_equal(icmap_set_u32(m, "test.x", 6), 0);
	assert_int_equal(icmap_set_str(m, "test.x", "abc"), 0);
	assert_int_equal(icmap_set(m, "test.x", ICMAP_STRING, "abcdef", 3), 0);
	assert_int_equal(icmap_delete(m, "test.x"), 0);
	assert_int_equal(rec.n, 4);

	assert_int_equal(rec.e[0].event, ICMAP_TRACK_ADD);
	assert_string_equal(rec.e[0].key, "test.x");
	assert_int_equal(rec.e[0].now.type, ICMAP_UINT32);
	assert_int_equal(rec.e[0].now.len, 4);
	assert_int_equal(rec.e[0].old.type, 0);
	assert_int_equal(rec.e[0].old.len, 0);
	assert_null(rec.e[0].old.data);

	assert_int_equal(rec.e[1].event, ICMAP_TRACK_MODIFY);
	assert_int_equal(rec.e[1].now.type, ICMAP_UINT32);
	assert_int_equal(rec.e[1].old.type, ICMAP_UINT32);

	assert_int_equal(rec.e[2].event, ICMAP_TRACK_MODIFY);
	assert_int_equal(rec.e[2].now.type, ICMAP_STRING);
	assert_int_equal(rec.e[2].now.len, 4);
	assert_string_equal(rec.e[2].now_s, "abc");
	assert_int_equal(rec.e[2].old.type, ICMAP_UINT32);
	assert_int_equal(rec.e[2].old.len, 4);

	assert_int_equal(rec.e[3].event, ICMAP_TRACK_DELETE);
	assert_int_equal(rec.e[3].now.type, 0);
	assert_null(rec.e[3].now.data);
	assert_string_equal(rec.e[3].old_s, "abc");
	assert_int_equal(icmap_get_u32(m, "test.x", &five), -ENOENT);
	icmap_free(m);
}

/* The value a tracker sees is the map's state after the change. */
static struct icmap *seen_map;
static int seen_ok;

static void check_state(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct icmap_value v;
	int rc = icmap_get(seen_map, key, &v);

	if (event == ICMAP_TRACK_DELETE)
		seen_ok += rc == -ENOENT;
	else
		seen_ok += rc == 0 && v.len == now->len &&
		    memcmp(v.data, now->data, v.len) == 0;
}

static void tracker_sees_new_state(void **state)
{
	struct icmap *m = new_map();
	struct icmap_track *t;

	seen_map = m;
	seen_ok = 0;
	assert_int_equal(icmap_track_add(m, "abc", ICMAP_TRACK_ADD |
	    ICMAP_TRACK_MODIFY | ICMAP_TRACK_DELETE, check_state, NULL, &t),
	    0);
	assert_int_equal(icmap_set_u8(m, "abc", 1), 0);
	assert_int_equal(icmap_set_u8(m, "abc", 2), 0);
	assert_int_equal(icmap_delete(m, "abc"), 0);
	assert_int_equal(seen_ok, 3);
	icmap_free(m);
}

static void adjust_wraps(void **state)
{
	struct icmap *m = new_map();
	struct icmap_value v;
	int8_t i8 = INT8_MAX;
	uint8_t u8 = UINT8_MAX;
	int16_t i16 = INT16_MAX;
	uint16_t u16 = UINT16_MAX;
	int32_t i32 = INT32_MAX;
	uint32_t u32 = UINT32_MAX;
	int64_t i64 = INT64_MAX;
	uint64_t u64 = UINT64_MAX;
	float f = 1;
	double d = 1;

	assert_int_equal(icmap_set(m, "w.i8", ICMAP_INT8, &i8, 1), 0);
	assert_int_equal(icmap_set(m, "w.u8", ICMAP_UINT8, &u8, 1), 0);
	assert_int_equal(icmap_set(m, "w.i16", ICMAP_INT16, &i16, 2), 0);
	assert_int_equal(icmap_set(m, "w.u16", ICMAP_UINT16, &u16, 2), 0);
	assert_int_equal(icmap_set(m, "w.i32", ICMAP_INT32, &i32, 4), 0);
	assert_int_equal(icmap_set(m, "w.u32", ICMAP_UINT32, &u32, 4), 0);
	assert_int_equal(icmap_set(m, "w.i64", ICMAP_INT64, &i64, 8), 0);
	assert_int_equal(icmap_set(m, "w.u64", ICMAP_UINT64, &u64, 8), 0);
	assert_int_equal(icmap_set(m, "w.flt", ICMAP_FLOAT, &f, 4), 0);
	assert_int_equal(icmap_set(m, "w.dbl", ICMAP_DOUBLE, &d, 8), 0);
	assert_int_equal(icmap_set_str(m, "w.str", "1"), 0);
	assert_int_equal(icmap_set(m, "w.bin", ICMAP_BINARY, "1", 1), 0);

	/* Up past the maximum of each width. */
	static const char *const ints[] = { "w.i8", "w.u8", "w.i16", "w.u16",
	    "w.i32", "w.u32", "w.i64", "w.u64" };
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		assert_int_equal(icmap_adjust(m, ints[i], 1), 0);
#define VAL(key, var) (assert_int_equal(icmap_get(m, key, &v), 0), \
	memcpy(&var, v.data, sizeof(var)), var)
	assert_int_equal(VAL("w.i8", i8), INT8_MIN);
	assert_int_equal(VAL("w.u8", u8), 0);
	assert_int_equal(VAL("w.i16", i16), INT16_MIN);
	assert_int_equal(VAL("w.u16", u16), 0);
	assert_int_equal(VAL("w.i32", i32), INT32_MIN);
	assert_int_equal(VAL("w.u32", u32), 0);
	assert_true(VAL("w.i64", i64) == INT64_MIN);
	assert_true(VAL("w.u64", u64) == 0);
	/* And back down below the minimum. */
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		assert_int_equal(icmap_adjust(m, ints[i], -1), 0);
	assert_int_equal(VAL("w.i8", i8), INT8_MAX);
	assert_int_equal(VAL("w.u8", u8), UINT8_MAX);
	assert_int_equal(VAL("w.i16", i16), INT16_MAX);
	assert_int_equal(VAL("w.u16", u16), UINT16_MAX);
	assert_int_equal(VAL("w.i32", i32), INT32_MAX);
	assert_int_equal(VAL("w.u32", u32), UINT32_MAX);
	assert_true(VAL("w.i64", i64) == INT64_MAX);
	assert_true(VAL("w.u64", u64) == UINT64_MAX);
	assert_int_equal(icmap_adjust(m, "w.u64", -1), 0);
	assert_true(VAL("w.u64", u64) == UINT64_MAX - 1);
	assert_int_equal(icmap_adjust(m, "w.i8", -1), 0);
	assert_int_equal(VAL("w.i8", i8), INT8_MAX - 1);
#undef VAL
	/* Other types are refused and left alone. */
	assert_int_equal(icmap_adjust(m, "w.flt", 1), -EINVAL);
	assert_int_equal(icmap_adjust(m, "w.dbl", 1), -EINVAL);
	assert_int_equal(icmap_adjust(m, "w.str", 1), -EINVAL);
	assert_int_equal(icmap_adjust(m, "w.bin", 1), -EINVAL);
	assert_int_equal(icmap_get(m, "w.str", &v), 0);
	assert_string_equal(v.data, "1");
	assert_int_equal(icmap_adjust(m, "w.none", 1), -ENOENT);
	icmap_free(m);
}

static void adjust_notifies_modify(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe p = { .id = 1, .rec = &rec, .m = m };
	uint8_t now;

	track(m, &p, "cnt", ICMAP_TRACK_MODIFY);
	assert_int_equal(icmap_set_u8(m, "cnt", 255), 0);
	assert_int_equal(icmap_adjust(m, "cnt", 1), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.e[0].event, ICMAP_TRACK_MODIFY);
	assert_int_equal(rec.e[0].now.type, ICMAP_UINT8);
	assert_int_equal(rec.e[0].old.type, ICMAP_UINT8);
	/* The old value's data stays valid during the call only; the
	 * recorder kept the pointer, so read the map instead. */
	assert_int_equal(icmap_get_u8(m, "cnt", &now), 0);
	assert_int_equal(now, 0);
	icmap_free(m);
}

/* Exact trackers fire only for their key (which need not exist yet),
 * prefix trackers for every key starting with their string, the empty
 * prefix for every key; each only for its events. */
static void tracker_kinds(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe exact = { .id = 1, .rec = &rec, .m = m };
	struct probe pre = { .id = 2, .rec = &rec, .m = m };
	struct probe all = { .id = 3, .rec = &rec, .m = m };
	struct probe null = { .id = 4, .rec = &rec, .m = m };
	struct probe adds = { .id = 5, .rec = &rec, .m = m };

	track(m, &exact, "totem.token", ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY |
	    ICMAP_TRACK_DELETE);
	track(m, &pre, "totem", ICMAP_TRACK_MODIFY | ICMAP_TRACK_PREFIX);
	track(m, &all, "", ICMAP_TRACK_DELETE | ICMAP_TRACK_PREFIX);
	track(m, &null, NULL, ICMAP_TRACK_ADD | ICMAP_TRACK_PREFIX);
	track(m, &adds, "totem.token", ICMAP_TRACK_ADD);

	assert_int_equal(icmap_set_u32(m, "totem.token", 1000), 0);
	/* ADD: exact (1), null prefix (4), add-only exact (5). */
	EXPECT_IDS(&rec, 1, 4, 5);

	assert_int_equal(icmap_set_u32(m, "totem.token_coefficient", 1), 0);
	assert_int_equal(icmap_set_u32(m, "totem.token_coefficient", 2), 0);
	assert_int_equal(icmap_set_u32(m, "totemX", 1), 0);
	assert_int_equal(icmap_set_u32(m, "totemX", 2), 0);
	assert_int_equal(icmap_set_u32(m, "toteX", 1), 0);
	assert_int_equal(icmap_set_u32(m, "toteX", 2), 0);
	/* ADDs for the null prefix; MODIFYs of "totem" prefixed keys. */
	assert_int_equal(rec.n, 5);
	assert_int_equal(rec.e[0].id, 4);
	assert_int_equal(rec.e[1].id, 2);
	assert_string_equal(rec.e[1].key, "totem.token_coefficient");
	assert_int_equal(rec.e[2].id, 4);
	assert_int_equal(rec.e[3].id, 2);
	assert_string_equal(rec.e[3].key, "totemX");
	assert_int_equal(rec.e[4].id, 4);
	assert_string_equal(rec.e[4].key, "toteX");
	rec.n = 0;

	assert_int_equal(icmap_set_u32(m, "totem.token", 2000), 0);
	EXPECT_IDS(&rec, 1, 2);

	assert_int_equal(icmap_delete(m, "totem.token"), 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.e[0].id, 1);
	assert_int_equal(rec.e[0].event, ICMAP_TRACK_DELETE);
	assert_int_equal(rec.e[1].id, 3);
	rec.n = 0;

	/* Deleting by prefix tells each deleted key, in order. */
	assert_int_equal(icmap_delete_prefix(m, "totem"), 2);
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.e[0].key, "totem.token_coefficient");
	assert_string_equal(rec.e[1].key, "totemX");
	assert_int_equal(icmap_count(m), 1);
	assert_int_equal(icmap_delete_prefix(m, "nothing"), 0);

	/* A deleted tracker hears nothing more. */
	rec.n = 0;
	icmap_track_delete(m, exact.self);
	icmap_track_delete(m, null.self);
	icmap_track_delete(m, adds.self);
	assert_int_equal(icmap_set_u32(m, "totem.token", 1), 0);
	assert_int_equal(rec.n, 0);
	icmap_free(m);
}

/* A tracker may delete itself or another inside its function: a deleted
 * one that comes later is not called for this change, the others are. */
static void tracker_deletes_inside(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe a = { .id = 1, .rec = &rec, .m = m, .kill_self = true };
	struct probe b = { .id = 2, .rec = &rec, .m = m };
	struct probe c = { .id = 3, .rec = &rec, .m = m };
	struct probe d = { .id = 4, .rec = &rec, .m = m };
	const int ev = ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY | ICMAP_TRACK_PREFIX;

	track(m, &a, "x.", ev);
	track(m, &b, "x.", ev);
	track(m, &c, "x.", ev);
	track(m, &d, "x.", ev);
	b.kill = c.self;

	assert_int_equal(icmap_set_u8(m, "x.1", 1), 0);
	EXPECT_IDS(&rec, 1, 2, 4);
	assert_int_equal(icmap_set_u8(m, "x.1", 2), 0);
	EXPECT_IDS(&rec, 2, 4);

	/* The last one deletes every tracker, itself included. */
	d.kill = b.self;
	d.kill_self = true;
	assert_int_equal(icmap_set_u8(m, "x.1", 3), 0);
	EXPECT_IDS(&rec, 2, 4);
	assert_int_equal(icmap_set_u8(m, "x.1", 4), 0);
	assert_int_equal(rec.n, 0);
	/* The freed slots count again. */
	track(m, &a, "x.", ev);
	icmap_free(m);
}

/* A tracker that breaks the rule and changes the key it is told of:
 * the trackers after it are still given values that are there (the
 * sanitizer build checks the reads). */
static int rewrites;

static void rewrite(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct icmap *m = arg;

	if (rewrites++ == 0) {
		assert_int_equal(icmap_set_str(m, key, "second"), 0);
		assert_int_equal(icmap_delete(m, "other"), 0);
	}
}

static void tracker_changes_map(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe p = { .id = 2, .rec = &rec, .m = m };
	struct icmap_track *t;

	rewrites = 0;
	assert_int_equal(icmap_set_str(m, "other", "x"), 0);
	assert_int_equal(icmap_set_str(m, "key", "first"), 0);
	assert_int_equal(icmap_track_add(m, "key", ICMAP_TRACK_MODIFY, rewrite,
	    m, &t), 0);
	track(m, &p, "key", ICMAP_TRACK_MODIFY);
	assert_int_equal(icmap_set_str(m, "key", "changed"), 0);
	/* The second tracker heard of "second" (nested) then of "changed",
	 * whose value it could still read. */
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.e[0].now_s, "second");
	assert_string_equal(rec.e[1].now_s, "changed");
	assert_string_equal(rec.e[1].old_s, "first");
	icmap_free(m);
}

/* The change numbers trackers see (icmap_change_seq), in call order. */
static uint64_t seen_seq[8];
static int n_seen;

static void see_seq(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct icmap *m = arg;

	assert_true(n_seen < 8);
	seen_seq[n_seen++] = icmap_change_seq(m);
	if (n_seen == 1)
		assert_int_equal(icmap_set_u8(m, "key2", 1), 0);
}

/* Every tracker of one change sees one number, the next change another,
 * a change made inside a tracker function another again, and the
 * trackers told of the outer change after it see the outer's. */
static void change_numbers(void **state)
{
	struct icmap *m = new_map();
	struct icmap_track *t1, *t2;

	n_seen = 0;
	assert_int_equal(icmap_track_add(m, "key", ICMAP_TRACK_PREFIX |
	    ICMAP_TRACK_ADD, see_seq, m, &t1), 0);
	assert_int_equal(icmap_track_add(m, "key", ICMAP_TRACK_PREFIX |
	    ICMAP_TRACK_ADD, see_seq, m, &t2), 0);
	assert_int_equal(icmap_set_u8(m, "key1", 1), 0);
	/* key1 to t1, which adds key2 (told to t1 and t2), key1 to t2. */
	assert_int_equal(n_seen, 4);
	assert_true(seen_seq[1] == seen_seq[2] && seen_seq[1] != seen_seq[0]);
	assert_true(seen_seq[3] == seen_seq[0]);
	assert_int_equal(icmap_set_u8(m, "key3", 1), 0);
	assert_int_equal(n_seen, 6);
	assert_true(seen_seq[4] == seen_seq[5]);
	assert_true(seen_seq[4] != seen_seq[0] && seen_seq[4] != seen_seq[1]);
	icmap_free(m);
}

static void tracker_flags(void **state)
{
	struct icmap *m = new_map();
	struct rec rec = { 0 };
	struct probe p = { .id = 1, .rec = &rec, .m = m };
	struct icmap_track *t = NULL;

	assert_int_equal(icmap_track_add(m, "abc", 0, record, &p, &t),
	    -EINVAL);
	assert_int_equal(icmap_track_add(m, "abc", ICMAP_TRACK_PREFIX, record,
	    &p, &t), -EINVAL);
	assert_int_equal(icmap_track_add(m, "abc", ICMAP_TRACK_ADD | 16,
	    record, &p, &t), -EINVAL);
	assert_int_equal(icmap_track_add(m, "abc", ICMAP_TRACK_ADD, NULL, &p,
	    &t), -EINVAL);
	assert_null(t);
	icmap_free(m);
}

/* ------------------------------------------------------------ iteration */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys come in byte order (node.10 before node.2), only those with the
 * prefix, which is a plain string prefix. */
static void iteration_order(void **state)
{
	struct icmap *m = new_map();
	static const char *const keys[] = { "nodelist.node.2.nodeid",
	    "nodelist.node.10.nodeid", "nodelist.node.1.nodeid",
	    "nodelist.local_node_pos", "nodelist.node.0.ring0_addr",
	    "nodelistX", "nodelis", "totem.token", "Zeta", "alpha",
	    "nodelist.node.2.name" };
	static const char *const want[] = { "nodelist.local_node_pos",
	    "nodelist.node.0.ring0_addr", "nodelist.node.1.nodeid",
	    "nodelist.node.10.nodeid", "nodelist.node.2.name",
	    "nodelist.node.2.nodeid" };
	struct icmap_value v;
	const char *k;
	size_t i = 0;

	for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
		assert_int_equal(icmap_set_u32(m, keys[j], (uint32_t)j), 0);
	for (k = icmap_next(m, "nodelist.", NULL, &v); k;
	    k = icmap_next(m, "nodelist.", k, &v)) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_string_equal(k, want[i]);
		assert_int_equal(v.type, ICMAP_UINT32);
		i++;
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));

	/* Everything, with NULL and "" alike. */
	const char *first = icmap_next(m, NULL, NULL, NULL);

	assert_string_equal(first, "Zeta");
	assert_string_equal(icmap_next(m, "", NULL, NULL), "Zeta");
	assert_string_equal(icmap_next(m, NULL, "Zeta", NULL), "alpha");
	/* `after` need not be a key; before the prefix it means "from
	 * the prefix on". */
	assert_string_equal(icmap_next(m, "nodelist.", "a", NULL),
	    "nodelist.local_node_pos");
	assert_string_equal(icmap_next(m, "nodelist.", "nodelist.node.10",
	    NULL), "nodelist.node.10.nodeid");
	assert_null(icmap_next(m, "nodelist.", "nodelist.z", NULL));
	assert_null(icmap_next(m, "nomatch", NULL, NULL));
	assert_null(icmap_next(m, "nodelist", "nodelistX", NULL));
	/* A key equal to the prefix has it. */
	assert_string_equal(icmap_next(m, "totem.token", NULL, NULL),
	    "totem.token");
	assert_string_equal(icmap_next(m, "nodelis", NULL, NULL), "nodelis");
	assert_int_equal(icmap_delete_prefix(m, "nodelistX"), 1);
	assert_int_equal(icmap_get(m, "nodelistX", &v), -ENOENT);
	icmap_free(m);
}

/* Iterating while keys are added and deleted: each step returns the
 * first key after the last one seen that the map holds at that moment
 * (a key added ahead of the cursor is seen, one deleted ahead is not),
 * checked against a reference. */
static void iteration_while_changing(void **state)
{
	enum { SPAN = 200 };
	struct icmap *m = new_map();
	bool present[SPAN] = { false };
	char key[32], last[32] = "";
	const char *k;
	int seen = 0;

	for (int i = 0; i < 100; i += 2) {
		snprintf(key, sizeof(key), "it.%03d", i);
		assert_int_equal(icmap_set_u8(m, key, 1), 0);
		present[i] = true;
	}
	assert_int_equal(icmap_set_u8(m, "iu.000", 1), 0);
	for (k = icmap_next(m, "it.", NULL, NULL); k;
	    k = icmap_next(m, "it.", last, NULL)) {
		int n = atoi(k + 3), want = last[0] ? atoi(last + 3) + 1 : 0;

		while (want < SPAN && !present[want])
			want++;
		assert_int_equal(n, want);
		snprintf(last, sizeof(last), "%s", k);
		seen++;
		/* Delete the key just seen and the one two ahead; add one
		 * ahead (every third step) and one behind. */
		assert_int_equal(icmap_delete(m, k), 0);
		present[n] = false;
		snprintf(key, sizeof(key), "it.%03d", n + 2);
		if (n + 2 < SPAN && present[n + 2]) {
			assert_int_equal(icmap_delete(m, key), 0);
			present[n + 2] = false;
		}
		if (n % 3 == 0 && n + 3 < SPAN) {
			snprintf(key, sizeof(key), "it.%03d", n + 3);
			assert_int_equal(icmap_set_u8(m, key, 2), 0);
			present[n + 3] = true;
		}
		if (n > 0) {
			snprintf(key, sizeof(key), "it.%03d", n - 1);
			assert_int_equal(icmap_set_u8(m, key, 3), 0);
			present[n - 1] = true;
		}
	}
	assert_true(seen > 10);
	/* What remains is exactly what the reference holds. */
	size_t left = 0;

	for (int i = 0; i < SPAN; i++)
		left += present[i];
	assert_int_equal(icmap_count(m), left + 1);
	icmap_free(m);
}

/* Many random insertions and deletions against a sorted reference: the
 * tree keeps every key, in order. */
static void random_against_reference(void **state)
{
	enum { N = 3000 };
	struct icmap *m = new_map();
	static char names[N][16];
	static bool present[N];
	char *sorted[N];
	unsigned int seed = 12345;

	for (int i = 0; i < N; i++)
		snprintf(names[i], sizeof(names[i]), "r.%u", i * 7919u % 100003);
	for (int round = 0; round < 20000; round++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 8) % N);

		if (present[i]) {
			assert_int_equal(icmap_delete(m, names[i]), 0);
			present[i] = false;
		} else {
			assert_int_equal(icmap_set_u32(m, names[i],
			    (uint32_t)i), 0);
			present[i] = true;
		}
	}
	size_t n = 0;

	for (int i = 0; i < N; i++)
		if (present[i])
			sorted[n++] = names[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_str);
	assert_int_equal(icmap_count(m), n);
	size_t j = 0;

	for (const char *k = icmap_next(m, NULL, NULL, NULL); k;
	    k = icmap_next(m, NULL, k, NULL)) {
		assert_true(j < n);
		assert_string_equal(k, sorted[j]);
		j++;
	}
	assert_int_equal(j, n);
	for (int i = 0; i < N; i++) {
		uint32_t v;

		assert_int_equal(icmap_get_u32(m, names[i], &v),
		    present[i] ? 0 : -ENOENT);
		if (present[i])
			assert_int_equal(v, (uint32_t)i);
	}
	assert_int_equal(icmap_delete_prefix(m, "r."), n);
	assert_int_equal(icmap_count(m), 0);
	icmap_free(m);
}

/* --------------------------------------------------------------- limits */

static void limit_keys(void **state)
{
	struct icmap *m = new_map();
	char key[32];

	for (unsigned int i = 0; i < ICMAP_KEYS_MAX; i++) {
		snprintf(key, sizeof(key), "k.%u", i);
		assert_int_equal(icmap_set_u8(m, key, 1), 0);
	}
	assert_int_equal(icmap_count(m), ICMAP_KEYS_MAX);
	assert_int_equal(icmap_set_u8(m, "k.one_more", 1), -ENOSPC);
	assert_int_equal(icmap_count(m), ICMAP_KEYS_MAX);
	/* Existing keys still change; a deleted one makes room. */
	assert_int_equal(icmap_set_u8(m, "k.0", 2), 0);
	assert_int_equal(icmap_delete(m, "k.1"), 0);
	assert_int_equal(icmap_set_u8(m, "k.one_more", 1), 0);
	icmap_free(m);
}

static void limit_bytes(void **state)
{
	struct icmap *m = new_map();
	static uint8_t blob[ICMAP_VALUE_MAX];
	char key[32];
	size_t total = 0;
	unsigned int i;
	int rc = 0;

	for (i = 0; rc == 0; i++) {
		snprintf(key, sizeof(key), "b.%06u", i);
		rc = icmap_set(m, key, ICMAP_BINARY, blob, sizeof(blob));
		if (rc == 0)
			total += strlen(key) + sizeof(blob);
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(total <= ICMAP_BYTES_MAX);
	assert_true(total + strlen(key) + sizeof(blob) > ICMAP_BYTES_MAX);
	assert_int_equal(icmap_count(m), i - 1);
	/* A smaller value still fits where it can; growing an existing
	 * value past the limit is refused and leaves it as it was. */
	size_t room = ICMAP_BYTES_MAX - total;

	if (room > strlen("b.small")) {
		assert_int_equal(icmap_set(m, "b.small", ICMAP_BINARY, blob,
		    room - strlen("b.small")), 0);
		assert_int_equal(icmap_set(m, "b.small", ICMAP_BINARY, blob,
		    room - strlen("b.small") + 1), -ENOSPC);
		assert_int_equal(icmap_set_u8(m, "b.x", 1), -ENOSPC);
	}
	assert_int_equal(icmap_delete(m, "b.000000"), 0);
	assert_int_equal(icmap_set_u8(m, "b.x", 1), 0);
	icmap_free(m);
}

static void noop(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	(*(int *)arg)++;
}

static void limit_tracks(void **state)
{
	struct icmap *m = new_map();
	static struct icmap_track *t[ICMAP_TRACKS_MAX];
	struct icmap_track *extra = NULL;
	int calls = 0;

	for (unsigned int i = 0; i < ICMAP_TRACKS_MAX; i++)
		assert_int_equal(icmap_track_add(m, "lim", ICMAP_TRACK_ADD,
		    noop, &calls, &t[i]), 0);
	assert_int_equal(icmap_track_add(m, "lim", ICMAP_TRACK_ADD, noop,
	    &calls, &extra), -ENOSPC);
	assert_null(extra);
	assert_int_equal(icmap_set_u8(m, "lim", 1), 0);
	assert_int_equal(calls, ICMAP_TRACKS_MAX);
	icmap_track_delete(m, t[5]);
	assert_int_equal(icmap_track_add(m, "lim", ICMAP_TRACK_ADD, noop,
	    &calls, &extra), 0);
	icmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_and_lengths),
		cmocka_unit_test(key_rules),
		cmocka_unit_test(identical_set_and_type_change),
		cmocka_unit_test(tracker_sees_new_state),
		cmocka_unit_test(adjust_wraps),
		cmocka_unit_test(adjust_notifies_modify),
		cmocka_unit_test(tracker_kinds),
		cmocka_unit_test(tracker_deletes_inside),
		cmocka_unit_test(tracker_changes_map),
		cmocka_unit_test(tracker_flags),
		cmocka_unit_test(iteration_order),
		cmocka_unit_test(iteration_while_changing),
		cmocka_unit_test(random_against_reference),
		cmocka_unit_test(change_numbers),
		cmocka_unit_test(limit_keys),
		cmocka_unit_test(limit_bytes),
		cmocka_unit_test(limit_tracks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
