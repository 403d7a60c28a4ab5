/* API test: votequorum_setexpected. */
#include "quorum_help.h"

static int expected_calls;
static uint32_t last_expected;
static uint64_t last_context;

static void on_expected(votequorum_handle_t h, uint64_t context,
    uint32_t expected_votes)
{
	last_expected = expected_votes;
	last_context = context;
	expected_calls++;
}

int main(void)
{
	votequorum_callbacks_t cb = {
		.votequorum_expectedvotes_notify_fn = on_expected,
	};
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(votequorum_setexpected(0, 1), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	CHECK_CS(votequorum_trackstart(h, 42, CS_TRACK_CHANGES_ONLY), CS_OK);
	/* Below the total votes (1). */
	CHECK_CS(votequorum_setexpected(h, 0), CS_ERR_INVALID_PARAM);
	/* Beyond the configuration's limit of expected votes. */
	CHECK_CS(votequorum_setexpected(h, 1000001), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_setexpected(h, 0xFFFFFFFFu), CS_ERR_INVALID_PARAM);
	/* Inquorate: a lower expected count is accepted and quorum follows
	 * it down, to 2: still more than this node's one vote. */
	CHECK_CS(votequorum_setexpected(h, 2), CS_OK);
	VQ_WAIT(h, expected_calls == 1);
	CHECK(last_expected == 2 && last_context == 42);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_expected_votes == 2 && info.quorum == 2);
	CHECK((info.flags & VOTEQUORUM_INFO_QUORATE) == 0);
	CHECK_CS(votequorum_setexpected(h, 1), CS_OK);
	VQ_WAIT(h, expected_calls == 2);
	CHECK(last_expected == 1);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.quorum == 1 && (info.flags & VOTEQUORUM_INFO_QUORATE));
	/* Quorate now: a value whose quorum would exceed the total votes
	 * is refused (corosync: setexpected 3 with 1 vote). */
	CHECK_CS(votequorum_setexpected(h, 3), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_expected_votes == 1);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_setexpected(h, 1), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
