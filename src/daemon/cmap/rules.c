/*
 * cmap/rules.c: which keys of the daemon's map clients may not write
 * (cmap.h, icmap_ipc_ro): corosync's rules, services-reference §2.4;
 * and who the map lets connect (cmap_uid_allowed, §1.4).
 */
#include <stdio.h>
#include <string.h>

#include "daemon/cmap/cmap.h"
#include "daemon/icmap.h"

/* Every key starting with one of these. */
static const char *const ro_prefixes[] = {
	"internal_configuration.", "runtime.services.", "runtime.config.",
	"runtime.totem.", "uidgid.config.", "system.", "nodelist.",
};

/* These keys exactly. */
static const char *const ro_keys[] = {
	"totem.crypto_cipher", "totem.crypto_hash", "totem.crypto_model",
	"totem.keyfile", "totem.key", "totem.secauth", "totem.ip_version",
	"totem.rrp_mode", "totem.transport", "totem.cluster_name",
	"totem.netmtu", "totem.threads", "totem.version", "totem.nodeid",
	"totem.clear_node_high_bit", "config.reload_in_progress",
	"config.totemconfig_reload_in_progress", "nodelist.local_node_pos",
};

/* These keys while votequorum is the quorum provider (corosync's
 * votequorum makes them read-only when it starts). */
static const char *const votequorum_ro_keys[] = {
	"quorum.allow_downscale", "quorum.wait_for_all",
	"quorum.last_man_standing", "quorum.last_man_standing_window",
	"quorum.expected_votes_tracking", "quorum.auto_tie_breaker",
	"quorum.auto_tie_breaker_node",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool listed(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

bool icmap_ipc_ro(const char *key, bool votequorum)
{
	for (size_t i = 0; i < N_OF(ro_prefixes); i++)
		if (strncmp(key, ro_prefixes[i], strlen(ro_prefixes[i])) == 0)
			return true;
	if (listed(key, ro_keys, N_OF(ro_keys)))
		return true;
	return votequorum &&
	    listed(key, votequorum_ro_keys, N_OF(votequorum_ro_keys));
}

/* The u8 under "<prefix><id>" is 1. */
static bool flag_set(const struct icmap *m, const char *prefix, unsigned id)
{
	char key[ICMAP_KEY_MAX + 1];
	uint8_t v;

	snprintf(key, sizeof(key), "%s%u", prefix, id);
	return icmap_get_u8(m, key, &v) == 0 && v == 1;
}

bool cmap_uid_allowed(const struct icmap *m, uid_t uid, gid_t gid)
{
	return flag_set(m, "uidgid.uid.", (unsigned)uid) ||
	    flag_set(m, "uidgid.config.uid.", (unsigned)uid) ||
	    flag_set(m, "uidgid.gid.", (unsigned)gid) ||
	    flag_set(m, "uidgid.config.gid.", (unsigned)gid);
}
