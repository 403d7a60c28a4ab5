/*
 * cmap_wire.c: libcmap's decoders of the daemon's replies and events
 * (cmap_wire.h).
 */
#include <errno.h>
#include <string.h>

#include "lib/cmap/cmap_wire.h"

static int done(const struct rbuf *rb)
{
	return rb->err || rb->left ? -EBADMSG : 0;
}

/* A key as the wire's "str", into a NUL-terminated buffer. */
static int get_key(struct rbuf *rb, char key[CMAP_KEYNAME_MAXLEN + 1])
{
	uint32_t len = rbuf_u32(rb);

	if (rb->err || len > CMAP_KEYNAME_MAXLEN)
		return -EBADMSG;
	rbuf_copy(rb, key, len);
	key[rb->err ? 0 : len] = '\0';
	return rb->err ? -EBADMSG : 0;
}

static void get_value(struct rbuf *rb, struct cmap_wire_value *v)
{
	v->type = rbuf_u32(rb);
	v->len = rbuf_u32(rb);
	v->bytes = rbuf_take(rb, v->len);
}

int cmap_wire_notify_get(struct rbuf *rb, struct cmap_wire_notify *n)
{
	n->track = rbuf_u64(rb);
	n->cookie = rbuf_u64(rb);
	n->event = rbuf_u32(rb);
	if (get_key(rb, n->key) < 0)
		return -EBADMSG;
	get_value(rb, &n->new_value);
	get_value(rb, &n->old_value);
	return done(rb);
}

int cmap_wire_get_reply(struct rbuf *rb, void *value, size_t room,
    uint32_t *type, uint32_t *len)
{
	*type = rbuf_u32(rb);
	*len = rbuf_u32(rb);
	if (value) {
		/* The daemon refuses a value longer than the room asked. */
		if (*len > room)
			return -EBADMSG;
		rbuf_copy(rb, value, *len);
	}
	return done(rb);
}

int cmap_wire_next_reply(struct rbuf *rb, char key[CMAP_KEYNAME_MAXLEN + 1],
    uint32_t *type, uint32_t *len)
{
	if (get_key(rb, key) < 0)
		return -EBADMSG;
	*type = rbuf_u32(rb);
	*len = rbuf_u32(rb);
	return done(rb);
}

int cmap_wire_u64(void *arg, struct rbuf *rb)
{
	*(uint64_t *)arg = rbuf_u64(rb);
	return done(rb);
}
