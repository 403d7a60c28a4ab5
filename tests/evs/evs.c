/*
 * evs.c: reading histories and checking the invariants of evs.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "evs.h"

#define LINE_MAX_LEN 8192

void evs_init(struct evs *e)
{
	memset(e, 0, sizeof(*e));
	e->names = calloc(EVS_NAMES_MAX, EVS_NAME_LEN);
}

void evs_free(struct evs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		for (size_t k = 0; k < e->h[i].n; k++)
			free(e->h[i].ev[k].members);
		free(e->h[i].ev);
		free(e->h[i].hkey);
		free(e->h[i].hpos);
		free(e->h[i].sent_digest);
		free(e->h[i].sent_set);
	}
	free(e->h);
	free(e->names);
	memset(e, 0, sizeof(*e));
}

__attribute__((format(printf, 2, 3)))
static int fail(struct evs *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->err[0]) {
		va_start(ap, fmt);
		vsnprintf(e->err, sizeof(e->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int intern(struct evs *e, const char *name)
{
	for (size_t i = 0; i < e->n_names; i++)
		if (strcmp(e->names[i], name) == 0)
			return (int)i;
	if (e->n_names == EVS_NAMES_MAX || strlen(name) >= EVS_NAME_LEN)
		return -1;
	snprintf(e->names[e->n_names], EVS_NAME_LEN, "%s", name);
	return (int)e->n_names++;
}

static const char *nm(const struct evs *e, const struct evs_hist *h)
{
	return e->names[h->id];
}

static int push(struct evs_hist *h, const struct evs_event *ev)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct evs_event *v = realloc(h->ev, cap * sizeof(*v));

		if (!v)
			return -1;
		h->ev = v;
		h->cap = cap;
	}
	h->ev[h->n++] = *ev;
	return 0;
}

static int parse_conf(char *rest, struct evs_event *ev)
{
	char *save, *tok = strtok_r(rest, " \t", &save);
	size_t cap = 8;

	if (!tok || (tok[0] != 'T' && tok[0] != 'R') || tok[1])
		return -1;
	ev->conf_kind = tok[0];
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || sscanf(tok, "%" SCNx32 ".%" SCNx64, &ev->rep, &ev->ring) != 2)
		return -1;
	ev->members = malloc(cap * sizeof(uint32_t));
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (ev->n_members == cap) {
			cap *= 2;
			ev->members = realloc(ev->members, cap * sizeof(uint32_t));
		}
		ev->members[ev->n_members++] = (uint32_t)strtoul(tok, NULL, 10);
	}
	return 0;
}

int evs_read(struct evs *e, FILE *f, const char *file)
{
	char line[LINE_MAX_LEN];
	struct evs_hist *h = NULL;
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		struct evs_event ev = { 0 };
		char name[EVS_NAME_LEN], *p = line;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*p || *p == '#')
			continue;
		if (sscanf(p, "proc %63s", name) == 1) {
			struct evs_hist *v = realloc(e->h, (e->n + 1) * sizeof(*v));

			if (!v)
				return fail(e, "out of memory");
			e->h = v;
			h = &e->h[e->n++];
			memset(h, 0, sizeof(*h));
			h->id = intern(e, name);
			if (h->id < 0)
				return fail(e, "%s:%u: too many processes", file, lineno);
			continue;
		}
		if (!h)
			return fail(e, "%s:%u: event before 'proc'", file, lineno);
		if (sscanf(p, "send %" SCNu64 " %" SCNx64, &ev.seq, &ev.digest) == 2) {
			ev.kind = EVS_SEND;
		} else if (strncmp(p, "conf ", 5) == 0) {
			ev.kind = EVS_CONF;
			if (parse_conf(p + 5, &ev) < 0)
				return fail(e, "%s:%u: bad conf line", file, lineno);
		} else if (sscanf(p, "deliver %63s %" SCNu64 " %" SCNx64, name,
		    &ev.seq, &ev.digest) == 3) {
			ev.kind = EVS_DELIVER;
			ev.sender = intern(e, name);
		} else if (strcmp(p, "crash") == 0) {
			ev.kind = EVS_CRASH;
			h->crashed = true;
		} else {
			return fail(e, "%s:%u: cannot read '%s'", file, lineno, p);
		}
		if (push(h, &ev) < 0)
			return fail(e, "out of memory");
	}
	return 0;
}

/* ----------------------------------------------------------- checks */

static uint64_t dkey(int sender, uint64_t seq)
{
	return (uint64_t)(sender + 1) << 44 | (seq & ((1ull << 44) - 1));
}

static size_t hslot(uint64_t key, size_t cap)
{
	key *= 0x9E3779B97F4A7C15ull;
	return (size_t)(key >> 20) & (cap - 1);
}

/* Indexes a history's deliveries and sends; fails on a duplicate. */
static int index_hist(struct evs *e, struct evs_hist *h)
{
	size_t cap = 16, maxseq = 0;

	while (cap < 2 * h->n + 16)
		cap *= 2;
	h->hkey = calloc(cap, sizeof(*h->hkey));
	h->hpos = calloc(cap, sizeof(*h->hpos));
	h->hcap = cap;
	for (size_t i = 0; i < h->n; i++)
		if (h->ev[i].kind == EVS_SEND && h->ev[i].seq > maxseq)
			maxseq = h->ev[i].seq;
	if (maxseq > 2 * h->n + 1024)
		return fail(e, "%s: send numbers must count from 1 (saw %zu)",
		    nm(e, h), maxseq);
	h->n_sent = maxseq + 1;
	h->sent_digest = calloc(h->n_sent, sizeof(*h->sent_digest));
	h->sent_set = calloc(h->n_sent, sizeof(*h->sent_set));
	if (!h->hkey || !h->hpos || !h->sent_digest || !h->sent_set)
		return fail(e, "out of memory");
	for (size_t i = 0; i < h->n; i++) {
		const struct evs_event *a = &h->ev[i];
		uint64_t k;
		size_t sl;

		if (a->kind == EVS_SEND) {
			h->sent_digest[a->seq] = a->digest;
			h->sent_set[a->seq] = true;
			continue;
		}
		if (a->kind != EVS_DELIVER)
			continue;
		k = dkey(a->sender, a->seq);
		for (sl = hslot(k, cap); h->hkey[sl]; sl = (sl + 1) & (cap - 1))
			if (h->hkey[sl] == k)
				return fail(e, "invariant 1 (no duplication): %s "
				    "delivered %s#%" PRIu64 " twice", nm(e, h),
				    e->names[a->sender], a->seq);
		h->hkey[sl] = k;
		h->hpos[sl] = i;
	}
	return 0;
}

static const struct evs_hist *hist_of(const struct evs *e, int id)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->h[i].id == id)
			return &e->h[i];
	return NULL;
}

static bool sent(const struct evs_hist *h, uint64_t seq, uint64_t digest)
{
	return seq < h->n_sent && h->sent_set[seq] &&
	    h->sent_digest[seq] == digest;
}

/* 1: every delivery was sent (same digest); duplicates: index_hist. */
static int check_creation(struct evs *e, const struct evs_hist *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct evs_event *a = &h->ev[i];
		const struct evs_hist *s;

		if (a->kind != EVS_DELIVER)
			continue;
		s = hist_of(e, a->sender);
		if (!s || !sent(s, a->seq, a->digest))
			return fail(e, "invariant 1 (no creation): %s delivered "
			    "%s#%" PRIu64 ", which %s did not send", nm(e, h),
			    e->names[a->sender], a->seq, e->names[a->sender]);
	}
	return 0;
}

/* Position of a message in a history's deliveries, or -1. */
static long position(const struct evs_hist *h, int sender, uint64_t seq)
{
	uint64_t k = dkey(sender, seq);

	for (size_t sl = hslot(k, h->hcap); h->hkey[sl];
	    sl = (sl + 1) & (h->hcap - 1))
		if (h->hkey[sl] == k)
			return (long)h->hpos[sl];
	return -1;
}

/* 2: messages both deliver come in the same order. */
static int check_order(struct evs *e, const struct evs_hist *a,
    const struct evs_hist *b)
{
	long last = -1;
	const struct evs_event *prev = NULL;

	for (size_t i = 0; i < a->n; i++) {
		const struct evs_event *m = &a->ev[i];
		long pos;

		if (m->kind != EVS_DELIVER)
			continue;
		pos = position(b, m->sender, m->seq);
		if (pos < 0)
			continue;
		if (pos < last)
			return fail(e, "invariant 2 (total order): %s and %s "
			    "deliver %s#%" PRIu64 " and %s#%" PRIu64
			    " in different orders", nm(e, a), nm(e, b),
			    e->names[prev->sender], prev->seq,
			    e->names[m->sender], m->seq);
		last = pos;
		prev = m;
	}
	return 0;
}

/* 3: per sender, increasing; inside one configuration, without gaps. */
static int check_fifo(struct evs *e, const struct evs_hist *h)
{
	uint64_t *last = calloc(e->n_names, sizeof(*last));
	size_t *epoch = calloc(e->n_names, sizeof(*epoch));
	size_t confs = 1;
	int rc = 0;

	if (!last || !epoch) {
		rc = fail(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < h->n && !rc; i++) {
		const struct evs_event *a = &h->ev[i];

		if (a->kind == EVS_CONF)
			confs++;
		if (a->kind != EVS_DELIVER)
			continue;
		if (last[a->sender] && (a->seq <= last[a->sender] ||
		    (epoch[a->sender] == confs && a->seq != last[a->sender] + 1)))
			rc = fail(e, "invariant 3 (FIFO): %s delivered %s#%"
			    PRIu64 " after #%" PRIu64, nm(e, h),
			    e->names[a->sender], a->seq, last[a->sender]);
		last[a->sender] = a->seq;
		epoch[a->sender] = confs;
	}
out:
	free(last);
	free(epoch);
	return rc;
}

/* 4: a process that does not crash delivers what it sent. */
static int check_self(struct evs *e, const struct evs_hist *h)
{
	if (h->crashed)
		return 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->ev[i].kind == EVS_SEND &&
		    position(h, h->id, h->ev[i].seq) < 0)
			return fail(e, "invariant 4 (self delivery): %s never "
			    "delivered its own #%" PRIu64, nm(e, h), h->ev[i].seq);
	return 0;
}

/* Index of the regular configuration (rep, ring) in h, or -1. */
static long find_conf(const struct evs_hist *h, uint32_t rep, uint64_t ring,
    char kind)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->ev[i].kind == EVS_CONF && h->ev[i].conf_kind == kind &&
		    h->ev[i].rep == rep && h->ev[i].ring == ring)
			return (long)i;
	return -1;
}

static long next_conf(const struct evs_hist *h, long from)
{
	for (size_t i = (size_t)from + 1; i < h->n; i++)
		if (h->ev[i].kind == EVS_CONF)
			return (long)i;
	return -1;
}

static bool same_members(const struct evs_event *a, const struct evs_event *b)
{
	return a->n_members == b->n_members &&
	    memcmp(a->members, b->members, a->n_members * sizeof(uint32_t)) == 0;
}

/* The regular configuration before event `at`, or -1. */
static long prev_regular(const struct evs_hist *h, long at)
{
	for (long i = at - 1; i >= 0; i--)
		if (h->ev[i].kind == EVS_CONF && h->ev[i].conf_kind == 'R')
			return i;
	return -1;
}

static bool same_prev(const struct evs_hist *a, long i,
    const struct evs_hist *b, long j)
{
	long pa = prev_regular(a, i), pb = prev_regular(b, j);

	if (pa < 0 || pb < 0)
		return pa < 0 && pb < 0;
	return a->ev[pa].rep == b->ev[pb].rep && a->ev[pa].ring == b->ev[pb].ring;
}

/* 5 and 6 for a pair of processes. */
static int check_configs(struct evs *e, const struct evs_hist *a,
    const struct evs_hist *b)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct evs_event *c = &a->ev[i];
		long j, an, bn;

		if (c->kind != EVS_CONF)
			continue;
		j = find_conf(b, c->rep, c->ring, c->conf_kind);
		if (j < 0)
			continue;
		/* Members of a new ring that come from different old ones
		 * install different transitional sets under the new ring's
		 * id: compare only those that come from the same one. */
		if (c->conf_kind == 'T' && !same_prev(a, (long)i, b, j))
			continue;
		if (!same_members(c, &b->ev[j]))
			return fail(e, "invariant 6 (agreement): %s and %s install "
			    "%c %x.%" PRIx64 " with different members", nm(e, a),
			    nm(e, b), c->conf_kind, c->rep, c->ring);
		an = next_conf(a, (long)i);
		bn = next_conf(b, j);
		if (an < 0 || bn < 0 || a->ev[an].rep != b->ev[bn].rep ||
		    a->ev[an].ring != b->ev[bn].ring ||
		    a->ev[an].conf_kind != b->ev[bn].conf_kind)
			continue;
		/* Same configuration, same next one: same messages between;
		 * for a transitional configuration too (failure atomicity
		 * holds for what is delivered in it). */
		for (long k = (long)i + 1; k < an; k++)
			if (a->ev[k].kind == EVS_DELIVER) {
				long p = position(b, a->ev[k].sender, a->ev[k].seq);

				if (p <= j || p >= bn)
					return fail(e, "invariant 5 (virtual "
					    "synchrony): in %c %x.%" PRIx64 " %s "
					    "delivered %s#%" PRIu64 " and %s did not",
					    c->conf_kind, c->rep, c->ring, nm(e, a),
					    e->names[a->ev[k].sender],
					    a->ev[k].seq, nm(e, b));
			}
	}
	return 0;
}

static bool has_member(const struct evs_event *c, uint32_t id)
{
	for (size_t m = 0; m < c->n_members; m++)
		if (c->members[m] == id)
			return true;
	return false;
}

/* 6, within one history: a regular configuration after the first is
 * preceded by a transitional one whose members are in both it and the
 * regular configuration before. */
static int check_transitional(struct evs *e, const struct evs_hist *h)
{
	bool first = true;
	const struct evs_event *trans = NULL, *reg = NULL;

	for (size_t i = 0; i < h->n; i++) {
		const struct evs_event *c = &h->ev[i];

		if (c->kind != EVS_CONF)
			continue;
		if (c->conf_kind == 'T') {
			for (size_t k = 0; reg && k < c->n_members; k++)
				if (!has_member(reg, c->members[k]))
					return fail(e, "invariant 6: %s: transitional"
					    " member %u of %x.%" PRIx64 " was not in"
					    " R %x.%" PRIx64, nm(e, h),
					    c->members[k], c->rep, c->ring,
					    reg->rep, reg->ring);
			trans = c;
			continue;
		}
		if (!first && !trans)
			return fail(e, "invariant 6: %s installs R %x.%" PRIx64
			    " without a transitional configuration", nm(e, h),
			    c->rep, c->ring);
		for (size_t k = 0; trans && k < trans->n_members; k++) {
			if (!has_member(c, trans->members[k]))
				return fail(e, "invariant 6: %s: transitional "
				    "member %u is not in R %x.%" PRIx64, nm(e, h),
				    trans->members[k], c->rep, c->ring);
		}
		first = false;
		trans = NULL;
		reg = c;
	}
	return 0;
}

int evs_check(struct evs *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (!e->h[i].hkey && index_hist(e, &e->h[i]))
			return -1;
	for (size_t i = 0; i < e->n; i++) {
		if (check_creation(e, &e->h[i]) || check_fifo(e, &e->h[i]) ||
		    check_self(e, &e->h[i]) || check_transitional(e, &e->h[i]))
			return -1;
		for (size_t k = 0; k < e->n; k++)
			if (k != i && (check_order(e, &e->h[i], &e->h[k]) ||
			    check_configs(e, &e->h[i], &e->h[k])))
				return -1;
	}
	return 0;
}
