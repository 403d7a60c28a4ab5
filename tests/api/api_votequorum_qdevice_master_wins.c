/* API test: votequorum_qdevice_master_wins. */
#include "quorum_help.h"

int main(void)
{
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN + 1];
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_qdevice_master_wins(0, NULL, 1),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_master_wins(0, "", 1), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_master_wins(0, long_name(name, 255), 1),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_master_wins(0, "dev", 1), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	if (!qdevice_supported(h, "dev")) {
		CHECK_CS(votequorum_qdevice_master_wins(h, "dev", 1),
		    CS_ERR_NOT_SUPPORTED);
		goto out;
	}
	CHECK_CS(votequorum_qdevice_master_wins(h, "other", 1),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_master_wins(h, "dev", 1), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.flags & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS);
	CHECK_CS(votequorum_qdevice_master_wins(h, "dev", 0), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK((info.flags & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS) == 0);
	CHECK_CS(votequorum_qdevice_unregister(h, "dev"), CS_OK);
	CHECK_CS(votequorum_qdevice_master_wins(h, "dev", 1), CS_ERR_NOT_EXIST);
out:
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_qdevice_master_wins(h, "dev", 1), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
