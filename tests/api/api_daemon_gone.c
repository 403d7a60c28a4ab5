/* API test: the daemon dies: every call returns CS_ERR_LIBRARY (no hang,
 * no crash); a new handle works once a daemon is back. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("gone");
	struct iovec iov = { "x", 1 };
	struct cpg_address list[4];
	cpg_iteration_handle_t it;
	unsigned int id;
	cpg_handle_t h;
	int n = 4;

	harness_start(&d, NULL);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	harness_kill(&d);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_ERR_LIBRARY);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_LIBRARY);
	CHECK_CS(cpg_local_get(h, &id), CS_ERR_LIBRARY);
	CHECK_CS(cpg_membership_get(h, &g, list, &n), CS_ERR_LIBRARY);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, &it),
	    CS_ERR_LIBRARY);
	CHECK_CS(cpg_leave(h, &g), CS_ERR_LIBRARY);
	{
		cs_error_t rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);

		CHECK(rc == CS_ERR_LIBRARY);
	}
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_initialize(&h, NULL), CS_ERR_LIBRARY);
	/* A daemon again (a new socket directory): a new handle works. */
	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_local_get(h, &id), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
