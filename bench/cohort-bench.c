/*
 * cohort-bench: a CPG benchmark that builds against any libcpg, Cohort's
 * or corosync's, through `pkg-config libcpg`; it uses only the public API.
 *
 *   cohort-bench [-l LABEL] throughput SIZE SECONDS
 *       one sender (this process) floods the group for SECONDS; a
 *       dispatch thread receives; every delivered message is checked
 *       (sender sequence without gap, length, contents).
 *   cohort-bench [-l LABEL] latency SIZE SECONDS RATE
 *       sends RATE messages per second (0: as fast as possible) and
 *       measures send-to-self-delivery time: p50/p90/p99/max.
 *   cohort-bench [-l LABEL] join ROUNDS
 *       cpg_join to the own JOIN confchg, ROUNDS times.
 *
 * Progress goes to stderr; one result line of CSV goes to stdout:
 *   label,mode,size,count,seconds,msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us
 * Exit status: 0 ok, 1 an API error, 2 a checking error (a lost,
 * duplicated, reordered or corrupted message), 3 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cpg.h>

#define HDR 16u            /* u64 sequence, u64 send time (ns) */
#define MAX_SAMPLES (1u << 22)

struct bench {
	const char *label;
	cpg_handle_t h;
	size_t size;
	volatile int joined;
	volatile uint64_t delivered;
	volatile uint64_t last_ns;   /* time of the latest own delivery */
	uint64_t next_seq;           /* expected sequence of the next delivery */
	volatile int bad;
	volatile int stop;           /* tells the dispatcher to return */
	uint64_t *lat;               /* latency samples, ns */
	size_t n_lat;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned char pattern(uint64_t seq, size_t i)
{
	return (unsigned char)(seq * 31 + i * 7);
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g __attribute__((unused)),
    uint32_t nodeid __attribute__((unused)), uint32_t pid, void *msg, size_t len)
{
	struct bench *b;
	uint64_t seq, sent;
	const unsigned char *p = msg;

	cpg_context_get(h, (void **)&b);
	if (pid != (uint32_t)getpid())
		return;
	if (len != b->size || len < HDR) {
		b->bad = 1;
		return;
	}
	memcpy(&seq, p, 8);
	memcpy(&sent, p + 8, 8);
	if (seq != b->next_seq)
		b->bad = 1;
	b->next_seq = seq + 1;
	/* Check a sample of the payload bytes: cheap, catches corruption. */
	for (size_t i = HDR; i < len; i += 97)
		if (p[i] != pattern(seq, i))
			b->bad = 1;
	if (b->lat && b->n_lat < MAX_SAMPLES)
		b->lat[b->n_lat++] = now_ns() - sent;
	pthread_mutex_lock(&b->lock);
	b->last_ns = now_ns();
	b->delivered++;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	struct bench *b;

	cpg_context_get(h, (void **)&b);
	for (size_t i = 0; i < nj; i++)
		if (j[i].pid == (uint32_t)getpid()) {
			pthread_mutex_lock(&b->lock);
			b->joined = 1;
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
		}
}

/* corosync's cpg_finalize does not wake a thread blocked in
 * CS_DISPATCH_BLOCKING, so the dispatcher polls with a timeout and
 * checks a stop flag; both libraries behave the same with it. */
static void *dispatcher(void *arg)
{
	struct bench *b = arg;
	int fd;

	cpg_fd_get(b->h, &fd);
	while (!b->stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 &&
		    cpg_dispatch(b->h, CS_DISPATCH_ALL) != CS_OK)
			break;
	}
	return NULL;
}

static int open_and_join(struct bench *b, pthread_t *t)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = { 7, "cbench" };
	cs_error_t err;

	int tries = 0;

	if ((err = cpg_initialize(&b->h, &cb)) != CS_OK ||
	    (err = cpg_context_set(b->h, b)) != CS_OK) {
		fprintf(stderr, "cohort-bench: %s\n", cs_strerror(err));
		return -1;
	}
	/* A join right after this process's previous handle left can be
	 * refused for a moment (the leave is still in flight): retry. */
	while ((err = cpg_join(b->h, &g)) == CS_ERR_TRY_AGAIN && ++tries < 100000)
		sched_yield();
	if (err != CS_OK) {
		fprintf(stderr, "cohort-bench: cpg_join: %s\n", cs_strerror(err));
		return -1;
	}
	pthread_create(t, NULL, dispatcher, b);
	pthread_mutex_lock(&b->lock);
	while (!b->joined)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* Sends message `seq`, retrying while the library pushes back. */
static int send_one(struct bench *b, unsigned char *buf, uint64_t seq)
{
	struct iovec iov = { buf, b->size };
	uint64_t t = now_ns();
	cs_error_t err;

	memcpy(buf, &seq, 8);
	memcpy(buf + 8, &t, 8);
	for (size_t i = HDR; i < b->size; i += 97)
		buf[i] = pattern(seq, i);
	while ((err = cpg_mcast_joined(b->h, CPG_TYPE_AGREED, &iov, 1)) ==
	    CS_ERR_TRY_AGAIN)
		sched_yield();
	if (err != CS_OK) {
		fprintf(stderr, "cohort-bench: cpg_mcast_joined: %s\n",
		    cs_strerror(err));
		return -1;
	}
	return 0;
}

#define DRAIN_IDLE_S 5   /* give up when nothing arrives for this long */

/* Waits until `n` messages are delivered, or until deliveries stop for
 * DRAIN_IDLE_S seconds (an implementation that drops messages).
 * Returns how many arrived. */
static uint64_t wait_delivered(struct bench *b, uint64_t n)
{
	uint64_t got;

	pthread_mutex_lock(&b->lock);
	while (b->delivered < n) {
		uint64_t before = b->delivered;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += DRAIN_IDLE_S;
		while (b->delivered == before &&
		    pthread_cond_timedwait(&b->cond, &b->lock, &ts) == 0)
			;
		if (b->delivered == before)
			break;
	}
	got = b->delivered;
	pthread_mutex_unlock(&b->lock);
	return got;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1));

	return n ? (double)v[i] / 1000.0 : 0;
}

static int run_traffic(struct bench *b, double seconds, double rate, int lat)
{
	unsigned char *buf = calloc(1, b->size);
	pthread_t t;
	uint64_t sent = 0, got, start, end;
	double secs;

	if (!buf || open_and_join(b, &t) < 0)
		return 1;
	if (lat)
		b->lat = malloc(MAX_SAMPLES * sizeof(uint64_t));
	start = now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (now_ns() < end) {
		if (rate > 0) {
			uint64_t due = start + (uint64_t)((double)sent * 1e9 / rate);

			uint64_t t = now_ns();

			/* Sleep most of the gap, spin the last 50 us. */
			if (due > t + 100000) {
				struct timespec ts = { 0, (long)(due - t - 50000) };

				nanosleep(&ts, NULL);
			}
			while (now_ns() < due)
				;
		}
		if (send_one(b, buf, sent) < 0)
			return 1;
		sent++;
	}
	got = wait_delivered(b, sent);
	/* Up to the last delivery: an idle wait for lost messages does not
	 * count against the rate. */
	secs = (double)((b->last_ns > start ? b->last_ns : now_ns()) - start) / 1e9;
	if (got < sent) {
		fprintf(stderr, "cohort-bench: %s: %" PRIu64 " of %" PRIu64
		    " messages never delivered\n", b->label, sent - got, sent);
		b->bad = 1;
	}
	b->stop = 1;
	pthread_join(t, NULL);
	cpg_finalize(b->h);
	if (lat)
		qsort(b->lat, b->n_lat, sizeof(uint64_t), cmp_u64);
	printf("%s,%s,%zu,%" PRIu64 ",%.3f,%.0f,%.2f,%.1f,%.1f,%.1f,%.1f\n",
	    b->label, lat ? "latency" : "throughput", b->size, got, secs,
	    (double)got / secs, (double)got * (double)b->size / secs / 1e6,
	    lat ? pct_us(b->lat, b->n_lat, 0.5) : 0,
	    lat ? pct_us(b->lat, b->n_lat, 0.9) : 0,
	    lat ? pct_us(b->lat, b->n_lat, 0.99) : 0,
	    lat ? pct_us(b->lat, b->n_lat, 1.0) : 0);
	free(buf);
	free(b->lat);
	if (b->bad) {
		fprintf(stderr, "cohort-bench: %s: CHECK FAILED: lost, reordered "
		    "or corrupted messages\n", b->label);
		return 2;
	}
	return 0;
}

static int run_join(struct bench *b, int rounds)
{
	uint64_t *v = calloc((size_t)rounds, sizeof(*v));

	for (int i = 0; i < rounds; i++) {
		pthread_t t;
		uint64_t t0 = now_ns();

		b->joined = 0;
		if (open_and_join(b, &t) < 0)
			return 1;
		v[i] = now_ns() - t0;
		b->stop = 1;
		pthread_join(t, NULL);
		b->stop = 0;
		cpg_finalize(b->h);
	}
	qsort(v, (size_t)rounds, sizeof(*v), cmp_u64);
	printf("%s,join,0,%d,0,0,0,%.1f,%.1f,%.1f,%.1f\n", b->label, rounds,
	    pct_us(v, (size_t)rounds, 0.5), pct_us(v, (size_t)rounds, 0.9),
	    pct_us(v, (size_t)rounds, 0.99), pct_us(v, (size_t)rounds, 1.0));
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b = { .label = "cpg" };
	int i = 1;

	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	if (i + 1 < argc && strcmp(argv[i], "-l") == 0) {
		b.label = argv[i + 1];
		i += 2;
	}
	if (i + 2 < argc + 0 && strcmp(argv[i], "throughput") == 0 &&
	    argc - i == 3) {
		b.size = strtoul(argv[i + 1], NULL, 0);
		if (b.size < HDR)
			b.size = HDR;
		return run_traffic(&b, atof(argv[i + 2]), 0, 0);
	}
	if (strcmp(argv[i < argc ? i : 0], "latency") == 0 && argc - i == 4) {
		b.size = strtoul(argv[i + 1], NULL, 0);
		if (b.size < HDR)
			b.size = HDR;
		return run_traffic(&b, atof(argv[i + 2]), atof(argv[i + 3]), 1);
	}
	if (strcmp(argv[i < argc ? i : 0], "join") == 0 && argc - i == 2)
		return run_join(&b, atoi(argv[i + 1]));
	fprintf(stderr, "usage: cohort-bench [-l LABEL] throughput SIZE SECONDS\n"
	    "       cohort-bench [-l LABEL] latency SIZE SECONDS RATE\n"
	    "       cohort-bench [-l LABEL] join ROUNDS\n");
	return 3;
}
