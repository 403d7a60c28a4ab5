/* API test: cmap_iter_init. */
#include "cmap_harness.h"
#include "daemon/cmap/cmap.h"   /* CMAP_CONN_ITERS_MAX */

/* The number of keys an iterator over `prefix` yields. */
static int count(cmap_handle_t h, const char *prefix)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	int n = 0;

	CHECK_CS(cmap_iter_init(h, prefix, &it), CS_OK);
	while (cmap_iter_next(h, it, key, NULL, NULL) == CS_OK)
		n++;
	CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	return n;
}

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, other;
	cmap_iter_handle_t it, it2;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	int all;

	harness_start(&d, NULL);
	CHECK_CS(cmap_iter_init(0, "test.", &it), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	CHECK_CS(cmap_iter_init(h, "test.", NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_iter_init(h, cmap_key_of_len(256), &it),
	    CS_ERR_NAME_TOO_LONG);
	/* A prefix that matches nothing is fine; its first next ends it. */
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
	CHECK_CS(cmap_iter_next(h, it, key, NULL, NULL), CS_ERR_NO_SECTIONS);
	CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	CHECK_CS(cmap_set_uint8(h, "test.a", 1), CS_OK);
	CHECK_CS(cmap_set_uint8(h, "test.b", 1), CS_OK);
	CHECK_CS(cmap_set_uint8(h, "testX", 1), CS_OK);
	/* A raw string prefix, not a dotted one. */
	CHECK(count(h, "test.") == 2);
	CHECK(count(h, "test") == 3);
	CHECK(count(h, "test.a") == 1);
	/* NULL and "" mean every key. */
	all = count(h, NULL);
	CHECK(all >= 3);
	CHECK(count(h, "") == all);
	/* Two iterators at once are independent. */
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
	CHECK_CS(cmap_iter_init(h, "test.", &it2), CS_OK);
	CHECK(it != it2);
	CHECK_CS(cmap_iter_next(h, it, key, NULL, NULL), CS_OK);
	CHECK(strcmp(key, "test.a") == 0);
	CHECK_CS(cmap_iter_next(h, it2, key, NULL, NULL), CS_OK);
	CHECK(strcmp(key, "test.a") == 0);
	CHECK_CS(cmap_iter_finalize(h, it), CS_OK);
	CHECK_CS(cmap_iter_finalize(h, it2), CS_OK);
	/* The daemon's limit of open iterators per connection; one freed
	 * makes room again, and another connection has its own. */
	static cmap_iter_handle_t open_iters[CMAP_CONN_ITERS_MAX];
	for (unsigned int i = 0; i < CMAP_CONN_ITERS_MAX; i++)
		CHECK_CS(cmap_iter_init(h, "test.", &open_iters[i]), CS_OK);
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_ERR_NO_RESOURCES);
	other = cmap_open();
	CHECK(count(other, "test.") == 2);
	CHECK_CS(cmap_finalize(other), CS_OK);
	CHECK_CS(cmap_iter_finalize(h, open_iters[0]), CS_OK);
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_iter_init(h, "test.", &it), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
