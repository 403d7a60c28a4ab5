/* API test: votequorum_qdevice_register. */
#include "quorum_help.h"

int main(void)
{
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN + 1];
	struct votequorum_info info;
	struct daemon_proc d;
	votequorum_handle_t h;

	quorum_start(&d, CONF_VOTEQUORUM);
	/* The name is checked before the handle. */
	CHECK_CS(votequorum_qdevice_register(0, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_register(0, ""), CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_register(0, long_name(name, 255)),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(votequorum_qdevice_register(0, "dev"), CS_ERR_BAD_HANDLE);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_qdevice_register(h, long_name(name, 255)),
	    CS_ERR_INVALID_PARAM);
	/* The longest name: 254 bytes. */
	if (!qdevice_supported(h, long_name(name, 254))) {
		CHECK_CS(votequorum_qdevice_register(h, "dev"),
		    CS_ERR_NOT_SUPPORTED);
		goto out;
	}
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED);
	CHECK(strcmp(info.qdevice_name, name) == 0);
	/* The same name again is accepted, another is not. */
	CHECK_CS(votequorum_qdevice_register(h, name), CS_OK);
	CHECK_CS(votequorum_qdevice_register(h, "other"), CS_ERR_EXIST);
	CHECK_CS(votequorum_qdevice_unregister(h, name), CS_OK);
	CHECK_CS(votequorum_qdevice_register(h, "other"), CS_OK);
	CHECK_CS(votequorum_qdevice_unregister(h, "other"), CS_OK);
out:
	CHECK_CS(votequorum_finalize(h), CS_OK);
	CHECK_CS(votequorum_qdevice_register(h, "dev"), CS_ERR_BAD_HANDLE);
	harness_stop(&d);
	return 0;
}
