/* API test: cpg_dispatch's four modes and its errors. */
#include <poll.h>
#include <pthread.h>

#include "harness.h"

static cpg_handle_t blocked;
static cs_error_t blocked_rc;

static void *block(void *arg)
{
	(void)arg;
	blocked_rc = cpg_dispatch(blocked, CS_DISPATCH_BLOCKING);
	return NULL;
}

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 }, r2 = { 0 };
	struct cpg_name g = harness_name("disp");
	struct iovec iov = { "m", 1 };
	cpg_handle_t h;
	pthread_t t;

	harness_start(&d, NULL);
	CHECK_CS(cpg_dispatch(0, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_dispatch(h, 0), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_dispatch(h, 5), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_dispatch(h, 99), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	/* ONE blocks for the first event and handles exactly one. */
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(r.joined && r.confchgs == 1);
	for (int i = 0; i < 3; i++)
		CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(r.messages == 1);
	/* ONE_NONBLOCKING handles one event once one is there. */
	{
		struct pollfd p = { .events = POLLIN };

		CHECK_CS(cpg_fd_get(h, &p.fd), CS_OK);
		CHECK(poll(&p, 1, WAIT_MS) == 1);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
	}
	CHECK(r.messages == 2);
	while (r.messages < 3)
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);
	CHECK_CS(cpg_finalize(h), CS_OK);

	/* BLOCKING in another thread: handles events until finalize, which
	 * wakes it; it returns BAD_HANDLE. */
	blocked = harness_open(&r2, 0);
	CHECK_CS(cpg_join(blocked, &g), CS_OK);
	CHECK(pthread_create(&t, NULL, block, NULL) == 0);
	for (int i = 0; i < 10; i++)
		CHECK_CS(cpg_mcast_joined(blocked, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	CHECK_CS(cpg_finalize(blocked), CS_OK);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_CS(blocked_rc, CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
