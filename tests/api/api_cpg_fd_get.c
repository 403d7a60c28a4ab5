/* API test: cpg_fd_get: stable, and readable exactly while events wait. */
#include <poll.h>

#include "harness.h"

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 };
	struct cpg_name g = harness_name("fd");
	struct iovec iov = { "hi", 2 };
	cpg_handle_t h;
	int fd, fd2;

	harness_start(&d, NULL);
	CHECK_CS(cpg_fd_get(0, &fd), CS_ERR_BAD_HANDLE);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
	for (int i = 0; i < 100000; i++) {
		CHECK_CS(cpg_fd_get(h, &fd2), CS_OK);
		CHECK(fd2 == fd);
	}
	CHECK(!readable(fd));
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	CHECK(!readable(fd));   /* ALL drained the queue */
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CHECK(poll(&p, 1, WAIT_MS) == 1);   /* the delivery is pending */
	}
	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK(r.got_own);
	CHECK(!readable(fd));
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_fd_get(h, &fd), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
