/*
 * zcb.c: cpg_zcb_*: buffers tied to a handle, sent with one call.
 *
 * corosync 3.1.7 mapped a shared file per buffer (and aborted the process
 * when it could not create one); newer corosync uses plain heap memory.
 * Cohort uses heap memory too, but keeps a list per handle so that foreign
 * or freed pointers are refused and cpg_finalize frees what is left.
 */
#include <stdlib.h>

#include "lib/cpg_int.h"

struct zcb_buf {
	struct zcb_buf *next;
	size_t size;
	max_align_t data[];    /* what the caller gets */
};

static struct zcb_buf **zcb_find(struct cpg_inst *inst, const void *buffer)
{
	struct zcb_buf **pp;

	for (pp = &inst->zcb; *pp; pp = &(*pp)->next)
		if ((const void *)(*pp)->data == buffer)
			return pp;
	return NULL;
}

cs_error_t cpg_zcb_alloc(cpg_handle_t handle, size_t size, void **buffer)
{
	struct cpg_inst *inst;
	struct zcb_buf *b;

	if (!buffer)
		return CS_ERR_INVALID_PARAM;
	if (size > COHORT_MSG_MAX)
		return CS_ERR_TOO_BIG;
	inst = hdb_get(&cpg_handles, handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	b = malloc(sizeof(*b) + (size ? size : 1));
	if (b) {
		b->size = size;
		pthread_mutex_lock(&inst->req_lock);
		b->next = inst->zcb;
		inst->zcb = b;
		pthread_mutex_unlock(&inst->req_lock);
		*buffer = b->data;
	}
	hdb_put(&cpg_handles, handle);
	return b ? CS_OK : CS_ERR_NO_MEMORY;
}

cs_error_t cpg_zcb_free(cpg_handle_t handle, void *buffer)
{
	struct cpg_inst *inst = hdb_get(&cpg_handles, handle);
	struct zcb_buf **pp, *b = NULL;

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	pthread_mutex_lock(&inst->req_lock);
	pp = buffer ? zcb_find(inst, buffer) : NULL;
	if (pp) {
		b = *pp;
		*pp = b->next;
	}
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	free(b);
	return b || !buffer ? CS_OK : CS_ERR_INVALID_PARAM;
}

cs_error_t cpg_zcb_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
    void *msg, size_t msg_len)
{
	struct cpg_inst *inst = hdb_get(&cpg_handles, handle);
	struct zcb_buf **pp;
	struct iovec iov = { msg, msg_len };
	bool ok;

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	pthread_mutex_lock(&inst->req_lock);
	pp = msg ? zcb_find(inst, msg) : NULL;
	ok = pp && msg_len <= (*pp)->size;
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	if (!ok)
		return CS_ERR_INVALID_PARAM;
	return cpg_errno_to_cs(cpg_mcast_iov(handle, guarantee, &iov, 1), 0);
}

void cpg_zcb_release_all(struct cpg_inst *inst)
{
	while (inst->zcb) {
		struct zcb_buf *b = inst->zcb;

		inst->zcb = b->next;
		free(b);
	}
}
