/* API test: cmap_context_get. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	const void *ctx = &d;
	int x;

	harness_start(&d, NULL);
	CHECK_CS(cmap_context_get(0, &ctx), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);   /* a new handle has none */
	CHECK_CS(cmap_context_set(h, &x), CS_OK);
	CHECK_CS(cmap_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
