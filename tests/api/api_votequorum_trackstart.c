/* API test: votequorum_trackstart. */
#include "quorum_help.h"

static int quorum_calls, nodelist_calls;
static uint64_t q_context, n_context;
static uint32_t q_quorate = 99, q_entries, n_entries;
static votequorum_node_t q_first;
static votequorum_ring_id_t n_ring;

static void on_quorum(votequorum_handle_t h, uint64_t context,
    uint32_t quorate, uint32_t n, votequorum_node_t list[])
{
	q_context = context;
	q_quorate = quorate;
	q_entries = n;
	if (n)
		q_first = list[0];
	quorum_calls++;
}

static void on_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	n_context = context;
	n_ring = ring;
	n_entries = n;
	nodelist_calls++;
}

int main(void)
{
	votequorum_callbacks_t cb = {
		.votequorum_quorum_notify_fn = on_quorum,
		.votequorum_nodelist_notify_fn = on_nodelist,
	};
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(votequorum_trackstart(0, 1, CS_TRACK_CURRENT),
	    CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	CHECK_CS(votequorum_trackstart(h, 7, CS_TRACK_CURRENT), CS_OK);
	VQ_WAIT(h, quorum_calls == 1);
	CHECK(nodelist_calls == 1 && n_context == 7 && q_context == 7);
	CHECK(n_entries == 1 && n_ring.nodeid == 1);
	CHECK(q_quorate == 0 && q_entries == 1);
	CHECK(q_first.nodeid == 1 && q_first.state == VOTEQUORUM_NODESTATE_MEMBER);
	/* Registered with context 8; a second start is refused, sends its
	 * own snapshot with its context, and keeps the registered one. */
	CHECK_CS(votequorum_trackstart(h, 8, CS_TRACK_CHANGES), CS_OK);
	VQ_WAIT(h, quorum_calls == 2);
	CHECK(q_context == 8);
	CHECK_CS(votequorum_trackstart(h, 9, CS_TRACK_CURRENT), CS_ERR_EXIST);
	VQ_WAIT(h, quorum_calls == 3);
	CHECK(q_context == 9 && n_context == 9);
	/* A change: quorate now, reported with the registered context. */
	CHECK_CS(votequorum_setexpected(h, 1), CS_OK);
	VQ_WAIT(h, q_quorate == 1);
	CHECK(q_context == 8);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_trackstart(h, 1, CS_TRACK_CURRENT),
	    CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
