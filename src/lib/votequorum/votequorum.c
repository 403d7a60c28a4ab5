/*
 * votequorum.c: libvotequorum, the client of cohortd's votequorum
 * service (common/ipc_quorum.h) on the shared client core (lib/svc.h).
 *
 * A handle has one connection with an event channel; its first request,
 * VQ_REQ_OPEN, is refused with CS_ERR_NOT_SUPPORTED while votequorum is
 * not the configured quorum provider, and votequorum_initialize passes
 * that on. The quorum-device calls are in qdevice.c. Errors inside are
 * negative errnos, turned into cs_error_t by svc_error() on the way out
 * of each function.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/votequorum/vq_int.h"

struct votequorum_inst {
	struct svc_client sc;          /* first: svc_get() relies on it */
	votequorum_handle_t handle;    /* this object's, for the callbacks */
	votequorum_callbacks_t cb;
	void *_Atomic context;
};

static void inst_destroy(void *obj)
{
	struct votequorum_inst *inst = obj;

	svc_close(&inst->sc);
	free(inst);
}

static struct hdb votequorum_handles = HDB_INIT(inst_destroy);

cs_error_t vq_request(votequorum_handle_t handle, uint16_t type,
    const void *body, size_t len, int (*decode)(void *, struct rbuf *),
    void *arg)
{
	return svc_request(&votequorum_handles, handle, type, body, len, decode,
	    arg);
}

cs_error_t votequorum_initialize(votequorum_handle_t *handle,
    votequorum_callbacks_t *callbacks)
{
	struct votequorum_inst *inst;
	uint32_t refused = 0;
	int rc;

	if (!handle)
		return CS_ERR_INVALID_PARAM;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return CS_ERR_NO_MEMORY;
	if (callbacks)
		inst->cb = *callbacks;
	rc = svc_open(&inst->sc, true, &refused);
	if (rc == 0)
		rc = svc_call(&inst->sc, VQ_REQ_OPEN, NULL, 0, NULL, NULL,
		    &refused);
	if (rc == 0)
		rc = hdb_create(&votequorum_handles, inst, handle);
	if (rc) {
		inst_destroy(inst);
		return svc_error(rc, refused);
	}
	inst->handle = *handle;
	return CS_OK;
}

cs_error_t votequorum_finalize(votequorum_handle_t handle)
{
	return svc_handle_finalize(&votequorum_handles, handle);
}

cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd)
{
	return svc_handle_fd(&votequorum_handles, handle, fd);
}

cs_error_t votequorum_context_get(votequorum_handle_t handle, void **context)
{
	struct votequorum_inst *inst;

	if (!context)
		return CS_ERR_INVALID_PARAM;
	inst = svc_get(&votequorum_handles, handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*context = atomic_load(&inst->context);
	hdb_put(&votequorum_handles, handle);
	return CS_OK;
}

cs_error_t votequorum_context_set(votequorum_handle_t handle, void *context)
{
	struct votequorum_inst *inst = svc_get(&votequorum_handles, handle);

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	atomic_store(&inst->context, context);
	hdb_put(&votequorum_handles, handle);
	return CS_OK;
}

/* The reply to VQ_REQ_GETINFO, into the caller's struct. */
static int get_info(void *arg, struct rbuf *rb)
{
	struct votequorum_info *info = arg;
	const uint8_t *name;
	uint32_t len;

	info->node_id = rbuf_u32(rb);
	info->node_state = rbuf_u32(rb);
	info->node_votes = rbuf_u32(rb);
	info->node_expected_votes = rbuf_u32(rb);
	info->highest_expected = rbuf_u32(rb);
	info->total_votes = rbuf_u32(rb);
	info->quorum = rbuf_u32(rb);
	info->flags = rbuf_u32(rb);
	info->qdevice_votes = rbuf_u32(rb);
	len = rbuf_u32(rb);
	/* The name and its NUL must fit the struct's array. */
	if (len >= sizeof(info->qdevice_name))
		return -EBADMSG;
	name = rbuf_take(rb, len);
	if (rb->err || rb->left)
		return -EBADMSG;
	memset(info->qdevice_name, 0, sizeof(info->qdevice_name));
	memcpy(info->qdevice_name, name, len);
	return 0;
}

cs_error_t votequorum_getinfo(votequorum_handle_t handle,
    unsigned int nodeid, struct votequorum_info *info)
{
	uint8_t body[4];
	struct wbuf wb;
	cs_error_t err;

	if (!info)
		return CS_ERR_INVALID_PARAM;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, nodeid);
	err = vq_request(handle, VQ_REQ_GETINFO, body, wb.len, get_info, info);
	/* corosync's library fills *info from the reply even on an error
	 * (and corosync-quorumtool prints it on CS_ERR_NOT_EXIST): ours
	 * carries no body then, so the caller finds zeros, not garbage. */
	if (err != CS_OK && err != CS_ERR_BAD_HANDLE)
		memset(info, 0, sizeof(*info));
	return err;
}

cs_error_t votequorum_setexpected(votequorum_handle_t handle,
    unsigned int expected_votes)
{
	uint8_t body[4];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, expected_votes);
	return vq_request(handle, VQ_REQ_SETEXPECTED, body, wb.len, NULL, NULL);
}

cs_error_t votequorum_setvotes(votequorum_handle_t handle,
    unsigned int nodeid, unsigned int votes)
{
	uint8_t body[8];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, nodeid);
	wbuf_u32(&wb, votes);
	return vq_request(handle, VQ_REQ_SETVOTES, body, wb.len, NULL, NULL);
}

cs_error_t votequorum_trackstart(votequorum_handle_t handle,
    uint64_t context, unsigned int flags)
{
	uint8_t body[12];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, context);
	wbuf_u32(&wb, flags);
	return vq_request(handle, VQ_REQ_TRACKSTART, body, wb.len, NULL, NULL);
}

cs_error_t votequorum_trackstop(votequorum_handle_t handle)
{
	return vq_request(handle, VQ_REQ_TRACKSTOP, NULL, 0, NULL, NULL);
}

static int on_quorum(struct votequorum_inst *inst, struct rbuf *rb)
{
	votequorum_node_t nodes[VQ_EV_NODES_MAX];
	uint64_t context;
	uint32_t quorate, n;

	context = rbuf_u64(rb);
	quorate = rbuf_u32(rb);
	n = rbuf_u32(rb);
	if (n > VQ_EV_NODES_MAX)
		return -EBADMSG;
	for (uint32_t i = 0; i < n && !rb->err; i++) {
		nodes[i].nodeid = rbuf_u32(rb);
		nodes[i].state = rbuf_u32(rb);
	}
	if (rb->err || rb->left)
		return -EBADMSG;
	if (inst->cb.votequorum_quorum_notify_fn)
		inst->cb.votequorum_quorum_notify_fn(inst->handle, context,
		    quorate, n, nodes);
	return 0;
}

static int on_nodelist(struct votequorum_inst *inst, struct rbuf *rb)
{
	uint32_t nodes[IPC_QUORUM_NODES_MAX];
	votequorum_ring_id_t ring;
	uint64_t context;
	uint32_t n;

	context = rbuf_u64(rb);
	ring.nodeid = rbuf_u32(rb);
	ring.seq = rbuf_u64(rb);
	n = rbuf_u32(rb);
	if (n > IPC_QUORUM_NODES_MAX)
		return -EBADMSG;
	for (uint32_t i = 0; i < n && !rb->err; i++)
		nodes[i] = rbuf_u32(rb);
	if (rb->err || rb->left)
		return -EBADMSG;
	if (inst->cb.votequorum_nodelist_notify_fn)
		inst->cb.votequorum_nodelist_notify_fn(inst->handle, context,
		    ring, n, nodes);
	return 0;
}

static int on_expected(struct votequorum_inst *inst, struct rbuf *rb)
{
	uint64_t context = rbuf_u64(rb);
	uint32_t expected = rbuf_u32(rb);

	if (rb->err || rb->left)
		return -EBADMSG;
	if (inst->cb.votequorum_expectedvotes_notify_fn)
		inst->cb.votequorum_expectedvotes_notify_fn(inst->handle,
		    context, expected);
	return 0;
}

static int on_event(void *arg, const struct ipc_hdr *h, struct rbuf *body)
{
	switch (h->type) {
	case VQ_EV_QUORUM:
		return on_quorum(arg, body);
	case VQ_EV_NODELIST:
		return on_nodelist(arg, body);
	case VQ_EV_EXPECTED:
		return on_expected(arg, body);
	default:
		return -EBADMSG;
	}
}

cs_error_t votequorum_dispatch(votequorum_handle_t handle,
    cs_dispatch_flags_t dispatch_types)
{
	/* Unlike cpg_dispatch, corosync's votequorum_dispatch refuses a mode
	 * it does not know instead of blocking. */
	return svc_handle_dispatch(&votequorum_handles, handle, dispatch_types, true,
	    on_event);
}
