/* API test: cmap_set. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	static char big[(CMAP_VALUE_MAX + 1)];
	char out[(CMAP_VALUE_MAX + 1)];
	char hello[8] = "hello";
	uint32_t u32 = 7;
	size_t len;
	cmap_value_types_t type;

	harness_start(&d, NULL);
	CHECK_CS(cmap_set(0, "test.k", &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_set(h, NULL, &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set(h, "test.k", NULL, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set(h, cmap_key_of_len(256), &u32, 4,
	    CMAP_VALUETYPE_UINT32), CS_ERR_NAME_TOO_LONG);
	/* The daemon's checks: names, lengths per type, read-only keys. */
	CHECK_CS(cmap_set(h, "ab", &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_set(h, "test.a b", &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_set(h, "test.k", &u32, 3, CMAP_VALUETYPE_UINT32),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set(h, RO_KEY, &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_ACCESS);
	CHECK_CS(cmap_set(h, "test.k", &u32, 4, CMAP_VALUETYPE_UINT32), CS_OK);
	/* Strings: stored up to the value's NUL or value_len, plus a NUL;
	 * value_len may not pass strlen + 1. */
	CHECK_CS(cmap_set(h, "test.s", hello, 3, CMAP_VALUETYPE_STRING), CS_OK);
	len = sizeof(out);
	CHECK_CS(cmap_get(h, "test.s", out, &len, &type), CS_OK);
	CHECK(type == CMAP_VALUETYPE_STRING && len == 4 &&
	    memcmp(out, "hel", 4) == 0);
	CHECK_CS(cmap_set(h, "test.s", hello, 6, CMAP_VALUETYPE_STRING), CS_OK);
	CHECK_CS(cmap_set(h, "test.s", hello, 7, CMAP_VALUETYPE_STRING),
	    CS_ERR_INVALID_PARAM);
	/* Binary: 0..16384 bytes. */
	memset(big, 0xa5, sizeof(big));
	CHECK_CS(cmap_set(h, "test.b", big, 0, CMAP_VALUETYPE_BINARY), CS_OK);
	len = sizeof(out);
	CHECK_CS(cmap_get(h, "test.b", out, &len, &type), CS_OK);
	CHECK(type == CMAP_VALUETYPE_BINARY && len == 0);
	CHECK_CS(cmap_set(h, "test.b", big, CMAP_VALUE_MAX,
	    CMAP_VALUETYPE_BINARY), CS_OK);
	len = sizeof(out);
	CHECK_CS(cmap_get(h, "test.b", out, &len, &type), CS_OK);
	CHECK(len == CMAP_VALUE_MAX && memcmp(out, big, len) == 0);
	CHECK_CS(cmap_set(h, "test.b", big, CMAP_VALUE_MAX + 1,
	    CMAP_VALUETYPE_BINARY), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_set(h, "test.k", &u32, 4, CMAP_VALUETYPE_UINT32),
	    CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
