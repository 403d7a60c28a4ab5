/* API test: quorum_trackstart. */
#include "quorum_help.h"

static int calls;
static uint32_t last_quorate = 99;
static uint64_t last_seq;

static void notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq,
    uint32_t n, uint32_t *list)
{
	last_quorate = quorate;
	last_seq = ring_seq;
	calls++;
}

int main(void)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = notify };
	struct daemon_proc d;
	votequorum_handle_t vq;
	quorum_handle_t h;

	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(quorum_trackstart(0, CS_TRACK_CURRENT), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, &cb, NULL), CS_OK);
	/* CURRENT alone: a snapshot, no registration (a later CHANGES is
	 * accepted). */
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	QUORUM_WAIT(h, calls == 1);
	CHECK(last_quorate == 0);
	/* CHANGES: a snapshot, then the changes. A second trackstart is
	 * refused, and still sends its snapshot. */
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES), CS_OK);
	QUORUM_WAIT(h, calls == 2);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES_ONLY), CS_ERR_EXIST);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT | CS_TRACK_CHANGES),
	    CS_ERR_EXIST);
	QUORUM_WAIT(h, calls == 3);
	/* The quorate flag flips without a membership change: setting the
	 * expected votes to 1 makes this node quorate. */
	CHECK_CS(votequorum_initialize(&vq, NULL), CS_OK);
	CHECK_CS(votequorum_setexpected(vq, 1), CS_OK);
	QUORUM_WAIT(h, last_quorate == 1);
	CHECK(calls == 4);
	CHECK_CS(votequorum_finalize(vq), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
