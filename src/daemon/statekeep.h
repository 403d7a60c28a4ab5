/*
 * statekeep.h: one value kept durably in the state directory (a file of
 * statedir.h, fsync'd with its directory) without the event loop waiting
 * on the disk: a helper thread writes the latest value asked for. A
 * failed write is retried, every STATEKEEP_RETRY_MS and at each new
 * value, and reported to the loop (statekeep_error); it never stops the
 * process. The votequorum barrier of expected_votes_tracking is kept
 * this way.
 */
#ifndef COHORT_STATEKEEP_H
#define COHORT_STATEKEEP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct statedir;

/* How long the writer waits after a failed write before it tries the
 * same value again (a newer value is tried at once). */
#define STATEKEEP_RETRY_MS 1000

struct statekeep {
	const struct statedir *sd;   /* borrowed */
	const char *name;            /* borrowed: the state file's name */
	bool threaded;               /* false: written by statekeep_flush() */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: the value asked for, whether it is still to be
	 * written and how many were asked for, the last attempt's failure
	 * (-errno, 0 after a success), the writes that failed, the order to
	 * stop. */
	uint64_t want;
	bool pending;
	bool writing;                /* a write is under way */
	uint64_t sets;
	int err;
	uint64_t failures;
	bool stop;
};

/* Prepares `k` for state file `name` of `sd` (both borrowed for k's
 * life); `threaded` starts the writer thread. 0 or -errno (the thread
 * could not be started). Writes nothing. */
int statekeep_open(struct statekeep *k, const struct statedir *sd,
    const char *name, bool threaded);
/* Asks for `v` to be kept; never waits (with the thread). A value not
 * yet written is replaced: only the latest is written. */
void statekeep_set(struct statekeep *k, uint64_t v);
/* Without the thread: writes the value asked for, if any, once. */
void statekeep_flush(struct statekeep *k);
/* The last attempt's failure as -errno, or 0 (none yet, or it
 * succeeded); *pending: a value is still to be written or being
 * written. */
int statekeep_error(struct statekeep *k, bool *pending);
/* Stops the thread: a value still to be written is tried once more
 * first (a write under way is finished). */
void statekeep_close(struct statekeep *k);

#endif /* COHORT_STATEKEEP_H */
