/*
 * cpgtool.c: the group listing of `cohortctl groups`, and `cohortctl
 * cpgtool`, which prints what corosync-cpgtool prints (the listing is
 * tools/corosync/cpglist_util.c, shared with Cohort's corosync-cpgtool),
 * with the nodes' addresses from the daemon's status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/admin.h"
#include "tools/corosync/cpglist_util.h"
#include "tools/ctl.h"

static void count_member(void *arg, const struct cpg_iteration_description_t *d)
{
	struct ctl_groups *gs = arg;
	struct ctl_group *last = gs->n ? &gs->v[gs->n - 1] : NULL;

	if (!last || last->name.length != d->group.length ||
	    memcmp(last->name.value, d->group.value, d->group.length) != 0) {
		struct ctl_group *grown = realloc(gs->v, (gs->n + 1) *
		    sizeof(*grown));

		if (!grown)
			return;
		gs->v = grown;
		last = &gs->v[gs->n++];
		last->name = d->group;
		last->members = 0;
	}
	last->members++;
}

cs_error_t ctl_fetch_groups(struct ctl_groups *gs)
{
	return cpglist_iterate(CPG_ITERATION_ALL, count_member, gs);
}

/* ------------------------------------------------------------- cpgtool */

/* The daemon's status text: node addresses (node.N.addr=...); NULL
 * when it could not be had. */
struct status_addrs {
	char *status;
};

static int fetch_status(void *arg)
{
	struct status_addrs *s = arg;

	if (cohort_admin_status(&s->status) < 0)
		s->status = NULL;
	return 0;
}

/* Prints the addresses of `nodeid` from the status text; nothing when
 * the daemon does not know any. */
static void put_addrs(void *arg, uint32_t nodeid)
{
	const struct status_addrs *s = arg;
	char key[48];
	const char *p;
	int n = snprintf(key, sizeof(key), "node.%u.addr=", nodeid);

	if (!s->status)
		return;
	for (p = s->status; (p = strstr(p, key)); p += n)
		if (p == s->status || p[-1] == '\n') {
			const char *end = strchr(p + n, '\n');

			printf("%.*s", (int)(end ? end - (p + n) :
			    (long)strlen(p + n)), p + n);
			return;
		}
}

static void cpgtool_usage(void)
{
	printf("Usage: cohortctl cpgtool [-d delimiter] [-e] [-n] [-h]\n\n"
	    "Display the process groups and their members.\n\n"
	    "    -d Delimiter between fields\n"
	    "    -e Don't escape unprintable characters in group name\n"
	    "    -n Display only all existing group names\n"
	    "    -h Display this help\n");
}

int ctl_cpgtool(int argc, char **argv)
{
	struct status_addrs s = { NULL };
	const struct cpglist_ops ops = { cpgtool_usage, fetch_status,
	    put_addrs, &s };
	int rc = cpglist_main(argc, argv, &ops);

	free(s.status);
	return rc;
}
