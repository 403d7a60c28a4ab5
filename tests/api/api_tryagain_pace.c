/* API test: a sender refused for the handle's own unread events, while
 * another thread of the program reads them, waits for that reader: it
 * does not take the events into the library's stash and run ahead of
 * the reader without bound. The reader here is slow on purpose (each
 * callback works for a while), and the sender retries as fast as it can.
 * What the sender has sent and the reader not yet read stays within the
 * daemon's event-queue watermarks and what is in flight, not the whole
 * run: before the rule, the backlog grew to tens of thousands of
 * messages, each delivered seconds after its send. Nothing is lost or
 * reordered. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"
#include "watch.h"

#define MSG_LEN (16u * 1024u)
/* The daemon's queue above its high watermark (4 MiB: 256 of these),
 * its socket buffers, the submit ring and the credit window in flight
 * together are well under this many; the stash of the old rule held the
 * whole run. */
#define LAG_MAX 2048u

static uint32_t n_msgs = 20000;
static _Atomic uint32_t sent, got;
static uint32_t bad, lag_max;
static cs_error_t send_err = CS_OK;
static cpg_handle_t h;
static volatile bool joined;

static void on_deliver(cpg_handle_t hh, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	uint32_t s = atomic_load(&sent), n = atomic_load(&got);
	volatile uint32_t spin = 0;

	bad += !msg_ok(msg, len, n);
	if (s - n > lag_max)
		lag_max = s - n;
	atomic_store(&got, n + 1);
	/* A reader slower than the sender. */
	for (uint32_t i = 0; i < 20000; i++)
		spin += i;
}

static void on_confchg(cpg_handle_t hh, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	joined = true;
}

static void *sender(void *arg)
{
	static unsigned char payload[MSG_LEN];
	struct iovec iov = { payload, MSG_LEN };

	while (atomic_load(&sent) < n_msgs) {
		cs_error_t rc;

		msg_fill(payload, atomic_load(&sent), MSG_LEN);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK)
			atomic_fetch_add(&sent, 1);
		else if (rc == CS_ERR_TRY_AGAIN)
			sched_yield();
		else {
			send_err = rc;
			break;
		}
	}
	return NULL;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("tryagain-pace");
	pthread_t t;

	harness_init();
	if (getenv("COHORT_SAN"))
		n_msgs = 4000;
	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &joined);
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	while (atomic_load(&got) < n_msgs && send_err == CS_OK)
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_CS(send_err, CS_OK);
	CHECK(atomic_load(&sent) == n_msgs && atomic_load(&got) == n_msgs);
	CHECK(bad == 0);
	fprintf(stderr, "api_tryagain_pace: most sent and not read: %u\n",
	    lag_max);
	CHECK(lag_max <= LAG_MAX);
	CHECK(harness_status_field("stat.ipc_evicted_clients") == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
