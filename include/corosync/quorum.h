/*
 * quorum.h: the quorum API of Cohort (libquorum.so.5).
 *
 * Source- and binary-compatible with corosync 3.1.7's <corosync/quorum.h>:
 * the same types, values, struct layouts and functions. A handle tells
 * whether a quorum provider is configured, whether this node is quorate,
 * and, while tracking, calls back on every change of membership or of
 * the quorate flag. Behaviour and errors: quorum_overview(3) and one
 * page per function; differences from corosync: docs/compatibility.md.
 *
 * Copyright (c) 2026 The Cohort authors. License: see LICENSE in the source.
 */
#ifndef COROSYNC_QUORUM_H_DEFINED
#define COROSYNC_QUORUM_H_DEFINED

#include <corosync/corotypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which callbacks a handle has: V0 (one quorum callback with the ring's
 * sequence number) or V1 (ring id, and a separate node-list callback). */
typedef enum {
	QUORUM_MODEL_V0 = 0,
	QUORUM_MODEL_V1 = 1,
} quorum_model_t;

typedef uint64_t quorum_handle_t;

/* A membership: the node that formed it and its sequence number. */
struct quorum_ring_id {
	uint32_t nodeid;
	uint64_t seq;
};

/* V0: the quorate flag, the membership's sequence number and its node
 * ids. The list is valid only during the call. */
typedef void (*quorum_notification_fn_t) (
	quorum_handle_t handle,
	uint32_t quorate,
	uint64_t ring_seq,
	uint32_t view_list_entries,
	uint32_t *view_list);

/* V1: as V0, with the whole ring id. */
typedef void (*quorum_v1_quorum_notification_fn_t) (
	quorum_handle_t handle,
	uint32_t quorate,
	struct quorum_ring_id ring_id,
	uint32_t member_list_entries,
	const uint32_t *member_list);

/* V1: the members of a new membership, those that joined it and those
 * that left since the previous one. Lists valid only during the call. */
typedef void (*quorum_v1_nodelist_notification_fn_t) (
	quorum_handle_t handle,
	struct quorum_ring_id ring_id,
	uint32_t member_list_entries,
	const uint32_t *member_list,
	uint32_t joined_list_entries,
	const uint32_t *joined_list,
	uint32_t left_list_entries,
	const uint32_t *left_list);

/* The callbacks of quorum_initialize (model V0). */
typedef struct {
	quorum_notification_fn_t quorum_notify_fn;
} quorum_callbacks_t;

/* What quorum_model_initialize takes: the model first, then that
 * model's callbacks (quorum_model_v0_data_t or quorum_model_v1_data_t). */
typedef struct {
	quorum_model_t model;
} quorum_model_data_t;

typedef struct {
	quorum_model_t model;
	quorum_notification_fn_t quorum_notify_fn;
} quorum_model_v0_data_t;

typedef struct {
	quorum_model_t model;
	quorum_v1_quorum_notification_fn_t quorum_notify_fn;
	quorum_v1_nodelist_notification_fn_t nodelist_notify_fn;
} quorum_model_v1_data_t;

/* *quorum_type: no provider (always quorate) or a provider configured. */
#define QUORUM_FREE	0
#define QUORUM_SET	1

cs_error_t quorum_initialize(quorum_handle_t *handle,
    quorum_callbacks_t *callbacks, uint32_t *quorum_type);

cs_error_t quorum_model_initialize(quorum_handle_t *handle,
    quorum_model_t model, quorum_model_data_t *model_data,
    uint32_t *quorum_type, void *context);

cs_error_t quorum_finalize(quorum_handle_t handle);

cs_error_t quorum_fd_get(quorum_handle_t handle, int *fd);

cs_error_t quorum_dispatch(quorum_handle_t handle,
    cs_dispatch_flags_t dispatch_types);

cs_error_t quorum_getquorate(quorum_handle_t handle, int *quorate);

/* flags: CS_TRACK_CURRENT, CS_TRACK_CHANGES, CS_TRACK_CHANGES_ONLY. */
cs_error_t quorum_trackstart(quorum_handle_t handle, unsigned int flags);

cs_error_t quorum_trackstop(quorum_handle_t handle);

cs_error_t quorum_context_set(quorum_handle_t handle, const void *context);

cs_error_t quorum_context_get(quorum_handle_t handle, const void **context);

#ifdef __cplusplus
}
#endif

#endif /* COROSYNC_QUORUM_H_DEFINED */
