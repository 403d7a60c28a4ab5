/* Unit tests: the shape of the daemon's map (src/daemon/icmap.c, included
 * here to reach its tree): after every insertion and deletion the tree
 * is ordered and balanced (AVL: every node's subtrees differ in height by
 * at most one, so the height is at most 1.44 log2(n + 2) and a look-up
 * costs O(log n)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "daemon/icmap.c"

/* Checks the subtree below `n` (keys strictly between lo and hi, NULL:
 * unbounded) and returns its height. */
static int check(const struct node *n, const char *lo, const char *hi,
    size_t *count)
{
	int l, r;

	if (!n)
		return 0;
	assert_true(!lo || strcmp(n->key, lo) > 0);
	assert_true(!hi || strcmp(n->key, hi) < 0);
	l = check(n->child[0], lo, n->key, count);
	r = check(n->child[1], n->key, hi, count);
	assert_true(l - r <= 1 && r - l <= 1);
	assert_int_equal(n->height, 1 + (l > r ? l : r));
	(*count)++;
	return n->height;
}

static void check_map(const struct icmap *m)
{
	size_t count = 0;
	int h = check(m->root, NULL, NULL, &count), lg = 0;

	assert_int_equal(count, m->count);
	while (((size_t)1 << lg) < count + 2)
		lg++;           /* lg = ceil(log2(count + 2)) */
	assert_true(100 * h <= 145 * lg);
}

/* Keys in ascending order, the worst case of an unbalanced tree. */
static void ascending(void **state)
{
	struct icmap *m;
	char key[32];

	assert_int_equal(icmap_new(&m), 0);
	for (unsigned int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "k.%08u", i);
		assert_int_equal(icmap_set_u8(m, key, 1), 0);
		if (i % 1000 == 0)
			check_map(m);
	}
	check_map(m);
	/* Deleting every other key, then the rest from the low end. */
	for (unsigned int i = 0; i < 20000; i += 2) {
		snprintf(key, sizeof(key), "k.%08u", i);
		assert_int_equal(icmap_delete(m, key), 0);
	}
	check_map(m);
	while (m->count > 0) {
		assert_int_equal(icmap_delete(m, icmap_next(m, NULL, NULL,
		    NULL)), 0);
		if (m->count % 997 == 0)
			check_map(m);
	}
	assert_null(m->root);
	icmap_free(m);
}

static void random_changes(void **state)
{
	struct icmap *m;
	unsigned int seed = 7;
	char key[32];

	assert_int_equal(icmap_new(&m), 0);
	for (int i = 0; i < 30000; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(key, sizeof(key), "r.%u", (seed >> 8) % 5000);
		if (icmap_delete(m, key) == -ENOENT)
			assert_int_equal(icmap_set_u8(m, key, 1), 0);
		if (i % 500 == 0)
			check_map(m);
	}
	check_map(m);
	icmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascending),
		cmocka_unit_test(random_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
