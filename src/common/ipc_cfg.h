/*
 * ipc_cfg.h: the cfg service's requests and events between libcfg and
 * cohortd (framing, replies and errors as in ipc.h; encoding as in
 * ipc_cmap.h: little-endian, "str" is u32 length then bytes).
 *
 *   CFG_REQ_LOCAL_GET                                   -> u32 nodeid
 *   CFG_REQ_NODE_ADDRS     u32 nodeid (0: this node)
 *                          -> u32 n, n x (u32 family, 16 bytes address:
 *                          IPv4 in the first 4)
 *   CFG_REQ_NODE_STATUS    u32 nodeid, u32 version
 *                          -> u32 nodeid, u8 reachable, remote, external,
 *                          onwire_min, onwire_max, onwire_ver, then 8 x
 *                          (u8 enabled, connected, dynconnected, u32 mtu,
 *                          str src_ipaddr, str dst_ipaddr)
 *   CFG_REQ_RING_STATUS    -> u32 n, n x (str name, str status)
 *   CFG_REQ_KILL_NODE      u32 nodeid, str reason       -> empty
 *   CFG_REQ_TRACKSTART     u32 flags                    -> empty
 *   CFG_REQ_TRACKSTOP                                   -> empty
 *   CFG_REQ_TRY_SHUTDOWN   u32 flags  -> empty, answered when the
 *                          shutdown query ends (services-reference §5.3)
 *   CFG_REQ_REPLYTO_SHUTDOWN u32 response               -> empty
 *   CFG_REQ_RELOAD_CONFIG                               -> empty
 *   CFG_REQ_REOPEN_LOG_FILES                            -> empty
 *
 *   CFG_EV_SHUTDOWN        u32 flags (the header's error field carries
 *                          CS_ERR_TIMEOUT on the second ask)
 */
#ifndef COHORT_IPC_CFG_H
#define COHORT_IPC_CFG_H

enum ipc_cfg_type {
	CFG_REQ_LOCAL_GET = 180,
	CFG_REQ_NODE_ADDRS = 181,
	CFG_REQ_NODE_STATUS = 182,
	CFG_REQ_RING_STATUS = 183,
	CFG_REQ_KILL_NODE = 184,
	CFG_REQ_TRACKSTART = 185,
	CFG_REQ_TRACKSTOP = 186,
	CFG_REQ_TRY_SHUTDOWN = 187,
	CFG_REQ_REPLYTO_SHUTDOWN = 188,
	CFG_REQ_RELOAD_CONFIG = 189,
	CFG_REQ_REOPEN_LOG_FILES = 190,

	CFG_EV_SHUTDOWN = 200,
};

#endif /* COHORT_IPC_CFG_H */
