/* API test: quorum_dispatch. */
#include "quorum_help.h"

static int calls;

static void notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq,
    uint32_t n, uint32_t *list)
{
	calls++;
}

int main(void)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = notify };
	struct daemon_proc d;
	quorum_handle_t h;
	int fd;

	harness_start(&d, NULL);
	/* The flags are checked before the handle, as corosync does. */
	CHECK_CS(quorum_dispatch(0, 0), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_dispatch(0, 5), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_dispatch(0, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, &cb, NULL), CS_OK);
	CHECK_CS(quorum_dispatch(h, 0), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_dispatch(h, 5), CS_ERR_INVALID_PARAM);
	/* Nothing pending. */
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK(calls == 0);
	/* Two snapshots (the second trackstart fails but still sends
	 * one): ONE_NONBLOCKING takes one, ONE the other. */
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES), CS_OK);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES), CS_ERR_EXIST);
	CHECK_CS(quorum_fd_get(h, &fd), CS_OK);
	wait_readable(fd);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
	CHECK(calls == 1);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(calls == 2);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);

	/* The daemon gone: the broken connection is reported. */
	CHECK_CS(quorum_initialize(&h, &cb, NULL), CS_OK);
	harness_kill(&d);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_LIBRARY);
	CHECK_CS(quorum_finalize(h), CS_OK);
	return 0;
}
