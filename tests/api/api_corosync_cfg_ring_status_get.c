/* API test: corosync_cfg_ring_status_get. */
#include <stdlib.h>
#include <string.h>

#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;
	char **names = NULL, **status = NULL;
	unsigned int n = 0;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_ring_status_get(0, &names, &status, &n),
	    CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_ring_status_get(h, NULL, &status, &n),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_ring_status_get(h, &names, NULL, &n),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_ring_status_get(h, &names, &status, NULL),
	    CS_ERR_INVALID_PARAM);
	/* One entry per link of this node: "<link> <address>", and a
	 * character per node: 'n' this node, '1' configured and down. */
	CHECK_CS(corosync_cfg_ring_status_get(h, &names, &status, &n), CS_OK);
	CHECK(n == 2);
	CHECK(strcmp(names[0], "0 127.0.0.1") == 0);
	CHECK(strcmp(status[0], "n1") == 0);
	CHECK(strcmp(names[1], "1 127.0.1.1") == 0);
	CHECK(strcmp(status[1], "n1") == 0);
	for (unsigned int i = 0; i < n; i++) {
		free(names[i]);
		free(status[i]);
	}
	free(names);
	free(status);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_ring_status_get(h, &names, &status, &n),
	    CS_ERR_BAD_HANDLE);
	cfgtest_stop(&d);
	/* Without a configuration: one link, one node. */
	harness_start(&d, NULL);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_ring_status_get(h, &names, &status, &n), CS_OK);
	CHECK(n == 1 && strcmp(names[0], "0 127.0.0.1") == 0);
	CHECK(strcmp(status[0], "n") == 0);
	free(names[0]);
	free(status[0]);
	free(names);
	free(status);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
