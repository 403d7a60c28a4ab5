/*
 * util.c: helpers every part of the engine uses: logging, the nodelist
 * index of a node, sending a datagram, a header for this node, and sets
 * of node ids.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/internal.h"

void util_log(struct proto *p, enum proto_log_level level, const char *fmt,
    ...)
{
	char line[256];
	va_list ap;

	if (!p->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->ops.log(p->ctx, (int)level, line);
}

int util_node_index(const struct proto *p, uint32_t nodeid)
{
	for (size_t i = 0; i < p->cfg.n_nodes; i++)
		if (p->cfg.nodes[i] == nodeid)
			return (int)i;
	return -1;
}

void util_send(struct proto *p, uint32_t to, const uint8_t *buf, size_t len)
{
	if (p->cfg.n_nodes == 1 || to == p->cfg.local_nodeid)
		return;
	p->stats.tx_datagrams++;
	p->ops.send(p->ctx, to, buf, len);
}

struct wire_hdr util_hdr(const struct proto *p, uint8_t type,
    struct proto_ring_id ring)
{
	return (struct wire_hdr){ .version = WIRE_VERSION,
	    .max_version = WIRE_VERSION, .type = type,
	    .cluster_id = p->cfg.cluster_id, .sender = p->cfg.local_nodeid,
	    .ring = ring };
}

bool idset_has(const struct idset *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->id[i] == id)
			return true;
	return false;
}

/* Inserts in order; false if already present or full. */
bool idset_add(struct idset *s, uint32_t id)
{
	size_t i;

	if (idset_has(s, id) || s->n == PROTO_MAX_NODES)
		return false;
	for (i = s->n; i > 0 && s->id[i - 1] > id; i--)
		s->id[i] = s->id[i - 1];
	s->id[i] = id;
	s->n++;
	return true;
}

bool idset_eq(const struct idset *a, const struct idset *b)
{
	return a->n == b->n && !memcmp(a->id, b->id, a->n * sizeof(uint32_t));
}

void idset_minus(struct idset *out, const struct idset *a,
    const struct idset *b)
{
	out->n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (!idset_has(b, a->id[i]))
			out->id[out->n++] = a->id[i];
}
