/*
 * quorum/decode.c: the quorum and votequorum services' requests and the
 * votequorum service's ordered messages decoded (quorum_int.h), every
 * field bounds-checked. Nothing here touches a service or a connection,
 * so that the decoders can be tested and fuzzed alone.
 */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "common/ipc_quorum.h"
#include "daemon/quorum/quorum_int.h"

int quorum_req_decode(uint16_t type, const uint8_t *body, size_t len,
    uint32_t *v)
{
	struct rbuf rb;

	*v = 0;
	rbuf_init(&rb, body, len);
	switch (type) {
	case QUORUM_REQ_GETTYPE:
	case QUORUM_REQ_TRACKSTART:
		*v = rbuf_u32(&rb);
		break;
	case QUORUM_REQ_GETQUORATE:
	case QUORUM_REQ_TRACKSTOP:
		break;
	default:
		return -EBADMSG;
	}
	return rb.err || rb.left ? -EBADMSG : 0;
}

int vq_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct vq_req *r)
{
	struct rbuf rb;

	memset(r, 0, sizeof(*r));
	rbuf_init(&rb, body, len);
	switch (type) {
	case VQ_REQ_GETINFO:
	case VQ_REQ_SETEXPECTED:
		r->a = rbuf_u32(&rb);
		break;
	case VQ_REQ_SETVOTES:
		r->a = rbuf_u32(&rb);
		r->b = rbuf_u32(&rb);
		break;
	case VQ_REQ_TRACKSTART:
		r->context = rbuf_u64(&rb);
		r->a = rbuf_u32(&rb);
		break;
	case VQ_REQ_OPEN:
	case VQ_REQ_TRACKSTOP:
		break;
	default:
		/* The quorum device's requests: Cohort runs none. */
		return -ENOTSUP;
	}
	return rb.err || rb.left ? -EBADMSG : 0;
}

int vq_msg_decode(const uint8_t *msg, size_t len, struct vq_msg *m)
{
	struct rbuf rb;

	memset(m, 0, sizeof(*m));
	rbuf_init(&rb, msg, len);
	(void)rbuf_u8(&rb);                       /* the tag */
	if (rbuf_u8(&rb) != VQ_WIRE_VERSION)
		return -EBADMSG;
	m->type = rbuf_u8(&rb);
	switch (m->type) {
	case VQ_MSG_NODEINFO:
		m->seq = rbuf_u64(&rb);
		m->ni.nodeid = rbuf_u32(&rb);
		m->ni.votes = rbuf_u32(&rb);
		m->ni.expected = rbuf_u32(&rb);
		m->ni.flags = rbuf_u32(&rb);
		break;
	case VQ_MSG_RECONFIG:
		m->param = rbuf_u8(&rb);
		m->nodeid = rbuf_u32(&rb);
		m->value = rbuf_u32(&rb);
		break;
	case VQ_MSG_LMS:
		m->seq = rbuf_u64(&rb);
		break;
	default:
		return -EBADMSG;
	}
	return rb.err || rb.left ? -EBADMSG : 0;
}
