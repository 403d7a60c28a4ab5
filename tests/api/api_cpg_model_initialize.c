/* API test: cpg_model_initialize, its flags and the totem callback. */
#include "harness.h"

int main(void)
{
	struct daemon_proc d;
	struct rec r = { 0 }, r2 = { 0 };
	cpg_model_v1_data_t md = { .model = CPG_MODEL_V1 };
	struct cpg_name g = harness_name("model");
	cpg_handle_t h;
	void *ctx;
	int x;

	harness_start(&d, NULL);
	CHECK_CS(cpg_model_initialize(&h, 0, NULL, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_model_initialize(&h, 2, NULL, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_model_initialize(NULL, CPG_MODEL_V1, NULL, NULL),
	    CS_ERR_INVALID_PARAM);
	md.flags = 0x2;
	CHECK_CS(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&md,
	    NULL), CS_ERR_INVALID_PARAM);
	/* NULL model data: no callbacks, the context is still kept. */
	CHECK_CS(cpg_model_initialize(&h, CPG_MODEL_V1, NULL, &x), CS_OK);
	CHECK_CS(cpg_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x);
	CHECK_CS(cpg_finalize(h), CS_OK);

	/* With DELIVER_INITIAL_TOTEM_CONF: own JOIN, then the totem confchg
	 * of the current ring (node 1, one node). */
	h = harness_open(&r, CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	while (r.totems == 0)
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(r.event_log[0] == 'J' && r.event_log[1] == 'T');
	CHECK(r.ring.nodeid == 1 && r.ring.seq > 0 && r.ring_nodes == 1);
	/* Without the flag: the join, and no totem confchg (no membership
	 * change happens on a one-node cluster). */
	{
		cpg_handle_t h2 = harness_open(&r2, 0);
		struct cpg_name g2 = harness_name("model2");

		CHECK_CS(cpg_join(h2, &g2), CS_OK);
		harness_wait(h2, &r2.joined);
		CHECK_CS(cpg_dispatch(h2, CS_DISPATCH_ALL), CS_OK);
		CHECK(r2.totems == 0);
		CHECK_CS(cpg_finalize(h2), CS_OK);
	}
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
