/*
 * wire.h: the protocol's datagrams, encoded and decoded.
 *
 * Every datagram starts with the same 28-byte header, in network byte
 * order (docs/protocol.md has the layouts):
 *
 *   magic u16 (0xC047) | version u8 | max_version u8 | type u8 | flags u8 |
 *   reserved u16 (0) | cluster_id u32 | sender u32 | ring rep u32 |
 *   ring seq u64
 *
 * Decoding goes through the bounds-checked readers of common/buf.h only;
 * a decoded datagram borrows the received buffer (payload pointers point
 * into it) and is valid as long as that buffer is. Every count and length
 * is checked against the bytes present and against the limits below;
 * semantic checks (known node ids, ring state) are the engine's.
 */
#ifndef COHORT_PROTO_WIRE_H
#define COHORT_PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

#define WIRE_MAGIC 0xC047u
#define WIRE_VERSION 1u
#define WIRE_HDR_LEN 28u

enum wire_type {
	WIRE_MCAST = 1,        /* an ordered message (or a recovered one) */
	WIRE_TOKEN = 2,        /* the ordering token */
	WIRE_JOIN = 3,         /* membership: process and failed sets */
	WIRE_COMMIT = 4,       /* the commit token */
	WIRE_MERGE_DETECT = 5, /* "my ring exists": heals partitions */
	WIRE_HOLD_CANCEL = 6,  /* "release the held token, I have work" */
	WIRE_TYPE_MAX = 6,
};

struct wire_hdr {
	uint8_t version, max_version, type, flags;
	uint32_t cluster_id;
	uint32_t sender;
	struct proto_ring_id ring;
};

/* MCAST: one numbered message of a ring, carrying packed entries. */
#define MCAST_SAFE 0x01u       /* holds a SAFE entry: wait for stability */
#define MCAST_RECOVERED 0x02u  /* carries an old ring's message */
#define MCAST_FIXED 16u        /* seq u64, origin u32, mflags u8, pad 3 */
#define MCAST_OLD_FIXED 28u    /* old rep u32, seq u64, mseq u64, origin u32,
                                * mflags u8, pad 3 */
/* Entry flags: a message travels as one or more fragments. */
#define ENTRY_FIRST 0x01u
#define ENTRY_LAST 0x02u
#define ENTRY_SAFE 0x04u
#define ENTRY_HDR 5u           /* flags u8, len u32 */

struct wire_mcast {
	uint64_t seq;
	uint32_t origin;       /* node that numbered it */
	uint8_t mflags;
	/* With MCAST_RECOVERED: the old ring's message it carries. */
	struct proto_ring_id old_ring;
	uint64_t old_seq;
	uint32_t old_origin;
	uint8_t old_mflags;
	const uint8_t *body;   /* packed entries; borrowed */
	size_t body_len;
};

/* TOKEN flags */
#define TOKEN_PENDING 0x01u    /* some member still has recovery messages */
#define TOKEN_INSTALL 0x02u    /* recovery complete: install the ring */
#define TOKEN_FIXED 56u
#define TOKEN_RTR_MAX 64u

struct wire_token {
	uint64_t tseq;         /* hop counter: duplicates are discarded */
	uint64_t seq;          /* highest message number of the ring */
	uint64_t rot_aru;      /* min all-received-up-to, this rotation */
	uint64_t stable;       /* min of the last complete rotation */
	uint64_t install_seq;  /* with TOKEN_INSTALL: last recovery number */
	uint32_t fcc;          /* messages numbered in the last rotation */
	uint32_t backlog;      /* datagrams queued at the members, last rotation */
	uint32_t tflags;
	uint16_t n_rtr;
	uint64_t rtr[TOKEN_RTR_MAX];  /* retransmission requests */
};

/* JOIN: sender's view during gather. Header ring = its last ring. */
#define JOIN_FIXED 32u
struct wire_join {
	uint64_t incarnation;  /* grows across restarts of the sender */
	uint32_t counter;      /* grows with every change of its view */
	uint64_t seq_max;      /* highest ring seq the sender has seen */
	uint64_t accepted;     /* ring seq of the last commit it accepted */
	uint16_t n_proc, n_fail;
	uint32_t proc[PROTO_MAX_NODES];
	uint32_t fail[PROTO_MAX_NODES];
};

/* COMMIT: header ring = the new ring. One entry per member. */
#define COMMIT_FIXED 12u
#define COMMIT_ENTRY 44u
#define COMMIT_FILLED 0x01u
struct wire_commit_entry {
	uint32_t nodeid;
	uint32_t eflags;
	struct proto_ring_id old_ring;
	uint64_t aru;          /* old ring: all received up to */
	uint64_t high;         /* old ring: highest received */
	uint64_t stable;       /* old ring: known received by all */
};

struct wire_commit {
	uint64_t tseq;
	uint8_t pass;          /* 1: collect; 2: distribute */
	uint8_t n;
	struct wire_commit_entry e[PROTO_MAX_NODES];
};

/* Largest number of commit entries a datagram of `mtu` bytes holds. */
static inline size_t wire_commit_capacity(size_t mtu)
{
	size_t n = (mtu - WIRE_HDR_LEN - COMMIT_FIXED) / COMMIT_ENTRY;

	return n > PROTO_MAX_NODES ? PROTO_MAX_NODES : n;
}

struct wire_msg {
	struct wire_hdr h;
	union {
		struct wire_mcast mcast;
		struct wire_token token;
		struct wire_join join;
		struct wire_commit commit;
	} u;
};

/* Decodes a datagram. 0, or -EBADMSG (malformed), -EPROTONOSUPPORT
 * (unknown version), -EINVAL (unknown type). The cluster id is returned in
 * the header for the caller to check. */
int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *out);

/* Encoders write into `buf` of `cap` bytes and return the length, or 0 if
 * it does not fit. `h.version`/`max_version` are filled in. */
size_t wire_encode_mcast(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_mcast *m);
size_t wire_encode_token(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_token *t);
size_t wire_encode_join(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_join *j);
size_t wire_encode_commit(uint8_t *buf, size_t cap, const struct wire_hdr *h,
    const struct wire_commit *c);
size_t wire_encode_hdr_only(uint8_t *buf, size_t cap, const struct wire_hdr *h);

/* Walks the packed entries of an MCAST body: returns 1 and fills the
 * entry, 0 at the end, -EBADMSG if malformed. `*off` is the cursor. */
int wire_next_entry(const uint8_t *body, size_t len, size_t *off,
    uint8_t *flags, const uint8_t **data, uint32_t *dlen);

#endif /* COHORT_PROTO_WIRE_H */
