/* API test: cpg_max_atomic_msgsize_get. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	cpg_handle_t h;
	uint32_t size = 0;

	harness_start(&d, NULL);
	CHECK_CS(cpg_max_atomic_msgsize_get(0, &size), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_max_atomic_msgsize_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_max_atomic_msgsize_get(h, &size), CS_OK);
	CHECK(size == 16u << 20);
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_max_atomic_msgsize_get(h, &size), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
