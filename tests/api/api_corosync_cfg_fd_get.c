/* API test: corosync_cfg_fd_get. */
#include <poll.h>

#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;
	int32_t fd = -1;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_fd_get(0, &fd), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_fd_get(h, &fd), CS_OK);
	CHECK(fd >= 0);
	/* Nothing pending: not readable. */
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CHECK(poll(&p, 1, 0) == 0);
	}
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_fd_get(h, &fd), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
