/* API test: quorum_context_get. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	quorum_handle_t h;
	const void *ctx = &d;
	int x;

	harness_start(&d, NULL);
	CHECK_CS(quorum_context_get(0, &ctx), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK_CS(quorum_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);   /* quorum_initialize: no context */
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_model_initialize(&h, QUORUM_MODEL_V1, NULL, NULL, &x),
	    CS_OK);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
