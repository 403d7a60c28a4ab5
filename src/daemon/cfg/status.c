/*
 * cfg/status.c: the configured nodes' addresses and the links' state as
 * this node sees them (NODE_ADDRS, NODE_STATUS, RING_STATUS).
 *
 * A link to a peer is what the transport's link health says of it
 * (transport_link_status: up once its heartbeats are answered, down when
 * they are not); the local node's own links are always connected, as
 * knet reports them. A node is reachable while any link to it is up.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <corosync/corotypes.h>
#include <netinet/in.h>

#include "daemon/cfg/cfg_int.h"
#include "daemon/config/config.h"
#include "daemon/ordering.h"
#include "daemon/transport/transport.h"

/* The MTU knet reports for a node's own (loopback) link. */
#define CFG_LOCAL_MTU 65535u
/* IPv6 and UDP headers: what a link's MTU carries beside a frame. */
#define CFG_IP_UDP_OVERHEAD 48u

static const struct cohort_node *find_node(const struct cohort_config *cfg,
    uint32_t nodeid)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == nodeid)
			return &cfg->nodes[i];
	return NULL;
}

static void put_str(struct wbuf *wb, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= 256)
		n = 255;
	wbuf_u32(wb, (uint32_t)n);
	wbuf_copy(wb, s, n);
}

/* The address `text` (as the configuration writes it) as a family and 16
 * bytes; an address that does not resolve is family 0, all zero. */
static void put_addr(struct wbuf *wb, const char *text)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	uint8_t bytes[16] = { 0 };
	uint32_t family = 0;

	if (getaddrinfo(text, NULL, &hints, &res) == 0 && res) {
		if (res->ai_family == AF_INET) {
			const struct sockaddr_in *s4 = (void *)res->ai_addr;

			family = AF_INET;
			memcpy(bytes, &s4->sin_addr, 4);
		} else if (res->ai_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (void *)res->ai_addr;

			family = AF_INET6;
			memcpy(bytes, &s6->sin6_addr, 16);
		}
	}
	if (res)
		freeaddrinfo(res);
	wbuf_u32(wb, family);
	wbuf_copy(wb, bytes, sizeof(bytes));
}

uint32_t cfg_node_addrs(const struct cfg_svc *svc, uint32_t nodeid,
    struct wbuf *wb)
{
	const struct cohort_node *n = find_node(cfg_nodes(svc),
	    nodeid ? nodeid : svc->env.nodeid);
	uint32_t count = 0;

	if (!n)
		return CS_ERR_NOT_EXIST;
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++)
		if (n->addr[l] && *n->addr[l])
			count++;
	wbuf_u32(wb, count);
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++)
		if (n->addr[l] && *n->addr[l])
			put_addr(wb, n->addr[l]);
	return CS_OK;
}

/* The UDP payload a frame on a link may carry. */
static uint32_t link_mtu(const struct cohort_config *cfg)
{
	uint32_t mtu = cfg->netmtu;

	if (cfg->transport == COHORT_TRANSPORT_KNET)
		mtu = cfg->knet_mtu ? cfg->knet_mtu :
		    COHORT_CONFIG_DEFAULT_KNET_MTU;
	return mtu - CFG_IP_UDP_OVERHEAD;
}

struct link_view {
	bool enabled, connected;
	uint32_t mtu;
	const char *src, *dst;
};

static void link_of(const struct cfg_svc *svc, const struct cohort_node *self,
    const struct cohort_node *n, size_t l, struct link_view *v)
{
	struct transport_link_status st;
	bool local = n == self;

	memset(v, 0, sizeof(*v));
	if (!self->addr[l] || !n->addr[l])
		return;
	v->enabled = true;
	v->connected = local;
	v->mtu = local ? CFG_LOCAL_MTU : link_mtu(svc->env.cfg);
	v->src = self->addr[l];
	v->dst = n->addr[l];
	/* A one-node cluster has no transport: no peer to reach. */
	if (!local && svc->env.transport &&
	    transport_link_status(svc->env.transport, n->nodeid,
	    (unsigned)l, &st) == 0) {
		v->enabled = st.enabled;
		v->connected = st.connected;
	}
}

/* Whether any link to `n` is up (the node itself always is). */
static bool reachable(const struct cfg_svc *svc,
    const struct cohort_node *self, const struct cohort_node *n)
{
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		struct link_view v;

		link_of(svc, self, n, l, &v);
		if (v.connected)
			return true;
	}
	return false;
}

uint32_t cfg_node_status(const struct cfg_svc *svc, uint32_t nodeid,
    uint32_t version, struct wbuf *wb)
{
	const struct cohort_node *self = find_node(cfg_nodes(svc),
	    svc->env.nodeid);
	const struct cohort_node *n = find_node(cfg_nodes(svc), nodeid);

	if (version != CFG_STATUS_VERSION_1)
		return CS_ERR_NOT_SUPPORTED;
	if (!n || !self)
		return CS_ERR_FAILED_OPERATION;
	wbuf_u32(wb, nodeid);
	wbuf_u8(wb, reachable(svc, self, n));
	wbuf_u8(wb, 0);      /* remote */
	wbuf_u8(wb, 0);      /* external */
	wbuf_u8(wb, 0);      /* onwire_min, _max, _ver: knet's, none here */
	wbuf_u8(wb, 0);
	wbuf_u8(wb, 0);
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		struct link_view v;

		link_of(svc, self, n, l, &v);
		wbuf_u8(wb, v.enabled);
		wbuf_u8(wb, v.connected);
		wbuf_u8(wb, 0);  /* dynconnected: no dynamic addresses */
		wbuf_u32(wb, v.mtu);
		put_str(wb, v.src);
		put_str(wb, v.dst);
	}
	return CS_OK;
}

static int by_nodeid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t cfg_ring_status(const struct cfg_svc *svc, struct wbuf *wb)
{
	const struct cohort_config *cfg = cfg_nodes(svc);
	const struct cohort_node *self = find_node(cfg, svc->env.nodeid);
	uint32_t ids[COHORT_CONFIG_MAX_NODES];
	uint32_t count = 0;

	if (!self)
		return CS_ERR_FAILED_OPERATION;
	for (size_t i = 0; i < cfg->n_nodes; i++)
		ids[i] = cfg->nodes[i].nodeid;
	qsort(ids, cfg->n_nodes, sizeof(ids[0]), by_nodeid);
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++)
		if (self->addr[l])
			count++;
	wbuf_u32(wb, count);
	for (size_t l = 0; l < COHORT_CONFIG_MAX_LINKS; l++) {
		char name[300], st[COHORT_CONFIG_MAX_NODES + 1];

		if (!self->addr[l])
			continue;
		snprintf(name, sizeof(name), "%zu %s", l, self->addr[l]);
		/* One character per node by node id: 'n' this node, else
		 * '0' + (enabled | connected << 1), as corosync-cfgtool -sb. */
		for (size_t i = 0; i < cfg->n_nodes; i++) {
			const struct cohort_node *n = find_node(cfg, ids[i]);
			struct link_view v;

			link_of(svc, self, n, l, &v);
			st[i] = n == self ? 'n' :
			    (char)('0' + (v.enabled | v.connected << 1));
		}
		st[cfg->n_nodes] = '\0';
		put_str(wb, name);
		put_str(wb, st);
	}
	return CS_OK;
}
