/*
 * log.c: lines to stderr, syslog(3) and a log file, in corosync's layout:
 *
 *   stderr  [STAMP ]PRIO    [SUBSYS] [FILE:[FUNC:]LINE ]MESSAGE
 *   file    [STAMP ][PID] HOST IDENT PRIO    [SUBSYS] ...
 *   syslog  " [SUBSYS] ..." (two spaces before it when stamps are on, as
 *           corosync's syslog format keeps the stamp's space)
 *
 * STAMP is "Mon DD HH:MM:SS" in local time, with ".mmm" when hires.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/log.h"

/* The prefix before the message (stamp, pid, host, ident, priority,
 * subsystem, file, function and line) fits in this much. */
#define LOG_PREFIX_MAX (512 + HOST_NAME_MAX)

static const char *const subsys_names[LOG_SS_COUNT] = {
	[LOG_SS_MAIN] = "MAIN", [LOG_SS_TOTEM] = "TOTEM", [LOG_SS_CPG] = "CPG",
	[LOG_SS_CMAP] = "CMAP", [LOG_SS_QUORUM] = "QUORUM",
	[LOG_SS_VOTEQ] = "VOTEQ", [LOG_SS_CFG] = "CFG",
};

/* Path under src/daemon/ -> subsystem; the first matching prefix wins. */
static const struct {
	const char *prefix;
	enum log_subsys ss;
} subsys_paths[] = {
	{ "cpg/", LOG_SS_CPG },
	{ "cmap/", LOG_SS_CMAP },
	{ "icmap.c", LOG_SS_CMAP },
	{ "quorum/vote", LOG_SS_VOTEQ },
	{ "quorum/", LOG_SS_QUORUM },
	{ "cfg/", LOG_SS_CFG },
	{ "transport/", LOG_SS_TOTEM },
	{ "ordering.c", LOG_SS_TOTEM },
	{ "network.c", LOG_SS_TOTEM },
	{ "frame.c", LOG_SS_TOTEM },
	{ "ratelog.c", LOG_SS_TOTEM },
};

static struct {
	struct log_setup s;
	char *logfile;        /* owned copy of s.logfile */
	int fd;               /* the log file, -1 when none */
	bool syslog_open;
	/* Per subsystem: some output takes its debug lines. */
	bool wants_debug[LOG_SS_COUNT];
	char host[HOST_NAME_MAX + 1];
	bool set;             /* log_apply() ran: before, the defaults */
} log_state = { .fd = -1 };

const char *log_subsys_name(int ss)
{
	return ss >= 0 && ss < LOG_SS_COUNT ? subsys_names[ss] : NULL;
}

int log_subsys_find(const char *name)
{
	for (int i = 0; i < LOG_SS_COUNT; i++)
		if (strcmp(subsys_names[i], name) == 0)
			return i;
	return -1;
}

static int subsys_of(int ss, const char *file)
{
	const char *p;

	if (ss >= 0 && ss < LOG_SS_COUNT)
		return ss;
	p = file ? strstr(file, "src/daemon/") : NULL;
	if (!p)
		return LOG_SS_MAIN;
	p += strlen("src/daemon/");
	for (size_t i = 0; i < sizeof(subsys_paths) / sizeof(subsys_paths[0]);
	    i++)
		if (strncmp(p, subsys_paths[i].prefix,
		    strlen(subsys_paths[i].prefix)) == 0)
			return subsys_paths[i].ss;
	return LOG_SS_MAIN;
}

void log_setup_defaults(struct log_setup *s, const char *ident)
{
	memset(s, 0, sizeof(*s));
	s->ident = ident;
	s->syslog_facility = LOG_DAEMON;
	s->stamp = LOG_STAMP_HIRES;
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		s->ss[i].to_stderr = true;
		s->ss[i].syslog_priority = LOG_INFO;
		s->ss[i].logfile_priority = LOG_INFO;
	}
}

/* The file's descriptor is above stderr, so that a daemon started with
 * its standard descriptors closed does not lose it when it points them
 * at /dev/null as it detaches. */
static int open_logfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0600), high;

	if (fd < 0)
		return -errno;
	if (fd > STDERR_FILENO)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (high < 0)
		high = -errno;
	close(fd);
	return high;
}

int log_apply(const struct log_setup *s, char *err, size_t errlen)
{
	char *copy = NULL;
	int fd = -1;
	bool syslog_on;

	if (s->logfile) {
		if (strlen(s->logfile) >= PATH_MAX) {
			snprintf(err, errlen, "log file name longer than %d "
			    "bytes: %.64s...", PATH_MAX - 1, s->logfile);
			return -ENAMETOOLONG;
		}
		if (!(copy = strdup(s->logfile))) {
			snprintf(err, errlen, "log file %s: out of memory",
			    s->logfile);
			return -ENOMEM;
		}
		if ((fd = open_logfile(copy)) < 0) {
			snprintf(err, errlen, "cannot open log file %s: %s",
			    copy, strerror(-fd));
			free(copy);
			return fd;
		}
	}
	if (log_state.fd >= 0)
		close(log_state.fd);
	free(log_state.logfile);
	log_state.fd = fd;
	log_state.logfile = copy;
	log_state.s = *s;
	log_state.s.logfile = copy;
	log_state.set = true;
	syslog_on = false;
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		const struct log_target *t = &s->ss[i];

		log_state.wants_debug[i] = t->debug ||
		    (t->to_syslog && t->syslog_priority >= LOG_DEBUG) ||
		    ((t->to_stderr || (t->to_logfile && fd >= 0)) &&
		    t->logfile_priority >= LOG_DEBUG);
		syslog_on |= t->to_syslog;
	}
	if (log_state.syslog_open)
		closelog();
	log_state.syslog_open = syslog_on;
	if (syslog_on)
		openlog(s->ident, LOG_PID | LOG_NDELAY, s->syslog_facility);
	if (gethostname(log_state.host, sizeof(log_state.host)) < 0)
		strcpy(log_state.host, "localhost");
	log_state.host[sizeof(log_state.host) - 1] = '\0';
	return 0;
}

int log_reopen(void)
{
	int fd;

	if (!log_state.logfile)
		return 0;
	fd = open_logfile(log_state.logfile);
	if (fd < 0) {
		errno = -fd;
		log_warn("cannot reopen log file %s, still writing to the one "
		    "opened before", log_state.logfile);
		return fd;
	}
	if (log_state.fd >= 0)
		close(log_state.fd);
	log_state.fd = fd;
	return 0;
}

const char *log_file(void)
{
	return log_state.logfile;
}

void log_close(void)
{
	struct log_setup s;

	log_setup_defaults(&s, log_state.set ? log_state.s.ident : "cohortd");
	(void)log_apply(&s, NULL, 0);
}

static const char *const prio_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};
static const int level_prio[] = {
	[LOG_LVL_ERR] = LOG_ERR, [LOG_LVL_WARN] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO, [LOG_LVL_DEBUG] = LOG_DEBUG,
};

/* Appends to buf at *n (the buffer always stays terminated). */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    LOG_PRINTF(4, 5);
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 1 >= cap)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k < cap - *n ? (size_t)k : cap - *n - 1;
}

size_t log_format(char *buf, size_t cap, const struct log_setup *s,
    enum log_out out, const struct timespec *when, int pid,
    const char *host, const struct log_line *l)
{
	const char *name = log_subsys_name(l->ss);
	size_t n = 0;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (out == LOG_OUT_SYSLOG) {
		put(buf, cap, &n, s->stamp != LOG_STAMP_OFF ? "  " : " ");
	} else {
		if (s->stamp != LOG_STAMP_OFF) {
			struct tm tm;
			char t[32];

			localtime_r(&when->tv_sec, &tm);
			strftime(t, sizeof(t), "%b %d %H:%M:%S", &tm);
			put(buf, cap, &n, "%s", t);
			if (s->stamp == LOG_STAMP_HIRES)
				put(buf, cap, &n, ".%03ld",
				    when->tv_nsec / 1000000);
			put(buf, cap, &n, " ");
		}
		if (out == LOG_OUT_FILE)
			put(buf, cap, &n, "[%d] %s %s ", pid, host, s->ident);
		put(buf, cap, &n, "%-7s ", prio_names[level_prio[l->lvl]]);
	}
	put(buf, cap, &n, "[%-6s] ", name ? name : "?");
	if (s->fileline && l->file) {
		const char *base = strrchr(l->file, '/');

		put(buf, cap, &n, "%s:", base ? base + 1 : l->file);
		if (s->function_name && l->func)
			put(buf, cap, &n, "%s:", l->func);
		put(buf, cap, &n, "%d ", l->line);
	} else if (s->function_name && l->func) {
		put(buf, cap, &n, "%s ", l->func);
	}
	put(buf, cap, &n, "%s", l->msg);
	return n;
}

/* Writes a whole line with one write(2), so that lines from two
 * processes on one file do not interleave; a failed or short write is
 * not retried (a full disk loses lines, it does not stop the daemon). */
static void write_line(int fd, char *buf, size_t n, size_t cap)
{
	if (n + 1 < cap) {
		buf[n++] = '\n';
	} else {
		buf[cap - 2] = '\n';
		n = cap - 1;
	}
	if (write(fd, buf, n) < 0)
		return;
}

static void emit(int ss, const char *file, int line, const char *func,
    enum log_level lvl, int err, const char *fmt, va_list ap)
{
	const struct log_setup *s = &log_state.s;
	const struct log_target *t;
	char msg[LOG_MSG_MAX], buf[LOG_PREFIX_MAX + LOG_MSG_MAX];
	struct log_line l = { lvl, 0, file, func, line, msg };
	int prio = level_prio[lvl], n;
	struct timespec now;

	if (!log_state.set)
		log_setup_defaults(&log_state.s, "cohortd");
	log_state.set = true;
	l.ss = subsys_of(ss, file);
	if (lvl == LOG_LVL_DEBUG && !log_state.wants_debug[l.ss])
		return;
	t = &s->ss[l.ss];
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= 0 && err && (size_t)n < sizeof(msg))
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(err));
	if (n >= (int)sizeof(msg))
		memcpy(msg + sizeof(msg) - sizeof(LOG_CUT_MARK), LOG_CUT_MARK,
		    sizeof(LOG_CUT_MARK));
	clock_gettime(CLOCK_REALTIME, &now);
	if (t->to_stderr && (t->debug || prio <= t->logfile_priority)) {
		size_t k = log_format(buf, sizeof(buf), s, LOG_OUT_STDERR, &now,
		    0, NULL, &l);

		write_line(STDERR_FILENO, buf, k, sizeof(buf));
	}
	if (t->to_logfile && log_state.fd >= 0 &&
	    (t->debug || prio <= t->logfile_priority)) {
		size_t k = log_format(buf, sizeof(buf), s, LOG_OUT_FILE, &now,
		    (int)getpid(), log_state.host, &l);

		write_line(log_state.fd, buf, k, sizeof(buf));
	}
	if (t->to_syslog && (t->debug || prio <= t->syslog_priority)) {
		log_format(buf, sizeof(buf), s, LOG_OUT_SYSLOG, &now, 0, NULL,
		    &l);
		syslog(prio, "%s", buf);
	}
}

void log_print(int ss, const char *file, int line, const char *func,
    enum log_level lvl, bool with_errno, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	emit(ss, file, line, func, lvl, with_errno ? saved : 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_fatal(int ss, const char *file, int line, const char *func,
    bool with_errno, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	emit(ss, file, line, func, LOG_LVL_ERR, with_errno ? saved : 0, fmt,
	    ap);
	va_end(ap);
	abort();
}

bool log_gate_pass(struct log_gate *g, uint64_t now_ms, uint64_t interval_ms,
    uint64_t *held)
{
	if (g->next_ms && now_ms < g->next_ms) {
		g->held++;
		return false;
	}
	*held = g->held;
	g->held = 0;
	g->next_ms = now_ms + interval_ms;
	return true;
}
