/*
 * quorum.c: libquorum, the client of cohortd's quorum service
 * (common/ipc_quorum.h) on the shared client core (lib/svc.h).
 *
 * A handle has one connection with an event channel. Initialisation
 * asks the daemon for the quorum type, which also tells it the handle's
 * model (V0 or V1): the daemon sends each model its own notifications.
 * Errors inside are negative errnos, turned into cs_error_t by
 * svc_error() on the way out of each function.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/quorum.h>

#include "common/ipc_quorum.h"
#include "lib/svc.h"

struct quorum_inst {
	struct svc_client sc;          /* first: svc_get() relies on it */
	quorum_handle_t handle;        /* this object's, for the callbacks */
	quorum_model_t model;
	/* Both models' callbacks; only the handle's model's are set. */
	quorum_notification_fn_t v0_quorum_fn;
	quorum_v1_quorum_notification_fn_t v1_quorum_fn;
	quorum_v1_nodelist_notification_fn_t v1_nodelist_fn;
	const void *_Atomic context;
};

static void inst_destroy(void *obj)
{
	struct quorum_inst *inst = obj;

	svc_close(&inst->sc);
	free(inst);
}

static struct hdb quorum_handles = HDB_INIT(inst_destroy);

/* Reads a reply that is one u32 into *arg. */
static int decode_u32(void *arg, struct rbuf *rb)
{
	*(uint32_t *)arg = rbuf_u32(rb);
	return rb->err || rb->left ? -EBADMSG : 0;
}

cs_error_t quorum_initialize(quorum_handle_t *handle,
    quorum_callbacks_t *callbacks, uint32_t *quorum_type)
{
	quorum_model_v0_data_t v0 = { .model = QUORUM_MODEL_V0 };

	if (callbacks)
		v0.quorum_notify_fn = callbacks->quorum_notify_fn;
	return quorum_model_initialize(handle, QUORUM_MODEL_V0,
	    (quorum_model_data_t *)&v0, quorum_type, NULL);
}

cs_error_t quorum_model_initialize(quorum_handle_t *handle,
    quorum_model_t model, quorum_model_data_t *model_data,
    uint32_t *quorum_type, void *context)
{
	struct quorum_inst *inst;
	uint8_t body[4];
	struct wbuf wb;
	uint32_t refused = 0, type = 0;
	int rc;

	if (!handle || (model != QUORUM_MODEL_V0 && model != QUORUM_MODEL_V1))
		return CS_ERR_INVALID_PARAM;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return CS_ERR_NO_MEMORY;
	inst->model = model;
	if (model_data && model == QUORUM_MODEL_V0) {
		inst->v0_quorum_fn =
		    ((quorum_model_v0_data_t *)model_data)->quorum_notify_fn;
	} else if (model_data) {
		quorum_model_v1_data_t *v1 = (quorum_model_v1_data_t *)model_data;

		inst->v1_quorum_fn = v1->quorum_notify_fn;
		inst->v1_nodelist_fn = v1->nodelist_notify_fn;
	}
	atomic_store(&inst->context, context);
	rc = svc_open(&inst->sc, true, &refused);
	if (rc == 0)
		rc = hdb_create(&quorum_handles, inst, handle);
	if (rc) {
		inst_destroy(inst);
		return svc_error(rc, refused);
	}
	inst->handle = *handle;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, (uint32_t)model);
	rc = svc_call(&inst->sc, QUORUM_REQ_GETTYPE, body, wb.len, decode_u32,
	    &type, &refused);
	/* As corosync's library: when the daemon refuses the request, the
	 * handle stays open and is returned with the daemon's error; when
	 * the channel fails, it goes. */
	if (rc && rc != CONN_REFUSED) {
		hdb_destroy(&quorum_handles, *handle);
		return svc_error(rc, refused);
	}
	if (rc == 0 && quorum_type)
		*quorum_type = type;
	return svc_error(rc, refused);
}

cs_error_t quorum_finalize(quorum_handle_t handle)
{
	return svc_handle_finalize(&quorum_handles, handle);
}

cs_error_t quorum_fd_get(quorum_handle_t handle, int *fd)
{
	return svc_handle_fd(&quorum_handles, handle, fd);
}

cs_error_t quorum_getquorate(quorum_handle_t handle, int *quorate)
{
	uint32_t q = 0;
	cs_error_t err;

	if (!quorate)
		return CS_ERR_INVALID_PARAM;
	err = svc_request(&quorum_handles, handle, QUORUM_REQ_GETQUORATE, NULL, 0, decode_u32, &q);
	if (err == CS_OK)
		*quorate = q ? 1 : 0;
	return err;
}

cs_error_t quorum_trackstart(quorum_handle_t handle, unsigned int flags)
{
	uint8_t body[4];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, flags);
	return svc_request(&quorum_handles, handle, QUORUM_REQ_TRACKSTART, body,
	    wb.len, NULL, NULL);
}

cs_error_t quorum_trackstop(quorum_handle_t handle)
{
	return svc_request(&quorum_handles, handle, QUORUM_REQ_TRACKSTOP, NULL,
	    0, NULL, NULL);
}

cs_error_t quorum_context_set(quorum_handle_t handle, const void *context)
{
	struct quorum_inst *inst = svc_get(&quorum_handles, handle);

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	atomic_store(&inst->context, context);
	hdb_put(&quorum_handles, handle);
	return CS_OK;
}

cs_error_t quorum_context_get(quorum_handle_t handle, const void **context)
{
	struct quorum_inst *inst;

	if (!context)
		return CS_ERR_INVALID_PARAM;
	inst = svc_get(&quorum_handles, handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*context = atomic_load(&inst->context);
	hdb_put(&quorum_handles, handle);
	return CS_OK;
}

/* Reads a list of `n` node ids (at most IPC_QUORUM_NODES_MAX) into
 * `out`. */
static void get_list(struct rbuf *rb, uint32_t n, uint32_t *out)
{
	for (uint32_t i = 0; i < n && !rb->err; i++)
		out[i] = rbuf_u32(rb);
}

static int on_quorum(struct quorum_inst *inst, struct rbuf *rb)
{
	uint32_t nodes[IPC_QUORUM_NODES_MAX];
	struct quorum_ring_id ring;
	uint32_t quorate, n;

	quorate = rbuf_u32(rb);
	ring.nodeid = rbuf_u32(rb);
	ring.seq = rbuf_u64(rb);
	n = rbuf_u32(rb);
	if (n > IPC_QUORUM_NODES_MAX)
		return -EBADMSG;
	get_list(rb, n, nodes);
	if (rb->err || rb->left)
		return -EBADMSG;
	if (inst->model == QUORUM_MODEL_V0 && inst->v0_quorum_fn)
		inst->v0_quorum_fn(inst->handle, quorate, ring.seq, n, nodes);
	else if (inst->model == QUORUM_MODEL_V1 && inst->v1_quorum_fn)
		inst->v1_quorum_fn(inst->handle, quorate, ring, n, nodes);
	return 0;
}

static int on_nodelist(struct quorum_inst *inst, struct rbuf *rb)
{
	uint32_t members[IPC_QUORUM_NODES_MAX];
	uint32_t joined[IPC_QUORUM_NODES_MAX];
	uint32_t left[IPC_QUORUM_NODES_MAX];
	struct quorum_ring_id ring;
	uint32_t n_members, n_joined, n_left;

	ring.nodeid = rbuf_u32(rb);
	ring.seq = rbuf_u64(rb);
	n_members = rbuf_u32(rb);
	n_joined = rbuf_u32(rb);
	n_left = rbuf_u32(rb);
	if (n_members > IPC_QUORUM_NODES_MAX ||
	    n_joined > IPC_QUORUM_NODES_MAX || n_left > IPC_QUORUM_NODES_MAX)
		return -EBADMSG;
	get_list(rb, n_members, members);
	get_list(rb, n_joined, joined);
	get_list(rb, n_left, left);
	if (rb->err || rb->left)
		return -EBADMSG;
	/* A V0 handle has no node-list callback: the daemon sends it none,
	 * and one that came anyway is not an error. */
	if (inst->model == QUORUM_MODEL_V1 && inst->v1_nodelist_fn)
		inst->v1_nodelist_fn(inst->handle, ring, n_members, members,
		    n_joined, joined, n_left, left);
	return 0;
}

static int on_event(void *arg, const struct ipc_hdr *h, struct rbuf *body)
{
	switch (h->type) {
	case QUORUM_EV_QUORUM:
		return on_quorum(arg, body);
	case QUORUM_EV_NODELIST:
		return on_nodelist(arg, body);
	default:
		return -EBADMSG;
	}
}

cs_error_t quorum_dispatch(quorum_handle_t handle,
    cs_dispatch_flags_t dispatch_types)
{
	/* Unlike cpg_dispatch, corosync's quorum_dispatch refuses a mode
	 * it does not know instead of blocking. */
	return svc_handle_dispatch(&quorum_handles, handle, dispatch_types, true,
	    on_event);
}
