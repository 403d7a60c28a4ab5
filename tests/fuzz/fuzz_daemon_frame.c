/*
 * Fuzz target: the transport's frame decoder (src/daemon/transport/transport_rx.c,
 * transport_frame.c, transport_frag.c) with its replay window and
 * configuration checks, through a real transport on 127.0.0.1: node 2 of
 * the nodelist {1, 2, 3}, unsealed (so that what follows authentication
 * is reached), cutting datagrams into frames (so that fragments are
 * taken), with a configuration summary of its own and heartbeats on
 * link 0 (so that pings and pongs are taken).
 *
 * The input is a sequence of datagrams, each a 16-bit big-endian length
 * and that many bytes (at most FRAMES_MAX of them), sent to node 2 from
 * node 1's address and port, in order. Each input starts from a new
 * transport: the runs are deterministic. Whatever the transport takes
 * must come from node 1 and fit the mtu; a summary it reports is
 * compared with ours as the daemon does (cfgcheck_compare), and every
 * difference must point inside the two summaries.
 *
 * FUZZ_SOURCES: src/daemon/transport/transport.c src/daemon/transport/links.c src/daemon/transport/transport_links.c src/daemon/transport/transport_frame.c src/daemon/transport/transport_frag.c src/daemon/transport/transport_rx.c src/daemon/transport/transport_tx.c src/daemon/transport/transport_icmp.c src/daemon/transport/unreach.c src/daemon/transport/replay.c src/daemon/cfgcheck.c src/daemon/loop.c src/daemon/config/config.c src/daemon/config/config_load.c src/daemon/config/config_out.c src/proto/timing.c src/daemon/config/config_parse.c src/daemon/config/config_uidgid.c src/daemon/config/config_link.c src/daemon/config/config_quorum.c src/daemon/config/config_log.c src/common/log.c
 * FUZZ_LIBS: -lsodium
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/cfgcheck.h"
#include "daemon/loop.h"
#include "daemon/transport/transport.h"

#define FRAMES_MAX 32
#define MAX_PAYLOAD 4000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char summary[] =
    "cluster_name=fuzz\ntransport=knet\nmcast=none\nnetmtu=1500\n"
    "crypto=off\ntoken=1000\nnodes=3\nnodelist=0011223344556677\n"
    "node.1=127.0.0.1:1\nnode.2=127.0.0.1:2\nnode.3=127.0.0.1:3\n";

static struct loop *loop;
static int sender = -1;
static struct transport_config cfg;
static struct transport *t;
static uint64_t expect_rx;

static void set_peer(struct transport_peer *p, uint32_t id, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr;

	memset(p, 0, sizeof(*p));
	p->nodeid = id;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
	p->addr_len = sizeof(*sin);
}

/* A UDP socket on 127.0.0.1, its port chosen by the kernel. */
static int bound(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		abort();
	*port = ntohs(sin.sin_port);
	return fd;
}

static void on_rx(void *arg, uint32_t from, const uint8_t *buf, size_t len)
{
	(void)arg;
	(void)buf;
	if (from != 1 || len > MAX_PAYLOAD)
		__builtin_trap();
}

static bool inside(const char *p, size_t n, const char *base, size_t len)
{
	return p >= base && p + n <= base + len;
}

static void on_differs(void *arg, uint32_t nodeid, const uint8_t *theirs,
    size_t len)
{
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	const char *s = (const char *)theirs;
	size_t n;

	(void)arg;
	if (nodeid != 1 || len > TRANSPORT_SUMMARY_MAX)
		__builtin_trap();
	n = cfgcheck_compare(summary, sizeof(summary) - 1, s, len, df,
	    CFGCHECK_DIFF_MAX);
	for (size_t i = 0; i < n && i < CFGCHECK_DIFF_MAX; i++) {
		const struct cfgcheck_diff *d = &df[i];

		if (!(inside(d->key, d->key_len, summary, sizeof(summary)) ||
		    inside(d->key, d->key_len, s, len)))
			__builtin_trap();
		if (!inside(d->ours, d->ours_len, summary, sizeof(summary)) &&
		    strncmp(d->ours, "(none)", d->ours_len) != 0)
			__builtin_trap();
		if (!inside(d->theirs, d->theirs_len, s, len) &&
		    strncmp(d->theirs, "(none)", d->theirs_len) != 0)
			__builtin_trap();
	}
}

/* Before the loop sleeps: stop once every datagram was read. */
static void before_sleep(void *arg)
{
	struct transport_stats st;

	(void)arg;
	transport_flush(t);
	transport_stats(t, &st);
	if (st.rx >= expect_rx)
		loop_stop(loop);
}

static void on_deadline(void *arg)
{
	loop_stop(arg);
}

static void setup(void)
{
	uint16_t p1, p2;
	int fd2;

	if (loop_new(&loop) < 0)
		abort();
	sender = bound(&p1);
	fd2 = bound(&p2);
	close(fd2);   /* the transport binds it again */
	cfg.local_nodeid = 2;
	cfg.cluster_id = 7;
	cfg.n_peers = 3;
	set_peer(&cfg.peers[0], 1, p1);
	set_peer(&cfg.peers[1], 2, p2);
	set_peer(&cfg.peers[2], 3, 9);
	cfg.max_payload = MAX_PAYLOAD;
	cfg.frame_max = 600;
	cfg.incarnation = 1;
	cfg.summary = (const uint8_t *)summary;
	cfg.summary_len = sizeof(summary) - 1;
	cfg.config_digest = cfgcheck_digest(summary, sizeof(summary) - 1);
	cfg.config_differs = on_differs;
	cfg.link_timing[0] = (struct links_timing){ .priority = 1,
	    .ping_interval_ms = 1000, .ping_timeout_ms = 2000, .pong_count = 2,
	    .precision = 8 };
	loop_set_before_sleep(loop, before_sleep, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loop_timer deadline = { .fn = on_deadline };
	struct sockaddr_storage to;
	uint8_t drain[65536];
	size_t off = 0;
	int n = 0;

	if (!loop)
		setup();
	if (transport_new(loop, &cfg, on_rx, NULL, &t) < 0)
		abort();
	to = cfg.peers[1].addr;
	while (off + 2 <= size && n < FRAMES_MAX) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		if (sendto(sender, data + off, len, 0, (struct sockaddr *)&to,
		    cfg.peers[1].addr_len) == (ssize_t)len)
			n++;
		off += len;
	}
	expect_rx = (uint64_t)n;
	deadline.arg = loop;
	loop_timer_arm(loop, &deadline, loop_update(loop) + 1000);
	if (n)
		loop_run(loop);
	loop_timer_disarm(loop, &deadline);
	transport_free(t);
	t = NULL;
	/* What node 2 sent back (summaries) is not read by anyone. */
	while (recv(sender, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	return 0;
}
