/*
 * cfg.c: libcfg, corosync's configuration and administration API
 * (cfg.h), on the client core (lib/svc.h) and the cfg service's
 * requests (common/ipc_cfg.h).
 *
 * Each function looks its handle up with a reference, makes at most one
 * request, and converts the result to a cs_error_t on the way out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <corosync/cfg.h>

#include "common/ipc_cfg.h"
#include "lib/svc.h"

/* corosync's limit on a kill's reason, terminating NUL included. */
#define CFG_REASON_MAX 256u
/* Bytes of a request body at most: a kill with the longest reason. */
#define CFG_REQ_MAX (8u + CFG_REASON_MAX)

struct cfg_inst {
	struct svc_client sc;          /* first: svc_get's contract */
	corosync_cfg_handle_t handle;  /* given to the callback */
	corosync_cfg_callbacks_t cb;
};

static void cfg_destroy(void *obj)
{
	struct cfg_inst *inst = obj;

	svc_close(&inst->sc);
	free(inst);
}

static struct hdb cfg_handles = HDB_INIT(cfg_destroy);

/* A request with a body of u32 values only, and its cs_error_t. */
static cs_error_t cfg_call(corosync_cfg_handle_t handle, uint16_t type,
    const uint32_t *args, size_t n, int (*decode)(void *, struct rbuf *),
    void *arg)
{
	struct cfg_inst *inst = svc_get(&cfg_handles, handle);
	uint8_t body[16];
	struct wbuf wb;
	uint32_t refused = 0;
	int rc;

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	wbuf_init(&wb, body, sizeof(body));
	for (size_t i = 0; i < n; i++)
		wbuf_u32(&wb, args[i]);
	rc = svc_call(&inst->sc, type, body, wb.len, decode, arg, &refused);
	hdb_put(&cfg_handles, handle);
	return svc_error(rc, refused);
}

cs_error_t corosync_cfg_initialize(corosync_cfg_handle_t *cfg_handle,
    const corosync_cfg_callbacks_t *cfg_callbacks)
{
	struct cfg_inst *inst;
	uint32_t refused = 0;
	int rc;

	if (!cfg_handle)
		return CS_ERR_INVALID_PARAM;
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return CS_ERR_NO_MEMORY;
	if (cfg_callbacks)
		inst->cb = *cfg_callbacks;
	rc = svc_open(&inst->sc, true, &refused);
	if (rc < 0) {
		svc_close(&inst->sc);
		free(inst);
		return svc_error(rc, refused);
	}
	rc = hdb_create(&cfg_handles, inst, &inst->handle);
	if (rc < 0) {
		cfg_destroy(inst);
		return CS_ERR_NO_MEMORY;
	}
	*cfg_handle = inst->handle;
	return CS_OK;
}

cs_error_t corosync_cfg_fd_get(corosync_cfg_handle_t cfg_handle,
    int32_t *selection_fd)
{
	struct cfg_inst *inst;

	if (!selection_fd)
		return CS_ERR_INVALID_PARAM;
	inst = svc_get(&cfg_handles, cfg_handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	*selection_fd = svc_fd(&inst->sc);
	hdb_put(&cfg_handles, cfg_handle);
	return CS_OK;
}

/* One event: the only one is the shutdown query (CFG_EV_SHUTDOWN). */
static int cfg_on_event(void *arg, const struct ipc_hdr *h, struct rbuf *body)
{
	struct cfg_inst *inst = arg;
	uint32_t flags;

	if (h->type != CFG_EV_SHUTDOWN)
		return -EBADMSG;
	flags = rbuf_u32(body);
	if (body->err)
		return -EBADMSG;
	if (inst->cb.corosync_cfg_shutdown_callback)
		inst->cb.corosync_cfg_shutdown_callback(inst->handle,
		    (corosync_cfg_shutdown_flags_t)flags);
	return 0;
}

cs_error_t corosync_cfg_dispatch(corosync_cfg_handle_t cfg_handle,
    cs_dispatch_flags_t dispatch_flags)
{
	struct cfg_inst *inst = svc_get(&cfg_handles, cfg_handle);
	int rc;

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	/* As corosync's: a value other than the four modes blocks. */
	if (dispatch_flags < CS_DISPATCH_ONE ||
	    dispatch_flags > CS_DISPATCH_ONE_NONBLOCKING)
		dispatch_flags = CS_DISPATCH_BLOCKING;
	rc = svc_dispatch(&inst->sc, dispatch_flags, cfg_on_event, inst);
	hdb_put(&cfg_handles, cfg_handle);
	return svc_error(rc, 0);
}

cs_error_t corosync_cfg_finalize(corosync_cfg_handle_t cfg_handle)
{
	struct cfg_inst *inst = svc_get(&cfg_handles, cfg_handle);

	if (!inst)
		return CS_ERR_BAD_HANDLE;
	if (!svc_finalize(&inst->sc)) {
		hdb_put(&cfg_handles, cfg_handle);
		return CS_ERR_BAD_HANDLE;
	}
	/* The connection closes with the last reference: the daemon then
	 * counts this handle's pending shutdown answer as a yes. */
	hdb_destroy(&cfg_handles, cfg_handle);
	hdb_put(&cfg_handles, cfg_handle);
	return CS_OK;
}

/* Reads a "str" of the reply into `dst` (room for `cap` bytes with the
 * NUL; a longer one is cut). */
static void cfg_str(struct rbuf *rb, char *dst, size_t cap)
{
	uint32_t n = rbuf_u32(rb);
	const uint8_t *p = rbuf_take(rb, n);
	size_t k = n < cap ? n : cap - 1;

	if (!p) {
		dst[0] = '\0';
		return;
	}
	memcpy(dst, p, k);
	dst[k] = '\0';
}

/* A "str" of the reply as a malloc'd string, NULL (rb->err set) when it
 * does not decode or memory runs out. */
static char *cfg_strdup(struct rbuf *rb)
{
	uint32_t n = rbuf_u32(rb);
	const uint8_t *p = rbuf_take(rb, n);
	char *s;

	if (!p)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s) {
		rb->err = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct ring_reply {
	char **names, **status;   /* `cap` entries each, NULL where unset */
	unsigned int cap, count;
};

static int ring_decode(void *arg, struct rbuf *rb)
{
	struct ring_reply *r = arg;
	uint32_t n = rbuf_u32(rb);

	if (rb->err || n > CFG_MAX_LINKS)
		return -EBADMSG;
	r->names = calloc(n ? n : 1, sizeof(char *));
	r->status = calloc(n ? n : 1, sizeof(char *));
	if (!r->names || !r->status)
		return -ENOMEM;
	r->cap = n;
	for (uint32_t i = 0; i < n; i++) {
		r->names[i] = cfg_strdup(rb);
		r->status[i] = cfg_strdup(rb);
		if (rb->err)
			return r->names[i] && r->status[i] ? -EBADMSG :
			    -ENOMEM;
		r->count++;
	}
	return 0;
}

static void ring_free(struct ring_reply *r)
{
	for (unsigned int i = 0; i < r->cap; i++) {
		free(r->names[i]);
		free(r->status[i]);
	}
	free(r->names);
	free(r->status);
}

cs_error_t corosync_cfg_ring_status_get(corosync_cfg_handle_t cfg_handle,
    char ***interface_names, char ***status, unsigned int *interface_count)
{
	struct ring_reply r = { 0 };
	cs_error_t err;

	if (!interface_names || !status || !interface_count)
		return CS_ERR_INVALID_PARAM;
	err = cfg_call(cfg_handle, CFG_REQ_RING_STATUS, NULL, 0, ring_decode,
	    &r);
	if (err != CS_OK) {
		ring_free(&r);
		return err;
	}
	*interface_names = r.names;
	*status = r.status;
	*interface_count = r.count;
	return CS_OK;
}

static int status_decode(void *arg, struct rbuf *rb)
{
	struct corosync_cfg_node_status_v1 *st = arg;

	st->nodeid = rbuf_u32(rb);
	st->reachable = rbuf_u8(rb);
	st->remote = rbuf_u8(rb);
	st->external = rbuf_u8(rb);
	st->onwire_min = rbuf_u8(rb);
	st->onwire_max = rbuf_u8(rb);
	st->onwire_ver = rbuf_u8(rb);
	for (size_t i = 0; i < CFG_MAX_LINKS; i++) {
		struct corosync_knet_link_status_v1 *l = &st->link_status[i];

		l->enabled = rbuf_u8(rb);
		l->connected = rbuf_u8(rb);
		l->dynconnected = rbuf_u8(rb);
		l->mtu = rbuf_u32(rb);
		cfg_str(rb, l->src_ipaddr, sizeof(l->src_ipaddr));
		cfg_str(rb, l->dst_ipaddr, sizeof(l->dst_ipaddr));
	}
	return rb->err ? -EBADMSG : 0;
}

cs_error_t corosync_cfg_node_status_get(corosync_cfg_handle_t cfg_handle,
    unsigned int nodeid, corosync_cfg_node_status_version_t version,
    void *node_status)
{
	struct corosync_cfg_node_status_v1 st;
	uint32_t args[2] = { nodeid, (uint32_t)version };
	cs_error_t err;

	if (!node_status || version != CFG_NODE_STATUS_V1)
		return CS_ERR_INVALID_PARAM;
	memset(&st, 0, sizeof(st));
	err = cfg_call(cfg_handle, CFG_REQ_NODE_STATUS, args, 2, status_decode,
	    &st);
	if (err == CS_OK) {
		st.version = CFG_NODE_STATUS_V1;
		memcpy(node_status, &st, sizeof(st));
	}
	return err;
}

cs_error_t corosync_cfg_kill_node(corosync_cfg_handle_t cfg_handle,
    unsigned int nodeid, const char *reason)
{
	struct cfg_inst *inst;
	uint8_t body[CFG_REQ_MAX];
	struct wbuf wb;
	uint32_t refused = 0;
	size_t len;
	int rc;

	if (!reason)
		return CS_ERR_INVALID_PARAM;
	len = strlen(reason);
	if (len >= CFG_REASON_MAX)
		return CS_ERR_NAME_TOO_LONG;
	inst = svc_get(&cfg_handles, cfg_handle);
	if (!inst)
		return CS_ERR_BAD_HANDLE;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u32(&wb, nodeid);
	wbuf_u32(&wb, (uint32_t)len);
	wbuf_copy(&wb, reason, len);
	rc = svc_call(&inst->sc, CFG_REQ_KILL_NODE, body, wb.len, NULL, NULL,
	    &refused);
	hdb_put(&cfg_handles, cfg_handle);
	return svc_error(rc, refused);
}

cs_error_t corosync_cfg_trackstart(corosync_cfg_handle_t cfg_handle,
    uint8_t track_flags)
{
	uint32_t flags = track_flags;

	return cfg_call(cfg_handle, CFG_REQ_TRACKSTART, &flags, 1, NULL, NULL);
}

cs_error_t corosync_cfg_trackstop(corosync_cfg_handle_t cfg_handle)
{
	return cfg_call(cfg_handle, CFG_REQ_TRACKSTOP, NULL, 0, NULL, NULL);
}

cs_error_t corosync_cfg_try_shutdown(corosync_cfg_handle_t cfg_handle,
    corosync_cfg_shutdown_flags_t flags)
{
	uint32_t f = (uint32_t)flags;

	return cfg_call(cfg_handle, CFG_REQ_TRY_SHUTDOWN, &f, 1, NULL, NULL);
}

cs_error_t corosync_cfg_replyto_shutdown(corosync_cfg_handle_t cfg_handle,
    corosync_cfg_shutdown_reply_flags_t flags)
{
	uint32_t f = (uint32_t)flags;
	cs_error_t err;

	err = cfg_call(cfg_handle, CFG_REQ_REPLYTO_SHUTDOWN, &f, 1, NULL,
	    NULL);
	/* As corosync's: the daemon's refusal (no query pending) is not the
	 * caller's concern; only a handle or connection failure is. */
	if (err == CS_ERR_ACCESS)
		return CS_OK;
	return err;
}

struct addrs_reply {
	size_t max;
	int count;
	corosync_cfg_node_address_t *addrs;
};

static int addrs_decode(void *arg, struct rbuf *rb)
{
	struct addrs_reply *r = arg;
	uint32_t n = rbuf_u32(rb);

	if (rb->err || n > CFG_MAX_LINKS)
		return -EBADMSG;
	r->count = (int)n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t family = rbuf_u32(rb);
		const uint8_t *a = rbuf_take(rb, 16);
		corosync_cfg_node_address_t *out;

		if (!a)
			return -EBADMSG;
		if (i >= r->max)
			continue;
		out = &r->addrs[i];
		/* Only the family and the address are written: the port and
		 * the other bytes stay as the caller left them. */
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)out->address;

			out->address_length = sizeof(struct sockaddr_in6);
			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, a, 16);
		} else {
			struct sockaddr_in *s4 = (void *)out->address;

			out->address_length = sizeof(struct sockaddr_in);
			s4->sin_family = (sa_family_t)family;
			memcpy(&s4->sin_addr, a, 4);
		}
	}
	return 0;
}

cs_error_t corosync_cfg_get_node_addrs(corosync_cfg_handle_t cfg_handle,
    unsigned int nodeid, size_t max_addrs, int *num_addrs,
    corosync_cfg_node_address_t *addrs)
{
	struct addrs_reply r = { max_addrs, 0, addrs };
	uint32_t id = nodeid;
	cs_error_t err;

	if (!num_addrs || (max_addrs && !addrs))
		return CS_ERR_INVALID_PARAM;
	err = cfg_call(cfg_handle, CFG_REQ_NODE_ADDRS, &id, 1, addrs_decode,
	    &r);
	if (err == CS_OK)
		*num_addrs = r.count;
	/* corosync's sets errno to the result too; callers read either. */
	errno = (int)err;
	return err;
}

static int local_decode(void *arg, struct rbuf *rb)
{
	unsigned int *nodeid = arg;

	*nodeid = rbuf_u32(rb);
	return rb->err ? -EBADMSG : 0;
}

cs_error_t corosync_cfg_local_get(corosync_cfg_handle_t handle,
    unsigned int *local_nodeid)
{
	unsigned int id = 0;
	cs_error_t err;

	if (!local_nodeid)
		return CS_ERR_INVALID_PARAM;
	err = cfg_call(handle, CFG_REQ_LOCAL_GET, NULL, 0, local_decode, &id);
	if (err == CS_OK)
		*local_nodeid = id;
	return err;
}

cs_error_t corosync_cfg_reload_config(corosync_cfg_handle_t handle)
{
	return cfg_call(handle, CFG_REQ_RELOAD_CONFIG, NULL, 0, NULL, NULL);
}

cs_error_t corosync_cfg_reopen_log_files(corosync_cfg_handle_t handle)
{
	return cfg_call(handle, CFG_REQ_REOPEN_LOG_FILES, NULL, 0, NULL, NULL);
}
