/* API test: cpg_finalize: twice, inside a callback, and what the other
 * members see (PROCDOWN without a leave, LEAVE after one). */
#include <unistd.h>

#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec watcher = { 0 }, a = { 0 }, b = { 0 };
	struct cpg_name g = harness_name("fin");
	struct iovec iov = { "x", 1 };
	cpg_handle_t w, h;
	pid_t pid;

	harness_start(&d, NULL);
	CHECK_CS(cpg_finalize(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_finalize(0x1234567800000005ULL), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, NULL), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_join(h, &g), CS_ERR_BAD_HANDLE);

	w = harness_open(&watcher, 0);
	CHECK_CS(cpg_join(w, &g), CS_OK);
	harness_wait(w, &watcher.joined);

	/* A child joins and finalizes without leaving: PROCDOWN. */
	pid = fork();
	if (pid == 0) {
		cpg_handle_t c = harness_open(&a, 0);

		CHECK_CS(cpg_join(c, &g), CS_OK);
		harness_wait(c, &a.joined);
		CHECK_CS(cpg_finalize(c), CS_OK);
		_exit(0);
	}
	harness_wait(w, &watcher.other_left);
	CHECK(watcher.other_left_pid == (uint32_t)pid);
	CHECK(watcher.other_left_reason == CPG_REASON_PROCDOWN);

	/* A child that leaves and then finalizes: LEAVE. */
	watcher.other_left = false;
	pid = fork();
	if (pid == 0) {
		cpg_handle_t c = harness_open(&b, 0);

		CHECK_CS(cpg_join(c, &g), CS_OK);
		harness_wait(c, &b.joined);
		CHECK_CS(cpg_leave(c, &g), CS_OK);
		CHECK_CS(cpg_finalize(c), CS_OK);
		_exit(0);
	}
	harness_wait(w, &watcher.other_left);
	CHECK(watcher.other_left_reason == CPG_REASON_LEAVE);

	/* Finalize inside a callback: CS_OK there, and that dispatch returns
	 * BAD_HANDLE; the handle is gone afterwards. */
	watcher.finalize_in_callback = true;
	CHECK_CS(cpg_mcast_joined(w, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	{
		cs_error_t rc;

		do
			rc = cpg_dispatch(w, CS_DISPATCH_ONE);
		while (rc == CS_OK && !watcher.got_own);
		CHECK_CS(rc, CS_ERR_BAD_HANDLE);
	}
	CHECK_CS(watcher.finalize_rc, CS_OK);
	CHECK_CS(cpg_dispatch(w, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_finalize(w), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
