/* Unit tests: the group table (src/daemon/cpg/groups.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/cpg/groups.h"

static struct ipc_name mkname(const char *s)
{
	struct ipc_name n = { 0 };

	n.length = (uint32_t)snprintf(n.value, sizeof(n.value), "%s", s);
	return n;
}

static void members_sorted(void **state)
{
	struct groups gs;
	struct ipc_name n = mkname("g");
	struct group *g;

	assert_int_equal(groups_init(&gs), 0);
	g = groups_get(&gs, &n);
	assert_non_null(g);
	assert_int_equal(group_add(g, 2, 5, NULL), 0);
	assert_int_equal(group_add(g, 1, 9, NULL), 0);
	assert_int_equal(group_add(g, 2, 1, NULL), 0);
	assert_int_equal(group_add(g, 1, 9, NULL), -EEXIST);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->m[0].nodeid, 1);
	assert_int_equal(g->m[1].pid, 1);
	assert_int_equal(g->m[2].pid, 5);
	assert_non_null(group_member(g, 2, 5));
	assert_null(group_member(g, 2, 6));
	group_del(g, 2, 1);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->m[1].pid, 5);
	groups_release(&gs, g);   /* not empty: stays */
	assert_ptr_equal(groups_find(&gs, &n), g);
	group_del(g, 1, 9);
	group_del(g, 2, 5);
	groups_release(&gs, g);
	assert_null(groups_find(&gs, &n));
	assert_int_equal(gs.count, 0);
	groups_free(&gs);
}

static void names_are_binary(void **state)
{
	struct groups gs;
	struct ipc_name a = mkname("GROUP"), b = a;

	b.length = 6;   /* "GROUP\0" is another group */
	assert_int_equal(groups_init(&gs), 0);
	assert_ptr_not_equal(groups_get(&gs, &a), groups_get(&gs, &b));
	assert_int_equal(gs.count, 2);
	groups_free(&gs);
}

static void many_groups_sorted(void **state)
{
	struct groups gs;
	struct group **v;
	size_t n;

	assert_int_equal(groups_init(&gs), 0);
	for (int i = 999; i >= 0; i--) {
		char s[16];
		struct ipc_name name;

		snprintf(s, sizeof(s), "g%04d", i);
		name = mkname(s);
		assert_non_null(groups_get(&gs, &name));
	}
	assert_int_equal(gs.count, 1000);
	v = groups_sorted(&gs, &n);
	assert_non_null(v);
	assert_int_equal(n, 1000);
	for (size_t i = 1; i < n; i++)
		assert_true(ipc_name_cmp(&v[i - 1]->name, &v[i]->name) < 0);
	free(v);
	groups_free(&gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(members_sorted),
		cmocka_unit_test(names_are_binary),
		cmocka_unit_test(many_groups_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
