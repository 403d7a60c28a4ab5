/*
 * config.c: what the sections and keys of corosync.conf mean to Cohort,
 * each checked as it is read (the checks that need the whole file are in
 * config_load.c, the uidgid keys in config_uidgid.c, the interface
 * sections and the nodes' link addresses in config_link.c).
 *
 * Every key falls in one of four classes: used (parsed, checked, stored),
 * accepted silently (totem.version), known to corosync but without effect
 * here (warned about: "has no effect in Cohort, ignored"), or unknown
 * (warned about: "unknown key ... ignored"). Sections likewise; the content
 * of an ignored section is skipped whole (its syntax is still checked).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config/config_int.h"
#include "proto/proto.h"

#define TOTEM_U32(k, field, max) \
	[k] = { #field, offsetof(struct cohort_totem, field), max }
static const struct tkey_desc {
	const char *name;
	size_t off;
	uint32_t max;
} tkeys[T_COUNT] = {
	TOTEM_U32(T_TOKEN, token, TIMEOUT_MAX_MS),
	TOTEM_U32(T_COEF, token_coefficient, TIMEOUT_MAX_MS),
	TOTEM_U32(T_RETRANSMIT, token_retransmit, TIMEOUT_MAX_MS),
	TOTEM_U32(T_RETRANSMITS, token_retransmits_before_loss_const,
	    COUNT_MAX),
	TOTEM_U32(T_HOLD, hold, TIMEOUT_MAX_MS),
	TOTEM_U32(T_CONSENSUS, consensus, TIMEOUT_MAX_MS),
	TOTEM_U32(T_JOIN, join, TIMEOUT_MAX_MS),
	TOTEM_U32(T_SEND_JOIN, send_join, TIMEOUT_MAX_MS),
	TOTEM_U32(T_MERGE, merge, TIMEOUT_MAX_MS),
	TOTEM_U32(T_FAIL_RECV, fail_recv_const, COUNT_MAX),
	TOTEM_U32(T_SEQNO, seqno_unchanged_const, COUNT_MAX),
	TOTEM_U32(T_MISS, miss_count_const, COUNT_MAX),
	TOTEM_U32(T_MAXMSG, max_messages, PROTO_WINDOW_MAX),
	TOTEM_U32(T_WINDOW, window_size, PROTO_WINDOW_MAX),
};

/* corosync keys that Cohort reads but does not act on, per section. A name
 * ending in '_' is a prefix. */
static const char *const noeffect_totem[] = {
	"token_warning", "downcheck", "heartbeat_failures_allowed",
	"max_network_delay", "ip_version", "clear_node_high_bit", "crypto_model", "secauth", "key",
	"block_unlisted_ips", "cancel_token_hold_on_retransmit", "nodeid",
	"threads", "vsftype", "knet_", "rrp_", NULL,
};
static const char *const noeffect_node[] = { "quorum_votes", NULL };
static const char *const noeffect_system[] = {
	"qb_ipc_type", "priority", "move_to_root_cgroup",
	"allow_knet_handle_fallback", NULL,
};
static const char *const noeffect_sections_top[] = {
	"quorum", "resources", "nozzle", "qb", "pload", NULL,
};
static const char *const noeffect_sections_iface[] = { "member", NULL };

static const char *const transport_names[] = { "udpu", "udp", "knet", NULL };
static const char *const cipher_names[] = {
	[COHORT_CIPHER_NONE] = "none", [COHORT_CIPHER_AES256] = "aes256",
	[COHORT_CIPHER_AES192] = "aes192", [COHORT_CIPHER_AES128] = "aes128",
	NULL,
};
static const char *const hash_names[] = {
	[COHORT_HASH_NONE] = "none", [COHORT_HASH_MD5] = "md5",
	[COHORT_HASH_SHA1] = "sha1", [COHORT_HASH_SHA256] = "sha256",
	[COHORT_HASH_SHA384] = "sha384", [COHORT_HASH_SHA512] = "sha512",
	NULL,
};
static const char *const link_mode_names[] = {
	[COHORT_LINK_PASSIVE] = "passive", [COHORT_LINK_ACTIVE] = "active",
	[COHORT_LINK_RR] = "rr", NULL,
};

const char *cohort_transport_name(enum cohort_transport t)
{
	return (unsigned)t <= COHORT_TRANSPORT_KNET ? transport_names[t] : "?";
}

const char *cohort_cipher_name(enum cohort_cipher c)
{
	return (unsigned)c <= COHORT_CIPHER_AES128 ? cipher_names[c] : "?";
}

const char *cohort_hash_name(enum cohort_hash h)
{
	return (unsigned)h <= COHORT_HASH_SHA512 ? hash_names[h] : "?";
}

const char *cohort_link_mode_name(enum cohort_link_mode m)
{
	return (unsigned)m <= COHORT_LINK_RR ? link_mode_names[m] : "?";
}

int cfg_oom(struct cfg_loader *ld, const struct cfg_event *ev)
{
	cfg_err(ld->err, ld->errlen, ev->file, ev->line, "out of memory");
	return -ENOMEM;
}

static int warn(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *what)
{
	const char *kind = ev->type == CFG_ITEM ? "key" : "section";

	if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line, "%s '%s' %s",
	    kind, ev->path, what) < 0)
		return cfg_oom(ld, ev);
	return 0;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++) {
		size_t n = strlen(*list);

		if ((*list)[n - 1] == '_' ? strncmp(name, *list, n) == 0 :
		    strcmp(name, *list) == 0)
			return true;
	}
	return false;
}

int cfg_unknown(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *const *noeffect)
{
	if (noeffect && in_list(noeffect, ev->name))
		return warn(ld, ev, "has no effect in Cohort, ignored");
	if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line,
	    "unknown %s '%s' ignored", ev->type == CFG_ITEM ? "key" : "section",
	    ev->path) < 0)
		return cfg_oom(ld, ev);
	return 0;
}

int cfg_bad_value(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *expected)
{
	cfg_err(ld->err, ld->errlen, ev->file, ev->line,
	    "key '%s': expected %s, got " CFG_QFMT, ev->path, expected,
	    CFG_Q(ev->value));
	return -EINVAL;
}

/* A decimal number in min..max. */
int cfg_get_u32(struct cfg_loader *ld, const struct cfg_event *ev,
    uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s = ev->value;
	uint64_t v = 0;

	if (!*s)
		return cfg_bad_value(ld, ev, "a number");
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return cfg_bad_value(ld, ev, "a number");
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			break;
	}
	if (v < min || v > max) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': " CFG_QFMT " is out of range (%u..%u)", ev->path,
		    CFG_Q(ev->value), min, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* One of `names`; the index in *out. */
static int get_enum(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *const *names, int *out)
{
	char expected[128];
	size_t len = 0;

	for (int i = 0; names[i]; i++) {
		if (strcmp(ev->value, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	expected[0] = '\0';
	for (int i = 0; names[i] && len < sizeof(expected); i++)
		len += (size_t)snprintf(expected + len, sizeof(expected) - len,
		    "%s%s", i == 0 ? "one of " : ", ", names[i]);
	return cfg_bad_value(ld, ev, expected);
}

static int get_bool(struct cfg_loader *ld, const struct cfg_event *ev,
    bool *out)
{
	static const char *const names[] = { "yes", "on", "no", "off", NULL };
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(ev->value, names[i]) == 0)
			break;
	if (!names[i])
		return cfg_bad_value(ld, ev, "yes or no");
	*out = i < 2;
	return 0;
}

int cfg_get_bool(struct cfg_loader *ld, const struct cfg_event *ev,
    bool *out)
{
	return get_bool(ld, ev, out);
}

int cfg_get_enum(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *const *names, int *out)
{
	return get_enum(ld, ev, names, out);
}

int cfg_get_str(struct cfg_loader *ld, const struct cfg_event *ev,
    const char **out)
{
	const char *s;

	if (!*ev->value) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': empty value", ev->path);
		return -EINVAL;
	}
	if (!(s = cfg_strdup(ld->cfg, ev->value)))
		return cfg_oom(ld, ev);
	*out = s;
	return 0;
}

static int totem_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_config *cfg = ld->cfg;
	int i, rc;

	for (i = 0; i < T_COUNT; i++) {
		if (strcmp(ev->name, tkeys[i].name) == 0) {
			uint32_t *field = (uint32_t *)(void *)
			    ((char *)&cfg->totem + tkeys[i].off);

			rc = cfg_get_u32(ld, ev, 0, tkeys[i].max, field);
			if (rc < 0)
				return rc;
			ld->tline[i] = ev->line;
			if (i == T_COEF)
				cfg->totem.token_coefficient_set = true;
			return 0;
		}
	}
	/* The cmap service reads it from the map (config_keys.c checks
	 * the number, cmap/version.c compares it between nodes). */
	if (strcmp(ev->name, "config_version") == 0)
		return 0;
	if (strcmp(ev->name, "cluster_name") == 0)
		return cfg_get_str(ld, ev, &cfg->cluster_name);
	if (strcmp(ev->name, "keyfile") == 0)
		return cfg_get_str(ld, ev, &cfg->keyfile);
	if (strcmp(ev->name, "fail_on_port_unreachable") == 0)
		return get_bool(ld, ev, &cfg->fail_on_port_unreachable);
	if (strcmp(ev->name, "netmtu") == 0)
		return cfg_get_u32(ld, ev, COHORT_CONFIG_NETMTU_MIN,
		    COHORT_CONFIG_NETMTU_MAX, &cfg->netmtu);
	if (strcmp(ev->name, "knet_mtu") == 0) {
		if ((rc = cfg_get_u32(ld, ev, 0, COHORT_CONFIG_KNET_MTU_MAX,
		    &cfg->knet_mtu)) < 0)
			return rc;
		if (cfg->knet_mtu && cfg->knet_mtu < COHORT_CONFIG_KNET_MTU_MIN)
			return cfg_bad_value(ld, ev, "0 (the default, 1500) or "
			    "576 to 65536");
		ld->knet_mtu_line = ev->line;
		return 0;
	}
	if (strcmp(ev->name, "transport") == 0) {
		if ((rc = get_enum(ld, ev, transport_names, &i)) < 0)
			return rc;
		cfg->transport = (enum cohort_transport)i;
		return 0;
	}
	if (strcmp(ev->name, "crypto_cipher") == 0) {
		if ((rc = get_enum(ld, ev, cipher_names, &i)) < 0)
			return rc;
		cfg->crypto_cipher = (enum cohort_cipher)i;
		ld->cipher_line = ev->line;
		return 0;
	}
	if (strcmp(ev->name, "link_mode") == 0) {
		if ((rc = get_enum(ld, ev, link_mode_names, &i)) < 0)
			return rc;
		cfg->link_mode = (enum cohort_link_mode)i;
		return 0;
	}
	if (strcmp(ev->name, "crypto_hash") == 0) {
		if ((rc = get_enum(ld, ev, hash_names, &i)) < 0)
			return rc;
		cfg->crypto_hash = (enum cohort_hash)i;
		return 0;
	}
	if (strcmp(ev->name, "version") == 0)
		return 0;
	return cfg_unknown(ld, ev, noeffect_totem);
}

/* The link number of a key "ringN_addr" (N in decimal digits), or -1
 * when the key is not of that form. */
static long ring_key(const char *name)
{
	const char *p = name + strlen("ring");
	long n = 0;

	if (strncmp(name, "ring", strlen("ring")) != 0 || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > INT32_MAX)
			return -1;
	return strcmp(p, "_addr") == 0 ? n : -1;
}

static int node_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	long link;
	int rc;

	if (strcmp(ev->name, "nodeid") == 0) {
		rc = cfg_get_u32(ld, ev, 0, UINT32_MAX, &ld->node.nodeid);
		if (rc < 0)
			return rc;
		if (ld->node.nodeid == 0) {
			cfg_err(ld->err, ld->errlen, ev->file, ev->line,
			    "key '%s': node id 0 is not allowed", ev->path);
			return -EINVAL;
		}
		ld->nodeid_line = ev->line;
		return 0;
	}
	if (strcmp(ev->name, "name") == 0)
		return cfg_get_str(ld, ev, &ld->node.name);
	if ((link = ring_key(ev->name)) >= COHORT_CONFIG_MAX_LINKS) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': link %ld, but there are at most %d links "
		    "(ring0_addr to ring%d_addr)", ev->path, link,
		    COHORT_CONFIG_MAX_LINKS, COHORT_CONFIG_MAX_LINKS - 1);
		return -EINVAL;
	}
	if (link >= 0) {
		ld->addr_line[link] = ev->line;
		return cfg_get_str(ld, ev, &ld->node.addr[link]);
	}
	return cfg_unknown(ld, ev, noeffect_node);
}

static int node_end(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_config *cfg = ld->cfg;
	const char *missing = !ld->node.nodeid ? "nodeid" :
	    !ld->node.ring0_addr ? "ring0_addr" : NULL;
	int rc;

	if (missing) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->open_line,
		    "section '%s': missing key '%s'", ev->path, missing);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		if (cfg->nodes[i].nodeid == ld->node.nodeid) {
			cfg_err(ld->err, ld->errlen, ev->file, ld->nodeid_line,
			    "key '%s.nodeid': node id %u is already used by "
			    "the node at line %u", ev->path, ld->node.nodeid,
			    cfg->nodes[i].line);
			return -EINVAL;
		}
	}
	if ((rc = cfg_node_links(ld, ev)) < 0)
		return rc;
	cfg->nodes[cfg->n_nodes++] = ld->node;
	return 0;
}

static int system_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	if (strcmp(ev->name, "state_dir") == 0) {
		if (ev->value[0] != '/')
			return cfg_bad_value(ld, ev, "an absolute path");
		return cfg_get_str(ld, ev, &ld->cfg->state_dir);
	}
	if (strcmp(ev->name, "sched_rr") == 0) {
		/* yes and no as corosync's; on and off as get_bool(); auto,
		 * once a mode of its own, is yes. */
		static const char *const names[] = { "auto", "yes", "no", "on",
		    "off", NULL };
		static const enum cohort_sched modes[] = { COHORT_SCHED_RR,
		    COHORT_SCHED_RR, COHORT_SCHED_NORMAL, COHORT_SCHED_RR,
		    COHORT_SCHED_NORMAL };
		int i = 0, rc = get_enum(ld, ev, names, &i);

		if (rc == 0)
			ld->cfg->sched = modes[i];
		if (rc == 0 && i == 0)
			return warn(ld, ev, "is auto: the same as yes, realtime "
			    "scheduling always");
		return rc;
	}
	return cfg_unknown(ld, ev, noeffect_system);
}

static enum cfg_sect child_section(struct cfg_loader *ld,
    const struct cfg_event *ev, enum cfg_sect parent, int *rc)
{
	const char *n = ev->name;

	*rc = 0;
	if (parent == S_SKIP)
		return S_SKIP;
	if (ld->uidgid_file) {
		if (parent == S_TOP && strcmp(n, "uidgid") == 0)
			return S_UIDGID;
		*rc = warn(ld, ev, "ignored: a uidgid.d file holds only uidgid "
		    "sections");
		return S_SKIP;
	}
	switch (parent) {
	case S_TOP:
		if (strcmp(n, "totem") == 0)
			return S_TOTEM;
		if (strcmp(n, "nodelist") == 0)
			return S_NODELIST;
		if (strcmp(n, "logging") == 0)
			return S_LOGGING;
		if (strcmp(n, "uidgid") == 0)
			return S_UIDGID;
		if (strcmp(n, "system") == 0)
			return S_SYSTEM;
		*rc = cfg_unknown(ld, ev, noeffect_sections_top);
		return S_SKIP;
	case S_TOTEM:
		if (strcmp(n, "interface") == 0) {
			memset(&ld->iface, 0, sizeof(ld->iface));
			ld->iface_priority_set = false;
			ld->iface_pong_line = 0;
			return S_IFACE;
		}
		break;
	case S_IFACE:
		*rc = cfg_unknown(ld, ev, noeffect_sections_iface);
		return S_SKIP;
	case S_NODELIST:
		if (strcmp(n, "node") != 0)
			break;
		if (ld->cfg->n_nodes == COHORT_CONFIG_MAX_NODES) {
			cfg_err(ld->err, ld->errlen, ev->file, ev->line,
			    "section '%s': more than %d nodes", ev->path,
			    COHORT_CONFIG_MAX_NODES);
			*rc = -EINVAL;
			return S_SKIP;
		}
		memset(&ld->node, 0, sizeof(ld->node));
		ld->node.line = ev->line;
		ld->nodeid_line = 0;
		memset(ld->addr_line, 0, sizeof(ld->addr_line));
		return S_NODE;
	case S_LOGGING:
		if (strcmp(n, "logger_subsys") == 0) {
			cfg_logsub_start(ld, ev);
			return S_LOGSUB;
		}
		*rc = cfg_unknown(ld, ev, (const char *const[]){
		    "logging_daemon", NULL });
		return S_SKIP;
	default:
		break;
	}
	*rc = cfg_unknown(ld, ev, NULL);
	return S_SKIP;
}

/* Warns about a key given twice in one section (the last value counts,
 * as in corosync). uid and gid are lists, not repeats. */
static int check_repeat(struct cfg_loader *ld, const struct cfg_event *ev)
{
	size_t *n = &ld->n_seen[ld->depth];
	struct cfg_seen *s = ld->seen[ld->depth];

	if (ld->st[ld->depth] == S_UIDGID)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(s[i].key, ev->name) == 0) {
			if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line,
			    "key '%s' given again (first at line %u): the last "
			    "value counts", ev->path, s[i].line) < 0)
				return cfg_oom(ld, ev);
			return 0;
		}
	}
	if (*n < CFG_SEEN_MAX) {
		s[*n].key = ev->name;
		s[*n].line = ev->line;
		(*n)++;
	}
	return 0;
}

static int on_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	enum cfg_sect s = ld->st[ld->depth];
	int rc;

	if (s == S_SKIP)
		return 0;
	if (s == S_TOP) {
		if (ld->uidgid_file)
			return warn(ld, ev, "ignored: a uidgid.d file holds "
			    "only uidgid sections");
		return cfg_unknown(ld, ev, NULL);
	}
	if ((rc = check_repeat(ld, ev)) < 0)
		return rc;
	switch (s) {
	case S_TOTEM:
		return totem_item(ld, ev);
	case S_IFACE:
		return cfg_iface_item(ld, ev);
	case S_NODE:
		return node_item(ld, ev);
	case S_LOGGING:
		return cfg_logging_item(ld, ev);
	case S_LOGSUB:
		return cfg_logsub_item(ld, ev);
	case S_UIDGID:
		return cfg_uidgid_item(ld, ev);
	case S_SYSTEM:
		return system_item(ld, ev);
	default:
		return cfg_unknown(ld, ev, NULL);
	}
}

int cfg_on_event(void *ctx, const struct cfg_event *ev)
{
	struct cfg_loader *ld = ctx;
	enum cfg_sect s;
	int rc;

	switch (ev->type) {
	case CFG_SECTION_START:
		s = child_section(ld, ev, ld->st[ld->depth], &rc);
		if (rc < 0)
			return rc;
		ld->st[++ld->depth] = s;
		ld->n_seen[ld->depth] = 0;
		return 0;
	case CFG_SECTION_END:
		s = ld->st[ld->depth--];
		if (s == S_IFACE)
			return cfg_iface_end(ld, ev);
		if (s == S_NODE)
			return node_end(ld, ev);
		if (s == S_LOGSUB)
			return cfg_logsub_end(ld, ev);
		return 0;
	case CFG_ITEM:
		return on_item(ld, ev);
	}
	return 0;
}
