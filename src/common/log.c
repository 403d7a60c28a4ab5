/*
 * log.c: stderr and/or syslog, with a monotonic timestamp on stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/log.h"

#define LOG_LINE_MAX 1024

static struct {
	const char *ident;
	bool to_stderr, to_syslog, debug;
} log_conf = { "cohortd", true, false, false };

void log_init(const char *ident, bool to_stderr, bool to_syslog, bool debug)
{
	log_conf.ident = ident;
	log_conf.to_stderr = to_stderr;
	log_conf.to_syslog = to_syslog;
	log_conf.debug = debug;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void log_emit(enum log_level lvl, int err, const char *fmt, va_list ap)
{
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[LOG_LINE_MAX];
	int n;

	if (lvl == LOG_LVL_DEBUG && !log_conf.debug)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n >= 0 && err && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(err));
	if (log_conf.to_stderr) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%lld.%03ld %s[%s] %s\n", (long long)ts.tv_sec,
		    ts.tv_nsec / 1000000, log_conf.ident, tag[lvl], line);
	}
	if (log_conf.to_syslog)
		syslog(prio[lvl], "%s", line);
}

#define LOG_BODY(lvl, err) do {			\
	va_list ap;				\
	int saved = errno;			\
	va_start(ap, fmt);			\
	log_emit(lvl, err ? saved : 0, fmt, ap);\
	va_end(ap);				\
	errno = saved;				\
} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY(LOG_LVL_WARN, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LVL_WARN, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LVL_INFO, 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LVL_DEBUG, 0); }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	LOG_BODY(lvl, 0);
}

void fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, 1);
	abort();
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, 0);
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
