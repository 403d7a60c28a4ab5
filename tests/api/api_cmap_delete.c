/* API test: cmap_delete. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	size_t len;

	harness_start(&d, NULL);
	CHECK_CS(cmap_delete(0, "test.k"), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_delete(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_delete(h, cmap_key_of_len(256)), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_delete(h, "test.k"), CS_ERR_NOT_EXIST);
	/* Read-only is checked before existence. */
	CHECK_CS(cmap_delete(h, RO_KEY), CS_ERR_ACCESS);
	CHECK_CS(cmap_set_uint8(h, "test.k", 1), CS_OK);
	CHECK_CS(cmap_set_uint8(h, "test.k2", 1), CS_OK);
	CHECK_CS(cmap_delete(h, "test.k"), CS_OK);
	CHECK_CS(cmap_get(h, "test.k", NULL, &len, NULL), CS_ERR_NOT_EXIST);
	CHECK_CS(cmap_get(h, "test.k2", NULL, &len, NULL), CS_OK);
	CHECK_CS(cmap_delete(h, "test.k"), CS_ERR_NOT_EXIST);
	CHECK_CS(cmap_set_uint8(h, cmap_key_of_len(255), 1), CS_OK);
	CHECK_CS(cmap_delete(h, cmap_key_of_len(255)), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_delete(h, "test.k2"), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
