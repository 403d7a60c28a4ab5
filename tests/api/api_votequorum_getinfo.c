/* API test: votequorum_getinfo. */
#include <string.h>

#include "quorum_help.h"

int main(void)
{
	struct votequorum_info info, info1;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_getinfo(0, 0, &info), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, NULL), CS_ERR_INVALID_PARAM);
	/* Node 0 is this node (not the quorum device). Both structs are
	 * filled alike first: memcmp also sees the padding after the name. */
	memset(&info, 0xa5, sizeof(info));
	memset(&info1, 0xa5, sizeof(info1));
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_id == 1);
	CHECK(info.node_state == VOTEQUORUM_NODESTATE_MEMBER);
	CHECK(info.node_votes == 1 && info.node_expected_votes == 1);
	CHECK(info.highest_expected == 1 && info.total_votes == 1);
	CHECK(info.quorum == 1);
	CHECK(info.flags == VOTEQUORUM_INFO_QUORATE);
	CHECK(info.qdevice_votes == 0 && info.qdevice_name[0] == '\0');
	CHECK_CS(votequorum_getinfo(h, 1, &info1), CS_OK);
	CHECK(memcmp(&info, &info1, sizeof(info)) == 0);
	/* A node never seen: NOT_EXIST, and *info zeroed. */
	memset(&info, 0xa5, sizeof(info));
	CHECK_CS(votequorum_getinfo(h, 99, &info), CS_ERR_NOT_EXIST);
	CHECK(info.node_id == 0 && info.quorum == 0 && info.flags == 0);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	harness_stop(&d);

	/* Inquorate: expected 3, quorum 2, no QUORATE flag. */
	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_expected_votes == 3 && info.highest_expected == 3);
	CHECK(info.total_votes == 1 && info.quorum == 2);
	CHECK((info.flags & VOTEQUORUM_INFO_QUORATE) == 0);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
