/* API test: quorum_context_set. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	quorum_handle_t h;
	const void *ctx = NULL;
	int x;

	harness_start(&d, NULL);
	CHECK_CS(quorum_context_set(0, &x), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_model_initialize(&h, QUORUM_MODEL_V0, NULL, NULL, &d),
	    CS_OK);
	CHECK_CS(quorum_context_set(h, &x), CS_OK);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(quorum_context_set(h, NULL), CS_OK);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_context_set(h, &x), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
