/*
 * cpglist_util.h: corosync-cpgtool's listing of the process groups and
 * their members (its -d, -e, -n options, output and messages, cpg-
 * reference §6.2), shared by corosync-cpgtool and `cohortctl cpgtool`,
 * which differ only in their usage text and where a node's addresses
 * come from.
 */
#ifndef COHORT_CPGLIST_UTIL_H
#define COHORT_CPGLIST_UTIL_H

#include <stdint.h>

#include <corosync/cpg.h>

struct cpglist_ops {
	void (*usage)(void);              /* -h, to stdout */
	/* Once the CPG handle is open, before anything is printed in the
	 * full listing: 0, or the exit status after its own message. */
	int (*connected)(void *arg);
	/* Prints `nodeid`'s addresses, one space apart (nothing when none
	 * are known), between the member line's parentheses. */
	void (*addrs)(void *arg, uint32_t nodeid);
	void *arg;
};

/* The tool: options (getopt from optind 1), listing, exit status. */
int cpglist_main(int argc, char **argv, const struct cpglist_ops *ops);

/* Walks an iteration of `type` over every group member, calling `fn`
 * for each entry. CS_OK at the normal end, else the error. */
cs_error_t cpglist_iterate(cpg_iteration_type_t type,
    void (*fn)(void *arg, const struct cpg_iteration_description_t *d),
    void *arg);

#endif /* COHORT_CPGLIST_UTIL_H */
