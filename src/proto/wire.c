/*
 * wire.c: encoding and bounds-checked decoding of the protocol datagrams.
 * Layouts: wire.h and docs/protocol.md. Nothing here trusts a length or a
 * count from the wire before checking it against the bytes present.
 */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "proto/wire.h"

static void put_hdr(struct wbuf *wb, const struct wire_hdr *h, uint8_t type)
{
	wbuf_be16(wb, WIRE_MAGIC);
	wbuf_u8(wb, WIRE_VERSION);
	wbuf_u8(wb, WIRE_VERSION);
	wbuf_u8(wb, type);
	wbuf_u8(wb, h->flags);
	wbuf_be16(wb, 0);
	wbuf_be32(wb, h->cluster_id);
	wbuf_be32(wb, h->sender);
	wbuf_be32(wb, h->ring.rep);
	wbuf_be64(wb, h->ring.seq);
}

static size_t done(const struct wbuf *wb)
{
	return wb->err ? 0 : wb->len;
}

size_t wire_encode_hdr_only(uint8_t *buf, size_t cap, const struct wire_hdr *h)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, cap);
	put_hdr(&wb, h, h->type);
	return done(&wb);
}

size_t wire_encode_mcast(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_mcast *m)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, cap);
	put_hdr(&wb, h, WIRE_MCAST);
	wbuf_be64(&wb, m->seq);
	wbuf_be32(&wb, m->origin);
	wbuf_u8(&wb, m->mflags);
	wbuf_u8(&wb, 0);
	wbuf_be16(&wb, 0);
	if (m->mflags & MCAST_RECOVERED) {
		wbuf_be32(&wb, m->old_ring.rep);
		wbuf_be64(&wb, m->old_ring.seq);
		wbuf_be64(&wb, m->old_seq);
		wbuf_be32(&wb, m->old_origin);
		wbuf_u8(&wb, m->old_mflags);
		wbuf_u8(&wb, 0);
		wbuf_be16(&wb, 0);
	}
	wbuf_copy(&wb, m->body, m->body_len);
	return done(&wb);
}

size_t wire_encode_token(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_token *t)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, cap);
	put_hdr(&wb, h, WIRE_TOKEN);
	wbuf_be64(&wb, t->tseq);
	wbuf_be64(&wb, t->seq);
	wbuf_be64(&wb, t->rot_aru);
	wbuf_be64(&wb, t->stable);
	wbuf_be64(&wb, t->install_seq);
	wbuf_be32(&wb, t->fcc);
	wbuf_be32(&wb, t->backlog);
	wbuf_be32(&wb, t->tflags);
	wbuf_be16(&wb, t->n_rtr);
	wbuf_be16(&wb, 0);
	for (uint16_t i = 0; i < t->n_rtr && i < TOKEN_RTR_MAX; i++)
		wbuf_be64(&wb, t->rtr[i]);
	return t->n_rtr > TOKEN_RTR_MAX ? 0 : done(&wb);
}

size_t wire_encode_join(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_join *j)
{
	struct wbuf wb;

	if (j->n_proc > PROTO_MAX_NODES || j->n_fail > PROTO_MAX_NODES)
		return 0;
	wbuf_init(&wb, buf, cap);
	put_hdr(&wb, h, WIRE_JOIN);
	wbuf_be64(&wb, j->incarnation);
	wbuf_be32(&wb, j->counter);
	wbuf_be64(&wb, j->seq_max);
	wbuf_be64(&wb, j->accepted);
	wbuf_be16(&wb, j->n_proc);
	wbuf_be16(&wb, j->n_fail);
	for (unsigned i = 0; i < j->n_proc; i++)
		wbuf_be32(&wb, j->proc[i]);
	for (unsigned i = 0; i < j->n_fail; i++)
		wbuf_be32(&wb, j->fail[i]);
	return done(&wb);
}

size_t wire_encode_commit(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_commit *c)
{
	struct wbuf wb;

	if (c->n > PROTO_MAX_NODES)
		return 0;
	wbuf_init(&wb, buf, cap);
	put_hdr(&wb, h, WIRE_COMMIT);
	wbuf_be64(&wb, c->tseq);
	wbuf_u8(&wb, c->pass);
	wbuf_u8(&wb, c->n);
	wbuf_be16(&wb, 0);
	for (unsigned i = 0; i < c->n; i++) {
		const struct wire_commit_entry *e = &c->e[i];

		wbuf_be32(&wb, e->nodeid);
		wbuf_be32(&wb, e->eflags);
		wbuf_be32(&wb, e->old_ring.rep);
		wbuf_be64(&wb, e->old_ring.seq);
		wbuf_be64(&wb, e->aru);
		wbuf_be64(&wb, e->high);
		wbuf_be64(&wb, e->stable);
	}
	return done(&wb);
}

static int decode_mcast(struct rbuf *rb, struct wire_mcast *m)
{
	m->seq = rbuf_be64(rb);
	m->origin = rbuf_be32(rb);
	m->mflags = rbuf_u8(rb);
	if (rbuf_u8(rb) != 0 || rbuf_be16(rb) != 0)
		return -EBADMSG;
	if (m->mflags & ~(MCAST_SAFE | MCAST_RECOVERED))
		return -EBADMSG;
	if (m->mflags & MCAST_RECOVERED) {
		m->old_ring.rep = rbuf_be32(rb);
		m->old_ring.seq = rbuf_be64(rb);
		m->old_seq = rbuf_be64(rb);
		m->old_origin = rbuf_be32(rb);
		m->old_mflags = rbuf_u8(rb);
		if (rbuf_u8(rb) != 0 || rbuf_be16(rb) != 0)
			return -EBADMSG;
		if (m->old_mflags & ~MCAST_SAFE || m->old_seq == 0 ||
		    m->old_origin == 0 || m->old_ring.rep == 0)
			return -EBADMSG;
	}
	if (rb->err || m->seq == 0 || m->origin == 0)
		return -EBADMSG;
	m->body = rb->p;
	m->body_len = rb->left;
	/* The entries must parse completely. */
	for (size_t off = 0;;) {
		uint8_t f;
		const uint8_t *d;
		uint32_t dl;
		int rc = wire_next_entry(m->body, m->body_len, &off, &f, &d, &dl);

		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
	}
	return m->body_len ? 0 : -EBADMSG;
}

static int decode_token(struct rbuf *rb, struct wire_token *t)
{
	t->tseq = rbuf_be64(rb);
	t->seq = rbuf_be64(rb);
	t->rot_aru = rbuf_be64(rb);
	t->stable = rbuf_be64(rb);
	t->install_seq = rbuf_be64(rb);
	t->fcc = rbuf_be32(rb);
	t->backlog = rbuf_be32(rb);
	t->tflags = rbuf_be32(rb);
	t->n_rtr = rbuf_be16(rb);
	if (rbuf_be16(rb) != 0 || rb->err || t->n_rtr > TOKEN_RTR_MAX ||
	    rb->left != (size_t)t->n_rtr * 8)
		return -EBADMSG;
	if (t->tflags & ~(uint32_t)(TOKEN_PENDING | TOKEN_INSTALL))
		return -EBADMSG;
	if (t->rot_aru > t->seq || t->stable > t->seq ||
	    t->install_seq > t->seq || t->tseq == 0)
		return -EBADMSG;
	for (unsigned i = 0; i < t->n_rtr; i++) {
		t->rtr[i] = rbuf_be64(rb);
		if (t->rtr[i] == 0 || t->rtr[i] > t->seq)
			return -EBADMSG;
	}
	return rb->err ? -EBADMSG : 0;
}

static int read_ids(struct rbuf *rb, uint32_t *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		ids[i] = rbuf_be32(rb);
		if (ids[i] == 0)
			return -EBADMSG;
		for (unsigned k = 0; k < i; k++)
			if (ids[k] == ids[i])
				return -EBADMSG;
	}
	return 0;
}

static int decode_join(struct rbuf *rb, struct wire_join *j)
{
	j->incarnation = rbuf_be64(rb);
	j->counter = rbuf_be32(rb);
	j->seq_max = rbuf_be64(rb);
	j->accepted = rbuf_be64(rb);
	j->n_proc = rbuf_be16(rb);
	j->n_fail = rbuf_be16(rb);
	if (rb->err || j->n_proc == 0 || j->n_proc > PROTO_MAX_NODES ||
	    j->n_fail > PROTO_MAX_NODES || j->accepted > j->seq_max ||
	    rb->left != ((size_t)j->n_proc + j->n_fail) * 4)
		return -EBADMSG;
	if (read_ids(rb, j->proc, j->n_proc) || read_ids(rb, j->fail, j->n_fail))
		return -EBADMSG;
	return rb->err ? -EBADMSG : 0;
}

static int decode_commit(struct rbuf *rb, struct wire_commit *c)
{
	c->tseq = rbuf_be64(rb);
	c->pass = rbuf_u8(rb);
	c->n = rbuf_u8(rb);
	if (rbuf_be16(rb) != 0 || rb->err || c->tseq == 0 ||
	    (c->pass != 1 && c->pass != 2) || c->n == 0 ||
	    c->n > PROTO_MAX_NODES || rb->left != (size_t)c->n * COMMIT_ENTRY)
		return -EBADMSG;
	for (unsigned i = 0; i < c->n; i++) {
		struct wire_commit_entry *e = &c->e[i];

		e->nodeid = rbuf_be32(rb);
		e->eflags = rbuf_be32(rb);
		e->old_ring.rep = rbuf_be32(rb);
		e->old_ring.seq = rbuf_be64(rb);
		e->aru = rbuf_be64(rb);
		e->high = rbuf_be64(rb);
		e->stable = rbuf_be64(rb);
		/* Ascending, distinct, non-zero ids; sane old-ring figures. */
		if (e->nodeid == 0 || (i > 0 && e->nodeid <= c->e[i - 1].nodeid) ||
		    (e->eflags & ~COMMIT_FILLED))
			return -EBADMSG;
		if ((e->eflags & COMMIT_FILLED) &&
		    (e->old_ring.rep == 0 || e->aru > e->high ||
		     e->stable > e->aru))
			return -EBADMSG;
	}
	return rb->err ? -EBADMSG : 0;
}

int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *out)
{
	struct rbuf rb;
	struct wire_hdr *h = &out->h;

	rbuf_init(&rb, buf, len);
	if (rbuf_be16(&rb) != WIRE_MAGIC)
		return -EBADMSG;
	h->version = rbuf_u8(&rb);
	h->max_version = rbuf_u8(&rb);
	h->type = rbuf_u8(&rb);
	h->flags = rbuf_u8(&rb);
	if (rbuf_be16(&rb) != 0)
		return -EBADMSG;
	h->cluster_id = rbuf_be32(&rb);
	h->sender = rbuf_be32(&rb);
	h->ring.rep = rbuf_be32(&rb);
	h->ring.seq = rbuf_be64(&rb);
	if (rb.err)
		return -EBADMSG;
	if (h->version != WIRE_VERSION || h->max_version < h->version)
		return -EPROTONOSUPPORT;
	if (h->flags != 0 || h->sender == 0 || h->ring.rep == 0)
		return -EBADMSG;
	switch (h->type) {
	case WIRE_MCAST:
		return decode_mcast(&rb, &out->u.mcast);
	case WIRE_TOKEN:
		return decode_token(&rb, &out->u.token);
	case WIRE_JOIN:
		return decode_join(&rb, &out->u.join);
	case WIRE_COMMIT:
		return decode_commit(&rb, &out->u.commit);
	case WIRE_MERGE_DETECT:
	case WIRE_HOLD_CANCEL:
		return rb.left == 0 ? 0 : -EBADMSG;
	default:
		return -EINVAL;
	}
}

int wire_next_entry(const uint8_t *body, size_t len, size_t *off,
    uint8_t *flags, const uint8_t **data, uint32_t *dlen)
{
	struct rbuf rb;

	if (*off == len)
		return 0;
	if (*off > len)
		return -EBADMSG;
	rbuf_init(&rb, body + *off, len - *off);
	*flags = rbuf_u8(&rb);
	*dlen = rbuf_be32(&rb);
	*data = rbuf_take(&rb, *dlen);
	if (rb.err || (*flags & ~(ENTRY_FIRST | ENTRY_LAST | ENTRY_SAFE)))
		return -EBADMSG;
	*off += ENTRY_HDR + *dlen;
	return 1;
}
