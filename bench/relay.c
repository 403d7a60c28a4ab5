/*
 * bench/relay.c: the floor of any design with a daemon per node, measured
 * on this machine. A relay per node does only what every such design must
 * do for one message: its local client's frame comes in over a unix
 * socket, goes out as one UDP datagram to each other node and back to the
 * local client; a datagram that comes in goes to the local client. No
 * ordering, no retransmission, no membership, no checks beyond the frame's
 * size: whatever Cohort's latency is above this, the protocol costs; what
 * this is, the machine and the kernel cost (wake-ups, the network stack).
 * bench/floor.sh runs it on one node and on three (one network namespace
 * each, one bridge), in the client shapes of cohort-bench.
 *
 *   relay serve SOCKET PORT [PEER_ADDR...]   a relay (SCHED_RR at the
 *       highest priority when permitted, as cohortd; RELAY_NORMAL=1 keeps
 *       the scheduling it was started with)
 *   relay latency SOCKET SECONDS RATE   a sender thread at RATE msg/s (it
 *       sleeps most of each gap and spins its last 50 us, as cohort-bench)
 *       and a dispatching thread; latency of its own messages
 *   relay recv SOCKET SECONDS   a dispatching thread only; latency of
 *       every message that comes (the sender's clock: one machine)
 *   relay loop SOCKET SECONDS   one thread: send, poll, read until its
 *       own message came back, repeat
 *
 * A client prints one line: mode,count,p50_us,p90_us,p99_us,max_us,lost
 * (lost: sequence numbers of the one sender that never came or came out
 * of order; the relay has no retransmission, so a lossy run shows here
 * and should not be taken). Frames are RELAY_FRAME bytes: a 64-bit send
 * time (CLOCK_MONOTONIC, ns), a 32-bit origin and sequence, padding.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RELAY_FRAME 64
#define RELAY_PEERS 8
#define RELAY_MAX_SAMPLES (1u << 22)
#define RELAY_SPIN_NS 50000u

struct frame {
	uint64_t sent_ns;
	uint32_t origin;
	uint32_t seq;
	uint8_t pad[RELAY_FRAME - 16];
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads exactly len bytes from a stream socket; 0 at its end. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (uint8_t *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

static void write_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + put, len - put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		put += (size_t)n;
	}
}

static int serve(const char *path, int port, int npeers, char **peers)
{
	struct sockaddr_in me = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) }, to[RELAY_PEERS];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sched_param sp = { 0 };
	struct epoll_event ev = { .events = EPOLLIN };
	int lfd, ufd, ep, cfd = -1;

	if (npeers > RELAY_PEERS) {
		fprintf(stderr, "relay: at most %d peers\n", RELAY_PEERS);
		return 2;
	}
	for (int i = 0; i < npeers; i++) {
		to[i] = (struct sockaddr_in){ .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port) };
		if (inet_pton(AF_INET, peers[i], &to[i].sin_addr) != 1) {
			fprintf(stderr, "relay: bad address %s\n", peers[i]);
			return 2;
		}
	}
	if (!getenv("RELAY_NORMAL")) {
		sp.sched_priority = sched_get_priority_max(SCHED_RR);
		if (sched_setscheduler(0, SCHED_RR, &sp) < 0)
			perror("relay: SCHED_RR");
	}
	if ((ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0 ||
	    bind(ufd, (struct sockaddr *)&me, sizeof(me)) < 0)
		die("udp socket");
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "relay: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0)
		die("unix socket");
	if ((ep = epoll_create1(0)) < 0)
		die("epoll");
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = ufd;
	epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, -1);

		for (int i = 0; i < n; i++) {
			struct frame f;
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				if (cfd >= 0)
					close(cfd);
				cfd = accept(lfd, NULL, NULL);
				ev.data.fd = cfd;
				epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
			} else if (fd == ufd) {
				while (recv(ufd, &f, sizeof(f), 0) ==
				    (ssize_t)sizeof(f))
					if (cfd >= 0)
						write_full(cfd, &f, sizeof(f));
			} else if (read_full(fd, &f, sizeof(f)) <= 0) {
				close(fd);
				cfd = -1;
			} else {
				for (int p = 0; p < npeers; p++)
					sendto(ufd, &f, sizeof(f), 0,
					    (struct sockaddr *)&to[p],
					    sizeof(to[p]));
				write_full(fd, &f, sizeof(f));
			}
		}
	}
}

struct client {
	int fd;
	uint32_t me;
	uint64_t end_ns;
	uint64_t *lat;
	size_t n;
	uint32_t last_seq;   /* the sender's last sequence seen */
	uint64_t lost;
};

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		die("client socket");
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	return fd;
}

static void note(struct client *c, const struct frame *f)
{
	if (c->n > 0 && f->seq != c->last_seq + 1)
		c->lost += f->seq > c->last_seq + 1 ?
		    f->seq - c->last_seq - 1 : 1;
	c->last_seq = f->seq;
	if (c->n < RELAY_MAX_SAMPLES)
		c->lat[c->n++] = now_ns() - f->sent_ns;
}

/* The dispatching thread: every frame until the run's end. */
static void *dispatcher(void *arg)
{
	struct client *c = arg;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct frame f;

	while (now_ns() < c->end_ns + 200000000u) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read_full(c->fd, &f, sizeof(f)) <= 0)
			break;
		note(c, &f);
	}
	return NULL;
}

static void send_one(struct client *c, uint32_t seq)
{
	struct frame f = { .origin = c->me, .seq = seq };

	f.sent_ns = now_ns();
	write_full(c->fd, &f, sizeof(f));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *mode, struct client *c)
{
	double q[4] = { 0.50, 0.90, 0.99, 1.0 };

	qsort(c->lat, c->n, sizeof(uint64_t), cmp_u64);
	printf("%s,%zu", mode, c->n);
	for (int i = 0; i < 4; i++) {
		size_t k = c->n ? (size_t)(q[i] * (double)(c->n - 1)) : 0;

		printf(",%.1f", c->n ? (double)c->lat[k] / 1000.0 : 0.0);
	}
	printf(",%llu\n", (unsigned long long)c->lost);
}

int main(int argc, char **argv)
{
	struct client c = { .me = (uint32_t)getpid() };
	pthread_t t;
	uint32_t seq = 0;

	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], atoi(argv[3]), argc - 4, argv + 4);
	if (argc < 4) {
		fprintf(stderr, "usage: relay serve SOCKET PORT [PEER...] | "
		    "latency SOCKET SECONDS RATE | recv SOCKET SECONDS | "
		    "loop SOCKET SECONDS\n");
		return 2;
	}
	c.fd = connect_to(argv[2]);
	c.end_ns = now_ns() + (uint64_t)(atof(argv[3]) * 1e9);
	if (!(c.lat = malloc(RELAY_MAX_SAMPLES * sizeof(uint64_t))))
		die("malloc");
	if (strcmp(argv[1], "loop") == 0) {
		struct pollfd p = { .fd = c.fd, .events = POLLIN };
		struct frame f;

		while (now_ns() < c.end_ns) {
			send_one(&c, ++seq);
			do {
				poll(&p, 1, -1);
				if (read_full(c.fd, &f, sizeof(f)) <= 0)
					die("relay gone");
				note(&c, &f);
			} while (f.origin != c.me || f.seq != seq);
		}
		report("loop", &c);
		return 0;
	}
	pthread_create(&t, NULL, dispatcher, &c);
	if (strcmp(argv[1], "latency") == 0 && argc >= 5) {
		uint64_t gap = (uint64_t)(1e9 / atof(argv[4]));
		uint64_t next = now_ns();

		/* As cohort-bench's sender: sleep most of the gap, spin the
		 * last 50 us. */
		while (next < c.end_ns) {
			uint64_t wake = next - RELAY_SPIN_NS;
			struct timespec ts = { (time_t)(wake / 1000000000u),
			    (long)(wake % 1000000000u) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
			    NULL);
			while (now_ns() < next)
				;
			send_one(&c, ++seq);
			next += gap;
		}
	}
	pthread_join(t, NULL);
	report(argv[1], &c);
	return 0;
}
