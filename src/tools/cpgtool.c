/*
 * cpgtool.c: the group listing of `cohortctl groups`, and `cohortctl
 * cpgtool`, which prints exactly what corosync-cpgtool prints (with its
 * -d, -e, -n options), except that a group name's bytes >= 0x80 are
 * escaped as \xHH (corosync prints \xFFFFFFHH: it formats a signed char).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/admin.h"
#include "tools/ctl.h"

/* Where an iteration failed, for corosync-cpgtool's three messages. */
enum iter_stage { STAGE_CONNECT, STAGE_ITERATOR, STAGE_NEXT };

/* Walks an iteration of `type`, calling `start` (if not NULL) once
 * connected and `fn` for every entry; on failure *stage (if not NULL) says
 * which step failed. Like corosync-cpgtool, nothing is printed before the
 * connection is made. */
static cs_error_t iterate(cpg_iteration_type_t type, void (*start)(void *arg),
    void (*fn)(void *arg, const struct cpg_iteration_description_t *d),
    void *arg, enum iter_stage *stage)
{
	enum iter_stage unused;
	cpg_handle_t h;
	cpg_iteration_handle_t it;
	struct cpg_iteration_description_t d;
	cs_error_t err = cpg_initialize(&h, NULL);

	if (!stage)
		stage = &unused;
	*stage = STAGE_CONNECT;
	if (err != CS_OK)
		return err;
	if (start)
		start(arg);
	*stage = STAGE_ITERATOR;
	err = cpg_iteration_initialize(h, type, NULL, &it);
	if (err == CS_OK) {
		*stage = STAGE_NEXT;
		while ((err = cpg_iteration_next(it, &d)) == CS_OK)
			fn(arg, &d);
		cpg_iteration_finalize(it);
		if (err == CS_ERR_NO_SECTIONS)
			err = CS_OK;
	}
	cpg_finalize(h);
	return err;
}

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
	return iterate(CPG_ITERATION_ALL, NULL, count_member, gs, NULL);
}

/* ------------------------------------------------------------- cpgtool */

struct cpgtool {
	char delim;          /* 0: the default, tabulated format */
	bool escape;
	char *status;        /* daemon status: node addresses */
	struct cpg_name last;
	bool have_last;
};

static void put_name(const struct cpgtool *t, const struct cpg_name *n)
{
	for (uint32_t i = 0; i < n->length; i++) {
		unsigned char c = (unsigned char)n->value[i];

		if (!t->escape || (c >= 0x20 && c <= 0x7e && c != '\\'))
			putchar(c);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else
			printf("\\x%02X", c);
	}
}

/* Prints the addresses of `nodeid` from the status text, one space
 * between them; nothing when the daemon does not know any. */
static void put_addrs(const struct cpgtool *t, uint32_t nodeid)
{
	char key[48];
	const char *p;
	int n = snprintf(key, sizeof(key), "node.%u.addr=", nodeid);

	if (!t->status)
		return;
	for (p = t->status; (p = strstr(p, key)); p += n)
		if (p == t->status || p[-1] == '\n') {
			const char *end = strchr(p + n, '\n');

			printf("%.*s", (int)(end ? end - (p + n) :
			    (long)strlen(p + n)), p + n);
			return;
		}
}

static void print_entry(void *arg, const struct cpg_iteration_description_t *d)
{
	struct cpgtool *t = arg;

	if (t->delim) {
		put_name(t, &d->group);
		printf("%c%u%c%u\n", t->delim, d->pid, t->delim, d->nodeid);
		return;
	}
	if (!t->have_last || t->last.length != d->group.length ||
	    memcmp(t->last.value, d->group.value, d->group.length) != 0) {
		put_name(t, &d->group);
		printf("\n");
		t->last = d->group;
		t->have_last = true;
	}
	printf("\t\t%10u\t%10u (", d->pid, d->nodeid);
	put_addrs(t, d->nodeid);
	printf(")\n");
}

static void print_header(void *arg)
{
	const struct cpgtool *t = arg;

	if (t->delim)
		printf("GRP_NAME%cPID%cNODEID\n", t->delim, t->delim);
	else
		printf("Group Name\t%10s\t%10s\n", "PID", "Node ID");
}

static void print_name(void *arg, const struct cpg_iteration_description_t *d)
{
	struct cpgtool *t = arg;

	put_name(t, &d->group);
	if (t->delim)
		putchar(t->delim);
	else
		putchar('\n');
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
	struct cpgtool t = { .escape = true };
	bool names_only = false;
	enum iter_stage stage;
	cs_error_t err;
	int ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "hd:ne")) != -1) {
		switch (ch) {
		case 'd':
			if (optarg[0])
				t.delim = optarg[0];
			break;
		case 'e':
			t.escape = false;
			break;
		case 'n':
			names_only = true;
			break;
		case 'h':
			cpgtool_usage();
			return 0;
		default:
			return 1;
		}
	}
	if (names_only) {
		err = iterate(CPG_ITERATION_NAME_ONLY, NULL, print_name, &t,
		    &stage);
		if (t.delim && stage == STAGE_NEXT)
			putchar('\n');
	} else {
		if (cohort_admin_status(&t.status) < 0)
			t.status = NULL;
		err = iterate(CPG_ITERATION_ALL, print_header, print_entry, &t,
		    &stage);
		free(t.status);
	}
	if (err != CS_OK) {
		/* corosync-cpgtool's own words for each step. */
		if (stage == STAGE_CONNECT)
			fprintf(stderr, "Could not initialize corosync cpg API "
			    "error %d\n", err);
		else if (stage == STAGE_ITERATOR)
			fprintf(stderr, "Cannot initialize cpg iterator error "
			    "%d\n", err);
		else
			fprintf(stderr, "cpg iteration error %d\n", err);
		return 1;
	}
	return 0;
}
