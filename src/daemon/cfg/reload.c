/*
 * cfg/reload.c: a node re-reads its own configuration file on an ordered
 * RELOAD (corosync_cfg_reload_config, services-reference §5.4).
 *
 * A file that does not load (syntax, a failed check, a value that does
 * not fit its key in the map, a log file that cannot be opened), or
 * that changes what cannot change at run time (check_fixed,
 * check_removals), is refused with CS_ERR_INVALID_PARAM and changes
 * nothing. Otherwise, at the RELOAD's point of the order on every node:
 *   - the logging section is applied (log_apply; -d keeps debug on) and
 *     the uidgid sections (of the file and of uidgid.d) too: the map's
 *     logging.* and uidgid.config.uid.<uid> / gid.<gid> keys become the
 *     file's (ADD, MODIFY and DELETE notified); the IPC server asks the
 *     map about each new connection;
 *   - the totem timing goes to the engine (apply_timing), the nodes
 *     added to or removed from the nodelist to the engine, the
 *     transport, the configuration summary and main.c's tables
 *     (apply_nodes), and votequorum re-reads its votes (the reloaded
 *     hook); their keys in the map become the file's;
 *   - every other key is compared with the running one, key by key in
 *     corosync's dotted names (totem.netmtu), through the canonical form
 *     `cohortd -t` prints: each one that changed (added, removed or
 *     modified) is logged as corosync logs a key that cannot change at
 *     run time, and the running value stays, in the daemon and in the
 *     map.
 * The config.reload_* keys tell the map's readers, as corosync's do.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/corotypes.h>

#include "common/log.h"
#include "daemon/cfg/cfg_int.h"
#include "daemon/config/config.h"
#include "daemon/config/config_keys.h"
#include "daemon/icmap.h"
#include "daemon/network.h"
#include "daemon/ordering.h"

/* Keys of a configuration's canonical form at most (a full nodelist of
 * eight links, every totem and interface key, logging, uidgid). */
#define RELOAD_KEYS_MAX 4096u
#define RELOAD_SECTIONS_MAX 32u

struct flat {
	char *text;              /* the canonical form, cut into lines */
	size_t n;
	char *key[RELOAD_KEYS_MAX];    /* "totem.token", into `names` */
	char *value[RELOAD_KEYS_MAX];  /* into `text` */
	char *names;             /* the keys, NUL-separated */
	size_t names_len, names_cap;
};

/* Sections whose instances corosync numbers in its key names. */
static bool numbered(const char *name)
{
	return strcmp(name, "node") == 0 || strcmp(name, "interface") == 0;
}

static char *add_name(struct flat *f, const char *path, const char *key)
{
	size_t need = strlen(path) + strlen(key) + 2;
	size_t at = f->names_len;

	if (f->names_len + need > f->names_cap) {
		size_t cap = f->names_cap ? f->names_cap * 2 : 8192;
		char *grown;

		while (cap < f->names_len + need)
			cap *= 2;
		grown = realloc(f->names, cap);
		if (!grown)
			return NULL;
		/* Keys already taken point into the old block: move them. */
		for (size_t i = 0; i < f->n; i++)
			f->key[i] = grown + (f->key[i] - f->names);
		f->names = grown;
		f->names_cap = cap;
	}
	snprintf(f->names + at, need, "%s%s%s", path, *path ? "." : "", key);
	f->names_len += need;
	return f->names + at;
}

/* Turns a canonical form into dotted keys and values. 0 or -errno. */
static int flatten(struct flat *f)
{
	char path[COHORT_CONFIG_PATH_MAX] = "";
	size_t depth_len[RELOAD_SECTIONS_MAX];
	unsigned counts[RELOAD_SECTIONS_MAX] = { 0 };
	size_t depth = 0;
	char *save = NULL;

	for (char *line = strtok_r(f->text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *end, *colon;

		while (*line == '\t' || *line == ' ')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		end = line + strlen(line);
		if (strcmp(line, "}") == 0) {
			if (depth == 0)
				return -EINVAL;
			path[depth_len[--depth]] = '\0';
			/* The closed section's children are numbered anew
			 * in the next one. */
			if (depth + 2 < RELOAD_SECTIONS_MAX)
				counts[depth + 2] = 0;
			continue;
		}
		if (end - line >= 2 && end[-1] == '{') {
			size_t len = strlen(path);

			if (depth + 1 >= RELOAD_SECTIONS_MAX)
				return -EINVAL;
			end[-1] = '\0';
			for (size_t k = strlen(line); k && line[k - 1] == ' ';
			    k--)
				line[k - 1] = '\0';
			depth_len[depth++] = len;
			if (numbered(line))
				snprintf(path + len, sizeof(path) - len,
				    "%s%s.%u", len ? "." : "", line,
				    counts[depth]++);
			else
				snprintf(path + len, sizeof(path) - len, "%s%s",
				    len ? "." : "", line);
			continue;
		}
		colon = strchr(line, ':');
		if (!colon || f->n == RELOAD_KEYS_MAX)
			return -EINVAL;
		*colon = '\0';
		f->key[f->n] = add_name(f, path, line);
		if (!f->key[f->n])
			return -ENOMEM;
		f->value[f->n++] = colon[1] == ' ' ? colon + 2 : colon + 1;
	}
	return 0;
}

static int flat_of(const struct cohort_config *cfg, struct flat *f)
{
	size_t len = 0;
	FILE *out;

	memset(f, 0, sizeof(*f));
	out = open_memstream(&f->text, &len);
	if (!out)
		return -errno;
	if (cohort_config_print(cfg, out) < 0) {
		fclose(out);
		return -EIO;
	}
	if (fclose(out) != 0)
		return -errno;
	return flatten(f);
}

static void flat_free(struct flat *f)
{
	free(f->text);
	free(f->names);
}

static const char *lookup(const struct flat *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->value[i];
	return NULL;
}

/* The key prefixes reload applies: the map's keys under each become the
 * file's (uidgid.config.* are the IPC server's live question; logging.*
 * follow the logging applied). */
static const char *const applied_prefixes[] = { "uidgid.config.", "logging." };
#define N_APPLIED (sizeof(applied_prefixes) / sizeof(applied_prefixes[0]))

/* The timing keys reload applies: totem.<name>, and the knet link timers
 * totem.interface.<link>.<name>. */
static const char *const timing_keys[] = {
	"token", "token_coefficient", "token_retransmit",
	"token_retransmits_before_loss_const", "hold", "consensus", "join",
	"send_join", "merge", "downcheck", "fail_recv_const",
	"seqno_unchanged_const", "miss_count_const", "max_messages",
	"window_size", "max_network_delay", "token_warning",
};
static const char *const link_timing_keys[] = {
	"knet_ping_interval", "knet_ping_timeout", "knet_ping_precision",
	"knet_pong_count",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool one_of(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Whether `key` is a timing key of the totem section (or one of its
 * interfaces); runtime.config.totem.* follow them. */
static bool timing_key(const char *key)
{
	static const char totem[] = "totem.", iface[] = "totem.interface.";
	const char *dot;

	if (strncmp(key, "runtime.config.totem.",
	    strlen("runtime.config.totem.")) == 0)
		return true;
	if (strncmp(key, iface, strlen(iface)) == 0) {
		dot = strchr(key + strlen(iface), '.');
		return dot && one_of(dot + 1, link_timing_keys,
		    N_OF(link_timing_keys));
	}
	return strncmp(key, totem, strlen(totem)) == 0 &&
	    one_of(key + strlen(totem), timing_keys, N_OF(timing_keys));
}

/* The nodelist's keys: a reload adds nodes (and refuses other changes). */
static bool nodelist_key(const char *key)
{
	return strncmp(key, "nodelist.", strlen("nodelist.")) == 0;
}

/* The quorum keys votequorum re-reads at a reload. */
static bool quorum_key(const char *key)
{
	static const char *const names[] = { "quorum.expected_votes",
	    "quorum.two_node", "quorum.votes" };

	return one_of(key, names, N_OF(names));
}

/* Whether a key is one reload applies (and so does not log as kept). The
 * canonical form names the uidgid sections by user and group, the map by
 * number: both are uidgid keys. */
static bool applied(const char *key)
{
	for (size_t i = 0; i < N_APPLIED; i++)
		if (strncmp(key, applied_prefixes[i],
		    strlen(applied_prefixes[i])) == 0)
			return true;
	return strncmp(key, "uidgid.", strlen("uidgid.")) == 0 ||
	    timing_key(key) || nodelist_key(key) || quorum_key(key);
}

/* Logs every key whose value differs between the two; how many. */
static size_t log_changes(const struct flat *now, const struct flat *file)
{
	size_t changed = 0;

	for (size_t i = 0; i < file->n; i++) {
		const char *was = lookup(now, file->key[i]);

		if ((was && strcmp(was, file->value[i]) == 0) ||
		    applied(file->key[i]))
			continue;
		log_warnx("Modified entry '%s' in corosync.conf cannot be "
		    "changed at run-time", file->key[i]);
		changed++;
	}
	for (size_t i = 0; i < now->n; i++) {
		if (lookup(file, now->key[i]) || applied(now->key[i]))
			continue;
		log_warnx("Modified entry '%s' in corosync.conf cannot be "
		    "changed at run-time", now->key[i]);
		changed++;
	}
	return changed;
}

/* The map's keys under `prefix` (those `take` names, if given) become
 * those of `tmp`. How many changed. */
static size_t sync_prefix(struct icmap *map, const struct icmap *tmp,
    const char *prefix, bool (*take)(const char *key))
{
	struct icmap_value v, was;
	const char *key = NULL;
	size_t changed = 0;
	char copy[ICMAP_KEY_MAX + 1];

	while ((key = icmap_next(map, prefix, key, &v))) {
		if ((take && !take(key)) || icmap_get(tmp, key, &was) == 0)
			continue;
		snprintf(copy, sizeof(copy), "%s", key);
		log_info("cfg: reload: %s removed", copy);
		icmap_delete(map, copy);
		key = copy;
		changed++;
	}
	while ((key = icmap_next(tmp, prefix, key, &v))) {
		if (take && !take(key))
			continue;
		if (icmap_get(map, key, &was) == 0 && was.type == v.type &&
		    was.len == v.len && memcmp(was.data, v.data, v.len) == 0)
			continue;
		if (icmap_set(map, key, v.type, v.data, v.len) == 0) {
			log_info("cfg: reload: %s set", key);
			changed++;
		} else {
			log_warnx("cfg: reload: %s cannot be set", key);
		}
	}
	return changed;
}

/* The logging section of `fresh`, applied (-d keeps debug on). 0, or a
 * negative errno with the reason in `err` and nothing changed. */
static int apply_logging(const struct cfg_svc *svc,
    const struct cohort_config *fresh, char *err, size_t errlen)
{
	struct log_setup ls;

	cohort_config_log_setup(fresh, "cohortd", &ls);
	for (int i = 0; i < LOG_SS_COUNT; i++)
		ls.ss[i].debug |= svc->env.debug;
	return log_apply(&ls, err, errlen);
}

/* The timing of `fresh`, given to the engine when it changed (it takes
 * it before anything else reaches it, at this point of the order); the
 * map's timing keys follow. How many keys of the map
 * changed. */
static size_t apply_timing(struct cfg_svc *svc,
    const struct cohort_config *fresh, const struct icmap *tmp)
{
	struct proto_timing t;
	int rc;

	cohort_config_timing(fresh, &t);
	if (memcmp(&t, &svc->timing, sizeof(t)) != 0) {
		if ((rc = ordering_reconfigure(svc->env.ordering, &t)) < 0)
			fatalx("cfg: reload: the engine refused checked "
			    "timing: %s", strerror(-rc));
		log_info("cfg: reload: timing applied: token %u ms (was %u), "
		    "consensus %u ms, join %u ms, window_size %u",
		    t.token_ms, svc->timing.token_ms, t.consensus_ms,
		    t.join_ms, t.window_size);
		svc->timing = t;
	}
	return sync_prefix(svc->env.map, tmp, "totem.", timing_key) +
	    sync_prefix(svc->env.map, tmp, "runtime.config.totem.", NULL);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const struct cohort_node *node_of(const struct cohort_config *cfg,
    uint32_t nodeid)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == nodeid)
			return &cfg->nodes[i];
	return NULL;
}

/* Whether every node of `a` that `b` has is there at the same
 * addresses. */
static bool nodes_unmoved(const struct cohort_config *a,
    const struct cohort_config *b)
{
	for (size_t i = 0; i < a->n_nodes; i++) {
		const struct cohort_node *n = node_of(b, a->nodes[i].nodeid);

		if (!n)
			continue;
		for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++)
			if (!same_str(n->addr[l], a->nodes[i].addr[l]))
				return false;
	}
	return true;
}

/* What a reload cannot apply refuses the whole file: the transport, the
 * crypto settings (a key in use cannot change under the ring), this
 * node's own id or address, a node given another address, a nodelist
 * of fewer than two nodes for a cluster (it would have no transport),
 * and nodes added to a cluster started alone (it has none). Every node
 * checks its own file at the same point of the order. 0, or -EINVAL
 * with the reason in `err`. */
static int check_fixed(const struct cohort_config *running,
    const struct cohort_config *nodes_now, const struct cohort_config *fresh,
    char *err, size_t errlen)
{
	const struct cohort_node *mine = node_of(running, running->local_nodeid);
	const struct cohort_node *theirs = node_of(fresh, running->local_nodeid);

	if (fresh->transport != running->transport)
		snprintf(err, errlen, "totem.transport cannot change at run "
		    "time");
	else if (fresh->crypto_cipher != running->crypto_cipher ||
	    fresh->crypto_hash != running->crypto_hash ||
	    !same_str(fresh->keyfile, running->keyfile))
		snprintf(err, errlen, "the crypto settings (crypto_cipher, "
		    "crypto_hash, keyfile) cannot change at run time");
	else if (mine && (!theirs ||
	    !same_str(mine->ring0_addr, theirs->ring0_addr)))
		snprintf(err, errlen, "this node (node %u) is no longer in the "
		    "nodelist at its address %s", running->local_nodeid,
		    mine->ring0_addr);
	else if (!nodes_unmoved(nodes_now, fresh))
		snprintf(err, errlen, "a node given another address is not "
		    "applied at run time");
	else if (fresh->n_nodes < 2 && running->n_nodes >= 2)
		snprintf(err, errlen, "a nodelist of fewer than two nodes "
		    "cannot replace one of %zu at run time", running->n_nodes);
	else if (fresh->n_nodes > nodes_now->n_nodes && running->n_nodes < 2)
		snprintf(err, errlen, "nodes added to a cluster started with "
		    "one node are not applied at run time (it has no "
		    "transport)");
	else
		return 0;
	return -EINVAL;
}

/* The nodes of `b` that `a` does not have, in `out`; how many. */
static size_t nodes_missing(const struct cohort_config *a,
    const struct cohort_config *b, uint32_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n_nodes; i++)
		if (!node_of(a, b->nodes[i].nodeid))
			out[n++] = b->nodes[i].nodeid;
	return n;
}

/* Nodes to remove must not be in the ring (the ring each member has at
 * this point of the order is the same). 0, or -EBUSY with the reason. */
static int check_removals(const struct cfg_svc *svc, const uint32_t *rm,
    size_t n_rm, char *err, size_t errlen)
{
	struct proto_status st;

	ordering_status(svc->env.ordering, &st);
	for (size_t i = 0; i < n_rm; i++)
		for (size_t k = 0; k < st.n_members; k++)
			if (st.members[k] == rm[i]) {
				snprintf(err, errlen, "node %u is a member of the "
				    "ring: it cannot be removed from the "
				    "nodelist (stop it first)", rm[i]);
				return -EBUSY;
			}
	return 0;
}

/* The nodelist's changes, to every part that holds it: the engine
 * (before anything else reaches it), the transport and the summary
 * (with the token timeout), main.c's tables; quorum re-reads its
 * settings (the reloaded hook). A configuration that changed the
 * nodelist is kept (`*fresh` moved there): the tables point into it. */
static void apply_nodes(struct cfg_svc *svc, struct cohort_config *fresh,
    const uint32_t *add, size_t n_add, const uint32_t *rm, size_t n_rm)
{
	struct cohort_config *was = svc->nodes_cfg;
	const struct cohort_config *now = fresh;
	int rc;

	if (n_add || n_rm) {
		if ((rc = ordering_remove_nodes(svc->env.ordering, rm,
		    n_rm)) < 0 ||
		    (rc = ordering_add_nodes(svc->env.ordering, add, n_add)) < 0)
			fatalx("cfg: reload: the nodelist's changes: %s",
			    strerror(-rc));
		if (!(svc->nodes_cfg = malloc(sizeof(*fresh))))
			fatalx("cfg: reload: no memory to keep the nodelist");
		*svc->nodes_cfg = *fresh;
		memset(fresh, 0, sizeof(*fresh));
		now = svc->nodes_cfg;
		for (size_t i = 0; i < n_add; i++)
			log_info("cfg: reload: node %u added to the nodelist",
			    add[i]);
		for (size_t i = 0; i < n_rm; i++)
			log_info("cfg: reload: node %u removed from the "
			    "nodelist", rm[i]);
	}
	if (svc->env.net)
		(void)network_reconfigure(svc->env.net, now,
		    svc->timing.token_ms);
	if (svc->env.reloaded)
		svc->env.reloaded(svc->env.arg, now, n_add || n_rm);
	if (n_add || n_rm) {
		cohort_config_free(was);
		free(was);
	}
}

static uint32_t reload(struct cfg_svc *svc)
{
	const struct cohort_config *running = svc->env.cfg;
	const struct cohort_config *nodes_now = cfg_nodes(svc);
	uint32_t add[COHORT_CONFIG_MAX_NODES], rm[COHORT_CONFIG_MAX_NODES];
	size_t n_add = 0, n_rm = 0;
	struct cohort_config fresh;
	struct icmap *tmp = NULL;
	struct flat now = { 0 }, file = { 0 };
	char err[512];
	size_t changed, granted = 0;
	uint32_t result = CS_ERR_INVALID_PARAM;
	int rc;

	if (!running->path) {
		log_info("cfg: reload: cohortd runs without a configuration "
		    "file: nothing to read");
		return CS_OK;
	}
	if (cohort_config_load(running->path, &fresh, err, sizeof(err)) < 0) {
		log_warnx("cfg: reload refused, nothing changed: %s", err);
		return CS_ERR_INVALID_PARAM;
	}
	fresh.local_nodeid = running->local_nodeid;
	/* The file's keys as the map would hold them (a value that does not
	 * fit its key refuses the file, as at start), both configurations
	 * in their canonical form, then the logging section (a log file
	 * that cannot be opened refuses the file): nothing has changed
	 * before all of them worked. */
	if ((rc = icmap_new(&tmp)) < 0 ||
	    (rc = flat_of(running, &now)) < 0 ||
	    (rc = flat_of(&fresh, &file)) < 0) {
		log_warnx("cfg: reload of %s: %s", running->path,
		    strerror(-rc));
		result = CS_ERR_NO_MEMORY;
		goto out;
	}
	n_add = nodes_missing(nodes_now, &fresh, add);
	n_rm = nodes_missing(&fresh, nodes_now, rm);
	if (check_fixed(running, nodes_now, &fresh, err, sizeof(err)) < 0 ||
	    (n_add && svc->env.net &&
	    network_check_nodes(svc->env.net, &fresh, err, sizeof(err)) < 0) ||
	    check_removals(svc, rm, n_rm, err, sizeof(err)) < 0 ||
	    cohort_config_keys(&fresh, tmp, err, sizeof(err)) < 0 ||
	    apply_logging(svc, &fresh, err, sizeof(err)) < 0) {
		log_warnx("cfg: reload refused, nothing changed: %s", err);
		goto out;
	}
	icmap_set_u8(svc->env.map, "config.reload_in_progress", 1);
	for (size_t i = 0; i < N_APPLIED; i++)
		granted += sync_prefix(svc->env.map, tmp, applied_prefixes[i],
		    NULL);
	granted += apply_timing(svc, &fresh, tmp);
	granted += sync_prefix(svc->env.map, tmp, "nodelist.", NULL) +
	    sync_prefix(svc->env.map, tmp, "quorum.", quorum_key);
	changed = log_changes(&now, &file);
	apply_nodes(svc, &fresh, add, n_add, rm, n_rm);
	log_info("cfg: reloaded %s: logging, uidgid, timing, nodes and votes "
	    "applied (%zu key(s) of the map), %zu other key(s) changed and "
	    "kept as they run", running->path, granted, changed);
	result = CS_OK;
out:
	flat_free(&now);
	flat_free(&file);
	if (tmp)
		icmap_free(tmp);
	cohort_config_free(&fresh);
	return result;
}

/* corosync's keys around a reload: the two in-progress flags (others
 * watch them drop) and the result, config.reload_status. */
uint32_t cfg_reload(struct cfg_svc *svc)
{
	struct icmap *map = svc->env.map;
	uint32_t err;

	icmap_set_u8(map, "config.totemconfig_reload_in_progress", 1);
	err = reload(svc);
	icmap_set_i32(map, "config.reload_status", (int32_t)err);
	icmap_set_u8(map, "config.reload_in_progress", 0);
	icmap_set_u8(map, "config.totemconfig_reload_in_progress", 0);
	return err;
}
