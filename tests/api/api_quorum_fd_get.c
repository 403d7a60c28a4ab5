/* API test: quorum_fd_get. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	struct pollfd p;
	quorum_handle_t h;
	int fd = -1, fd2 = -1;

	harness_start(&d, NULL);
	CHECK_CS(quorum_fd_get(0, &fd), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK_CS(quorum_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_fd_get(h, &fd), CS_OK);
	CHECK(fd >= 0);
	CHECK_CS(quorum_fd_get(h, &fd2), CS_OK);
	CHECK(fd2 == fd);
	/* Not readable before an event, readable once one is queued. */
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	wait_readable(fd);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_fd_get(h, &fd), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
