/* API test: cpg_local_get. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	const char *const args[] = { "-n", "7", NULL };
	unsigned int id = 0;
	cpg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(cpg_local_get(0, &id), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_local_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_local_get(h, &id), CS_OK);
	CHECK(id == 1);   /* no configuration: node 1 */
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_local_get(h, &id), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	/* -n sets the node id. */
	harness_start(&d, args);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_local_get(h, &id), CS_OK);
	CHECK(id == 7);
	/* The daemon gone: CS_ERR_LIBRARY, not a hang. */
	harness_kill(&d);
	CHECK_CS(cpg_local_get(h, &id), CS_ERR_LIBRARY);
	CHECK_CS(cpg_finalize(h), CS_OK);
	return 0;
}
