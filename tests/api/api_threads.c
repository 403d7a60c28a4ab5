/* API test: one handle shared by a BLOCKING dispatch thread and two
 * sender threads; every message delivered, in order per sender. */
#include <pthread.h>
#include <string.h>

#include "harness.h"

#define PER_SENDER 20000

static cpg_handle_t h;
static unsigned int next_seq[2], delivered;
static volatile bool joined;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_in = PTHREAD_COND_INITIALIZER;

static void on_deliver(cpg_handle_t hh, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	unsigned int who, seq;

	CHECK(len == 8);
	memcpy(&who, msg, 4);
	memcpy(&seq, (char *)msg + 4, 4);
	CHECK(who < 2 && seq == next_seq[who]);
	next_seq[who]++;
	pthread_mutex_lock(&lock);
	if (++delivered == 2 * PER_SENDER)
		pthread_cond_signal(&all_in);
	pthread_mutex_unlock(&lock);
}

static void on_confchg(cpg_handle_t hh, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	joined = true;
}

static void *dispatcher(void *arg)
{
	cs_error_t *rc = arg;

	*rc = cpg_dispatch(h, CS_DISPATCH_BLOCKING);
	return NULL;
}

static void *sender(void *arg)
{
	unsigned int who = (unsigned int)(uintptr_t)arg;

	for (unsigned int seq = 0; seq < PER_SENDER;) {
		char buf[8];
		struct iovec iov = { buf, 8 };
		cs_error_t rc;

		memcpy(buf, &who, 4);
		memcpy(buf + 4, &seq, 4);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_ERR_TRY_AGAIN) {
			unsigned int id;

			/* A round trip lets flow-control notices in. */
			CHECK_CS(cpg_local_get(h, &id), CS_OK);
			continue;
		}
		CHECK_CS(rc, CS_OK);
		seq++;
	}
	return NULL;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("threads");
	pthread_t disp, snd[2];
	cs_error_t disp_rc = CS_OK;

	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &joined);
	CHECK(pthread_create(&disp, NULL, dispatcher, &disp_rc) == 0);
	for (uintptr_t i = 0; i < 2; i++)
		CHECK(pthread_create(&snd[i], NULL, sender, (void *)i) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(snd[i], NULL) == 0);
	/* Wait for the dispatcher to deliver everything. */
	pthread_mutex_lock(&lock);
	while (delivered < 2 * PER_SENDER)
		pthread_cond_wait(&all_in, &lock);   /* the alarm bounds it */
	pthread_mutex_unlock(&lock);
	/* cpg_finalize from this thread wakes the blocked dispatcher. */
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK(pthread_join(disp, NULL) == 0);
	CHECK_CS(disp_rc, CS_ERR_BAD_HANDLE);
	CHECK(next_seq[0] == PER_SENDER && next_seq[1] == PER_SENDER);
	harness_stop(&d);
	return 0;
}
