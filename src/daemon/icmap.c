/*
 * icmap.c: the daemon's map (icmap.h): an AVL tree of keys in byte-wise
 * order, so a look-up, an insertion and a deletion each cost O(log n),
 * and "the first key after K" is one descent from the root; iteration
 * needs no cursor the map would have to keep valid across changes.
 *
 * Trackers live in one list in the order they were added. A change walks
 * it once; a tracker deleted while a change is being told is only marked
 * and is unlinked when the telling ends, so a tracker function may
 * delete itself or others. A tracker function must not change the map;
 * if one does, what that change replaces or deletes is freed only when
 * the outermost change has been told, so no tracker is given a value
 * that is gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/icmap.h"

struct node {
	struct node *child[2];      /* [0] smaller keys, [1] greater */
	int height;                 /* of the subtree, a leaf is 1 */
	enum icmap_type type;
	size_t len;
	void *data;                 /* owned; never NULL (len 0: 1 byte) */
	size_t keylen;
	char key[];
};

struct icmap_track {
	struct icmap_track *next, *prev;
	int flags;
	bool dead;                  /* deleted while a change was told */
	uint64_t seq;               /* when it was added, see notify() */
	icmap_notify_fn fn;
	void *arg;
	size_t keylen;
	char key[];
};

struct icmap {
	struct node *root;
	size_t count;
	size_t bytes;               /* keys (without NUL) and values */
	struct icmap_track *head, *tail;
	size_t n_tracks;            /* live trackers */
	uint64_t track_seq;
	/* Changes told so far, and the number of the one being told
	 * (restored when a change made inside a tracker has been told). */
	uint64_t changes, change_now;
	unsigned int telling;       /* depth of notify() */
	/* What a change inside a tracker function replaced or deleted:
	 * freed once the outermost change has been told, so that the values
	 * given to the trackers still to be called stay valid. */
	void **garbage;
	size_t n_garbage, garbage_cap;
};

/* ---------------------------------------------------------------- tree */

static int height(const struct node *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct node *n)
{
	int l = height(n->child[0]), r = height(n->child[1]);

	n->height = 1 + (l > r ? l : r);
}

/* Turns `n` so that its child on side `!dir` becomes the subtree's
 * root; returns that root. */
static struct node *rotate(struct node *n, int dir)
{
	struct node *c = n->child[!dir];

	n->child[!dir] = c->child[dir];
	c->child[dir] = n;
	fix_height(n);
	fix_height(c);
	return c;
}

static struct node *balance(struct node *n)
{
	int diff = height(n->child[0]) - height(n->child[1]);

	fix_height(n);
	if (diff > 1) {
		if (height(n->child[0]->child[0]) <
		    height(n->child[0]->child[1]))
			n->child[0] = rotate(n->child[0], 0);
		return rotate(n, 1);
	}
	if (diff < -1) {
		if (height(n->child[1]->child[1]) <
		    height(n->child[1]->child[0]))
			n->child[1] = rotate(n->child[1], 1);
		return rotate(n, 0);
	}
	return n;
}

/* Inserts `x`, whose key is not in the tree. */
static struct node *tree_insert(struct node *n, struct node *x)
{
	if (!n)
		return x;
	int dir = strcmp(x->key, n->key) > 0;

	n->child[dir] = tree_insert(n->child[dir], x);
	return balance(n);
}

/* Detaches the smallest node of the subtree `n` into *min. */
static struct node *tree_take_min(struct node *n, struct node **min)
{
	if (!n->child[0]) {
		*min = n;
		return n->child[1];
	}
	n->child[0] = tree_take_min(n->child[0], min);
	return balance(n);
}

/* Detaches the node `x` (in the tree) without freeing it. */
static struct node *tree_remove(struct node *n, const struct node *x)
{
	int c = strcmp(x->key, n->key);

	if (c != 0) {
		int dir = c > 0;

		n->child[dir] = tree_remove(n->child[dir], x);
		return balance(n);
	}
	if (!n->child[0] || !n->child[1])
		return n->child[0] ? n->child[0] : n->child[1];
	struct node *succ;

	n->child[1] = tree_take_min(n->child[1], &succ);
	succ->child[0] = n->child[0];
	succ->child[1] = n->child[1];
	return balance(succ);
}

static struct node *tree_find(const struct icmap *m, const char *key)
{
	struct node *n = m->root;

	while (n) {
		int c = strcmp(key, n->key);

		if (c == 0)
			return n;
		n = n->child[c > 0];
	}
	return NULL;
}

/* The first node whose key is >= `key` (`strict`: > `key`). */
static struct node *tree_lower_bound(const struct icmap *m, const char *key,
    bool strict)
{
	struct node *n = m->root, *best = NULL;

	while (n) {
		int c = strcmp(n->key, key);

		if (c > 0 || (c == 0 && !strict)) {
			best = n;
			n = n->child[0];
		} else {
			n = n->child[1];
		}
	}
	return best;
}

static void tree_free(struct node *n)
{
	while (n) {
		struct node *r = n->child[1];

		tree_free(n->child[0]);
		free(n->data);
		free(n);
		n = r;
	}
}

/* ------------------------------------------------------------- tracking */

/* Frees `p` now, or when the outermost notify() ends if one is running. */
static void dispose(struct icmap *m, void *p)
{
	if (m->telling && m->n_garbage == m->garbage_cap) {
		size_t cap = m->garbage_cap ? m->garbage_cap * 2 : 8;
		void **g = realloc(m->garbage, cap * sizeof(*g));

		if (g) {
			m->garbage = g;
			m->garbage_cap = cap;
		}
	}
	if (m->telling && m->n_garbage < m->garbage_cap)
		m->garbage[m->n_garbage++] = p;
	else
		free(p);
}

static bool track_matches(const struct icmap_track *t, const char *key,
    size_t keylen)
{
	if (t->flags & ICMAP_TRACK_PREFIX)
		return keylen >= t->keylen && memcmp(key, t->key, t->keylen) == 0;
	return keylen == t->keylen && memcmp(key, t->key, keylen) == 0;
}

static void track_unlink(struct icmap *m, struct icmap_track *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		m->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		m->tail = t->prev;
	free(t);
}

/*
 * Tells every tracker that asks for `event` on `key`, in the order they
 * were added. Trackers added while this runs (they should not be, the
 * map may not change inside a tracker function) are left out: they did
 * not exist when the change happened.
 */
static void notify(struct icmap *m, int event, const char *key,
    const struct icmap_value *new_value, const struct icmap_value *old_value)
{
	size_t keylen = strlen(key);
	uint64_t before = m->track_seq, outer = m->change_now;

	if (!m->head)
		return;
	m->change_now = ++m->changes;
	m->telling++;
	for (struct icmap_track *t = m->head; t; t = t->next) {
		if (t->dead || t->seq >= before || !(t->flags & event) ||
		    !track_matches(t, key, keylen))
			continue;
		t->fn(t->arg, t, event, key, new_value, old_value);
	}
	m->change_now = outer;
	if (--m->telling == 0) {
		struct icmap_track *t = m->head;

		while (t) {
			struct icmap_track *next = t->next;

			if (t->dead)
				track_unlink(m, t);
			t = next;
		}
		for (size_t i = 0; i < m->n_garbage; i++)
			free(m->garbage[i]);
		m->n_garbage = 0;
	}
}

uint64_t icmap_change_seq(const struct icmap *m)
{
	return m->change_now;
}

int icmap_track_add(struct icmap *m, const char *key, int flags,
    icmap_notify_fn fn, void *arg, struct icmap_track **out)
{
	const int events = ICMAP_TRACK_ADD | ICMAP_TRACK_DELETE |
	    ICMAP_TRACK_MODIFY;
	struct icmap_track *t;
	size_t keylen;

	if (!(flags & events) || (flags & ~(events | ICMAP_TRACK_PREFIX)) ||
	    !fn)
		return -EINVAL;
	if (!key)
		key = "";
	if (m->n_tracks >= ICMAP_TRACKS_MAX)
		return -ENOSPC;
	keylen = strlen(key);
	t = calloc(1, sizeof(*t) + keylen + 1);
	if (!t)
		return -ENOMEM;
	memcpy(t->key, key, keylen + 1);
	t->keylen = keylen;
	t->flags = flags;
	t->fn = fn;
	t->arg = arg;
	t->seq = m->track_seq++;
	t->prev = m->tail;
	if (m->tail)
		m->tail->next = t;
	else
		m->head = t;
	m->tail = t;
	m->n_tracks++;
	*out = t;
	return 0;
}

void icmap_track_delete(struct icmap *m, struct icmap_track *t)
{
	if (!t || t->dead)
		return;
	m->n_tracks--;
	if (m->telling) {
		t->dead = true;
		return;
	}
	track_unlink(m, t);
}

/* ------------------------------------------------------------------ map */

int icmap_new(struct icmap **out)
{
	struct icmap *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	*out = m;
	return 0;
}

void icmap_free(struct icmap *m)
{
	if (!m)
		return;
	tree_free(m->root);
	free(m->garbage);
	while (m->head) {
		struct icmap_track *t = m->head;

		m->head = t->next;
		free(t);
	}
	free(m);
}

int icmap_type_size(enum icmap_type t)
{
	switch (t) {
	case ICMAP_INT8:
	case ICMAP_UINT8:
		return 1;
	case ICMAP_INT16:
	case ICMAP_UINT16:
		return 2;
	case ICMAP_INT32:
	case ICMAP_UINT32:
	case ICMAP_FLOAT:
		return 4;
	case ICMAP_INT64:
	case ICMAP_UINT64:
	case ICMAP_DOUBLE:
		return 8;
	case ICMAP_STRING:
	case ICMAP_BINARY:
		return 0;
	}
	return -1;
}

bool icmap_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < ICMAP_KEY_MIN || n > ICMAP_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = key[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		    ch == '-' || ch == '/' || ch == ':'))
			return false;
	}
	return true;
}

static struct icmap_value value_of(const struct node *n)
{
	return (struct icmap_value){ n->type, n->len, n->data };
}

/* The bytes `value`/`len` stand for as stored: *stored_len, or -EINVAL
 * when they do not fit `type` (see icmap_set). */
static int stored_len(enum icmap_type type, const void *value, size_t len,
    size_t *out)
{
	int size = icmap_type_size(type);

	if (size < 0 || len > ICMAP_VALUE_MAX || (!value && len > 0))
		return -EINVAL;
	if (size > 0 && len != (size_t)size)
		return -EINVAL;
	if (type == ICMAP_STRING) {
		size_t n = value ? strnlen(value, len) : 0;

		/* A NUL before the last byte: len exceeds strlen + 1. */
		if (n + 1 < len)
			return -EINVAL;
		len = n + 1;
	}
	*out = len;
	return 0;
}

/* A copy of the value to store (a STRING ended with its NUL). */
static void *value_copy(enum icmap_type type, const void *value, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (!p)
		return NULL;
	if (type == ICMAP_STRING) {
		memcpy(p, value ? value : "", len - 1);
		p[len - 1] = '\0';
	} else if (len) {
		memcpy(p, value, len);
	}
	return p;
}

static int replace(struct icmap *m, struct node *n, enum icmap_type type,
    const void *value, size_t len)
{
	struct icmap_value old = value_of(n), now;
	void *data;

	if (type == n->type && len == n->len &&
	    memcmp(n->data, value, type == ICMAP_STRING ? len - 1 : len) == 0)
		return 0;
	if (m->bytes - n->len + len > ICMAP_BYTES_MAX)
		return -ENOSPC;
	data = value_copy(type, value, len);
	if (!data)
		return -ENOMEM;
	m->bytes = m->bytes - n->len + len;
	n->type = type;
	n->len = len;
	n->data = data;
	now = value_of(n);
	notify(m, ICMAP_TRACK_MODIFY, n->key, &now, &old);
	dispose(m, (void *)old.data);
	return 0;
}

static int insert(struct icmap *m, const char *key, enum icmap_type type,
    const void *value, size_t len)
{
	size_t keylen = strlen(key);
	struct icmap_value now, none = { 0 };
	struct node *n;

	if (!icmap_key_valid(key))
		return -ENAMETOOLONG;
	if (m->count >= ICMAP_KEYS_MAX ||
	    m->bytes + keylen + len > ICMAP_BYTES_MAX)
		return -ENOSPC;
	n = calloc(1, sizeof(*n) + keylen + 1);
	if (!n)
		return -ENOMEM;
	n->data = value_copy(type, value, len);
	if (!n->data) {
		free(n);
		return -ENOMEM;
	}
	memcpy(n->key, key, keylen + 1);
	n->keylen = keylen;
	n->type = type;
	n->len = len;
	n->height = 1;
	m->root = tree_insert(m->root, n);
	m->count++;
	m->bytes += keylen + len;
	now = value_of(n);
	notify(m, ICMAP_TRACK_ADD, n->key, &now, &none);
	return 0;
}

int icmap_set(struct icmap *m, const char *key, enum icmap_type type,
    const void *value, size_t len)
{
	struct node *n;
	int rc;

	if (!key)
		return -EINVAL;
	rc = stored_len(type, value, len, &len);
	if (rc < 0)
		return rc;
	if (!value)
		value = "";         /* an empty value, compared and copied */
	n = tree_find(m, key);
	if (n)
		return replace(m, n, type, value, len);
	return insert(m, key, type, value, len);
}

int icmap_set_u8(struct icmap *m, const char *key, uint8_t v)
{
	return icmap_set(m, key, ICMAP_UINT8, &v, sizeof(v));
}

int icmap_set_u16(struct icmap *m, const char *key, uint16_t v)
{
	return icmap_set(m, key, ICMAP_UINT16, &v, sizeof(v));
}

int icmap_set_u32(struct icmap *m, const char *key, uint32_t v)
{
	return icmap_set(m, key, ICMAP_UINT32, &v, sizeof(v));
}

int icmap_set_i32(struct icmap *m, const char *key, int32_t v)
{
	return icmap_set(m, key, ICMAP_INT32, &v, sizeof(v));
}

int icmap_set_u64(struct icmap *m, const char *key, uint64_t v)
{
	return icmap_set(m, key, ICMAP_UINT64, &v, sizeof(v));
}

int icmap_set_str(struct icmap *m, const char *key, const char *v)
{
	if (!v)
		return -EINVAL;
	return icmap_set(m, key, ICMAP_STRING, v, strlen(v) + 1);
}

int icmap_get(const struct icmap *m, const char *key, struct icmap_value *out)
{
	const struct node *n = key ? tree_find(m, key) : NULL;

	if (!n)
		return -ENOENT;
	*out = value_of(n);
	return 0;
}

/* The value of `key` if it has type `type`, copied to `v`. */
static int get_typed(const struct icmap *m, const char *key,
    enum icmap_type type, void *v)
{
	struct icmap_value val;
	int rc = icmap_get(m, key, &val);

	if (rc < 0)
		return rc;
	if (val.type != type)
		return -EINVAL;
	memcpy(v, val.data, val.len);
	return 0;
}

int icmap_get_u8(const struct icmap *m, const char *key, uint8_t *v)
{
	return get_typed(m, key, ICMAP_UINT8, v);
}

int icmap_get_u16(const struct icmap *m, const char *key, uint16_t *v)
{
	return get_typed(m, key, ICMAP_UINT16, v);
}

int icmap_get_u32(const struct icmap *m, const char *key, uint32_t *v)
{
	return get_typed(m, key, ICMAP_UINT32, v);
}

int icmap_get_i32(const struct icmap *m, const char *key, int32_t *v)
{
	return get_typed(m, key, ICMAP_INT32, v);
}

int icmap_get_u64(const struct icmap *m, const char *key, uint64_t *v)
{
	return get_typed(m, key, ICMAP_UINT64, v);
}

int icmap_get_str(const struct icmap *m, const char *key, const char **v)
{
	struct icmap_value val;
	int rc = icmap_get(m, key, &val);

	if (rc < 0)
		return rc;
	if (val.type != ICMAP_STRING)
		return -EINVAL;
	*v = val.data;
	return 0;
}

/* Removes `n` from the map, tells the trackers, then frees it. */
static void remove_node(struct icmap *m, struct node *n)
{
	struct icmap_value old = value_of(n), none = { 0 };

	m->root = tree_remove(m->root, n);
	m->count--;
	m->bytes -= n->keylen + n->len;
	notify(m, ICMAP_TRACK_DELETE, n->key, &none, &old);
	dispose(m, n->data);
	dispose(m, n);
}

int icmap_delete(struct icmap *m, const char *key)
{
	struct node *n = key ? tree_find(m, key) : NULL;

	if (!n)
		return -ENOENT;
	remove_node(m, n);
	return 0;
}

size_t icmap_delete_prefix(struct icmap *m, const char *prefix)
{
	size_t plen = prefix ? strlen(prefix) : 0, count = 0;
	struct node *n;

	/* The keys starting with `prefix` are contiguous from the first
	 * key >= prefix; each deletion makes the next one the first. */
	while ((n = tree_lower_bound(m, prefix ? prefix : "", false)) &&
	    strncmp(n->key, prefix ? prefix : "", plen) == 0) {
		remove_node(m, n);
		count++;
	}
	return count;
}

int icmap_adjust(struct icmap *m, const char *key, int step)
{
	struct node *n = key ? tree_find(m, key) : NULL;
	union {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
	} v;

	if (!n)
		return -ENOENT;
	/* Two's complement: an unsigned sum of the same width wraps a
	 * signed value exactly as the unsigned one. */
	memcpy(&v, n->data, n->len);
	switch (n->type) {
	case ICMAP_INT8:
	case ICMAP_UINT8:
		v.u8 = (uint8_t)(v.u8 + (unsigned int)step);
		break;
	case ICMAP_INT16:
	case ICMAP_UINT16:
		v.u16 = (uint16_t)(v.u16 + (unsigned int)step);
		break;
	case ICMAP_INT32:
	case ICMAP_UINT32:
		v.u32 += (uint32_t)step;
		break;
	case ICMAP_INT64:
	case ICMAP_UINT64:
		v.u64 += (uint64_t)(int64_t)step;
		break;
	default:
		return -EINVAL;
	}
	return replace(m, n, n->type, &v, n->len);
}

const char *icmap_next(const struct icmap *m, const char *prefix,
    const char *after, struct icmap_value *value)
{
	const struct node *n;

	if (!prefix)
		prefix = "";
	/* Keys with the prefix are contiguous and start at the first key
	 * >= prefix; a key before that one cannot have it. */
	if (!after || strcmp(after, prefix) < 0)
		n = tree_lower_bound(m, prefix, false);
	else
		n = tree_lower_bound(m, after, true);
	if (!n || strncmp(n->key, prefix, strlen(prefix)) != 0)
		return NULL;
	if (value)
		*value = value_of(n);
	return n->key;
}

size_t icmap_count(const struct icmap *m)
{
	return m->count;
}

size_t icmap_bytes(const struct icmap *m)
{
	return m->bytes;
}
