/* API test: cpg_zcb_alloc. */
#include <string.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	cpg_handle_t h;
	void *b, *bufs[2000];

	harness_start(&d, NULL);
	CHECK_CS(cpg_zcb_alloc(0, 10, &b), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_zcb_alloc(h, 10, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_zcb_alloc(h, (16u << 20) + 1, &b), CS_ERR_TOO_BIG);
	CHECK_CS(cpg_zcb_alloc(h, 0, &b), CS_OK);
	CHECK_CS(cpg_zcb_free(h, b), CS_OK);
	CHECK_CS(cpg_zcb_alloc(h, 16u << 20, &b), CS_OK);
	memset(b, 1, 16u << 20);   /* all of it is ours */
	CHECK_CS(cpg_zcb_free(h, b), CS_OK);
	/* Many at once, of many sizes; the rest is freed by finalize. */
	for (int i = 0; i < 2000; i++) {
		CHECK_CS(cpg_zcb_alloc(h, (size_t)(i * 37 % 100000) + 1, &bufs[i]),
		    CS_OK);
		memset(bufs[i], i, 1);
	}
	for (int i = 0; i < 1000; i++)
		CHECK_CS(cpg_zcb_free(h, bufs[i]), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_zcb_alloc(h, 10, &b), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
