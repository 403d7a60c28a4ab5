/*
 * cpg.c: the cpg_* calls that manage a handle and talk to the daemon.
 *
 * Errors inside are negative errnos; each public function converts them to
 * cs_error_t once, on its way out, with cpg_errno_to_cs. The library
 * never prints and never retries without bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cpg_int.h"

static void inst_destroy(void *obj);

struct hdb cpg_handles = HDB_INIT(inst_destroy);

static void inst_destroy(void *obj)
{
	struct cpg_inst *inst = obj;

	conn_close(&inst->conn);
	cpg_zcb_release_all(inst);
	free(inst->evbuf);
	free(inst->stash);
	free(inst->addrs);
	free(inst->nodes);
	pthread_mutex_destroy(&inst->req_lock);
	pthread_mutex_destroy(&inst->ev_lock);
	pthread_mutex_destroy(&inst->chan_lock);
	free(inst);
}

cs_error_t cpg_errno_to_cs(int rc, uint32_t refused)
{
	return svc_error(rc, refused);
}

/* Looks a handle up with a reference, refusing finalized ones. */
static struct cpg_inst *inst_get(cpg_handle_t handle)
{
	struct cpg_inst *inst = hdb_get(&cpg_handles, handle);

	if (inst && atomic_load(&inst->finalized)) {
		hdb_put(&cpg_handles, handle);
		return NULL;
	}
	return inst;
}

cs_error_t cpg_initialize(cpg_handle_t *handle, cpg_callbacks_t *callbacks)
{
	cpg_model_v1_data_t v1 = { .model = CPG_MODEL_V1 };

	if (callbacks) {
		v1.cpg_deliver_fn = callbacks->cpg_deliver_fn;
		v1.cpg_confchg_fn = callbacks->cpg_confchg_fn;
	}
	return cpg_model_initialize(handle, CPG_MODEL_V1,
	    (cpg_model_data_t *)&v1, NULL);
}

cs_error_t cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model,
    cpg_model_data_t *model_data, void *context)
{
	struct cpg_inst *inst;
	uint32_t refused = 0;
	int rc;

	if (!handle || model != CPG_MODEL_V1)
		return CS_ERR_INVALID_PARAM;
	if (model_data && (((cpg_model_v1_data_t *)model_data)->flags &
	    ~(unsigned int)CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF))
		return CS_ERR_INVALID_PARAM;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return CS_ERR_NO_MEMORY;
	pthread_mutex_init(&inst->req_lock, NULL);
	pthread_mutex_init(&inst->ev_lock, NULL);
	pthread_mutex_init(&inst->chan_lock, NULL);
	/* No refused sender has looked at the reader yet. */
	inst->held_taken = UINT64_MAX;
	if (model_data)
		inst->model = *(cpg_model_v1_data_t *)model_data;
	inst->model.model = CPG_MODEL_V1;
	atomic_store(&inst->context, context);
	rc = conn_open(&inst->conn, IPC_HELLO_EVENTS, &refused);
	if (rc == 0)
		rc = hdb_create(&cpg_handles, inst, handle);
	if (rc)
		inst_destroy(inst);
	return cpg_errno_to_cs(rc, refused);
}

cs_error_t cpg_finalize(cpg_handle_t handle)
{
	struct cpg_inst *inst = inst_get(handle);
	struct ipc_reply r;

	if (!inst || atomic_exchange(&inst->finalized, true)) {
		if (inst)
			hdb_put(&cpg_handles, handle);
		return CS_ERR_BAD_HANDLE;
	}
	pthread_mutex_lock(&inst->req_lock);
	/* Tell the daemon first so that no event is queued for us any more;
	 * a failure only means it is gone, and the handle goes anyway. */
	(void)conn_request(&inst->conn, IPC_FINALIZE, NULL, 0, &r);
	cpg_iter_release_all(inst);
	/* Wakes a thread blocked in cpg_dispatch on this handle: its poll
	 * returns and it sees the handle finalized. */
	if (inst->conn.ev_fd >= 0)
		shutdown(inst->conn.ev_fd, SHUT_RDWR);
	pthread_mutex_unlock(&inst->req_lock);
	hdb_destroy(&cpg_handles, handle);
	hdb_put(&cpg_handles, handle);
	return CS_OK;
}

cs_error_t cpg_fd_get(cpg_handle_t handle, int *fd)
{
	struct cpg_inst *inst;

	if (!fd)
		return CS_ERR_INVALID_PARAM;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*fd = inst->conn.ev_fd;
	hdb_put(&cpg_handles, handle);
	return CS_OK;
}

cs_error_t cpg_max_atomic_msgsize_get(cpg_handle_t handle, uint32_t *size)
{
	struct cpg_inst *inst;

	if (!size)
		return CS_ERR_INVALID_PARAM;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*size = COHORT_MSG_MAX;
	hdb_put(&cpg_handles, handle);
	return CS_OK;
}

cs_error_t cpg_context_get(cpg_handle_t handle, void **context)
{
	struct cpg_inst *inst;

	if (!context)
		return CS_ERR_INVALID_PARAM;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*context = atomic_load(&inst->context);
	hdb_put(&cpg_handles, handle);
	return CS_OK;
}

cs_error_t cpg_context_set(cpg_handle_t handle, void *context)
{
	struct cpg_inst *inst = inst_get(handle);

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	atomic_store(&inst->context, context);
	hdb_put(&cpg_handles, handle);
	return CS_OK;
}

cs_error_t cpg_flow_control_state_get(cpg_handle_t handle,
    cpg_flow_control_state_t *flow_control_enabled)
{
	struct cpg_inst *inst;
	int rc;

	if (!flow_control_enabled)
		return CS_ERR_INVALID_PARAM;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	pthread_mutex_lock(&inst->req_lock);
	/* Enabled exactly when a small message would be refused now. */
	rc = conn_may_send(&inst->conn, 0);
	pthread_mutex_unlock(&inst->req_lock);
	/* A program that waits for DISABLED without dispatching is let
	 * through as one that retries cpg_mcast_joined is. */
	if (rc == -ENOBUFS)
		cpg_take_backlog(inst);
	hdb_put(&cpg_handles, handle);
	/* Any other refusal is a broken connection. */
	if (rc < 0 && rc != -EAGAIN && rc != -ENOBUFS)
		return cpg_errno_to_cs(-ENOTCONN, 0);
	*flow_control_enabled = rc < 0 ? CPG_FLOW_CONTROL_ENABLED :
	    CPG_FLOW_CONTROL_DISABLED;
	return CS_OK;
}

cs_error_t cpg_local_get(cpg_handle_t handle, unsigned int *local_nodeid)
{
	struct cpg_inst *inst;
	struct ipc_reply r = { 0 };
	struct rbuf rb;
	int rc;

	if (!local_nodeid)
		return CS_ERR_INVALID_PARAM;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	pthread_mutex_lock(&inst->req_lock);
	rc = conn_request(&inst->conn, IPC_LOCAL_GET, NULL, 0, &r);
	if (rc == 0) {
		rbuf_init(&rb, r.body, r.len);
		*local_nodeid = rbuf_u32(&rb);
		if (rb.err)
			rc = -EBADMSG;
	}
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	return cpg_errno_to_cs(rc, r.error);
}

static void name_from_api(struct ipc_name *n, const struct cpg_name *g)
{
	n->length = g->length;
	memcpy(n->value, g->value, g->length);
}

/* Encodes {name, pid, flags} for JOIN and LEAVE. */
static size_t encode_group_req(uint8_t *buf, size_t cap,
    const struct ipc_name *n, uint32_t flags)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, cap);
	ipc_name_put(&wb, n);
	wbuf_u32(&wb, (uint32_t)getpid());
	wbuf_u32(&wb, flags);
	return wb.len;
}

/* JOIN and LEAVE: the same checks, one request, and on success the
 * library's view of the handle's group moves to `on_ok`. 0, -EINVAL,
 * -ENAMETOOLONG, -EBADF, CONN_REFUSED (the daemon's answer in *refused)
 * or another -errno (the connection is broken). */
static int group_request(cpg_handle_t handle, const struct cpg_name *group,
    uint16_t type, enum join_state on_ok, uint32_t *refused)
{
	uint8_t body[IPC_NAME_MAX + 16];
	struct cpg_inst *inst;
	struct ipc_reply r = { 0 };
	struct ipc_name n;
	size_t len;
	int rc;

	if (!group)
		return -EINVAL;
	if (group->length > CPG_MAX_NAME_LENGTH)
		return -ENAMETOOLONG;
	inst = inst_get(handle);
	if (!inst)
		return -EBADF;
	name_from_api(&n, group);
	len = encode_group_req(body, sizeof(body), &n,
	    type == IPC_JOIN ? inst->model.flags : 0);
	pthread_mutex_lock(&inst->req_lock);
	/* The member is the process that joins: the daemon watches it, so
	 * that its exit ends the membership whoever else holds the
	 * connection (a child forked after the join). */
	if (type == IPC_JOIN)
		rc = conn_request_as_self(&inst->conn, type, body, len, &r);
	else
		rc = conn_request(&inst->conn, type, body, len, &r);
	if (rc == 0) {
		if (type == IPC_JOIN)
			inst->group = n;
		atomic_store(&inst->join, on_ok);
	}
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	*refused = r.error;
	return rc;
}

cs_error_t cpg_join(cpg_handle_t handle, const struct cpg_name *group)
{
	uint32_t refused = 0;
	int rc = group_request(handle, group, IPC_JOIN, JS_JOINED, &refused);

	return cpg_errno_to_cs(rc, refused);
}

cs_error_t cpg_leave(cpg_handle_t handle, const struct cpg_name *group)
{
	uint32_t refused = 0;
	int rc = group_request(handle, group, IPC_LEAVE, JS_LEAVING, &refused);

	return cpg_errno_to_cs(rc, refused);
}

int cpg_mcast_iov(cpg_handle_t handle, cpg_guarantee_t guarantee,
    const struct iovec *iov, unsigned int iov_len)
{
	struct cpg_inst *inst;
	size_t total = 0;
	int rc;

	if ((unsigned int)guarantee > CPG_TYPE_SAFE || iov_len > COHORT_IOV_MAX ||
	    (!iov && iov_len > 0))
		return -EINVAL;
	for (unsigned int i = 0; i < iov_len; i++) {
		if (!iov[i].iov_base && iov[i].iov_len > 0)
			return -EINVAL;
		if (iov[i].iov_len > COHORT_MSG_MAX - total)
			return -EMSGSIZE;
		total += iov[i].iov_len;
	}
	inst = inst_get(handle);
	if (!inst)
		return -EBADF;
	if (atomic_load(&inst->join) != JS_JOINED) {
		rc = -ENOENT;
		goto out;
	}
	pthread_mutex_lock(&inst->req_lock);
	rc = conn_send_mcast(&inst->conn, (uint32_t)guarantee, iov, iov_len,
	    total);
	pthread_mutex_unlock(&inst->req_lock);
	/* Refused for our own unread events: a caller that retries without
	 * dispatching would be refused for ever. */
	if (rc == -ENOBUFS)
		cpg_take_backlog(inst);
	/* Any other failure is a broken connection. */
	if (rc < 0 && rc != -EAGAIN && rc != -ENOBUFS)
		rc = -ENOTCONN;
out:
	hdb_put(&cpg_handles, handle);
	return rc;
}

cs_error_t cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
    const struct iovec *iovec, unsigned int iov_len)
{
	return cpg_errno_to_cs(cpg_mcast_iov(handle, guarantee, iovec, iov_len),
	    0);
}

/* The input value of *member_list_entries is not read, as corosync's
 * library does not read it (its testcpg leaves it uninitialised): the
 * array must hold CPG_MEMBERS_MAX entries, and a group has at most that
 * many members. */
_Static_assert(COHORT_GROUP_MEMBERS_MAX <= CPG_MEMBERS_MAX,
    "a member list must fit a CPG_MEMBERS_MAX array");

cs_error_t cpg_membership_get(cpg_handle_t handle, struct cpg_name *groupName,
    struct cpg_address *member_list, int *member_list_entries)
{
	uint8_t body[IPC_NAME_MAX + 8];
	struct cpg_inst *inst;
	struct ipc_name n;
	struct ipc_reply r = { 0 };
	struct wbuf wb;
	struct rbuf rb;
	uint32_t count;
	int rc;

	if (!groupName || !member_list || !member_list_entries)
		return CS_ERR_INVALID_PARAM;
	if (groupName->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	inst = inst_get(handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	name_from_api(&n, groupName);
	wbuf_init(&wb, body, sizeof(body));
	ipc_name_put(&wb, &n);
	pthread_mutex_lock(&inst->req_lock);
	rc = conn_request(&inst->conn, IPC_MEMBERSHIP, body, wb.len, &r);
	if (rc < 0)
		goto out;
	rbuf_init(&rb, r.body, r.len);
	count = rbuf_u32(&rb);
	if (rb.err || count > COHORT_GROUP_MEMBERS_MAX ||
	    rb.left != (size_t)count * 8) {
		rc = -EBADMSG;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		member_list[i].nodeid = rbuf_u32(&rb);
		member_list[i].pid = rbuf_u32(&rb);
		member_list[i].reason = CPG_REASON_UNDEFINED;
	}
	*member_list_entries = (int)count;
out:
	pthread_mutex_unlock(&inst->req_lock);
	hdb_put(&cpg_handles, handle);
	return cpg_errno_to_cs(rc, r.error);
}
