/* API test: votequorum_context_get. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	votequorum_handle_t h;
	void *ctx = &d;
	int x;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_context_get(0, &ctx), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);
	/* trackstart's context is another thing. */
	CHECK_CS(votequorum_trackstart(h, 5, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(votequorum_context_set(h, &x), CS_OK);
	CHECK_CS(votequorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
