/* API test: corosync_cfg_node_status_get. */
#include <string.h>

#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	struct corosync_cfg_node_status_v1 st;
	corosync_cfg_handle_t h;

	cfgtest_start(&d, NULL);
	CHECK_CS(corosync_cfg_node_status_get(0, 1, CFG_NODE_STATUS_V1, &st),
	    CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_node_status_get(h, 1, CFG_NODE_STATUS_V1, NULL),
	    CS_ERR_INVALID_PARAM);
	CHECK_CS(corosync_cfg_node_status_get(h, 1,
	    (corosync_cfg_node_status_version_t)2, &st), CS_ERR_INVALID_PARAM);
	/* This node: reachable, both links up, the loopback MTU. */
	memset(&st, 0xff, sizeof(st));
	CHECK_CS(corosync_cfg_node_status_get(h, 1, CFG_NODE_STATUS_V1, &st),
	    CS_OK);
	CHECK(st.version == CFG_NODE_STATUS_V1);
	CHECK(st.nodeid == 1 && st.reachable == 1);
	CHECK(st.remote == 0 && st.external == 0 && st.onwire_ver == 0);
	CHECK(st.link_status[0].enabled && st.link_status[0].connected);
	CHECK(st.link_status[0].mtu == 65535);
	CHECK(strcmp(st.link_status[0].src_ipaddr, "127.0.0.1") == 0);
	CHECK(strcmp(st.link_status[1].dst_ipaddr, "127.0.1.1") == 0);
	CHECK(!st.link_status[2].enabled && st.link_status[2].mtu == 0);
	CHECK(st.link_status[2].src_ipaddr[0] == '\0');
	/* Node 2 never ran: not reachable, its links configured and down. */
	CHECK_CS(corosync_cfg_node_status_get(h, 2, CFG_NODE_STATUS_V1, &st),
	    CS_OK);
	CHECK(st.nodeid == 2 && st.reachable == 0);
	CHECK(st.link_status[0].enabled && !st.link_status[0].connected);
	CHECK(st.link_status[1].enabled && !st.link_status[1].connected);
	CHECK(strcmp(st.link_status[0].src_ipaddr, "127.0.0.1") == 0);
	CHECK(strcmp(st.link_status[0].dst_ipaddr, "127.0.0.2") == 0);
	CHECK(strcmp(st.link_status[1].dst_ipaddr, "127.0.1.2") == 0);
	CHECK(!st.link_status[7].enabled);
	/* Not in the nodelist: the daemon's error, as corosync's. */
	CHECK_CS(corosync_cfg_node_status_get(h, 3, CFG_NODE_STATUS_V1, &st),
	    CS_ERR_FAILED_OPERATION);
	CHECK_CS(corosync_cfg_node_status_get(h, 0, CFG_NODE_STATUS_V1, &st),
	    CS_ERR_FAILED_OPERATION);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_node_status_get(h, 1, CFG_NODE_STATUS_V1, &st),
	    CS_ERR_BAD_HANDLE);
	cfgtest_stop(&d);
	return 0;
}
