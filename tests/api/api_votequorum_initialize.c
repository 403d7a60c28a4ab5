/* API test: votequorum_initialize. */
#include <stdlib.h>

#include "quorum_help.h"

int main(void)
{
	votequorum_callbacks_t cb = { 0 };
	struct daemon_proc d;
	votequorum_handle_t h;
	struct votequorum_info info;

	harness_init();
	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_ERR_LIBRARY);
	CHECK_CS(votequorum_initialize(NULL, &cb), CS_ERR_INVALID_PARAM);

	/* No quorum provider: no votequorum service, no handle. */
	harness_start(&d, NULL);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_ERR_NOT_SUPPORTED);
	harness_stop(&d);

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
