/* API test: corosync_cfg_get_node_addrs. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cfgtest.h"

static void check_v4(const corosync_cfg_node_address_t *a, const char *want)
{
	const struct sockaddr_in *s = (const void *)a->address;
	char text[INET_ADDRSTRLEN];

	CHECK(a->address_length == sizeof(struct sockaddr_in));
	CHECK(s->sin_family == AF_INET);
	CHECK(inet_ntop(AF_INET, &s->sin_addr, text, sizeof(text)));
	CHECK(strcmp(text, want) == 0);
}

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_node_address_t addrs[CFG_MAX_LINKS];
	corosync_cfg_handle_t h;
	int n = -1;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_get_node_addrs(0, 1, 8, &n, addrs),
	    CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_get_node_addrs(h, 1, 8, NULL, addrs),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_get_node_addrs(h, 1, 8, &n, NULL),
	    CS_ERR_INVALID_PARAM);
	/* Every configured link, in link order; 0 is this node. */
	memset(addrs, 0x5a, sizeof(addrs));
	CHECK_CS(corosync_cfg_get_node_addrs(h, 0, 8, &n, addrs), CS_OK);
	CHECK(n == 2);
	check_v4(&addrs[0], "127.0.0.1");
	check_v4(&addrs[1], "127.0.1.1");
	/* Only family and address are written: the port stays. */
	CHECK(((const struct sockaddr_in *)(const void *)addrs[0].address)->
	    sin_port == 0x5a5a);
	/* A configured node that is down has its addresses too. */
	CHECK_CS(corosync_cfg_get_node_addrs(h, 2, 8, &n, addrs), CS_OK);
	CHECK(n == 2);
	check_v4(&addrs[0], "127.0.0.2");
	check_v4(&addrs[1], "127.0.1.2");
	/* Room for one: one written, the count says how many there are. */
	memset(addrs, 0, sizeof(addrs));
	CHECK_CS(corosync_cfg_get_node_addrs(h, 2, 1, &n, addrs), CS_OK);
	CHECK(n == 2);
	check_v4(&addrs[0], "127.0.0.2");
	CHECK(addrs[1].address_length == 0);
	CHECK_CS(corosync_cfg_get_node_addrs(h, 2, 0, &n, NULL), CS_OK);
	CHECK(n == 2);
	/* A node not in the nodelist; errno carries the error too. */
	CHECK_CS(corosync_cfg_get_node_addrs(h, 3, 8, &n, addrs),
	    CS_ERR_NOT_EXIST);
	CHECK(errno == CS_ERR_NOT_EXIST);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_get_node_addrs(h, 1, 8, &n, addrs),
	    CS_ERR_BAD_HANDLE);
	cfgtest_stop(&d);
	return 0;
}
