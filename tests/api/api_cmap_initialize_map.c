/* API test: cmap_initialize_map. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, s;
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	uint32_t v;

	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(cmap_initialize_map(&h, CMAP_MAP_STATS), CS_ERR_LIBRARY);
	harness_start(&d, NULL);
	CHECK_CS(cmap_initialize_map(NULL, CMAP_MAP_ICMAP), CS_ERR_INVALID_PARAM);
	/* An unknown map: the daemon's NOT_EXIST, and the handle stays
	 * connected and usable (on the default map), as corosync's. */
	h = 0;
	CHECK_CS(cmap_initialize_map(&h, (cmap_map_t)7), CS_ERR_NOT_EXIST);
	CHECK(h != 0);
	CHECK_CS(cmap_set_uint32(h, "test.k", 5), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_initialize_map(&h, CMAP_MAP_DEFAULT), CS_OK);
	CHECK_CS(cmap_get_uint32(h, "test.k", &v), CS_OK);
	CHECK(v == 5);
	/* The STATS map holds only stats.* keys and refuses writes to
	 * anything but stats.clear.*. */
	CHECK_CS(cmap_initialize_map(&s, CMAP_MAP_STATS), CS_OK);
	CHECK_CS(cmap_get_uint32(s, "test.k", &v), CS_ERR_NOT_EXIST);
	CHECK_CS(cmap_set_uint32(s, "test.k", 1), CS_ERR_ACCESS);
	CHECK_CS(cmap_iter_init(s, NULL, &it), CS_OK);
	while (cmap_iter_next(s, it, key, NULL, NULL) == CS_OK)
		CHECK(strncmp(key, "stats.", 6) == 0);
	CHECK_CS(cmap_iter_finalize(s, it), CS_OK);
	CHECK_CS(cmap_finalize(s), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
