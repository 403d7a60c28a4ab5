/*
 * cpg/groups.h: the table of every group and its members, on all nodes.
 *
 * Members are kept sorted by (nodeid, pid), the order every member list
 * the API hands out uses. A member that belongs to a local connection
 * points at it (`conn`), so events find their recipients without a
 * search; the pointer is cleared when the connection closes.
 */
#ifndef COHORT_GROUPS_H
#define COHORT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"

struct conn;

struct member {
	uint32_t nodeid, pid;
	struct conn *conn;   /* the local connection, or NULL */
};

struct group {
	struct ipc_name name;
	struct member *m;    /* sorted by (nodeid, pid); owned */
	size_t n, cap;
	struct group *hnext;
};

struct groups {
	struct group **buckets;
	size_t n_buckets, count;
};

int groups_init(struct groups *gs);
void groups_free(struct groups *gs);
struct group *groups_find(const struct groups *gs, const struct ipc_name *name);
/* Finds or creates. NULL on -ENOMEM. */
struct group *groups_get(struct groups *gs, const struct ipc_name *name);
/* Frees the group if it has no member left. */
void groups_release(struct groups *gs, struct group *g);
/* A malloc'd array of every group, sorted by name; the caller frees it. */
struct group **groups_sorted(const struct groups *gs, size_t *n);

struct member *group_member(const struct group *g, uint32_t nodeid,
    uint32_t pid);
/* 0, -EEXIST or -ENOMEM. */
int group_add(struct group *g, uint32_t nodeid, uint32_t pid,
    struct conn *conn);
void group_del(struct group *g, uint32_t nodeid, uint32_t pid);

#endif /* COHORT_GROUPS_H */
