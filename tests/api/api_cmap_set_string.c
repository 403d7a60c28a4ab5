/* API test: cmap_set_string. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	static char big[CMAP_VALUE_MAX + 2];
	char *s;
	size_t len;
	cmap_value_types_t type;

	harness_start(&d, NULL);
	CHECK_CS(cmap_set_string(0, "test.s", "x"), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_set_string(h, NULL, "x"), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set_string(h, "test.s", NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set_string(h, cmap_key_of_len(256), "x"),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_set_string(h, "ab", "x"), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_set_string(h, RO_KEY, "x"), CS_ERR_ACCESS);
	/* Stored with its NUL: length strlen + 1. */
	CHECK_CS(cmap_set_string(h, "test.s", "hello world"), CS_OK);
	CHECK_CS(cmap_get(h, "test.s", NULL, &len, &type), CS_OK);
	CHECK(type == CMAP_VALUETYPE_STRING && len == 12);
	CHECK_CS(cmap_get_string(h, "test.s", &s), CS_OK);
	CHECK(strcmp(s, "hello world") == 0);
	free(s);
	CHECK_CS(cmap_set_string(h, "test.s", ""), CS_OK);
	CHECK_CS(cmap_get(h, "test.s", NULL, &len, &type), CS_OK);
	CHECK(len == 1);
	/* Limits: a string of CMAP_VALUE_MAX - 1 characters fits, one more
	 * than CMAP_VALUE_MAX does not. */
	memset(big, 'x', CMAP_VALUE_MAX - 1);
	CHECK_CS(cmap_set_string(h, "test.s", big), CS_OK);
	memset(big, 'x', CMAP_VALUE_MAX + 1);
	CHECK_CS(cmap_set_string(h, "test.s", big), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_set_string(h, "test.s", "x"), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
