/* API test: cpg_zcb_mcast_joined. */
#include <string.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("zcb");
	cpg_handle_t h;
	char stack[8];
	void *b;

	harness_start(&d, NULL);
	CHECK_CS(cpg_zcb_mcast_joined(0, CPG_TYPE_AGREED, stack, 1),
	    CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_zcb_alloc(h, 32, &b), CS_OK);
	memcpy(b, "zero-copy message", 17);
	CHECK_CS(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, b, 17), CS_ERR_NOT_EXIST);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	CHECK_CS(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, stack, 8),
	    CS_ERR_INVALID_PARAM);   /* not from cpg_zcb_alloc */
	CHECK_CS(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, b, 33),
	    CS_ERR_INVALID_PARAM);   /* longer than the buffer */
	CHECK_CS(cpg_zcb_mcast_joined(h, 7, b, 17), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, b, 17), CS_OK);
	harness_wait(h, &r.got_own);
	CHECK(r.last_len == 17 && memcmp(r.last, "zero-copy message", 17) == 0);
	CHECK_CS(cpg_zcb_free(h, b), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
