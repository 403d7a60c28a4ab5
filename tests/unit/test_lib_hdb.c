/* Unit tests: handle tables (src/lib/hdb.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/hdb.h"

static int destroyed;

static void count_destroy(void *obj)
{
	destroyed++;
	(void)obj;
}

static void lifecycle(void **state)
{
	struct hdb db = HDB_INIT(count_destroy);
	int obj;
	uint64_t h;

	destroyed = 0;
	assert_int_equal(hdb_create(&db, &obj, &h), 0);
	assert_ptr_equal(hdb_get(&db, h), &obj);
	assert_int_equal(hdb_destroy(&db, h), 0);
	/* Destroyed but referenced: gone for lookups, alive until put. */
	assert_null(hdb_get(&db, h));
	assert_int_equal(destroyed, 0);
	hdb_put(&db, h);
	assert_int_equal(destroyed, 1);
	assert_int_equal(hdb_destroy(&db, h), -EBADF);
	hdb_fini(&db);
}

static void stale_and_forged(void **state)
{
	struct hdb db = HDB_INIT(count_destroy);
	int a, b;
	uint64_t ha, hb;

	assert_int_equal(hdb_create(&db, &a, &ha), 0);
	assert_int_equal(hdb_destroy(&db, ha), 0);
	assert_int_equal(hdb_create(&db, &b, &hb), 0);
	/* Same slot, new check value: the old handle does not reach b. */
	assert_int_equal((uint32_t)ha, (uint32_t)hb);
	assert_null(hdb_get(&db, ha));
	assert_null(hdb_get(&db, 0));
	assert_null(hdb_get(&db, hb ^ (1ULL << 40)));
	assert_null(hdb_get(&db, (hb & ~0xffffffffULL) | 12345));
	assert_ptr_equal(hdb_get(&db, hb), &b);
	hdb_put(&db, hb);
	hdb_destroy(&db, hb);
	hdb_fini(&db);
}

static void many(void **state)
{
	struct hdb db = HDB_INIT(NULL);
	uint64_t h[100];
	int objs[100];

	for (int i = 0; i < 100; i++)
		assert_int_equal(hdb_create(&db, &objs[i], &h[i]), 0);
	for (int i = 0; i < 100; i++) {
		assert_ptr_equal(hdb_get(&db, h[i]), &objs[i]);
		hdb_put(&db, h[i]);
		assert_int_equal(hdb_destroy(&db, h[i]), 0);
	}
	hdb_fini(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lifecycle),
		cmocka_unit_test(stale_and_forged),
		cmocka_unit_test(many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
