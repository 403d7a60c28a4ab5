/*
 * sched.c: the daemon's CPU scheduling and locked memory
 * (system.sched_rr, cohortd -p).
 *
 * A token that waits for a CPU behind other programs, or for a page of
 * the daemon to come back from swap, can pass its timeout and fail a
 * healthy node: a false membership change, which costs every node a
 * reconfiguration and may get the node fenced. So, as corosync does,
 * the daemon runs with realtime round-robin scheduling at the highest
 * priority and locks its memory, whatever the load. A daemon that rises
 * only once it sees load reacts after the token is already late, and
 * one below its clients loses the CPU to any of them; the latency its
 * clients see is won by design (docs/design.md), not by lowering it.
 *
 *   yes   (the default; auto is the same) SCHED_RR, highest priority
 *   no    (cohortd -p) the scheduling the daemon was started with
 *
 * A policy other than SCHED_OTHER that the daemon finds set at start
 * (systemd's CPUSchedulingPolicy=, chrt) is the administrator's choice:
 * it is kept, at its priority, and logged.
 *
 * Memory: everything mapped at start (code, libraries, heap, stack) is
 * read in and locked, so that a path first taken in a reconfiguration
 * never waits for the disk. What is mapped later (heap growth, the
 * clients' request rings) is locked as each page is first touched
 * (MCL_ONFAULT): locking keeps each page the daemon uses in memory but
 * adds none, so a client's request ring costs the pages it has used,
 * not the whole ring at connect. The daemon has one thread, so no
 * thread stack is locked beyond the main one. The kernel does not let
 * locked pages be given back (madvise fails on them), so the periodic
 * trim of the heap's free memory (sched_trim) lifts the lock for the
 * trim and puts it back on the pages still present: what the daemon
 * holds after a burst is what it uses, not the burst's peak.
 *
 * Without the privilege (root, or CAP_SYS_NICE for the scheduling and
 * CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK for the memory) the daemon
 * keeps running as it was started and says so once.
 */
#include <errno.h>
#include <linux/capability.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "common/log.h"
#include "daemon/sched.h"

/* AddressSanitizer maps terabytes of shadow memory, which cannot be
 * locked: a sanitizer build runs unlocked. */
#if defined(__SANITIZE_ADDRESS__)
#define SCHED_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCHED_UNDER_ASAN 1
#endif
#endif

static const char *mode_names[] = {
	[COHORT_SCHED_RR] = "rr",
	[COHORT_SCHED_NORMAL] = "normal",
};

const char *sched_mode_name(enum cohort_sched mode)
{
	return mode_names[mode];
}

static const char *policy_name(int policy)
{
	switch (policy) {
	case SCHED_OTHER:
		return "other";
	case SCHED_FIFO:
		return "fifo";
	case SCHED_RR:
		return "rr";
	case SCHED_BATCH:
		return "batch";
	case SCHED_IDLE:
		return "idle";
	}
	return "unknown";
}

#ifdef SCHED_UNDER_ASAN
static void lock_memory(struct sched_ctl *s)
{
	(void)s;
	log_info("memory not locked: an AddressSanitizer build cannot lock "
	    "its shadow memory");
}
#else
/* Whether locking all of the daemon's future memory is safe: with a
 * finite RLIMIT_MEMLOCK and no CAP_IPC_LOCK every allocation past the
 * limit would fail. The limit is raised first where that is allowed. */
static bool may_lock_all(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned long long caps = 0;
	char line[128];
	FILE *f;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0 ||
	    (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
	    rl.rlim_cur == RLIM_INFINITY))
		return true;
	if (!(f = fopen("/proc/self/status", "re")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return (caps >> CAP_IPC_LOCK) & 1;
}

static void lock_memory(struct sched_ctl *s)
{
	if (!may_lock_all()) {
		log_warnx("memory not locked: RLIMIT_MEMLOCK is limited and "
		    "the daemon has no CAP_IPC_LOCK; under memory pressure "
		    "paging may delay the token");
		return;
	}
	if (mlockall(MCL_CURRENT) < 0 ||
	    mlockall(MCL_FUTURE | MCL_ONFAULT) < 0) {
		log_warn("memory not locked; under memory pressure paging "
		    "may delay the token");
		munlockall();
		return;
	}
	s->memory_locked = true;
	log_info("memory locked");
}
#endif

void sched_trim(struct sched_ctl *s)
{
	if (!s->memory_locked) {
		malloc_trim(0);
		return;
	}
	munlockall();
	malloc_trim(0);
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
		s->memory_locked = false;
		log_warn("memory no longer locked; under memory pressure "
		    "paging may delay the token");
	}
}

/* The calling thread's policy (-errno if unknown) and priority. */
static int current_policy(int *priority)
{
	struct sched_param sp = { 0 };
	int policy = sched_getscheduler(0);

	*priority = 0;
	if (policy < 0)
		return -errno;
	if (sched_getparam(0, &sp) == 0)
		*priority = sp.sched_priority;
	return policy & ~SCHED_RESET_ON_FORK;
}

void sched_start(struct sched_ctl *s, enum cohort_sched mode)
{
	struct sched_param sp = { 0 };
	int prio, policy = current_policy(&prio);

	*s = (struct sched_ctl){ .mode = mode };
	lock_memory(s);
	if (policy > 0) {
		s->kept = true;
		log_info("scheduling kept as started: policy %s, priority %d",
		    policy_name(policy), prio);
		if (policy == SCHED_BATCH || policy == SCHED_IDLE)
			log_warnx("a busy machine may delay the token under "
			    "this policy and fail this node");
		return;
	}
	if (mode == COHORT_SCHED_NORMAL) {
		log_info("realtime scheduling off (-p or system.sched_rr: no): "
		    "a busy machine may delay the token");
		return;
	}
	sp.sched_priority = sched_get_priority_max(SCHED_RR);
	if (sched_setscheduler(0, SCHED_RR, &sp) < 0) {
		log_warn("realtime scheduling not permitted (it needs root or "
		    "CAP_SYS_NICE, and realtime time in the daemon's cgroup): "
		    "running as a normal process, a busy machine may delay "
		    "the token");
		return;
	}
	log_info("realtime scheduling on: SCHED_RR, priority %d",
	    sp.sched_priority);
}

void sched_now(const struct sched_ctl *s, struct sched_state *st)
{
	int prio, policy = current_policy(&prio);

	st->mode = sched_mode_name(s->mode);
	st->policy = policy < 0 ? "unknown" : policy_name(policy);
	st->priority = prio;
	st->realtime = policy == SCHED_RR || policy == SCHED_FIFO;
	st->kept = s->kept;
	st->memory_locked = s->memory_locked;
}
