/* API test: cpg_leave: errors, the own LEAVE confchg, and a handle that
 * is back to unjoined afterwards (corosync's never is). */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("leave"), other = harness_name("x");
	struct cpg_name toolong = { .length = CPG_MAX_NAME_LENGTH + 1 };
	struct iovec iov = { "after", 5 };
	cpg_handle_t h;

	harness_start(&d, NULL);
	CHECK_CS(cpg_leave(0, &g), CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_leave(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_leave(h, &toolong), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cpg_leave(h, &g), CS_ERR_NOT_EXIST);    /* never joined */
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	CHECK_CS(cpg_leave(h, &other), CS_ERR_NOT_EXIST); /* not our group */
	CHECK_CS(cpg_leave(h, &g), CS_OK);
	CHECK_CS(cpg_leave(h, &g), CS_ERR_NOT_EXIST);    /* already leaving */
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_ERR_NOT_EXIST);
	harness_wait(h, &r.left);
	CHECK(r.last_members == 0);
	/* Unjoined again: it may join any group, and the first event after
	 * that is the new JOIN (nothing of the old group in between). */
	r.joined = false;
	r.n_log = 0;
	CHECK_CS(cpg_join(h, &other), CS_OK);
	harness_wait(h, &r.joined);
	CHECK(r.event_log[0] == 'J');
	/* A leave issued while the join is still in flight is accepted. */
	CHECK_CS(cpg_leave(h, &other), CS_OK);
	r.left = false;
	harness_wait(h, &r.left);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	r.joined = false;
	harness_wait(h, &r.joined);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
