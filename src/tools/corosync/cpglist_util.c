/*
 * cpglist_util.c: corosync-cpgtool's listing (cpglist_util.h). A group
 * name's bytes >= 0x80 are escaped as \xHH (corosync prints \xFFFFFFHH:
 * it formats a signed char).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/corosync/cpglist_util.h"

/* Where an iteration failed, for corosync-cpgtool's three messages. */
enum iter_stage { STAGE_CONNECT, STAGE_ITERATOR, STAGE_NEXT };

struct cpglist {
	const struct cpglist_ops *ops;
	char delim;          /* 0: the default, tabulated format */
	bool escape;
	bool full;           /* the full listing: header and addresses */
	int connected_rc;    /* what ops->connected said */
	struct cpg_name last;
	bool have_last;
};

/* Walks an iteration; `start` (if not NULL) runs once connected and may
 * stop the walk by returning non-zero. *stage says which step failed.
 * Like corosync-cpgtool, nothing is printed before the connection is
 * made. */
static cs_error_t iterate(cpg_iteration_type_t type, int (*start)(void *arg),
    void (*fn)(void *arg, const struct cpg_iteration_description_t *d),
    void *arg, enum iter_stage *stage)
{
	cpg_handle_t h;
	cpg_iteration_handle_t it;
	struct cpg_iteration_description_t d;
	cs_error_t err = cpg_initialize(&h, NULL);

	*stage = STAGE_CONNECT;
	if (err != CS_OK)
		return err;
	if (start && start(arg) != 0) {
		cpg_finalize(h);
		return CS_OK;
	}
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

cs_error_t cpglist_iterate(cpg_iteration_type_t type,
    void (*fn)(void *arg, const struct cpg_iteration_description_t *d),
    void *arg)
{
	enum iter_stage stage;

	return iterate(type, NULL, fn, arg, &stage);
}

static void put_name(const struct cpglist *t, const struct cpg_name *n)
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

static void print_entry(void *arg, const struct cpg_iteration_description_t *d)
{
	struct cpglist *t = arg;

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
	t->ops->addrs(t->ops->arg, d->nodeid);
	printf(")\n");
}

static int print_header(void *arg)
{
	struct cpglist *t = arg;

	if (t->ops->connected &&
	    (t->connected_rc = t->ops->connected(t->ops->arg)) != 0)
		return t->connected_rc;
	if (t->delim)
		printf("GRP_NAME%cPID%cNODEID\n", t->delim, t->delim);
	else
		printf("Group Name\t%10s\t%10s\n", "PID", "Node ID");
	return 0;
}

static void print_name(void *arg, const struct cpg_iteration_description_t *d)
{
	struct cpglist *t = arg;

	put_name(t, &d->group);
	if (t->delim)
		putchar(t->delim);
	else
		putchar('\n');
}

int cpglist_main(int argc, char **argv, const struct cpglist_ops *ops)
{
	struct cpglist t = { .ops = ops, .escape = true };
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
			ops->usage();
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
		err = iterate(CPG_ITERATION_ALL, print_header, print_entry, &t,
		    &stage);
		if (t.connected_rc)
			return t.connected_rc;
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
