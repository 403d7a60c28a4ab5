/*
 * config_uidgid.c: who may connect. The uid and gid keys of uidgid
 * sections (names looked up when the file is read, numbers taken as they
 * are, as corosync does), the uidgid.d directory next to the configuration
 * file, and the check the IPC server makes for each connection.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/config/config_int.h"

#define NSS_BUF_START 1024u
#define NSS_BUF_MAX (1u << 20)    /* getpwnam_r/getgrnam_r buffer bound */
#define UIDGID_DIR "uidgid.d"

_Static_assert(sizeof(uid_t) == sizeof(uint32_t) &&
    sizeof(gid_t) == sizeof(uint32_t), "uid_t and gid_t are 32 bits");

/* Appends an id to a growing array, bounded by COHORT_CONFIG_IDS_MAX. */
static int add_id(struct cfg_loader *ld, const struct cfg_event *ev,
    uint32_t **arr, size_t *n, size_t *cap, uint32_t id)
{
	if (*n == COHORT_CONFIG_IDS_MAX) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': more than %d ids allowed", ev->path,
		    COHORT_CONFIG_IDS_MAX);
		return -EINVAL;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		uint32_t *a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return cfg_oom(ld, ev);
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = id;
	return 0;
}

/* A user or group given by name or number (numbers are taken as they are,
 * as corosync does); names are looked up now. */
static int resolve_id(struct cfg_loader *ld, const struct cfg_event *ev,
    bool user, uint32_t *out)
{
	const char *s = ev->value;
	size_t len = NSS_BUF_START;
	char *buf = NULL;
	int rc;

	if (!*s)
		return cfg_bad_value(ld, ev, user ? "a user name or uid" :
		    "a group name or gid");
	if (strspn(s, "0123456789") == strlen(s))
		return cfg_get_u32(ld, ev, 0, UINT32_MAX - 1, out);
	for (;;) {
		struct passwd pw, *pwp = NULL;
		struct group gr, *grp = NULL;
		char *b = realloc(buf, len);

		if (!b) {
			free(buf);
			return cfg_oom(ld, ev);
		}
		buf = b;
		if (user) {
			rc = getpwnam_r(s, &pw, buf, len, &pwp);
			if (pwp)
				*out = (uint32_t)pw.pw_uid;
		} else {
			rc = getgrnam_r(s, &gr, buf, len, &grp);
			if (grp)
				*out = (uint32_t)gr.gr_gid;
		}
		if (rc == ERANGE && len < NSS_BUF_MAX) {
			len *= 2;
			continue;
		}
		free(buf);
		if (pwp || grp)
			return 0;
		break;
	}
	/* "Not found" comes back as 0 or, from some back-ends, as one of
	 * these. */
	if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF ||
	    rc == EPERM)
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': no %s named " CFG_QFMT, ev->path,
		    user ? "user" : "group", CFG_Q(s));
	else
		cfg_err(ld->err, ld->errlen, ev->file, ev->line,
		    "key '%s': looking up %s " CFG_QFMT ": %s", ev->path,
		    user ? "user" : "group", CFG_Q(s), strerror(rc));
	return -EINVAL;
}

int cfg_uidgid_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_config *cfg = ld->cfg;
	bool user = strcmp(ev->name, "uid") == 0;
	uint32_t id;
	int rc;

	if (!user && strcmp(ev->name, "gid") != 0)
		return cfg_unknown(ld, ev, NULL);
	if ((rc = resolve_id(ld, ev, user, &id)) < 0)
		return rc;
	if (user)
		return add_id(ld, ev, (uint32_t **)(void *)&cfg->uids,
		    &cfg->n_uids, &ld->uid_cap, id);
	return add_id(ld, ev, (uint32_t **)(void *)&cfg->gids, &cfg->n_gids,
	    &ld->gid_cap, id);
}


/* Reads every regular file of the uidgid.d directory next to `path`, in
 * name order; only their uidgid sections count. No directory: nothing to
 * read. */
int cfg_read_uidgid_dir(struct cfg_loader *ld, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct dirent **list = NULL;
	char *dir = NULL, *file = NULL;
	int n, i, files = 0, rc = 0;

	if (!(dir = malloc(dlen + sizeof(UIDGID_DIR))))
		goto nomem;
	memcpy(dir, path, dlen);
	memcpy(dir + dlen, UIDGID_DIR, sizeof(UIDGID_DIR));
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR &&
		    cfg_warn(ld->cfg, &ld->dropped, dir, 0,
		    "cannot read the directory: %s", strerror(errno)) < 0)
			goto nomem;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const char *name = list[i]->d_name;
		struct stat st;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		free(file);
		if (!(file = malloc(strlen(dir) + strlen(name) + 2))) {
			rc = -ENOMEM;
			cfg_err(ld->err, ld->errlen, dir, 0, "out of memory");
			break;
		}
		sprintf(file, "%s/%s", dir, name);
		if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (++files > COHORT_CONFIG_UIDGID_FILES_MAX) {
			cfg_err(ld->err, ld->errlen, dir, 0,
			    "more than %d files",
			    COHORT_CONFIG_UIDGID_FILES_MAX);
			rc = -EINVAL;
			break;
		}
		ld->uidgid_file = true;
		ld->depth = 0;
		rc = cfg_parse(file, cfg_on_event, ld, ld->err, ld->errlen);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
out:
	free(file);
	free(dir);
	return rc;
nomem:
	free(dir);
	cfg_err(ld->err, ld->errlen, path, 0, "out of memory");
	return -ENOMEM;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[out])
			v[++out] = v[i];
	return out + 1;
}

void cfg_uidgid_finish(struct cohort_config *cfg)
{
	cfg->n_uids = sort_unique((uint32_t *)cfg->uids, cfg->n_uids);
	cfg->n_gids = sort_unique((uint32_t *)cfg->gids, cfg->n_gids);
}

int cohort_config_uid_allowed(const struct cohort_config *cfg, uid_t uid,
    gid_t gid)
{
	if (uid == 0 || gid == 0)
		return 1;
	for (size_t i = 0; i < cfg->n_uids; i++)
		if (cfg->uids[i] == uid)
			return 1;
	for (size_t i = 0; i < cfg->n_gids; i++)
		if (cfg->gids[i] == gid)
			return 1;
	return 0;
}
