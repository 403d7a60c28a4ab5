/*
 * ctl.h: what cohortctl's files share: fetched data and output back-ends.
 */
#ifndef COHORT_CTL_H
#define COHORT_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corosync/cpg.h>

/* One group of the cluster and how many members it has. */
struct ctl_group {
	struct cpg_name name;
	size_t members;
};

struct ctl_groups {
	struct ctl_group *v;   /* malloc'd */
	size_t n;
};

/* An output back-end: text for people, JSON for programs and tests. */
struct out {
	void (*status)(const char *kv);
	void (*groups)(const struct ctl_groups *gs);
	void (*members)(const struct cpg_name *g, const struct cpg_address *m,
	    size_t n);
	void (*sent)(const struct cpg_name *g, size_t len);
	void (*confchg)(const struct cpg_name *g, const struct cpg_address *m,
	    size_t nm, const struct cpg_address *l, size_t nl,
	    const struct cpg_address *j, size_t nj);
	void (*message)(const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
	    const void *msg, size_t len);
	void (*totem)(struct cpg_ring_id ring, uint32_t n, const uint32_t *nodes);
};

extern const struct out out_text, out_json;

cs_error_t ctl_fetch_groups(struct ctl_groups *gs);
int ctl_cpgtool(int argc, char **argv);
/* cohortctl links [-b]: argv[0] is "links"; json: the --json back-end. */
int ctl_links(int argc, char **argv, bool json);
int ctl_keygen(int argc, char **argv);
int ctl_fail(const char *what, cs_error_t err);
int ctl_name(const char *arg, struct cpg_name *n);
const char *ctl_reason(uint32_t reason);

#endif /* COHORT_CTL_H */
