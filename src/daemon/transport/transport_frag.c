/*
 * transport_frag.c: datagrams larger than a frame cut into fragments,
 * and rebuilt per sender in TRANSPORT_REASM_SLOTS bounded slots
 * (transport.h).
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/transport/transport_int.h"

void tr_queue_datagram(struct transport *t, const struct transport_peer *peer,
    uint32_t id, const uint8_t *buf, size_t len)
{
	struct frag_hdr fh;
	size_t off = 0;

	if (len <= t->chunk + TRANSPORT_FRAG_HDR_LEN) {
		tr_queue_one(t, peer, NULL, buf, len);
		return;
	}
	fh = (struct frag_hdr){ .id = id, .total = (uint32_t)len,
	    .chunk = (uint32_t)t->chunk,
	    .count = (uint16_t)((len + t->chunk - 1) / t->chunk) };
	for (fh.index = 0; fh.index < fh.count; fh.index++, off += t->chunk) {
		size_t n = len - off < t->chunk ? len - off : t->chunk;

		tr_queue_one(t, peer, &fh, buf + off, n);
		t->st.tx_frags++;
	}
}

/* The slot for datagram `id` of peer `pi`: its own, else a free one,
 * else the least recently touched (its datagram given up). */
static struct reasm *reasm_slot(struct transport *t, size_t pi, uint32_t id)
{
	struct reasm *r = t->reasm[pi], *pick = NULL;

	for (unsigned i = 0; i < TRANSPORT_REASM_SLOTS; i++)
		if (r[i].busy && r[i].id == id)
			return &r[i];
	for (unsigned i = 0; i < TRANSPORT_REASM_SLOTS; i++) {
		if (!r[i].busy) {
			pick = &r[i];
			break;
		}
		if (!pick || r[i].stamp < pick->stamp)
			pick = &r[i];
	}
	if (pick->busy)
		t->st.rx_frag_evicted++;
	pick->busy = false;
	return pick;
}

/* Decodes a fragment header from `rb` and checks it: fragment i of a
 * datagram of `total` bytes cut into `count` pieces of `chunk` bytes
 * holds bytes i * chunk onwards, `chunk` of them but for the last (what
 * is left in `rb`). A header that breaks this drops the fragment, so the
 * pieces that make a datagram tile it exactly. */
static bool frag_hdr_get(const struct transport *t, struct rbuf *rb,
    struct frag_hdr *f)
{
	size_t off;

	f->id = rbuf_be32(rb);
	f->total = rbuf_be32(rb);
	f->chunk = rbuf_be32(rb);
	f->index = rbuf_be16(rb);
	f->count = rbuf_be16(rb);
	if (rb->err || rb->left == 0 || f->count < 2 ||
	    f->count > TRANSPORT_MAX_FRAGS || f->index >= f->count ||
	    f->total > t->cfg.max_payload || f->chunk == 0 ||
	    (f->total + f->chunk - 1) / f->chunk != f->count)
		return false;
	off = (size_t)f->index * f->chunk;
	return rb->left == (f->total - off < f->chunk ? f->total - off :
	    f->chunk);
}

/* Starts slot `r` for the datagram of fragment header `f`; false when
 * there is no memory for it. */
static bool reasm_start(struct transport *t, struct reasm *r,
    const struct frag_hdr *f, bool summary)
{
	if (!r->buf && !(r->buf = malloc(t->cfg.max_payload)))
		return false;
	memset(r->seen, 0, sizeof(r->seen));
	r->busy = true;
	r->id = f->id;
	r->total = f->total;
	r->chunk = f->chunk;
	r->count = f->count;
	r->have = 0;
	r->summary = summary;
	return true;
}

void tr_accept_frag(struct transport *t, size_t pi, uint32_t sender,
    const uint8_t *m, size_t len, bool summary, uint32_t digest)
{
	struct frag_hdr f;
	struct reasm *r;
	struct rbuf rb;
	size_t n;

	rbuf_init(&rb, m, len);
	if (!frag_hdr_get(t, &rb, &f))
		goto bad;
	r = reasm_slot(t, pi, f.id);
	if (r->busy && (r->total != f.total || r->chunk != f.chunk ||
	    r->summary != summary))
		goto bad;   /* the same id, another datagram: a forgery */
	if (!r->busy && !reasm_start(t, r, &f, summary)) {
		t->st.rx_frag_evicted++;
		return;
	}
	r->stamp = ++t->reasm_clock;
	t->st.rx_frags++;
	if (r->seen[f.index / 64] & (UINT64_C(1) << (f.index % 64)))
		return;     /* a duplicate */
	r->seen[f.index / 64] |= UINT64_C(1) << (f.index % 64);
	n = rb.left;
	rbuf_copy(&rb, r->buf + (size_t)f.index * f.chunk, n);
	if (++r->have < r->count)
		return;
	r->busy = false;
	t->st.rx_reassembled++;
	if (summary)
		tr_take_summary(t, pi, digest, r->buf, r->total);
	else
		t->rx(t->arg, sender, r->buf, r->total);
	return;
bad:
	t->st.rx_malformed++;
}
