/*
 * netjunk: hostile traffic for the cluster tests (t_cluster_hostile.sh),
 * run as root inside a network namespace of the test.
 *
 *   netjunk random ADDR:PORT [-n COUNT] [-t SECONDS] [-r RATE] [-m MAXLEN]
 *                            [-s SEED]
 *   netjunk capture IFACE PORT FILE [-n COUNT] [-t SECONDS]
 *   netjunk replay FILE [-k COPIES] [-S] [-n COUNT] [-t SECONDS] [-r RATE]
 *                       [-H SHORTLEN] [-s SEED]
 *   netjunk icmp ADDR SRC:SPORT DST:DPORT [-F FROM] [-n COUNT] [-t SECONDS]
 *                       [-r RATE] [-m QUOTELEN] [-s SEED]
 *
 * random sends datagrams of random bytes and random sizes (0..MAXLEN,
 * at most 65507, the largest UDP payload over IPv4) to ADDR:PORT.
 *
 * capture records datagrams to or from UDP port PORT as they pass the
 * interface IFACE, into FILE. It uses an AF_PACKET socket of type
 * SOCK_DGRAM bound to IFACE for every protocol (ETH_P_ALL: a socket for
 * ETH_P_IP alone is not shown what the host sends), keeping the IPv4
 * packets: the kernel hands it every packet the interface sends or
 * receives, without the link header, whichever process sent it, and it
 * needs no cooperation from the daemon (which owns the port). Run inside a node's namespace on its eth0 it sees
 * that node's traffic both ways. IP fragments are skipped (counted):
 * the daemons' datagrams fit the link's mtu.
 *
 * replay sends the captured datagrams again, each COPIES times, in a
 * shuffled order, to their original destinations. By default they leave
 * from this host's own address (a foreign source for the cluster); with
 * -S the original source address and port are kept, spoofed through a
 * raw socket that writes its own IPv4 header (IPPROTO_RAW implies
 * IP_HDRINCL; root in the namespace is enough). The UDP checksum is left
 * 0, which IPv4 allows. Once the list is exhausted it starts over (for a
 * flood with -t). -H counts separately the datagrams of at most SHORTLEN
 * bytes (the test uses it for the header-only messages, which the
 * protocol may accept again without harm).
 *
 * icmp sends ICMP port unreachables (type 3, code 3) to ADDR, each
 * quoting a UDP datagram from SRC:SPORT to DST:DPORT: its IPv4 and UDP
 * headers and QUOTELEN random bytes of payload (default 64), new ones
 * each time; the kernel at ADDR hands such an error to the socket bound
 * to SRC:SPORT. By default the ICMP leaves from this host's own address
 * (a raw ICMP socket); with -F it claims to come from FROM (a raw socket
 * that writes its own IPv4 header), e.g. the address of DST.
 *
 * Every sending mode batches with sendmmsg; -r 0 (the default) sends as
 * fast as the kernel takes them (a flood at line rate), -r RATE paces to
 * RATE datagrams/s. -s seeds the sizes, offsets and shuffle. The
 * run ends after COUNT datagrams or SECONDS, whichever comes first. What
 * was sent is printed on stdout, one "key value" per line:
 *
 *   sent N / bytes N / errors N / seconds S / rate N   (datagrams/s)
 *   dest ADDR:PORT N SHORT                             (replay: each one)
 *   captured N / fragments N                           (capture)
 *
 * The random bytes come from a pool filled by getrandom(2), read at a
 * random offset per datagram: cheap enough for a flood at line rate and
 * still no datagram the daemon could mistake for its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_MAX 65507u             /* largest UDP payload over IPv4 */
#define IP_HDR 20u
#define UDP_HDR 8u
#define BATCH 64u                  /* datagrams per sendmmsg */
#define POOL (UDP_MAX * 4u)        /* random bytes to draw datagrams from */
#define MAX_DESTS 16u
#define FILE_MAGIC "NJC1"

struct rec {                       /* one captured datagram */
	uint32_t src, dst;             /* network byte order */
	uint16_t sport, dport;         /* network byte order */
	uint16_t len;
	uint8_t *data;
};

struct opts {
	uint64_t count;                /* 0: no bound */
	double seconds;                /* 0: no bound */
	uint64_t rate;                 /* 0: as fast as possible */
	size_t maxlen;
	unsigned copies;
	bool spoof;
	size_t shortlen;
	const char *from;              /* icmp -F */
};

struct dest {
	uint32_t addr;
	uint16_t port;
	uint64_t n, n_short;
};

struct sender {                    /* one sending run and its tally */
	const struct opts *o;
	int fd;
	double start;
	uint64_t sent, bytes, errors;
	struct dest dests[MAX_DESTS];
	size_t n_dests;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)          /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: netjunk random ADDR:PORT [-n COUNT] [-t SECONDS] "
	    "[-r RATE] [-m MAXLEN] [-s SEED]\n"
	    "       netjunk capture IFACE PORT FILE [-n COUNT] [-t SECONDS]\n"
	    "       netjunk replay FILE [-k COPIES] [-S] [-n COUNT] [-t SECONDS] "
	    "[-r RATE] [-H SHORTLEN] [-s SEED]\n"
	    "       netjunk icmp ADDR SRC:SPORT DST:DPORT [-F FROM] [-n COUNT] "
	    "[-t SECONDS] [-r RATE] [-m QUOTELEN] [-s SEED]\n");
	exit(2);
}

static int parse_opts(int argc, char **argv, int first, struct opts *o)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-S")) {
			o->spoof = true;
			continue;
		}
		if (a[0] != '-' || !a[1] || a[2] || i + 1 == argc)
			return -1;
		const char *v = argv[++i];
		switch (a[1]) {
		case 'n': o->count = strtoull(v, NULL, 10); break;
		case 't': o->seconds = strtod(v, NULL); break;
		case 'r': o->rate = strtoull(v, NULL, 10); break;
		case 'm': o->maxlen = strtoul(v, NULL, 10); break;
		case 'k': o->copies = (unsigned)strtoul(v, NULL, 10); break;
		case 'H': o->shortlen = strtoul(v, NULL, 10); break;
		case 's': rng_state = strtoull(v, NULL, 10) | 1; break;
		case 'F': o->from = v; break;
		default: return -1;
		}
	}
	if (o->maxlen > UDP_MAX || o->copies == 0)
		return -1;
	return 0;
}

static int parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

/* Whether the run is over; sleeps first when ahead of the paced rate. */
static bool sender_done(struct sender *s)
{
	double t = now_s() - s->start;

	if (s->o->count && s->sent + s->errors >= s->o->count)
		return true;
	if (s->o->seconds > 0 && t >= s->o->seconds)
		return true;
	if (s->o->rate) {
		double due = (double)(s->sent + s->errors) / (double)s->o->rate;

		if (due > t) {
			struct timespec ts = { .tv_sec = (time_t)(due - t),
			    .tv_nsec = (long)((due - t - (double)(time_t)(due - t)) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	return false;
}

/* How many datagrams the next batch may hold. */
static unsigned sender_batch(const struct sender *s)
{
	uint64_t n = BATCH;

	if (s->o->rate && s->o->rate / 100 < n)
		n = s->o->rate / 100 ? s->o->rate / 100 : 1;
	if (s->o->count && s->o->count - (s->sent + s->errors) < n)
		n = s->o->count - (s->sent + s->errors);
	return (unsigned)n;
}

/* Sends a prepared batch; a failed datagram is counted and skipped.
 * ok[i] (when given) tells whether datagram i left. */
static void sender_send(struct sender *s, struct mmsghdr *m, unsigned n,
    bool *ok)
{
	unsigned done = 0;

	while (done < n) {
		int k = sendmmsg(s->fd, m + done, n - done, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			s->errors++;
			if (ok)
				ok[done] = false;
			done++;
			continue;
		}
		for (unsigned i = done; i < done + (unsigned)k; i++) {
			s->bytes += m[i].msg_len;
			if (ok)
				ok[i] = true;
		}
		s->sent += (uint64_t)k;
		done += (unsigned)k;
	}
}

static void sender_print(const struct sender *s)
{
	double t = now_s() - s->start;

	printf("sent %" PRIu64 "\nbytes %" PRIu64 "\nerrors %" PRIu64
	    "\nseconds %.3f\nrate %.0f\n", s->sent, s->bytes, s->errors, t,
	    t > 0 ? (double)s->sent / t : 0.0);
	for (size_t i = 0; i < s->n_dests; i++) {
		char a[INET_ADDRSTRLEN];
		struct in_addr in = { s->dests[i].addr };

		inet_ntop(AF_INET, &in, a, sizeof(a));
		printf("dest %s:%u %" PRIu64 " %" PRIu64 "\n", a,
		    ntohs(s->dests[i].port), s->dests[i].n, s->dests[i].n_short);
	}
}

static int cmd_random(int argc, char **argv)
{
	struct opts o = { .maxlen = UDP_MAX, .copies = 1 };
	struct sockaddr_in to;
	struct sender s = { .o = &o };
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	uint8_t *pool;
	int bufsz = 4 << 20;

	if (argc < 3 || parse_addr(argv[2], &to) || parse_opts(argc, argv, 3, &o))
		usage();
	pool = malloc(POOL);
	if (!pool)
		return 1;
	for (size_t off = 0; off < POOL;) {
		ssize_t k = getrandom(pool + off, POOL - off, 0);

		if (k < 0) {
			perror("getrandom");
			return 1;
		}
		off += (size_t)k;
	}
	s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s.fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	s.start = now_s();
	while (!sender_done(&s)) {
		unsigned n = sender_batch(&s);

		for (unsigned i = 0; i < n; i++) {
			size_t len = (size_t)(rnd() % (o.maxlen + 1));
			size_t off = (size_t)(rnd() % (POOL - len + 1));

			iov[i] = (struct iovec){ pool + off, len };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to,
			    .msg_namelen = sizeof(to), .msg_iov = &iov[i],
			    .msg_iovlen = 1 } };
		}
		sender_send(&s, m, n, NULL);
	}
	sender_print(&s);
	close(s.fd);
	free(pool);
	return 0;
}

static int cmd_capture(int argc, char **argv)
{
	struct opts o = { .copies = 1 };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ALL) };
	uint16_t port;
	uint64_t captured = 0, fragments = 0;
	uint8_t pkt[65536];
	FILE *f;
	int fd;
	double start;

	if (argc < 5 || parse_opts(argc, argv, 5, &o))
		usage();
	ll.sll_ifindex = (int)if_nametoindex(argv[2]);
	port = htons((uint16_t)atoi(argv[3]));
	if (!ll.sll_ifindex) {
		perror(argv[2]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		perror("AF_PACKET socket");
		return 1;
	}
	f = fopen(argv[4], "wb");
	if (!f) {
		perror(argv[4]);
		return 1;
	}
	fwrite(FILE_MAGIC, 1, 4, f);
	start = now_s();
	for (;;) {
		double left = o.seconds > 0 ? o.seconds - (now_s() - start) : 1.0;
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n;
		size_t ihl, ulen;

		if ((o.count && captured >= o.count) || left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from,
		    &flen);
		if (n < (ssize_t)(IP_HDR + UDP_HDR) ||
		    from.sll_protocol != htons(ETH_P_IP) || (pkt[0] >> 4) != 4 ||
		    pkt[9] != IPPROTO_UDP)
			continue;
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if ((pkt[6] & 0x3f) || pkt[7]) {   /* MF set or an offset */
			fragments++;
			continue;
		}
		if ((size_t)n < ihl + UDP_HDR)
			continue;
		const uint8_t *u = pkt + ihl;
		if (memcmp(u, &port, 2) && memcmp(u + 2, &port, 2))
			continue;
		ulen = (size_t)(u[4] << 8 | u[5]);
		if (ulen < UDP_HDR || ihl + ulen > (size_t)n)
			continue;
		ulen -= UDP_HDR;
		/* src, dst, sport, dport as on the wire, then length. */
		fwrite(pkt + 12, 1, 8, f);
		fwrite(u, 1, 4, f);
		fputc((int)(ulen >> 8), f);
		fputc((int)(ulen & 0xff), f);
		fwrite(u + UDP_HDR, 1, ulen, f);
		captured++;
	}
	if (fclose(f) != 0) {
		perror(argv[4]);
		return 1;
	}
	close(fd);
	printf("captured %" PRIu64 "\nfragments %" PRIu64 "\n", captured,
	    fragments);
	return 0;
}

static void free_recs(struct rec *r, long n)
{
	for (long i = 0; i < n; i++)
		free(r[i].data);
	free(r);
}

/* Reads a capture file into *out (free with free_recs); returns the
 * number of records, or -1 for a file that is not a whole capture. */
static long load(const char *path, struct rec **out)
{
	FILE *f = fopen(path, "rb");
	uint8_t h[14];
	char magic[4];
	struct rec *r = NULL, *more;
	long n = 0, cap = 0, rc = -1;

	if (!f || fread(magic, 1, 4, f) != 4 || memcmp(magic, FILE_MAGIC, 4))
		goto out;
	while (fread(h, 1, sizeof(h), f) == sizeof(h)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			more = realloc(r, (size_t)cap * sizeof(*r));
			if (!more)
				goto out;
			r = more;
		}
		memcpy(&r[n].src, h, 4);
		memcpy(&r[n].dst, h + 4, 4);
		memcpy(&r[n].sport, h + 8, 2);
		memcpy(&r[n].dport, h + 10, 2);
		r[n].len = (uint16_t)(h[12] << 8 | h[13]);
		/* Room in front for the IPv4 and UDP headers of -S. */
		r[n].data = malloc(IP_HDR + UDP_HDR + r[n].len);
		if (!r[n].data)
			goto out;
		n++;
		if (fread(r[n - 1].data + IP_HDR + UDP_HDR, 1, r[n - 1].len, f) !=
		    r[n - 1].len)
			goto out;
	}
	rc = n;
out:
	if (f)
		fclose(f);
	if (rc < 0) {
		fprintf(stderr, "netjunk: %s: not a whole capture\n", path);
		free_recs(r, n);
		r = NULL;
	}
	*out = r;
	return rc;
}

/* Writes the IPv4 and UDP headers of -S in front of a record. */
static void spoof_headers(struct rec *r)
{
	uint8_t *ip = r->data, *u = r->data + IP_HDR;
	uint16_t tot = htons((uint16_t)(IP_HDR + UDP_HDR + r->len));
	uint16_t ul = htons((uint16_t)(UDP_HDR + r->len));

	memset(ip, 0, IP_HDR + UDP_HDR);
	ip[0] = 0x45;                  /* version 4, 5 words */
	memcpy(ip + 2, &tot, 2);       /* id and checksum: the kernel's */
	ip[6] = 0x40;                  /* don't fragment */
	ip[8] = 64;                    /* ttl */
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &r->src, 4);
	memcpy(ip + 16, &r->dst, 4);
	memcpy(u, &r->sport, 2);
	memcpy(u + 2, &r->dport, 2);
	memcpy(u + 4, &ul, 2);         /* checksum 0: none */
}

static struct dest *dest_of(struct sender *s, const struct rec *r)
{
	for (size_t i = 0; i < s->n_dests; i++)
		if (s->dests[i].addr == r->dst && s->dests[i].port == r->dport)
			return &s->dests[i];
	if (s->n_dests == MAX_DESTS)
		return NULL;
	s->dests[s->n_dests] = (struct dest){ r->dst, r->dport, 0, 0 };
	return &s->dests[s->n_dests++];
}

static int cmd_replay(int argc, char **argv)
{
	struct opts o = { .copies = 1 };
	struct sender s = { .o = &o };
	struct rec *r;
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to[BATCH];
	struct rec *batch[BATCH];
	size_t *order, n_order, next = 0;
	long n;
	int bufsz = 4 << 20;

	if (argc < 3 || parse_opts(argc, argv, 3, &o))
		usage();
	n = load(argv[2], &r);
	if (n <= 0) {
		fprintf(stderr, "netjunk: nothing to replay\n");
		return 1;
	}
	n_order = (size_t)n * o.copies;
	order = malloc(n_order * sizeof(*order));
	if (!order)
		return 1;
	for (size_t i = 0; i < n_order; i++)
		order[i] = i % (size_t)n;
	for (size_t i = n_order - 1; i > 0; i--) {   /* Fisher-Yates */
		size_t j = (size_t)(rnd() % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	if (o.spoof) {
		for (long i = 0; i < n; i++)
			spoof_headers(&r[i]);
		s.fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	} else {
		s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	}
	if (s.fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (!o.count && o.seconds <= 0)
		o.count = n_order;
	s.start = now_s();
	while (!sender_done(&s)) {
		unsigned k = sender_batch(&s);
		bool ok[BATCH];

		for (unsigned i = 0; i < k; i++) {
			struct rec *x = &r[order[next]];

			next = (next + 1) % n_order;
			batch[i] = x;
			to[i] = (struct sockaddr_in){ .sin_family = AF_INET,
			    .sin_port = o.spoof ? 0 : x->dport,
			    .sin_addr.s_addr = x->dst };
			iov[i] = o.spoof ?
			    (struct iovec){ x->data, IP_HDR + UDP_HDR + x->len } :
			    (struct iovec){ x->data + IP_HDR + UDP_HDR, x->len };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to[i],
			    .msg_namelen = sizeof(to[i]), .msg_iov = &iov[i],
			    .msg_iovlen = 1 } };
		}
		sender_send(&s, m, k, ok);
		for (unsigned i = 0; i < k; i++) {
			struct dest *d = ok[i] ? dest_of(&s, batch[i]) : NULL;

			if (d) {
				d->n++;
				d->n_short += batch[i]->len <= o.shortlen;
			}
		}
	}
	sender_print(&s);
	close(s.fd);
	free_recs(r, n);
	free(order);
	return 0;
}

/* The Internet checksum of `len` bytes. */
static uint16_t inet_csum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Writes an IPv4 header of a `len`-byte packet of `proto` at `ip`. */
static void ip_header(uint8_t *ip, size_t len, uint8_t proto, uint32_t src,
    uint32_t dst)
{
	uint16_t tot = htons((uint16_t)len), c;

	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	memcpy(ip + 2, &tot, 2);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	c = inet_csum(ip, IP_HDR);
	memcpy(ip + 10, &c, 2);
}

#define ICMP_HDR 8u
#define QUOTE_MAX 512u

static int cmd_icmp(int argc, char **argv)
{
	struct opts o = { .copies = 1, .maxlen = 64 };
	struct sockaddr_in to, src, dst, from = { 0 };
	struct sender s = { .o = &o };
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	static uint8_t pkt[BATCH][IP_HDR + ICMP_HDR + IP_HDR + UDP_HDR + QUOTE_MAX];
	size_t outer;

	to = (struct sockaddr_in){ .sin_family = AF_INET };
	if (argc < 5 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 ||
	    parse_addr(argv[3], &src) ||
	    parse_addr(argv[4], &dst) || parse_opts(argc, argv, 5, &o) ||
	    o.maxlen > QUOTE_MAX)
		usage();
	if (o.from) {
		char a[64];

		snprintf(a, sizeof(a), "%s:0", o.from);
		if (parse_addr(a, &from))
			usage();
	}
	if (!o.count && o.seconds <= 0)
		o.count = 1;
	/* With -F the IPv4 header is ours (IPPROTO_RAW implies IP_HDRINCL). */
	outer = o.from ? IP_HDR : 0;
	s.fd = o.from ? socket(AF_INET, SOCK_RAW, IPPROTO_RAW) :
	    socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (s.fd < 0) {
		perror("socket");
		return 1;
	}
	s.start = now_s();
	while (!sender_done(&s)) {
		unsigned k = sender_batch(&s);

		for (unsigned i = 0; i < k; i++) {
			uint8_t *icmp = pkt[i] + outer, *q = icmp + ICMP_HDR;
			uint8_t *u = q + IP_HDR;
			size_t len = ICMP_HDR + IP_HDR + UDP_HDR + o.maxlen;
			uint16_t ul = htons((uint16_t)(UDP_HDR + o.maxlen)), c;

			memset(icmp, 0, ICMP_HDR);
			icmp[0] = 3;           /* destination unreachable */
			icmp[1] = 3;           /* port unreachable */
			ip_header(q, IP_HDR + UDP_HDR + o.maxlen, IPPROTO_UDP,
			    src.sin_addr.s_addr, dst.sin_addr.s_addr);
			memcpy(u, &src.sin_port, 2);
			memcpy(u + 2, &dst.sin_port, 2);
			memcpy(u + 4, &ul, 2);
			memset(u + 6, 0, 2);
			for (size_t b = 0; b < o.maxlen; b++)
				u[UDP_HDR + b] = (uint8_t)rnd();
			c = inet_csum(icmp, len);
			memcpy(icmp + 2, &c, 2);
			if (o.from)
				ip_header(pkt[i], IP_HDR + len, IPPROTO_ICMP,
				    from.sin_addr.s_addr, to.sin_addr.s_addr);
			iov[i] = (struct iovec){ pkt[i], outer + len };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to,
			    .msg_namelen = sizeof(to), .msg_iov = &iov[i],
			    .msg_iovlen = 1 } };
		}
		sender_send(&s, m, k, NULL);
	}
	sender_print(&s);
	close(s.fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "random"))
		return cmd_random(argc, argv);
	if (!strcmp(argv[1], "capture"))
		return cmd_capture(argc, argv);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc, argv);
	if (!strcmp(argv[1], "icmp"))
		return cmd_icmp(argc, argv);
	usage();
	return 2;
}
