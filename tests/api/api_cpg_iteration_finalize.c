/* API test: cpg_iteration_finalize. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct cpg_iteration_description_t desc;
	cpg_iteration_handle_t it;
	cpg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(cpg_iteration_finalize(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_iteration_finalize(0xabcdef0000000001ULL), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, &it), CS_OK);
	CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	CHECK_CS(cpg_iteration_finalize(it), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_iteration_next(it, &desc), CS_ERR_BAD_HANDLE);
	/* Many rounds leak nothing on either side. */
	for (int i = 0; i < 1000; i++) {
		CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_NAME_ONLY, NULL,
		    &it), CS_OK);
		CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	}
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
