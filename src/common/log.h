/*
 * log.h: the daemon's logging (the library never logs).
 *
 * Two verbs per level: the plain one appends ": strerror(errno)", the x
 * one does not. fatal/fatalx log and abort: they are for broken
 * invariants, never for bad input.
 *
 * The verbs are macros that pass the call's file, line and function, so
 * that a line carries its subsystem (below) and, when the logging section
 * asks for it, where it was written. Where lines go is set by log_apply()
 * from main(), and the log file is reopened by log_reopen(); that state
 * is the one piece of process-wide state outside main.c, as in every
 * daemon. Everything here runs on the daemon's one thread.
 */
#ifndef COHORT_LOG_H
#define COHORT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/*
 * Subsystems, named as corosync names its own where they match
 * (logging.logger_subsys.subsys): MAIN the daemon's frame (start-up, IPC,
 * status), TOTEM the protocol and the network, then one per service. A
 * line's subsystem comes from its source file's path (log.c's table):
 * src/daemon/cpg/ is CPG, src/daemon/cmap/ and icmap.c CMAP,
 * src/daemon/quorum/ QUORUM except files named vote* there (VOTEQ),
 * src/daemon/cfg/ CFG, ordering.c, network.c, frame.c, ratelog.c and
 * src/daemon/transport/ TOTEM, everything else MAIN. A file may instead
 * name its subsystem by defining LOG_SUBSYS before including this header.
 */
enum log_subsys {
	LOG_SS_MAIN, LOG_SS_TOTEM, LOG_SS_CPG, LOG_SS_CMAP, LOG_SS_QUORUM,
	LOG_SS_VOTEQ, LOG_SS_CFG,
	LOG_SS_COUNT,
	LOG_SS_BY_PATH = -1,        /* the subsystem of the caller's path */
};
#ifndef LOG_SUBSYS
#define LOG_SUBSYS LOG_SS_BY_PATH
#endif

/* The name of a subsystem ("TOTEM"); NULL when out of range. */
const char *log_subsys_name(int ss);
/* The subsystem named `name` (case as corosync: exact), or -1. */
int log_subsys_find(const char *name);

/* logging.timestamp: none, seconds, milliseconds. */
enum log_stamp { LOG_STAMP_OFF, LOG_STAMP_ON, LOG_STAMP_HIRES };

/* The message of one line (after the prefix) is at most LOG_MSG_MAX - 1
 * bytes; a longer one is cut and ends in LOG_CUT_MARK. */
#define LOG_MSG_MAX 1024
#define LOG_CUT_MARK "..."

/*
 * Where lines go, as the logging section says. Priorities are syslog(3)'s
 * (LOG_EMERG .. LOG_DEBUG): an output takes the lines of that priority and
 * more urgent ones. As corosync: each subsystem has its own outputs and
 * priorities (logging.logger_subsys overrides the top level's), stderr
 * follows logfile_priority, and a subsystem with debug on sends all its
 * lines, debug ones included, to each of its outputs whatever the
 * priorities. Debug "trace" is debug on: Cohort has no trace lines.
 */
struct log_target {
	bool to_stderr;
	bool to_syslog;
	bool to_logfile;            /* when there is a log file */
	int syslog_priority;
	int logfile_priority;       /* the file's and stderr's */
	bool debug;
};

struct log_setup {
	const char *ident;          /* borrowed; outlives the logging */
	int syslog_facility;        /* LOG_DAEMON, LOG_LOCAL0, ... */
	const char *logfile;        /* NULL: no file; copied by log_apply() */
	enum log_stamp stamp;       /* stderr and the file; syslog stamps */
	bool fileline;              /* "file:line" after the subsystem */
	bool function_name;         /* the function's name there too */
	struct log_target ss[LOG_SS_COUNT];  /* by enum log_subsys */
};

/* Stderr only for every subsystem, priorities info, syslog facility
 * daemon, hires stamps, no debug: what applies before the configuration
 * is read. */
void log_setup_defaults(struct log_setup *s, const char *ident);

/* Applies `s`. Opens s->logfile (appending, created mode 0600) when it is
 * not NULL; when it cannot be opened, nothing changes and the error is
 * written into err: -ENAMETOOLONG (longer than PATH_MAX), -ENOMEM, or
 * open(2)'s error. Returns 0 or that negative errno. */
int log_apply(const struct log_setup *s, char *err, size_t errlen);

/*
 * Closes the log file and opens its path again, so that a file renamed
 * (logrotate) is followed by a new one. Safe at any time on the daemon's
 * thread; with no log file, does nothing. If the path cannot be opened,
 * lines keep going to the file opened before, a warning says so on every
 * output, and the error is returned: 0 or a negative errno.
 */
int log_reopen(void);

/* The path of the log file being written, NULL when none. */
const char *log_file(void);

/* Closes the log file and syslog; lines then go to stderr only. */
void log_close(void);

/*
 * One line as an output writes it, without the newline, into buf (at
 * most cap bytes, always terminated); for the unit tests and log.c.
 * `out` is LOG_OUT_STDERR, _FILE or _SYSLOG; `when` the line's time;
 * `pid` and `host` are written only into file lines. Returns the length.
 */
enum log_out { LOG_OUT_STDERR, LOG_OUT_FILE, LOG_OUT_SYSLOG };
struct log_line {
	enum log_level lvl;
	int ss;
	const char *file, *func;
	int line;
	const char *msg;
};
size_t log_format(char *buf, size_t cap, const struct log_setup *s,
    enum log_out out, const struct timespec *when, int pid,
    const char *host, const struct log_line *l);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void log_print(int ss, const char *file, int line, const char *func,
    enum log_level lvl, bool with_errno, const char *fmt, ...)
    LOG_PRINTF(7, 8);
_Noreturn void log_fatal(int ss, const char *file, int line, const char *func,
    bool with_errno, const char *fmt, ...) LOG_PRINTF(6, 7);

#define LOG_HERE LOG_SUBSYS, __FILE__, __LINE__, __func__
#define log_warn(...) log_print(LOG_HERE, LOG_LVL_WARN, true, __VA_ARGS__)
#define log_warnx(...) log_print(LOG_HERE, LOG_LVL_WARN, false, __VA_ARGS__)
#define log_info(...) log_print(LOG_HERE, LOG_LVL_INFO, false, __VA_ARGS__)
#define log_debug(...) log_print(LOG_HERE, LOG_LVL_DEBUG, false, __VA_ARGS__)
#define log_msg(lvl, ...) log_print(LOG_HERE, (lvl), false, __VA_ARGS__)
#define fatal(...) log_fatal(LOG_HERE, true, __VA_ARGS__)
#define fatalx(...) log_fatal(LOG_HERE, false, __VA_ARGS__)

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
