/*
 * config_load.c: cohort_config_load() and cohort_config_defaults(), and
 * the checks that need the whole file (the timeouts as corosync bounds
 * them, crypto, logging, the nodelist).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config_int.h"

/* Values that apply before the file is read (and without a file). */
static void base_defaults(struct cohort_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cluster_name = COHORT_CONFIG_DEFAULT_CLUSTER_NAME;
	cfg->transport = COHORT_TRANSPORT_KNET;   /* as corosync */
	cfg->netmtu = 0;                          /* per transport */
	cfg->crypto_cipher = COHORT_CIPHER_NONE;
	cfg->crypto_hash = COHORT_HASH_NONE;
	for (unsigned l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		cfg->links[l].linknumber = l;
		cfg->links[l].knet_link_priority =
		    COHORT_CONFIG_DEFAULT_LINK_PRIORITY;
	}
	cfg->fail_on_port_unreachable = true;
	cfg->logging.to_stderr = true;
	cfg->logging.to_syslog = true;
	cfg->logging.timestamp = COHORT_TIMESTAMP_HIRES;
}

/* netmtu when not given: corosync's for the transport. */
static void default_netmtu(struct cohort_config *cfg)
{
	if (cfg->netmtu == 0)
		cfg->netmtu = cfg->transport == COHORT_TRANSPORT_KNET ?
		    COHORT_CONFIG_DEFAULT_KNET_NETMTU :
		    COHORT_CONFIG_DEFAULT_NETMTU;
}

/* What a link leaves out, as corosync 3.1.7 fills it in (totemconfig.c):
 * the port mcastport + N, and the ping timers derived from the effective
 * token so that a link to a peer is found down within a token timeout. */
static void link_defaults(struct cohort_config *cfg)
{
	struct cfg_timing e;

	cfg_effective(cfg, &e);
	for (unsigned l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		struct cohort_interface *i = &cfg->links[l];

		if (!i->mcastport)
			i->mcastport = (uint16_t)(COHORT_CONFIG_DEFAULT_PORT + l);
		if (!i->knet_ping_precision)
			i->knet_ping_precision =
			    COHORT_CONFIG_DEFAULT_PING_PRECISION;
		if (!i->knet_pong_count)
			i->knet_pong_count = COHORT_CONFIG_DEFAULT_PONG_COUNT;
		if (!i->ping_timeout_set)
			i->knet_ping_timeout = e.token / i->knet_pong_count;
		if (!i->ping_interval_set)
			i->knet_ping_interval =
			    e.token / (i->knet_pong_count * 2);
	}
}

void cohort_config_defaults(struct cohort_config *cfg)
{
	base_defaults(cfg);
	default_netmtu(cfg);
	cfg->n_nodes = 1;
	cfg->nodes[0].nodeid = 1;
	cfg->nodes[0].ring0_addr = "127.0.0.1";
	cfg->links[0].n_addrs = 1;
	link_defaults(cfg);
	cfg->local_nodeid = 1;
}

static int oom(struct cfg_loader *ld)
{
	cfg_err(ld->err, ld->errlen, ld->cfg->path, 0, "out of memory");
	return -ENOMEM;
}

/* The links once the whole file is read: only knet has more than link 0
 * (as in corosync); a section for a link must have addresses on it; the
 * defaults; and a warning for each link the transport does not use yet. */
int cfg_links_finish(struct cfg_loader *ld)
{
	struct cohort_config *cfg = ld->cfg;

	for (unsigned l = 1; l < COHORT_CONFIG_MAX_LINKS; l++) {
		const struct cohort_interface *i = &cfg->links[l];

		if (i->n_addrs && cfg->transport != COHORT_TRANSPORT_KNET) {
			cfg_err(ld->err, ld->errlen, cfg->path, ld->link_line[l],
			    "key 'nodelist.node.ring%u_addr': transport %s has "
			    "one link, link 0; more links need transport knet",
			    l, cohort_transport_name(cfg->transport));
			return -EINVAL;
		}
		if (i->line && !i->n_addrs) {
			cfg_err(ld->err, ld->errlen, cfg->path, i->line,
			    "section 'totem.interface' for link %u: no node "
			    "has a ring%u_addr", l, l);
			return -EINVAL;
		}
	}
	link_defaults(cfg);
	if (cfg->transport != COHORT_TRANSPORT_KNET) {
		if (ld->knet_key_line && cfg_warn(cfg, &ld->dropped, cfg->path,
		    ld->knet_key_line, "key 'totem.interface.%s' has no effect "
		    "with transport %s, ignored", ld->knet_key,
		    cohort_transport_name(cfg->transport)) < 0)
			return oom(ld);
		return 0;
	}
	for (unsigned l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		const struct cohort_interface *i = &cfg->links[l];

		if (l > 0 && !i->n_addrs)
			continue;
		/* A timer is 0 only when derived, and only from a large
		 * knet_pong_count over a short token (the default count and
		 * the token's minimum give 7 and 15 ms). */
		if (i->knet_ping_interval == 0 || i->knet_ping_timeout == 0) {
			bool iv = i->knet_ping_interval == 0;

			cfg_err(ld->err, ld->errlen, cfg->path, ld->pong_line[l],
			    "key 'totem.interface.knet_pong_count': link %u: "
			    "%u gives %s 0 ms (token / %s); give a smaller "
			    "count or a %s", l, i->knet_pong_count,
			    iv ? "knet_ping_interval" : "knet_ping_timeout",
			    iv ? "(knet_pong_count * 2)" : "knet_pong_count",
			    iv ? "knet_ping_interval" : "knet_ping_timeout");
			return -EINVAL;
		}
		if (i->knet_ping_timeout <= i->knet_ping_interval &&
		    cfg_warn(cfg, &ld->dropped, cfg->path, i->line,
		    "section 'totem.interface' for link %u: knet_ping_timeout "
		    "%u ms is not above knet_ping_interval %u ms: the link to a "
		    "peer would be found down between two heartbeats", l,
		    i->knet_ping_timeout, i->knet_ping_interval) < 0)
			return oom(ld);
	}
	for (unsigned l = 1; l < COHORT_CONFIG_MAX_LINKS; l++) {
		if (cfg->links[l].n_addrs && cfg_warn(cfg, &ld->dropped,
		    cfg->path, ld->link_line[l], "link %u (ring%u_addr) is read "
		    "and checked, but not used yet: Cohort sends over link 0 "
		    "only", l, l) < 0)
			return oom(ld);
	}
	return 0;
}

/* Writes "FILE:LINE: key 'totem.NAME': ..." for a timing key. */
static int timing_err(struct cfg_loader *ld, const char *key, unsigned line,
    const char *fmt, ...) CFG_PRINTF(4, 5);
static int timing_err(struct cfg_loader *ld, const char *key, unsigned line,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_err(ld->err, ld->errlen, ld->cfg->path, line, "key 'totem.%s': %s",
	    key, msg);
	return -EINVAL;
}

/* corosync's bounds on the effective timeouts (totemconfig's volatile
 * config validation). A bound broken by a derived value is blamed on the
 * key it was derived from. Defaults never break them, so some key named
 * below was always given when a check fails. */
static int check_timing(struct cfg_loader *ld)
{
	const unsigned *l = ld->tline;
	struct cfg_timing e;

	cfg_effective(ld->cfg, &e);
	if (e.token < CFG_MIN_TIMEOUT_MS)
		return timing_err(ld, "token", l[T_TOKEN],
		    "%u ms is below the minimum %u ms", e.token,
		    CFG_MIN_TIMEOUT_MS);
	if (e.token_retransmit < CFG_MIN_TIMEOUT_MS) {
		if (l[T_RETRANSMIT])
			return timing_err(ld, "token_retransmit",
			    l[T_RETRANSMIT], "%u ms is below the minimum %u ms",
			    e.token_retransmit, CFG_MIN_TIMEOUT_MS);
		return timing_err(ld, l[T_RETRANSMITS] ?
		    "token_retransmits_before_loss_const" : "token",
		    l[T_RETRANSMITS] ? l[T_RETRANSMITS] : l[T_TOKEN],
		    "gives token_retransmit %u ms (token / "
		    "(token_retransmits_before_loss_const + 0.2)), below the "
		    "minimum %u ms", e.token_retransmit, CFG_MIN_TIMEOUT_MS);
	}
	if (e.hold < CFG_MIN_HOLD_MS) {
		if (l[T_HOLD])
			return timing_err(ld, "hold", l[T_HOLD],
			    "%u ms is below the minimum %u ms", e.hold,
			    CFG_MIN_HOLD_MS);
		return timing_err(ld, "token_retransmit", l[T_RETRANSMIT],
		    "gives hold %u ms (token_retransmit * 0.8 - 10), below the "
		    "minimum %u ms", e.hold, CFG_MIN_HOLD_MS);
	}
	if (e.join < CFG_MIN_TIMEOUT_MS)
		return timing_err(ld, "join", l[T_JOIN],
		    "%u ms is below the minimum %u ms", e.join,
		    CFG_MIN_TIMEOUT_MS);
	if (e.consensus < CFG_MIN_TIMEOUT_MS)
		return timing_err(ld, "consensus", l[T_CONSENSUS],
		    "%u ms is below the minimum %u ms", e.consensus,
		    CFG_MIN_TIMEOUT_MS);
	if (e.consensus < e.join) {
		if (l[T_CONSENSUS])
			return timing_err(ld, "consensus", l[T_CONSENSUS],
			    "%u ms is below join (%u ms)", e.consensus, e.join);
		return timing_err(ld, "join", l[T_JOIN],
		    "%u ms is above consensus (%u ms = 1.2 * token)", e.join,
		    e.consensus);
	}
	if (e.merge < CFG_MIN_TIMEOUT_MS)
		return timing_err(ld, "merge", l[T_MERGE],
		    "%u ms is below the minimum %u ms", e.merge,
		    CFG_MIN_TIMEOUT_MS);
	return 0;
}

/* What only the whole main file can tell. */
static int check_file(struct cfg_loader *ld)
{
	struct cohort_config *cfg = ld->cfg;
	int rc;

	if ((rc = check_timing(ld)) < 0 || (rc = cfg_links_finish(ld)) < 0)
		return rc;
	default_netmtu(cfg);
	if (ld->knet_mtu_line && cfg->transport != COHORT_TRANSPORT_KNET &&
	    cfg_warn(cfg, &ld->dropped, cfg->path, ld->knet_mtu_line,
	    "key 'totem.knet_mtu' has no effect with transport %s, ignored",
	    cohort_transport_name(cfg->transport)) < 0) {
		cfg_err(ld->err, ld->errlen, cfg->path, 0, "out of memory");
		return -ENOMEM;
	}
	/* As corosync: a cipher without a hash is refused. */
	if (cfg->crypto_cipher != COHORT_CIPHER_NONE &&
	    cfg->crypto_hash == COHORT_HASH_NONE) {
		cfg_err(ld->err, ld->errlen, cfg->path, ld->cipher_line,
		    "key 'totem.crypto_cipher': %s requires a crypto_hash "
		    "other than none", cohort_cipher_name(cfg->crypto_cipher));
		return -EINVAL;
	}
	if (cfg->logging.to_logfile && !cfg->logging.logfile) {
		cfg_err(ld->err, ld->errlen, cfg->path, ld->to_logfile_line,
		    "key 'logging.to_logfile': yes, but no 'logging.logfile' "
		    "is given");
		return -EINVAL;
	}
	if (cfg->n_nodes == 0 &&
	    cfg_warn(cfg, &ld->dropped, cfg->path, 0,
	    "no nodelist with nodes: this node alone forms the cluster") < 0) {
		cfg_err(ld->err, ld->errlen, cfg->path, 0, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int cohort_config_load(const char *path, struct cohort_config *cfg,
    char *err, size_t errlen)
{
	struct cfg_loader *ld;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	base_defaults(cfg);
	if (!(ld = calloc(1, sizeof(*ld))) ||
	    !(cfg->path = cfg_strdup(cfg, path))) {
		cfg_err(err, errlen, path, 0, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	ld->cfg = cfg;
	ld->err = err;
	ld->errlen = errlen;
	if ((rc = cfg_parse(path, cfg_on_event, ld, err, errlen)) < 0 ||
	    (rc = check_file(ld)) < 0 ||
	    (rc = cfg_read_uidgid_dir(ld, path)) < 0)
		goto out;
	cfg_uidgid_finish(cfg);
	if (ld->dropped) {
		/* cfg_warn() always leaves room for this one. */
		char *line = NULL;
		const char *s = NULL;

		if (asprintf(&line, "%s: %zu more warnings not shown", path,
		    ld->dropped) >= 0)
			s = cfg_strdup(cfg, line);
		free(line);
		if (!s) {
			cfg_err(err, errlen, path, 0, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
		cfg->warnings[cfg->n_warnings++] = s;
	}
out:
	free(ld);
	if (rc < 0)
		cohort_config_free(cfg);
	return rc;
}
