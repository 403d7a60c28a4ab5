/*
 * iter.c: cpg_iteration_*: walking the daemon's snapshot of groups.
 *
 * The daemon keeps the snapshot (taken at initialize) per connection;
 * each iteration handle here names it and the CPG handle it belongs to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpg_int.h"

struct iter {
	cpg_handle_t owner;
	uint32_t id;           /* the daemon's snapshot number */
};

struct hdb cpg_iter_handles = HDB_INIT(free);

cs_error_t cpg_iteration_initialize(cpg_handle_t handle,
    cpg_iteration_type_t iteration_type, const struct cpg_name *group,
    cpg_iteration_handle_t *cpg_iteration_handle)
{
	uint8_t body[IPC_NAME_MAX + 16];
	struct cpg_inst *inst;
	struct ipc_name n = { 0 };
	struct ipc_reply r = { 0 };
	struct wbuf wb;
	struct rbuf rb;
	struct iter *it = NULL;
	int rc;

	if (group && group->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	if (!cpg_iteration_handle ||
	    (iteration_type == CPG_ITERATION_ONE_GROUP) != (group != NULL) ||
	    iteration_type < CPG_ITERATION_NAME_ONLY ||
	    iteration_type > CPG_ITERATION_ALL)
		return CS_ERR_INVALID_PARAM;
	inst = hdb_get(&cpg_handles, handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	pthread_mutex_lock(&inst->req_lock);
	if (atomic_load(&inst->finalized)) {
		rc = -EBADF;
		goto out;
	}
	if (inst->n_iters == COHORT_ITER_MAX) {
		rc = -EMFILE;
		goto out;
	}
	it = malloc(sizeof(*it));
	if (!it) {
		rc = -ENOMEM;
		goto out;
	}
	if (group) {
		n.length = group->length;
		memcpy(n.value, group->value, group->length);
	}
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, (uint32_t)iteration_type);
	ipc_name_put(&wb, &n);
	rc = conn_request(&inst->conn, IPC_ITER_INIT, body, wb.len, &r);
	if (rc < 0)
		goto out;
	rbuf_init(&rb, r.body, r.len);
	it->owner = handle;
	it->id = rbuf_u32(&rb);
	if (rb.err) {
		rc = -EBADMSG;
		goto out;
	}
	if (hdb_create(&cpg_iter_handles, it, cpg_iteration_handle) < 0) {
		/* Out of slots or of memory: the API has said NO_MEMORY
		 * for both. The daemon's snapshot is given back, or it
		 * would hold one of the connection's slots until
		 * cpg_finalize; its answer changes nothing here. */
		wbuf_init(&wb, body, sizeof(body));
		wbuf_u32(&wb, it->id);
		(void)conn_request(&inst->conn, IPC_ITER_FINALIZE, body, wb.len,
		    &r);
		r.error = 0;
		rc = -ENOMEM;
		goto out;
	}
	inst->iters[inst->n_iters++] = *cpg_iteration_handle;
	it = NULL;
out:
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	free(it);
	return cpg_errno_to_cs(rc, r.error);
}

/* Runs one request for iteration `ih` on its CPG handle's channel: 0,
 * -EBADF, CONN_REFUSED (the daemon's answer in *refused) or another
 * -errno. */
static int iter_request(cpg_iteration_handle_t ih, uint16_t type,
    struct cpg_iteration_description_t *desc, uint32_t *refused)
{
	struct iter *it = hdb_get(&cpg_iter_handles, ih);
	struct cpg_inst *inst = NULL;
	uint8_t body[4];
	struct ipc_reply r = { 0 };
	struct ipc_name n;
	struct wbuf wb;
	struct rbuf rb;
	int rc;

	if (!it)
		return -EBADF;
	inst = hdb_get(&cpg_handles, it->owner);
	if (!inst) {
		hdb_put(&cpg_iter_handles, ih);
		return -EBADF;
	}
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, it->id);
	pthread_mutex_lock(&inst->req_lock);
	rc = conn_request(&inst->conn, type, body, wb.len, &r);
	*refused = r.error;
	if (rc == 0 && desc) {
		rbuf_init(&rb, r.body, r.len);
		ipc_name_get(&rb, &n);
		memset(desc, 0, sizeof(*desc));
		desc->group.length = n.length;
		memcpy(desc->group.value, n.value, n.length);
		desc->nodeid = rbuf_u32(&rb);
		desc->pid = rbuf_u32(&rb);
		if (rb.err)
			rc = -EBADMSG;
	}
	/* The daemon answered: whatever it said, the iteration is over. */
	if (type == IPC_ITER_FINALIZE && (rc == 0 || rc == CONN_REFUSED)) {
		for (size_t i = 0; i < inst->n_iters; i++)
			if (inst->iters[i] == ih)
				inst->iters[i] = inst->iters[--inst->n_iters];
		hdb_destroy(&cpg_iter_handles, ih);
	}
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, it->owner);
	hdb_put(&cpg_iter_handles, ih);
	return rc;
}

cs_error_t cpg_iteration_next(cpg_iteration_handle_t handle,
    struct cpg_iteration_description_t *description)
{
	uint32_t refused = 0;
	int rc;

	if (!description)
		return CS_ERR_INVALID_PARAM;
	rc = iter_request(handle, IPC_ITER_NEXT, description, &refused);
	return cpg_errno_to_cs(rc, refused);
}

cs_error_t cpg_iteration_finalize(cpg_iteration_handle_t handle)
{
	uint32_t refused = 0;
	int rc = iter_request(handle, IPC_ITER_FINALIZE, NULL, &refused);

	return cpg_errno_to_cs(rc, refused);
}

void cpg_iter_release_all(struct cpg_inst *inst)
{
	while (inst->n_iters > 0)
		hdb_destroy(&cpg_iter_handles, inst->iters[--inst->n_iters]);
}
