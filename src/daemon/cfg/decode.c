/*
 * cfg/decode.c: a cfg request's body into a struct cfg_req and an
 * ordered message into a struct cfg_delivery (cfg_int.h), every field
 * bounds-checked. Nothing here touches the service or a connection, so
 * that the decoders can be tested and fuzzed alone.
 */
#include <errno.h>
#include <string.h>

#include "common/ipc_cfg.h"
#include "daemon/cfg/cfg_int.h"

/* A kill's node and reason: u32 nodeid, u32 len, len bytes, len below
 * CFG_REASON_MAX. */
static void get_kill(struct rbuf *rb, uint32_t *nodeid, uint32_t *len,
    const uint8_t **reason)
{
	*nodeid = rbuf_u32(rb);
	*len = rbuf_u32(rb);
	*reason = rbuf_take(rb, *len);
	if (*len >= CFG_REASON_MAX)
		rb->err = true;
}

int cfg_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct cfg_req *r)
{
	struct rbuf rb;

	memset(r, 0, sizeof(*r));
	rbuf_init(&rb, body, len);
	switch (type) {
	case CFG_REQ_NODE_ADDRS:
		r->nodeid = rbuf_u32(&rb);
		break;
	case CFG_REQ_NODE_STATUS:
		r->nodeid = rbuf_u32(&rb);
		r->version = rbuf_u32(&rb);
		break;
	case CFG_REQ_KILL_NODE:
		get_kill(&rb, &r->nodeid, &r->reason_len, &r->reason);
		break;
	case CFG_REQ_TRACKSTART:      /* flags: none defined, ignored */
	case CFG_REQ_TRY_SHUTDOWN:
	case CFG_REQ_REPLYTO_SHUTDOWN:
		r->flags = rbuf_u32(&rb);
		break;
	case CFG_REQ_LOCAL_GET:
	case CFG_REQ_RING_STATUS:
	case CFG_REQ_TRACKSTOP:
	case CFG_REQ_RELOAD_CONFIG:
	case CFG_REQ_REOPEN_LOG_FILES:
		break;
	default:
		return -EBADMSG;
	}
	return rb.err || rb.left ? -EBADMSG : 0;
}

int cfg_delivery_decode(const uint8_t *msg, size_t len,
    struct cfg_delivery *d)
{
	struct rbuf rb;

	memset(d, 0, sizeof(*d));
	rbuf_init(&rb, msg, len);
	(void)rbuf_u8(&rb);   /* the tag: ours, or the glue would not call */
	d->kind = rbuf_u8(&rb);
	if (rb.err)
		return -EBADMSG;
	/* Bytes after a message's fields are ignored: a later version may
	 * append some. */
	switch (d->kind) {
	case CFG_MSG_KILL:
		get_kill(&rb, &d->nodeid, &d->reason_len, &d->reason);
		break;
	case CFG_MSG_SHUTDOWN:
		break;
	case CFG_MSG_RELOAD:
		d->token = rbuf_u64(&rb);
		break;
	default:
		return -ENOENT;
	}
	return rb.err ? -EBADMSG : 0;
}
