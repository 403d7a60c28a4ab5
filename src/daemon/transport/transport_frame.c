/*
 * transport_frame.c: the frame header and sealing (transport.h): building
 * a frame in the batch, checking and opening a received one.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include <sodium.h>

#include "daemon/transport/transport_int.h"

/* Writes a frame header; the writer mirrors tr_frame_hdr_get. */
static void frame_hdr_put(struct wbuf *wb, const struct frame_hdr *h)
{
	wbuf_be32(wb, h->magic);
	wbuf_u8(wb, h->version);
	wbuf_u8(wb, h->flags);
	wbuf_be16(wb, h->zero);
	wbuf_be32(wb, h->cluster_id);
	wbuf_be32(wb, h->sender);
	wbuf_be64(wb, h->incarnation);
	wbuf_be64(wb, h->counter);
	wbuf_be32(wb, h->digest);
}

void tr_frame_hdr_get(struct rbuf *rb, struct frame_hdr *h)
{
	h->magic = rbuf_be32(rb);
	h->version = rbuf_u8(rb);
	h->flags = rbuf_u8(rb);
	h->zero = rbuf_be16(rb);
	h->cluster_id = rbuf_be32(rb);
	h->sender = rbuf_be32(rb);
	h->incarnation = rbuf_be64(rb);
	h->counter = rbuf_be64(rb);
	h->digest = rbuf_be32(rb);
}

static void frag_hdr_put(struct wbuf *wb, const struct frag_hdr *f)
{
	wbuf_be32(wb, f->id);
	wbuf_be32(wb, f->total);
	wbuf_be32(wb, f->chunk);
	wbuf_be16(wb, f->index);
	wbuf_be16(wb, f->count);
}

/* The header of the next frame to `peer`: the flags, ids, incarnation,
 * the stream's next counter and our configuration digest. */
static struct frame_hdr next_header(struct transport *t,
    const struct transport_peer *peer, bool frag)
{
	bool group = peer == &t->group;
	size_t stream = group ? STREAM_GROUP : (size_t)(peer - t->cfg.peers);

	return (struct frame_hdr){
		.magic = TRANSPORT_MAGIC,
		.version = TRANSPORT_VERSION,
		.flags = (uint8_t)((t->sealed ? FLAG_SEALED : 0) |
		    (frag ? FLAG_FRAG : 0) | (group ? FLAG_GROUP : 0) |
		    t->tx_flags),
		.cluster_id = t->cfg.cluster_id,
		.sender = t->cfg.local_nodeid,
		.incarnation = t->cfg.incarnation,
		.counter = ++t->tx_counter[stream],
		.digest = tr_digest_out(t),
	};
}

void tr_queue_one(struct transport *t, const struct transport_peer *peer,
    const struct frag_hdr *frag, const uint8_t *buf, size_t len)
{
	struct frame_hdr h;
	struct wbuf wb;
	uint8_t *d, *nonce = NULL, *m;
	unsigned long long clen;
	unsigned copies = t->tx_mask && peer != &t->group ?
	    (unsigned)__builtin_popcount(t->tx_mask) : 1;

	/* Room for the frame and its copies on other links. */
	if (t->tx_n + copies > BATCH)
		transport_flush(t);
	d = t->tx_buf + (size_t)t->tx_n * t->slot;
	wbuf_init(&wb, d, t->slot);
	h = next_header(t, peer, frag != NULL);
	frame_hdr_put(&wb, &h);
	if (t->sealed)
		nonce = wbuf_take(&wb, TRANSPORT_NONCE_LEN);
	m = d + wb.len;
	if (frag)
		frag_hdr_put(&wb, frag);
	if (t->sealed && !frag) {
		/* A whole datagram is sealed from where it is. */
		(void)wbuf_take(&wb, len);
	} else {
		/* The payload in one piece where it goes; sealed in place. */
		wbuf_copy(&wb, buf, len);
		buf = m;
		len = (size_t)(d + wb.len - m);
	}
	if (t->sealed)
		(void)wbuf_take(&wb, TRANSPORT_TAG_LEN);
	/* The slot holds the largest frame: a frame that does not fit is a
	 * broken size computation. */
	if (wb.err)
		fatalx("transport: a frame of %zu bytes overflows its slot",
		    len);
	if (t->sealed) {
		randombytes_buf(nonce, TRANSPORT_NONCE_LEN);
		(void)crypto_aead_xchacha20poly1305_ietf_encrypt(m, &clen, buf,
		    len, d, TRANSPORT_HDR_LEN, NULL, nonce, t->key);
		wb.len = (size_t)(m - d) + (size_t)clen;
	}
	tr_note_sent(t, peer, d, wb.len);
	if (copies == 1 && !(t->tx_mask & ~1u)) {
		t->tx_iov[t->tx_n].iov_base = d;
		tr_add_frame(t, peer, 0, wb.len);
		return;
	}
	/* The same bytes over each link: one counter, so the receiver takes
	 * the first copy and drops the others. */
	for (unsigned l = 0; l < LINKS_MAX; l++) {
		size_t pi = (size_t)(peer - t->cfg.peers);
		const struct transport_peer *to = tr_link_peer(t, pi, l);

		if (!(t->tx_mask & (1u << l)) || !to->addr_len)
			continue;
		t->tx_iov[t->tx_n].iov_base = d;
		tr_add_frame(t, to, l, wb.len);
	}
}

void tr_auth_failed(struct transport *t, const struct transport_peer *p,
    enum warn_kind kind)
{
	static const char *const why[] = {
		[WARN_PLAIN] = "are plain text, but this node requires crypto "
		    "(crypto_cipher/crypto_hash set here, not there?)",
		[WARN_UNKEYED] = "are sealed, but this node has no key "
		    "(crypto_cipher and crypto_hash are none here)",
		[WARN_SEAL] = "fail authentication: its key differs from this "
		    "node's (another key file), or they are not its",
	};
	size_t pi = (size_t)(p - t->cfg.peers);
	uint64_t held;
	char a[INET6_ADDRSTRLEN + 8];

	t->st.rx_auth_failed++;
	if (tr_may_warn(t, pi, kind, &held))
		log_warnx("transport: frames from node %u's address %s %s; "
		    "they are dropped (%" PRIu64 " more since the last "
		    "warning)", p->nodeid, tr_addr_str(&p->addr, a, sizeof(a)),
		    why[kind], held);
}

bool tr_open_frame(struct transport *t, const struct transport_peer *p,
    const struct frame_hdr *h, uint8_t *d, size_t len, uint8_t **m,
    size_t *mlen)
{
	const uint8_t *nonce;
	unsigned long long plen;
	struct rbuf rb;
	uint8_t *c;

	rbuf_init(&rb, d, len);
	(void)rbuf_take(&rb, TRANSPORT_HDR_LEN);
	if (!t->sealed) {
		*m = d + (len - rb.left);
		*mlen = rb.left;
		return true;
	}
	nonce = rbuf_take(&rb, TRANSPORT_NONCE_LEN);
	/* The cipher text and its tag; the plain text is written over its
	 * front. */
	c = d + (len - rb.left);
	if (rb.err || rb.left < TRANSPORT_TAG_LEN ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(c, &plen, NULL, c,
	    rb.left, d, TRANSPORT_HDR_LEN, nonce, t->key) != 0) {
		tr_auth_failed(t, p, WARN_SEAL);
		return false;
	}
	*m = c;
	*mlen = (size_t)plen;
	return true;
}
