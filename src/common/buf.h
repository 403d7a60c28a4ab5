/*
 * buf.h: bounds-checked byte readers and writers.
 *
 * Everything that decodes bytes from outside (IPC frames, CPG service
 * messages, the protocol's datagrams) goes through a `struct rbuf`: each
 * get checks the remaining length first and, once a read has failed,
 * every later read fails too, so a decoder can read all fields and check
 * `rb.err` once at the end. Writers mirror the readers. Byte order is
 * little-endian on the IPC (one host) and network order where the caller
 * says so (the _be variants).
 */
#ifndef COHORT_BUF_H
#define COHORT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rbuf {
	const uint8_t *p;  /* next byte; borrowed, owned by the caller */
	size_t left;
	bool err;          /* sticky: set by the first failed read */
};

static inline void rbuf_init(struct rbuf *rb, const void *p, size_t len)
{
	rb->p = p;
	rb->left = len;
	rb->err = false;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL. */
static inline const uint8_t *rbuf_take(struct rbuf *rb, size_t n)
{
	const uint8_t *at;

	if (rb->err || rb->left < n) {
		rb->err = true;
		return NULL;
	}
	at = rb->p;
	rb->p += n;
	rb->left -= n;
	return at;
}

static inline uint8_t rbuf_u8(struct rbuf *rb)
{
	const uint8_t *b = rbuf_take(rb, 1);

	return b ? b[0] : 0;
}

static inline uint16_t rbuf_u16(struct rbuf *rb)
{
	const uint8_t *b = rbuf_take(rb, 2);

	return b ? (uint16_t)(b[0] | b[1] << 8) : 0;
}

static inline uint32_t rbuf_u32(struct rbuf *rb)
{
	const uint8_t *b = rbuf_take(rb, 4);

	return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 |
	    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}

static inline uint64_t rbuf_u64(struct rbuf *rb)
{
	uint64_t lo = rbuf_u32(rb);

	return lo | (uint64_t)rbuf_u32(rb) << 32;
}

static inline void rbuf_copy(struct rbuf *rb, void *dst, size_t n)
{
	const uint8_t *b = rbuf_take(rb, n);

	if (b)
		memcpy(dst, b, n);
}

struct wbuf {
	uint8_t *p;        /* borrowed, owned by the caller */
	size_t cap, len;
	bool err;          /* sticky: set when a write did not fit */
};

static inline void wbuf_init(struct wbuf *wb, void *p, size_t cap)
{
	wb->p = p;
	wb->cap = cap;
	wb->len = 0;
	wb->err = false;
}

/* Reserves n bytes and returns where to write them, or NULL. */
static inline uint8_t *wbuf_take(struct wbuf *wb, size_t n)
{
	uint8_t *at;

	if (wb->err || wb->cap - wb->len < n) {
		wb->err = true;
		return NULL;
	}
	at = wb->p + wb->len;
	wb->len += n;
	return at;
}

static inline void wbuf_u8(struct wbuf *wb, uint8_t v)
{
	uint8_t *b = wbuf_take(wb, 1);

	if (b)
		b[0] = v;
}

static inline void wbuf_u16(struct wbuf *wb, uint16_t v)
{
	uint8_t *b = wbuf_take(wb, 2);

	if (b) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
}

static inline void wbuf_u32(struct wbuf *wb, uint32_t v)
{
	uint8_t *b = wbuf_take(wb, 4);

	if (b) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)(v >> 16);
		b[3] = (uint8_t)(v >> 24);
	}
}

static inline void wbuf_u64(struct wbuf *wb, uint64_t v)
{
	wbuf_u32(wb, (uint32_t)v);
	wbuf_u32(wb, (uint32_t)(v >> 32));
}

static inline void wbuf_copy(struct wbuf *wb, const void *src, size_t n)
{
	uint8_t *b = wbuf_take(wb, n);

	if (b && n)
		memcpy(b, src, n);
}

/* Network byte order (big-endian): the protocol's datagrams. */
static inline uint16_t rbuf_be16(struct rbuf *rb)
{
	const uint8_t *b = rbuf_take(rb, 2);

	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

static inline uint32_t rbuf_be32(struct rbuf *rb)
{
	const uint8_t *b = rbuf_take(rb, 4);

	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3] : 0;
}

static inline uint64_t rbuf_be64(struct rbuf *rb)
{
	uint64_t hi = rbuf_be32(rb);

	return hi << 32 | rbuf_be32(rb);
}

static inline void wbuf_be16(struct wbuf *wb, uint16_t v)
{
	uint8_t *b = wbuf_take(wb, 2);

	if (b) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	}
}

static inline void wbuf_be32(struct wbuf *wb, uint32_t v)
{
	uint8_t *b = wbuf_take(wb, 4);

	if (b) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	}
}

static inline void wbuf_be64(struct wbuf *wb, uint64_t v)
{
	wbuf_be32(wb, (uint32_t)(v >> 32));
	wbuf_be32(wb, (uint32_t)v);
}

/* Little-endian store/load for patching headers in place. */
static inline void put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

#endif /* COHORT_BUF_H */
