/*
 * config_link.c: the links (networks) of a configuration: the
 * totem.interface sections, the checks of each node's ringN_addr, and once
 * the whole file is read, the checks and corosync 3.1.7's defaults of
 * every link (config.h, struct cohort_interface).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/config/config_int.h"

static const char *const noeffect_iface[] = {
	"ringnumber", "broadcast", "ttl", "knet_", NULL,
};

int cfg_iface_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	static const char *const knet_keys[] = { "knet_link_priority",
	    "knet_ping_interval", "knet_ping_timeout", "knet_ping_precision",
	    "knet_pong_count", NULL };
	struct cohort_interface *i = &ld->iface;
	uint32_t v;
	int rc;

	for (int k = 0; knet_keys[k] && !ld->knet_key_line; k++) {
		if (strcmp(ev->name, knet_keys[k]) == 0) {
			ld->knet_key = knet_keys[k];
			ld->knet_key_line = ev->line;
		}
	}

	if (strcmp(ev->name, "linknumber") == 0)
		return cfg_get_u32(ld, ev, 0, COHORT_CONFIG_MAX_LINKS - 1,
		    &i->linknumber);
	if (strcmp(ev->name, "bindnetaddr") == 0)
		return cfg_get_str(ld, ev, &i->bindnetaddr);
	if (strcmp(ev->name, "mcastaddr") == 0) {
		struct in_addr a4;
		struct in6_addr a6;

		if (!(inet_pton(AF_INET, ev->value, &a4) == 1 &&
		    IN_MULTICAST(ntohl(a4.s_addr))) &&
		    !(inet_pton(AF_INET6, ev->value, &a6) == 1 &&
		    IN6_IS_ADDR_MULTICAST(&a6)))
			return cfg_bad_value(ld, ev, "an IPv4 or IPv6 multicast "
			    "address");
		return cfg_get_str(ld, ev, &i->mcastaddr);
	}
	if (strcmp(ev->name, "mcastport") == 0) {
		if ((rc = cfg_get_u32(ld, ev, 1, UINT16_MAX, &v)) < 0)
			return rc;
		i->mcastport = (uint16_t)v;
		return 0;
	}
	if (strcmp(ev->name, "knet_link_priority") == 0) {
		if ((rc = cfg_get_u32(ld, ev, 0, UINT8_MAX, &v)) < 0)
			return rc;
		i->knet_link_priority = (uint8_t)v;
		ld->iface_priority_set = true;
		return 0;
	}
	/* As in corosync, 0 stands for the default in the four below. */
	if (strcmp(ev->name, "knet_ping_interval") == 0) {
		i->ping_interval_set = true;
		return cfg_get_u32(ld, ev, 0, TIMEOUT_MAX_MS,
		    &i->knet_ping_interval);
	}
	if (strcmp(ev->name, "knet_ping_timeout") == 0) {
		i->ping_timeout_set = true;
		return cfg_get_u32(ld, ev, 0, TIMEOUT_MAX_MS,
		    &i->knet_ping_timeout);
	}
	if (strcmp(ev->name, "knet_ping_precision") == 0)
		return cfg_get_u32(ld, ev, 0, COUNT_MAX,
		    &i->knet_ping_precision);
	if (strcmp(ev->name, "knet_pong_count") == 0) {
		ld->iface_pong_line = ev->line;
		return cfg_get_u32(ld, ev, 0, COHORT_CONFIG_PONG_COUNT_MAX,
		    &i->knet_pong_count);
	}
	return cfg_unknown(ld, ev, noeffect_iface);
}

/* The end of a totem.interface section: what it gives is merged into its
 * link (sections for one link merge, as in corosync). Whether a node has
 * an address on that link is checked once the file is read. */
int cfg_iface_end(struct cfg_loader *ld, const struct cfg_event *ev)
{
	const struct cohort_interface *from = &ld->iface;
	struct cohort_interface *to = &ld->cfg->links[from->linknumber];

	if (to->line) {
		if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->open_line,
		    "section '%s' for link %u given again (first at line %u): "
		    "the sections are merged, the last value of a key counts",
		    ev->path, from->linknumber, to->line) < 0)
			return cfg_oom(ld, ev);
	} else {
		to->line = ev->open_line;
	}
	if (from->bindnetaddr)
		to->bindnetaddr = from->bindnetaddr;
	if (from->mcastaddr)
		to->mcastaddr = from->mcastaddr;
	if (from->mcastport)
		to->mcastport = from->mcastport;
	if (ld->iface_priority_set)
		to->knet_link_priority = from->knet_link_priority;
	/* A 0 given for a ping timer means "derived", as not given. */
	if (from->ping_interval_set) {
		to->knet_ping_interval = from->knet_ping_interval;
		to->ping_interval_set = from->knet_ping_interval != 0;
	}
	if (from->ping_timeout_set) {
		to->knet_ping_timeout = from->knet_ping_timeout;
		to->ping_timeout_set = from->knet_ping_timeout != 0;
	}
	if (from->knet_ping_precision)
		to->knet_ping_precision = from->knet_ping_precision;
	if (from->knet_pong_count) {
		to->knet_pong_count = from->knet_pong_count;
		ld->pong_line[from->linknumber] = ld->iface_pong_line;
	}
	return 0;
}

/* The address family of a numeric address, AF_UNSPEC for a host name
 * (whose family is known only when it is resolved). An IPv6 address may
 * carry a zone ("fe80::1%eth0"). */
static int addr_family(const char *s)
{
	unsigned char a[sizeof(struct in6_addr)];
	char v6[INET6_ADDRSTRLEN];
	size_t n = strcspn(s, "%");

	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	if (n < sizeof(v6)) {
		memcpy(v6, s, n);
		v6[n] = '\0';
		if (inet_pton(AF_INET6, v6, a) == 1)
			return AF_INET6;
	}
	return AF_UNSPEC;
}

/* The addresses of the node just read, link by link: not one address on
 * two of its links (that would be no redundancy), one address family per
 * link, and a warning when another node has the same address on it. */
int cfg_node_links(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_config *cfg = ld->cfg;
	const struct cohort_node *node = &ld->node;

	for (unsigned l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		const char *a = node->addr[l];
		unsigned line = ld->addr_line[l];
		int family;

		if (!a)
			continue;
		for (unsigned k = 0; k < l; k++) {
			if (node->addr[k] && cfg_same_addr(node->addr[k], a)) {
				cfg_err(ld->err, ld->errlen, ev->file, line,
				    "key '%s.ring%u_addr': %s is also this "
				    "node's ring%u_addr (line %u): two links "
				    "need two addresses", ev->path, l, a, k,
				    ld->addr_line[k]);
				return -EINVAL;
			}
		}
		family = addr_family(a);
		if (family != AF_UNSPEC && ld->link_family[l] != AF_UNSPEC &&
		    family != ld->link_family[l]) {
			cfg_err(ld->err, ld->errlen, ev->file, line,
			    "key '%s.ring%u_addr': %s is an %s address, but "
			    "link %u is %s (the address at line %u): one link "
			    "has one address family", ev->path, l, a,
			    family == AF_INET ? "IPv4" : "IPv6", l,
			    family == AF_INET ? "IPv6" : "IPv4",
			    ld->link_family_line[l]);
			return -EINVAL;
		}
		if (family != AF_UNSPEC && ld->link_family[l] == AF_UNSPEC) {
			ld->link_family[l] = family;
			ld->link_family_line[l] = line;
		}
		if (!ld->link_line[l])
			ld->link_line[l] = line;
		/* Not an error: nodes may share a host when something else
		 * (the port) tells them apart, but in a file that is rarely
		 * meant. */
		for (size_t i = 0; i < cfg->n_nodes; i++) {
			if (!cfg->nodes[i].addr[l] ||
			    !cfg_same_addr(cfg->nodes[i].addr[l], a))
				continue;
			if (cfg_warn(cfg, &ld->dropped, ev->file, line,
			    "key '%s.ring%u_addr': %s is also the address of "
			    "node %u (line %u)", ev->path, l, a,
			    cfg->nodes[i].nodeid, cfg->nodes[i].line) < 0)
				return cfg_oom(ld, ev);
			break;
		}
		cfg->links[l].n_addrs++;
	}
	return 0;
}

/* What a link leaves out, as corosync 3.1.7 fills it in (totemconfig.c):
 * the port 5405 + N, and the ping timers derived from the effective
 * token so that a link to a peer is found down within a token timeout. */
void cfg_link_defaults(struct cohort_config *cfg)
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
	cfg_link_defaults(cfg);
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
	return 0;
}
