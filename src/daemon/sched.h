/*
 * sched.h: the daemon's CPU scheduling and locked memory (see sched.c).
 */
#ifndef COHORT_SCHED_H
#define COHORT_SCHED_H

#include <stdbool.h>

#include "daemon/config/config.h"

struct sched_ctl {
	enum cohort_sched mode;
	bool kept;               /* a policy set before start was kept */
	bool memory_locked;      /* mlockall() succeeded */
};

/* What `cohortctl status` shows. The strings are static. */
struct sched_state {
	const char *mode;        /* "rr" or "normal", from the configuration */
	const char *policy;      /* the policy now: "rr", "fifo", "other"... */
	int priority;            /* its realtime priority, 0 if none */
	bool realtime;           /* SCHED_RR or SCHED_FIFO */
	bool kept;
	bool memory_locked;
};

/* Locks the daemon's memory and applies `mode`, keeping a policy other
 * than SCHED_OTHER found set; logs what it did or could not do. */
void sched_start(struct sched_ctl *s, enum cohort_sched mode);
/* malloc_trim(0), also when memory is locked (see sched.c). */
void sched_trim(struct sched_ctl *s);
void sched_now(const struct sched_ctl *s, struct sched_state *st);
const char *sched_mode_name(enum cohort_sched mode);

#endif /* COHORT_SCHED_H */
