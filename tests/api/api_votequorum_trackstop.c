/* API test: votequorum_trackstop. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_trackstop(0), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	/* Unlike quorum_trackstop: not tracking is an error. */
	CHECK_CS(votequorum_trackstop(h), CS_ERR_NOT_EXIST);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CURRENT), CS_OK);
	CHECK_CS(votequorum_trackstop(h), CS_ERR_NOT_EXIST);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(votequorum_trackstop(h), CS_OK);
	CHECK_CS(votequorum_trackstop(h), CS_ERR_NOT_EXIST);
	CHECK_CS(votequorum_trackstart(h, 0, CS_TRACK_CHANGES_ONLY), CS_OK);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_trackstop(h), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
