/* Unit tests: the transport over two links (src/daemon/transport/),
 * with real sockets: link 0 on 127.0.0.1, link 1 on 127.0.0.2. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/transport/transport.h"

#define SAFETY_MS 20000u      /* bounds a broken run only */
#define POLL_MS 5u
#define MSGS 20

struct run {
	struct loop *loop;
	struct transport *a, *b;
	int delivered;                 /* datagrams b took */
	bool seen[MSGS + 1];
	int twice;                     /* datagrams b took more than once */
	bool (*done)(struct run *r);
	struct loop_timer poll, safety;
	bool timed_out;
};

static void on_rx(void *arg, uint32_t from, const uint8_t *buf, size_t len)
{
	struct run *r = arg;

	(void)from;
	if (len != 1 || buf[0] > MSGS)
		return;
	r->delivered++;
	if (r->seen[buf[0]])
		r->twice++;
	r->seen[buf[0]] = true;
}

static void on_poll(void *arg)
{
	struct run *r = arg;

	if (r->done(r)) {
		loop_stop(r->loop);
		return;
	}
	loop_timer_arm(r->loop, &r->poll, loop_now(r->loop) + POLL_MS);
}

static void on_safety(void *arg)
{
	struct run *r = arg;

	r->timed_out = true;
	loop_stop(r->loop);
}

/* Runs the loop until r->done holds (checked every POLL_MS). */
static void run_until(struct run *r, bool (*done)(struct run *r))
{
	r->done = done;
	r->poll = (struct loop_timer){ .fn = on_poll, .arg = r };
	r->safety = (struct loop_timer){ .fn = on_safety, .arg = r };
	loop_timer_arm(r->loop, &r->poll, loop_update(r->loop));
	loop_timer_arm(r->loop, &r->safety, loop_now(r->loop) + SAFETY_MS);
	loop_run(r->loop);
	loop_timer_disarm(r->loop, &r->poll);
	loop_timer_disarm(r->loop, &r->safety);
	assert_false(r->timed_out);
}

static int free_port(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	inet_pton(AF_INET, ip, &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void set_addr(struct transport_peer *p, uint32_t id, const char *ip,
    int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr;

	memset(p, 0, sizeof(*p));
	p->nodeid = id;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	p->addr_len = sizeof(*sin);
}

/* Nodes 1 and 2 on two links; ports[node - 1][link]. `wrong1`: node 1's
 * link 1 address as this node knows it is 127.0.0.3 (not where node 1
 * sends from). */
static void make_cfg(struct transport_config *c, uint32_t self,
    const int ports[2][2], enum links_mode mode, const uint8_t *key,
    uint8_t prio1, bool wrong1)
{
	memset(c, 0, sizeof(*c));
	c->local_nodeid = self;
	c->cluster_id = 7;
	c->n_peers = 2;
	c->max_payload = 1400;
	c->key = key;
	c->incarnation = 1;
	c->link_mode = mode;
	for (unsigned l = 0; l < 2; l++)
		c->link_timing[l] = (struct links_timing){
			.priority = l ? prio1 : 1, .ping_interval_ms = 10,
			.ping_timeout_ms = 1000, .pong_count = 2,
			.precision = 4 };
	for (uint32_t n = 0; n < 2; n++) {
		set_addr(&c->peers[n], n + 1, "127.0.0.1", ports[n][0]);
		set_addr(&c->link_addr[n][1], n + 1, n == 0 && wrong1 &&
		    self == 2 ? "127.0.0.3" : "127.0.0.2", ports[n][1]);
	}
}

static void start(struct run *r, enum links_mode mode, const uint8_t *key,
    uint8_t prio1, bool wrong1)
{
	struct transport_config ca, cb;
	int ports[2][2] = { { free_port("127.0.0.1"), free_port("127.0.0.2") },
	    { free_port("127.0.0.1"), free_port("127.0.0.2") } };

	memset(r, 0, sizeof(*r));
	assert_int_equal(loop_new(&r->loop), 0);
	make_cfg(&ca, 1, ports, mode, key, prio1, wrong1);
	make_cfg(&cb, 2, ports, mode, key, prio1, wrong1);
	assert_int_equal(transport_new(r->loop, &ca, on_rx, r, &r->a), 0);
	assert_int_equal(transport_new(r->loop, &cb, on_rx, r, &r->b), 0);
}

static void stop(struct run *r)
{
	transport_free(r->a);
	transport_free(r->b);
	loop_free(r->loop);
}

static bool connected(struct transport *t, uint32_t node, unsigned l)
{
	struct transport_link_status st;

	assert_int_equal(transport_link_status(t, node, l, &st), 0);
	return st.connected;
}

static bool both_links_up(struct run *r)
{
	return connected(r->a, 2, 0) && connected(r->a, 2, 1) &&
	    connected(r->b, 1, 0) && connected(r->b, 1, 1);
}

static bool all_copies_in(struct run *r)
{
	struct transport_stats st;

	transport_stats(r->b, &st);
	return r->delivered >= MSGS && st.rx_link_copies >= MSGS;
}

/* Active mode: every datagram goes over both links and is taken once,
 * the second copy dropped (the replay window with a key, dedup without). */
static void active_once(const uint8_t *key)
{
	struct run r;
	struct transport_link_status st;

	start(&r, LINKS_ACTIVE, key, 1, false);
	run_until(&r, both_links_up);
	for (uint8_t k = 1; k <= MSGS; k++)
		transport_send(r.a, 2, &k, 1);
	transport_flush(r.a);
	run_until(&r, all_copies_in);
	assert_int_equal(r.delivered, MSGS);
	assert_int_equal(r.twice, 0);
	assert_int_equal(transport_link_status(r.a, 2, 1, &st), 0);
	assert_true(st.in_use);
	assert_true(st.tx >= MSGS);
	assert_int_equal(transport_link_status(r.b, 1, 0, &st), 0);
	assert_true(st.rx >= MSGS);
	assert_true(st.pongs_rx >= 2);
	stop(&r);
}

static void active_plain(void **state)
{
	(void)state;
	active_once(NULL);
}

static void active_sealed(void **state)
{
	static const uint8_t key[TRANSPORT_KEY_LEN] = { 1, 2, 3 };

	(void)state;
	active_once(key);
}

/* Passive mode: the link of higher priority (link 1) carries the
 * traffic; the other is up, unused. The getter's errors and the local
 * node's own view. */
static void passive_priority(void **state)
{
	struct run r;
	struct transport_link_status st;

	(void)state;
	start(&r, LINKS_PASSIVE, NULL, 9, false);
	run_until(&r, both_links_up);
	assert_int_equal(transport_link_status(r.a, 2, 1, &st), 0);
	assert_true(st.enabled && st.connected && st.in_use);
	assert_int_equal(st.dst.ss_family, AF_INET);
	assert_int_equal(transport_link_status(r.a, 2, 0, &st), 0);
	assert_true(st.enabled && st.connected);
	assert_false(st.in_use);
	assert_int_equal(transport_link_mode(r.a), LINKS_PASSIVE);
	/* The local node: its links, up, none in use. */
	assert_int_equal(transport_link_status(r.a, 1, 1, &st), 0);
	assert_true(st.enabled && st.connected);
	assert_false(st.in_use);
	assert_int_equal(transport_link_status(r.a, 1, 2, &st), 0);
	assert_false(st.enabled);
	assert_int_equal(st.src.ss_family, 0);
	assert_int_equal(transport_link_status(r.a, 9, 0, &st), -ENOENT);
	assert_int_equal(transport_link_status(r.a, 2, LINKS_MAX, &st),
	    -EINVAL);
	stop(&r);
}

static bool wrong_addr_seen(struct run *r)
{
	struct transport_stats st;

	transport_stats(r->b, &st);
	return st.rx_wrong_link_addr > 0 && connected(r->b, 1, 0);
}

/* A frame on link 1 from another address than the sender's on link 1
 * (as the receiver knows it) is dropped and counted; that link stays
 * down there while link 0 comes up. */
static void wrong_link_address(void **state)
{
	struct run r;
	struct transport_link_status st;

	(void)state;
	start(&r, LINKS_PASSIVE, NULL, 1, true);
	run_until(&r, wrong_addr_seen);
	assert_int_equal(transport_link_status(r.b, 1, 1, &st), 0);
	assert_true(st.rx_wrong_addr > 0);
	assert_false(st.connected);
	assert_int_equal(st.rx, 0);
	stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(active_plain),
		cmocka_unit_test(active_sealed),
		cmocka_unit_test(passive_priority),
		cmocka_unit_test(wrong_link_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
