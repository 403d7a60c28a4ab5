/*
 * cmap/members.c: runtime.members.<nodeid>.* (services-reference §2.8),
 * brought up to date on each regular configuration change, before CPG
 * hears of it: a node that joins gets its addresses, a join count (1,
 * then one more on every later join) and status "joined"; one that
 * leaves keeps its keys with status "left". (config_version comes with
 * each node's message, version.c.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/cmap/cmap_int.h"
#include "daemon/config/config.h"

#define MEMBER_KEY(buf, nodeid, what) \
	snprintf(buf, sizeof(buf), "runtime.members.%" PRIu32 ".%s", \
	    nodeid, what)

/* The ip value corosync shows: "r(L) ip(ADDR) " for each link L the node
 * has an address on, as the configuration names it. */
static void node_ip(const struct cohort_config *cfg, uint32_t nodeid,
    char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		const struct cohort_node *n = &cfg->nodes[i];

		if (n->nodeid != nodeid)
			continue;
		for (int l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
			int w;

			if (!n->addr[l])
				continue;
			w = snprintf(buf + at, len - at, "r(%d) ip(%s) ", l,
			    n->addr[l]);
			if (w < 0 || (size_t)w >= len - at)
				break;
			at += (size_t)w;
		}
		return;
	}
}

static bool has(const uint32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void member_left(struct cmap_svc *svc, uint32_t nodeid)
{
	char key[ICMAP_KEY_MAX + 1];

	MEMBER_KEY(key, nodeid, "status");
	icmap_set_str(svc->map, key, "left");
}

static void member_joined(struct cmap_svc *svc, uint32_t nodeid)
{
	char key[ICMAP_KEY_MAX + 1], ip[ICMAP_KEY_MAX + 1];
	struct icmap_value v;

	MEMBER_KEY(key, nodeid, "ip");
	if (icmap_get(svc->map, key, &v) == 0) {
		MEMBER_KEY(key, nodeid, "join_count");
		icmap_adjust(svc->map, key, 1);
	} else {
		node_ip(svc->cfg, nodeid, ip, sizeof(ip));
		icmap_set_str(svc->map, key, ip);
		MEMBER_KEY(key, nodeid, "join_count");
		icmap_set_u32(svc->map, key, 1);
	}
	MEMBER_KEY(key, nodeid, "status");
	icmap_set_str(svc->map, key, "joined");
}

void cmap_members_confchg(struct cmap_svc *svc, const struct proto_conf *conf)
{
	if (conf->type != PROTO_CONF_REGULAR)
		return;
	for (size_t i = 0; i < svc->n_members; i++)
		if (!has(conf->members, conf->n_members, svc->members[i]))
			member_left(svc, svc->members[i]);
	for (size_t i = 0; i < conf->n_members; i++)
		if (!has(svc->members, svc->n_members, conf->members[i]))
			member_joined(svc, conf->members[i]);
	svc->n_members = conf->n_members;
	memcpy(svc->members, conf->members,
	    conf->n_members * sizeof(conf->members[0]));
}
