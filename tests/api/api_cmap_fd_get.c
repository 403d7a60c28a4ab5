/* API test: cmap_fd_get. */
#include <poll.h>

#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	cmap_track_handle_t t;
	struct cmap_rec r = { 0 };
	struct pollfd p;
	int fd = -1;

	harness_start(&d, NULL);
	CHECK_CS(cmap_fd_get(0, &fd), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_fd_get(h, &fd), CS_OK);
	CHECK(fd >= 0);
	/* Not readable without events; readable once one is pending. */
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0);
	CHECK_CS(cmap_track_add(h, "test.k", CMAP_TRACK_ADD, cmap_rec_fn, &r,
	    &t), CS_OK);
	CHECK_CS(cmap_set_uint8(h, "test.k", 1), CS_OK);
	CHECK(poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLIN));
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK(r.count == 1);
	CHECK(poll(&p, 1, 0) == 0);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_fd_get(h, &fd), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
