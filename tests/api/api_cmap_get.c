/* API test: cmap_get. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	char out[32];
	size_t len;
	cmap_value_types_t type;

	harness_start(&d, NULL);
	CHECK_CS(cmap_get(0, "test.k", NULL, &len, &type), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_get(h, NULL, NULL, &len, &type), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_get(h, "test.k", out, NULL, &type), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_get(h, cmap_key_of_len(256), NULL, &len, &type),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, &type), CS_ERR_NOT_EXIST);
	CHECK_CS(cmap_get(h, "", NULL, &len, &type), CS_ERR_NOT_EXIST);
	CHECK_CS(cmap_set_string(h, "test.k", "abcdef"), CS_OK);
	/* Length and type only, or neither. */
	len = 0;
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, &type), CS_OK);
	CHECK(len == 7 && type == CMAP_VALUETYPE_STRING);
	CHECK_CS(cmap_get(h, "test.k", NULL, NULL, NULL), CS_OK);
	/* The value, with room for exactly it. */
	memset(out, 0, sizeof(out));
	len = 7;
	CHECK_CS(cmap_get(h, "test.k", out, &len, NULL), CS_OK);
	CHECK(len == 7 && strcmp(out, "abcdef") == 0);
	/* Less room than the value: the daemon's INVALID_PARAM. */
	len = 6;
	CHECK_CS(cmap_get(h, "test.k", out, &len, &type), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, &type), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
