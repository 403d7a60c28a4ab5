/*
 * transport.c: the transport's sockets, its set-up and tear-down, and what
 * it tells the daemon (the other parts: transport_int.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/transport/transport_int.h"

#define KEYFILE_MIN 128u
#define KEYFILE_MAX 4096u

uint64_t tr_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const struct transport_peer *tr_link_peer(const struct transport *t,
    size_t pi, unsigned l)
{
	return l == 0 ? &t->cfg.peers[pi] : &t->cfg.link_addr[pi][l];
}

bool tr_cuts(const struct transport *t)
{
	return t->chunk < t->cfg.max_payload;
}

const struct transport_peer *tr_peer_by_id(const struct transport *t,
    uint32_t id)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == id)
			return &t->cfg.peers[i];
	return NULL;
}

int transport_add_peer(struct transport *t, const struct transport_peer *peer,
    const struct transport_peer link_addr[LINKS_MAX])
{
	size_t pi = t->cfg.n_peers, si;
	uint8_t mask = 0;
	const struct transport_peer *self = tr_peer_by_id(t,
	    t->cfg.local_nodeid);

	if (peer->nodeid == 0 || tr_peer_by_id(t, peer->nodeid) ||
	    !self || peer->addr.ss_family != self->addr.ss_family)
		return -EINVAL;
	if (pi == PROTO_MAX_NODES)
		return -ENOSPC;
	if (t->dedup) {
		struct dedup_slot *grown = realloc(t->dedup,
		    (pi + 1) * 2 * DEDUP_SLOTS * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		memset(grown + pi * 2 * DEDUP_SLOTS, 0,
		    2 * DEDUP_SLOTS * sizeof(*grown));
		t->dedup = grown;
	}
	si = (size_t)(self - t->cfg.peers);
	/* Its state by index (windows, reassembly, link, warnings) was
	 * never used: it starts empty, as at start. */
	t->cfg.peers[pi] = *peer;
	memset(t->cfg.link_addr[pi], 0, sizeof(t->cfg.link_addr[pi]));
	for (unsigned l = 1; link_addr && l < LINKS_MAX; l++)
		t->cfg.link_addr[pi][l] = link_addr[l];
	/* The links both nodes have an address on (the local node's
	 * sockets are those it started with: its addresses cannot change). */
	for (unsigned l = 0; l < LINKS_MAX; l++)
		if (tr_link_peer(t, si, l)->addr_len &&
		    tr_link_peer(t, pi, l)->addr_len)
			mask |= (uint8_t)(1u << l);
	if (t->heartbeats)
		links_add_peer(&t->links, pi, peer->nodeid, mask, tr_now_us());
	t->cfg.n_peers++;
	return 0;
}

/* Peer `from`'s state moves to index `to` (`to`'s is gone). */
static void move_peer(struct transport *t, size_t from, size_t to)
{
	for (size_t s = 0; s < TRANSPORT_REASM_SLOTS; s++) {
		free(t->reasm[to][s].buf);
		t->reasm[to][s] = t->reasm[from][s];
		t->reasm[from][s] = (struct reasm){ 0 };
	}
	free(t->peer_summary[to]);
	t->peer_summary[to] = t->peer_summary[from];
	t->peer_summary[from] = NULL;
	t->peer_summary_len[to] = t->peer_summary_len[from];
	t->cfg.peers[to] = t->cfg.peers[from];
	t->last_rx[to] = t->last_rx[from];
	t->unreach.peer[to] = t->unreach.peer[from];
	memcpy(t->warn[to], t->warn[from], sizeof(t->warn[to]));
	memcpy(t->win[to], t->win[from], sizeof(t->win[to]));
	t->cfg_differs[to] = t->cfg_differs[from];
	t->summary_sent_at[to] = t->summary_sent_at[from];
	t->tx_counter[to] = t->tx_counter[from];
	memcpy(t->cfg.link_addr[to], t->cfg.link_addr[from],
	    sizeof(t->cfg.link_addr[to]));
	t->links.peer[to] = t->links.peer[from];
	if (t->dedup)
		memcpy(t->dedup + to * 2 * DEDUP_SLOTS,
		    t->dedup + from * 2 * DEDUP_SLOTS,
		    2 * DEDUP_SLOTS * sizeof(*t->dedup));
}

/* Index `i`'s state, as a peer never heard of has it. */
static void clear_peer(struct transport *t, size_t i)
{
	for (size_t s = 0; s < TRANSPORT_REASM_SLOTS; s++) {
		free(t->reasm[i][s].buf);
		t->reasm[i][s] = (struct reasm){ 0 };
	}
	free(t->peer_summary[i]);
	t->peer_summary[i] = NULL;
	t->peer_summary_len[i] = 0;
	t->cfg.peers[i] = (struct transport_peer){ 0 };
	t->last_rx[i] = 0;
	t->unreach.peer[i] = (struct unreach_peer){ 0 };
	memset(t->warn[i], 0, sizeof(t->warn[i]));
	memset(t->win[i], 0, sizeof(t->win[i]));
	t->cfg_differs[i] = false;
	t->summary_sent_at[i] = 0;
	t->tx_counter[i] = 0;
	memset(t->cfg.link_addr[i], 0, sizeof(t->cfg.link_addr[i]));
	t->links.peer[i] = (struct links_peer){ 0 };
	if (t->dedup)
		memset(t->dedup + i * 2 * DEDUP_SLOTS, 0,
		    2 * DEDUP_SLOTS * sizeof(*t->dedup));
}

int transport_remove_peer(struct transport *t, uint32_t nodeid)
{
	const struct transport_peer *p = tr_peer_by_id(t, nodeid);
	size_t i, last = t->cfg.n_peers - 1;

	if (!p || nodeid == t->cfg.local_nodeid)
		return -EINVAL;
	i = (size_t)(p - t->cfg.peers);
	/* The last peer takes its place, with all it has. */
	if (i != last)
		move_peer(t, last, i);
	clear_peer(t, last);
	t->cfg.n_peers--;
	if (t->links.n_peers > t->cfg.n_peers)
		t->links.n_peers = t->cfg.n_peers;
	t->win_moved = true;
	return 0;
}

bool tr_same_addr(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

const char *tr_addr_str(const struct sockaddr_storage *a, char *buf,
    size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;

		inet_ntop(AF_INET, &x->sin_addr, ip, sizeof(ip));
		port = ntohs(x->sin_port);
		snprintf(buf, len, "%s:%u", ip, port);
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;

		inet_ntop(AF_INET6, &x->sin6_addr, ip, sizeof(ip));
		port = ntohs(x->sin6_port);
		snprintf(buf, len, "[%s]:%u", ip, port);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

bool tr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	return a->ss_family == AF_INET6 && memcmp(
	    &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

bool tr_may_warn(struct transport *t, size_t pi, enum warn_kind kind,
    uint64_t *held)
{
	return log_gate_pass(&t->warn[pi][kind], loop_now(t->loop),
	    TRANSPORT_WARN_MS, held);
}

/* Socket buffers: room for 128 of the largest datagrams (two windows; a
 * large datagram arrives as many frames, truesize well above the
 * payload), at least 4 MiB, beyond net.core.rmem_max/wmem_max where the
 * daemon may (CAP_NET_ADMIN, as knet; Debian's default limit is 208 KiB). */
static void set_buffer(const struct transport *t, int fd, int opt,
    int force_opt)
{
	size_t want = (t->cfg.max_payload + TRANSPORT_OVERHEAD) * 128;
	int bytes = 4 << 20;

	if (want > (size_t)bytes)
		bytes = (int)want;
	/* Without the capability, the plain option, which the kernel caps
	 * at its limit without failing. */
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes)) < 0)
		log_warn("transport: cannot set the socket's %s buffer to %d "
		    "bytes; the kernel's default stays",
		    opt == SO_RCVBUF ? "receive" : "send", bytes);
}

/* Sets an integer socket option the transport works without, `what`
 * saying what is lost, in a warning, when it cannot be set. */
static void sock_option(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		log_warn("transport: %s", what);
}

/* The index of the interface that has address `a` (port ignored), 0 if
 * none has it. */
static unsigned int ifindex_of(const struct sockaddr_storage *a)
{
	struct ifaddrs *ifs, *i;
	unsigned int idx = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !idx; i = i->ifa_next) {
		struct sockaddr_storage x = { 0 };

		if (!i->ifa_addr || i->ifa_addr->sa_family != a->ss_family)
			continue;
		memcpy(&x, i->ifa_addr, a->ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		/* same_addr compares ports too: give x the port of a. */
		if (a->ss_family == AF_INET)
			((struct sockaddr_in *)&x)->sin_port =
			    ((const struct sockaddr_in *)a)->sin_port;
		else
			((struct sockaddr_in6 *)&x)->sin6_port =
			    ((const struct sockaddr_in6 *)a)->sin6_port;
		if (tr_same_addr(&x, a))
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifs);
	return idx;
}

/* The socket that receives the group's datagrams: bound to the group's
 * address and port, joined with `join` (a membership request of size
 * `len` at IP level `level`, option `opt`). */
static int group_socket(struct transport *t, const struct sockaddr_storage *g,
    socklen_t glen, int level, int opt, const void *join, socklen_t len)
{
	t->mfd = socket(g->ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (t->mfd < 0)
		return -errno;
	sock_option(t->mfd, SOL_SOCKET, SO_REUSEADDR, 1, "the multicast "
	    "socket cannot share its address (SO_REUSEADDR)");
	if (tr_cuts(t))
		sock_option(t->mfd, SOL_UDP, UDP_GRO, 1, "no receive offload "
		    "(UDP_GRO) on the multicast socket: frames read one by one");
	set_buffer(t, t->mfd, SO_RCVBUF, SO_RCVBUFFORCE);
	if (bind(t->mfd, (const struct sockaddr *)g, glen) < 0 ||
	    setsockopt(t->mfd, level, opt, join, len) < 0)
		return -errno;
	return 0;
}

bool transport_is_multicast(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)(const void *)
		    a)->sin_addr.s_addr));
	return a->ss_family == AF_INET6 && IN6_IS_ADDR_MULTICAST(
	    &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr);
}

/* The multicast side: the sending options of the unicast socket (out
 * through the node's own interface, time to live 1, no loopback) and a
 * second socket bound to the group's address and port, joined there. */
static int open_group(struct transport *t, const struct transport_peer *self)
{
	const struct sockaddr_storage *g = &t->cfg.mcast;
	unsigned int ifindex = ifindex_of(&self->addr);
	int one = 1, zero = 0, rc;

	if (g->ss_family != self->addr.ss_family || !transport_is_multicast(g))
		return -EINVAL;
	if (g->ss_family == AF_INET) {
		const struct sockaddr_in *ga = (const void *)g;
		const struct sockaddr_in *sa = (const void *)&self->addr;
		struct ip_mreqn mr = { .imr_multiaddr = ga->sin_addr,
		    .imr_address = sa->sin_addr, .imr_ifindex = (int)ifindex };

		if (setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr,
		    sizeof(mr)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
		    sizeof(zero)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IP, IP_MULTICAST_TTL, &one,
		    sizeof(one)) < 0)
			return -errno;
		rc = group_socket(t, g, sizeof(*ga), IPPROTO_IP,
		    IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		const struct sockaddr_in6 *ga = (const void *)g;
		struct ipv6_mreq mr = { .ipv6mr_multiaddr = ga->sin6_addr,
		    .ipv6mr_interface = ifindex };

		if (setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		    sizeof(ifindex)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero,
		    sizeof(zero)) < 0 ||
		    setsockopt(t->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one,
		    sizeof(one)) < 0)
			return -errno;
		rc = group_socket(t, g, sizeof(*ga), IPPROTO_IPV6,
		    IPV6_JOIN_GROUP, &mr, sizeof(mr));
	}
	if (rc < 0)
		return rc;
	t->group.addr = *g;
	t->group.addr_len = t->cfg.mcast_len;
	return loop_add_fd(t->loop, t->mfd, EPOLLIN, tr_on_readable, t, &t->mreg);
}

/* The sizes of frames and buffers: a datagram in one frame, or cut to
 * cfg->frame_max. 0, or -EINVAL for a frame_max out of range. */
static int frame_sizes(struct transport *t, const struct transport_config *cfg)
{
	t->frame = cfg->max_payload + TRANSPORT_OVERHEAD;
	if (cfg->frame_max && cfg->frame_max < t->frame) {
		if (cfg->frame_max < TRANSPORT_FRAME_MIN)
			return -EINVAL;
		t->frame = cfg->frame_max;
		t->chunk = t->frame - TRANSPORT_OVERHEAD - TRANSPORT_FRAG_HDR_LEN;
		if ((cfg->max_payload + t->chunk - 1) / t->chunk >
		    TRANSPORT_MAX_FRAGS)
			return -EINVAL;
	} else {
		/* Never cut: every datagram fits one frame. */
		t->chunk = cfg->max_payload;
	}
	t->slot = t->frame + 1;
	t->rx_slot = t->slot;
	t->rx_batch = BATCH;
	/* Cut datagrams: their frames may arrive coalesced (UDP_GRO),
	 * up to 64 KiB a read. */
	if (tr_cuts(t)) {
		t->rx_slot = GRO_SLOT;
		t->rx_batch = GRO_BATCH;
	}
	return 0;
}

/* A unicast socket, bound to the local node's address `self` on a link,
 * in *out. 0 or -errno. */
static int open_socket(struct transport *t, const struct transport_peer *self,
    int *out)
{
	int fd = socket(self->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	*out = fd;
	if (fd < 0)
		return -errno;
	sock_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "the socket cannot "
	    "share its address (SO_REUSEADDR)");
	set_buffer(t, fd, SO_RCVBUF, SO_RCVBUFFORCE);
	set_buffer(t, fd, SO_SNDBUF, SO_SNDBUFFORCE);
	/* ICMP errors about our datagrams: a closed port means a dead
	 * daemon, reported at once (cfg->unreachable). */
	if (self->addr.ss_family == AF_INET)
		sock_option(fd, SOL_IP, IP_RECVERR, 1, "no ICMP errors "
		    "(IP_RECVERR): a closed port is noticed at the token "
		    "timeout only");
	else
		sock_option(fd, SOL_IPV6, IPV6_RECVERR, 1, "no ICMP errors "
		    "(IPV6_RECVERR): a closed port is noticed at the token "
		    "timeout only");
	/* Cut datagrams: their frames leave in one send each where the
	 * kernel takes UDP_SEGMENT (4.18; an older one would ignore the
	 * control message and send them as one datagram, so it is probed
	 * here and the socket's default left at 0), and may arrive
	 * coalesced (UDP_GRO, 5.0; without it one by one). */
	if (tr_cuts(t)) {
		int seg = (int)t->frame, zero = 0;

		/* Link 0's socket says for every link. */
		if (out == &t->lfd[0])
			t->gso = setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg,
			    sizeof(seg)) == 0 && setsockopt(fd, SOL_UDP,
			    UDP_SEGMENT, &zero, sizeof(zero)) == 0;
		sock_option(fd, SOL_UDP, UDP_GRO, 1, "no receive offload "
		    "(UDP_GRO): frames read one by one");
	}
	if (bind(fd, (const struct sockaddr *)&self->addr,
	    self->addr_len) < 0)
		return -errno;
	return 0;
}

/* Closes the links' sockets. */
static void close_links(struct transport *t)
{
	for (unsigned k = 0; k < LINKS_MAX; k++) {
		if (t->lreg[k])
			loop_del_fd(t->loop, t->lreg[k]);
		if (t->lfd[k] >= 0)
			close(t->lfd[k]);
		t->lreg[k] = NULL;
		t->lfd[k] = -1;
	}
}

static bool several_links(const struct transport *t)
{
	for (unsigned k = 1; k < LINKS_MAX; k++)
		if (t->lfd[k] >= 0)
			return true;
	return false;
}

/* A socket on each link the local node (peer `self`) has an address on;
 * link 0's always. 0 or -errno. */
static int open_links(struct transport *t, size_t self)
{
	for (unsigned k = 0; k < LINKS_MAX; k++) {
		const struct transport_peer *a = tr_link_peer(t, self, k);
		int rc;

		if (!a->addr_len)
			continue;
		rc = open_socket(t, a, &t->lfd[k]);
		if (rc == 0)
			rc = loop_add_fd(t->loop, t->lfd[k], EPOLLIN,
			    tr_on_readable, t, &t->lreg[k]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The cluster key, in memory that sodium locks and wipes. */
static int keep_key(struct transport *t, const uint8_t *key)
{
	t->key = sodium_malloc(TRANSPORT_KEY_LEN);
	if (!t->key)
		return -ENOMEM;
	memcpy(t->key, key, TRANSPORT_KEY_LEN);
	/* sodium_malloc locked it if it could: say so when it could
	 * not (RLIMIT_MEMLOCK reached). */
	if (sodium_mlock(t->key, TRANSPORT_KEY_LEN) < 0)
		log_warn("transport: cannot lock the cluster key in "
		    "memory, it may be swapped out");
	return 0;
}

int transport_new(struct loop *l, const struct transport_config *cfg,
    transport_rx_fn rx, void *arg, struct transport **out)
{
	const struct transport_peer *self;
	struct transport *t;
	int rc;

	if (sodium_init() < 0)
		return -EIO;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->loop = l;
	t->fd = -1;
	t->mfd = -1;
	for (unsigned k = 0; k < LINKS_MAX; k++)
		t->lfd[k] = -1;
	t->cfg = *cfg;
	t->rx = rx;
	t->arg = arg;
	t->sealed = cfg->key != NULL;
	t->cfg.key = NULL;   /* the caller's copy: not kept */
	if (t->sealed && keep_key(t, cfg->key) < 0) {
		free(t);
		return -ENOMEM;
	}
	unreach_init(&t->unreach, cfg->unreachable_quiet_ms,
	    cfg->unreachable_age_ms);
	t->unreach_timer.fn = tr_on_unreach_due;
	t->unreach_timer.arg = t;
	t->digest_timer.fn = tr_on_digest_due;
	t->digest_timer.arg = t;
	rc = -EINVAL;
	if (cfg->incarnation == 0 || frame_sizes(t, cfg) < 0)
		goto fail;
	randombytes_buf(&t->next_id, sizeof(t->next_id));
	t->tx_buf = malloc(t->slot * BATCH);
	t->rx_buf = malloc(t->rx_slot * t->rx_batch);
	self = tr_peer_by_id(t, cfg->local_nodeid);
	rc = -ENOMEM;
	if (!t->tx_buf || !t->rx_buf)
		goto fail;
	rc = -EINVAL;
	if (!self)
		goto fail;
	rc = open_links(t, (size_t)(self - t->cfg.peers));
	if (rc < 0)
		goto fail;
	t->fd = t->lfd[0];
	t->reg = t->lreg[0];
	if (cfg->mcast_len && (rc = open_group(t, self)) < 0)
		goto fail;
	/* Without a key there is no replay window: the copies of a frame
	 * sent over two links are told apart by dedup (transport_rx.c). */
	rc = -ENOMEM;
	t->dedup_links = several_links(t);
	if (!t->sealed && t->dedup_links && !(t->dedup = calloc(
	    t->cfg.n_peers * 2 * DEDUP_SLOTS, sizeof(*t->dedup))))
		goto fail;
	tr_links_start(t);
	*out = t;
	return 0;
fail:
	if (t->mreg)
		loop_del_fd(l, t->mreg);
	if (t->mfd >= 0)
		close(t->mfd);
	close_links(t);
	free(t->tx_buf);
	free(t->rx_buf);
	sodium_free(t->key);
	free(t);
	return rc;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	transport_flush(t);
	loop_timer_disarm(t->loop, &t->unreach_timer);
	loop_timer_disarm(t->loop, &t->hb_timer);
	loop_timer_disarm(t->loop, &t->digest_timer);
	close_links(t);
	free(t->dedup);
	if (t->mfd >= 0) {
		loop_del_fd(t->loop, t->mreg);
		close(t->mfd);
	}
	free(t->tx_buf);
	free(t->rx_buf);
	for (size_t i = 0; i < PROTO_MAX_NODES; i++) {
		for (unsigned k = 0; k < TRANSPORT_REASM_SLOTS; k++)
			free(t->reasm[i][k].buf);
		free(t->peer_summary[i]);
	}
	sodium_free(t->key);
	free(t);
}

void transport_stats(const struct transport *t, struct transport_stats *st)
{
	int v = 0;
	socklen_t len = sizeof(v);

	*st = t->st;
	if (getsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0)
		st->rcvbuf = (uint64_t)v;
	len = sizeof(v);
	if (getsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0)
		st->sndbuf = (uint64_t)v;
}

int transport_derive_key(const uint8_t *file, size_t len,
    const char *cluster_name, uint8_t key[TRANSPORT_KEY_LEN])
{
	static const char context[] = "cohort cluster key v1";
	crypto_generichash_state h;

	if (len < KEYFILE_MIN || len > KEYFILE_MAX)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_generichash_init(&h, NULL, 0, TRANSPORT_KEY_LEN);
	crypto_generichash_update(&h, (const uint8_t *)context, sizeof(context));
	crypto_generichash_update(&h, (const uint8_t *)cluster_name,
	    strlen(cluster_name) + 1);
	crypto_generichash_update(&h, file, len);
	crypto_generichash_final(&h, key, TRANSPORT_KEY_LEN);
	/* The state holds what the key was made of. */
	sodium_memzero(&h, sizeof(h));
	return 0;
}

uint64_t transport_last_rx(const struct transport *t, uint32_t nodeid)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == nodeid)
			return t->last_rx[i];
	return 0;
}

bool transport_peer_config(const struct transport *t, uint32_t nodeid,
    const uint8_t **summary, size_t *len)
{
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		if (t->cfg.peers[i].nodeid == nodeid && t->cfg_differs[i]) {
			*summary = t->peer_summary[i];
			*len = t->peer_summary_len[i];
			return true;
		}
	return false;
}

bool transport_windows_changed(const struct transport *t)
{
	return t->win_moved;
}

size_t transport_windows_save(struct transport *t, uint8_t *buf)
{
	struct wbuf wb;

	wbuf_init(&wb, buf, TRANSPORT_WINDOWS_MAX);
	for (size_t i = 0; i < t->cfg.n_peers; i++)
		for (uint8_t k = 0; k < 2; k++) {
			const struct replay_window *w = &t->win[i][k];

			if (!w->incarnation)
				continue;
			wbuf_be32(&wb, t->cfg.peers[i].nodeid);
			wbuf_u8(&wb, k);
			wbuf_be64(&wb, w->incarnation);
			wbuf_be64(&wb, w->top);
		}
	/* TRANSPORT_WINDOWS_MAX holds two records for every node. */
	if (wb.err)
		fatalx("transport: the replay windows overflow their buffer");
	t->win_moved = false;
	return wb.len;
}

int transport_windows_load(struct transport *t, const uint8_t *buf,
    size_t len)
{
	struct rbuf rb;

	if (len % TRANSPORT_WINDOW_REC || len > TRANSPORT_WINDOWS_MAX)
		return -EINVAL;
	rbuf_init(&rb, buf, len);
	while (rb.left > 0) {
		const struct transport_peer *p = tr_peer_by_id(t,
		    rbuf_be32(&rb));
		uint8_t stream = rbuf_u8(&rb);
		uint64_t inc = rbuf_be64(&rb), top = rbuf_be64(&rb);

		if (!p || stream > 1 || inc == 0 ||
		    p->nodeid == t->cfg.local_nodeid)
			continue;
		replay_restore(&t->win[p - t->cfg.peers][stream], inc, top);
	}
	return 0;
}

int transport_link_status(const struct transport *t, uint32_t nodeid,
    unsigned link, struct transport_link_status *st)
{
	const struct transport_peer *p = tr_peer_by_id(t, nodeid);
	const struct transport_peer *self = tr_peer_by_id(t,
	    t->cfg.local_nodeid);
	const struct transport_peer *src, *dst;
	struct link_status ls;
	size_t pi;

	if (link >= LINKS_MAX)
		return -EINVAL;
	if (!p)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	pi = (size_t)(p - t->cfg.peers);
	src = tr_link_peer(t, (size_t)(self - t->cfg.peers), link);
	dst = tr_link_peer(t, pi, link);
	if (src->addr_len)
		st->src = src->addr;
	if (dst->addr_len)
		st->dst = dst->addr;
	st->mtu = (uint32_t)t->frame;
	if (p == self) {
		/* The node to itself: every link it has is up, none used. */
		st->enabled = st->connected = st->settled = src->addr_len != 0;
		return 0;
	}
	links_status(&t->links, pi, link, tr_now_us(), &ls);
	st->enabled = ls.enabled;
	st->connected = ls.up;
	st->in_use = ls.in_use;
	st->settled = ls.settled;
	st->suspect = ls.suspect;
	st->latency_us = ls.latency_us;
	st->pings_tx = ls.pings_tx;
	st->pongs_rx = ls.pongs_rx;
	st->pongs_late = ls.pongs_late;
	st->pings_rx = ls.pings_rx;
	st->downs = ls.downs;
	st->tx = ls.tx;
	st->rx = ls.rx;
	st->rx_wrong_addr = ls.rx_wrong_addr;
	return 0;
}

enum links_mode transport_link_mode(const struct transport *t)
{
	return t->links.mode;
}
