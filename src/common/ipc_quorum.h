/*
 * ipc_quorum.h: the quorum and votequorum services' requests and events
 * between libquorum / libvotequorum and cohortd (framing, replies and
 * errors as in ipc.h; encoding as in ipc_cmap.h: little-endian, "str" is
 * u32 length then bytes). A ring id is u32 nodeid then u64 seq.
 *
 * quorum:
 *   QUORUM_REQ_GETTYPE     u32 model (0 V0, 1 V1)       -> u32 quorum_type
 *   QUORUM_REQ_GETQUORATE                               -> u32 quorate
 *   QUORUM_REQ_TRACKSTART  u32 flags                    -> empty
 *   QUORUM_REQ_TRACKSTOP                                -> empty
 *
 *   QUORUM_EV_QUORUM       u32 quorate, ring id, u32 n, n x u32 nodeid
 *   QUORUM_EV_NODELIST     ring id, u32 n_members, u32 n_joined,
 *                          u32 n_left, then the three lists of u32
 *
 * votequorum:
 *   VQ_REQ_OPEN            (the service answers CS_ERR_NOT_SUPPORTED when
 *                          votequorum is not the quorum provider) -> empty
 *   VQ_REQ_GETINFO         u32 nodeid (0: this node)
 *                          -> u32 node_id, node_state, node_votes,
 *                          node_expected_votes, highest_expected,
 *                          total_votes, quorum, flags, qdevice_votes,
 *                          str qdevice_name
 *   VQ_REQ_SETEXPECTED     u32 expected_votes           -> empty
 *   VQ_REQ_SETVOTES        u32 nodeid, u32 votes        -> empty
 *   VQ_REQ_TRACKSTART      u64 context, u32 flags       -> empty
 *   VQ_REQ_TRACKSTOP                                    -> empty
 *   VQ_REQ_QDEVICE_REGISTER    str name                 -> empty
 *   VQ_REQ_QDEVICE_UNREGISTER  str name                 -> empty
 *   VQ_REQ_QDEVICE_UPDATE      str old, str new         -> empty
 *   VQ_REQ_QDEVICE_POLL        str name, u32 cast_vote, ring id -> empty
 *   VQ_REQ_QDEVICE_MASTER_WINS str name, u32 allow      -> empty
 *
 *   VQ_EV_QUORUM           u64 context, u32 quorate, u32 n,
 *                          n x (u32 nodeid, u32 state)
 *   VQ_EV_NODELIST         u64 context, ring id, u32 n, n x u32 nodeid
 *   VQ_EV_EXPECTED         u64 context, u32 expected_votes
 */
#ifndef COHORT_IPC_QUORUM_H
#define COHORT_IPC_QUORUM_H

enum ipc_quorum_type {
	QUORUM_REQ_GETTYPE = 130,
	QUORUM_REQ_GETQUORATE = 131,
	QUORUM_REQ_TRACKSTART = 132,
	QUORUM_REQ_TRACKSTOP = 133,

	QUORUM_EV_QUORUM = 140,
	QUORUM_EV_NODELIST = 141,

	VQ_REQ_OPEN = 150,
	VQ_REQ_GETINFO = 151,
	VQ_REQ_SETEXPECTED = 152,
	VQ_REQ_SETVOTES = 153,
	VQ_REQ_TRACKSTART = 154,
	VQ_REQ_TRACKSTOP = 155,
	VQ_REQ_QDEVICE_REGISTER = 156,
	VQ_REQ_QDEVICE_UNREGISTER = 157,
	VQ_REQ_QDEVICE_UPDATE = 158,
	VQ_REQ_QDEVICE_POLL = 159,
	VQ_REQ_QDEVICE_MASTER_WINS = 160,

	VQ_EV_QUORUM = 170,
	VQ_EV_NODELIST = 171,
	VQ_EV_EXPECTED = 172,
};

#define IPC_QUORUM_NODES_MAX 384u   /* PROCESSOR_COUNT_MAX */

#endif /* COHORT_IPC_QUORUM_H */
