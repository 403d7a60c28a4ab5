/* API test through raw IPC (rawcmap.h): the daemon-wide limit of open
 * iterators. CMAP_ITERS_MAX / CMAP_CONN_ITERS_MAX connections fill it;
 * then any connection's ITER_INIT is CS_ERR_NO_RESOURCES with a log
 * line, until an iterator is finalized or a connection holding some
 * closes. */
#include <corosync/corotypes.h>

#include "daemon/cmap/cmap.h"   /* CMAP_ITERS_MAX, CMAP_CONN_ITERS_MAX */
#include "harness.h"
#include "rawcmap.h"

#define HOLDERS (CMAP_ITERS_MAX / CMAP_CONN_ITERS_MAX)
#define TRIES_MAX 1000000       /* requests until a close is seen */

int main(void)
{
	static struct cmr holders[HOLDERS];
	static uint64_t first[HOLDERS];
	struct daemon_proc d;
	struct cmr late, late2;
	int n;
	uint64_t it;
	char key[256];
	uint32_t type, len;

	harness_start(&d, NULL);
	for (uint32_t i = 0; i < HOLDERS; i++) {
		cmr_open(&holders[i], false);
		for (uint32_t j = 0; j < CMAP_CONN_ITERS_MAX; j++)
			CHECK_CS(cmr_iter_init(&holders[i], "",
			    j ? &it : &first[i]), CS_OK);
	}
	cmr_open(&late, false);
	CHECK_CS(cmr_iter_init(&late, "", &it), CS_ERR_NO_RESOURCES);
	CHECK(harness_log_lines(&d, "the most the daemon keeps") == 1);
	/* The holders' iterators still work. */
	CHECK_CS(cmr_iter_next(&holders[0], first[0], key, &type, &len), CS_OK);
	/* One finalized: one more may open. */
	CHECK_CS(cmr_iter_finalize(&holders[0], first[0]), CS_OK);
	CHECK_CS(cmr_iter_init(&late, "", &it), CS_OK);
	CHECK_CS(cmr_iter_next(&late, it, key, &type, &len), CS_OK);
	CHECK_CS(cmr_iter_init(&late, "", &it), CS_ERR_NO_RESOURCES);
	/* A connection that closes gives its iterators back (once the
	 * daemon has seen the close: another connection tries until then,
	 * within a bound). */
	cmr_close(&holders[1]);
	cmr_open(&late2, false);
	for (n = 0; cmr_iter_init(&late2, "", &it) != CS_OK; n++)
		CHECK(n < TRIES_MAX);
	for (uint32_t j = 1; j < CMAP_CONN_ITERS_MAX; j++)
		CHECK_CS(cmr_iter_init(&late2, "", &it), CS_OK);
	/* The daemon's total is full again: late is refused, though it
	 * holds one iterator only. */
	CHECK_CS(cmr_iter_init(&late, "", &it), CS_ERR_NO_RESOURCES);
	CHECK(harness_log_lines(&d, "the most the daemon keeps") >= 3);
	cmr_close(&late2);
	cmr_close(&late);
	for (uint32_t i = 0; i < HOLDERS; i++)
		if (i != 1)
			cmr_close(&holders[i]);
	harness_stop(&d);
	return 0;
}
