/*
 * harness.h: what every API test shares: a private cohortd, waiting on
 * events with a bound, and assertions that print what failed.
 *
 * Each test program starts its own daemon on a socket in a fresh
 * directory (COHORT_SOCKET, COHORT_STATE_DIR), waits for the daemon's
 * READY line on COHORT_READY_FD, and stops it at the end, failing if the
 * daemon did not exit cleanly. Exit status: 0 pass, 1 fail, 77 skip.
 *
 * The directory, /tmp/cohort-api.XXXXXX, holds all the daemon's files
 * and whatever the test puts beside them; it goes when the daemon stops,
 * is killed or exits by itself, and when the test fails or times out,
 * so that a run leaves nothing behind.
 */
#ifndef COHORT_HARNESS_H
#define COHORT_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include <corosync/cpg.h>

#define WAIT_MS 20000   /* bound on any wait for an event */

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		harness_fail();						\
	}								\
} while (0)

#define CHECK_CS(expr, want) do {					\
	cs_error_t got_ = (expr);					\
	if (got_ != (want)) {						\
		fprintf(stderr, "%s:%d: %s returned %s (%d), want %s\n",	\
		    __FILE__, __LINE__, #expr, cs_strerror(got_), got_,	\
		    cs_strerror(want));					\
		harness_fail();						\
	}								\
} while (0)

struct daemon_proc {
	pid_t pid;                /* 0 when not running */
	pid_t owner;              /* the process that made `dir` */
	char dir[256];
	char log[300];
};

/* Starts cohortd with extra arguments (NULL-terminated, may be NULL) and
 * sets COHORT_SOCKET for this process. */
void harness_start(struct daemon_proc *d, const char *const *args);
/* harness_start() in two steps, for a test that writes files into the
 * daemon's directory before the daemon starts (cfgtest.c writes its
 * configuration there): harness_dir() makes `d->dir` and sets
 * COHORT_SOCKET; harness_launch() starts cohortd in it. */
void harness_dir(struct daemon_proc *d);
void harness_launch(struct daemon_proc *d, const char *const *args);
/* Starts cohortd with the configuration `conf` (the text of a
 * corosync.conf), written to a file in the daemon's directory. */
void harness_start_conf(struct daemon_proc *d, const char *conf);
/* SIGTERM, wait, and fail unless it exited with status 0. */
void harness_stop(struct daemon_proc *d);
/* The daemon exited by itself and the caller waited for it: its
 * directory (socket, log, state) goes, as harness_stop() does. */
void harness_exited(struct daemon_proc *d);
/* SIGKILL, without checks (daemon-loss tests). */
void harness_kill(struct daemon_proc *d);
/* Kills the daemon, prints the end of its log, removes its directory
 * (unless called in a process the test forked: the test does that) and
 * exits 1. */
_Noreturn void harness_fail(void);
/* Dispatches `h` until `*flag` becomes true; fails after WAIT_MS without
 * an event. */
void harness_wait(cpg_handle_t h, const volatile bool *flag);
/* The group name "s" with length strlen(s). */
struct cpg_name harness_name(const char *s);
/* The lines of the daemon's log that contain `what`. */
int harness_log_lines(const struct daemon_proc *d, const char *what);
/* Runs once at start: an alarm so that nothing can hang the suite; on
 * it, as on SIGTERM or SIGINT, the test kills its daemon, removes its
 * directory and exits 1. */
void harness_init(void);

#endif /* COHORT_HARNESS_H */

/* A recorder of events, the context of handles made by harness_open(). */
struct rec {
	volatile bool joined, left, got_own;  /* our own JOIN, LEAVE, message */
	volatile bool changed;                /* set by every confchg */
	int confchgs, messages, totems;
	int last_members;                     /* member count of last confchg */
	uint32_t other_left_reason;           /* reason of a member that left */
	uint32_t other_left_pid;
	bool other_left;
	uint32_t last_nodeid, last_pid;
	size_t last_len;
	unsigned char last[64];               /* first bytes of last message */
	struct cpg_ring_id ring;
	uint32_t ring_nodes;
	int event_log[64];                    /* 'J' join 'L' leave 'M' msg 'T' */
	int n_log;
	bool finalize_in_callback;            /* finalize on the next message */
	cs_error_t finalize_rc;
};

/* cpg_model_initialize with recording callbacks and `flags`. */
cpg_handle_t harness_open(struct rec *r, unsigned int flags);

/* The daemon's resident memory in kB (VmRSS), or -1. */
long harness_rss_kb(pid_t pid);
/* A number from `cohortctl status` of the current daemon (`key` as in
 * its output, e.g. "stat.ring_held_for_readers"), or -1 if absent. */
long long harness_status_field(const char *key);

/* A member that sends numbered 4-byte messages to its own group and
 * checks they all come back in order: the "well-behaved client" that the
 * hostile-client tests keep running beside the offender. */
cpg_handle_t harness_seq_open(const char *group);
/* Sends n more messages and waits until every one sent so far is back. */
void harness_seq_traffic(cpg_handle_t h, int n);
unsigned int harness_seq_delivered(void);
