/*
 * evs_int.h: what evs.c (reading, invariants 1-6) and evs_group.c (the
 * CPG group level, 9-12) share; not part of evs.h's interface.
 */
#ifndef COHORT_EVS_INT_H
#define COHORT_EVS_INT_H

#include "evs.h"

/* Sets e->err unless a violation is already recorded; returns -1. */
__attribute__((format(printf, 2, 3)))
int evs_fail(struct evs *e, const char *fmt, ...);
/* The index of a process name, interned on first sight; -1 if too many
 * or too long. */
int evs_intern(struct evs *e, const char *name);
/* The history named by name index `id`, or NULL. */
const struct evs_hist *evs_hist_of(const struct evs *e, int id);
/* Index of the delivery of (sender, seq) in h, or -1; h indexed. */
long evs_position(const struct evs_hist *h, int sender, uint64_t seq);
/* Strict decimal or hex (base 10 or 16) number, at most `max`. */
int evs_parse_u64(const char *s, int base, uint64_t max, uint64_t *v);

/* evs_group.c. A gconf line's group and its M=, L= and J= tokens (each
 * written to), into ev; 0, or -1 with *why saying what is wrong. */
int evs_parse_gconf(struct evs *e, const char *group, char *lists[3],
    struct evs_event *ev, const char **why);
/* Per-history indexes of a group history (gidx, view, ndel, ...); also
 * rejects a malformed one (conf lines, events after a crash). */
int evs_index_group(struct evs *e, struct evs_hist *h);
/* 9 and consistency, within one group history. */
int evs_check_joins(struct evs *e, const struct evs_hist *h);
/* 11, one group history's confchgs against the others' histories. */
int evs_check_reasons(struct evs *e, const struct evs_hist *h);
/* 10 for a pair of group histories (nothing unless of the same group). */
int evs_check_gsync(struct evs *e, const struct evs_hist *a,
    const struct evs_hist *b);
/* 6 for ring lines, across all histories. */
int evs_check_rings(struct evs *e);

#endif /* COHORT_EVS_INT_H */
