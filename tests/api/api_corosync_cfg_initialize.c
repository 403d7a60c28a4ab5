/* API test: corosync_cfg_initialize. */
#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_callbacks_t cb = { NULL };
	corosync_cfg_handle_t h, h2;
	unsigned int id;

	/* No daemon: CS_ERR_LIBRARY. */
	setenv("COHORT_SOCKET", "/tmp/cohort-no-such-socket", 1);
	CHECK_CS(corosync_cfg_initialize(&h, NULL), CS_ERR_LIBRARY);
	harness_start(&d, NULL);
	CHECK_CS(corosync_cfg_initialize(NULL, NULL), CS_ERR_INVALID_PARAM);
	/* Callbacks or none; handles are distinct and usable. */
	CHECK_CS(corosync_cfg_initialize(&h, NULL), CS_OK);
	CHECK_CS(corosync_cfg_initialize(&h2, &cb), CS_OK);
	CHECK(h != h2);
	CHECK_CS(corosync_cfg_local_get(h2, &id), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_finalize(h2), CS_OK);
	harness_stop(&d);
	return 0;
}
