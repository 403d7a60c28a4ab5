/*
 * compat_quorum.c: a quorum program as corosync users write them.
 * t_compat.sh builds it against corosync's headers and libquorum
 * (Debian's libquorum-dev) and runs the binary on Cohort's libquorum.so.5
 * and daemon (no quorum provider there: QUORUM_FREE, always quorate):
 * the V0 and V1 models, tracking and dispatch through the 3.1.7 ABI.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include <corosync/quorum.h>

#define WAIT_MS 20000

static int v0_calls, v1_quorum_calls, v1_nodelist_calls;
static uint32_t v0_members, v1_members;

static void fail(const char *what, cs_error_t err)
{
	fprintf(stderr, "compat_quorum: %s: error %d\n", what, err);
	exit(1);
}

static void v0_notify(quorum_handle_t h, uint32_t quorate, uint64_t seq,
    uint32_t n, uint32_t *list)
{
	if (quorate == 1 && n >= 1)
		v0_members = n;
	v0_calls++;
}

static void v1_quorum(quorum_handle_t h, uint32_t quorate,
    struct quorum_ring_id ring, uint32_t n, const uint32_t *list)
{
	if (quorate == 1 && ring.nodeid != 0 && v1_nodelist_calls == 1)
		v1_members = n;
	v1_quorum_calls++;
}

static void v1_nodelist(quorum_handle_t h, struct quorum_ring_id ring,
    uint32_t nm, const uint32_t *m, uint32_t nj, const uint32_t *j,
    uint32_t nl, const uint32_t *l)
{
	v1_nodelist_calls++;
}

/* Dispatches `h` until `*count` reaches 1. */
static void wait_for(quorum_handle_t h, const int *count)
{
	struct pollfd p = { .events = POLLIN };
	cs_error_t err;

	if ((err = quorum_fd_get(h, &p.fd)) != CS_OK)
		fail("quorum_fd_get", err);
	while (*count < 1) {
		if (poll(&p, 1, WAIT_MS) != 1)
			fail("no notification", 0);
		if ((err = quorum_dispatch(h, CS_DISPATCH_ALL)) != CS_OK)
			fail("quorum_dispatch", err);
	}
}

int main(void)
{
	quorum_callbacks_t cb = { .quorum_notify_fn = v0_notify };
	quorum_model_v1_data_t v1 = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = v1_quorum,
		.nodelist_notify_fn = v1_nodelist,
	};
	quorum_handle_t h;
	uint32_t type = 99;
	const void *ctx = NULL;
	cs_error_t err;
	int quorate = -1;

	if ((err = quorum_initialize(&h, &cb, &type)) != CS_OK)
		fail("quorum_initialize", err);
	if (type != QUORUM_FREE)
		fail("quorum type is not QUORUM_FREE", type);
	if ((err = quorum_getquorate(h, &quorate)) != CS_OK || quorate != 1)
		fail("quorum_getquorate", err);
	if ((err = quorum_trackstart(h, CS_TRACK_CURRENT)) != CS_OK)
		fail("quorum_trackstart", err);
	wait_for(h, &v0_calls);
	if (v0_members < 1)
		fail("V0 notification", 0);
	if ((err = quorum_trackstop(h)) != CS_OK)
		fail("quorum_trackstop", err);
	if ((err = quorum_finalize(h)) != CS_OK)
		fail("quorum_finalize", err);

	if ((err = quorum_model_initialize(&h, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&v1, NULL, &v1)) != CS_OK)
		fail("quorum_model_initialize", err);
	if ((err = quorum_context_get(h, &ctx)) != CS_OK || ctx != &v1)
		fail("quorum_context_get", err);
	if ((err = quorum_trackstart(h, CS_TRACK_CHANGES)) != CS_OK)
		fail("quorum_trackstart V1", err);
	wait_for(h, &v1_quorum_calls);
	if (v1_nodelist_calls != 1 || v1_members < 1)
		fail("V1 notifications", 0);
	if (quorum_dispatch(h, 9) != CS_ERR_INVALID_PARAM)
		fail("dispatch flags", 0);
	if ((err = quorum_finalize(h)) != CS_OK)
		fail("quorum_finalize V1", err);
	printf("compat quorum client: V0 and V1, %u member(s), quorate\n",
	    v1_members);
	return 0;
}
