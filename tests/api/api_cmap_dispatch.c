/* API test: cmap_dispatch. */
#include "cmap_harness.h"

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
	/* The daemon gone: a blocked dispatch returns LIBRARY. */
	h = cmap_open();
	harness_stop(&d);
	CHECK_CS(cmap_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_LIBRARY);
	CHECK_CS(cmap_finalize(h), CS_OK);
	return 0;
}
