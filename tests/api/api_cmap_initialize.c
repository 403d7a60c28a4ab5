/* API test: cmap_initialize. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h1, h2;
	uint32_t v;

	/* No daemon: the library's connect error. */
	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(cmap_initialize(&h1), CS_ERR_LIBRARY);
	harness_start(&d, NULL);
	CHECK_CS(cmap_initialize(NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_initialize(&h1), CS_OK);
	CHECK_CS(cmap_initialize(&h2), CS_OK);
	CHECK(h1 != h2);
	/* Both handles see the one map. */
	CHECK_CS(cmap_set_uint32(h1, "test.k", 42), CS_OK);
	CHECK_CS(cmap_get_uint32(h2, "test.k", &v), CS_OK);
	CHECK(v == 42);
	CHECK_CS(cmap_finalize(h1), CS_OK);
	CHECK_CS(cmap_get_uint32(h2, "test.k", &v), CS_OK);
	CHECK_CS(cmap_finalize(h2), CS_OK);
	harness_stop(&d);
	return 0;
}
