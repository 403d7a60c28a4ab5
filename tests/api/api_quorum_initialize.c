/* API test: quorum_initialize. */
#include <stdlib.h>

#include "quorum_help.h"

static volatile bool called;
static uint32_t got_quorate, got_entries, got_node;

static void notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq,
    uint32_t n, uint32_t *list)
{
	got_quorate = quorate;
	got_entries = n;
	got_node = n ? list[0] : 0;
	called = true;
}

int main(void)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = notify };
	struct daemon_proc d;
	quorum_handle_t h;
	uint32_t type = 99;

	harness_init();
	/* No daemon at the socket path. */
	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(quorum_initialize(&h, &cb, &type), CS_ERR_LIBRARY);
	CHECK(type == 99);
	CHECK_CS(quorum_initialize(NULL, &cb, &type), CS_ERR_INVALID_PARAM);

	/* No quorum section: no provider, always quorate. */
	harness_start(&d, NULL);
	CHECK_CS(quorum_initialize(&h, &cb, &type), CS_OK);
	CHECK(type == QUORUM_FREE);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	QUORUM_WAIT(h, called);
	CHECK(got_quorate == 1 && got_entries == 1 && got_node == 1);
	CHECK_CS(quorum_finalize(h), CS_OK);
	/* Neither callbacks nor quorum_type are required. */
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	harness_stop(&d);

	/* votequorum as the provider. */
	quorum_start(&d, CONF_VOTEQUORUM);
	type = 99;
	CHECK_CS(quorum_initialize(&h, &cb, &type), CS_OK);
	CHECK(type == QUORUM_SET);
	CHECK_CS(quorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
