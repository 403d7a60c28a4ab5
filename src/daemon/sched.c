/*
 * sched.c: the daemon's CPU scheduling (system.sched_rr, cohortd -p).
 *
 * A token that waits for a CPU can pass its timeout on a busy machine
 * and fail a healthy node: a false membership change. That is why
 * corosync runs with realtime round-robin scheduling, and why Cohort
 * does while the machine is busy. On a machine with idle CPUs a raised
 * priority only costs. A client's request wakes the daemon on the
 * client's CPU; a daemon that preempts the client there, rather than run
 * once the client sleeps, answers while that CPU is still busy with the
 * client, so the kernel sends the answer's wake-up (the client's
 * dispatching thread) to another CPU, which on a virtual machine means
 * waking a halted CPU through the hypervisor (perf sched: 54 us more
 * than a wake-up on the same CPU). A realtime or nice -20 daemon always
 * preempts; one at nice 0 does for every other request; one a few steps
 * below its clients never does. One node, 64 B at 1000 msg/s, send to
 * delivery, measured 2026-12-04 on this project's 2-core test machine,
 * runs alternating: p50 72-93 us under SCHED_RR, 51-72 us at nice -20,
 * 41-55 us at nice 0, 26-35 us at nice 5 (p99 128-140 us at nice 0,
 * 77-91 us at nice 5; nice 10 and 19 no better than 5).
 *
 *   yes   SCHED_RR at the highest priority, always (corosync's default)
 *   no    a normal process (cohortd -p)
 *   auto  (default) a normal process SCHED_CALM_NICE steps of nice below
 *         the priority it was started with while the machine has idle
 *         CPUs, SCHED_RR while it is busy: every SCHED_SAMPLE_MS the
 *         share of idle CPU time since the last sample is read from
 *         /proc/stat; below SCHED_BUSY_IDLE percent the daemon turns
 *         realtime at once, and it turns back only after
 *         SCHED_CALM_SAMPLES samples in a row above SCHED_CALM_IDLE.
 *
 * Without the privilege (not root, no CAP_SYS_NICE) the daemon stays a
 * normal process at the priority it was started with, says so once and
 * stops sampling. Reading /proc/stat
 * costs the kernel a line per CPU: well under a millisecond on small
 * machines, more on very large ones, four times a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/sched.h"

#define SCHED_SAMPLE_MS 250u
#define SCHED_BUSY_IDLE 25u     /* percent idle below which: realtime */
#define SCHED_CALM_IDLE 50u     /* percent idle above which: calm sample */
#define SCHED_CALM_SAMPLES 4u   /* calm samples in a row to leave realtime */
#define SCHED_CALM_NICE 5       /* auto, calm: this much below the start */

static const char *mode_names[] = {
	[COHORT_SCHED_AUTO] = "auto",
	[COHORT_SCHED_RR] = "rr",
	[COHORT_SCHED_NORMAL] = "normal",
};

const char *sched_mode_name(enum cohort_sched mode)
{
	return mode_names[mode];
}

/* Returns 0, or -errno (EPERM: not allowed). */
static int set_rr(bool on)
{
	struct sched_param sp = { .sched_priority = on ?
	    sched_get_priority_max(SCHED_RR) : 0 };

	return sched_setscheduler(0, on ? SCHED_RR : SCHED_OTHER, &sp) < 0 ?
	    -errno : 0;
}

static void turn(struct sched_ctl *s, bool rr, const char *why)
{
	int rc = set_rr(rr);

	if (rc == 0) {
		s->rr = rr;
		s->switches++;
		log_info("realtime scheduling %s (%s)", rr ? "on" : "off", why);
		return;
	}
	if (rc == -EPERM) {
		log_info("realtime scheduling not permitted: running as a "
		    "normal process (a busy machine may delay the token)");
		s->permitted = false;
		return;
	}
	if (!s->failed)
		log_warnx("cannot change the scheduling policy: %s",
		    strerror(-rc));
	s->failed = true;
}

/* Idle and total CPU time from the first line of /proc/stat. */
static int read_cpu(int fd, uint64_t *idle, uint64_t *total)
{
	char buf[512];
	uint64_t v[8] = { 0 };
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
	    " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
		return -1;
	*idle = v[3] + v[4];            /* idle + iowait */
	*total = 0;
	for (int i = 0; i < 8; i++)     /* guest time is counted in user */
		*total += v[i];
	return 0;
}

static void on_sample(void *arg)
{
	struct sched_ctl *s = arg;
	uint64_t idle, total, pct;
	bool sane;

	if (!s->permitted)
		return;   /* nothing to change: stop sampling */
	loop_timer_arm(s->loop, &s->timer, loop_now(s->loop) + SCHED_SAMPLE_MS);
	if (read_cpu(s->stat_fd, &idle, &total) < 0)
		return;
	/* iowait may go down, and CPUs come and go: such a sample only
	 * starts the next one. */
	sane = total > s->total && idle >= s->idle &&
	    idle - s->idle <= total - s->total;
	pct = sane ? (idle - s->idle) * 100 / (total - s->total) : 0;
	s->idle = idle;
	s->total = total;
	if (!sane)
		return;
	s->idle_pct = (unsigned)pct;
	if (!s->rr && pct < SCHED_BUSY_IDLE) {
		s->calm = 0;
		turn(s, true, "the machine is busy");
	} else if (s->rr) {
		s->calm = pct > SCHED_CALM_IDLE ? s->calm + 1 : 0;
		if (s->calm >= SCHED_CALM_SAMPLES)
			turn(s, false, "the machine is idle again");
	}
}

/* Below the clients while calm (see above); leaving realtime keeps it. */
static void calm_nice(void)
{
	int nice, calm;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (nice == -1 && errno)
		return;
	calm = nice + SCHED_CALM_NICE > 19 ? 19 : nice + SCHED_CALM_NICE;
	if (setpriority(PRIO_PROCESS, 0, calm) < 0)
		log_debug("nice %d: %s", calm, strerror(errno));
}

void sched_start(struct sched_ctl *s, struct loop *l, enum cohort_sched mode)
{
	*s = (struct sched_ctl){ .loop = l, .mode = mode, .stat_fd = -1,
	    .permitted = true };
	switch (mode) {
	case COHORT_SCHED_NORMAL:
		log_info("realtime scheduling off (-p or system.sched_rr: no)");
		return;
	case COHORT_SCHED_RR:
		turn(s, true, "system.sched_rr: yes");
		return;
	case COHORT_SCHED_AUTO:
		break;
	}
	/* Only a daemon that may turn realtime once the machine is busy may
	 * sit below its clients while it is calm: it could not come back. */
	if (set_rr(true) == 0 && set_rr(false) == 0)
		calm_nice();
	s->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	if (s->stat_fd < 0 || read_cpu(s->stat_fd, &s->idle, &s->total) < 0) {
		/* Cannot tell a busy machine: be safe, as corosync. */
		log_warnx("cannot read /proc/stat: realtime scheduling always");
		turn(s, true, "system.sched_rr: auto without /proc/stat");
		return;
	}
	s->timer.fn = on_sample;
	s->timer.arg = s;
	loop_timer_arm(l, &s->timer, loop_now(l) + SCHED_SAMPLE_MS);
}

void sched_stop(struct sched_ctl *s)
{
	if (s->loop)
		loop_timer_disarm(s->loop, &s->timer);
	if (s->stat_fd >= 0)
		close(s->stat_fd);
	s->stat_fd = -1;
}
