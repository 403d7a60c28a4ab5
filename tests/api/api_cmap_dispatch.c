/* API test: cmap_dispatch. */
#include <pthread.h>
#include <time.h>

#include "cmap_harness.h"

#define THREAD_KEYS 100

static cmap_handle_t writer;
static int calls;

/* First event: makes the second; second: finalizes the handle. */
static void chain(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	if (++calls == 1)
		CHECK_CS(cmap_set_uint8(writer, "test.chain2", 1), CS_OK);
	else
		CHECK_CS(cmap_finalize(h), CS_OK);
}

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cond = PTHREAD_COND_INITIALIZER;
static int seen;

static void count_fn(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	pthread_mutex_lock(&seen_lock);
	seen++;
	pthread_cond_signal(&seen_cond);
	pthread_mutex_unlock(&seen_lock);
}

static void *dispatch_blocking(void *arg)
{
	static cs_error_t rc;

	rc = cmap_dispatch(*(cmap_handle_t *)arg, CS_DISPATCH_BLOCKING);
	return &rc;
}

/* One thread dispatches while this one adds trackers and makes the
 * changes they see, on the same handle: every notification reaches its
 * callback, even one that comes before its tracker's reply. */
static void dispatch_beside_requests(void)
{
	struct timespec deadline;
	cmap_handle_t h = cmap_open();
	cmap_track_handle_t t;
	char key[64];
	pthread_t th;
	void *ret;

	CHECK(pthread_create(&th, NULL, dispatch_blocking, &h) == 0);
	for (int i = 0; i < THREAD_KEYS; i++) {
		snprintf(key, sizeof(key), "test.thread.%d", i);
		CHECK_CS(cmap_track_add(h, key, CMAP_TRACK_ADD, count_fn, NULL,
		    &t), CS_OK);
		CHECK_CS(cmap_set_uint8(h, key, 1), CS_OK);
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&seen_lock);
	while (seen < THREAD_KEYS)
		if (pthread_cond_timedwait(&seen_cond, &seen_lock, &deadline))
			break;
	pthread_mutex_unlock(&seen_lock);
	CHECK(seen == THREAD_KEYS);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK(pthread_join(th, &ret) == 0);
	CHECK_CS(*(cs_error_t *)ret, CS_ERR_BAD_HANDLE);
}

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h;
	cmap_track_handle_t t;
	struct cmap_rec r = { 0 };

	harness_start(&d, NULL);
	CHECK_CS(cmap_dispatch(0, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	writer = cmap_open();
	/* Nothing pending. */
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);
	CHECK_CS(cmap_track_add(h, "test.", CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
	    cmap_rec_fn, &r, &t), CS_OK);
	CHECK_CS(cmap_set_uint8(writer, "test.a", 1), CS_OK);
	CHECK_CS(cmap_set_uint8(writer, "test.b", 1), CS_OK);
	CHECK_CS(cmap_set_uint8(writer, "test.c", 1), CS_OK);
	/* ONE waits for one event and takes only it; ONE_NONBLOCKING takes
	 * the next; ALL the rest, in order. */
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	CHECK(r.count == 1 && strcmp(r.key, "test.a") == 0);
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
	CHECK(r.count == 2 && strcmp(r.key, "test.b") == 0);
	cmap_wait_count(h, &r, 3);
	CHECK(r.count == 3 && strcmp(r.key, "test.c") == 0);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);

	/* A flag value corosync does not know acts as BLOCKING: it goes on
	 * after the first event and waits for the second, whose callback
	 * finalizes the handle, and then returns BAD_HANDLE. */
	h = cmap_open();
	CHECK_CS(cmap_track_add(h, "test.chain", CMAP_TRACK_ADD |
	    CMAP_TRACK_PREFIX, chain, NULL, &t), CS_OK);
	CHECK_CS(cmap_set_uint8(writer, "test.chain1", 1), CS_OK);
	CHECK_CS(cmap_dispatch(h, (cs_dispatch_flags_t)99), CS_ERR_BAD_HANDLE);
	CHECK(calls == 2);
	CHECK_CS(cmap_finalize(writer), CS_OK);
	dispatch_beside_requests();
	/* The daemon gone: a blocked dispatch returns LIBRARY. */
	h = cmap_open();
	harness_stop(&d);
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_LIBRARY);
	CHECK_CS(cmap_finalize(h), CS_OK);
	return 0;
}
