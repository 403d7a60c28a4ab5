/*
 * cmap/decode.c: a cmap request's body into a struct cmap_req
 * (cmap_int.h) and the service's ordered message (the configuration
 * version) into its fields, every field bounds-checked. Nothing here
 * touches the map or a connection, so that the decoders can be tested
 * and fuzzed alone.
 */
#include <errno.h>
#include <string.h>

#include "daemon/cmap/cmap_int.h"

/* A key or prefix: u32 length (at most ICMAP_KEY_MAX), the bytes, no
 * NUL among them; `out` is NUL-terminated. */
static bool get_key(struct rbuf *rb, char out[ICMAP_KEY_MAX + 1])
{
	uint32_t len = rbuf_u32(rb);

	if (rb->err || len > ICMAP_KEY_MAX)
		return false;
	rbuf_copy(rb, out, len);
	if (rb->err || memchr(out, '\0', len))
		return false;
	out[len] = '\0';
	return true;
}

int cmap_req_decode(uint16_t type, const uint8_t *body, size_t len,
    struct cmap_req *r)
{
	struct rbuf rb;
	bool key_ok = true;

	memset(r, 0, sizeof(*r));
	rbuf_init(&rb, body, len);
	switch (type) {
	case CMAP_REQ_SET_MAP:
		r->map = rbuf_u32(&rb);
		break;
	case CMAP_REQ_SET:
		key_ok = get_key(&rb, r->key);
		r->type = rbuf_u32(&rb);
		r->len = rbuf_u32(&rb);
		r->value = rbuf_take(&rb, r->len);
		break;
	case CMAP_REQ_DELETE:
	case CMAP_REQ_ITER_INIT:
		key_ok = get_key(&rb, r->key);
		break;
	case CMAP_REQ_GET:
		key_ok = get_key(&rb, r->key);
		r->want = rbuf_u32(&rb);
		r->room = rbuf_u32(&rb);
		if (r->want > 1)
			return -EBADMSG;
		break;
	case CMAP_REQ_ADJUST:
		key_ok = get_key(&rb, r->key);
		r->step = (int32_t)rbuf_u32(&rb);
		if (r->step != 1 && r->step != -1)
			return -EBADMSG;
		break;
	case CMAP_REQ_ITER_NEXT:
	case CMAP_REQ_ITER_FINALIZE:
	case CMAP_REQ_TRACK_DELETE:
		r->handle = rbuf_u64(&rb);
		break;
	case CMAP_REQ_TRACK_ADD:
		key_ok = get_key(&rb, r->key);
		r->flags = rbuf_u32(&rb);
		r->cookie = rbuf_u64(&rb);
		break;
	default:
		return -EBADMSG;
	}
	return key_ok && !rb.err && rb.left == 0 ? 0 : -EBADMSG;
}

const char *cmap_req_name(uint16_t type)
{
	static const char *const names[] = {
		[CMAP_REQ_SET_MAP - CMAP_REQ_SET_MAP] = "SET_MAP",
		[CMAP_REQ_SET - CMAP_REQ_SET_MAP] = "SET",
		[CMAP_REQ_DELETE - CMAP_REQ_SET_MAP] = "DELETE",
		[CMAP_REQ_GET - CMAP_REQ_SET_MAP] = "GET",
		[CMAP_REQ_ADJUST - CMAP_REQ_SET_MAP] = "ADJUST",
		[CMAP_REQ_ITER_INIT - CMAP_REQ_SET_MAP] = "ITER_INIT",
		[CMAP_REQ_ITER_NEXT - CMAP_REQ_SET_MAP] = "ITER_NEXT",
		[CMAP_REQ_ITER_FINALIZE - CMAP_REQ_SET_MAP] = "ITER_FINALIZE",
		[CMAP_REQ_TRACK_ADD - CMAP_REQ_SET_MAP] = "TRACK_ADD",
		[CMAP_REQ_TRACK_DELETE - CMAP_REQ_SET_MAP] = "TRACK_DELETE",
	};

	if (type < CMAP_REQ_SET_MAP || type > CMAP_REQ_TRACK_DELETE)
		return "unknown";
	return names[type - CMAP_REQ_SET_MAP];
}

int cmap_version_decode(const uint8_t *msg, size_t len, uint8_t *why,
    uint64_t *v)
{
	struct rbuf rb;
	uint8_t wire;

	rbuf_init(&rb, msg, len);
	(void)rbuf_u8(&rb);   /* the tag, WIRE_TAG_CMAP */
	wire = rbuf_u8(&rb);
	*why = rbuf_u8(&rb);
	*v = rbuf_u64(&rb);
	if (rb.err || rb.left || wire != CMAP_WIRE_VERSION ||
	    (*why != VERSION_SYNC && *why != VERSION_CHANGED))
		return -EBADMSG;
	return 0;
}
