/* API test: cpg_initialize. */
#include <string.h>
#include <unistd.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { 0 };
	cpg_handle_t h[100];

	harness_init();
	/* No daemon at the socket path: the library says so. */
	setenv("COHORT_SOCKET", "/tmp/cohort-api-nothing-here.sock", 1);
	CHECK_CS(cpg_initialize(&h[0], &cb), CS_ERR_LIBRARY);
	/* A path longer than a unix socket path allows. */
	{
		char longpath[200];

		memset(longpath, 'x', sizeof(longpath) - 1);
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		setenv("COHORT_SOCKET", longpath, 1);
		CHECK_CS(cpg_initialize(&h[0], &cb), CS_ERR_NAME_TOO_LONG);
	}
	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(NULL, &cb), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_initialize(&h[0], NULL), CS_OK);   /* callbacks optional */
	CHECK_CS(cpg_finalize(h[0]), CS_OK);
	/* Many handles, all distinct and usable. */
	for (int i = 0; i < 100; i++)
		CHECK_CS(cpg_initialize(&h[i], &cb), CS_OK);
	for (int i = 0; i < 100; i++) {
		unsigned int id;

		for (int j = 0; j < i; j++)
			CHECK(h[i] != h[j]);
		CHECK_CS(cpg_local_get(h[i], &id), CS_OK);
		CHECK(id == 1);
	}
	for (int i = 0; i < 100; i++)
		CHECK_CS(cpg_finalize(h[i]), CS_OK);
	harness_stop(&d);
	/* The daemon is gone again. */
	CHECK_CS(cpg_initialize(&h[0], &cb), CS_ERR_LIBRARY);
	return 0;
}
