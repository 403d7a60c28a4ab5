/*
 * cmap/quota.c: what clients may take of the daemon's shared pools, so
 * that one of them cannot lock the others (or the daemon) out: the
 * trackers of one user, and the room in the map for keys clients create
 * (cmap.h gives the limits).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/cmap/cmap_int.h"

/* The entry of `uid` in the table of users holding trackers, or NULL. */
static struct cmap_uid_tracks *uid_entry(struct cmap_svc *svc, uid_t uid)
{
	for (size_t i = 0; i < svc->n_uids; i++)
		if (svc->uids[i].uid == uid)
			return &svc->uids[i];
	return NULL;
}

int cmap_quota_track_take(struct cmap_svc *svc, uid_t uid)
{
	struct cmap_uid_tracks *u = uid_entry(svc, uid);

	if (u && u->n >= CMAP_UID_TRACKS_MAX)
		return -ENOSPC;
	if (!u && svc->n_uids == svc->uids_cap) {
		size_t cap = svc->uids_cap ? svc->uids_cap * 2 : 8;
		struct cmap_uid_tracks *p = realloc(svc->uids,
		    cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		svc->uids = p;
		svc->uids_cap = cap;
	}
	if (!u) {
		u = &svc->uids[svc->n_uids++];
		*u = (struct cmap_uid_tracks){ .uid = uid };
	}
	u->n++;
	return 0;
}

void cmap_quota_track_give(struct cmap_svc *svc, uid_t uid)
{
	struct cmap_uid_tracks *u = uid_entry(svc, uid);

	if (!u)
		fatalx("cmap: a tracker given back by a user holding none");
	if (--u->n == 0)
		*u = svc->uids[--svc->n_uids];
}

/* Whether `key` is an access grant (uidgid.uid.* or uidgid.gid.*). */
static bool is_grant(const char *key)
{
	return strncmp(key, "uidgid.uid.", strlen("uidgid.uid.")) == 0 ||
	    strncmp(key, "uidgid.gid.", strlen("uidgid.gid.")) == 0;
}

int cmap_quota_set_room(const struct cmap_svc *svc, const char *key,
    size_t len)
{
	size_t keys_max = ICMAP_KEYS_MAX - CMAP_DAEMON_KEYS_RESERVED;
	size_t bytes_max = ICMAP_BYTES_MAX - CMAP_DAEMON_BYTES_RESERVED;
	size_t bytes = icmap_bytes(svc->map), now_len, need;
	struct icmap_value v;
	bool exists = icmap_get(svc->map, key, &v) == 0;

	if (!is_grant(key)) {
		keys_max -= CMAP_GRANT_KEYS_RESERVED;
		bytes_max -= CMAP_GRANT_BYTES_RESERVED;
	}
	if (!exists && icmap_count(svc->map) >= keys_max)
		return -ENOSPC;
	/* A new key takes its name and value; a changed value its growth
	 * (a value may always shrink). */
	now_len = exists ? v.len : 0;
	need = exists ? 0 : strlen(key);
	if (len > now_len)
		need += len - now_len;
	if (need && bytes + need > bytes_max)
		return -ENOSPC;
	return 0;
}
