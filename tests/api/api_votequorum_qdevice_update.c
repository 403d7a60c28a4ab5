/* API test: votequorum_qdevice_update. */
#include "quorum_help.h"

int main(void)
{
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN + 1];
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(votequorum_qdevice_update(0, NULL, "b"), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_update(0, "a", NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_update(0, "", "b"), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_update(0, "a", long_name(name, 255)),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_update(0, "a", "b"), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	if (!qdevice_supported(h, "a")) {
		CHECK_CS(votequorum_qdevice_update(h, "a", "b"),
		    CS_ERR_NOT_SUPPORTED);
		goto out;
	}
	CHECK_CS(votequorum_qdevice_update(h, "x", "b"), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_update(h, "a", long_name(name, 254)),
	    CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(strcmp(info.qdevice_name, name) == 0);
	CHECK_CS(votequorum_qdevice_unregister(h, name), CS_OK);
	CHECK_CS(votequorum_qdevice_update(h, name, "b"), CS_ERR_NOT_EXIST);
out:
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_qdevice_update(h, "a", "b"), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
