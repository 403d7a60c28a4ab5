/* API test: cpg_iteration_initialize (and the snapshot it takes). */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("iter");
	struct cpg_name toolong = { .length = CPG_MAX_NAME_LENGTH + 1 };
	struct cpg_iteration_description_t desc;
	cpg_iteration_handle_t it, its[65];
	cpg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(cpg_iteration_initialize(0, CPG_ITERATION_ALL, NULL, &it),
	    CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ONE_GROUP, &toolong,
	    &it), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, NULL),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ONE_GROUP, NULL, &it),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ALL, &g, &it),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_NAME_ONLY, &g, &it),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_iteration_initialize(h, 0, NULL, &it), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_iteration_initialize(h, 4, NULL, &it), CS_ERR_INVALID_PARAM);
	/* A snapshot: taken before the join, it stays empty after it. */
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, &it), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	CHECK_CS(cpg_iteration_next(it, &desc), CS_ERR_NO_SECTIONS);
	CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	/* An unknown group is an empty iteration, not an error. */
	{
		struct cpg_name none = harness_name("none");

		CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_ONE_GROUP,
		    &none, &it), CS_OK);
		CHECK_CS(cpg_iteration_next(it, &desc), CS_ERR_NO_SECTIONS);
		CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	}
	/* At most 64 open at once per handle. */
	for (int i = 0; i < 64; i++)
		CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_NAME_ONLY, NULL,
		    &its[i]), CS_OK);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_NAME_ONLY, NULL,
	    &its[64]), CS_ERR_NO_RESOURCES);
	CHECK_CS(cpg_iteration_finalize(its[0]), CS_OK);
	CHECK_CS(cpg_iteration_initialize(h, CPG_ITERATION_NAME_ONLY, NULL,
	    &its[0]), CS_OK);
	/* Finalizing the CPG handle ends its iterations. */
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_iteration_next(its[1], &desc), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_iteration_finalize(its[1]), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
