/* API test: votequorum_setvotes. */
#include "quorum_help.h"

static volatile uint32_t last_expected;

static void on_expected(votequorum_handle_t h, uint64_t context,
    uint32_t expected_votes)
{
	last_expected = expected_votes;
}

int main(void)
{
	votequorum_callbacks_t cb = {
		.votequorum_expectedvotes_notify_fn = on_expected,
	};
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_setvotes(0, 1, 1), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	/* Unknown node; node 0 is not this node here. */
	CHECK_CS(votequorum_setvotes(h, 99, 1), CS_ERR_NAME_NOT_FOUND);
	CHECK_CS(votequorum_setvotes(h, 0, 1), CS_ERR_NAME_NOT_FOUND);
	/* No votes left at all: quorum would exceed the total. */
	CHECK_CS(votequorum_setvotes(h, 1, 0), CS_ERR_INVALID_PARAM);
	/* Beyond the configuration's limit of votes (once a total that
	 * wrapped in 32 bits). */
	CHECK_CS(votequorum_setvotes(h, 1, 1000001), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_setvotes(h, 1, 0xFFFFFFFEu), CS_ERR_INVALID_PARAM);
	/* The change is multicast and applied when delivered; expected
	 * votes follow the total upward, with a notification. */
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(votequorum_setvotes(h, 1, 2), CS_OK);
	VQ_WAIT(h, last_expected == 2);
	CHECK_CS(votequorum_getinfo(h, 1, &info), CS_OK);
	CHECK(info.node_votes == 2 && info.total_votes == 2);
	CHECK(info.node_expected_votes == 2 && info.quorum == 2);
	CHECK(info.flags & VOTEQUORUM_INFO_QUORATE);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_setvotes(h, 1, 1), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
