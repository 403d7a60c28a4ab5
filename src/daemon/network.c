/*
 * network.c: the cluster network as cohortd sets it up (network.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "daemon/cfgcheck.h"
#include "daemon/config/config.h"
#include "daemon/netconf.h"
#include "daemon/network.h"
#include "daemon/statedir.h"
#include "daemon/transport/transport.h"
#include "daemon/transport/unreach.h"

/* A configuration that differs from a node's is logged when it is new
 * or changed, and again at most once per this interval while it lasts. */
#define CONFIG_LOG_INTERVAL_MS 60000u
/* How often the replay windows are written to the state directory when
 * they moved: frames taken in the last interval before a crash of the
 * daemon could be taken once more after its restart. */
#define REPLAY_SAVE_MS 1000u

static void on_datagram(void *arg, uint32_t from, const uint8_t *buf,
    size_t len)
{
	struct network *nw = arg;

	nw->hooks.datagram(nw->hooks.arg, from, buf, len);
}

static void on_unreachable(void *arg, uint32_t nodeid)
{
	struct network *nw = arg;

	nw->hooks.unreachable(nw->hooks.arg, nodeid);
}

static size_t node_index(const struct network *nw, uint32_t nodeid)
{
	for (size_t i = 0; i < nw->n_nodes; i++)
		if (nw->node_ids[i] == nodeid)
			return i;
	return nw->n_nodes;
}

/* A peer's configuration summary differs from ours: logs which values. */
static void on_config_differs(void *arg, uint32_t nodeid,
    const uint8_t *summary, size_t len)
{
	struct network *nw = arg;
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	size_t i = node_index(nw, nodeid), n;
	uint32_t digest = cfgcheck_digest((const char *)summary, len);
	uint64_t now = loop_now(nw->loop);

	if (i == nw->n_nodes || !nw->cfgsum)
		return;
	if (nw->cfg_logged_at[i] && nw->cfg_logged_digest[i] == digest &&
	    now - nw->cfg_logged_at[i] < CONFIG_LOG_INTERVAL_MS)
		return;
	nw->cfg_logged_at[i] = now;
	nw->cfg_logged_digest[i] = digest;
	n = cfgcheck_compare(nw->cfgsum->text, nw->cfgsum->len,
	    (const char *)summary, len, df, CFGCHECK_DIFF_MAX);
	log_warnx("node %u has a configuration that differs from this "
	    "node's in %zu value(s); its datagrams are dropped here until the "
	    "two agree", nodeid, n);
	for (size_t k = 0; k < n && k < CFGCHECK_DIFF_MAX; k++)
		log_warnx("node %u: %.*s is '%.*s' here, '%.*s' there", nodeid,
		    (int)df[k].key_len, df[k].key, (int)df[k].ours_len,
		    df[k].ours, (int)df[k].theirs_len, df[k].theirs);
}

/* Every REPLAY_SAVE_MS while the daemon runs. */
static void on_replay_save(void *arg)
{
	struct network *nw = arg;

	statedir_save_replay(nw->state, nw->transport);
	loop_timer_arm(nw->loop, &nw->replay_save, loop_now(nw->loop) +
	    REPLAY_SAVE_MS);
}

/* What the transport needs for its replay and configuration checks:
 * this run's incarnation, and the summary of what must agree. */
static int setup_checks(struct network *nw, const struct cohort_config *cfg,
    const struct proto_config *pc, struct transport_config *tc)
{
	size_t room = tc->max_payload < TRANSPORT_SUMMARY_MAX ?
	    tc->max_payload : TRANSPORT_SUMMARY_MAX;
	int rc = statedir_incarnation(nw->state, &tc->incarnation);

	if (rc < 0) {
		log_warnx("state directory %s: %s", nw->state->dir,
		    strerror(-rc));
		return rc;
	}
	nw->cfgsum = malloc(sizeof(*nw->cfgsum));
	if (!nw->cfgsum)
		return -ENOMEM;
	rc = cfgcheck_build(nw->cfgsum, cfg, tc, pc->timing.token_ms, room);
	if (rc < 0) {
		log_warnx("the configuration summary does not fit in %zu bytes",
		    room);
		return rc;
	}
	tc->config_digest = nw->cfgsum->digest;
	tc->summary = (const uint8_t *)nw->cfgsum->text;
	tc->summary_len = nw->cfgsum->len;
	tc->config_differs = on_config_differs;
	nw->summary_tc = malloc(sizeof(*nw->summary_tc));
	if (!nw->summary_tc)
		return -ENOMEM;
	*nw->summary_tc = *tc;
	nw->summary_tc->key = tc->key ? (const uint8_t *)nw->summary_tc : NULL;
	nw->summary_room = room;
	nw->cfg = cfg;
	nw->token_ms = pc->timing.token_ms;
	log_info("incarnation %" PRIu64 ", configuration digest %08" PRIx32,
	    tc->incarnation, tc->config_digest);
	return 0;
}

/* The UDP transport, for a nodelist of more than one node. The key is
 * held in locked memory (sodium_malloc: kept out of swap, wiped when
 * freed) while it passes to the transport, which keeps its own such copy. */
int network_setup(struct network *nw, const struct cohort_config *cfg,
    struct proto_config *pc)
{
	struct transport_config tc;
	uint8_t *key = NULL;
	char err[512];
	int rc;

	if (cfg->n_nodes < 2)
		return 0;
	rc = netconf_transport(cfg, nw->nodeid, &tc, err, sizeof(err));
	if (rc < 0) {
		log_warnx("%s", err);
		return rc;
	}
	if (cfg->crypto_cipher != COHORT_CIPHER_NONE ||
	    cfg->crypto_hash != COHORT_HASH_NONE) {
		if (sodium_init() < 0 ||
		    !(key = sodium_malloc(TRANSPORT_KEY_LEN))) {
			log_warnx("cannot allocate locked memory for the key");
			return -ENOMEM;
		}
		rc = netconf_key(cfg, key, err, sizeof(err));
		if (rc < 0) {
			log_warnx("%s", err);
			sodium_free(key);
			return rc;
		}
		tc.key = key;
	} else {
		log_warnx("crypto_cipher and crypto_hash are none: cluster "
		    "traffic is neither authenticated nor encrypted");
	}
	pc->mtu = (uint32_t)tc.max_payload;
	if (cfg->fail_on_port_unreachable) {
		tc.unreachable = on_unreachable;
		tc.unreachable_quiet_ms = pc->timing.token_ms /
		    UNREACH_QUIET_DIV;
		tc.unreachable_age_ms = pc->timing.token_ms;
	}
	rc = setup_checks(nw, cfg, pc, &tc);
	if (rc == 0) {
		rc = transport_new(nw->loop, &tc, on_datagram, nw,
		    &nw->transport);
		if (rc < 0)
			log_warnx("cannot bind this node's address (node %u): %s",
			    nw->nodeid, strerror(-rc));
	}
	sodium_free(key);
	if (rc == 0)
		statedir_load_replay(nw->state, nw->transport);
	return rc;
}

static bool has_peer(const struct transport_config *tc, uint32_t id)
{
	for (size_t i = 0; i < tc->n_peers; i++)
		if (tc->peers[i].nodeid == id)
			return true;
	return false;
}

static bool in_config(const struct cohort_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == id)
			return true;
	return false;
}

/* Whether `fresh` names a node the transport does not have. */
static bool has_new_node(const struct network *nw,
    const struct cohort_config *fresh)
{
	for (size_t i = 0; i < fresh->n_nodes; i++)
		if (!has_peer(nw->summary_tc, fresh->nodes[i].nodeid))
			return true;
	return false;
}

/* The peers of `fresh` (resolved) that the transport does not have, in
 * `tc`; how many in *n_new. 0 or -errno with the reason in `err`. */
static int new_peers(const struct network *nw,
    const struct cohort_config *fresh, struct transport_config *tc,
    size_t *n_new, char *err, size_t errlen)
{
	sa_family_t family = nw->summary_tc->peers[0].addr.ss_family;
	int rc = netconf_transport(fresh, nw->nodeid, tc, err, errlen);

	*n_new = 0;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < tc->n_peers; i++) {
		if (has_peer(nw->summary_tc, tc->peers[i].nodeid))
			continue;
		if (tc->peers[i].addr.ss_family != family) {
			snprintf(err, errlen, "node %u's address is not of this "
			    "cluster's address family", tc->peers[i].nodeid);
			return -EINVAL;
		}
		(*n_new)++;
	}
	return 0;
}

int network_check_nodes(const struct network *nw,
    const struct cohort_config *fresh, char *err, size_t errlen)
{
	struct transport_config tc;
	size_t n_new;

	if (!nw->transport)
		return 0;
	return new_peers(nw, fresh, &tc, &n_new, err, errlen);
}

int network_reconfigure(struct network *nw, const struct cohort_config *fresh,
    uint32_t token_ms)
{
	struct transport_config tc;
	struct cfgcheck next;
	size_t n_new = 0, removed = 0;
	uint32_t grace;
	char err[256];
	int rc;

	if (!nw->transport)
		return 0;
	/* Addresses are resolved only for nodes the transport lacks (a
	 * reload refuses an address changed). */
	if (has_new_node(nw, fresh) &&
	    (rc = new_peers(nw, fresh, &tc, &n_new, err, sizeof(err))) < 0) {
		log_warnx("the nodelist: %s", err);
		return rc;
	}
	for (size_t i = 0; i < nw->summary_tc->n_peers;) {
		uint32_t id = nw->summary_tc->peers[i].nodeid;

		if (id == nw->nodeid || in_config(fresh, id)) {
			i++;
			continue;
		}
		if ((rc = transport_remove_peer(nw->transport, id)) < 0) {
			log_warnx("node %u not removed from the transport: %s",
			    id, strerror(-rc));
			return rc;
		}
		nw->summary_tc->peers[i] =
		    nw->summary_tc->peers[--nw->summary_tc->n_peers];
		removed++;
		log_info("node %u removed from the transport", id);
	}
	if (n_new == 0 && removed == 0 && token_ms == nw->token_ms)
		return 0;
	for (size_t i = 0; n_new && i < tc.n_peers; i++) {
		if (has_peer(nw->summary_tc, tc.peers[i].nodeid))
			continue;
		if ((rc = transport_add_peer(nw->transport, &tc.peers[i],
		    tc.link_addr[i])) < 0) {
			log_warnx("node %u not added to the transport: %s",
			    tc.peers[i].nodeid, strerror(-rc));
			return rc;
		}
		nw->summary_tc->peers[nw->summary_tc->n_peers++] = tc.peers[i];
		log_info("node %u added to the transport", tc.peers[i].nodeid);
	}
	rc = cfgcheck_build(&next, nw->cfg, nw->summary_tc, token_ms,
	    nw->summary_room);
	if (rc < 0) {
		log_warnx("the configuration summary with token %u ms: %s",
		    token_ms, strerror(-rc));
		return rc;
	}
	grace = NETWORK_DIGEST_GRACE_TOKENS *
	    (token_ms > nw->token_ms ? token_ms : nw->token_ms);
	log_info("configuration digest %08" PRIx32 " (token %u ms, %zu "
	    "nodes); the previous one, %08" PRIx32 ", still sent for %u ms "
	    "and taken for twice that", next.digest, token_ms,
	    nw->summary_tc->n_peers, nw->cfgsum->digest, grace);
	/* In place: the status and the transport point at it. */
	*nw->cfgsum = next;
	nw->token_ms = token_ms;
	transport_set_config(nw->transport, nw->cfgsum->digest,
	    (const uint8_t *)nw->cfgsum->text, nw->cfgsum->len, grace);
	return 0;
}

void network_start(struct network *nw)
{
	nw->replay_save = (struct loop_timer){ .fn = on_replay_save,
	    .arg = nw };
	if (nw->transport)
		loop_timer_arm(nw->loop, &nw->replay_save, loop_now(nw->loop) +
		    REPLAY_SAVE_MS);
}

void network_stop(struct network *nw)
{
	loop_timer_disarm(nw->loop, &nw->replay_save);
	statedir_save_replay(nw->state, nw->transport);
	transport_free(nw->transport);
	nw->transport = NULL;
	free(nw->cfgsum);
	nw->cfgsum = NULL;
	free(nw->summary_tc);
	nw->summary_tc = NULL;
}

