/*
 * config_int.h: what the configuration reader's files share (not used
 * outside src/daemon/config*.c).
 *
 *   config_parse.c   the tokenizer: lines into section/key events; owned
 *                    strings, warnings, error lines; cohort_config_free()
 *   config.c         the meaning of each section and key, checked as read
 *   config_link.c    the interface sections, ringN_addr, the links' checks
 *   config_uidgid.c  uid/gid keys, the uidgid.d directory, the access check
 *   config_log.c     the logging section and its logger_subsys sections,
 *                    their print-out, the log module's setup from them
 *   config_load.c    cohort_config_load(), the whole-file checks, defaults
 *   config_out.c     effective timing, the -t print-out, local node look-ups
 */
#ifndef COHORT_DAEMON_CONFIG_INT_H
#define COHORT_DAEMON_CONFIG_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config/config.h"

#define CFG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Quoting an offending text in a message, cut after CFG_QUOTE_MAX bytes:
 *   cfg_err(..., "got " CFG_QFMT, CFG_Q(value)); */
#define CFG_QUOTE_MAX 64
#define CFG_QFMT "'%.*s%s'"
#define CFG_Q(s) CFG_QUOTE_MAX, (s), (strlen(s) > CFG_QUOTE_MAX ? "..." : "")

enum cfg_event_type {
	CFG_SECTION_START,
	CFG_SECTION_END,
	CFG_ITEM,
};

/* One event of the tokenizer. Every pointer stays valid until cfg_parse()
 * returns (they point into its copy of the file). */
struct cfg_event {
	enum cfg_event_type type;
	const char *file;
	unsigned line;      /* of the "name {", the "}" or the "key: value" */
	const char *name;   /* the section's name or the key */
	const char *path;   /* dotted: "totem.interface" or "totem.token" */
	const char *value;  /* CFG_ITEM only, trimmed, possibly "" */
	unsigned open_line; /* CFG_SECTION_END: line of the matching "{" */
};

/* Handles one event: 0, or a negative errno after writing the error
 * line with cfg_err(). */
typedef int (*cfg_event_fn)(void *ctx, const struct cfg_event *ev);

/* Reads `file` and calls `fn` for each section start, key and section end,
 * in order. Returns 0, the callback's error, or its own (with the line in
 * `err`): -EINVAL for malformed input, -EFBIG for a file over
 * COHORT_CONFIG_FILE_MAX, or the errno of a failed open/read. */
int cfg_parse(const char *file, cfg_event_fn fn, void *ctx,
    char *err, size_t errlen);

/* Writes "FILE:LINE: <message>" (or "FILE: <message>" when line is 0)
 * into err. */
void cfg_err(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, ...) CFG_PRINTF(5, 6);

/* Copies a string into storage owned by cfg. NULL when out of memory. */
const char *cfg_strdup(struct cohort_config *cfg, const char *s);
/* Appends a warning "FILE:LINE: <message>"; beyond
 * COHORT_CONFIG_WARNINGS_MAX it is only counted. -ENOMEM or 0. */
int cfg_warn(struct cohort_config *cfg, size_t *dropped, const char *file,
    unsigned line, const char *fmt, ...) CFG_PRINTF(5, 6);

enum cfg_sect {
	S_TOP, S_TOTEM, S_IFACE, S_NODELIST, S_NODE, S_LOGGING, S_LOGSUB,
	S_UIDGID, S_SYSTEM, S_SKIP,
};

/* The timing keys, whose lines the checks after the file need. */
enum cfg_tkey {
	T_TOKEN, T_COEF, T_RETRANSMIT, T_RETRANSMITS, T_HOLD, T_CONSENSUS,
	T_JOIN, T_SEND_JOIN, T_MERGE, T_FAIL_RECV, T_SEQNO, T_MISS, T_MAXMSG,
	T_WINDOW, T_COUNT,
};

#define CFG_SEEN_MAX 64   /* keys per section checked for repeats */

/* The state of one cohort_config_load(), across the files it reads. */
struct cfg_loader {
	struct cohort_config *cfg;
	char *err;
	size_t errlen;
	bool uidgid_file;   /* reading a uidgid.d file */
	int depth;
	enum cfg_sect st[COHORT_CONFIG_DEPTH_MAX + 1];
	size_t n_seen[COHORT_CONFIG_DEPTH_MAX + 1];
	struct cfg_seen {
		const char *key;  /* points into the tokenizer's copy */
		unsigned line;
	} seen[COHORT_CONFIG_DEPTH_MAX + 1][CFG_SEEN_MAX];
	size_t dropped;     /* warnings beyond the limit */
	struct cohort_interface iface;   /* the interface being read */
	bool iface_priority_set;
	unsigned iface_pong_line;        /* its knet_pong_count's line */
	unsigned pong_line[COHORT_CONFIG_MAX_LINKS];  /* per link, the last */
	/* The first knet_* key of an interface section (a name from
	 * config.c's own table) and its line: no effect without knet. */
	const char *knet_key;
	unsigned knet_key_line;
	struct cohort_node node;         /* the node being read */
	unsigned nodeid_line;
	unsigned addr_line[COHORT_CONFIG_MAX_LINKS];  /* of the node's */
	/* Per link: the first ringN_addr (its line), and the first numeric
	 * one's family (AF_UNSPEC while none) and line. */
	unsigned link_line[COHORT_CONFIG_MAX_LINKS];
	int link_family[COHORT_CONFIG_MAX_LINKS];
	unsigned link_family_line[COHORT_CONFIG_MAX_LINKS];
	unsigned tline[T_COUNT];         /* where each timing key was set */
	unsigned to_logfile_line, cipher_line, knet_mtu_line;
	struct cohort_log_subsys logsub;  /* the logger_subsys being read */
	bool logsub_known;                /* its subsys names one of ours */
	size_t uid_cap, gid_cap;
};

/* config.c: the cfg_event_fn of cohort_config_load(); ctx is a loader. */
int cfg_on_event(void *ctx, const struct cfg_event *ev);

/* config.c, for the other files of the reader. */
int cfg_oom(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_bad_value(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *expected);
int cfg_get_u32(struct cfg_loader *ld, const struct cfg_event *ev,
    uint32_t min, uint32_t max, uint32_t *out);
int cfg_unknown(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *const *noeffect);
/* yes/on or no/off; one of `names` (NULL-terminated), its index. */
int cfg_get_bool(struct cfg_loader *ld, const struct cfg_event *ev,
    bool *out);
int cfg_get_enum(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *const *names, int *out);
/* A non-empty string, copied into cfg's storage. */
int cfg_get_str(struct cfg_loader *ld, const struct cfg_event *ev,
    const char **out);

/* Bounds of the numbers read. */
#define TIMEOUT_MAX_MS 3600000u   /* one hour: far beyond any sane value */
#define COUNT_MAX 1000000u

/* config_uidgid.c: a key of a uidgid section; the uidgid.d directory next
 * to `path`; sorting the lists once everything is read. */
int cfg_uidgid_item(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_read_uidgid_dir(struct cfg_loader *ld, const char *path);
void cfg_uidgid_finish(struct cohort_config *cfg);

/* config_link.c: a key of a totem.interface section, and its end (what
 * it gives merged into its link); the addresses of the node just read
 * (before it is added to cfg->nodes); once the whole file is read, the
 * links' checks, defaults and warnings; and the defaults alone (for
 * cohort_config_defaults()). Each returns 0 or a negative errno after
 * writing the error line. */
int cfg_iface_item(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_iface_end(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_node_links(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_links_finish(struct cfg_loader *ld);
void cfg_link_defaults(struct cohort_config *cfg);

/* config_log.c: a key of the logging section; the start, a key and the
 * end of a logger_subsys section; the defaults; once the whole file is
 * read, the checks; the section as -t prints it. Each returns 0 or a
 * negative errno after writing the error line. */
int cfg_logging_item(struct cfg_loader *ld, const struct cfg_event *ev);
void cfg_logsub_start(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_logsub_item(struct cfg_loader *ld, const struct cfg_event *ev);
int cfg_logsub_end(struct cfg_loader *ld, const struct cfg_event *ev);
void cfg_logging_defaults(struct cohort_logging *l);
int cfg_logging_finish(struct cfg_loader *ld);
void cfg_print_logging(const struct cohort_logging *l, FILE *out);

/* config_out.c: 1 when two addresses as written are the same (numeric
 * ones by value, host names case-insensitively). */
bool cfg_same_addr(const char *x, const char *y);

/* Effective timing (config_out.c): see cohort_config_timing(). */
struct cfg_timing {
	uint32_t token, token_coefficient, token_retransmit;
	uint32_t token_retransmits_before_loss_const, hold, consensus, join;
	uint32_t send_join, merge, fail_recv_const, seqno_unchanged_const;
	uint32_t miss_count_const, max_messages, window_size;
};
void cfg_effective(const struct cohort_config *cfg, struct cfg_timing *t);

/* corosync's lower bounds on the timeouts (3 ticks of its 10 ms clock;
 * hold: 0.8 of that less one tick). */
#define CFG_MIN_TIMEOUT_MS 30u
#define CFG_MIN_HOLD_MS 14u

#endif /* COHORT_DAEMON_CONFIG_INT_H */
