/*
 * sched.h: the daemon's CPU scheduling (see sched.c).
 */
#ifndef COHORT_SCHED_H
#define COHORT_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config.h"
#include "daemon/loop.h"

struct sched_ctl {
	struct loop *loop;
	enum cohort_sched mode;
	bool rr;                 /* SCHED_RR now */
	bool permitted;          /* false once the kernel said EPERM */
	bool failed;             /* another error was logged already */
	int stat_fd;             /* /proc/stat, auto mode */
	uint64_t idle, total;    /* CPU time at the last sample */
	unsigned idle_pct;       /* idle share of the last sample */
	unsigned calm;           /* calm samples in a row (auto, realtime) */
	uint64_t switches;       /* policy changes made */
	struct loop_timer timer;
};

/* Applies `mode` and, for auto, starts sampling the machine's load. */
void sched_start(struct sched_ctl *s, struct loop *l, enum cohort_sched mode);
void sched_stop(struct sched_ctl *s);
const char *sched_mode_name(enum cohort_sched mode);

#endif /* COHORT_SCHED_H */
