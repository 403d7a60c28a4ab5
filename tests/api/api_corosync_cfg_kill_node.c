/* API test: corosync_cfg_kill_node: checks, a node that is not in the
 * ring, and the local node killed: it logs who did and exits 255. */
#include <string.h>

#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;
	char reason[300];

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_kill_node(0, 1, "x"), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_kill_node(h, 1, NULL), CS_ERR_INVALID_PARAM);
	memset(reason, 'r', sizeof(reason));
	reason[256] = '\0';
	CHECK_CS(corosync_cfg_kill_node(h, 1, reason), CS_ERR_NAME_TOO_LONG);
	/* Configured but never joined, and not configured at all. */
	CHECK_CS(corosync_cfg_kill_node(h, 2, "down"), CS_ERR_NOT_EXIST);
	CHECK_CS(corosync_cfg_kill_node(h, 3, "none"), CS_ERR_NOT_EXIST);
	/* The longest reason, the local node. */
	reason[255] = '\0';
	memcpy(reason, "test ", 5);
	CHECK_CS(corosync_cfg_kill_node(h, 1, reason), CS_OK);
	cfgtest_log_wait(&d, "Killed by node 1 : test rrr");
	CHECK(cfgtest_exit_wait(&d) == 255);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
