/* API test: cmap_iter_finalize. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, other;
	cmap_iter_handle_t it;

	harness_start(&d, NULL);
	h = cmap_open();
	other = cmap_open();
	CHECK_CS(cmap_iter_init(h, NULL, &it), CS_OK);
	CHECK_CS(cmap_iter_finalize(0, it), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_finalize(other, it), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_finalize(h, it + 1000), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	CHECK_CS(cmap_iter_finalize(h, it), CS_ERR_BAD_HANDLE);
	/* Many in turn: each one freed makes room for the next. */
	for (int i = 0; i < 1000; i++) {
		CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
		CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	}
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_iter_finalize(h, it), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(other), CS_OK);
	harness_stop(&d);
	return 0;
}
