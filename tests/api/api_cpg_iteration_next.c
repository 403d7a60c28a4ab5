/* API test: cpg_iteration_next: entries, their order, the end. */
#include <string.h>
#include <unistd.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r[3] = { { 0 } };
	const char *names[3] = { "bb", "a", "ab" };   /* sorted: a, ab, bb */
	struct cpg_iteration_description_t desc;
	cpg_iteration_handle_t it;
	cpg_handle_t h[3];
	int n = 0;

	harness_start(&d, NULL);
	CHECK_CS(cpg_iteration_next(0, &desc), CS_ERR_BAD_HANDLE);
	for (int i = 0; i < 3; i++) {
		struct cpg_name g = harness_name(names[i]);

		h[i] = harness_open(&r[i], 0);
		CHECK_CS(cpg_join(h[i], &g), CS_OK);
		harness_wait(h[i], &r[i].joined);
	}
	CHECK_CS(cpg_iteration_initialize(h[0], CPG_ITERATION_ALL, NULL, &it),
	    CS_OK);
	CHECK_CS(cpg_iteration_next(it, NULL), CS_ERR_INVALID_PARAM);
	while (cpg_iteration_next(it, &desc) == CS_OK) {
		static const char *const want[] = { "a", "ab", "bb" };

		CHECK(n < 3);
		CHECK(desc.group.length == strlen(want[n]) &&
		    memcmp(desc.group.value, want[n], desc.group.length) == 0);
		CHECK(desc.nodeid == 1 && desc.pid == (uint32_t)getpid());
		n++;
	}
	CHECK(n == 3);
	CHECK_CS(cpg_iteration_next(it, &desc), CS_ERR_NO_SECTIONS);
	CHECK_CS(cpg_iteration_next(it, &desc), CS_ERR_NO_SECTIONS);
	CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	/* NAME_ONLY: one entry per group, nodeid and pid 0. */
	CHECK_CS(cpg_iteration_initialize(h[0], CPG_ITERATION_NAME_ONLY, NULL,
	    &it), CS_OK);
	for (n = 0; cpg_iteration_next(it, &desc) == CS_OK; n++)
		CHECK(desc.nodeid == 0 && desc.pid == 0);
	CHECK(n == 3);
	CHECK_CS(cpg_iteration_finalize(it), CS_OK);
	for (int i = 0; i < 3; i++)
		CHECK_CS(cpg_finalize(h[i]), CS_OK);
	harness_stop(&d);
	return 0;
}
