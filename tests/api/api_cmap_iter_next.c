/* API test: cmap_iter_next. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, other;
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;

	harness_start(&d, NULL);
	h = cmap_open();
	other = cmap_open();
	CHECK_CS(cmap_set_string(h, "test.node.2.x", "ab"), CS_OK);
	CHECK_CS(cmap_set_uint32(h, "test.node.10.x", 1), CS_OK);
	CHECK_CS(cmap_set_uint64(h, cmap_key_of_len(255), 1), CS_OK);
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
	CHECK_CS(cmap_iter_next(0, it, key, &len, &type), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_next(h, it, NULL, &len, &type), CS_ERR_INVALID_PARAM);
	/* Iterators belong to their connection. */
	CHECK_CS(cmap_iter_next(other, it, key, &len, &type), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_next(h, it + 1000, key, &len, &type),
	    CS_ERR_BAD_HANDLE);
	/* Byte order: "kkk..." (the 255-character key), then 10 before 2;
	 * the stored length (a string's with its NUL) and the type. */
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_OK);
	CHECK(strcmp(key, cmap_key_of_len(255)) == 0);
	CHECK(len == 8 && type == CMAP_VALUETYPE_UINT64);
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_OK);
	CHECK(strcmp(key, "test.node.10.x") == 0);
	CHECK(len == 4 && type == CMAP_VALUETYPE_UINT32);
	CHECK_CS(cmap_iter_next(h, it, key, NULL, NULL), CS_OK);
	CHECK(strcmp(key, "test.node.2.x") == 0);
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_ERR_NO_SECTIONS);
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_ERR_NO_SECTIONS);
	CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_iter_next(h, it, key, &len, &type), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(other), CS_OK);
	harness_stop(&d);
	return 0;
}
