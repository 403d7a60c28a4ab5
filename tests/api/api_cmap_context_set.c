/* API test: cmap_context_set. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h1, h2;
	const void *ctx;
	int x, y;

	harness_start(&d, NULL);
	CHECK_CS(cmap_context_set(0, &x), CS_ERR_BAD_HANDLE);
	h1 = cmap_open();
	h2 = cmap_open();
	/* Each handle has its own. */
	CHECK_CS(cmap_context_set(h1, &x), CS_OK);
	CHECK_CS(cmap_context_set(h2, &y), CS_OK);
	CHECK_CS(cmap_context_get(h1, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(cmap_context_get(h2, &ctx), CS_OK);
	CHECK(ctx == &y);
	CHECK_CS(cmap_context_set(h1, NULL), CS_OK);
	CHECK_CS(cmap_context_get(h1, &ctx), CS_OK);
	CHECK(ctx == NULL);
	CHECK_CS(cmap_finalize(h1), CS_OK);
	CHECK_CS(cmap_context_set(h1, &x), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(h2), CS_OK);
	harness_stop(&d);
	return 0;
}
