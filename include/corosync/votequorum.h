/*
 * votequorum.h: the vote-based quorum API of Cohort (libvotequorum.so.8).
 *
 * Source- and binary-compatible with corosync 3.1.7's
 * <corosync/votequorum.h>: the same types, values, struct layouts and
 * functions. The service exists while votequorum is the configured quorum
 * provider (quorum { provider: corosync_votequorum }). Behaviour and
 * errors: votequorum_overview(3) and one page per function; differences
 * from corosync: docs/compatibility.md.
 *
 * Copyright (c) 2026 The Cohort authors. License: see LICENSE in the source.
 */
#ifndef COROSYNC_VOTEQUORUM_H_DEFINED
#define COROSYNC_VOTEQUORUM_H_DEFINED

#include <corosync/corotypes.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t votequorum_handle_t;

/* Bits of votequorum_info.flags: the cluster's features and quorate
 * flag, then the state of the queried node's quorum device. */
#define VOTEQUORUM_INFO_TWONODE                  1
#define VOTEQUORUM_INFO_QUORATE                  2
#define VOTEQUORUM_INFO_WAIT_FOR_ALL             4
#define VOTEQUORUM_INFO_LAST_MAN_STANDING        8
#define VOTEQUORUM_INFO_AUTO_TIE_BREAKER         16
#define VOTEQUORUM_INFO_ALLOW_DOWNSCALE          32
#define VOTEQUORUM_INFO_QDEVICE_REGISTERED       64
#define VOTEQUORUM_INFO_QDEVICE_ALIVE            128
#define VOTEQUORUM_INFO_QDEVICE_CAST_VOTE        256
#define VOTEQUORUM_INFO_QDEVICE_MASTER_WINS      512

/* The node id a quorum device appears under in node lists. */
#define VOTEQUORUM_QDEVICE_NODEID                0
/* A device name's buffer, its terminating NUL included. */
#define VOTEQUORUM_QDEVICE_MAX_NAME_LEN          255
/* Milliseconds: poll timeout and timeout during a membership change. */
#define VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT       10000
#define VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT  30000

#define VOTEQUORUM_NODESTATE_MEMBER              1
#define VOTEQUORUM_NODESTATE_DEAD                2
#define VOTEQUORUM_NODESTATE_LEAVING             3

/* What votequorum_getinfo reports about one node and the cluster. */
struct votequorum_info {
	unsigned int node_id;
	unsigned int node_state;
	unsigned int node_votes;
	unsigned int node_expected_votes;
	unsigned int highest_expected;
	unsigned int total_votes;
	unsigned int quorum;
	unsigned int flags;
	unsigned int qdevice_votes;
	char qdevice_name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
};

/* One entry of a quorum notification's node list. */
typedef struct {
	uint32_t nodeid;
	uint32_t state;
} votequorum_node_t;

typedef struct {
	uint32_t nodeid;
	uint64_t seq;
} votequorum_ring_id_t;

/* Lists passed to the callbacks are valid only during the call;
 * `context` is the one given to votequorum_trackstart. */
typedef void (*votequorum_quorum_notification_fn_t) (
	votequorum_handle_t handle,
	uint64_t context,
	uint32_t quorate,
	uint32_t node_list_entries,
	votequorum_node_t node_list[]);

typedef void (*votequorum_nodelist_notification_fn_t) (
	votequorum_handle_t handle,
	uint64_t context,
	votequorum_ring_id_t ring_id,
	uint32_t node_list_entries,
	uint32_t node_list[]);

typedef void (*votequorum_expectedvotes_notification_fn_t) (
	votequorum_handle_t handle,
	uint64_t context,
	uint32_t expected_votes);

typedef struct {
	votequorum_quorum_notification_fn_t votequorum_quorum_notify_fn;
	votequorum_expectedvotes_notification_fn_t votequorum_expectedvotes_notify_fn;
	votequorum_nodelist_notification_fn_t votequorum_nodelist_notify_fn;
} votequorum_callbacks_t;

cs_error_t votequorum_initialize(votequorum_handle_t *handle,
    votequorum_callbacks_t *callbacks);

cs_error_t votequorum_finalize(votequorum_handle_t handle);

cs_error_t votequorum_dispatch(votequorum_handle_t handle,
    cs_dispatch_flags_t dispatch_types);

cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd);

/* nodeid 0: this node. */
cs_error_t votequorum_getinfo(votequorum_handle_t handle,
    unsigned int nodeid, struct votequorum_info *info);

cs_error_t votequorum_setexpected(votequorum_handle_t handle,
    unsigned int expected_votes);

cs_error_t votequorum_setvotes(votequorum_handle_t handle,
    unsigned int nodeid, unsigned int votes);

/* flags: CS_TRACK_CURRENT, CS_TRACK_CHANGES, CS_TRACK_CHANGES_ONLY. */
cs_error_t votequorum_trackstart(votequorum_handle_t handle,
    uint64_t context, unsigned int flags);

cs_error_t votequorum_trackstop(votequorum_handle_t handle);

cs_error_t votequorum_context_get(votequorum_handle_t handle,
    void **context);

cs_error_t votequorum_context_set(votequorum_handle_t handle,
    void *context);

/* The quorum device of this node (corosync-qdevice's calls). */
cs_error_t votequorum_qdevice_register(votequorum_handle_t handle,
    const char *name);

cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle,
    const char *name);

cs_error_t votequorum_qdevice_update(votequorum_handle_t handle,
    const char *oldname, const char *newname);

cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle,
    const char *name, unsigned int cast_vote, votequorum_ring_id_t ring_id);

cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle,
    const char *name, unsigned int allow);

#ifdef __cplusplus
}
#endif

#endif /* COROSYNC_VOTEQUORUM_H_DEFINED */
