/*
 * config.h: cohortd's configuration, read from a file in corosync.conf
 * syntax (an existing corosync.conf works unchanged).
 *
 * Pure parsing and validation: nothing here opens a socket, touches daemon
 * state or logs. The loader reports problems as text:
 *   - an error is ONE line "FILE:LINE: key 'totem.token': expected a
 *     number, got 'abc'" written to the caller's buffer; the load fails;
 *   - a warning (an unknown key or section, a corosync key that has no
 *     effect in Cohort) is a line "FILE:LINE: unknown key 'totem.foo'
 *     ignored" kept in cfg->warnings for the daemon to log; the load goes on.
 *
 * Syntax (corosync's coroparse): one item per line. "name {" opens a
 * section (nothing may follow the brace), "}" alone closes it, "key: value"
 * sets a key: the key is what precedes the first colon, the value all that
 * follows it, both with surrounding blanks trimmed. Quotes are NOT removed
 * (corosync keeps them too), and '#' starts a comment only as the first
 * non-blank character of a line. Blank lines are ignored, CR-LF endings
 * accepted. A key that appears twice in one section keeps its last value
 * (with a warning); sections that appear twice are merged. Limits, each an
 * error naming the file and line: COHORT_CONFIG_LINE_MAX bytes per line,
 * COHORT_CONFIG_DEPTH_MAX nested sections, COHORT_CONFIG_FILE_MAX bytes
 * per file.
 *
 * uidgid: besides `uidgid { uid: NAME|NUMBER  gid: NAME|NUMBER }` sections
 * of the file itself, every regular file in the directory `uidgid.d` next
 * to the file is read (in name order), as corosync does; in those files
 * only uidgid sections count (anything else is warned about and ignored).
 * Names are resolved with the system's user and group databases at load
 * time; a name that does not resolve is an error.
 *
 * Ownership: every string and array a `struct cohort_config` points to is
 * owned by it and stays valid until cohort_config_free().
 */
#ifndef COHORT_DAEMON_CONFIG_H
#define COHORT_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct proto_timing;

#define COHORT_CONFIG_MAX_NODES 64          /* = PROTO_MAX_NODES */
#define COHORT_CONFIG_MAX_LINKS 8           /* ring0_addr..ring7_addr, knet's */
#define COHORT_CONFIG_LINE_MAX 4096         /* bytes a line, without newline */
#define COHORT_CONFIG_FILE_MAX (1u << 20)   /* bytes per file */
#define COHORT_CONFIG_DEPTH_MAX 16          /* nested sections */
#define COHORT_CONFIG_PATH_MAX 1024         /* "totem.interface.mcastport" */
#define COHORT_CONFIG_WARNINGS_MAX 100      /* then one "N more" line */
#define COHORT_CONFIG_IDS_MAX 4096          /* uids, and gids, allowed */
#define COHORT_CONFIG_UIDGID_FILES_MAX 256  /* files read in uidgid.d */
#define COHORT_CONFIG_LOG_SUBSYS_MAX 16     /* >= Cohort's subsystems */

#define COHORT_CONFIG_DEFAULT_PORT 5405
#define COHORT_CONFIG_DEFAULT_NETMTU 1500       /* udpu and udp */
#define COHORT_CONFIG_DEFAULT_KNET_NETMTU 65536 /* knet: corosync's */
/* totem.knet_mtu: the link's MTU (IP packet), 0 for the default 1500;
 * a frame's UDP payload is the MTU less 48 bytes of IPv6 and UDP
 * headers. The smallest holds a 65536-byte datagram in 256 fragments. */
#define COHORT_CONFIG_DEFAULT_KNET_MTU 1500
#define COHORT_CONFIG_KNET_MTU_MIN 576
#define COHORT_CONFIG_KNET_MTU_MAX 65536
/* totem.netmtu: room for a 576-byte payload above the larger (IPv6) IP and
 * UDP headers, up to the largest datagram. */
/* The engine's smallest datagram (596 bytes, src/proto/internal.h
 * MIN_MTU) plus IPv6 and UDP headers (48) and the transport's header,
 * nonce and tag (76). */
#define COHORT_CONFIG_NETMTU_MIN (596 + 48 + 76)
#define COHORT_CONFIG_NETMTU_MAX 65536
#define COHORT_CONFIG_DEFAULT_CLUSTER_NAME "cohort"
/* Per link, corosync 3.1.7's (totemconfig.c): */
#define COHORT_CONFIG_DEFAULT_LINK_PRIORITY 1
#define COHORT_CONFIG_DEFAULT_PING_PRECISION 2048
#define COHORT_CONFIG_DEFAULT_PONG_COUNT 2
#define COHORT_CONFIG_PONG_COUNT_MAX 255    /* knet's: a uint8_t */

enum cohort_transport {
	COHORT_TRANSPORT_UDPU = 0,  /* unicast to each node */
	COHORT_TRANSPORT_UDP = 1,   /* IP multicast */
	/* Unicast to each node, corosync's default: 64 KiB datagrams cut
	 * into link-sized frames by the transport, as knet does. */
	COHORT_TRANSPORT_KNET = 2,
};

enum cohort_cipher {
	COHORT_CIPHER_NONE = 0,
	COHORT_CIPHER_AES256,
	COHORT_CIPHER_AES192,
	COHORT_CIPHER_AES128,
};

enum cohort_hash {
	COHORT_HASH_NONE = 0,
	COHORT_HASH_MD5,
	COHORT_HASH_SHA1,
	COHORT_HASH_SHA256,
	COHORT_HASH_SHA384,
	COHORT_HASH_SHA512,
};

/* system.sched_rr: the daemon's CPU scheduling (daemon/sched.c). */
enum cohort_sched {
	COHORT_SCHED_RR = 0,     /* yes (and auto): realtime always, as corosync */
	COHORT_SCHED_NORMAL,     /* no: the scheduling it was started with */
};

enum cohort_debug {
	COHORT_DEBUG_OFF = 0,
	COHORT_DEBUG_ON,
	COHORT_DEBUG_TRACE,
};

enum cohort_timestamp {
	COHORT_TIMESTAMP_OFF = 0,
	COHORT_TIMESTAMP_ON,
	COHORT_TIMESTAMP_HIRES,
};

/* totem timing keys as written, with corosync's names and units
 * (milliseconds, or counts for the *_const, max_messages and window_size).
 * 0 means "not given: use the default". cohort_config_timing() resolves
 * them. */
struct cohort_totem {
	uint32_t token;
	uint32_t token_coefficient;
	bool token_coefficient_set;  /* given (an explicit 0 disables it) */
	uint32_t token_retransmit;
	uint32_t token_retransmits_before_loss_const;
	uint32_t hold;
	uint32_t consensus;
	uint32_t join;
	uint32_t send_join;
	uint32_t merge;
	uint32_t fail_recv_const;
	uint32_t seqno_unchanged_const;
	uint32_t miss_count_const;
	uint32_t max_messages;
	uint32_t window_size;
};

/* totem.link_mode: how traffic to a peer uses its links (knet's). */
enum cohort_link_mode {
	COHORT_LINK_PASSIVE = 0,    /* the up link of highest priority */
	COHORT_LINK_ACTIVE,         /* every up link */
	COHORT_LINK_RR,             /* round robin over the up links */
};

/* One link (network) N: its totem.interface section (linknumber N, in
 * any number of sections, merged) and the nodes' ringN_addr. Every value
 * is the effective one: as given, else corosync 3.1.7's default, the ping
 * timers derived from the effective token. Strings are NULL when not
 * given. The transport carries traffic over every link (transport.h). */
struct cohort_interface {
	uint32_t linknumber;        /* its index in cohort_config.links */
	unsigned line;              /* of its first section; 0: no section */
	size_t n_addrs;             /* nodes with a ringN_addr; 0: no link */
	const char *bindnetaddr;
	const char *mcastaddr;
	uint16_t mcastport;         /* default COHORT_CONFIG_DEFAULT_PORT + N */
	uint8_t knet_link_priority; /* 0..255, higher first; default 1 */
	/* Milliseconds between heartbeats on the link to each peer, and
	 * without an answer before the link to that peer is down: given
	 * (an explicit 0 is not given), else token / (knet_pong_count * 2)
	 * and token / knet_pong_count of the effective token. */
	uint32_t knet_ping_interval;
	uint32_t knet_ping_timeout;
	bool ping_interval_set, ping_timeout_set;  /* given in the file */
	/* Latency samples averaged, and answers in a row before the link
	 * to a peer is up again (0 given: the default). */
	uint32_t knet_ping_precision;   /* default 2048 */
	uint32_t knet_pong_count;       /* 1..255, default 2 */
};

struct cohort_node {
	uint32_t nodeid;            /* never 0, unique in the nodelist */
	const char *name;           /* NULL when not given */
	/* ringN_addr by link number, as written: an address or a host name;
	 * NULL where the node has no address on link N. ring0_addr (which
	 * every node has, as the transport uses it) is addr[0]. */
	union {
		const char *ring0_addr;
		const char *addr[COHORT_CONFIG_MAX_LINKS];
	};
	unsigned line;              /* line of its "node {" (0: defaults) */
	uint32_t quorum_votes;      /* nodelist.node.quorum_votes, default 1 */
};

/* quorum.provider: corosync_votequorum, or none (always quorate). */
enum cohort_quorum_provider {
	COHORT_QUORUM_NONE = 0,
	COHORT_QUORUM_VOTEQUORUM,
};

/* quorum.auto_tie_breaker with auto_tie_breaker_node (the values of
 * runtime.votequorum.atb_type). */
enum cohort_atb {
	COHORT_ATB_NONE = 0,
	COHORT_ATB_LOWEST = 1,
	COHORT_ATB_HIGHEST = 2,
	COHORT_ATB_LIST = 3,
};

#define COHORT_CONFIG_DEFAULT_LMS_WINDOW 10000      /* ms, corosync's */
#define COHORT_CONFIG_DEFAULT_QDEVICE_TIMEOUT 10000 /* ms */
#define COHORT_CONFIG_DEFAULT_QDEVICE_SYNC_TIMEOUT 30000
#define COHORT_CONFIG_VOTES_MAX 1000000u    /* votes of one node */
#define COHORT_CONFIG_EXPECTED_MAX 1000000u /* expected_votes */

/* The quorum section. Every value is the effective one, as corosync
 * 3.1.7's votequorum resolves it at start: two_node dropped beside
 * auto_tie_breaker, wait_for_all following two_node unless given,
 * auto_tie_breaker dropped for an odd vote total without wait_for_all,
 * expected_votes_tracking forced by allow_downscale. */
struct cohort_quorum {
	enum cohort_quorum_provider provider;
	unsigned line;                   /* of quorum.provider; 0: none */
	uint32_t expected_votes;         /* as given, else the nodelist's sum */
	bool expected_votes_set;         /* quorum.expected_votes given */
	uint32_t votes;                  /* this node's: quorum.votes without
	                                  * a nodelist (default 1) */
	bool two_node;
	bool wait_for_all;
	bool wait_for_all_set;           /* given, not derived from two_node */
	bool last_man_standing;
	uint32_t last_man_standing_window;   /* ms */
	enum cohort_atb auto_tie_breaker;
	size_t n_atb_nodes;              /* COHORT_ATB_LIST: its node ids, */
	uint32_t atb_nodes[COHORT_CONFIG_MAX_NODES];   /* in priority order */
	bool allow_downscale;
	bool expected_votes_tracking;
	uint32_t leaving_timeout;        /* ms as given, 0 not given (kept) */
	/* quorum.device: kept and checked; Cohort runs no quorum device. */
	const char *device_model;        /* NULL: no device configured */
	uint32_t device_votes;           /* 0: not given */
	uint32_t device_timeout, device_sync_timeout;   /* ms */
};

/* The keys of the logging section that a logger_subsys section may
 * override: bits of cohort_log_subsys.set. */
enum {
	COHORT_LOG_SET_STDERR = 1u << 0,
	COHORT_LOG_SET_SYSLOG = 1u << 1,
	COHORT_LOG_SET_LOGFILE = 1u << 2,
	COHORT_LOG_SET_SYSLOG_PRIORITY = 1u << 3,
	COHORT_LOG_SET_LOGFILE_PRIORITY = 1u << 4,
	COHORT_LOG_SET_DEBUG = 1u << 5,
};

/* One logger_subsys section (sections naming one subsystem merged, the
 * later key winning): the fields whose bit is in `set` override the
 * logging section's for that subsystem. */
struct cohort_log_subsys {
	const char *name;           /* a Cohort subsystem (common/log.h) */
	unsigned line;              /* of its first "logger_subsys {" */
	unsigned set;               /* COHORT_LOG_SET_* */
	bool to_stderr, to_syslog, to_logfile;
	int syslog_priority, logfile_priority;
	enum cohort_debug debug;
};

/* Priorities and facilities are syslog(3)'s values (LOG_INFO,
 * LOG_DAEMON). */
struct cohort_logging {
	bool to_stderr;             /* default yes */
	bool to_syslog;             /* default yes */
	bool to_logfile;            /* default no; yes requires logfile */
	const char *logfile;        /* NULL when not given */
	enum cohort_debug debug;    /* default off */
	enum cohort_timestamp timestamp;  /* default hires */
	int syslog_facility;        /* default daemon */
	int syslog_priority;        /* default info */
	int logfile_priority;       /* default info; stderr's too */
	bool fileline;              /* default off */
	bool function_name;         /* default off */
	size_t n_subsys;
	struct cohort_log_subsys subsys[COHORT_CONFIG_LOG_SUBSYS_MAX];
};

struct cohort_config {
	const char *path;           /* file read; NULL for the defaults */
	const char *cluster_name;   /* never NULL */
	enum cohort_transport transport;
	struct cohort_totem totem;
	/* The largest datagram: COHORT_CONFIG_DEFAULT_NETMTU, with knet
	 * COHORT_CONFIG_DEFAULT_KNET_NETMTU, unless given. */
	uint32_t netmtu;
	uint32_t knet_mtu;          /* as given; 0: the default */
	enum cohort_cipher crypto_cipher;
	enum cohort_hash crypto_hash;
	const char *keyfile;        /* NULL when not given */
	/* totem.fail_on_port_unreachable (default yes): fail a peer at
	 * once on a believed ICMP port unreachable (transport.h). */
	bool fail_on_port_unreachable;
	enum cohort_link_mode link_mode;   /* default passive */
	/* By link number; links[N].n_addrs == 0 where no node has a
	 * ringN_addr. links[0] always exists (every node has ring0_addr). */
	struct cohort_interface links[COHORT_CONFIG_MAX_LINKS];

	size_t n_nodes;             /* 0 when the file has no nodelist */
	struct cohort_node nodes[COHORT_CONFIG_MAX_NODES];  /* in file order */

	struct cohort_logging logging;
	struct cohort_quorum quorum;

	/* Who may connect besides uid 0 and gid 0; sorted, no duplicates. */
	size_t n_uids, n_gids;
	uid_t *uids;
	gid_t *gids;

	const char *state_dir;      /* system.state_dir; NULL when not given */
	enum cohort_sched sched;    /* system.sched_rr (default yes) */

	/* This node's id: 0 after cohort_config_load(); the daemon sets it
	 * (from -n or cohort_config_find_local()). */
	uint32_t local_nodeid;

	size_t n_warnings;
	const char **warnings;      /* one line each, no newline */

	/* Private: the allocations behind the strings above. */
	struct cohort_config_str *strings_;
};

/* Reads `path` (and the uidgid.d directory next to it) into `cfg`, which
 * need not be initialised. Returns 0, or a negative errno with one line in
 * `err` (never more than errlen - 1 bytes): -ENOENT/-EACCES/-EISDIR...
 * when the file cannot be read, -EINVAL for a malformed or invalid
 * configuration, -EFBIG for a file above COHORT_CONFIG_FILE_MAX, -ENOMEM.
 * On error `cfg` holds nothing to free (cohort_config_free() is harmless). */
int cohort_config_load(const char *path, struct cohort_config *cfg,
    char *err, size_t errlen);

/* The configuration used when there is no file: one node (node id 1,
 * ring0_addr 127.0.0.1, local_nodeid 1), cluster_name "cohort", every
 * other value its default. Allocates nothing. */
void cohort_config_defaults(struct cohort_config *cfg);

/* Releases what `cfg` owns and zeroes it. Safe on a zeroed struct and
 * after a failed load. */
void cohort_config_free(struct cohort_config *cfg);

/* Effective timing for the protocol engine: every key resolved the way
 * corosync 3.1.7 resolves it (reference §8.8), for this nodelist:
 *   token            = token (300) + (n_nodes - 2) * token_coefficient
 *                      (30) when the nodelist has 3 nodes or more
 *                      (corosync's defaults are 3000 and 650);
 *   token_retransmit = token / (token_retransmits_before_loss_const + 0.2)
 *   hold             = token_retransmit * 0.8 - 10
 *   consensus        = 1.2 * token
 * unless given explicitly. token_ms is the EFFECTIVE token (coefficient
 * already applied); token_coefficient_ms is reported for information only
 * and must not be applied again. Every field is non-zero except
 * send_join_ms (whose default is 0). */
void cohort_config_timing(const struct cohort_config *cfg,
    struct proto_timing *t);

/* For `cohortd -t`: the effective configuration in a canonical form, in
 * corosync.conf syntax, defaults resolved (timing as cohort_config_timing()
 * computes it), so that golden files can compare it (tests/config/NAME.out):
 *   - a first comment line, then "# local nodeid: N" when local_nodeid is
 *     set;
 *   - sections in this order: totem (with transport knet, link_mode and
 *     the knet keys of each link; one interface section per existing
 *     link, a comment before each derived ping timer), nodelist (every
 *     ringN_addr a node has, and its quorum_votes with a quorum
 *     provider), quorum (only with a provider: every key effective, the
 *     quorum device's keys when one is configured), logging, uidgid
 *     (only when uids or gids are allowed), system (only when state_dir
 *     is given or sched_rr is no), separated by an empty line;
 *   - keys in a fixed order, one TAB of indent per level, optional strings
 *     (keyfile, bindnetaddr, mcastaddr, name, logfile) left out when not
 *     given, numbers in decimal, booleans as yes/no (quorum's as 0 or 1,
 *     as corosync writes them), uids and gids as sorted numbers, one key
 *     a line;
 *   - with 3 nodes or more, a comment line before token shows how the
 *     effective token was derived ("# token: 300 + (3 - 2) *
 *     token_coefficient"): feeding the output back in would apply the
 *     coefficient twice.
 * Returns 0 or -EIO when writing fails. */
int cohort_config_print(const struct cohort_config *cfg, FILE *out);

/* 1 when a client with this uid and gid may connect: uid 0, gid 0, or an
 * allowed uid or gid; else 0. Only the one gid counts (as in corosync). */
int cohort_config_uid_allowed(const struct cohort_config *cfg, uid_t uid,
    gid_t gid);

/* The nodelist entry whose ring0_addr is one of the `n` local address
 * strings (numeric addresses compare by value, so "::1" matches
 * "0:0::1"; anything else compares as a case-insensitive host name).
 * Returns its index in cfg->nodes, -ENOENT when none matches, or
 * -EEXIST when several entries match (the caller must then be told the
 * node id, e.g. with -n). */
int cohort_config_find_local(const struct cohort_config *cfg,
    const char *const *local_addrs, size_t n);

/* The logging section as log_apply() takes it (common/log.h): outputs,
 * priorities, stamps and debug per subsystem; s->logfile borrows
 * cfg->logging.logfile, and is NULL unless to_logfile is yes. */
struct log_setup;
void cohort_config_log_setup(const struct cohort_config *cfg,
    const char *ident, struct log_setup *s);

/* Names as written in the file ("udpu", "aes256", "sha1", "trace",
 * "hires"). */
const char *cohort_transport_name(enum cohort_transport t);
const char *cohort_cipher_name(enum cohort_cipher c);
const char *cohort_hash_name(enum cohort_hash h);
const char *cohort_link_mode_name(enum cohort_link_mode m);

#endif /* COHORT_DAEMON_CONFIG_H */
