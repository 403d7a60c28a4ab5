/*
 * config_keys.c: the configuration as keys of the daemon's map
 * (config_keys.h): a second reading of the file with the tokenizer
 * (config_parse.c), each item written under corosync's key name and type,
 * then the keys computed from the loaded configuration.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config_int.h"
#include "daemon/config/config_keys.h"
#include "daemon/icmap.h"

/* Items of one section that wait for its end, where their key names are
 * known (an interface's linknumber, a logger_subsys's subsys may come
 * last). The strings point into the tokenizer's copy of the file. */
#define PENDING_MAX 64

enum keys_sect { K_OTHER, K_IFACE, K_NODE, K_SUBSYS, K_UIDGID, K_SKIP };

struct keys_ctx {
	struct icmap *m;
	char *err;
	size_t errlen;
	int depth;
	enum keys_sect st[COHORT_CONFIG_DEPTH_MAX + 1];
	unsigned node_pos;          /* nodes seen so far */
	uint32_t linknumber;        /* of the interface being read */
	const char *subsys;         /* of the logger_subsys being read */
	size_t n_pending;
	struct cfg_event pending[PENDING_MAX];
};

/* The items corosync reads as numbers, by path; everything else it keeps
 * as a string. */
static const struct typed_key {
	const char *path;
	enum icmap_type type;
} typed[] = {
	{ "totem.version", ICMAP_UINT32 },
	{ "totem.nodeid", ICMAP_UINT32 },
	{ "totem.threads", ICMAP_UINT32 },
	{ "totem.token", ICMAP_UINT32 },
	{ "totem.token_coefficient", ICMAP_UINT32 },
	{ "totem.token_retransmit", ICMAP_UINT32 },
	{ "totem.token_warning", ICMAP_UINT32 },
	{ "totem.hold", ICMAP_UINT32 },
	{ "totem.token_retransmits_before_loss_const", ICMAP_UINT32 },
	{ "totem.join", ICMAP_UINT32 },
	{ "totem.send_join", ICMAP_UINT32 },
	{ "totem.consensus", ICMAP_UINT32 },
	{ "totem.merge", ICMAP_UINT32 },
	{ "totem.downcheck", ICMAP_UINT32 },
	{ "totem.fail_recv_const", ICMAP_UINT32 },
	{ "totem.seqno_unchanged_const", ICMAP_UINT32 },
	{ "totem.rrp_token_expired_timeout", ICMAP_UINT32 },
	{ "totem.rrp_problem_count_timeout", ICMAP_UINT32 },
	{ "totem.rrp_problem_count_threshold", ICMAP_UINT32 },
	{ "totem.rrp_problem_count_mcast_threshold", ICMAP_UINT32 },
	{ "totem.rrp_autorecovery_check_timeout", ICMAP_UINT32 },
	{ "totem.heartbeat_failures_allowed", ICMAP_UINT32 },
	{ "totem.max_network_delay", ICMAP_UINT32 },
	{ "totem.window_size", ICMAP_UINT32 },
	{ "totem.max_messages", ICMAP_UINT32 },
	{ "totem.miss_count_const", ICMAP_UINT32 },
	{ "totem.knet_pmtud_interval", ICMAP_UINT32 },
	{ "totem.knet_mtu", ICMAP_UINT32 },
	{ "totem.knet_compression_threshold", ICMAP_UINT32 },
	{ "totem.netmtu", ICMAP_UINT32 },
	{ "totem.knet_compression_level", ICMAP_INT32 },
	{ "totem.config_version", ICMAP_UINT64 },
	{ "quorum.expected_votes", ICMAP_UINT32 },
	{ "quorum.votes", ICMAP_UINT32 },
	{ "quorum.last_man_standing_window", ICMAP_UINT32 },
	{ "quorum.leaving_timeout", ICMAP_UINT32 },
	{ "quorum.two_node", ICMAP_UINT8 },
	{ "quorum.expected_votes_tracking", ICMAP_UINT8 },
	{ "quorum.allow_downscale", ICMAP_UINT8 },
	{ "quorum.wait_for_all", ICMAP_UINT8 },
	{ "quorum.auto_tie_breaker", ICMAP_UINT8 },
	{ "quorum.last_man_standing", ICMAP_UINT8 },
	{ "quorum.device.timeout", ICMAP_UINT32 },
	{ "quorum.device.sync_timeout", ICMAP_UINT32 },
	{ "quorum.device.votes", ICMAP_UINT32 },
	{ "quorum.device.master_wins", ICMAP_UINT8 },
	{ "resources.watchdog_timeout", ICMAP_UINT32 },
	{ "resources.system.poll_period", ICMAP_UINT64 },
	{ "resources.system.memory_used.poll_period", ICMAP_UINT64 },
	{ "resources.process.poll_period", ICMAP_UINT64 },
	{ "resources.process.memory_used.poll_period", ICMAP_UINT64 },
	{ "pload.count", ICMAP_UINT32 },
	{ "pload.size", ICMAP_UINT32 },
};

/* An interface section's items, by name (any other is a string). */
static const struct typed_key iface_typed[] = {
	{ "mcastport", ICMAP_UINT16 },
	{ "ttl", ICMAP_UINT8 },
	{ "knet_link_priority", ICMAP_UINT8 },
	{ "knet_ping_interval", ICMAP_UINT32 },
	{ "knet_ping_timeout", ICMAP_UINT32 },
	{ "knet_ping_precision", ICMAP_UINT32 },
	{ "knet_pong_count", ICMAP_UINT32 },
};

/* A node section's items, by name. */
static const struct typed_key node_typed[] = {
	{ "nodeid", ICMAP_UINT32 },
	{ "quorum_votes", ICMAP_UINT32 },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static enum icmap_type type_of(const struct typed_key *t, size_t n,
    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].path, name) == 0)
			return t[i].type;
	return ICMAP_STRING;
}

/* A decimal number in the range of `type`, as corosync reads one. */
static bool parse_number(const char *s, enum icmap_type type, void *out)
{
	static const struct {
		long long min;
		unsigned long long max;
	} range[] = {
		[ICMAP_UINT8] = { 0, UINT8_MAX },
		[ICMAP_UINT16] = { 0, UINT16_MAX },
		[ICMAP_UINT32] = { 0, UINT32_MAX },
		[ICMAP_INT32] = { INT32_MIN, INT32_MAX },
		[ICMAP_UINT64] = { 0, UINT64_MAX },
	};
	char *end;

	errno = 0;
	if (type == ICMAP_INT32) {
		long long v = strtoll(s, &end, 10);
		int32_t i32 = (int32_t)v;

		if (errno || end == s || *end || v < range[type].min ||
		    v > (long long)range[type].max)
			return false;
		memcpy(out, &i32, sizeof(i32));
		return true;
	}
	if (*s == '-' || *s == '+')
		return false;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno || end == s || *end || v > range[type].max)
		return false;
	switch (type) {
	case ICMAP_UINT8:
		*(uint8_t *)out = (uint8_t)v;
		break;
	case ICMAP_UINT16:
		*(uint16_t *)out = (uint16_t)v;
		break;
	case ICMAP_UINT32:
		*(uint32_t *)out = (uint32_t)v;
		break;
	default:
		*(uint64_t *)out = (uint64_t)v;
		break;
	}
	return true;
}

/* Stores `value` under `key` as `type`. */
static int put(struct keys_ctx *k, const struct cfg_event *ev,
    const char *key, enum icmap_type type, const char *value)
{
	uint64_t num = 0;   /* room for the widest number */
	int rc;

	if (type == ICMAP_STRING) {
		rc = icmap_set_str(k->m, key, value);
	} else if (!parse_number(value, type, &num)) {
		cfg_err(k->err, k->errlen, ev->file, ev->line, "key '%s': "
		    "expected %s, got " CFG_QFMT, key, type == ICMAP_INT32 ?
		    "a signed 32-bit number" : type == ICMAP_UINT64 ?
		    "an unsigned 64-bit number" : type == ICMAP_UINT32 ?
		    "an unsigned 32-bit number" : type == ICMAP_UINT16 ?
		    "a number in 0..65535" : "a number in 0..255",
		    CFG_Q(value));
		return -EINVAL;
	} else {
		rc = icmap_set(k->m, key, type, &num, (size_t)
		    icmap_type_size(type));
	}
	if (rc == -ENAMETOOLONG || rc == -EINVAL) {
		cfg_err(k->err, k->errlen, ev->file, ev->line, "key '%.*s%s' "
		    "cannot be a map key (%u..%u characters of A-Za-z0-9._/:-) "
		    "or its value is too long", CFG_Q(key), ICMAP_KEY_MIN,
		    ICMAP_KEY_MAX);
		return -EINVAL;
	}
	if (rc < 0)
		cfg_err(k->err, k->errlen, ev->file, ev->line, "key '%.*s%s': "
		    "%s", CFG_Q(key), strerror(-rc));
	return rc;
}

/* "PREFIX.N.NAME" into `key`, or an error when it does not fit. */
static int entry_key(struct keys_ctx *k, const struct cfg_event *ev,
    char key[ICMAP_KEY_MAX + 1], const char *prefix, const char *entry,
    const char *name)
{
	int n = snprintf(key, ICMAP_KEY_MAX + 1, "%s.%s.%s", prefix, entry,
	    name);

	if (n < 0 || n > (int)ICMAP_KEY_MAX) {
		cfg_err(k->err, k->errlen, ev->file, ev->line, "key '%s.%s.%s' "
		    "longer than %u characters", prefix, entry, name,
		    ICMAP_KEY_MAX);
		return -EINVAL;
	}
	return 0;
}

static int pend(struct keys_ctx *k, const struct cfg_event *ev)
{
	if (k->n_pending == PENDING_MAX) {
		cfg_err(k->err, k->errlen, ev->file, ev->line, "more than %d "
		    "keys in section '%s'", PENDING_MAX, ev->path);
		return -EINVAL;
	}
	k->pending[k->n_pending++] = *ev;
	return 0;
}

/* The end of an interface or logger_subsys section: its items under
 * the name that is now known. */
static int flush(struct keys_ctx *k, const char *prefix, const char *entry,
    const struct typed_key *types, size_t n_types)
{
	char key[ICMAP_KEY_MAX + 1];
	int rc = 0;

	for (size_t i = 0; i < k->n_pending && rc == 0; i++) {
		const struct cfg_event *ev = &k->pending[i];

		rc = entry_key(k, ev, key, prefix, entry, ev->name);
		if (rc == 0)
			rc = put(k, ev, key, type_of(types, n_types,
			    ev->name), ev->value);
	}
	k->n_pending = 0;
	return rc;
}

static int on_item(struct keys_ctx *k, const struct cfg_event *ev)
{
	char key[ICMAP_KEY_MAX + 1], entry[16];

	switch (k->st[k->depth]) {
	case K_IFACE:
		if (strcmp(ev->name, "linknumber") == 0) {
			uint8_t n;

			if (!parse_number(ev->value, ICMAP_UINT8, &n))
				return put(k, ev, ev->path, ICMAP_UINT8,
				    ev->value);
			k->linknumber = n;
			return 0;
		}
		return pend(k, ev);
	case K_NODE:
		snprintf(entry, sizeof(entry), "%u", k->node_pos);
		if (entry_key(k, ev, key, "nodelist.node", entry,
		    ev->name) < 0)
			return -EINVAL;
		return put(k, ev, key, type_of(node_typed, N_OF(node_typed),
		    ev->name), ev->value);
	case K_SUBSYS:
		if (strcmp(ev->name, "subsys") == 0)
			k->subsys = ev->value;
		return pend(k, ev);
	case K_UIDGID:      /* from the loaded lists, uidgid.d's included */
	case K_SKIP:
		return 0;
	case K_OTHER:
		break;
	}
	return put(k, ev, ev->path, type_of(typed, N_OF(typed), ev->path),
	    ev->value);
}

static int on_end(struct keys_ctx *k, const struct cfg_event *ev,
    enum keys_sect s)
{
	char entry[16];

	switch (s) {
	case K_IFACE:
		snprintf(entry, sizeof(entry), "%" PRIu32, k->linknumber);
		return flush(k, "totem.interface", entry, iface_typed,
		    N_OF(iface_typed));
	case K_NODE:
		k->node_pos++;
		return 0;
	case K_SUBSYS:
		if (!k->subsys) {
			cfg_err(k->err, k->errlen, ev->file, ev->open_line,
			    "section 'logging.logger_subsys' without a "
			    "subsys key");
			return -EINVAL;
		}
		return flush(k, "logging.logger_subsys", k->subsys, NULL, 0);
	default:
		return 0;
	}
}

static int on_event(void *ctx, const struct cfg_event *ev)
{
	struct keys_ctx *k = ctx;
	enum keys_sect s = K_OTHER;

	switch (ev->type) {
	case CFG_SECTION_START:
		if (strcmp(ev->path, "totem.interface") == 0) {
			s = K_IFACE;
			k->linknumber = 0;
		} else if (strcmp(ev->path, "nodelist.node") == 0) {
			s = K_NODE;
		} else if (strcmp(ev->path, "logging.logger_subsys") == 0) {
			s = K_SUBSYS;
			k->subsys = NULL;
		} else if (strcmp(ev->path, "uidgid") == 0) {
			s = K_UIDGID;
		} else if (k->st[k->depth] != K_OTHER) {
			s = K_SKIP;   /* nested deeper: corosync keeps none */
		}
		k->n_pending = 0;
		k->st[++k->depth] = s;
		return 0;
	case CFG_SECTION_END:
		s = k->st[k->depth--];
		return on_end(k, ev, s);
	case CFG_ITEM:
		return on_item(k, ev);
	}
	return 0;
}

static int set_u8_one(struct icmap *m, const char *fmt, unsigned id)
{
	char key[ICMAP_KEY_MAX + 1];

	snprintf(key, sizeof(key), fmt, id);
	return icmap_set_u8(m, key, 1);
}

/* runtime.config.totem.*: what the daemon runs with. */
static int runtime_keys(const struct cohort_config *cfg, struct icmap *m)
{
	struct cfg_timing t;
	char key[ICMAP_KEY_MAX + 1];
	int rc = 0;

	cfg_effective(cfg, &t);
	const struct {
		const char *name;
		uint32_t v;
	} keys[] = {
		{ "token", t.token },
		{ "token_retransmit", t.token_retransmit },
		{ "hold", t.hold },
		{ "token_retransmits_before_loss_const",
		    t.token_retransmits_before_loss_const },
		{ "join", t.join },
		{ "send_join", t.send_join },
		{ "consensus", t.consensus },
		{ "merge", t.merge },
		{ "fail_recv_const", t.fail_recv_const },
		{ "seqno_unchanged_const", t.seqno_unchanged_const },
		{ "miss_count_const", t.miss_count_const },
		{ "max_messages", t.max_messages },
		{ "window_size", t.window_size },
	};

	for (size_t i = 0; i < N_OF(keys) && rc == 0; i++) {
		snprintf(key, sizeof(key), "runtime.config.totem.%s",
		    keys[i].name);
		rc = icmap_set_u32(m, key, keys[i].v);
	}
	for (uint32_t l = 0; l < COHORT_CONFIG_MAX_LINKS && rc == 0; l++) {
		const struct cohort_interface *i = &cfg->links[l];

		if (i->n_addrs == 0)
			continue;
		snprintf(key, sizeof(key), "runtime.config.totem.interface."
		    "%" PRIu32 ".knet_ping_interval", l);
		rc = icmap_set_u32(m, key, i->knet_ping_interval);
		snprintf(key, sizeof(key), "runtime.config.totem.interface."
		    "%" PRIu32 ".knet_ping_timeout", l);
		if (rc == 0)
			rc = icmap_set_u32(m, key, i->knet_ping_timeout);
	}
	return rc;
}

int cohort_config_keys(const struct cohort_config *cfg, struct icmap *m,
    char *err, size_t errlen)
{
	struct keys_ctx *k = calloc(1, sizeof(*k));
	int rc = 0;

	if (!k) {
		cfg_err(err, errlen, "configuration keys", 0, "out of memory");
		return -ENOMEM;
	}
	*k = (struct keys_ctx){ .m = m, .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = '\0';
	if (cfg->path && (rc = cfg_parse(cfg->path, on_event, k, err,
	    errlen)) < 0)
		goto out;
	for (size_t i = 0; i < cfg->n_uids && rc == 0; i++)
		rc = set_u8_one(m, "uidgid.config.uid.%u", (unsigned)cfg->uids[i]);
	for (size_t i = 0; i < cfg->n_gids && rc == 0; i++)
		rc = set_u8_one(m, "uidgid.config.gid.%u", (unsigned)cfg->gids[i]);
	for (size_t i = 0; i < cfg->n_nodes && rc == 0 && cfg->path; i++)
		if (cfg->nodes[i].nodeid == cfg->local_nodeid)
			rc = icmap_set_u32(m, "nodelist.local_node_pos",
			    (uint32_t)i);
	if (rc == 0)
		rc = runtime_keys(cfg, m);
	if (rc < 0 && !(err && *err))
		cfg_err(err, errlen, cfg->path ? cfg->path : "configuration",
		    0, "the daemon's map: %s", strerror(-rc));
out:
	free(k);
	return rc;
}
