/*
 * cmap_harness.c: helpers of the cmap API tests (cmap_harness.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "cmap_harness.h"

cmap_handle_t cmap_open(void)
{
	cmap_handle_t h = 0;

	CHECK_CS(cmap_initialize(&h), CS_OK);
	return h;
}

const char *cmap_key_of_len(size_t len)
{
	static char key[301];

	CHECK(len < sizeof(key));
	memset(key, 'k', len);
	memcpy(key, "test.", len < 5 ? len : 5);
	key[len] = '\0';
	return key;
}

static void copy_value(uint8_t *dst, size_t room,
    const struct cmap_notify_value *v)
{
	memset(dst, 0, room);
	if (v->data)
		memcpy(dst, v->data, v->len < room ? v->len : room);
}

void cmap_rec_fn(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	struct cmap_rec *r = user_data;

	r->event = event;
	r->track = t;
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->nv = nv;
	r->ov = ov;
	r->old_data_null = ov.data == NULL;
	copy_value(r->new_data, sizeof(r->new_data), &nv);
	copy_value(r->old_data, sizeof(r->old_data), &ov);
	r->count++;
}

void cmap_wait_count(cmap_handle_t h, struct cmap_rec *r, int n)
{
	int fd;

	CHECK_CS(cmap_fd_get(h, &fd), CS_OK);
	while (r->count < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int got = poll(&p, 1, WAIT_MS);

		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0) {
			fprintf(stderr, "no cmap notification within %d ms\n",
			    WAIT_MS);
			harness_fail();
		}
		CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	}
}

/* The test of cmap_inc (step 1) and cmap_dec (step -1): bad handle and
 * arguments, read-only and missing keys, wrap-around in each width, and
 * the types that cannot be adjusted. */
void cmap_adjust_test(cs_error_t (*op)(cmap_handle_t, const char *), int step)
{
	struct daemon_proc d;
	cmap_handle_t h;
	uint8_t u8;
	int8_t i8;
	uint64_t u64;
	int32_t i32;
	uint16_t u16;
	bool up = step > 0;

	harness_start(&d, NULL);
	CHECK_CS(op(0, "test.k"), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(op(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(op(h, cmap_key_of_len(256)), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(op(h, "test.k"), CS_ERR_NOT_EXIST);
	/* Read-only is checked first, whatever the key's type. */
	CHECK_CS(op(h, RO_KEY), CS_ERR_ACCESS);
	CHECK_CS(cmap_set_uint16(h, "test.k", 100), CS_OK);
	CHECK_CS(op(h, "test.k"), CS_OK);
	CHECK_CS(cmap_get_uint16(h, "test.k", &u16), CS_OK);
	CHECK(u16 == (uint16_t)(100 + step));
	/* Wrap-around in the key's own width, signed and unsigned. */
	CHECK_CS(cmap_set_uint8(h, "test.u8", up ? UINT8_MAX : 0), CS_OK);
	CHECK_CS(op(h, "test.u8"), CS_OK);
	CHECK_CS(cmap_get_uint8(h, "test.u8", &u8), CS_OK);
	CHECK(u8 == (up ? 0 : UINT8_MAX));
	CHECK_CS(cmap_set_int8(h, "test.i8", up ? INT8_MAX : INT8_MIN), CS_OK);
	CHECK_CS(op(h, "test.i8"), CS_OK);
	CHECK_CS(cmap_get_int8(h, "test.i8", &i8), CS_OK);
	CHECK(i8 == (up ? INT8_MIN : INT8_MAX));
	CHECK_CS(cmap_set_int32(h, "test.i32",
	    up ? INT32_MAX : INT32_MIN), CS_OK);
	CHECK_CS(op(h, "test.i32"), CS_OK);
	CHECK_CS(cmap_get_int32(h, "test.i32", &i32), CS_OK);
	CHECK(i32 == (up ? INT32_MIN : INT32_MAX));
	CHECK_CS(cmap_set_uint64(h, "test.u64", up ? UINT64_MAX : 0), CS_OK);
	CHECK_CS(op(h, "test.u64"), CS_OK);
	CHECK_CS(cmap_get_uint64(h, "test.u64", &u64), CS_OK);
	CHECK(u64 == (up ? 0 : UINT64_MAX));
	/* Only integers. */
	CHECK_CS(cmap_set_float(h, "test.f", 1.5f), CS_OK);
	CHECK_CS(op(h, "test.f"), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set_double(h, "test.d", 1.5), CS_OK);
	CHECK_CS(op(h, "test.d"), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set_string(h, "test.s", "1"), CS_OK);
	CHECK_CS(op(h, "test.s"), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set(h, "test.b", "\001", 1, CMAP_VALUETYPE_BINARY), CS_OK);
	CHECK_CS(op(h, "test.b"), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(op(h, "test.k"), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
}
