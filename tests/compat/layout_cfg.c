/*
 * layout_cfg.c: every size, offset, enum value and constant of cfg.h.
 * t_compat.sh builds it against corosync's header and against Cohort's
 * and compares the outputs.
 */
#include <stddef.h>
#include <stdio.h>

#include <corosync/cfg.h>

#define S(t) printf("sizeof(%s)=%zu\n", #t, sizeof(t))
#define O(t, f) printf("offsetof(%s,%s)=%zu\n", #t, #f, offsetof(t, f))
#define V(x) printf("%s=%lld\n", #x, (long long)(x))

int main(void)
{
	S(corosync_cfg_handle_t); S(corosync_cfg_shutdown_flags_t);
	S(corosync_cfg_shutdown_reply_flags_t);
	S(corosync_cfg_shutdown_callback_t);
	S(corosync_cfg_callbacks_t);
	O(corosync_cfg_callbacks_t, corosync_cfg_shutdown_callback);
	S(corosync_cfg_node_address_t);
	O(corosync_cfg_node_address_t, address_length);
	O(corosync_cfg_node_address_t, address);
	S(corosync_cfg_node_status_version_t);
	S(struct corosync_knet_link_status_v1);
	O(struct corosync_knet_link_status_v1, enabled);
	O(struct corosync_knet_link_status_v1, connected);
	O(struct corosync_knet_link_status_v1, dynconnected);
	O(struct corosync_knet_link_status_v1, mtu);
	O(struct corosync_knet_link_status_v1, src_ipaddr);
	O(struct corosync_knet_link_status_v1, dst_ipaddr);
	S(struct corosync_cfg_node_status_v1);
	O(struct corosync_cfg_node_status_v1, version);
	O(struct corosync_cfg_node_status_v1, nodeid);
	O(struct corosync_cfg_node_status_v1, reachable);
	O(struct corosync_cfg_node_status_v1, remote);
	O(struct corosync_cfg_node_status_v1, external);
	O(struct corosync_cfg_node_status_v1, onwire_min);
	O(struct corosync_cfg_node_status_v1, onwire_max);
	O(struct corosync_cfg_node_status_v1, onwire_ver);
	O(struct corosync_cfg_node_status_v1, link_status);
	V(COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST);
	V(COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS);
	V(COROSYNC_CFG_SHUTDOWN_FLAG_IMMEDIATE);
	V(COROSYNC_CFG_SHUTDOWN_FLAG_NO); V(COROSYNC_CFG_SHUTDOWN_FLAG_YES);
	V(CFG_NODE_STATUS_V1); V(CFG_MAX_HOST_LEN); V(CFG_MAX_LINKS);
	return 0;
}
