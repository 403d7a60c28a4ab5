/*
 * evs.c: reading histories and checking the invariants of evs.h; the CPG
 * group level is in evs_group.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "evs_int.h"

/* A gconf line of many members fits, with its newline and NUL. */
#define LINE_MAX_LEN 65536
/* Sequence numbers share a 64-bit key with the sender (dkey). */
#define SEQ_BITS 44
#define SEQ_MAX ((1ull << SEQ_BITS) - 1)
/* How much of a bad line an error message quotes. */
#define QUOTE_LEN 80

void evs_init(struct evs *e)
{
	memset(e, 0, sizeof(*e));
	e->names = calloc(EVS_NAMES_MAX, EVS_NAME_LEN);
	e->name_slot = calloc(EVS_NAME_SLOTS, sizeof(*e->name_slot));
	e->groups = calloc(EVS_GROUPS_MAX, EVS_GROUP_LEN);
}

static void free_event(struct evs_event *ev)
{
	free(ev->members);
	free(ev->left);
	free(ev->joined);
}

void evs_free(struct evs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		for (size_t k = 0; k < e->h[i].n; k++)
			free_event(&e->h[i].ev[k]);
		free(e->h[i].ev);
		free(e->h[i].hkey);
		free(e->h[i].hpos);
		free(e->h[i].sent_digest);
		free(e->h[i].sent_set);
		free(e->h[i].gidx);
		free(e->h[i].view);
		free(e->h[i].ndel);
	}
	free(e->h);
	free(e->names);
	free(e->name_slot);
	free(e->groups);
	free(e->by_id);
	memset(e, 0, sizeof(*e));
}

int evs_fail(struct evs *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->err[0]) {
		va_start(ap, fmt);
		vsnprintf(e->err, sizeof(e->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The short name the reader and the checks below use. */
#define fail evs_fail

int evs_intern(struct evs *e, const char *name)
{
	uint64_t k = 0xcbf29ce484222325ull;
	size_t sl;

	for (const char *c = name; *c; c++)
		k = (k ^ (unsigned char)*c) * 0x100000001B3ull;
	for (sl = k & (EVS_NAME_SLOTS - 1); e->name_slot[sl];
	    sl = (sl + 1) & (EVS_NAME_SLOTS - 1))
		if (strcmp(e->names[e->name_slot[sl] - 1], name) == 0)
			return e->name_slot[sl] - 1;
	if (e->n_names == EVS_NAMES_MAX || strlen(name) >= EVS_NAME_LEN)
		return -1;
	snprintf(e->names[e->n_names], EVS_NAME_LEN, "%s", name);
	e->name_slot[sl] = (int)++e->n_names;
	return (int)e->n_names - 1;
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

int evs_parse_u64(const char *s, int base, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !(base == 16 ? isxdigit((unsigned char)*s) :
	    isdigit((unsigned char)*s)))
		return -1;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

/* REP.SEQ, both hex. */
static int parse_ring_id(char *tok, struct evs_event *ev)
{
	char *dot = tok ? strchr(tok, '.') : NULL;
	uint64_t rep;

	if (!dot)
		return -1;
	*dot = '\0';
	if (evs_parse_u64(tok, 16, UINT32_MAX, &rep) < 0 ||
	    evs_parse_u64(dot + 1, 16, UINT64_MAX, &ev->ring) < 0)
		return -1;
	ev->rep = (uint32_t)rep;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The node ids that end a conf or ring line; `as_set`: sorted, each once. */
static int parse_ids(char **save, struct evs_event *ev, bool as_set,
    const char **why)
{
	size_t cap = 0;
	char *tok;

	while ((tok = strtok_r(NULL, " \t", save))) {
		uint64_t v;

		if (evs_parse_u64(tok, 10, UINT32_MAX, &v) < 0) {
			*why = "a member is not a node id";
			return -1;
		}
		if (ev->n_members == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			uint32_t *m = realloc(ev->members, ncap * sizeof(*m));

			if (!m) {
				*why = "out of memory";
				return -1;
			}
			ev->members = m;
			cap = ncap;
		}
		ev->members[ev->n_members++] = (uint32_t)v;
	}
	if (!as_set || ev->n_members == 0)
		return 0;
	qsort(ev->members, ev->n_members, sizeof(uint32_t), cmp_u32);
	for (size_t i = 1; i < ev->n_members; i++)
		if (ev->members[i] == ev->members[i - 1]) {
			*why = "a node id twice";
			return -1;
		}
	return 0;
}

/* One event line after its first word `w`, into ev; 0, or -1 with *why. */
static int parse_event(struct evs *e, const char *w, char **save,
    struct evs_event *ev, const char **why)
{
	char *a = strtok_r(NULL, " \t", save), *b, *c, *d;

	*why = "wrong number of fields";
	if (strcmp(w, "send") == 0) {
		ev->kind = EVS_SEND;
		b = strtok_r(NULL, " \t", save);
		if (!b || strtok_r(NULL, " \t", save))
			return -1;
		*why = "bad sequence number or digest";
		return evs_parse_u64(a, 10, SEQ_MAX, &ev->seq) < 0 ||
		    evs_parse_u64(b, 16, UINT64_MAX, &ev->digest) < 0 ? -1 : 0;
	}
	if (strcmp(w, "deliver") == 0) {
		ev->kind = EVS_DELIVER;
		b = strtok_r(NULL, " \t", save);
		c = strtok_r(NULL, " \t", save);
		if (!c || strtok_r(NULL, " \t", save))
			return -1;
		*why = "bad sequence number or digest";
		if (evs_parse_u64(b, 10, SEQ_MAX, &ev->seq) < 0 ||
		    evs_parse_u64(c, 16, UINT64_MAX, &ev->digest) < 0)
			return -1;
		*why = "sender name too long, or too many processes";
		ev->sender = evs_intern(e, a);
		return ev->sender < 0 ? -1 : 0;
	}
	if (strcmp(w, "conf") == 0) {
		ev->kind = EVS_CONF;
		*why = "kind is not T or R, or bad ring id";
		if (!a || (a[0] != 'T' && a[0] != 'R') || a[1] ||
		    parse_ring_id(strtok_r(NULL, " \t", save), ev) < 0)
			return -1;
		ev->conf_kind = a[0];
		return parse_ids(save, ev, false, why);
	}
	if (strcmp(w, "ring") == 0) {
		ev->kind = EVS_RING;
		*why = "bad ring id";
		if (parse_ring_id(a, ev) < 0)
			return -1;
		return parse_ids(save, ev, true, why);
	}
	if (strcmp(w, "gconf") == 0) {
		ev->kind = EVS_GCONF;
		/* The group and the three lists, each a token. */
		b = strtok_r(NULL, " \t", save);
		c = strtok_r(NULL, " \t", save);
		d = strtok_r(NULL, " \t", save);
		if (!d || strtok_r(NULL, " \t", save))
			return -1;
		return evs_parse_gconf(e, a, (char *[]){ b, c, d }, ev, why);
	}
	if (strcmp(w, "crash") == 0) {
		ev->kind = EVS_CRASH;
		ev->node = a && strcmp(a, "node") == 0;
		*why = "only 'crash' or 'crash node'";
		return (a && !ev->node) || strtok_r(NULL, " \t", save) ? -1 : 0;
	}
	if (strcmp(w, "leave") == 0) {
		ev->kind = EVS_LEAVE;
		return a ? -1 : 0;
	}
	*why = NULL;
	return -1;
}

int evs_read(struct evs *e, FILE *f, const char *file)
{
	char *line = malloc(LINE_MAX_LEN), *text = malloc(LINE_MAX_LEN);
	struct evs_hist *h = NULL;
	unsigned lineno = 0;
	int rc = 0;

	if (!line || !text || !e->names || !e->name_slot || !e->groups) {
		rc = fail(e, "out of memory");
		goto out;
	}
	while (fgets(line, LINE_MAX_LEN, f)) {
		struct evs_event ev = { 0 };
		char *save, *w;
		const char *why;
		size_t len = strcspn(line, "\n");

		lineno++;
		if (!line[len] && len == LINE_MAX_LEN - 1 && !feof(f)) {
			rc = fail(e, "%s:%u: line too long (%d bytes at most)",
			    file, lineno, LINE_MAX_LEN - 2);
			goto out;
		}
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		memcpy(text, line, len + 1);
		w = strtok_r(line, " \t", &save);
		if (!w || w[0] == '#')
			continue;
		if (strcmp(w, "proc") == 0) {
			char *name = strtok_r(NULL, " \t", &save);
			struct evs_hist *v;

			if (!name || strtok_r(NULL, " \t", &save)) {
				rc = fail(e, "%s:%u: bad proc line: %.*s", file,
				    lineno, QUOTE_LEN, text);
				goto out;
			}
			if (strlen(name) >= EVS_NAME_LEN) {
				rc = fail(e, "%s:%u: process name longer than %d "
				    "bytes", file, lineno, EVS_NAME_LEN - 1);
				goto out;
			}
			v = realloc(e->h, (e->n + 1) * sizeof(*v));
			if (!v) {
				rc = fail(e, "out of memory");
				goto out;
			}
			e->h = v;
			h = &e->h[e->n++];
			memset(h, 0, sizeof(*h));
			h->group = -1;
			h->id = evs_intern(e, name);
			if (h->id < 0) {
				rc = fail(e, "%s:%u: too many processes", file,
				    lineno);
				goto out;
			}
			continue;
		}
		if (!h) {
			rc = fail(e, "%s:%u: event before 'proc'", file, lineno);
			goto out;
		}
		if (parse_event(e, w, &save, &ev, &why) < 0) {
			if (why)
				rc = fail(e, "%s:%u: bad %s line (%s): %.*s", file,
				    lineno, w, why, QUOTE_LEN, text);
			else
				rc = fail(e, "%s:%u: cannot read '%.*s'", file,
				    lineno, QUOTE_LEN, text);
			free_event(&ev);
			goto out;
		}
		if (ev.kind == EVS_GCONF && h->group >= 0 && ev.group != h->group) {
			rc = fail(e, "%s:%u: a confchg of group %s in a history of "
			    "group %s (one group per history)", file, lineno,
			    e->groups[ev.group], e->groups[h->group]);
			free_event(&ev);
			goto out;
		}
		if (ev.kind == EVS_GCONF)
			h->group = ev.group;
		if (ev.kind == EVS_CRASH)
			h->crashed = true;
		if (push(h, &ev) < 0) {
			free_event(&ev);
			rc = fail(e, "out of memory");
			goto out;
		}
	}
	if (ferror(f))
		rc = fail(e, "%s: read error", file);
out:
	free(line);
	free(text);
	return rc;
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

/* by_id: each name's history, so that no check scans for one. */
static int index_names(struct evs *e)
{
	free(e->by_id);
	e->by_id = malloc((e->n_names + 1) * sizeof(*e->by_id));
	if (!e->by_id)
		return fail(e, "out of memory");
	for (size_t i = 0; i < e->n_names; i++)
		e->by_id[i] = -1;
	for (size_t i = 0; i < e->n; i++) {
		if (e->by_id[e->h[i].id] >= 0)
			return fail(e, "two histories of one process, %s",
			    nm(e, &e->h[i]));
		e->by_id[e->h[i].id] = (int)i;
	}
	return 0;
}

const struct evs_hist *evs_hist_of(const struct evs *e, int id)
{
	if (!e->by_id || id < 0 || (size_t)id >= e->n_names ||
	    e->by_id[id] < 0)
		return NULL;
	return &e->h[e->by_id[id]];
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
		s = evs_hist_of(e, a->sender);
		if (!s || !sent(s, a->seq, a->digest))
			return fail(e, "invariant 1 (no creation): %s delivered "
			    "%s#%" PRIu64 ", which %s did not send", nm(e, h),
			    e->names[a->sender], a->seq, e->names[a->sender]);
	}
	return 0;
}

long evs_position(const struct evs_hist *h, int sender, uint64_t seq)
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
		pos = evs_position(b, m->sender, m->seq);
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

/* 3: per sender, increasing; inside one configuration (node level, or a
 * group's view), without gaps. */
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

		if (a->kind == EVS_CONF || a->kind == EVS_GCONF)
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
		    evs_position(h, h->id, h->ev[i].seq) < 0)
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
				long p = evs_position(b, a->ev[k].sender, a->ev[k].seq);

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
	if (index_names(e))
		return -1;
	for (size_t i = 0; i < e->n; i++)
		if (!e->h[i].hkey && index_hist(e, &e->h[i]))
			return -1;
	/* The group level first: a history's own confchgs (9, consistency),
	 * then the reasons they give (11), so that a wrong reason is named
	 * as such rather than as the disagreement it causes (10). */
	for (size_t i = 0; i < e->n; i++)
		if (e->h[i].group >= 0 && !e->h[i].view &&
		    evs_index_group(e, &e->h[i]))
			return -1;
	for (size_t i = 0; i < e->n; i++)
		if (e->h[i].group >= 0 && evs_check_joins(e, &e->h[i]))
			return -1;
	for (size_t i = 0; i < e->n; i++)
		if (e->h[i].group >= 0 && evs_check_reasons(e, &e->h[i]))
			return -1;
	for (size_t i = 0; i < e->n; i++) {
		if (check_creation(e, &e->h[i]) || check_fifo(e, &e->h[i]) ||
		    check_self(e, &e->h[i]) || check_transitional(e, &e->h[i]))
			return -1;
		for (size_t k = 0; k < e->n; k++)
			if (k != i && (check_order(e, &e->h[i], &e->h[k]) ||
			    check_configs(e, &e->h[i], &e->h[k]) ||
			    evs_check_gsync(e, &e->h[i], &e->h[k])))
				return -1;
	}
	return evs_check_rings(e);
}
