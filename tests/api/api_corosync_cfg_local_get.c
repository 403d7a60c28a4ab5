/* API test: corosync_cfg_local_get. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	const char *const args[] = { "-n", "7", NULL };
	corosync_cfg_handle_t h;
	unsigned int id = 0;

	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_local_get(0, &id), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_local_get(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_local_get(h, &id), CS_OK);
	CHECK(id == 1);   /* no configuration: node 1 */
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_local_get(h, &id), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	harness_start(&d, args);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_local_get(h, &id), CS_OK);
	CHECK(id == 7);
	/* The daemon gone: CS_ERR_LIBRARY, not a hang. */
	harness_kill(&d);
	CHECK_CS(corosync_cfg_local_get(h, &id), CS_ERR_LIBRARY);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	return 0;
}
