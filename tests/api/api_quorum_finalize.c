/* API test: quorum_finalize. */
#include <pthread.h>

#include "quorum_help.h"

static quorum_handle_t cb_handle;
static cs_error_t cb_rc;
static volatile bool called;

/* Finalizes its own handle from inside the callback. */
static void notify(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq,
    uint32_t n, uint32_t *list)
{
	cb_rc = quorum_finalize(cb_handle);
	called = true;
}

static cs_error_t blocked_rc;

/* Blocks in quorum_dispatch until another thread finalizes the handle. */
static void *dispatcher(void *arg)
{
	blocked_rc = quorum_dispatch(*(quorum_handle_t *)arg,
	    CS_DISPATCH_BLOCKING);
	return NULL;
}

int main(void)
{
	pthread_t th;
	quorum_callbacks_t cb = { .quorum_notify_fn = notify };
	struct daemon_proc d;
	quorum_handle_t h;
	int fd;

	harness_start(&d, NULL);
	CHECK_CS(quorum_finalize(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_getquorate(h, &fd), CS_ERR_BAD_HANDLE);

	/* From a callback: the dispatch then reports the handle gone. */
	CHECK_CS(quorum_initialize(&h, &cb, NULL), CS_OK);
	cb_handle = h;
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(quorum_fd_get(h, &fd), CS_OK);
	wait_readable(fd);
	CHECK_CS(quorum_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	CHECK(called);
	CHECK_CS(cb_rc, CS_OK);
	CHECK_CS(quorum_finalize(h), CS_ERR_BAD_HANDLE);

	/* From another thread: a thread blocked in dispatch is woken. */
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK(pthread_create(&th, NULL, dispatcher, &h) == 0);
	CHECK_CS(quorum_trackstart(h, CS_TRACK_CHANGES), CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_CS(blocked_rc, CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
