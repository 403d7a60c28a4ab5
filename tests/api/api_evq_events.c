/* API test: the event-queue watermark counts events, not only bytes. A
 * sender of 64 B messages whose events are not read is pushed back once
 * some thousands of events wait (COHORT_EVQ_HIGH_EVENTS), well before the
 * byte watermark alone would push back; everything then arrives, in
 * order.
 *
 * The handle's dispatching thread is held inside its first deliver
 * callback meanwhile: a handle that is being dispatched leaves its
 * events to that thread, so the library takes none of them into its own
 * memory (as it does for a sender that retries without dispatching), and
 * the daemon's push-back shows in cpg_flow_control_state_get. */
#include <pthread.h>
#include <unistd.h>

#include "harness.h"
#include "watch.h"

#define MSG_LEN 64
/* With the event watermark, pushed back after some thousands of
 * messages; with the byte watermark alone (events of 64 B messages are
 * about 230 bytes), only after tens of thousands. */
#define SENT_BOUND 24000u

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool held, released;

/* The first message's callback waits here until the test releases it. */
static void hold(struct watch *w)
{
	pthread_mutex_lock(&gate_lock);
	held = true;
	pthread_cond_broadcast(&gate_cond);
	while (!released)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	w->before_deliver = NULL;
}

static void *dispatch_one(void *arg)
{
	cpg_handle_t h = *(cpg_handle_t *)arg;

	CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	return NULL;
}

static void set_gate(bool *flag)
{
	pthread_mutex_lock(&gate_lock);
	*flag = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

int main(void)
{
	struct daemon_proc d;
	struct watch w;
	cpg_flow_control_state_t st = CPG_FLOW_CONTROL_DISABLED;
	static char payload[MSG_LEN];
	struct iovec iov = { payload, sizeof(payload) };
	uint32_t sent = 0;
	pthread_t th;
	cpg_handle_t h;
	cs_error_t rc;

	harness_start(&d, NULL);
	h = watch_open(&w, "evq-events", (uint32_t)getpid());
	w.before_deliver = hold;
	CHECK(pthread_create(&th, NULL, dispatch_one, &h) == 0);
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
		if (sent == 1) {
			/* The dispatching thread holds the handle from now. */
			pthread_mutex_lock(&gate_lock);
			while (!held)
				pthread_cond_wait(&gate_cond, &gate_lock);
			pthread_mutex_unlock(&gate_lock);
		}
	}
	printf("pushed back after %u messages of %d bytes\n", sent, MSG_LEN);
	set_gate(&released);
	CHECK(pthread_join(th, NULL) == 0);
	/* Nothing lost, nothing reordered. */
	while (w.got < sent)
		watch_next(h, &w);
	CHECK(w.got == sent && w.bad == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
