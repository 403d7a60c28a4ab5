/*
 * cmap_harness.h: what the cmap API tests share: a connected handle, a
 * recorder of notifications, a bounded wait for them, and one test body
 * for each typed setter and getter (api_cmap_set_TYPE.c and
 * api_cmap_get_TYPE.c instantiate it for their type).
 *
 * The daemon is started by harness_start() as for every API test; keys
 * the tests write live under "test.", which nothing else uses, and the
 * read-only ones they try are under "nodelist." (read-only for clients
 * whether or not the key exists, services-reference §2.4).
 */
#ifndef COHORT_CMAP_HARNESS_H
#define COHORT_CMAP_HARNESS_H

#include <float.h>
#include <stdint.h>
#include <string.h>

#include <corosync/cmap.h>

#include "harness.h"

#define RO_KEY "nodelist.test_ro"
/* The daemon's limit on a value's length (ICMAP_MAX_VALUE_LEN). */
#define CMAP_VALUE_MAX 16384

/* cmap_initialize, checked. */
cmap_handle_t cmap_open(void);
/* A valid key name of `len` characters (a static buffer, up to 300). */
const char *cmap_key_of_len(size_t len);

/* A recorder of notifications: the last one, and how many. */
struct cmap_rec {
	volatile int count;
	int32_t event;
	cmap_track_handle_t track;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	struct cmap_notify_value nv, ov;     /* data pointers: see below */
	uint8_t new_data[64], old_data[64];  /* first bytes of each value */
	bool old_data_null;                  /* old_value.data was NULL */
};
void cmap_rec_fn(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data);
/* Dispatches `h` until r->count reaches `n`; fails after WAIT_MS. */
void cmap_wait_count(cmap_handle_t h, struct cmap_rec *r, int n);

/* The test of cmap_inc (step 1) and cmap_dec (step -1), with its own
 * daemon. */
void cmap_adjust_test(cs_error_t (*op)(cmap_handle_t, const char *),
    int step);

/* Set through one typed setter, read back through its getter and
 * cmap_get: its bad handle, bad arguments, limits and errors. */
#define CMAP_TYPED_TESTS(T, CTYPE, VTYPE, LO, HI, OTHER_SET)		\
static inline int typed_set_main(void)					\
{									\
	struct daemon_proc d;						\
	cmap_handle_t h;						\
	CTYPE got;							\
	cmap_value_types_t type;					\
	size_t len = sizeof(got);					\
									\
	harness_start(&d, NULL);					\
	CHECK_CS(cmap_set_##T(0, "test.k", HI), CS_ERR_BAD_HANDLE);	\
	h = cmap_open();						\
	CHECK_CS(cmap_set_##T(h, NULL, HI), CS_ERR_INVALID_PARAM);	\
	CHECK_CS(cmap_set_##T(h, cmap_key_of_len(256), HI),		\
	    CS_ERR_NAME_TOO_LONG);					\
	CHECK_CS(cmap_set_##T(h, "ab", HI), CS_ERR_NAME_TOO_LONG);	\
	CHECK_CS(cmap_set_##T(h, "a b c", HI), CS_ERR_NAME_TOO_LONG);	\
	CHECK_CS(cmap_set_##T(h, RO_KEY, HI), CS_ERR_ACCESS);		\
	CHECK_CS(cmap_set_##T(h, cmap_key_of_len(255), LO), CS_OK);	\
	CHECK_CS(cmap_set_##T(h, cmap_key_of_len(3), LO), CS_OK);	\
	CHECK_CS(cmap_set_##T(h, "test.k", LO), CS_OK);		\
	CHECK_CS(cmap_get(h, "test.k", &got, &len, &type), CS_OK);	\
	CHECK(type == VTYPE && len == sizeof(got) && got == LO);	\
	CHECK_CS(cmap_set_##T(h, "test.k", HI), CS_OK);		\
	CHECK_CS(cmap_get_##T(h, "test.k", &got), CS_OK);		\
	CHECK(got == HI);						\
	/* Another type replaces the value and its type. */		\
	CHECK_CS(OTHER_SET(h, "test.k", 7), CS_OK);			\
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, &type), CS_OK);	\
	CHECK(type != VTYPE);						\
	CHECK_CS(cmap_set_##T(h, "test.k", HI), CS_OK);		\
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, &type), CS_OK);	\
	CHECK(type == VTYPE);						\
	CHECK_CS(cmap_finalize(h), CS_OK);				\
	CHECK_CS(cmap_set_##T(h, "test.k", HI), CS_ERR_BAD_HANDLE);	\
	harness_stop(&d);						\
	return 0;							\
}									\
									\
static inline int typed_get_main(void)					\
{									\
	struct daemon_proc d;						\
	cmap_handle_t h;						\
	CTYPE got;							\
									\
	harness_start(&d, NULL);					\
	CHECK_CS(cmap_get_##T(0, "test.k", &got), CS_ERR_BAD_HANDLE);	\
	h = cmap_open();						\
	CHECK_CS(cmap_get_##T(h, NULL, &got), CS_ERR_INVALID_PARAM);	\
	CHECK_CS(cmap_get_##T(h, cmap_key_of_len(256), &got),		\
	    CS_ERR_NAME_TOO_LONG);					\
	CHECK_CS(cmap_get_##T(h, "test.k", &got), CS_ERR_NOT_EXIST);	\
	CHECK_CS(cmap_set_##T(h, "test.k", LO), CS_OK);		\
	CHECK_CS(cmap_get_##T(h, "test.k", &got), CS_OK);		\
	CHECK(got == LO);						\
	CHECK_CS(cmap_set_##T(h, cmap_key_of_len(255), HI), CS_OK);	\
	CHECK_CS(cmap_get_##T(h, cmap_key_of_len(255), &got), CS_OK);	\
	CHECK(got == HI);						\
	/* The type must match exactly. */				\
	CHECK_CS(OTHER_SET(h, "test.other", 1), CS_OK);		\
	CHECK_CS(cmap_get_##T(h, "test.other", &got),			\
	    CS_ERR_INVALID_PARAM);					\
	CHECK_CS(cmap_set_string(h, "test.str",			\
	    "a string longer than any number"), CS_OK);		\
	CHECK_CS(cmap_get_##T(h, "test.str", &got),			\
	    CS_ERR_INVALID_PARAM);					\
	CHECK_CS(cmap_finalize(h), CS_OK);				\
	CHECK_CS(cmap_get_##T(h, "test.k", &got), CS_ERR_BAD_HANDLE);	\
	harness_stop(&d);						\
	return 0;							\
}

#endif /* COHORT_CMAP_HARNESS_H */
