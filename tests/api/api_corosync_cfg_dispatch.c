/* API test: corosync_cfg_dispatch: the four modes, an unknown mode,
 * the shutdown callback, a handle finalized in its callback. */
#include "cfgtest.h"

static corosync_cfg_handle_t finalize_me;
static int calls;

static void finalize_in_cb(corosync_cfg_handle_t h,
    corosync_cfg_shutdown_flags_t flags)
{
	calls++;
	CHECK(h == finalize_me);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
}

int main(void)
{
	static const corosync_cfg_callbacks_t cb = { finalize_in_cb };
	struct daemon_proc d;
	struct tracker a;
	struct try_call call;
	corosync_cfg_handle_t h, f;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_dispatch(0, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	/* Nothing pending. */
	CHECK_CS(corosync_cfg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CHECK_CS(corosync_cfg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING),
	    CS_ERR_TRY_AGAIN);
	/* A query: ONE takes it (waiting for it), the callback runs. */
	tracker_open(&a, true);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	CHECK_CS(corosync_cfg_dispatch(a.h, CS_DISPATCH_ONE), CS_OK);
	CHECK(a.asked == 1);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(try_result(&call), CS_ERR_BUSY);
	/* An unknown mode blocks as BLOCKING does (corosync's): the
	 * handle finalized in its callback ends it with BAD_HANDLE. */
	f = cfgtest_open(&cb);
	finalize_me = f;
	CHECK_CS(corosync_cfg_trackstart(f, 0), CS_OK);
	try_start(&call);
	tracker_wait(&a, 2);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(corosync_cfg_dispatch(f, (cs_dispatch_flags_t)42),
	    CS_ERR_BAD_HANDLE);
	CHECK(calls == 1);
	/* f's close counted as yes, a said no: BUSY. */
	CHECK_CS(try_result(&call), CS_ERR_BUSY);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
