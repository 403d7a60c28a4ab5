/* API test: votequorum_fd_get. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	struct pollfd p;
	votequorum_handle_t h;
	int fd = -1;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_fd_get(0, &fd), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_fd_get(h, &fd), CS_OK);
	CHECK(fd >= 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	wait_readable(fd);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_fd_get(h, &fd), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
