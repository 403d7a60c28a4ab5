/* API test: the event-queue watermark counts events, not only bytes. A
 * sender of 64 B messages that reads nothing is pushed back once some
 * thousands of events wait (COHORT_EVQ_HIGH_EVENTS), well before the
 * byte watermark alone would push back; everything then arrives, in
 * order. */
#include <unistd.h>

#include "harness.h"
#include "watch.h"

#define MSG_LEN 64
/* Pushed back after 7200 to 11 500 messages with the event watermark,
 * after 42 000 to 48 500 with the byte watermark alone (events of 64 B
 * messages are about 230 bytes; 2026-12-04). */
#define SENT_BOUND 24000u

int main(void)
{
	struct daemon_proc d;
	struct watch w;
	cpg_flow_control_state_t st = CPG_FLOW_CONTROL_DISABLED;
	static char payload[MSG_LEN];
	struct iovec iov = { payload, sizeof(payload) };
	uint32_t sent = 0;
	cpg_handle_t h;
	cs_error_t rc;

	harness_start(&d, NULL);
	h = watch_open(&w, "evq-events", (uint32_t)getpid());
	while (st != CPG_FLOW_CONTROL_ENABLED) {
		msg_fill(payload, sent, sizeof(payload));
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_ERR_TRY_AGAIN) {
			/* A full ring or spent credit also says so, for a
			 * moment: a request's round trip lets the daemon take
			 * the ring and give the credit back, so that what
			 * remains is its push-back for our unread events. */
			unsigned int id;

			CHECK_CS(cpg_local_get(h, &id), CS_OK);
			CHECK_CS(cpg_flow_control_state_get(h, &st), CS_OK);
			continue;
		}
		CHECK_CS(rc, CS_OK);
		sent++;
		CHECK(sent < SENT_BOUND);
	}
	printf("pushed back after %u messages of %d bytes\n", sent, MSG_LEN);
	/* Nothing lost, nothing reordered. */
	while (w.got < sent)
		watch_next(h, &w);
	CHECK(w.got == sent && w.bad == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
