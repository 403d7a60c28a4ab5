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

#include "daemon/config/config_int.h"

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
	cfg_logging_defaults(&cfg->logging);
}

/* netmtu when not given: corosync's for the transport. */
static void default_netmtu(struct cohort_config *cfg)
{
	if (cfg->netmtu == 0)
		cfg->netmtu = cfg->transport == COHORT_TRANSPORT_KNET ?
		    COHORT_CONFIG_DEFAULT_KNET_NETMTU :
		    COHORT_CONFIG_DEFAULT_NETMTU;
}

void cohort_config_defaults(struct cohort_config *cfg)
{
	base_defaults(cfg);
	default_netmtu(cfg);
	cfg->n_nodes = 1;
	cfg->nodes[0].nodeid = 1;
	cfg->nodes[0].ring0_addr = "127.0.0.1";
	cfg->links[0].n_addrs = 1;
	cfg_link_defaults(cfg);
	cfg->local_nodeid = 1;
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
	if ((rc = cfg_logging_finish(ld)) < 0)
		return rc;
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
