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
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, bool to_stderr, bool to_syslog, bool debug);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_msg(enum log_level lvl, const char *fmt, ...) LOG_PRINTF(2, 3);
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

/* A line that bad input may repeat at any rate is logged at most once per
 * interval: log_gate_pass() says whether it may be logged at `now_ms`,
 * and then sets *held to the number of times it was held back since the
 * last one, which the line should give. Plain data, zeroed to start. */
struct log_gate {
	uint64_t next_ms;
	uint64_t held;
};
bool log_gate_pass(struct log_gate *g, uint64_t now_ms, uint64_t interval_ms,
    uint64_t *held);

#endif /* COHORT_LOG_H */
