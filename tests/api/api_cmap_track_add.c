/* API test: cmap_track_add. */
#include "cmap_harness.h"
#include "daemon/cmap/cmap.h"   /* CMAP_CONN_TRACKS_MAX */

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, w;
	cmap_track_handle_t t, t2;
	struct cmap_rec r = { 0 }, all = { 0 };
	uint32_t v;

	harness_start(&d, NULL);
	CHECK_CS(cmap_track_add(0, "test.k", CMAP_TRACK_ADD, cmap_rec_fn, &r,
	    &t), CS_ERR_BAD_HANDLE);
	h = cmap_open();
	w = cmap_open();
	CHECK_CS(cmap_track_add(h, "test.k", CMAP_TRACK_ADD, cmap_rec_fn, &r,
	    NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_track_add(h, "test.k", CMAP_TRACK_ADD, NULL, &r, &t),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_track_add(h, cmap_key_of_len(256), CMAP_TRACK_ADD,
	    cmap_rec_fn, &r, &t), CS_ERR_NAME_TOO_LONG);
	CHECK_CS(cmap_track_add(h, "test.k", 16, cmap_rec_fn, &r, &t),
	    CS_ERR_INVALID_PARAM);
	/* An exact key that need not exist yet: add, modify, delete, with
	 * the values the reference gives each event. */
	CHECK_CS(cmap_track_add(h, "test.k", CMAP_TRACK_ADD | CMAP_TRACK_MODIFY |
	    CMAP_TRACK_DELETE, cmap_rec_fn, &r, &t), CS_OK);
	CHECK_CS(cmap_set_uint32(w, "test.k", 5), CS_OK);
	cmap_wait_count(h, &r, 1);
	CHECK(r.event == CMAP_TRACK_ADD && r.track == t);
	CHECK(strcmp(r.key, "test.k") == 0);
	CHECK(r.nv.type == CMAP_VALUETYPE_UINT32 && r.nv.len == 4);
	memcpy(&v, r.new_data, 4);
	CHECK(v == 5);
	CHECK(r.ov.type == 0 && r.ov.len == 0 && !r.old_data_null);
	/* An identical value changes nothing and tells nobody. */
	CHECK_CS(cmap_set_uint32(w, "test.k", 5), CS_OK);
	CHECK_CS(cmap_set_uint32(w, "test.k", 6), CS_OK);
	cmap_wait_count(h, &r, 2);
	CHECK(r.event == CMAP_TRACK_MODIFY);
	memcpy(&v, r.new_data, 4);
	CHECK(v == 6);
	memcpy(&v, r.old_data, 4);
	CHECK(v == 5 && r.ov.len == 4);
	CHECK_CS(cmap_delete(w, "test.k"), CS_OK);
	cmap_wait_count(h, &r, 3);
	CHECK(r.event == CMAP_TRACK_DELETE && r.nv.len == 0 && r.ov.len == 4);
	memcpy(&v, r.old_data, 4);
	CHECK(v == 6);
	/* Another key does not match an exact tracker; a prefix tracker
	 * with no key sees every key. */
	CHECK_CS(cmap_track_add(h, NULL, CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
	    cmap_rec_fn, &all, &t2), CS_OK);
	CHECK(t2 != t);
	CHECK_CS(cmap_set_uint8(w, "test.other", 1), CS_OK);
	cmap_wait_count(h, &all, 1);
	CHECK(strcmp(all.key, "test.other") == 0 && r.count == 3);
	/* Several trackers matching one change each get their event. */
	CHECK_CS(cmap_set_uint8(w, "test.k", 1), CS_OK);
	cmap_wait_count(h, &all, 2);
	cmap_wait_count(h, &r, 4);
	/* The daemon's limit of trackers per connection (two are open);
	 * the refused one leaves nothing behind, one deleted makes room. */
	for (unsigned int i = 2; i < CMAP_CONN_TRACKS_MAX; i++)
		CHECK_CS(cmap_track_add(h, "test.many", CMAP_TRACK_DELETE,
		    cmap_rec_fn, &r, &t2), CS_OK);
	CHECK_CS(cmap_track_add(h, "test.many", CMAP_TRACK_DELETE, cmap_rec_fn,
	    &r, &t2), CS_ERR_NO_RESOURCES);
	CHECK_CS(cmap_track_delete(h, t), CS_OK);
	CHECK_CS(cmap_track_add(h, "test.many", CMAP_TRACK_DELETE, cmap_rec_fn,
	    &r, &t2), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_track_add(h, "test.k", CMAP_TRACK_ADD, cmap_rec_fn, &r,
	    &t), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(w), CS_OK);
	harness_stop(&d);
	return 0;
}
