/* API test: cmap_get_string. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	static char big[CMAP_VALUE_MAX];
	char *s = NULL;

	harness_start(&d, NULL);
	CHECK_CS(cmap_get_string(0, "test.s", &s), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_get_string(h, NULL, &s), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_get_string(h, "test.s", NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_get_string(h, cmap_key_of_len(256), &s),
	    CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_get_string(h, "test.s", &s), CS_ERR_NOT_EXIST);
	/* Only a string key. */
	CHECK_CS(cmap_set_uint32(h, "test.u", 5), CS_OK);
	CHECK_CS(cmap_get_string(h, "test.u", &s), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set(h, "test.b", "bin", 3, CMAP_VALUETYPE_BINARY), CS_OK);
	CHECK_CS(cmap_get_string(h, "test.b", &s), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_set_string(h, "test.s", ""), CS_OK);
	CHECK_CS(cmap_get_string(h, "test.s", &s), CS_OK);
	CHECK(s && s[0] == '\0');
	free(s);
	/* The longest string the daemon keeps. */
	memset(big, 'y', sizeof(big) - 1);
	CHECK_CS(cmap_set_string(h, "test.s", big), CS_OK);
	CHECK_CS(cmap_get_string(h, "test.s", &s), CS_OK);
	CHECK(strcmp(s, big) == 0);
	free(s);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_get_string(h, "test.s", &s), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
