/*
 * cmap/stats.c: the STATS map (services-reference §2.7, §2.9): keys
 * computed from the daemon's counters, kept in a map of their own so
 * that iteration and tracking work as on the daemon's map.
 *
 * A refresh of a prefix computes the keys with that prefix into a
 * scratch map (only the groups of keys that can have it: a get of one
 * connection's key reads that connection only), deletes the STATS keys
 * with the prefix that are no longer there (a closed connection's) and
 * sets the others: an unchanged value tells no one, a changed one is a
 * MODIFY for its exact trackers, a new one an ADD. A get refreshes its
 * key, an iterator its prefix when it starts (iterating tells keys,
 * types and lengths, which do not change in between), a new STATS
 * tracker its key, and every CMAP_STATS_POLL_MS while STATS trackers
 * exist the whole map is refreshed.
 *
 * Cohort has the meaning of these corosync keys (the others are listed
 * in docs/compatibility.md):
 *   stats.srp.{mcast_tx, mcast_retx, mcast_rx, rx_msg_dropped,
 *     operational_entered, operational_token_lost}   the engine's counters
 *   stats.pg.{msg_queue_avail, msg_reserved}   the local send queue, bytes
 *   stats.ipcs.global.{active, closed}
 *   stats.ipcs.service<S>.<pid>.<id>.{procname, requests, responses,
 *     dispatched, queued, flow_control, flow_control_count}: per
 *     connection, S corosync's number of its first request's service
 *     (none for cohortctl's status), id the connection's
 *   stats.knet.node<N>.link0.{enabled, connected, mtu}: per node of
 *     the nodelist, on the one link Cohort uses
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/cmap/cmap_int.h"
#include "daemon/config/config.h"
#include "daemon/ipcs/ipcs.h"
#include "daemon/ordering.h"
#include "daemon/transport/transport.h"

/* The MTU corosync shows for the local node's link. */
#define LOCAL_LINK_MTU 65535u
/* A process name as corosync shows it: at most this many characters. */
#define PROCNAME_MAX 15

/* The actions of stats.clear.NAME, corosync's names. */
enum clear_what { CLEAR_KNET = 1, CLEAR_IPC = 2, CLEAR_TOTEM = 4,
	CLEAR_SCHEDMISS = 8 };

static const struct {
	const char *key;
	int what;
} clears[] = {
	{ "stats.clear.knet", CLEAR_KNET },
	{ "stats.clear.ipc", CLEAR_IPC },
	{ "stats.clear.totem", CLEAR_TOTEM },
	{ "stats.clear.schedmiss", CLEAR_SCHEDMISS },
	{ "stats.clear.all", CLEAR_KNET | CLEAR_IPC | CLEAR_TOTEM |
	    CLEAR_SCHEDMISS },
};

/* Whether keys starting with `group` can start with `prefix`: one of
 * the two starts with the other. */
static bool overlaps(const char *group, const char *prefix)
{
	size_t g = strlen(group), p = strlen(prefix);

	return strncmp(group, prefix, g < p ? g : p) == 0;
}

static void srp_keys(const struct cmap_svc *svc, struct icmap *m,
    const struct proto_status *st)
{
	const struct proto_stats *s = &st->stats, *b = &svc->srp_base;

	icmap_set_u64(m, "stats.srp.mcast_tx", s->originated - b->originated);
	icmap_set_u64(m, "stats.srp.mcast_retx", s->retransmits - b->retransmits);
	icmap_set_u64(m, "stats.srp.mcast_rx", s->delivered - b->delivered);
	icmap_set_u64(m, "stats.srp.rx_msg_dropped", s->rx_dropped - b->rx_dropped);
	icmap_set_u64(m, "stats.srp.operational_entered",
	    s->configurations - b->configurations);
	icmap_set_u64(m, "stats.srp.operational_token_lost",
	    s->token_losses - b->token_losses);
	icmap_set_u32(m, "stats.pg.msg_queue_avail", (uint32_t)(st->send_queue_bytes -
	    st->send_queue_used));
	icmap_set_u32(m, "stats.pg.msg_reserved", (uint32_t)st->send_queue_used);
}

/* The name of process `pid` (its comm), or "" when it cannot be read. */
static void procname(pid_t pid, char out[PROCNAME_MAX + 1])
{
	char path[64];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, out, PROCNAME_MAX);
	close(fd);
	if (n <= 0)
		return;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* A connection's keys, under `group` ("stats.ipcs.service<S>.<pid>.<id>."). */
static void conn_keys(struct icmap *m, struct conn *c, const char *group)
{
	char key[ICMAP_KEY_MAX + 1], name[PROCNAME_MAX + 1];
	int at = snprintf(key, sizeof(key), "%s", group);

#define KEY(what) (snprintf(key + at, sizeof(key) - (size_t)at, "%s", \
	what), key)
	procname(c->pid, name);
	icmap_set_str(m, KEY("procname"), name);
	icmap_set_u64(m, KEY("requests"), c->n_requests);
	icmap_set_u64(m, KEY("responses"), c->n_replies);
	icmap_set_u64(m, KEY("dispatched"), c->n_events);
	icmap_set_u32(m, KEY("queued"), (uint32_t)ipcs_conn_queued(c));
	icmap_set_u32(m, KEY("flow_control"), c->fc_evq);
	icmap_set_u64(m, KEY("flow_control_count"), c->n_fc);
#undef KEY
}

/* corosync's number of each service (its engines' order, in which
 * pload is 4); -1: a service of Cohort's own, without STATS keys. */
static const int corosync_id[SERVICE_MAX] = {
	[SERVICE_CMAP] = 0, [SERVICE_CFG] = 1, [SERVICE_CPG] = 2,
	[SERVICE_QUORUM] = 3, [SERVICE_VOTEQUORUM] = 5, [SERVICE_STATUS] = -1,
};

static void ipcs_keys(const struct cmap_svc *svc, struct icmap *m,
    const char *prefix)
{
	char group[ICMAP_KEY_MAX + 1];
	uint64_t active = 0;
	unsigned int sid, id = 0;
	int pid, end = 0;

	/* A prefix naming one connection ("...service<S>.<pid>.<id>." and
	 * more): only that connection's keys are computed, found by id
	 * without formatting every connection's group. */
	if (sscanf(prefix, "stats.ipcs.service%u.%d.%u.%n", &sid, &pid, &id,
	    &end) < 3 || end == 0)
		id = 0;
	for (struct conn *c = ipcs_first(svc->ipcs); c; c = c->next) {
		if (c->dead)
			continue;
		active++;
		if (!c->first_service ||
		    corosync_id[c->first_service - 1] < 0 ||
		    (id && c->id != id))
			continue;
		snprintf(group, sizeof(group), "stats.ipcs.service%d.%d.%" PRIu32
		    ".", corosync_id[c->first_service - 1], (int)c->pid, c->id);
		if (overlaps(group, prefix))
			conn_keys(m, c, group);
	}
	icmap_set_u64(m, "stats.ipcs.global.active", active);
	icmap_set_u64(m, "stats.ipcs.global.closed", svc->closed - svc->closed_base);
}

/* The link to each node of the nodelist: up when a good datagram came
 * from it within the token timeout (as `cohortctl status` says). */
static void knet_keys(const struct cmap_svc *svc, struct icmap *m,
    uint32_t token_ms)
{
	const struct cohort_config *cfg = svc->cfg;
	uint32_t mtu = cfg->transport == COHORT_TRANSPORT_KNET ?
	    (cfg->knet_mtu ? cfg->knet_mtu : COHORT_CONFIG_DEFAULT_KNET_MTU) :
	    cfg->netmtu;
	uint64_t now = svc->loop ? loop_now(svc->loop) : 0;
	char key[ICMAP_KEY_MAX + 1];

	for (size_t i = 0; i < cfg->n_nodes; i++) {
		uint32_t id = cfg->nodes[i].nodeid;
		bool local = id == svc->nodeid;
		uint64_t last = local || !svc->transport ? 0 :
		    transport_last_rx(svc->transport, id);

		snprintf(key, sizeof(key), "stats.knet.node%" PRIu32
		    ".link0.enabled", id);
		icmap_set_u8(m, key, 1);
		snprintf(key, sizeof(key), "stats.knet.node%" PRIu32
		    ".link0.connected", id);
		icmap_set_u8(m, key, local || (last && now - last <= token_ms));
		snprintf(key, sizeof(key), "stats.knet.node%" PRIu32
		    ".link0.mtu", id);
		icmap_set_u32(m, key, local ? LOCAL_LINK_MTU : mtu);
	}
}

void cmap_stats_refresh(struct cmap_svc *svc, const char *prefix)
{
	struct icmap *now;
	struct icmap_value v;
	struct proto_status st;
	const char *k;
	char last[ICMAP_KEY_MAX + 1] = "";

	if (icmap_new(&now) < 0) {
		log_warnx("cmap: out of memory computing the STATS map");
		return;
	}
	memset(&st, 0, sizeof(st));
	if (svc->ordering)
		ordering_status(svc->ordering, &st);
	if (overlaps("stats.srp.", prefix) || overlaps("stats.pg.", prefix))
		srp_keys(svc, now, &st);
	if (svc->ipcs && overlaps("stats.ipcs.", prefix))
		ipcs_keys(svc, now, prefix);
	if (overlaps("stats.knet.", prefix))
		knet_keys(svc, now, st.token_ms);
	/* Gone keys first, in order, then the new values. */
	for (k = icmap_next(svc->stats, prefix, NULL, NULL); k;
	    k = icmap_next(svc->stats, prefix, last, NULL)) {
		snprintf(last, sizeof(last), "%s", k);
		if (icmap_get(now, k, &v) < 0)
			icmap_delete(svc->stats, last);
	}
	for (k = icmap_next(now, prefix, NULL, &v); k;
	    k = icmap_next(now, prefix, k, &v))
		icmap_set(svc->stats, k, v.type, v.data, v.len);
	icmap_free(now);
}

uint32_t cmap_stats_clear(struct cmap_svc *svc, const char *key)
{
	int what = 0;

	for (size_t i = 0; i < sizeof(clears) / sizeof(clears[0]); i++)
		if (strcmp(key, clears[i].key) == 0)
			what = clears[i].what;
	if (!what)
		return CS_ERR_NOT_SUPPORTED;
	if ((what & CLEAR_TOTEM) && svc->ordering) {
		struct proto_status st;

		ordering_status(svc->ordering, &st);
		svc->srp_base = st.stats;
	}
	if (what & CLEAR_IPC) {
		svc->closed_base = svc->closed;
		for (struct conn *c = svc->ipcs ? ipcs_first(svc->ipcs) : NULL;
		    c; c = c->next)
			c->n_requests = c->n_replies = c->n_events = c->n_fc = 0;
	}
	/* CLEAR_KNET and CLEAR_SCHEDMISS: the link keys Cohort has are
	 * states, not counters, and it records no scheduling misses. */
	return CS_OK;
}

void cmap_stats_poll(void *arg)
{
	struct cmap_svc *svc = arg;

	if (!svc->n_stats_tracks)
		return;
	cmap_stats_refresh(svc, "");
	loop_timer_arm(svc->loop, &svc->poll,
	    loop_now(svc->loop) + CMAP_STATS_POLL_MS);
}

void cmap_stats_tracked(struct cmap_svc *svc, bool added)
{
	if (!added) {
		svc->n_stats_tracks--;
		return;
	}
	if (svc->n_stats_tracks++ == 0 && svc->loop)
		loop_timer_arm(svc->loop, &svc->poll,
		    loop_now(svc->loop) + CMAP_STATS_POLL_MS);
}
