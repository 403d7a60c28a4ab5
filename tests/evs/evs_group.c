/*
 * evs_group.c: the CPG group level of evs.h: gconf lines, invariants 9
 * to 12 and the per-history consistency of confchgs, and the agreement
 * of 'ring' lines (6).
 *
 * A group history's views are its gconfs, numbered in order; view[i] is
 * the view event i happened in, so that two histories' views of one
 * message are found without scanning (evs_position gives where the
 * other history delivered it).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "evs_int.h"

/* The short name the checks below use. */
#define fail evs_fail

static const char *nm(const struct evs *e, int id)
{
	return e->names[id];
}

static const char *gname(const struct evs *e, const struct evs_hist *h)
{
	return e->groups[h->group];
}

static int intern_group(struct evs *e, const char *name)
{
	for (size_t i = 0; i < e->n_groups; i++)
		if (strcmp(e->groups[i], name) == 0)
			return (int)i;
	if (e->n_groups == EVS_GROUPS_MAX || strlen(name) >= EVS_GROUP_LEN)
		return -1;
	snprintf(e->groups[e->n_groups], EVS_GROUP_LEN, "%s", name);
	return (int)e->n_groups++;
}

static int cmp_gm(const void *a, const void *b)
{
	const struct evs_gmember *x = a, *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->reason > y->reason) - (x->reason < y->reason);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* "-", or NAME[:REASON],... (reasons iff `reasons`), sorted by name
 * index; duplicates are kept for the consistency check to name. */
static int parse_list(struct evs *e, char *s, bool reasons,
    struct evs_gmember **out, size_t *n, const char **why)
{
	size_t cap = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	for (;;) {
		char *comma = strchr(s, ','), *colon;
		struct evs_gmember g = { 0 };
		uint64_t r;

		if (comma)
			*comma = '\0';
		colon = strchr(s, ':');
		if (reasons != (colon != NULL)) {
			*why = reasons ? "an entry without :REASON" :
			    "a reason in M";
			return -1;
		}
		if (colon) {
			*colon = '\0';
			if (evs_parse_u64(colon + 1, 10, UINT32_MAX, &r) < 0) {
				*why = "a reason that is not a number";
				return -1;
			}
			g.reason = (uint32_t)r;
		}
		if (!*s) {
			*why = "an empty name";
			return -1;
		}
		if ((g.id = evs_intern(e, s)) < 0) {
			*why = "a name too long, or too many processes";
			return -1;
		}
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct evs_gmember *v = realloc(*out, ncap * sizeof(*v));

			if (!v) {
				*why = "out of memory";
				return -1;
			}
			*out = v;
			cap = ncap;
		}
		(*out)[(*n)++] = g;
		if (!comma)
			break;
		s = comma + 1;
	}
	qsort(*out, *n, sizeof(**out), cmp_gm);
	return 0;
}

int evs_parse_gconf(struct evs *e, const char *group, char *lists[3],
    struct evs_event *ev, const char **why)
{
	static const char prefix[3][3] = { "M=", "L=", "J=" };
	struct evs_gmember *m = NULL;
	size_t n = 0;
	int rc = -1;

	for (int i = 0; i < 3; i++)
		if (strncmp(lists[i], prefix[i], 2) != 0) {
			*why = "not GROUP M=... L=... J=...";
			return -1;
		}
	if ((ev->group = intern_group(e, group)) < 0) {
		*why = "group name too long, or too many groups";
		return -1;
	}
	if (parse_list(e, lists[0] + 2, false, &m, &n, why) < 0 ||
	    parse_list(e, lists[1] + 2, true, &ev->left, &ev->n_left, why) < 0 ||
	    parse_list(e, lists[2] + 2, true, &ev->joined, &ev->n_joined,
	    why) < 0)
		goto out;
	if (n && !(ev->members = malloc(n * sizeof(*ev->members)))) {
		*why = "out of memory";
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ev->members[i] = (uint32_t)m[i].id;
	ev->n_members = n;
	rc = 0;
out:
	free(m);
	return rc;
}

/* ------------------------------------------------------ set helpers */

static bool has(const struct evs_event *c, int id)
{
	uint32_t k = (uint32_t)id;

	return c->n_members &&
	    bsearch(&k, c->members, c->n_members, sizeof(k), cmp_u32);
}

static const struct evs_gmember *find_gm(const struct evs_gmember *v,
    size_t n, int id)
{
	for (size_t lo = 0, hi = n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].id == id)
			return &v[mid];
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether two sorted sets differ; if so *x is the first element of one
 * that the other lacks. */
static bool diff_set(const uint32_t *a, size_t na, const uint32_t *b,
    size_t nb, uint32_t *x)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb && a[i] == b[j])
		i++, j++;
	if (i == na && j == nb)
		return false;
	if (j == nb || (i < na && a[i] < b[j]))
		*x = a[i];
	else
		*x = b[j];
	return true;
}

/* Whether two L or J lists differ; if so, says how into buf. */
static bool diff_gm(const struct evs *e, const struct evs_gmember *a,
    size_t na, const struct evs_gmember *b, size_t nb, char *buf,
    size_t len)
{
	size_t i = 0;

	while (i < na && i < nb && a[i].id == b[i].id &&
	    a[i].reason == b[i].reason)
		i++;
	if (i == na && i == nb)
		return false;
	if (i < na && i < nb && a[i].id == b[i].id)
		snprintf(buf, len, "%s:%u against %s:%u", nm(e, a[i].id),
		    a[i].reason, nm(e, b[i].id), b[i].reason);
	else if (i < na && (i == nb || a[i].id < b[i].id))
		snprintf(buf, len, "%s:%u against nothing", nm(e, a[i].id),
		    a[i].reason);
	else
		snprintf(buf, len, "nothing against %s:%u", nm(e, b[i].id),
		    b[i].reason);
	return true;
}

static const struct evs_event *view_ev(const struct evs_hist *h, long k)
{
	return &h->ev[h->gidx[k]];
}

/* ---------------------------------------------------------- indexes */

int evs_index_group(struct evs *e, struct evs_hist *h)
{
	bool member = false, pending = false;
	size_t dels = 0;

	h->gidx = malloc((h->n + 1) * sizeof(*h->gidx));
	h->view = malloc((h->n + 1) * sizeof(*h->view));
	h->ndel = malloc((h->n + 1) * sizeof(*h->ndel));
	if (!h->gidx || !h->view || !h->ndel)
		return fail(e, "out of memory");
	h->n_g = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct evs_event *c = &h->ev[i];
		const struct evs_gmember *self;

		if (c->kind == EVS_CONF)
			return fail(e, "%s: a group history (gconf) with conf "
			    "lines", nm(e, h->id));
		if (i && h->ev[i - 1].kind == EVS_CRASH && c->kind != EVS_CRASH)
			return fail(e, "%s: events after its crash", nm(e, h->id));
		if (c->kind == EVS_GCONF) {
			h->gidx[h->n_g++] = i;
			self = find_gm(c->joined, c->n_joined, h->id);
			if (self && self->reason == EVS_R_JOIN)
				h->n_joins++;
			if (member && !has(c, h->id))
				pending = false;
			member = has(c, h->id);
		}
		if (c->kind == EVS_LEAVE)
			h->has_leave = pending = true;
		h->view[i] = (long)h->n_g - 1;
		h->ndel[i] = dels;
		if (c->kind == EVS_DELIVER)
			dels++;
	}
	h->ndel[h->n] = dels;
	h->end_crash = h->n && h->ev[h->n - 1].kind == EVS_CRASH;
	h->live = member && !pending && !h->end_crash;
	return 0;
}

/* ------------------------------------------- 9 and consistency (11) */

static int check_dups(struct evs *e, const struct evs_hist *h,
    const struct evs_event *c)
{
	const struct evs_gmember *l[2] = { c->left, c->joined };
	size_t n[2] = { c->n_left, c->n_joined };

	for (size_t i = 1; i < c->n_members; i++)
		if (c->members[i] == c->members[i - 1])
			return fail(e, "invariant 11 (group consistency): %s sees "
			    "a confchg of %s with %s twice in M", nm(e, h->id),
			    gname(e, h), nm(e, (int)c->members[i]));
	for (int k = 0; k < 2; k++)
		for (size_t i = 1; i < n[k]; i++)
			if (l[k][i].id == l[k][i - 1].id)
				return fail(e, "invariant 11 (group consistency): "
				    "%s sees a confchg of %s with %s twice in %c",
				    nm(e, h->id), gname(e, h), nm(e, l[k][i].id),
				    k ? 'J' : 'L');
	return 0;
}

/* c follows prev for a member: M is prev's M minus L plus J. `want` has
 * room for prev's M and c's J. */
static int check_step(struct evs *e, const struct evs_hist *h,
    const struct evs_event *prev, const struct evs_event *c, uint32_t *want)
{
	size_t n = 0;
	uint32_t x;

	for (size_t i = 0; i < c->n_left; i++)
		if (!has(prev, c->left[i].id))
			return fail(e, "invariant 11 (group consistency): %s sees "
			    "%s leave %s, which was not a member", nm(e, h->id),
			    nm(e, c->left[i].id), gname(e, h));
	for (size_t i = 0; i < c->n_joined; i++)
		if (has(prev, c->joined[i].id))
			return fail(e, "invariant 11 (group consistency): %s sees "
			    "%s join %s, which was a member already",
			    nm(e, h->id), nm(e, c->joined[i].id), gname(e, h));
	for (size_t i = 0; i < prev->n_members; i++)
		if (!find_gm(c->left, c->n_left, (int)prev->members[i]))
			want[n++] = prev->members[i];
	for (size_t i = 0; i < c->n_joined; i++)
		want[n++] = (uint32_t)c->joined[i].id;
	qsort(want, n, sizeof(*want), cmp_u32);
	if (diff_set(want, n, c->members, c->n_members, &x))
		return fail(e, "invariant 11 (group consistency): %s sees a "
		    "confchg of %s whose M is not the previous M minus L plus "
		    "J (%s %s)", nm(e, h->id), gname(e, h), nm(e, (int)x),
		    has(c, (int)x) ? "is in M" : "is missing from M");
	return 0;
}

int evs_check_joins(struct evs *e, const struct evs_hist *h)
{
	const struct evs_event *prev = NULL;
	bool member = false, pending = false;
	uint32_t *want = NULL;
	size_t want_cap = 0;
	int rc = 0;

	for (size_t i = 0; i < h->n && !rc; i++) {
		const struct evs_event *c = &h->ev[i];
		const struct evs_gmember *self;

		if (c->kind == EVS_LEAVE)
			pending = true;
		if (c->kind == EVS_DELIVER && !member)
			rc = fail(e, "invariant 9 (join): %s delivered %s#%" PRIu64
			    " %s %s%s", nm(e, h->id), nm(e, c->sender), c->seq,
			    prev ? "after it left" : "before its first confchg of",
			    gname(e, h), prev ? ", before joining again" : "");
		if (c->kind != EVS_GCONF || rc)
			continue;
		if ((rc = check_dups(e, h, c)))
			break;
		self = find_gm(c->joined, c->n_joined, h->id);
		if (!member) {
			/* Its first view, or the first after it left. */
			if (!self || self->reason != EVS_R_JOIN || !has(c, h->id))
				rc = fail(e, "invariant 9 (join): %s's %s confchg "
				    "of %s does not list it in M and in J with JOIN"
				    " (1)", nm(e, h->id), prev ? "next" : "first",
				    gname(e, h));
		} else {
			if (want_cap < prev->n_members + c->n_joined) {
				uint32_t *v;

				want_cap = prev->n_members + c->n_joined;
				if (!(v = realloc(want, want_cap * sizeof(*v)))) {
					rc = fail(e, "out of memory");
					break;
				}
				want = v;
			}
			rc = check_step(e, h, prev, c, want);
			if (!rc && !has(c, h->id) && !pending)
				rc = fail(e, "invariant 11 (group consistency): "
				    "%s leaves %s without having called leave",
				    nm(e, h->id), gname(e, h));
			if (!has(c, h->id))
				pending = false;
		}
		member = has(c, h->id);
		prev = c;
	}
	free(want);
	return rc;
}

/* ---------------------------------------------------------- reasons */

static size_t joins_of(const struct evs_hist *x, int group)
{
	return x->group == group ? x->n_joins : 0;
}

/* 11 for one entry of L. */
static int check_left(struct evs *e, const struct evs_hist *h,
    const struct evs_gmember *g)
{
	const struct evs_hist *x = evs_hist_of(e, g->id);
	const char *who = nm(e, h->id), *it = nm(e, g->id);

	if (g->id == h->id && g->reason != EVS_R_LEAVE)
		return fail(e, "invariant 11 (reasons): %s leaves %s with "
		    "reason %u, not LEAVE (2)", who, gname(e, h), g->reason);
	switch (g->reason) {
	case EVS_R_NODEDOWN:
		return 0;
	case EVS_R_PROCDOWN:
		if (x && !x->end_crash)
			return fail(e, "invariant 11 (reasons): %s sees %s leave "
			    "%s with PROCDOWN (5), but %s did not crash", who,
			    it, gname(e, h), it);
		return 0;
	case EVS_R_LEAVE:
		if (x && !x->has_leave)
			return fail(e, "invariant 11 (reasons): %s sees %s leave "
			    "%s with LEAVE (2), but %s never called leave", who,
			    it, gname(e, h), it);
		return 0;
	default:
		return fail(e, "invariant 11 (reasons): %s sees %s leave %s "
		    "with reason %u, which is not one for leaving", who, it,
		    gname(e, h), g->reason);
	}
}

/* 11 for one entry of J; `seen` counts h's JOINs of each process. */
static int check_joined(struct evs *e, const struct evs_hist *h,
    const struct evs_gmember *g, size_t *seen)
{
	const struct evs_hist *x = evs_hist_of(e, g->id);
	const char *who = nm(e, h->id), *it = nm(e, g->id);

	switch (g->reason) {
	case EVS_R_JOIN:
		seen[g->id]++;
		if (x && seen[g->id] > joins_of(x, h->group))
			return fail(e, "invariant 11 (reasons): %s sees %s join %s "
			    "with JOIN (1) %zu times, but %s joined it %zu times",
			    who, it, gname(e, h), seen[g->id], it,
			    joins_of(x, h->group));
		return 0;
	case EVS_R_NODEUP:
		if (x && (x->group != h->group || x->n_g == 0))
			return fail(e, "invariant 11 (reasons): %s sees %s join %s "
			    "with NODEUP (4), but %s's history has no confchg of "
			    "it", who, it, gname(e, h), it);
		return 0;
	default:
		return fail(e, "invariant 11 (reasons): %s sees %s join %s with "
		    "reason %u, which is not one for joining", who, it,
		    gname(e, h), g->reason);
	}
}

int evs_check_reasons(struct evs *e, const struct evs_hist *h)
{
	size_t *seen = calloc(e->n_names + 1, sizeof(*seen));
	int rc = 0;

	if (!seen)
		return fail(e, "out of memory");
	for (size_t k = 0; k < h->n_g && !rc; k++) {
		const struct evs_event *c = view_ev(h, (long)k);

		for (size_t i = 0; i < c->n_left && !rc; i++)
			rc = check_left(e, h, &c->left[i]);
		for (size_t i = 0; i < c->n_joined && !rc; i++)
			rc = check_joined(e, h, &c->joined[i], seen);
	}
	free(seen);
	return rc;
}

/* ------------------------------------------------ virtual synchrony */

/* Every message a delivered in its view ka, b delivered in its view kb
 * (b's views as numbered in b). */
static int same_messages(struct evs *e, const struct evs_hist *a, long ka,
    const struct evs_hist *b, long kb)
{
	size_t end = (size_t)ka + 1 < a->n_g ? a->gidx[ka + 1] : a->n;
	size_t bend = (size_t)kb + 1 < b->n_g ? b->gidx[kb + 1] : b->n;

	for (size_t i = a->gidx[ka] + 1; i < end; i++) {
		const struct evs_event *m = &a->ev[i];
		long p;

		if (m->kind != EVS_DELIVER)
			continue;
		p = evs_position(b, m->sender, m->seq);
		if (p <= (long)b->gidx[kb] || (size_t)p >= bend)
			return fail(e, "invariant 10 (group virtual synchrony): %s "
			    "and %s go from one view of %s to the same next one, "
			    "but %s delivered %s#%" PRIu64 " in it and %s did not",
			    nm(e, a->id), nm(e, b->id), gname(e, a),
			    nm(e, a->id), nm(e, m->sender), m->seq,
			    nm(e, b->id));
	}
	return 0;
}

/* 10 for a's view ka and b's view kb, where both delivered m. */
static int check_view(struct evs *e, const struct evs_hist *a, long ka,
    const struct evs_hist *b, long kb, const struct evs_event *m)
{
	const struct evs_event *va = view_ev(a, ka), *vb = view_ev(b, kb);
	const struct evs_event *na, *nb;
	char list[2 * EVS_NAME_LEN + 32], how[sizeof(list) + 8];
	uint32_t x;

	if (diff_set(va->members, va->n_members, vb->members, vb->n_members,
	    &x))
		return fail(e, "invariant 10 (group virtual synchrony): %s and "
		    "%s deliver %s#%" PRIu64 " in different views of %s (%s is "
		    "a member in one only)", nm(e, a->id), nm(e, b->id),
		    nm(e, m->sender), m->seq, gname(e, a), nm(e, (int)x));
	if ((size_t)ka + 1 >= a->n_g || (size_t)kb + 1 >= b->n_g)
		return 0;   /* a history ends inside the view */
	na = view_ev(a, ka + 1);
	nb = view_ev(b, kb + 1);
	/* The same next confchg (M, and L and J with their reasons): the
	 * same messages in between. Only M is not enough: a member that
	 * leaves (LEAVE in its own confchg) while another sees its node fail
	 * (NODEDOWN) ends up with the same next M, but EVS only binds the
	 * two to the same messages if they install the same next
	 * configuration, which they did not (chaos soak seed 20261202). */
	if (!diff_set(na->members, na->n_members, nb->members, nb->n_members,
	    &x) && !diff_gm(e, na->left, na->n_left, nb->left, nb->n_left,
	    list, sizeof(list)) && !diff_gm(e, na->joined, na->n_joined,
	    nb->joined, nb->n_joined, list, sizeof(list)) &&
	    (same_messages(e, a, ka, b, kb) || same_messages(e, b, kb, a, ka)))
		return -1;
	if (!has(na, b->id) || !has(nb, a->id))
		return 0;
	if (diff_set(na->members, na->n_members, nb->members, nb->n_members,
	    &x))
		snprintf(how, sizeof(how), "%s is a member in one only",
		    nm(e, (int)x));
	else if (diff_gm(e, na->left, na->n_left, nb->left, nb->n_left, list,
	    sizeof(list)))
		snprintf(how, sizeof(how), "L: %s", list);
	else if (diff_gm(e, na->joined, na->n_joined, nb->joined,
	    nb->n_joined, list, sizeof(list)))
		snprintf(how, sizeof(how), "J: %s", list);
	else
		return 0;
	return fail(e, "invariant 10 (group virtual synchrony): %s and %s stay "
	    "together in %s after delivering %s#%" PRIu64 ", but their next "
	    "confchgs differ (%s)", nm(e, a->id), nm(e, b->id), gname(e, a),
	    nm(e, m->sender), m->seq, how);
}

int evs_check_gsync(struct evs *e, const struct evs_hist *a,
    const struct evs_hist *b)
{
	long la = -1, lb = -1;

	if (a->group < 0 || a->group != b->group)
		return 0;
	/* With total order checked, the views of the messages both deliver
	 * advance together: each pair of views is checked once. */
	for (size_t i = 0; i < a->n; i++) {
		const struct evs_event *m = &a->ev[i];
		long p, ka, kb;

		if (m->kind != EVS_DELIVER)
			continue;
		p = evs_position(b, m->sender, m->seq);
		if (p < 0)
			continue;
		ka = a->view[i];
		kb = b->view[p];
		if (ka < 0 || kb < 0 || (ka == la && kb == lb))
			continue;
		la = ka;
		lb = kb;
		if (check_view(e, a, ka, b, kb, m))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------- ring agreement */

struct ring_slot {
	const struct evs_event *ev;      /* NULL: empty */
	const struct evs_hist *h;
};

static size_t ring_hash(uint32_t rep, uint64_t ring, size_t cap)
{
	uint64_t k = (ring ^ ((uint64_t)rep << 40) ^ rep) *
	    0x9E3779B97F4A7C15ull;

	return (size_t)(k >> 20) & (cap - 1);
}

int evs_check_rings(struct evs *e)
{
	struct ring_slot *t = NULL;
	size_t count = 0, cap = 16;
	int rc = 0;

	for (size_t i = 0; i < e->n; i++)
		for (size_t k = 0; k < e->h[i].n; k++)
			count += e->h[i].ev[k].kind == EVS_RING;
	if (!count)
		return 0;
	while (cap < 2 * count)
		cap *= 2;
	if (!(t = calloc(cap, sizeof(*t))))
		return fail(e, "out of memory");
	for (size_t i = 0; i < e->n && !rc; i++)
		for (size_t k = 0; k < e->h[i].n && !rc; k++) {
			const struct evs_event *c = &e->h[i].ev[k];
			size_t sl;
			uint32_t x;

			if (c->kind != EVS_RING)
				continue;
			for (sl = ring_hash(c->rep, c->ring, cap); t[sl].ev;
			    sl = (sl + 1) & (cap - 1))
				if (t[sl].ev->rep == c->rep &&
				    t[sl].ev->ring == c->ring)
					break;
			if (!t[sl].ev) {
				t[sl] = (struct ring_slot){ c, &e->h[i] };
				continue;
			}
			if (diff_set(t[sl].ev->members, t[sl].ev->n_members,
			    c->members, c->n_members, &x))
				rc = fail(e, "invariant 6 (ring agreement): %s and "
				    "%s see ring %x.%" PRIx64 " with different "
				    "members (node %u in one only)",
				    nm(e, t[sl].h->id), nm(e, e->h[i].id), c->rep,
				    c->ring, x);
		}
	free(t);
	return rc;
}

/* ------------------------------------------------------------- 12 */

int evs_check_final(struct evs *e)
{
	uint32_t *live = malloc((e->n + 1) * sizeof(*live));
	int rc = 0;

	if (!live)
		return fail(e, "out of memory");
	for (size_t g = 0; g < e->n_groups && !rc; g++) {
		size_t n = 0;

		for (size_t i = 0; i < e->n; i++) {
			if (e->h[i].group != (int)g)
				continue;
			if (!e->h[i].view) {
				rc = fail(e, "evs_check_final before evs_check");
				goto out;
			}
			if (e->h[i].live)
				live[n++] = (uint32_t)e->h[i].id;
		}
		qsort(live, n, sizeof(*live), cmp_u32);
		for (size_t i = 0; i < e->n && !rc; i++) {
			const struct evs_hist *h = &e->h[i];
			const struct evs_event *c;
			uint32_t x;

			if (h->group != (int)g || !h->live)
				continue;
			c = view_ev(h, (long)h->n_g - 1);
			if (diff_set(c->members, c->n_members, live, n, &x))
				rc = fail(e, "invariant 12 (final membership): %s "
				    "ends %s %s as a member of %s, and %s %s", nm(e,
				    h->id), has(c, (int)x) ? "with" : "without",
				    nm(e, (int)x), gname(e, h), nm(e, (int)x),
				    has(c, (int)x) ? "is not live (it crashed, left "
				    "or has no history)" : "is live");
		}
	}
out:
	free(live);
	return rc;
}
