/*
 * log.h: the daemon's logging (the library never logs).
 *
 * Two verbs per level: the plain one appends ": strerror(errno)", the x
 * one does not. fatal/fatalx log and abort: they are for broken
 * invariants, never for bad input.
 *
 * The destination is set once at start-up by log_init() from main(); it is
 * the one piece of process-wide state outside main.c, as in every daemon.
 */
#ifndef COHORT_LOG_H
#define COHORT_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, bool to_stderr, bool to_syslog, bool debug);
bool log_debug_enabled(void);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_msg(enum log_level lvl, const char *fmt, ...) LOG_PRINTF(2, 3);
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif /* COHORT_LOG_H */
