/* API test: cmap_finalize. */
#include <pthread.h>

#include "cmap_harness.h"

static cmap_handle_t cb_handle;
static cs_error_t cb_rc;
static int calls;

static void finalize_in_callback(cmap_handle_t h, cmap_track_handle_t t,
    int32_t event, const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	calls++;
	cb_rc = cmap_finalize(cb_handle);
}

static void *dispatch_blocking(void *arg)
{
	static cs_error_t rc;

	rc = cmap_dispatch(*(cmap_handle_t *)arg, CS_DISPATCH_BLOCKING);
	return &rc;
}

int main(void)
{
	pthread_t th;
	void *ret;
	struct daemon_proc d;
	cmap_handle_t h, w;
	cmap_track_handle_t t;
	cmap_iter_handle_t it;

	harness_start(&d, NULL);
	CHECK_CS(cmap_finalize(0), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	/* Open iterators and trackers go with the handle. */
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
	CHECK_CS(cmap_track_add(h, "test.", CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
	    cmap_rec_fn, NULL, &t), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_iter_next(h, it, (char[CMAP_KEYNAME_MAXLEN + 1]){ 0 },
	    NULL, NULL), CS_ERR_BAD_HANDLE);
	/* Finalize inside a callback: the running dispatch then returns
	 * BAD_HANDLE. */
	cb_handle = cmap_open();
	w = cmap_open();
	CHECK_CS(cmap_track_add(cb_handle, "test.x", CMAP_TRACK_ADD,
	    finalize_in_callback, NULL, &t), CS_OK);
	CHECK_CS(cmap_set_uint8(w, "test.x", 1), CS_OK);
	CHECK_CS(cmap_dispatch(cb_handle, CS_DISPATCH_BLOCKING),
	    CS_ERR_BAD_HANDLE);
	CHECK(calls == 1 && cb_rc == CS_OK);
	CHECK_CS(cmap_finalize(cb_handle), CS_ERR_BAD_HANDLE);
	/* From another thread: a dispatch blocked on the handle (or about
	 * to be) returns BAD_HANDLE. */
	h = cmap_open();
	CHECK(pthread_create(&th, NULL, dispatch_blocking, &h) == 0);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK(pthread_join(th, &ret) == 0);
	CHECK_CS(*(cs_error_t *)ret, CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(w), CS_OK);
	harness_stop(&d);
	return 0;
}
