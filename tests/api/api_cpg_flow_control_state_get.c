/* API test: cpg_flow_control_state_get is real: a sender that does not
 * read its own deliveries is pushed back, and released once it reads. */
#include <sched.h>

#include "harness.h"

static unsigned long delivered;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	static unsigned long expect;
	unsigned long seq;

	(void)h; (void)g; (void)n; (void)pid; (void)len;
	__builtin_memcpy(&seq, msg, sizeof(seq));
	CHECK(seq == expect);   /* nothing lost, nothing reordered */
	expect++;
	delivered++;
}

static volatile bool joined;

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	joined = true;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("flow");
	cpg_flow_control_state_t st;
	static char payload[4096];
	unsigned long sent = 0;
	struct iovec iov = { payload, sizeof(payload) };
	cpg_handle_t h;
	cs_error_t rc;

	harness_start(&d, NULL);
	CHECK_CS(cpg_flow_control_state_get(0, &st), CS_ERR_BAD_HANDLE);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_flow_control_state_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cpg_flow_control_state_get(h, &st), CS_OK);
	CHECK(st == CPG_FLOW_CONTROL_DISABLED);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &joined);
	/* Send without dispatching until the daemon pushes back. The bound
	 * (64 MiB of messages) is far above the watermarks. A full request
	 * ring also says CS_ERR_TRY_AGAIN, for as long as the daemon takes
	 * to empty it: then flow control is off and sending goes on. */
	for (;;) {
		__builtin_memcpy(payload, &sent, sizeof(sent));
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_ERR_TRY_AGAIN) {
			CHECK_CS(cpg_flow_control_state_get(h, &st), CS_OK);
			if (st == CPG_FLOW_CONTROL_ENABLED)
				break;
			sched_yield();
			continue;
		}
		CHECK_CS(rc, CS_OK);
		sent++;
		CHECK(sent < 16384);
	}
	/* It stays on: only reading ends it. */
	CHECK_CS(cpg_flow_control_state_get(h, &st), CS_OK);
	CHECK(st == CPG_FLOW_CONTROL_ENABLED);
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1),
	    CS_ERR_TRY_AGAIN);
	/* Read everything: push-back ends, every message arrived in order. */
	while (delivered < sent) {
		int fd;

		CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	}
	{
		volatile bool never = false;
		int tries = 0;

		/* The daemon turns flow control off when it has written the
		 * queue out, which may be after our last read: a request and
		 * its reply give it a turn. */
		unsigned int id;

		(void)never;
		do {
			CHECK_CS(cpg_local_get(h, &id), CS_OK);
			CHECK_CS(cpg_flow_control_state_get(h, &st), CS_OK);
		} while (st != CPG_FLOW_CONTROL_DISABLED && ++tries < 1000);
	}
	CHECK(st == CPG_FLOW_CONTROL_DISABLED);
	__builtin_memcpy(payload, &sent, sizeof(sent));
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
