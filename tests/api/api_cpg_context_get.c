/* API test: cpg_context_get. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	cpg_handle_t h;
	void *ctx = (void *)1;
	int x;

	harness_start(&d, NULL);
	CHECK_CS(cpg_context_get(0, &ctx), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);   /* cpg_initialize: no context */
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_model_initialize(&h, CPG_MODEL_V1, NULL, &x), CS_OK);
	CHECK_CS(cpg_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
