/* API test: votequorum_context_set. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	votequorum_handle_t h;
	void *ctx = NULL;
	int x;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_context_set(0, &x), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_context_set(h, &x), CS_OK);
	CHECK_CS(votequorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(votequorum_context_set(h, NULL), CS_OK);
	CHECK_CS(votequorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_context_set(h, &x), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
