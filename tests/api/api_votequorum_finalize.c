/* API test: votequorum_finalize. */
#include <pthread.h>

#include "quorum_help.h"

static votequorum_handle_t cb_handle;
static cs_error_t cb_rc;
static volatile bool called;

/* Finalizes its own handle from inside the callback. */
static void on_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	cb_rc = votequorum_finalize(cb_handle);
	called = true;
}

static cs_error_t blocked_rc;

/* Blocks in votequorum_dispatch until another thread finalizes. */
static void *dispatcher(void *arg)
{
	blocked_rc = votequorum_dispatch(*(votequorum_handle_t *)arg,
	    CS_DISPATCH_BLOCKING);
	return NULL;
}

int main(void)
{
	pthread_t th;
	votequorum_callbacks_t cb = { .votequorum_nodelist_notify_fn = on_nodelist };
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;
	int fd;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_finalize(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_ERR_BAD_HANDLE);

	/* From a callback: the dispatch then reports the handle gone, and
	 * the quorum notification queued after the node list is dropped. */
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	cb_handle = h;
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(votequorum_fd_get(h, &fd), CS_OK);
	wait_readable(fd);
	CHECK_CS(votequorum_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_BAD_HANDLE);
	CHECK(called);
	CHECK_CS(cb_rc, CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_ERR_BAD_HANDLE);

	/* From another thread: a thread blocked in dispatch is woken. */
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK(pthread_create(&th, NULL, dispatcher, &h) == 0);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CHANGES), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_CS(blocked_rc, CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
