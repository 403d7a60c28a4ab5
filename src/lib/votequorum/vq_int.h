/*
 * vq_int.h: what the files of libvotequorum share.
 */
#ifndef COHORT_VQ_INT_H
#define COHORT_VQ_INT_H

#include <corosync/votequorum.h>

#include "common/ipc_quorum.h"
#include "lib/svc.h"

/* A quorum notification lists every node the daemon has seen and, while
 * one is registered, the quorum device (node id 0) after them. */
#define VQ_EV_NODES_MAX (IPC_QUORUM_NODES_MAX + 1u)

/* A request on `handle` and its reply, decoded by `decode` (may be NULL)
 * when the daemon answered CS_OK. CS_ERR_BAD_HANDLE for an unknown or
 * finalized handle, else the daemon's answer or the channel's error. */
cs_error_t vq_request(votequorum_handle_t handle, uint16_t type,
    const void *body, size_t len, int (*decode)(void *, struct rbuf *),
    void *arg);

#endif /* COHORT_VQ_INT_H */
