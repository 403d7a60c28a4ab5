/*
 * Unit tests: the protocol's wire codec (src/proto/wire.c). Every datagram
 * type is encoded, decoded and compared field by field; then each check of
 * the decoder is tripped once by patching one field of a valid datagram,
 * and every truncation of every valid datagram is rejected. Datagrams are
 * decoded from a heap copy of exactly their length, so that a read past
 * the end shows up under ASan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/wire.h"

#define BUF_CAP 4096u

/* Offsets of the fields the tests patch, from docs/protocol.md. */
#define OFF_MAGIC 0
#define OFF_VERSION 2
#define OFF_MAX_VERSION 3
#define OFF_TYPE 4
#define OFF_FLAGS 5
#define OFF_RESERVED 6
#define OFF_CLUSTER 8
#define OFF_SENDER 12
#define OFF_REP 16
#define OFF_RING_SEQ 20
#define BODY WIRE_HDR_LEN

#define MC_SEQ (BODY + 0)
#define MC_ORIGIN (BODY + 8)
#define MC_FLAGS (BODY + 12)
#define MC_PAD8 (BODY + 13)
#define MC_PAD16 (BODY + 14)
#define MC_OLD_REP (BODY + 16)
#define MC_OLD_RING_SEQ (BODY + 20)
#define MC_OLD_SEQ (BODY + 28)
#define MC_OLD_ORIGIN (BODY + 36)
#define MC_OLD_FLAGS (BODY + 40)
#define MC_OLD_PAD8 (BODY + 41)
#define MC_OLD_PAD16 (BODY + 42)

#define TK_TSEQ (BODY + 0)
#define TK_SEQ (BODY + 8)
#define TK_ROT_ARU (BODY + 16)
#define TK_STABLE (BODY + 24)
#define TK_INSTALL_SEQ (BODY + 32)
#define TK_FCC (BODY + 40)
#define TK_BACKLOG (BODY + 44)
#define TK_FLAGS (BODY + 48)
#define TK_N_RTR (BODY + 52)
#define TK_PAD (BODY + 54)
#define TK_RTR (BODY + TOKEN_FIXED)

#define JN_INCARNATION (BODY + 0)
#define JN_COUNTER (BODY + 8)
#define JN_SEQ_MAX (BODY + 12)
#define JN_ACCEPTED (BODY + 20)
#define JN_N_PROC (BODY + 28)
#define JN_N_FAIL (BODY + 30)
#define JN_IDS (BODY + JOIN_FIXED)

#define CM_TSEQ (BODY + 0)
#define CM_PASS (BODY + 8)
#define CM_N (BODY + 9)
#define CM_PAD (BODY + 10)
#define CM_E(i) (BODY + COMMIT_FIXED + (i) * COMMIT_ENTRY)
#define CE_NODEID 0
#define CE_FLAGS 4
#define CE_REP 8
#define CE_RING_SEQ 12
#define CE_ARU 20
#define CE_HIGH 28
#define CE_STABLE 36

static const struct wire_hdr hdr = {
	.cluster_id = 0xC1C2C3C4u, .sender = 0x0A0B0C0Du,
	.ring = { .rep = 0x01020304u, .seq = 0x1112131415161718ull },
};

/* ------------------------------------------------------------ helpers */

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static uint64_t get64(const uint8_t *b)
{
	return (uint64_t)get32(b) << 32 | get32(b + 4);
}

/* Decodes the first `len` bytes of `buf` from a heap copy of exactly that
 * size. The decoded message borrows the copy, so the copy is kept in
 * *keep (the caller frees it) when the caller wants to look at it. */
static int decode_exact(const uint8_t *buf, size_t len, struct wire_msg *m,
    uint8_t **keep)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, buf, len);
	memset(m, 0xA5, sizeof(*m));
	rc = wire_decode(copy, len, m);
	if (keep)
		*keep = copy;
	else
		free(copy);
	return rc;
}

static int decode_rc(const uint8_t *buf, size_t len)
{
	struct wire_msg m;

	return decode_exact(buf, len, &m, NULL);
}

/* Every proper prefix of a valid datagram is malformed. */
static void assert_prefixes_rejected(const uint8_t *buf, size_t len)
{
	for (size_t n = 0; n < len; n++) {
		int rc = decode_rc(buf, n);

		if (rc != -EBADMSG)
			fail_msg("prefix of %zu of %zu bytes (type %u): %d", n,
			    len, buf[OFF_TYPE], rc);
	}
	assert_int_equal(decode_rc(buf, len), 0);
}

static void assert_hdr(const struct wire_hdr *h, uint8_t type)
{
	assert_int_equal(h->version, WIRE_VERSION);
	assert_int_equal(h->max_version, WIRE_VERSION);
	assert_int_equal(h->type, type);
	assert_int_equal(h->flags, 0);
	assert_int_equal(h->cluster_id, hdr.cluster_id);
	assert_int_equal(h->sender, hdr.sender);
	assert_int_equal(h->ring.rep, hdr.ring.rep);
	assert_true(h->ring.seq == hdr.ring.seq);
}

/* Appends one packed entry to an MCAST body; returns the new length. */
static size_t put_entry(uint8_t *body, size_t off, uint8_t flags,
    const void *data, uint32_t len)
{
	body[off] = flags;
	put32(body + off + 1, len);
	if (len)
		memcpy(body + off + ENTRY_HDR, data, len);
	return off + ENTRY_HDR + len;
}

/* ------------------------------------------------- sample datagrams */

/* One entry, a whole SAFE message "hello". */
static const uint8_t one_entry_body[ENTRY_HDR + 5] = {
	ENTRY_FIRST | ENTRY_LAST | ENTRY_SAFE, 0, 0, 0, 5,
	'h', 'e', 'l', 'l', 'o',
};

static struct wire_mcast sample_mcast(bool recovered)
{
	struct wire_mcast m = {
		.seq = 0x2122232425262728ull, .origin = 0x31323334u,
		.mflags = MCAST_SAFE, .body = one_entry_body,
		.body_len = sizeof(one_entry_body),
	};

	if (recovered) {
		m.mflags |= MCAST_RECOVERED;
		m.old_ring = (struct proto_ring_id){ 0x41424344u,
		    0x5152535455565758ull };
		m.old_seq = 0x6162636465666768ull;
		m.old_origin = 0x71727374u;
		m.old_mflags = MCAST_SAFE;
	}
	return m;
}

static struct wire_token sample_token(uint16_t n_rtr)
{
	struct wire_token t = {
		.tseq = 0x0102030405060708ull, .seq = 1000, .rot_aru = 990,
		.stable = 980, .install_seq = 995, .fcc = 0xF1F2F3F4u,
		.backlog = 0xB1B2B3B4u, .tflags = TOKEN_PENDING | TOKEN_INSTALL,
		.n_rtr = n_rtr,
	};

	for (uint16_t i = 0; i < n_rtr && i < TOKEN_RTR_MAX; i++)
		t.rtr[i] = 991 + i % 10;
	return t;
}

static struct wire_join sample_join(void)
{
	/* A failed node stays in the process set: ids may appear in both. */
	struct wire_join j = {
		.incarnation = 0x8182838485868788ull, .counter = 0x91929394u,
		.seq_max = 0xA1A2A3A4A5A6A7A8ull, .accepted = 0x100,
		.n_proc = 3, .proc = { 1, 2, 0xFFFFFFFFu },
		.n_fail = 1, .fail = { 2 },
	};

	return j;
}

static struct wire_commit sample_commit(uint8_t pass)
{
	struct wire_commit c = { .tseq = 0xC0C1C2C3C4C5C6C7ull, .pass = pass,
	    .n = 3 };

	c.e[0] = (struct wire_commit_entry){ .nodeid = 1,
	    .eflags = COMMIT_FILLED, .old_ring = { 1, 0x10 },
	    .aru = 50, .high = 60, .stable = 40 };
	/* Not filled yet: the figures are not looked at. */
	c.e[1] = (struct wire_commit_entry){ .nodeid = 7, .eflags = 0,
	    .old_ring = { 0, 0 }, .aru = 9, .high = 1, .stable = 99 };
	c.e[2] = (struct wire_commit_entry){ .nodeid = 0x7FFFFFFFu,
	    .eflags = COMMIT_FILLED, .old_ring = { 7, 0x20 },
	    .aru = 0x0102030405060708ull, .high = 0x0102030405060709ull,
	    .stable = 0x0102030405060708ull };
	return c;
}

static size_t enc_mcast(uint8_t *buf, bool recovered)
{
	struct wire_mcast m = sample_mcast(recovered);

	return wire_encode_mcast(buf, BUF_CAP, &hdr, &m);
}

static size_t enc_token(uint8_t *buf, uint16_t n_rtr)
{
	struct wire_token t = sample_token(n_rtr);

	return wire_encode_token(buf, BUF_CAP, &hdr, &t);
}

static size_t enc_join(uint8_t *buf)
{
	struct wire_join j = sample_join();

	return wire_encode_join(buf, BUF_CAP, &hdr, &j);
}

static size_t enc_commit(uint8_t *buf)
{
	struct wire_commit c = sample_commit(1);

	return wire_encode_commit(buf, BUF_CAP, &hdr, &c);
}

static size_t enc_hdr_only(uint8_t *buf, uint8_t type)
{
	struct wire_hdr h = hdr;

	h.type = type;
	return wire_encode_hdr_only(buf, BUF_CAP, &h);
}

/* One valid datagram of each kind, for the tests that patch headers. */
static size_t enc_kind(uint8_t *buf, int kind)
{
	switch (kind) {
	case 0: return enc_mcast(buf, false);
	case 1: return enc_mcast(buf, true);
	case 2: return enc_token(buf, 3);
	case 3: return enc_join(buf);
	case 4: return enc_commit(buf);
	case 5: return enc_hdr_only(buf, WIRE_MERGE_DETECT);
	default: return enc_hdr_only(buf, WIRE_HOLD_CANCEL);
	}
}
#define N_KINDS 7

/* ------------------------------------------------------- round trips */

static void header_is_network_order(void **state)
{
	uint8_t buf[BUF_CAP];
	struct wire_hdr h = hdr;
	size_t n;

	/* The encoder fills in the versions, whatever the caller says. */
	h.version = 9;
	h.max_version = 9;
	h.type = WIRE_MERGE_DETECT;
	n = wire_encode_hdr_only(buf, sizeof(buf), &h);
	assert_int_equal(n, WIRE_HDR_LEN);
	{
		const uint8_t want[WIRE_HDR_LEN] = {
			0xC0, 0x47, WIRE_VERSION, WIRE_VERSION,
			WIRE_MERGE_DETECT, 0, 0, 0,
			0xC1, 0xC2, 0xC3, 0xC4, 0x0A, 0x0B, 0x0C, 0x0D,
			0x01, 0x02, 0x03, 0x04,
			0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		};

		assert_memory_equal(buf, want, sizeof(want));
	}
	/* A multicast's sequence number follows the header, big-endian. */
	n = enc_mcast(buf, false);
	assert_int_equal(buf[OFF_TYPE], WIRE_MCAST);
	assert_true(get64(buf + MC_SEQ) == 0x2122232425262728ull);
	assert_int_equal(get32(buf + MC_ORIGIN), 0x31323334u);
	assert_int_equal(n, WIRE_HDR_LEN + MCAST_FIXED + ENTRY_HDR + 5);
}

static void mcast_roundtrip(void **state)
{
	uint8_t buf[BUF_CAP], body[256], *keep;
	struct wire_mcast in = { .seq = 0x2122232425262728ull,
	    .origin = 0x31323334u, .mflags = MCAST_SAFE, .body = body };
	struct wire_msg m;
	size_t n, off = 0;

	off = put_entry(body, off, ENTRY_FIRST | ENTRY_LAST, "one", 3);
	off = put_entry(body, off, ENTRY_FIRST | ENTRY_LAST | ENTRY_SAFE, "", 0);
	off = put_entry(body, off, ENTRY_FIRST, "three", 5);
	in.body_len = off;
	n = wire_encode_mcast(buf, sizeof(buf), &hdr, &in);
	assert_int_equal(n, WIRE_HDR_LEN + MCAST_FIXED + off);
	assert_int_equal(decode_exact(buf, n, &m, &keep), 0);
	assert_hdr(&m.h, WIRE_MCAST);
	assert_true(m.u.mcast.seq == in.seq);
	assert_int_equal(m.u.mcast.origin, in.origin);
	assert_int_equal(m.u.mcast.mflags, MCAST_SAFE);
	/* The body is borrowed from the received buffer. */
	assert_ptr_equal(m.u.mcast.body, keep + WIRE_HDR_LEN + MCAST_FIXED);
	assert_int_equal(m.u.mcast.body_len, off);
	assert_memory_equal(m.u.mcast.body, body, off);
	free(keep);

	/* Without flags too. */
	in.mflags = 0;
	n = wire_encode_mcast(buf, sizeof(buf), &hdr, &in);
	assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
	assert_int_equal(m.u.mcast.mflags, 0);
}

static void mcast_recovered_roundtrip(void **state)
{
	uint8_t buf[BUF_CAP], *keep;
	struct wire_mcast in = sample_mcast(true);
	struct wire_msg m;
	const struct wire_mcast *o = &m.u.mcast;
	size_t n = wire_encode_mcast(buf, sizeof(buf), &hdr, &in);

	assert_int_equal(n, WIRE_HDR_LEN + MCAST_FIXED + MCAST_OLD_FIXED +
	    in.body_len);
	assert_int_equal(decode_exact(buf, n, &m, &keep), 0);
	assert_hdr(&m.h, WIRE_MCAST);
	assert_true(o->seq == in.seq);
	assert_int_equal(o->origin, in.origin);
	assert_int_equal(o->mflags, MCAST_SAFE | MCAST_RECOVERED);
	assert_int_equal(o->old_ring.rep, in.old_ring.rep);
	assert_true(o->old_ring.seq == in.old_ring.seq);
	assert_true(o->old_seq == in.old_seq);
	assert_int_equal(o->old_origin, in.old_origin);
	assert_int_equal(o->old_mflags, MCAST_SAFE);
	assert_ptr_equal(o->body, keep + WIRE_HDR_LEN + MCAST_FIXED +
	    MCAST_OLD_FIXED);
	assert_int_equal(o->body_len, in.body_len);
	assert_memory_equal(o->body, in.body, in.body_len);
	free(keep);

	/* An old message that was not SAFE. */
	in.old_mflags = 0;
	in.mflags = MCAST_RECOVERED;
	n = wire_encode_mcast(buf, sizeof(buf), &hdr, &in);
	assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
	assert_int_equal(o->mflags, MCAST_RECOVERED);
	assert_int_equal(o->old_mflags, 0);
}

static void token_roundtrip(void **state)
{
	static const uint16_t counts[] = { 0, 1, 3, TOKEN_RTR_MAX };
	uint8_t buf[BUF_CAP];

	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct wire_token in = sample_token(counts[k]);
		struct wire_msg m;
		const struct wire_token *t = &m.u.token;
		size_t n = wire_encode_token(buf, sizeof(buf), &hdr, &in);

		assert_int_equal(n, WIRE_HDR_LEN + TOKEN_FIXED + 8u * counts[k]);
		assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
		assert_hdr(&m.h, WIRE_TOKEN);
		assert_true(t->tseq == in.tseq);
		assert_true(t->seq == in.seq);
		assert_true(t->rot_aru == in.rot_aru);
		assert_true(t->stable == in.stable);
		assert_true(t->install_seq == in.install_seq);
		assert_int_equal(t->fcc, in.fcc);
		assert_int_equal(t->backlog, in.backlog);
		assert_int_equal(t->tflags, in.tflags);
		assert_int_equal(t->n_rtr, counts[k]);
		for (unsigned i = 0; i < counts[k]; i++)
			assert_true(t->rtr[i] == in.rtr[i]);
	}
	/* The limits are inclusive: everything equal to seq, no flags. */
	{
		struct wire_token in = { .tseq = 1, .seq = 7, .rot_aru = 7,
		    .stable = 7, .install_seq = 7, .n_rtr = 1, .rtr = { 7 } };
		struct wire_msg m;
		size_t n = wire_encode_token(buf, sizeof(buf), &hdr, &in);

		assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
		assert_int_equal(m.u.token.tflags, 0);
		assert_true(m.u.token.rtr[0] == 7);
	}
}

static void join_roundtrip(void **state)
{
	uint8_t buf[BUF_CAP];
	struct wire_join in = sample_join();
	struct wire_msg m;
	const struct wire_join *j = &m.u.join;
	size_t n = wire_encode_join(buf, sizeof(buf), &hdr, &in);

	assert_int_equal(n, WIRE_HDR_LEN + JOIN_FIXED + 4u * 4);
	assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
	assert_hdr(&m.h, WIRE_JOIN);
	assert_true(j->incarnation == in.incarnation);
	assert_int_equal(j->counter, in.counter);
	assert_true(j->seq_max == in.seq_max);
	assert_true(j->accepted == in.accepted);
	assert_int_equal(j->n_proc, 3);
	assert_int_equal(j->n_fail, 1);
	assert_memory_equal(j->proc, in.proc, 3 * sizeof(uint32_t));
	assert_int_equal(j->fail[0], 2);

	/* The largest JOIN: every id in both sets. */
	in.n_proc = in.n_fail = PROTO_MAX_NODES;
	for (unsigned i = 0; i < PROTO_MAX_NODES; i++)
		in.proc[i] = in.fail[i] = 100 + i;
	in.accepted = in.seq_max;
	n = wire_encode_join(buf, sizeof(buf), &hdr, &in);
	assert_int_equal(n, WIRE_HDR_LEN + JOIN_FIXED + 8u * PROTO_MAX_NODES);
	assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
	assert_memory_equal(j->proc, in.proc, sizeof(in.proc));
	assert_memory_equal(j->fail, in.fail, sizeof(in.fail));
}

static void commit_roundtrip(void **state)
{
	uint8_t buf[BUF_CAP];

	for (uint8_t pass = 1; pass <= 2; pass++) {
		struct wire_commit in = sample_commit(pass);
		struct wire_msg m;
		const struct wire_commit *c = &m.u.commit;
		size_t n = wire_encode_commit(buf, sizeof(buf), &hdr, &in);

		assert_int_equal(n, WIRE_HDR_LEN + COMMIT_FIXED +
		    3u * COMMIT_ENTRY);
		assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
		assert_hdr(&m.h, WIRE_COMMIT);
		assert_true(c->tseq == in.tseq);
		assert_int_equal(c->pass, pass);
		assert_int_equal(c->n, 3);
		for (unsigned i = 0; i < 3; i++) {
			assert_int_equal(c->e[i].nodeid, in.e[i].nodeid);
			assert_int_equal(c->e[i].eflags, in.e[i].eflags);
			assert_int_equal(c->e[i].old_ring.rep, in.e[i].old_ring.rep);
			assert_true(c->e[i].old_ring.seq == in.e[i].old_ring.seq);
			assert_true(c->e[i].aru == in.e[i].aru);
			assert_true(c->e[i].high == in.e[i].high);
			assert_true(c->e[i].stable == in.e[i].stable);
		}
	}
}

static void hdr_only_roundtrip(void **state)
{
	static const uint8_t types[] = { WIRE_MERGE_DETECT, WIRE_HOLD_CANCEL };
	uint8_t buf[BUF_CAP];

	for (size_t k = 0; k < sizeof(types); k++) {
		struct wire_msg m;
		size_t n = enc_hdr_only(buf, types[k]);

		assert_int_equal(n, WIRE_HDR_LEN);
		assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
		assert_hdr(&m.h, types[k]);
	}
}

/* A peer that speaks a newer version as well may send version 1. */
static void newer_max_version_accepted(void **state)
{
	uint8_t buf[BUF_CAP];
	struct wire_msg m;
	size_t n = enc_token(buf, 2);

	buf[OFF_MAX_VERSION] = WIRE_VERSION + 1;
	assert_int_equal(decode_exact(buf, n, &m, NULL), 0);
	assert_int_equal(m.h.version, WIRE_VERSION);
	assert_int_equal(m.h.max_version, WIRE_VERSION + 1);
}

/* -------------------------------------------------------- rejections */

static void every_truncation_rejected(void **state)
{
	uint8_t buf[BUF_CAP];

	for (int kind = 0; kind < N_KINDS; kind++)
		assert_prefixes_rejected(buf, enc_kind(buf, kind));
	assert_prefixes_rejected(buf, enc_token(buf, 0));
	assert_prefixes_rejected(buf, enc_token(buf, TOKEN_RTR_MAX));
	{
		struct wire_commit c = sample_commit(2);

		assert_prefixes_rejected(buf,
		    wire_encode_commit(buf, sizeof(buf), &hdr, &c));
	}
}

/* Fixed-size datagrams take no trailing bytes; for a multicast, trailing
 * bytes are a partial entry, or one with flags nobody defined. */
static void trailing_bytes_rejected(void **state)
{
	uint8_t buf[BUF_CAP];

	for (int kind = 0; kind < N_KINDS; kind++) {
		size_t n = enc_kind(buf, kind);

		for (size_t extra = 1; extra <= ENTRY_HDR; extra++) {
			memset(buf + n, 0xFF, extra);
			assert_int_equal(decode_rc(buf, n + extra), -EBADMSG);
		}
	}
}

static void header_rejections(void **state)
{
	static const uint8_t versions[] = { 0, WIRE_VERSION + 1, 0xFF };
	static const uint8_t types[] = { 0, WIRE_TYPE_MAX + 1, 0x80, 0xFF };
	uint8_t buf[BUF_CAP];

	for (int kind = 0; kind < N_KINDS; kind++) {
		size_t n = enc_kind(buf, kind);
		uint8_t save[WIRE_HDR_LEN];

		memcpy(save, buf, sizeof(save));
#define RESET() memcpy(buf, save, sizeof(save))
		assert_int_equal(decode_rc(buf, n), 0);
		buf[OFF_MAGIC] ^= 0x01;
		assert_int_equal(decode_rc(buf, n), -EBADMSG);
		RESET();
		buf[OFF_MAGIC + 1] ^= 0x80;
		assert_int_equal(decode_rc(buf, n), -EBADMSG);
		RESET();
		put16(buf + OFF_MAGIC, 0x47C0);   /* byte-swapped */
		assert_int_equal(decode_rc(buf, n), -EBADMSG);
		RESET();
		for (size_t v = 0; v < sizeof(versions); v++) {
			buf[OFF_VERSION] = versions[v];
			buf[OFF_MAX_VERSION] = 0xFF;
			assert_int_equal(decode_rc(buf, n), -EPROTONOSUPPORT);
			RESET();
		}
		buf[OFF_MAX_VERSION] = WIRE_VERSION - 1;
		assert_int_equal(decode_rc(buf, n), -EPROTONOSUPPORT);
		RESET();
		for (size_t t = 0; t < sizeof(types); t++) {
			buf[OFF_TYPE] = types[t];
			assert_int_equal(decode_rc(buf, n), -EINVAL);
			RESET();
		}
		for (unsigned bit = 0; bit < 8; bit++) {
			buf[OFF_FLAGS] = (uint8_t)(1u << bit);
			assert_int_equal(decode_rc(buf, n), -EBADMSG);
			RESET();
			buf[OFF_RESERVED] = (uint8_t)(1u << bit);
			assert_int_equal(decode_rc(buf, n), -EBADMSG);
			RESET();
			buf[OFF_RESERVED + 1] = (uint8_t)(1u << bit);
			assert_int_equal(decode_rc(buf, n), -EBADMSG);
			RESET();
		}
		put32(buf + OFF_SENDER, 0);
		assert_int_equal(decode_rc(buf, n), -EBADMSG);
		RESET();
		put32(buf + OFF_REP, 0);
		assert_int_equal(decode_rc(buf, n), -EBADMSG);
		RESET();
		/* The cluster id and the ring seq are the engine's to judge. */
		put32(buf + OFF_CLUSTER, 0);
		put64(buf + OFF_RING_SEQ, 0);
		assert_int_equal(decode_rc(buf, n), 0);
#undef RESET
	}
}

static void mcast_rejections(void **state)
{
	uint8_t buf[BUF_CAP], save[BUF_CAP];
	size_t n = enc_mcast(buf, false);

	memcpy(save, buf, n);
#define RESET() memcpy(buf, save, n)
#define REJECT() assert_int_equal(decode_rc(buf, n), -EBADMSG)
	put64(buf + MC_SEQ, 0);
	REJECT();
	RESET();
	put32(buf + MC_ORIGIN, 0);
	REJECT();
	RESET();
	for (unsigned bit = 0; bit < 8; bit++) {
		if ((1u << bit) & (MCAST_SAFE | MCAST_RECOVERED))
			continue;
		buf[MC_FLAGS] |= (uint8_t)(1u << bit);
		REJECT();
		RESET();
	}
	buf[MC_PAD8] = 1;
	REJECT();
	RESET();
	buf[MC_PAD16] = 1;
	REJECT();
	RESET();
	buf[MC_PAD16 + 1] = 0x80;
	REJECT();
	RESET();
	/* No entries at all. */
	assert_int_equal(decode_rc(buf, WIRE_HDR_LEN + MCAST_FIXED), -EBADMSG);
	/* The entry says one byte more than there is, or 4 GiB. */
	put32(buf + BODY + MCAST_FIXED + 1, 6);
	REJECT();
	put32(buf + BODY + MCAST_FIXED + 1, 0xFFFFFFFFu);
	REJECT();
	RESET();
	/* An entry flag nobody defined. */
	buf[BODY + MCAST_FIXED] |= 0x08;
	REJECT();
	RESET();
	/* A second entry that overruns the body. */
	{
		uint8_t body[64];
		size_t off = put_entry(body, 0, ENTRY_FIRST | ENTRY_LAST, "ab", 2);
		struct wire_mcast m = sample_mcast(false);
		size_t len;

		off = put_entry(body, off, ENTRY_FIRST | ENTRY_LAST, "cd", 2);
		m.body = body;
		m.body_len = off;
		len = wire_encode_mcast(buf, sizeof(buf), &hdr, &m);
		assert_int_equal(decode_rc(buf, len), 0);
		put32(buf + len - 2 - 4, 3);
		assert_int_equal(decode_rc(buf, len), -EBADMSG);
	}
#undef RESET
#undef REJECT
}

static void mcast_recovered_rejections(void **state)
{
	uint8_t buf[BUF_CAP], save[BUF_CAP];
	size_t n = enc_mcast(buf, true);

	memcpy(save, buf, n);
#define RESET() memcpy(buf, save, n)
#define REJECT() assert_int_equal(decode_rc(buf, n), -EBADMSG)
	assert_int_equal(decode_rc(buf, n), 0);
	put32(buf + MC_OLD_REP, 0);
	REJECT();
	RESET();
	put64(buf + MC_OLD_SEQ, 0);
	REJECT();
	RESET();
	put32(buf + MC_OLD_ORIGIN, 0);
	REJECT();
	RESET();
	for (unsigned bit = 0; bit < 8; bit++) {
		if ((1u << bit) & MCAST_SAFE)
			continue;
		buf[MC_OLD_FLAGS] |= (uint8_t)(1u << bit);
		REJECT();
		RESET();
	}
	buf[MC_OLD_PAD8] = 1;
	REJECT();
	RESET();
	buf[MC_OLD_PAD16] = 1;
	REJECT();
	RESET();
	buf[MC_OLD_PAD16 + 1] = 1;
	REJECT();
	RESET();
	/* The old ring's seq may be anything (an id, not a count). */
	put64(buf + MC_OLD_RING_SEQ, 0);
	assert_int_equal(decode_rc(buf, n), 0);
	RESET();
	/* No entries after the old identity. */
	assert_int_equal(decode_rc(buf, WIRE_HDR_LEN + MCAST_FIXED +
	    MCAST_OLD_FIXED), -EBADMSG);
	/* Without the RECOVERED flag, the old identity reads as entries. */
	buf[MC_FLAGS] &= (uint8_t)~MCAST_RECOVERED;
	REJECT();
#undef RESET
#undef REJECT
}

static void token_rejections(void **state)
{
	uint8_t buf[BUF_CAP], save[BUF_CAP];
	size_t n = enc_token(buf, 3);

	memcpy(save, buf, n);
#define RESET() memcpy(buf, save, n)
#define REJECT() assert_int_equal(decode_rc(buf, n), -EBADMSG)
	put64(buf + TK_ROT_ARU, 1001);      /* seq is 1000 */
	REJECT();
	RESET();
	put64(buf + TK_STABLE, 1001);
	REJECT();
	RESET();
	put64(buf + TK_INSTALL_SEQ, 1001);
	REJECT();
	RESET();
	put64(buf + TK_SEQ, 989);           /* below rot_aru 990 */
	REJECT();
	RESET();
	put64(buf + TK_TSEQ, 0);
	REJECT();
	RESET();
	for (unsigned bit = 0; bit < 32; bit++) {
		if ((1u << bit) & (TOKEN_PENDING | TOKEN_INSTALL))
			continue;
		put32(buf + TK_FLAGS, (uint32_t)1 << bit);
		REJECT();
		RESET();
	}
	buf[TK_PAD] = 1;
	REJECT();
	RESET();
	buf[TK_PAD + 1] = 1;
	REJECT();
	RESET();
	put64(buf + TK_RTR + 8, 0);
	REJECT();
	RESET();
	put64(buf + TK_RTR + 16, 1001);
	REJECT();
	RESET();
	/* The count must match the requests present, both ways. */
	put16(buf + TK_N_RTR, 2);
	REJECT();
	put16(buf + TK_N_RTR, 4);
	REJECT();
	RESET();
	/* One request above the limit, with its bytes present. */
	{
		size_t full = enc_token(buf, TOKEN_RTR_MAX);

		put16(buf + TK_N_RTR, TOKEN_RTR_MAX + 1);
		put64(buf + full, 999);
		assert_int_equal(decode_rc(buf, full + 8), -EBADMSG);
		put16(buf + TK_N_RTR, 0xFFFF);
		assert_int_equal(decode_rc(buf, full + 8), -EBADMSG);
	}
#undef RESET
#undef REJECT
}

static void join_rejections(void **state)
{
	uint8_t buf[BUF_CAP], save[BUF_CAP];
	size_t n = enc_join(buf);   /* proc {1, 2, max}, fail {2} */

	memcpy(save, buf, n);
#define RESET() memcpy(buf, save, n)
#define REJECT() assert_int_equal(decode_rc(buf, n), -EBADMSG)
	put32(buf + JN_IDS + 4, 0);          /* a zero in proc */
	REJECT();
	RESET();
	put32(buf + JN_IDS + 12, 0);         /* a zero in fail */
	REJECT();
	RESET();
	put32(buf + JN_IDS + 8, 1);          /* proc {1, 2, 1} */
	REJECT();
	RESET();
	put16(buf + JN_N_PROC, 0);
	put16(buf + JN_N_FAIL, 4);           /* lengths fit, no process */
	REJECT();
	RESET();
	put16(buf + JN_N_PROC, 2);
	put16(buf + JN_N_FAIL, 2);           /* fail {max, 2}: fine */
	assert_int_equal(decode_rc(buf, n), 0);
	put32(buf + JN_IDS + 8, 2);          /* fail {2, 2} */
	REJECT();
	RESET();
	/* Counts that do not match the ids present. */
	put16(buf + JN_N_PROC, 4);
	REJECT();
	put16(buf + JN_N_PROC, 2);
	REJECT();
	RESET();
	put16(buf + JN_N_FAIL, 2);
	REJECT();
	put16(buf + JN_N_FAIL, 0);
	REJECT();
	RESET();
	put16(buf + JN_N_PROC, 0xFFFF);
	REJECT();
	RESET();
	put64(buf + JN_ACCEPTED, get64(buf + JN_SEQ_MAX) + 1);
	REJECT();
	RESET();
	/* Counts above the limit, with their ids present. */
	{
		uint8_t big[BUF_CAP];
		struct wire_join j = sample_join();
		size_t len;

		j.n_proc = PROTO_MAX_NODES;
		j.n_fail = 0;
		for (unsigned i = 0; i < PROTO_MAX_NODES; i++)
			j.proc[i] = 10 + i;
		len = wire_encode_join(big, sizeof(big), &hdr, &j);
		assert_int_equal(decode_rc(big, len), 0);
		put16(big + JN_N_PROC, PROTO_MAX_NODES + 1);
		put32(big + len, 5);
		assert_int_equal(decode_rc(big, len + 4), -EBADMSG);
		put16(big + JN_N_PROC, 1);
		put16(big + JN_N_FAIL, PROTO_MAX_NODES);
		assert_int_equal(decode_rc(big, len + 4), 0);
		put16(big + JN_N_FAIL, PROTO_MAX_NODES + 1);
		put32(big + len + 4, 6);
		assert_int_equal(decode_rc(big, len + 8), -EBADMSG);
	}
#undef RESET
#undef REJECT
}

static void commit_rejections(void **state)
{
	static const uint8_t passes[] = { 0, 3, 0xFF };
	uint8_t buf[BUF_CAP], save[BUF_CAP];
	size_t n = enc_commit(buf);   /* ids 1, 7, 0x7FFFFFFF */

	memcpy(save, buf, n);
#define RESET() memcpy(buf, save, n)
#define REJECT() assert_int_equal(decode_rc(buf, n), -EBADMSG)
	put32(buf + CM_E(1) + CE_NODEID, 0x7FFFFFFFu + 1u);   /* unsorted */
	REJECT();
	RESET();
	put32(buf + CM_E(0) + CE_NODEID, 8);
	REJECT();
	RESET();
	put32(buf + CM_E(1) + CE_NODEID, 1);                 /* a duplicate */
	REJECT();
	RESET();
	put32(buf + CM_E(0) + CE_NODEID, 0);
	REJECT();
	RESET();
	for (size_t k = 0; k < sizeof(passes); k++) {
		buf[CM_PASS] = passes[k];
		REJECT();
		RESET();
	}
	put64(buf + CM_TSEQ, 0);
	REJECT();
	RESET();
	buf[CM_PAD] = 1;
	REJECT();
	RESET();
	buf[CM_PAD + 1] = 1;
	REJECT();
	RESET();
	/* No entries at all; counts that do not match the entries present. */
	buf[CM_N] = 0;
	assert_int_equal(decode_rc(buf, WIRE_HDR_LEN + COMMIT_FIXED), -EBADMSG);
	REJECT();
	buf[CM_N] = 2;
	REJECT();
	buf[CM_N] = 4;
	REJECT();
	buf[CM_N] = 0xFF;
	REJECT();
	RESET();
	for (unsigned bit = 1; bit < 32; bit++) {
		put32(buf + CM_E(1) + CE_FLAGS, (uint32_t)1 << bit);
		REJECT();
		RESET();
	}
	/* A filled entry's figures must be sane. */
	put32(buf + CM_E(0) + CE_REP, 0);
	REJECT();
	RESET();
	put64(buf + CM_E(0) + CE_ARU, 61);        /* high is 60 */
	REJECT();
	RESET();
	put64(buf + CM_E(0) + CE_STABLE, 51);     /* aru is 50 */
	REJECT();
	RESET();
	/* An unfilled entry with the same figures is fine (sample_commit). */
	put32(buf + CM_E(1) + CE_FLAGS, COMMIT_FILLED);
	REJECT();
	RESET();
	/* More entries than PROTO_MAX_NODES, with their bytes present. */
	{
		uint8_t big[WIRE_HDR_LEN + COMMIT_FIXED +
		    (PROTO_MAX_NODES + 1) * COMMIT_ENTRY];
		struct wire_commit c = { .tseq = 1, .pass = 1,
		    .n = PROTO_MAX_NODES };
		size_t len;

		for (unsigned i = 0; i < PROTO_MAX_NODES; i++)
			c.e[i].nodeid = i + 1;
		len = wire_encode_commit(big, sizeof(big), &hdr, &c);
		assert_int_equal(decode_rc(big, len), 0);
		memset(big + len, 0, COMMIT_ENTRY);
		put32(big + len, PROTO_MAX_NODES + 1);
		big[CM_N] = PROTO_MAX_NODES + 1;
		assert_int_equal(decode_rc(big, len + COMMIT_ENTRY), -EBADMSG);
	}
#undef RESET
#undef REJECT
}

/* ------------------------------------------------------------ entries */

static void next_entry_walks_packed_entries(void **state)
{
	uint8_t body[128] = { 0 }, f;
	const uint8_t *d;
	uint32_t dl;
	size_t len = 0, off = 0;

	len = put_entry(body, len, ENTRY_FIRST | ENTRY_LAST, "abc", 3);
	len = put_entry(body, len, ENTRY_SAFE | ENTRY_FIRST | ENTRY_LAST, "", 0);
	len = put_entry(body, len, ENTRY_FIRST, "fragment", 8);
	len = put_entry(body, len, ENTRY_LAST, "z", 1);

	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 1);
	assert_int_equal(f, ENTRY_FIRST | ENTRY_LAST);
	assert_int_equal(dl, 3);
	assert_ptr_equal(d, body + ENTRY_HDR);
	assert_memory_equal(d, "abc", 3);
	assert_int_equal(off, ENTRY_HDR + 3);

	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 1);
	assert_int_equal(f, ENTRY_SAFE | ENTRY_FIRST | ENTRY_LAST);
	assert_int_equal(dl, 0);
	assert_int_equal(off, 2 * ENTRY_HDR + 3);

	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 1);
	assert_int_equal(f, ENTRY_FIRST);
	assert_int_equal(dl, 8);
	assert_memory_equal(d, "fragment", 8);

	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 1);
	assert_int_equal(f, ENTRY_LAST);
	assert_int_equal(dl, 1);
	assert_int_equal(*d, 'z');
	assert_int_equal(off, len);

	/* The end stays the end. */
	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 0);
	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), 0);
	assert_int_equal(off, len);

	/* A cursor past the end, a partial header, a short entry, a flag
	 * nobody defined. */
	off = len + 1;
	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), -EBADMSG);
	for (size_t cut = 1; cut < ENTRY_HDR + 3; cut++) {
		off = 0;
		assert_int_equal(wire_next_entry(body, cut, &off, &f, &d, &dl),
		    -EBADMSG);
		assert_int_equal(off, 0);
	}
	body[0] = 0x80;
	off = 0;
	assert_int_equal(wire_next_entry(body, len, &off, &f, &d, &dl), -EBADMSG);
	off = 0;
	assert_int_equal(wire_next_entry(body, 0, &off, &f, &d, &dl), 0);
}

/* ----------------------------------------------------------- encoders */

/* Encoders give 0 for every buffer that is too small and write nothing
 * past the capacity they were given. */
static void assert_small_buffers_refused(size_t (*enc)(uint8_t *, size_t,
    const void *), const void *arg)
{
	uint8_t buf[BUF_CAP + 16];
	size_t full = enc(buf, BUF_CAP, arg);

	assert_true(full >= WIRE_HDR_LEN);
	for (size_t cap = 0; cap < full; cap++) {
		memset(buf, 0xEE, sizeof(buf));
		if (enc(buf, cap, arg) != 0)
			fail_msg("encoded into %zu bytes of %zu", cap, full);
		for (size_t i = cap; i < sizeof(buf); i++)
			if (buf[i] != 0xEE)
				fail_msg("wrote byte %zu with capacity %zu", i, cap);
	}
	assert_int_equal(enc(buf, full, arg), full);
	assert_int_equal(decode_rc(buf, full), 0);
}

static size_t e_mcast(uint8_t *b, size_t cap, const void *a)
{
	return wire_encode_mcast(b, cap, &hdr, a);
}

static size_t e_token(uint8_t *b, size_t cap, const void *a)
{
	return wire_encode_token(b, cap, &hdr, a);
}

static size_t e_join(uint8_t *b, size_t cap, const void *a)
{
	return wire_encode_join(b, cap, &hdr, a);
}

static size_t e_commit(uint8_t *b, size_t cap, const void *a)
{
	return wire_encode_commit(b, cap, &hdr, a);
}

static size_t e_hdr(uint8_t *b, size_t cap, const void *a)
{
	return wire_encode_hdr_only(b, cap, a);
}

static void encoders_refuse_small_buffers(void **state)
{
	struct wire_mcast m = sample_mcast(false), r = sample_mcast(true);
	struct wire_token t = sample_token(5);
	struct wire_join j = sample_join();
	struct wire_commit c = sample_commit(2);
	struct wire_hdr h = hdr;

	assert_small_buffers_refused(e_mcast, &m);
	assert_small_buffers_refused(e_mcast, &r);
	assert_small_buffers_refused(e_token, &t);
	assert_small_buffers_refused(e_join, &j);
	assert_small_buffers_refused(e_commit, &c);
	h.type = WIRE_HOLD_CANCEL;
	assert_small_buffers_refused(e_hdr, &h);
}

static void encoders_refuse_counts_above_limits(void **state)
{
	uint8_t buf[BUF_CAP * 4];
	struct wire_token t = sample_token(0);
	struct wire_join j = sample_join();
	struct wire_commit c = sample_commit(1);

	t.n_rtr = TOKEN_RTR_MAX + 1;
	assert_int_equal(wire_encode_token(buf, sizeof(buf), &hdr, &t), 0);
	j.n_proc = PROTO_MAX_NODES + 1;
	assert_int_equal(wire_encode_join(buf, sizeof(buf), &hdr, &j), 0);
	j.n_proc = 1;
	j.n_fail = PROTO_MAX_NODES + 1;
	assert_int_equal(wire_encode_join(buf, sizeof(buf), &hdr, &j), 0);
	c.n = PROTO_MAX_NODES + 1;
	assert_int_equal(wire_encode_commit(buf, sizeof(buf), &hdr, &c), 0);
}

/* The engine sizes its nodelist by this: a commit token of that many
 * entries must fit one datagram of `mtu` bytes, and one more must not. */
static void commit_capacity_fits_mtu(void **state)
{
	static const size_t mtus[] = { 576, 1000, 1500, 2000, 8192 };
	uint8_t buf[8192];

	assert_int_equal(wire_commit_capacity(576), 12);
	assert_int_equal(wire_commit_capacity(1500), 33);
	assert_int_equal(wire_commit_capacity(65536), PROTO_MAX_NODES);
	for (size_t k = 0; k < sizeof(mtus) / sizeof(mtus[0]); k++) {
		struct wire_commit c = { .tseq = 1, .pass = 1 };
		size_t cap = wire_commit_capacity(mtus[k]);

		for (unsigned i = 0; i < PROTO_MAX_NODES; i++)
			c.e[i].nodeid = i + 1;
		c.n = (uint8_t)cap;
		assert_true(wire_encode_commit(buf, mtus[k], &hdr, &c) > 0);
		if (cap < PROTO_MAX_NODES) {
			c.n++;
			assert_int_equal(wire_encode_commit(buf, mtus[k], &hdr,
			    &c), 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_is_network_order),
		cmocka_unit_test(mcast_roundtrip),
		cmocka_unit_test(mcast_recovered_roundtrip),
		cmocka_unit_test(token_roundtrip),
		cmocka_unit_test(join_roundtrip),
		cmocka_unit_test(commit_roundtrip),
		cmocka_unit_test(hdr_only_roundtrip),
		cmocka_unit_test(newer_max_version_accepted),
		cmocka_unit_test(every_truncation_rejected),
		cmocka_unit_test(trailing_bytes_rejected),
		cmocka_unit_test(header_rejections),
		cmocka_unit_test(mcast_rejections),
		cmocka_unit_test(mcast_recovered_rejections),
		cmocka_unit_test(token_rejections),
		cmocka_unit_test(join_rejections),
		cmocka_unit_test(commit_rejections),
		cmocka_unit_test(next_entry_walks_packed_entries),
		cmocka_unit_test(encoders_refuse_small_buffers),
		cmocka_unit_test(encoders_refuse_counts_above_limits),
		cmocka_unit_test(commit_capacity_fits_mtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
