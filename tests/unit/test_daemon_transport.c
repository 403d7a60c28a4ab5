/* Unit tests: UDP transport checks and sealing (src/daemon/transport.c),
 * with real sockets on 127.0.0.1. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/transport.h"

struct rx_log {
	struct loop *loop;
	int n;
	uint32_t from;
	uint8_t buf[256];
	size_t len;
};

static void on_rx(void *arg, uint32_t from, const uint8_t *buf, size_t len)
{
	struct rx_log *r = arg;

	if (r->n++ > 0)
		return;   /* keep the first: the one that decides */
	r->from = from;
	r->len = len < sizeof(r->buf) ? len : sizeof(r->buf);
	memcpy(r->buf, buf, r->len);
	loop_stop(r->loop);
}

static void on_deadline(void *arg)
{
	loop_stop(arg);
}

static void set_peer(struct transport_peer *p, uint32_t id, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr;

	memset(p, 0, sizeof(*p));
	p->nodeid = id;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
	p->addr_len = sizeof(*sin);
}

/* Free UDP port on 127.0.0.1 (the kernel picks it). */
static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void make_cfg(struct transport_config *c, uint32_t self, uint32_t cluster,
    const int ports[3], const uint8_t *key)
{
	memset(c, 0, sizeof(*c));
	c->local_nodeid = self;
	c->cluster_id = cluster;
	c->n_peers = 3;
	for (int i = 0; i < 3; i++)
		set_peer(&c->peers[i], (uint32_t)i + 1, ports[i]);
	c->max_payload = 1400;
	c->key = key;
}

/*
 * Node 1 (configured by the test) sends "ping" to node 2, then node 3
 * (configured like node 2) sends "good". Node 2 stops at the first
 * datagram it accepts: "ping" when node 1's datagram is good, "good" when
 * it was dropped. No waiting on time: the safety deadline only bounds a
 * broken run.
 */
static void exchange(const uint8_t *key_a, const uint8_t *key_b,
    uint32_t cluster_a, struct rx_log *r, struct transport_stats *st_b)
{
	struct transport_config ca, cb, cg;
	struct transport *a, *b, *g;
	struct loop_timer deadline = { 0 };
	int ports[3] = { free_port(), free_port(), free_port() };

	assert_int_equal(loop_new(&r->loop), 0);
	make_cfg(&ca, 1, cluster_a, ports, key_a);
	make_cfg(&cb, 2, 7, ports, key_b);
	make_cfg(&cg, 3, 7, ports, key_b);
	assert_int_equal(transport_new(r->loop, &ca, on_rx, r, &a), 0);
	assert_int_equal(transport_new(r->loop, &cb, on_rx, r, &b), 0);
	assert_int_equal(transport_new(r->loop, &cg, on_rx, r, &g), 0);
	transport_send(a, 2, (const uint8_t *)"ping", 4);
	transport_flush(a);
	transport_send(g, 2, (const uint8_t *)"good", 4);
	transport_flush(g);
	deadline.fn = on_deadline;
	deadline.arg = r->loop;
	loop_timer_arm(r->loop, &deadline, loop_update(r->loop) + 10000);
	loop_run(r->loop);
	transport_stats(b, st_b);
	transport_free(a);
	transport_free(b);
	transport_free(g);
	loop_free(r->loop);
	assert_true(r->n >= 1);
}

static void plain_delivery(void **state)
{
	struct rx_log r = { 0 };
	struct transport_stats st;

	exchange(NULL, NULL, 7, &r, &st);
	assert_int_equal(r.from, 1);
	assert_int_equal(r.len, 4);
	assert_memory_equal(r.buf, "ping", 4);
}

static void sealed_delivery(void **state)
{
	uint8_t file[256], key[TRANSPORT_KEY_LEN];
	struct rx_log r = { 0 };
	struct transport_stats st;

	memset(file, 0x5a, sizeof(file));
	assert_int_equal(transport_derive_key(file, sizeof(file), "c", key), 0);
	exchange(key, key, 7, &r, &st);
	assert_int_equal(r.from, 1);
	assert_memory_equal(r.buf, "ping", 4);
}

static void wrong_key_dropped(void **state)
{
	uint8_t file[256], k1[TRANSPORT_KEY_LEN], k2[TRANSPORT_KEY_LEN];
	struct rx_log r = { 0 };
	struct transport_stats st;

	memset(file, 1, sizeof(file));
	transport_derive_key(file, sizeof(file), "c", k1);
	file[0] = 2;
	transport_derive_key(file, sizeof(file), "c", k2);
	exchange(k1, k2, 7, &r, &st);
	assert_int_equal(r.from, 3);
	assert_int_equal(st.rx_auth_failed, 1);
	/* Plain text to a node that expects sealed datagrams. */
	memset(&r, 0, sizeof(r));
	exchange(NULL, k2, 7, &r, &st);
	assert_int_equal(r.from, 3);
	assert_int_equal(st.rx_auth_failed, 1);
}

static void foreign_cluster_dropped(void **state)
{
	struct rx_log r = { 0 };
	struct transport_stats st;

	exchange(NULL, NULL, 8, &r, &st);
	assert_int_equal(r.from, 3);
	assert_int_equal(st.rx_foreign, 1);
}

/* transport udp with a "group" that is no multicast address, or of the
 * other family: refused at once, nothing left open or allocated. */
static void group_not_multicast(void **state)
{
	struct transport_config c;
	struct transport *t = NULL;
	struct loop *l;
	struct sockaddr_in *g = (struct sockaddr_in *)&c.mcast;
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)&c.mcast;
	int ports[3] = { free_port(), free_port(), free_port() };

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	make_cfg(&c, 1, 7, ports, NULL);
	g->sin_family = AF_INET;
	g->sin_port = htons((uint16_t)ports[0]);
	inet_pton(AF_INET, "10.1.2.3", &g->sin_addr);
	c.mcast_len = sizeof(*g);
	assert_int_equal(transport_new(l, &c, on_rx, NULL, &t), -EINVAL);
	assert_null(t);
	memset(&c.mcast, 0, sizeof(c.mcast));
	g6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "ff15::1", &g6->sin6_addr);
	c.mcast_len = sizeof(*g6);
	assert_int_equal(transport_new(l, &c, on_rx, NULL, &t), -EINVAL);
	assert_null(t);
	/* The unicast port is free again: a plain transport binds it. */
	c.mcast_len = 0;
	assert_int_equal(transport_new(l, &c, on_rx, NULL, &t), 0);
	transport_free(t);
	loop_free(l);
}

static void on_unreachable(void *arg, uint32_t nodeid)
{
	struct rx_log *r = arg;

	if (r->n++ == 0)
		r->from = nodeid;
	loop_stop(r->loop);
}

/* A datagram to a port nobody listens on: the ICMP port unreachable that
 * comes back names the peer, and the next send still goes out. */
static void closed_port_reported(void **state)
{
	struct rx_log r = { 0 };
	struct transport_config c;
	struct transport *t;
	struct transport_stats st;
	struct loop_timer deadline = { 0 };
	int ports[3] = { free_port(), free_port(), free_port() };

	(void)state;
	assert_int_equal(loop_new(&r.loop), 0);
	make_cfg(&c, 1, 7, ports, NULL);
	c.unreachable = on_unreachable;
	assert_int_equal(transport_new(r.loop, &c, on_rx, &r, &t), 0);
	transport_send(t, 3, (const uint8_t *)"anyone?", 7);
	transport_flush(t);
	deadline.fn = on_deadline;
	deadline.arg = r.loop;
	loop_timer_arm(r.loop, &deadline, loop_update(r.loop) + 10000);
	loop_run(r.loop);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.from, 3);
	/* The error did not stick to the socket: this send goes out. */
	transport_send(t, 2, (const uint8_t *)"again", 5);
	transport_flush(t);
	transport_stats(t, &st);
	assert_int_equal(st.port_unreachable, 1);
	assert_int_equal(st.tx, 2);
	assert_int_equal(st.tx_errors, 0);
	transport_free(t);
	loop_free(r.loop);
}

static void key_lengths(void **state)
{
	uint8_t file[5000] = { 0 }, key[TRANSPORT_KEY_LEN], k2[TRANSPORT_KEY_LEN];

	assert_int_equal(transport_derive_key(file, 127, "c", key), -EINVAL);
	assert_int_equal(transport_derive_key(file, 4097, "c", key), -EINVAL);
	assert_int_equal(transport_derive_key(file, 128, "c", key), 0);
	assert_int_equal(transport_derive_key(file, 128, "d", k2), 0);
	assert_memory_not_equal(key, k2, sizeof(key));  /* name matters */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_delivery),
		cmocka_unit_test(sealed_delivery),
		cmocka_unit_test(wrong_key_dropped),
		cmocka_unit_test(foreign_cluster_dropped),
		cmocka_unit_test(key_lengths),
		cmocka_unit_test(group_not_multicast),
		cmocka_unit_test(closed_port_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
