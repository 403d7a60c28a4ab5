/* API test: votequorum_dispatch. */
#include "quorum_help.h"

static char order[8];
static int n_order;

static void on_quorum(votequorum_handle_t h, uint64_t context,
    uint32_t quorate, uint32_t n, votequorum_node_t list[])
{
	if (n_order < 7)
		order[n_order++] = 'Q';
}

static void on_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	if (n_order < 7)
		order[n_order++] = 'N';
}

int main(void)
{
	votequorum_callbacks_t cb = {
		.votequorum_quorum_notify_fn = on_quorum,
		.votequorum_nodelist_notify_fn = on_nodelist,
	};
	votequorum_callbacks_t quorum_only = {
		.votequorum_quorum_notify_fn = on_quorum,
	};
	struct daemon_proc d;
	votequorum_handle_t h;
	int fd;

	quorum_start(&d, CONF_VOTEQUORUM);
	/* The flags are checked before the handle, as corosync does. */
	CHECK_CS(votequorum_dispatch(0, 0), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_dispatch(0, 5), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_dispatch(0, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	CHECK_CS(votequorum_dispatch(h, 5), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	/* A snapshot is a node list then a quorum notification. */
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(votequorum_fd_get(h, &fd), CS_OK);
	wait_readable(fd);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(n_order == 1 && order[0] == 'N');
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(n_order == 2 && order[1] == 'Q');
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	CHECK_CS(votequorum_finalize(h), CS_OK);

	/* An event without a callback is consumed silently. */
	n_order = 0;
	CHECK_CS(votequorum_initialize(&h, &quorum_only), CS_OK);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	VQ_WAIT(h, n_order == 1);
	CHECK(order[0] == 'Q');

	/* The daemon gone: the broken connection is reported. */
	harness_kill(&d);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_LIBRARY);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	return 0;
}
