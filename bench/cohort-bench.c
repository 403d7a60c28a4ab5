/*
 * cohort-bench: a CPG benchmark that builds against any libcpg, Cohort's
 * or corosync's, through `pkg-config libcpg`; it uses only the public API.
 *
 *   cohort-bench [OPTIONS] throughput SIZE SECONDS
 *       one process floods the group for SECONDS and receives its own
 *       messages (one node: member send SIZE SECONDS 0 1 1).
 *   cohort-bench [OPTIONS] latency SIZE SECONDS RATE
 *       the same at RATE messages per second (0: as fast as possible).
 *       These two are the threaded client shape: one thread sends, a
 *       second one polls the descriptor and dispatches.
 *   cohort-bench [OPTIONS] loop SIZE SECONDS
 *       the one-thread latency shape: send one message, poll the
 *       descriptor and cpg_dispatch(CS_DISPATCH_ALL) until it came back,
 *       repeat.
 *   cohort-bench [OPTIONS] flood SIZE SECONDS
 *       the one-thread flood shape: send one message (on CS_ERR_TRY_AGAIN
 *       dispatch and send again), cpg_dispatch(CS_DISPATCH_ALL), repeat.
 *   cohort-bench [OPTIONS] member send|loop|flood|recv SIZE SECONDS RATE
 *       MEMBERS SENDERS
 *       one member of a run across nodes: joins, waits until the group
 *       has MEMBERS members, then sends for SECONDS (send: the threaded
 *       shape at RATE, 0 as fast as possible; loop and flood: the
 *       one-thread shapes, RATE 0) and an end mark; every member
 *       delivers until the end marks of SENDERS senders arrived and
 *       reports its own deliveries.
 *   cohort-bench [OPTIONS] join ROUNDS
 *       cpg_join to the own JOIN confchg, ROUNDS times.
 *   cohort-bench [OPTIONS] watch [MEMBERS]
 *       prints every confchg with a CLOCK_REALTIME stamp (ns) on stdout;
 *       with MEMBERS, exits 0 once the group has that many members.
 *       Waits up to CONNECT_WAIT_S for a daemon to connect to.
 *
 * OPTIONS: -l LABEL (first CSV column), -g GROUP (default "cbench"),
 * -o FILE (latency samples in microseconds, sorted, one a line; at most
 * SAMPLES_OUT of them, evenly spaced quantiles when there are more),
 * -G MS (every gap of more than MS milliseconds between two deliveries
 * while the group is complete, on stderr with the CLOCK_REALTIME stamp
 * in ns of the delivery that ended it: "gap N ms ending at STAMP"),
 * -x FAULT:SEQ (test only, to show that the checks fail a run: message
 * SEQ of this sender is sent damaged; FAULT is skip (not sent: a gap),
 * dup (sent twice), short (one byte short), corrupt (one payload byte
 * changed) or forge (another sender's identity in its header)).
 *
 * Every message carries its sender's sequence number, a CLOCK_REALTIME
 * send stamp (all network namespaces share one clock, so the difference
 * at delivery is the send-to-deliver latency at that member, on any
 * node) and its sender's node id and pid. Every delivered message is
 * checked at every member: the identity in the header against the
 * sender the library reports, at most SENDERS distinct senders, the
 * length, the sequence of its sender without gap, duplicate or
 * reordering, and every payload byte against a pattern derived from the
 * sender and the sequence (a per-sender pseudo-random buffer read from
 * an offset of the sequence modulo PATTERN_PERIOD, so a check is one
 * memcmp).
 *
 * Progress goes to stderr; one result line of CSV goes to stdout:
 *   label,mode,size,count,seconds,msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us
 * count is the messages this process delivered (from all senders);
 * seconds runs from the moment the group was complete to the last
 * delivery. With -G, the longest time between two deliveries while the
 * group was complete goes to stderr ("longest gap between deliveries N
 * ms"): at a steady rate, the stall an application sees. Exit status: 0
 * ok, 1 an API error, 2 a checking error (a lost, duplicated, reordered
 * or corrupted message), 3 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cpg.h>

/* u64 sequence, u64 send time (CLOCK_REALTIME ns), u32 node id, u32 pid */
#define HDR 24u
#define END_MARK (UINT64_C(1) << 63)  /* in the sequence: the sender's last */
#define PATTERN_PERIOD 251 /* payload offsets into the sender's pattern */
#define MAX_COMPLAINTS 10  /* check failures described on stderr */
#define MAX_SAMPLES (1u << 23)
#define SAMPLES_OUT 20000
#define MAX_SENDERS 64
#define DRAIN_IDLE_S 10    /* give up when nothing arrives for this long */
#define CONNECT_WAIT_S 60
#define DISPATCH_POLL_MS 100

struct sender {
	uint32_t nodeid, pid;
	uint64_t next;             /* expected sequence of its next message */
	int ended;
	unsigned char *pat;        /* its payload pattern; owned here */
};

enum shape { SHAPE_RECV, SHAPE_THREAD, SHAPE_LOOP, SHAPE_FLOOD };
enum fault { FAULT_NONE, FAULT_SKIP, FAULT_DUP, FAULT_SHORT, FAULT_CORRUPT,
	FAULT_FORGE };

struct bench {
	const char *label, *group, *samples_path;
	cpg_handle_t h;
	unsigned int my_nodeid;
	uint32_t my_pid;           /* getpid() once: it is a system call */
	size_t size;
	enum shape shape;
	enum fault fault;          /* -x: the damage done to message fault_seq */
	uint64_t fault_seq;
	unsigned char *snd_pat;    /* the own payload pattern; owned here */
	unsigned members_wanted;
	unsigned senders_wanted;
	/* Written by the dispatch thread under lock, read by the main one. */
	int joined;
	size_t n_members;
	size_t most_members;       /* the largest view since the own join */
	uint64_t delivered;
	uint64_t last_ns;          /* CLOCK_MONOTONIC of the latest delivery */
	uint64_t max_gap_ns;       /* longest time between two deliveries */
	uint64_t gap_report_ns;    /* -G: report longer gaps (0: none) */
	unsigned senders_ended;
	int bad;
	unsigned complaints;
	int stop;
	int running;               /* the group was complete: changes are news */
	/* Only the dispatch thread touches these. */
	struct sender snd[MAX_SENDERS];
	size_t n_snd;
	uint64_t *lat;             /* latency samples, ns; grows, owned here */
	size_t n_lat, cap_lat;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
static uint64_t real_ns(void) { return clock_ns(CLOCK_REALTIME); }

/* The payload pattern of a sender: size - HDR + PATTERN_PERIOD bytes of
 * a mix of its node id, pid and the offset (splitmix64's finaliser);
 * message `seq` carries the bytes from offset seq % PATTERN_PERIOD. */
static unsigned char *pattern_new(size_t size, uint32_t nodeid, uint32_t pid)
{
	size_t n = size - HDR + PATTERN_PERIOD;
	unsigned char *p = malloc(n);
	uint64_t key = (uint64_t)nodeid << 32 | pid;

	for (size_t j = 0; p && j < n; j++) {
		uint64_t x = key + (j + 1) * UINT64_C(0x9E3779B97F4A7C15);

		x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
		x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
		p[j] = (unsigned char)(x ^ (x >> 31));
	}
	return p;
}

/* The sender of a delivery; NULL when it is one more than the run has
 * (SENDERS), or its pattern cannot be made. */
static struct sender *sender_of(struct bench *b, uint32_t nodeid, uint32_t pid)
{
	struct sender *s;

	for (size_t i = 0; i < b->n_snd; i++)
		if (b->snd[i].nodeid == nodeid && b->snd[i].pid == pid)
			return &b->snd[i];
	if (b->n_snd == b->senders_wanted || b->n_snd == MAX_SENDERS)
		return NULL;
	s = &b->snd[b->n_snd];
	*s = (struct sender){ .nodeid = nodeid, .pid = pid,
	    .pat = pattern_new(b->size, nodeid, pid) };
	if (!s->pat)
		return NULL;
	b->n_snd++;
	return s;
}

/* A check failed: the run fails (exit 2); the first MAX_COMPLAINTS are
 * described. Called by the delivering thread. */
static void complain(struct bench *b, uint32_t nodeid, uint32_t pid,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void complain(struct bench *b, uint32_t nodeid, uint32_t pid,
    const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&b->lock);
	b->bad = 1;
	if (b->complaints++ < MAX_COMPLAINTS) {
		fprintf(stderr, "cohort-bench: %s: CHECK: from %u/%u: ", b->label,
		    nodeid, pid);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&b->lock);
}

static void add_sample(struct bench *b, uint64_t v)
{
	if (b->n_lat == b->cap_lat) {
		size_t cap = b->cap_lat ? b->cap_lat * 2 : 65536;
		uint64_t *n;

		if (cap > MAX_SAMPLES || !(n = realloc(b->lat, cap * sizeof(*n))))
			return;
		b->lat = n;
		b->cap_lat = cap;
	}
	b->lat[b->n_lat++] = v;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g __attribute__((unused)),
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct bench *b;
	struct sender *s;
	uint64_t seq, sent, now = real_ns();
	uint32_t hnode, hpid;
	const unsigned char *p = msg;
	int end;

	cpg_context_get(h, (void **)&b);
	if (len != b->size) {
		complain(b, nodeid, pid, "length %zu, expected %zu", len, b->size);
		return;
	}
	if (!(s = sender_of(b, nodeid, pid))) {
		complain(b, nodeid, pid, "a sender more than the %u of the run",
		    b->senders_wanted);
		return;
	}
	memcpy(&seq, p, 8);
	memcpy(&sent, p + 8, 8);
	memcpy(&hnode, p + 16, 4);
	memcpy(&hpid, p + 20, 4);
	end = (seq & END_MARK) != 0;
	seq &= ~END_MARK;
	if (hnode != nodeid || hpid != pid)
		complain(b, nodeid, pid, "the header names sender %u/%u", hnode, hpid);
	if (s->ended || seq != s->next)
		complain(b, nodeid, pid, "sequence %" PRIu64 ", expected %" PRIu64
		    "%s", seq, s->next, s->ended ? " (after its end mark)" : "");
	if (memcmp(p + HDR, s->pat + seq % PATTERN_PERIOD, len - HDR) != 0)
		complain(b, nodeid, pid, "the payload of message %" PRIu64
		    " differs from its pattern", seq);
	if (!end) {
		s->next = seq + 1;
		if (now > sent)
			add_sample(b, now - sent);
	} else
		s->ended = 1;
	pthread_mutex_lock(&b->lock);
	if (end)
		b->senders_ended++;
	else {
		uint64_t t = mono_ns();

		if (b->running && b->last_ns && t - b->last_ns > b->max_gap_ns)
			b->max_gap_ns = t - b->last_ns;
		if (b->gap_report_ns && b->running && b->last_ns &&
		    t - b->last_ns > b->gap_report_ns)
			fprintf(stderr, "cohort-bench: %s: gap %.1f ms ending at %"
			    PRIu64 "\n", b->label, (double)(t - b->last_ns) / 1e6, now);
		b->last_ns = t;
		b->delivered++;
	}
	/* Only an end wakes the main thread (wait_ends() sees progress when
	 * its wait times out): a wake-up per message would add a thread's
	 * run to every delivery of every member, on the machine's CPUs that
	 * the daemons share. */
	if (end)
		pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void print_addrs(const char *what, const struct cpg_address *a, size_t n)
{
	printf(" %s=", what);
	for (size_t i = 0; i < n; i++)
		printf("%s%u/%u/%u", i ? "," : "", a[i].nodeid, a[i].pid, a[i].reason);
}

static int watching;  /* watch mode: print confchgs (set once in main) */

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	struct bench *b;

	cpg_context_get(h, (void **)&b);
	if (watching) {
		printf("%" PRIu64 " confchg members=%zu", real_ns(), nm);
		print_addrs("member", m, nm);
		print_addrs("left", l, nl);
		print_addrs("joined", j, nj);
		printf("\n");
		fflush(stdout);
	}
	pthread_mutex_lock(&b->lock);
	if (b->running && b->senders_ended < b->senders_wanted)
		fprintf(stderr, "cohort-bench: %s: the group changed during the run: "
		    "%zu members, %zu left, %zu joined\n", b->label, nm, nl, nj);
	for (size_t i = 0; i < nj; i++)
		if (j[i].pid == b->my_pid && j[i].nodeid == b->my_nodeid)
			b->joined = 1;
	b->n_members = nm;
	/* The largest view since the own join, not the latest: two
	 * confchgs can come back to back before the main thread looks. */
	if (b->joined && nm > b->most_members)
		b->most_members = nm;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

/* corosync's cpg_finalize does not wake a thread blocked in
 * CS_DISPATCH_BLOCKING, so the dispatcher polls with a timeout and
 * checks a stop flag; both libraries behave the same with it. A failed
 * dispatch (the daemon went away) ends the wait of the main thread. */
static void *dispatcher(void *arg)
{
	struct bench *b = arg;
	int fd, stop = 0;

	cpg_fd_get(b->h, &fd);
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, DISPATCH_POLL_MS) > 0 &&
		    cpg_dispatch(b->h, CS_DISPATCH_ALL) != CS_OK) {
			pthread_mutex_lock(&b->lock);
			b->stop = 1;
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
		}
		pthread_mutex_lock(&b->lock);
		stop = b->stop;
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

/* Connects (waiting up to `wait_s` for a daemon), joins, starts the
 * dispatcher and waits for the own JOIN and `members` members. */
static int open_and_join(struct bench *b, pthread_t *t, int wait_s, size_t members)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g;
	uint64_t until = mono_ns() + (uint64_t)wait_s * 1000000000u;
	cs_error_t err;
	int tries = 0;

	g.length = (uint32_t)strlen(b->group);
	memcpy(g.value, b->group, g.length);
	while ((err = cpg_initialize(&b->h, &cb)) != CS_OK && mono_ns() < until)
		usleep(10000);
	if (err != CS_OK || (err = cpg_context_set(b->h, b)) != CS_OK ||
	    (err = cpg_local_get(b->h, &b->my_nodeid)) != CS_OK) {
		fprintf(stderr, "cohort-bench: connect: %s\n", cs_strerror(err));
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
	while (!b->stop && b->most_members < members)
		pthread_cond_wait(&b->cond, &b->lock);
	err = b->stop ? CS_ERR_LIBRARY : CS_OK;
	pthread_mutex_unlock(&b->lock);
	if (err != CS_OK)
		fprintf(stderr, "cohort-bench: the daemon went away while joining\n");
	return err == CS_OK ? 0 : -1;
}

/* Ends the dispatching thread (the one-thread shapes dispatch in the
 * main thread from then on); the handle stays open. */
static void end_dispatcher(struct bench *b, pthread_t t)
{
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_mutex_unlock(&b->lock);
	pthread_join(t, NULL);
	b->stop = 0;
}

static void stop_dispatcher(struct bench *b, pthread_t t)
{
	end_dispatcher(b, t);
	cpg_finalize(b->h);
}

/* One-thread shapes: cpg_dispatch(CS_DISPATCH_ALL); a failure (the
 * daemon went away) sets stop. */
static int dispatch_all(struct bench *b)
{
	cs_error_t err = cpg_dispatch(b->h, CS_DISPATCH_ALL);

	if (err == CS_OK || err == CS_ERR_TRY_AGAIN)
		return 0;
	fprintf(stderr, "cohort-bench: cpg_dispatch: %s\n", cs_strerror(err));
	b->stop = 1;
	return -1;
}

/* One-thread shapes: polls the descriptor up to DISPATCH_POLL_MS and
 * dispatches what is there. */
static int poll_dispatch(struct bench *b, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, DISPATCH_POLL_MS) <= 0)
		return 0;
	return dispatch_all(b);
}

/* Sends message `seq` (with END_MARK: the end mark; 1: -x skipped it,
 * nothing was sent), retrying while the
 * library pushes back: the threaded shape yields, the one-thread ones
 * dispatch (their own deliveries are what frees the way). The stamp is
 * taken at each attempt, so latency runs from the accepted send, not
 * from the first refused one. The -x fault is done here. */
static int send_one(struct bench *b, unsigned char *buf, uint64_t seq)
{
	struct iovec iov = { buf, b->size };
	uint64_t s = seq & ~END_MARK, t;
	uint32_t node = b->my_nodeid, pid = b->my_pid;
	int fault = s == b->fault_seq && !(seq & END_MARK) ? b->fault : FAULT_NONE;
	cs_error_t err;

	if (fault == FAULT_SKIP)
		return 1;
	if (fault == FAULT_SHORT)
		iov.iov_len--;
	if (fault == FAULT_FORGE)
		pid++;
	memcpy(buf, &seq, 8);
	memcpy(buf + 16, &node, 4);
	memcpy(buf + 20, &pid, 4);
	memcpy(buf + HDR, b->snd_pat + s % PATTERN_PERIOD, b->size - HDR);
	if (fault == FAULT_CORRUPT && b->size > HDR)
		buf[b->size - 1] ^= 1;
	do {
		t = real_ns();
		memcpy(buf + 8, &t, 8);
		err = cpg_mcast_joined(b->h, CPG_TYPE_AGREED, &iov, 1);
		if (err == CS_ERR_TRY_AGAIN && b->shape == SHAPE_THREAD)
			sched_yield();
		else if (err == CS_ERR_TRY_AGAIN && dispatch_all(b) < 0)
			return -1;
		if (err == CS_OK && fault == FAULT_DUP) {
			fault = FAULT_NONE;
			err = CS_ERR_TRY_AGAIN;
		}
	} while (err == CS_ERR_TRY_AGAIN);
	if (err != CS_OK) {
		fprintf(stderr, "cohort-bench: cpg_mcast_joined: %s\n",
		    cs_strerror(err));
		return -1;
	}
	return 0;
}

/* The one-thread loop shape: after sending `seq`, dispatches until it
 * came back (or nothing arrives for DRAIN_IDLE_S: it was lost). */
static int wait_own(struct bench *b, int fd, uint64_t seq)
{
	uint64_t idle_until = mono_ns() + DRAIN_IDLE_S * UINT64_C(1000000000);
	uint64_t seen = b->delivered;

	for (;;) {
		for (size_t i = 0; i < b->n_snd; i++)
			if (b->snd[i].nodeid == b->my_nodeid &&
			    b->snd[i].pid == b->my_pid && b->snd[i].next > seq)
				return 0;
		if (b->bad)
			return 0;  /* the run failed: no wait for what was lost */
		if (poll_dispatch(b, fd) < 0)
			return -1;
		if (b->delivered != seen) {
			seen = b->delivered;
			idle_until = mono_ns() + DRAIN_IDLE_S * UINT64_C(1000000000);
		} else if (mono_ns() > idle_until) {
			complain(b, b->my_nodeid, b->my_pid, "own message %" PRIu64
			    " not delivered within %d s", seq, DRAIN_IDLE_S);
			return 0;
		}
	}
}

/* Waits until every expected sender's end mark arrived, or a wait of
 * DRAIN_IDLE_S seconds sees no delivery (lost messages), or the daemon
 * goes. */
static void wait_ends(struct bench *b)
{
	pthread_mutex_lock(&b->lock);
	while (b->senders_ended < b->senders_wanted && !b->stop) {
		uint64_t before = b->delivered;
		unsigned ends = b->senders_ended;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += DRAIN_IDLE_S;
		while (b->delivered == before && b->senders_ended == ends &&
		    !b->stop && pthread_cond_timedwait(&b->cond, &b->lock, &ts) == 0)
			;
		if (b->delivered == before && b->senders_ended == ends)
			break;
	}
	pthread_mutex_unlock(&b->lock);
}

/* wait_ends for the one-thread shapes: dispatches in this thread. */
static void wait_ends_here(struct bench *b, int fd)
{
	uint64_t idle_until = mono_ns() + DRAIN_IDLE_S * UINT64_C(1000000000);
	uint64_t seen = b->delivered;
	unsigned ends = b->senders_ended;

	while (b->senders_ended < b->senders_wanted && !b->stop &&
	    mono_ns() < idle_until) {
		if (poll_dispatch(b, fd) < 0)
			break;
		if (b->delivered != seen || b->senders_ended != ends) {
			seen = b->delivered;
			ends = b->senders_ended;
			idle_until = mono_ns() + DRAIN_IDLE_S * UINT64_C(1000000000);
		}
	}
}

/* After the wait for the end marks: a missing one fails the run. */
static void check_ends(struct bench *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->senders_ended < b->senders_wanted) {
		fprintf(stderr, "cohort-bench: %s: CHECK: end marks from %u of %u "
		    "senders (%zu seen); %" PRIu64 " delivered\n", b->label,
		    b->senders_ended, b->senders_wanted, b->n_snd, b->delivered);
		b->bad = 1;
	}
	pthread_mutex_unlock(&b->lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *v, size_t n, double p)
{
	return n ? (double)v[(size_t)(p * (double)(n - 1))] / 1000.0 : 0;
}

static void write_samples(const struct bench *b)
{
	FILE *f;
	size_t n = b->n_lat, out = n < SAMPLES_OUT ? n : SAMPLES_OUT;

	if (!b->samples_path || !(f = fopen(b->samples_path, "w")))
		return;
	for (size_t i = 0; i < out; i++)
		fprintf(f, "%.1f\n", (double)b->lat[out > 1 ?
		    (size_t)((double)i * (double)(n - 1) / (double)(out - 1)) : 0] / 1000.0);
	fclose(f);
}

static int run_member(struct bench *b, const char *mode, double seconds,
    double rate)
{
	unsigned char *buf = calloc(1, b->size);
	pthread_t t;
	uint64_t sent = 0, start, end, got;
	double secs;
	int rc = 0, fd = -1, send = b->shape != SHAPE_RECV, threaded = 1, skipped;

	if (!buf || open_and_join(b, &t, 0, b->members_wanted) < 0)
		return 1;
	if (!(b->snd_pat = pattern_new(b->size, b->my_nodeid, b->my_pid)))
		return 1;
	if (b->shape == SHAPE_LOOP || b->shape == SHAPE_FLOOD) {
		end_dispatcher(b, t);
		threaded = 0;
		cpg_fd_get(b->h, &fd);
	}
	start = mono_ns();
	pthread_mutex_lock(&b->lock);
	b->running = 1;
	fprintf(stderr, "cohort-bench: %s: %zu members, %s\n", b->label,
	    b->n_members, send ? "sending" : "receiving");
	pthread_mutex_unlock(&b->lock);
	end = start + (uint64_t)(seconds * 1e9);
	/* A one-thread sender stops at the first failed check: the run
	 * has failed, and the loop shape could wait for each lost message. */
	while (send && !threaded && rc == 0 && !b->bad && mono_ns() < end) {
		skipped = send_one(b, buf, sent);
		if (skipped < 0 || b->stop)
			rc = 1;
		else if (b->shape == SHAPE_FLOOD && dispatch_all(b) < 0)
			rc = 1;
		else if (b->shape == SHAPE_LOOP && !skipped && wait_own(b, fd, sent) < 0)
			rc = 1;
		sent++;
	}
	while (send && threaded && mono_ns() < end) {
		if (rate > 0) {
			uint64_t due = start + (uint64_t)((double)sent * 1e9 / rate);
			uint64_t now = mono_ns();

			/* Sleep most of the gap, spin the last 50 us. */
			if (due > now + 100000) {
				struct timespec ts = { 0, (long)(due - now - 50000) };

				nanosleep(&ts, NULL);
			}
			while (mono_ns() < due)
				;
		}
		if (send_one(b, buf, sent) < 0) {
			rc = 1;
			break;
		}
		sent++;
	}
	if (send && rc == 0 && send_one(b, buf, sent | END_MARK) < 0)
		rc = 1;
	if (rc == 0 && threaded)
		wait_ends(b);
	else if (rc == 0)
		wait_ends_here(b, fd);
	if (rc == 0)
		check_ends(b);
	pthread_mutex_lock(&b->lock);
	got = b->delivered;
	/* Up to the last delivery: an idle wait for lost messages does not
	 * count against the rate. */
	secs = (double)((b->last_ns > start ? b->last_ns : mono_ns()) - start) / 1e9;
	if (b->gap_report_ns)
		fprintf(stderr, "cohort-bench: %s: longest gap between deliveries %.1f ms\n",
		    b->label, (double)b->max_gap_ns / 1e6);
	pthread_mutex_unlock(&b->lock);
	if (threaded)
		stop_dispatcher(b, t);
	else
		cpg_finalize(b->h);
	qsort(b->lat, b->n_lat, sizeof(uint64_t), cmp_u64);
	write_samples(b);
	printf("%s,%s,%zu,%" PRIu64 ",%.3f,%.0f,%.2f,%.1f,%.1f,%.1f,%.1f\n",
	    b->label, mode, b->size, got, secs,
	    (double)got / secs, (double)got * (double)b->size / secs / 1e6,
	    pct_us(b->lat, b->n_lat, 0.5), pct_us(b->lat, b->n_lat, 0.9),
	    pct_us(b->lat, b->n_lat, 0.99), pct_us(b->lat, b->n_lat, 1.0));
	free(buf);
	free(b->lat);
	free(b->snd_pat);
	for (size_t i = 0; i < b->n_snd; i++)
		free(b->snd[i].pat);
	if (rc == 0 && b->bad) {
		fprintf(stderr, "cohort-bench: %s: CHECK FAILED: lost, duplicated, "
		    "reordered, damaged or foreign messages\n", b->label);
		return 2;
	}
	return rc;
}

static int run_join(struct bench *b, int rounds)
{
	uint64_t *v = calloc((size_t)rounds, sizeof(*v));

	if (!v)
		return 1;
	for (int i = 0; i < rounds; i++) {
		pthread_t t;
		uint64_t t0 = mono_ns();

		b->joined = 0;
		b->most_members = 0;
		if (open_and_join(b, &t, 0, 1) < 0)
			return 1;
		v[i] = mono_ns() - t0;
		stop_dispatcher(b, t);
		b->stop = 0;
	}
	qsort(v, (size_t)rounds, sizeof(*v), cmp_u64);
	printf("%s,join,0,%d,0,0,0,%.1f,%.1f,%.1f,%.1f\n", b->label, rounds,
	    pct_us(v, (size_t)rounds, 0.5), pct_us(v, (size_t)rounds, 0.9),
	    pct_us(v, (size_t)rounds, 0.99), pct_us(v, (size_t)rounds, 1.0));
	free(v);
	return 0;
}

/* Watch: runs until the daemon goes away (or, with `members`, until the
 * group has that many). Confchgs are printed by on_confchg. */
static int run_watch(struct bench *b, size_t members)
{
	pthread_t t;

	watching = 1;
	if (open_and_join(b, &t, CONNECT_WAIT_S, members ? members : 1) < 0)
		return 1;
	pthread_mutex_lock(&b->lock);
	while (!members && !b->stop)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	stop_dispatcher(b, t);
	return 0;
}

static int shape_arg(struct bench *b, const char *s)
{
	static const char *const names[] = {
		[SHAPE_RECV] = "recv", [SHAPE_THREAD] = "send",
		[SHAPE_LOOP] = "loop", [SHAPE_FLOOD] = "flood",
	};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(s, names[k]) == 0) {
			b->shape = (enum shape)k;
			return 0;
		}
	return -1;
}

/* -x FAULT:SEQ */
static int fault_arg(struct bench *b, const char *s)
{
	static const char *const names[] = {
		[FAULT_SKIP] = "skip", [FAULT_DUP] = "dup", [FAULT_SHORT] = "short",
		[FAULT_CORRUPT] = "corrupt", [FAULT_FORGE] = "forge",
	};
	const char *colon = strchr(s, ':');

	for (size_t k = 1; colon && k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k]) == (size_t)(colon - s) &&
		    strncmp(s, names[k], (size_t)(colon - s)) == 0) {
			b->fault = (enum fault)k;
			b->fault_seq = strtoull(colon + 1, NULL, 10);
			return 0;
		}
	return -1;
}

static size_t size_arg(const char *s)
{
	size_t v = strtoul(s, NULL, 0);

	return v < HDR ? HDR : v;
}

int main(int argc, char **argv)
{
	struct bench b = { .label = "cpg", .group = "cbench",
	    .members_wanted = 1, .senders_wanted = 1,
	    .my_pid = (uint32_t)getpid() };
	int i = 1, n;
	const char *mode;

	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	while (i + 1 < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]) {
		if (argv[i][1] == 'l')
			b.label = argv[i + 1];
		else if (argv[i][1] == 'g' && strlen(argv[i + 1]) < CPG_MAX_NAME_LENGTH)
			b.group = argv[i + 1];
		else if (argv[i][1] == 'o')
			b.samples_path = argv[i + 1];
		else if (argv[i][1] == 'G' && atoi(argv[i + 1]) > 0)
			b.gap_report_ns = (uint64_t)atoi(argv[i + 1]) * 1000000u;
		else if (argv[i][1] == 'x' && fault_arg(&b, argv[i + 1]) == 0)
			;
		else
			break;
		i += 2;
	}
	mode = i < argc ? argv[i] : "";
	n = argc - i - 1;
	if (strcmp(mode, "throughput") == 0 && n == 2) {
		b.size = size_arg(argv[i + 1]);
		b.shape = SHAPE_THREAD;
		return run_member(&b, mode, atof(argv[i + 2]), 0);
	}
	if (strcmp(mode, "latency") == 0 && n == 3) {
		b.size = size_arg(argv[i + 1]);
		b.shape = SHAPE_THREAD;
		return run_member(&b, mode, atof(argv[i + 2]), atof(argv[i + 3]));
	}
	if ((strcmp(mode, "loop") == 0 || strcmp(mode, "flood") == 0) && n == 2) {
		b.size = size_arg(argv[i + 1]);
		b.shape = mode[0] == 'l' ? SHAPE_LOOP : SHAPE_FLOOD;
		return run_member(&b, mode, atof(argv[i + 2]), 0);
	}
	if (strcmp(mode, "member") == 0 && n == 6 && shape_arg(&b, argv[i + 1]) == 0) {
		b.size = size_arg(argv[i + 2]);
		b.members_wanted = (unsigned)atoi(argv[i + 5]);
		b.senders_wanted = (unsigned)atoi(argv[i + 6]);
		if (b.members_wanted < 1 || b.senders_wanted < 1 ||
		    b.senders_wanted > MAX_SENDERS)
			return 3;
		if (b.shape != SHAPE_RECV && b.shape != SHAPE_THREAD &&
		    atof(argv[i + 4]) != 0)
			return 3;
		return run_member(&b, mode, atof(argv[i + 3]), atof(argv[i + 4]));
	}
	if (strcmp(mode, "join") == 0 && n == 1)
		return run_join(&b, atoi(argv[i + 1]));
	if (strcmp(mode, "watch") == 0 && n <= 1)
		return run_watch(&b, n ? (size_t)atoi(argv[i + 1]) : 0);
	fprintf(stderr, "usage: cohort-bench [-l LABEL] [-g GROUP] [-o FILE] [-G MS] "
	    "[-x FAULT:SEQ] MODE ARGS\n"
	    "  throughput SIZE SECONDS\n"
	    "  latency SIZE SECONDS RATE\n"
	    "  loop SIZE SECONDS\n"
	    "  flood SIZE SECONDS\n"
	    "  member send|loop|flood|recv SIZE SECONDS RATE MEMBERS SENDERS\n"
	    "  join ROUNDS\n"
	    "  watch [MEMBERS]\n"
	    "-x (test only: the checks must fail the run): message SEQ is sent\n"
	    "   damaged; FAULT: skip, dup, short, corrupt or forge\n");
	return 3;
}
