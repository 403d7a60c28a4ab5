/*
 * API test: corosync_cfg_try_shutdown: the consultation of this node's
 * trackers (yes, no, no answer within the timeout, closing, tracking
 * stopped, a tracker that comes during the query), REGARDLESS and
 * IMMEDIATE, and a shutdown that ends the daemon with status 0.
 */
#include <corosync/cmap.h>

#include "cfgtest.h"

/* A try_shutdown that goes through ends the daemon: exit 0, logged. */
static void check_shut_down(struct daemon_proc *d)
{
	cfgtest_log_wait(d, "Node 1 was shut down by sysadmin");
	CHECK(cfgtest_exit_wait(d) == 0);
}

int main(void)
{
	struct daemon_proc d;
	struct tracker a, b;
	struct try_call call;
	corosync_cfg_handle_t h;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_try_shutdown(0,
	    COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_try_shutdown(h,
	    (corosync_cfg_shutdown_flags_t)3), CS_ERR_INVALID_PARAM);

	/* A tracker says no: BUSY, and the daemon stays. */
	tracker_open(&a, true);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	CHECK(a.flags == COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST);
	/* Another query while this one runs. */
	CHECK_CS(corosync_cfg_try_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST), CS_ERR_EXIST);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(try_result(&call), CS_ERR_BUSY);

	/* No answer: after the timeout BUSY, and the tracker is told again.
	 * cfg.shutdown_timeout in the map sets the timeout (300 ms here
	 * instead of 5 s). */
	{
		cmap_handle_t m;

		CHECK_CS(cmap_initialize(&m), CS_OK);
		CHECK_CS(cmap_set_uint32(m, "cfg.shutdown_timeout", 300), CS_OK);
		CHECK_CS(cmap_finalize(m), CS_OK);
	}
	try_start(&call);
	tracker_wait(&a, 2);
	CHECK_CS(try_result(&call), CS_ERR_BUSY);
	tracker_wait(&a, 3);
	cfgtest_log_wait(&d, "1 asked, 1 answered, 1 no: refused");

	/* REGARDLESS goes even with a no. */
	call.flags = COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS;
	try_start(&call);
	tracker_wait(&a, 4);
	CHECK(a.flags == COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_NO), CS_OK);
	CHECK_CS(try_result(&call), CS_OK);
	check_shut_down(&d);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);

	/* Yes from one, the other closes: both count as yes. */
	cfgtest_start(&d, NULL);
	h = cfgtest_open(NULL);
	tracker_open(&a, true);
	tracker_open(&b, true);
	call = (struct try_call){ .h = h,
	    .flags = COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST };
	try_start(&call);
	tracker_wait(&a, 1);
	tracker_wait(&b, 1);
	CHECK_CS(corosync_cfg_replyto_shutdown(a.h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	CHECK_CS(corosync_cfg_finalize(b.h), CS_OK);
	CHECK_CS(try_result(&call), CS_OK);
	check_shut_down(&d);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);

	/* IMMEDIATE asks nobody. */
	cfgtest_start(&d, NULL);
	h = cfgtest_open(NULL);
	tracker_open(&a, true);
	CHECK_CS(corosync_cfg_try_shutdown(h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_IMMEDIATE), CS_OK);
	check_shut_down(&d);
	CHECK(a.asked == 0);
	CHECK_CS(corosync_cfg_finalize(a.h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);

	/* No tracker: at once. */
	cfgtest_start(&d, NULL);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_try_shutdown(h,
	    COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST), CS_OK);
	check_shut_down(&d);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
