/*
 * cfgtest.h: what the cfg API tests share: a daemon with a two-node,
 * two-link configuration (node 2 never runs), and waits on the daemon's
 * log and exit.
 */
#ifndef COHORT_CFGTEST_H
#define COHORT_CFGTEST_H

#include <stdbool.h>

#include <corosync/cfg.h>

#include "harness.h"

/* Starts cohortd as node 1 of nodes 1 (127.0.0.1, link 1 127.0.1.1) and
 * 2 (127.0.0.2, 127.0.1.2) on ports of its own. The configuration file is
 * cfgtest_conf_path(), in cfgtest_dir(), the daemon's directory (which
 * goes with the daemon, and everything in it); `extra` (may be NULL) is
 * appended to it, "@DIR@" replaced by that directory. */
void cfgtest_start(struct daemon_proc *d, const char *extra);
const char *cfgtest_conf_path(void);
const char *cfgtest_dir(void);
/* harness_stop(): the configuration file goes with the directory. */
void cfgtest_stop(struct daemon_proc *d);
/* Rewrites the configuration file (the same nodes) with `extra`, or with
 * `raw` alone when it is not NULL ("@DIR@" replaced in both). */
void cfgtest_write(const char *extra, const char *raw);
/* Waits until the daemon's log has a line containing `text`; fails
 * after WAIT_MS. */
void cfgtest_log_wait(const struct daemon_proc *d, const char *text);
/* Waits for the daemon to exit and returns its exit status (-1: killed
 * by a signal); fails after WAIT_MS. */
int cfgtest_exit_wait(struct daemon_proc *d);
/* corosync_cfg_initialize, failing the test on error. */
corosync_cfg_handle_t cfgtest_open(const corosync_cfg_callbacks_t *cb);

/* A shutdown tracker: a handle whose callback counts the queries. */
struct tracker {
	corosync_cfg_handle_t h;
	int asked;                     /* callbacks so far */
	corosync_cfg_shutdown_flags_t flags;   /* of the last one */
};
/* Opens a handle for `t` and, when `track`, starts tracking. */
void tracker_open(struct tracker *t, bool track);
/* Dispatches t's handle until it has been asked `n` times in all; fails
 * after WAIT_MS. */
void tracker_wait(struct tracker *t, int n);

/* corosync_cfg_try_shutdown in a thread of its own, as it blocks for the
 * whole consultation. */
struct try_call {
	corosync_cfg_handle_t h;
	corosync_cfg_shutdown_flags_t flags;
	cs_error_t rc;
	void *thread;
};
void try_start(struct try_call *c);
/* Joins the thread: try_shutdown's result. */
cs_error_t try_result(struct try_call *c);

#endif /* COHORT_CFGTEST_H */
