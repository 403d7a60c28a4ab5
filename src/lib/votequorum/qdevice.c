/*
 * qdevice.c: the votequorum calls of a quorum device (corosync-qdevice
 * registers one per node, polls it and may let it decide ties). The
 * library checks the names as corosync's does, before any request: each
 * 1..VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1 bytes. Everything else, and
 * whether quorum devices are allowed at all, is the daemon's answer.
 */
#include <string.h>

#include "lib/votequorum/vq_int.h"

/* Room for a request: two names and the fixed fields. */
#define QDEV_BODY_MAX (2u * (4u + VOTEQUORUM_QDEVICE_MAX_NAME_LEN) + 32u)

static bool name_ok(const char *name)
{
	return name && name[0] &&
	    strnlen(name, VOTEQUORUM_QDEVICE_MAX_NAME_LEN) <
	    VOTEQUORUM_QDEVICE_MAX_NAME_LEN;
}

/* Starts a request's body with `name`: false when the name is not one
 * corosync's library would send. */
static bool put_name(struct wbuf *wb, const char *name)
{
	size_t len;

	if (!name_ok(name))
		return false;
	len = strlen(name);
	wbuf_u32(wb, (uint32_t)len);
	wbuf_copy(wb, name, len);
	return true;
}

/* A request whose body is one name. */
static cs_error_t name_request(votequorum_handle_t handle, uint16_t type,
    const char *name)
{
	uint8_t body[QDEV_BODY_MAX];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	if (!put_name(&wb, name))
		return CS_ERR_INVALID_PARAM;
	return vq_request(handle, type, body, wb.len, NULL, NULL);
}

cs_error_t votequorum_qdevice_register(votequorum_handle_t handle,
    const char *name)
{
	return name_request(handle, VQ_REQ_QDEVICE_REGISTER, name);
}

cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle,
    const char *name)
{
	return name_request(handle, VQ_REQ_QDEVICE_UNREGISTER, name);
}

cs_error_t votequorum_qdevice_update(votequorum_handle_t handle,
    const char *oldname, const char *newname)
{
	uint8_t body[QDEV_BODY_MAX];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	if (!put_name(&wb, oldname) || !put_name(&wb, newname))
		return CS_ERR_INVALID_PARAM;
	return vq_request(handle, VQ_REQ_QDEVICE_UPDATE, body, wb.len, NULL,
	    NULL);
}

cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle,
    const char *name, unsigned int cast_vote, votequorum_ring_id_t ring_id)
{
	uint8_t body[QDEV_BODY_MAX];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	if (!put_name(&wb, name))
		return CS_ERR_INVALID_PARAM;
	wbuf_u32(&wb, cast_vote);
	wbuf_u32(&wb, ring_id.nodeid);
	wbuf_u64(&wb, ring_id.seq);
	return vq_request(handle, VQ_REQ_QDEVICE_POLL, body, wb.len, NULL,
	    NULL);
}

cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle,
    const char *name, unsigned int allow)
{
	uint8_t body[QDEV_BODY_MAX];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	if (!put_name(&wb, name))
		return CS_ERR_INVALID_PARAM;
	wbuf_u32(&wb, allow);
	return vq_request(handle, VQ_REQ_QDEVICE_MASTER_WINS, body, wb.len,
	    NULL, NULL);
}
