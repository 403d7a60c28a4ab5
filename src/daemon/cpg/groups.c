/*
 * cpg/groups.c: a chained hash table of groups, each a sorted member array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cpg/groups.h"

#define GROUPS_INITIAL_BUCKETS 64u

static uint64_t name_hash(const struct ipc_name *n)
{
	uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a */

	for (uint32_t i = 0; i < n->length; i++)
		h = (h ^ (uint8_t)n->value[i]) * 0x100000001b3ULL;
	return h ^ n->length;
}

int groups_init(struct groups *gs)
{
	gs->buckets = calloc(GROUPS_INITIAL_BUCKETS, sizeof(*gs->buckets));
	gs->n_buckets = GROUPS_INITIAL_BUCKETS;
	gs->count = 0;
	return gs->buckets ? 0 : -ENOMEM;
}

void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n_buckets; i++) {
		struct group *g = gs->buckets[i];

		while (g) {
			struct group *next = g->hnext;

			free(g->m);
			free(g);
			g = next;
		}
	}
	free(gs->buckets);
	gs->buckets = NULL;
}

struct group *groups_find(const struct groups *gs, const struct ipc_name *name)
{
	struct group *g = gs->buckets[name_hash(name) % gs->n_buckets];

	for (; g; g = g->hnext)
		if (ipc_name_cmp(&g->name, name) == 0)
			return g;
	return NULL;
}

static void rehash(struct groups *gs)
{
	size_t nb = gs->n_buckets * 2;
	struct group **b = calloc(nb, sizeof(*b));

	if (!b)
		return;  /* keep the longer chains: slower, still correct */
	for (size_t i = 0; i < gs->n_buckets; i++) {
		struct group *g = gs->buckets[i];

		while (g) {
			struct group *next = g->hnext;
			size_t k = name_hash(&g->name) % nb;

			g->hnext = b[k];
			b[k] = g;
			g = next;
		}
	}
	free(gs->buckets);
	gs->buckets = b;
	gs->n_buckets = nb;
}

struct group *groups_get(struct groups *gs, const struct ipc_name *name)
{
	struct group *g = groups_find(gs, name);
	size_t k;

	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->name = *name;
	if (gs->count + 1 > gs->n_buckets)
		rehash(gs);
	k = name_hash(name) % gs->n_buckets;
	g->hnext = gs->buckets[k];
	gs->buckets[k] = g;
	gs->count++;
	return g;
}

void groups_release(struct groups *gs, struct group *g)
{
	struct group **pp;

	if (g->n > 0)
		return;
	pp = &gs->buckets[name_hash(&g->name) % gs->n_buckets];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == g) {
			*pp = g->hnext;
			gs->count--;
			free(g->m);
			free(g);
			return;
		}
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *ga = *(struct group *const *)a;
	const struct group *gb = *(struct group *const *)b;

	return ipc_name_cmp(&ga->name, &gb->name);
}

struct group **groups_sorted(const struct groups *gs, size_t *n)
{
	struct group **v = malloc((gs->count ? gs->count : 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < gs->n_buckets; i++)
		for (struct group *g = gs->buckets[i]; g; g = g->hnext)
			v[k++] = g;
	qsort(v, k, sizeof(*v), cmp_group);
	*n = k;
	return v;
}

/* Index of the first member not less than (nodeid, pid). */
static size_t lower_bound(const struct group *g, uint32_t nodeid, uint32_t pid)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct member *m = &g->m[mid];

		if (m->nodeid < nodeid || (m->nodeid == nodeid && m->pid < pid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct member *group_member(const struct group *g, uint32_t nodeid,
    uint32_t pid)
{
	size_t i = lower_bound(g, nodeid, pid);

	if (i < g->n && g->m[i].nodeid == nodeid && g->m[i].pid == pid)
		return &g->m[i];
	return NULL;
}

int group_add(struct group *g, uint32_t nodeid, uint32_t pid,
    struct conn *conn)
{
	size_t i = lower_bound(g, nodeid, pid);

	if (i < g->n && g->m[i].nodeid == nodeid && g->m[i].pid == pid)
		return -EEXIST;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		struct member *m = realloc(g->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		g->m = m;
		g->cap = cap;
	}
	memmove(&g->m[i + 1], &g->m[i], (g->n - i) * sizeof(*g->m));
	g->m[i] = (struct member){ nodeid, pid, conn };
	g->n++;
	return 0;
}

void group_del(struct group *g, uint32_t nodeid, uint32_t pid)
{
	struct member *m = group_member(g, nodeid, pid);
	size_t i;

	if (!m)
		return;
	i = (size_t)(m - g->m);
	memmove(&g->m[i], &g->m[i + 1], (g->n - i - 1) * sizeof(*g->m));
	g->n--;
}
