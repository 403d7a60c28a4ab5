/*
 * corosync-cpgtool: corosync 3.1.7's tool of that name on Cohort's
 * libcpg and libcfg (cpg-reference §6.2): the process groups and their
 * members, each member's node with its configured addresses
 * (corosync_cfg_get_node_addrs), as corosync's tool prints them.
 */
#include <stdbool.h>
#include <stdio.h>

#include <corosync/cfg.h>

#include "tools/corosync/addr_util.h"
#include "tools/corosync/cpglist_util.h"

struct cfg_addrs {
	corosync_cfg_handle_t h;
	bool open;
};

static void usage(void)
{
	printf("corosync-cpgtool [-d delimiter] [-e] [-n] [-h]\n\n"
	    "A tool for displaying cpg groups and members.\n"
	    "options:\n"
	    "\t-d\tDelimiter between fields.\n"
	    "\t-e\tDon't escape unprintable characters in group name.\n"
	    "\t-n\tDisplay only all existing group names.\n"
	    "\t-h\tDisplay this help.\n");
}

static int open_cfg(void *arg)
{
	struct cfg_addrs *a = arg;
	cs_error_t err = corosync_cfg_initialize(&a->h, NULL);

	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync configuration "
		    "API error %d\n", err);
		return 1;
	}
	a->open = true;
	return 0;
}

static void put_addrs(void *arg, uint32_t nodeid)
{
	const struct cfg_addrs *a = arg;
	corosync_cfg_node_address_t addrs[CFG_MAX_LINKS];
	int n = 0;

	if (corosync_cfg_get_node_addrs(a->h, nodeid, CFG_MAX_LINKS, &n,
	    addrs) != CS_OK)
		return;
	addr_print(addrs, n < CFG_MAX_LINKS ? n : CFG_MAX_LINKS);
}

int main(int argc, char **argv)
{
	struct cfg_addrs a = { 0 };
	const struct cpglist_ops ops = { usage, open_cfg, put_addrs, &a };
	int rc = cpglist_main(argc, argv, &ops);

	if (a.open)
		corosync_cfg_finalize(a.h);
	return rc;
}
