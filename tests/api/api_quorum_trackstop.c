/* API test: quorum_trackstop. */
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
	votequorum_handle_t vq;
	quorum_handle_t h, h2;

	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(quorum_trackstop(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, &cb, NULL), CS_OK);
	/* As corosync's daemon: success also when not tracking. */
	CHECK_CS(quorum_trackstop(h), CS_OK);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES), CS_OK);
	QUORUM_WAIT(h, calls == 1);
	CHECK_CS(quorum_trackstop(h), CS_OK);
	CHECK_CS(quorum_trackstop(h), CS_OK);
	/* A tracking start after the stop is accepted again. */
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(quorum_trackstop(h), CS_OK);
	/* A change after the stop reaches another tracker, not this one. */
	CHECK_CS(quorum_initialize(&h2, &cb, NULL), CS_OK);
	CHECK_CS(quorum_trackstart(h2, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(votequorum_initialize(&vq, NULL), CS_OK);
	CHECK_CS(votequorum_setexpected(vq, 1), CS_OK);
	QUORUM_WAIT(h2, calls == 2);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	CHECK(calls == 2);
	CHECK_CS(votequorum_finalize(vq), CS_OK);
	CHECK_CS(quorum_finalize(h2), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_trackstop(h), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
