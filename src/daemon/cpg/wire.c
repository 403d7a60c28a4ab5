/*
 * cpg/wire.c: encoding and decoding of the CPG service's messages.
 */
#include <errno.h>

#include "daemon/cpg/wire.h"

void cpg_wire_put_hdr(struct wbuf *wb, enum cpg_wire_type type)
{
	wbuf_u8(wb, CPG_WIRE_VERSION);
	wbuf_u8(wb, (uint8_t)type);
	wbuf_u16(wb, 0);
}

void cpg_wire_put_proc(struct wbuf *wb, enum cpg_wire_type type,
    const struct ipc_name *name, uint32_t pid, uint32_t arg)
{
	cpg_wire_put_hdr(wb, type);
	ipc_name_put(wb, name);
	wbuf_u32(wb, pid);
	wbuf_u32(wb, arg);
}

int cpg_wire_get(const uint8_t *msg, size_t len, struct cpg_wire *w)
{
	struct rbuf rb;
	uint8_t version, type;

	rbuf_init(&rb, msg, len);
	version = rbuf_u8(&rb);
	type = rbuf_u8(&rb);
	if (rbuf_u16(&rb) != 0 || version != CPG_WIRE_VERSION || rb.err)
		return -EBADMSG;
	*w = (struct cpg_wire){ .type = type };
	switch (type) {
	case CPG_MSG_PROCJOIN:
	case CPG_MSG_PROCLEAVE:
	case CPG_MSG_MCAST:
		ipc_name_get(&rb, &w->name);
		w->pid = rbuf_u32(&rb);
		w->arg = rbuf_u32(&rb);
		if (rb.err || (type != CPG_MSG_MCAST && rb.left != 0))
			return -EBADMSG;
		w->data = rb.p;
		w->len = rb.left;
		return 0;
	case CPG_MSG_JOINLIST:
		w->ring_rep = rbuf_u32(&rb);
		w->ring_seq = rbuf_u64(&rb);
		w->count = rbuf_u32(&rb);
		if (rb.err)
			return -EBADMSG;
		w->data = rb.p;
		w->len = rb.left;
		return 0;
	default:
		return -EBADMSG;
	}
}

int cpg_wire_joinlist_next(struct rbuf *rb, struct ipc_name *name,
    uint32_t *pid)
{
	ipc_name_get(rb, name);
	*pid = rbuf_u32(rb);
	return rb->err ? -EBADMSG : 0;
}
