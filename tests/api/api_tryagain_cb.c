/* API test: a sender that retries on CS_ERR_TRY_AGAIN while the handle's
 * dispatching thread sits in a callback (here: waiting for the sender to
 * finish) is let through. The daemon refuses the sends for the handle's
 * own unread events; the refused sender takes them off the channel into
 * the handle's memory although another thread is dispatching, since that
 * thread is not reading. Nothing is lost or reordered, and the handle is
 * not disconnected. */
#include <pthread.h>
#include <unistd.h>

#include "harness.h"
#include "watch.h"

#define MSG_LEN (64u * 1024u)
#define N 300u

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool done, first = true;
static uint32_t sent, got, bad;
static cs_error_t send_err = CS_OK;
static cpg_handle_t h;
static volatile bool joined;

static void on_deliver(cpg_handle_t hh, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	bad += !msg_ok(msg, len, got);
	got++;
	if (!first)
		return;
	first = false;
	pthread_mutex_lock(&mu);
	while (!done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
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

	while (sent < N) {
		cs_error_t rc;

		msg_fill(payload, sent, MSG_LEN);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK)
			sent++;
		else if (rc == CS_ERR_TRY_AGAIN)
			usleep(1000);   /* the program's own pace */
		else {
			send_err = rc;
			break;
		}
	}
	pthread_mutex_lock(&mu);
	done = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("tryagain-cb");
	pthread_t t;

	harness_init();
	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &joined);
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	/* The first message's callback waits for the sender to finish. */
	while (got < N) {
		CHECK_CS(send_err, CS_OK);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	}
	CHECK(pthread_join(t, NULL) == 0);
	CHECK_CS(send_err, CS_OK);
	CHECK(sent == N && got == N && bad == 0);
	CHECK(harness_status_field("stat.ipc_evicted_clients") == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
