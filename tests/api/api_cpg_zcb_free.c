/* API test: cpg_zcb_free. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	cpg_handle_t h, h2;
	void *b;
	int stack;

	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_initialize(&h2, NULL), CS_OK);
	CHECK_CS(cpg_zcb_alloc(h, 100, &b), CS_OK);
	CHECK_CS(cpg_zcb_free(0, b), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_zcb_free(h2, b), CS_ERR_INVALID_PARAM);   /* other handle */
	CHECK_CS(cpg_zcb_free(h, &stack), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_zcb_free(h, NULL), CS_OK);
	CHECK_CS(cpg_zcb_free(h, b), CS_OK);
	CHECK_CS(cpg_zcb_free(h, b), CS_ERR_INVALID_PARAM);    /* twice */
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_finalize(h2), CS_OK);
	harness_stop(&d);
	return 0;
}
