/* API test: cmap_track_delete. */
#include "cmap_harness.h"

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h, other;
	cmap_track_handle_t t, keep;
	struct cmap_rec r = { 0 }, k = { 0 };

	harness_start(&d, NULL);
	h = cmap_open();
	other = cmap_open();
	CHECK_CS(cmap_track_add(h, "test.", CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
	    cmap_rec_fn, &r, &t), CS_OK);
	CHECK_CS(cmap_track_add(h, "test.", CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
	    cmap_rec_fn, &k, &keep), CS_OK);
	CHECK_CS(cmap_track_delete(0, t), CS_ERR_BAD_HANDLE);
	/* Trackers belong to their connection. */
	CHECK_CS(cmap_track_delete(other, t), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_track_delete(h, t + keep + 1000), CS_ERR_BAD_HANDLE);
	/* A notification queued before the delete is skipped at dispatch. */
	CHECK_CS(cmap_set_uint8(other, "test.a", 1), CS_OK);
	CHECK_CS(cmap_track_delete(h, t), CS_OK);
	CHECK_CS(cmap_track_delete(h, t), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_set_uint8(other, "test.b", 1), CS_OK);
	cmap_wait_count(h, &k, 2);
	CHECK(r.count == 0);
	CHECK_CS(cmap_track_delete(h, keep), CS_OK);
	CHECK_CS(cmap_finalize(h), CS_OK);
	CHECK_CS(cmap_track_delete(h, keep), CS_ERR_BAD_HANDLE);
	CHECK_CS(cmap_finalize(other), CS_OK);
	harness_stop(&d);
	return 0;
}
