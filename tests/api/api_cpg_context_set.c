/* API test: cpg_context_set, many handles, many rounds. */
#include <stdint.h>

#include "harness.h"

#define HANDLES 20
#define ROUNDS 100000

int main(void)
{
	struct daemon_proc d;
	cpg_handle_t h[HANDLES];
	void *ctx;

	harness_start(&d, NULL);
	CHECK_CS(cpg_context_set(0, NULL), CS_ERR_BAD_HANDLE);
	for (int i = 0; i < HANDLES; i++)
		CHECK_CS(cpg_initialize(&h[i], NULL), CS_OK);
	for (uintptr_t r = 1; r <= ROUNDS; r++) {
		int i = (int)(r % HANDLES);

		CHECK_CS(cpg_context_set(h[i], (void *)(r * 16)), CS_OK);
		CHECK_CS(cpg_context_get(h[i], &ctx), CS_OK);
		CHECK(ctx == (void *)(r * 16));
	}
	CHECK_CS(cpg_context_set(h[0], NULL), CS_OK);
	CHECK_CS(cpg_context_get(h[0], &ctx), CS_OK);
	CHECK(ctx == NULL);
	for (int i = 0; i < HANDLES; i++)
		CHECK_CS(cpg_finalize(h[i]), CS_OK);
	CHECK_CS(cpg_context_set(h[0], &ctx), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
