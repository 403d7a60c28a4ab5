/* API test: quorum_model_initialize. */
#include <stdlib.h>

#include "quorum_help.h"

static volatile bool got_quorum, got_nodelist;
static bool nodelist_first;
static struct quorum_ring_id q_ring, n_ring;
static uint32_t n_members, n_joined, n_left, q_entries;

static void on_quorum(quorum_handle_t h, uint32_t quorate,
    struct quorum_ring_id ring, uint32_t n, const uint32_t *list)
{
	q_ring = ring;
	q_entries = n;
	nodelist_first = got_nodelist;
	got_quorum = true;
}

static void on_nodelist(quorum_handle_t h, struct quorum_ring_id ring,
    uint32_t nm, const uint32_t *m, uint32_t nj, const uint32_t *j,
    uint32_t nl, const uint32_t *l)
{
	n_ring = ring;
	n_members = nm;
	n_joined = nj;
	n_left = nl;
	got_nodelist = true;
}

int main(void)
{
	quorum_model_v1_data_t v1 = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = on_quorum,
		.nodelist_notify_fn = on_nodelist,
	};
	struct daemon_proc d;
	quorum_handle_t h;
	uint32_t type = 99;
	const void *ctx;
	int x;

	harness_init();
	/* The model is checked before connecting (no daemon yet). */
	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(quorum_model_initialize(&h, 2, NULL, &type, NULL),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_model_initialize(&h, (quorum_model_t)-1, NULL, &type,
	    NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_model_initialize(&h, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&v1, &type, NULL), CS_ERR_LIBRARY);
	CHECK(type == 99);

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(quorum_model_initialize(NULL, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&v1, &type, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_model_initialize(&h, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&v1, &type, &x), CS_OK);
	CHECK(type == QUORUM_SET);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	/* V1: the node list (joined and left empty), then the quorum. */
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	QUORUM_WAIT(h, got_quorum);
	CHECK(got_nodelist && nodelist_first);
	CHECK(n_members == 1 && n_joined == 0 && n_left == 0);
	CHECK(q_entries == 1);
	CHECK(q_ring.nodeid == n_ring.nodeid && q_ring.seq == n_ring.seq);
	CHECK(q_ring.nodeid == 1);
	CHECK_CS(quorum_finalize(h), CS_OK);

	/* V0 through the model call, without model data or quorum_type. */
	CHECK_CS(quorum_model_initialize(&h, QUORUM_MODEL_V0, NULL, NULL, NULL),
	    CS_OK);
	CHECK_CS(quorum_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL);
	CHECK_CS(quorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
