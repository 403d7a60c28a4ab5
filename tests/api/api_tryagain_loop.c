/* API test: programs that retry cpg_mcast_joined on CS_ERR_TRY_AGAIN
 * without dispatching (corosync's cpgverify and cpgbound do it: send,
 * retry until CS_OK, then one cpg_dispatch(CS_DISPATCH_ALL)) run for as
 * long as they like. Three such processes share a group (one retries at
 * once, one after a short sleep, one sends each message from the deliver
 * callback of its previous one and retries there, where it may not
 * dispatch), so each receives more than it sends and falls behind: its own unread events pass the
 * daemon's high watermark and the daemon refuses its sends. The library
 * then takes the pending events into the process's own memory, the
 * daemon's queue drains, and the send goes through. Checked for 1 KiB
 * and 1 MiB messages: nobody is disconnected, every message of every
 * sender arrives once, in order and intact, the daemon did push back
 * (stat.ring_held_for_readers grew), and the daemon's memory stays
 * within its bound. COHORT_TRYAGAIN_SECS sets how long each size runs
 * (default TRYAGAIN_SECS). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/limits.h"
#include "harness.h"
#include "watch.h"

#define LOOPERS 3
#define CHAIN 2                /* the looper that sends from its callback */
#define TRYAGAIN_SECS 4
#define END_LEN 12u            /* the last message: magic, count, 0 */
#define END_MAGIC 0xe0d0e0d0u
#define RSS_BOUND_KB ((COHORT_EVQ_HARD + (64u << 20)) / 1024u)
#define RSS_SAMPLE_MS 20

struct sender {
	uint32_t pid;
	uint32_t got, bad;
	bool ended;
	uint32_t count;            /* from its END message */
};

static struct sender senders[LOOPERS];
static unsigned int members;

/* Looper CHAIN: each delivery of its own message sends the next. */
static struct chain {
	cpg_handle_t h;
	uint8_t *buf;
	size_t size;
	uint32_t sent;
	uint64_t retries;
	bool on;
} chain;

static void send_retrying(cpg_handle_t h, const void *buf, size_t len,
    int me, uint64_t *retries);

static void chain_next(void)
{
	msg_fill(chain.buf, chain.sent, chain.size);
	send_retrying(chain.h, chain.buf, chain.size, CHAIN, &chain.retries);
	chain.sent++;
}

static struct sender *sender_of(uint32_t pid)
{
	for (int i = 0; i < LOOPERS; i++) {
		if (senders[i].pid == pid)
			return &senders[i];
		if (senders[i].pid == 0) {
			senders[i].pid = pid;
			return &senders[i];
		}
	}
	CHECK(!"a message from a process that is not a looper");
	return NULL;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct sender *s = sender_of(pid);

	CHECK(!s->ended);
	if (len == END_LEN && get_u32(msg) == END_MAGIC) {
		s->ended = true;
		s->count = get_u32((uint8_t *)msg + 4);
		return;
	}
	s->bad += !msg_ok(msg, len, s->got);
	s->got++;
	if (chain.on && pid == (uint32_t)getpid())
		chain_next();
}

static bool all_ended(void)
{
	bool done = true;

	for (int i = 0; i < LOOPERS; i++)
		done &= senders[i].ended;
	return done;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	/* Nobody is disconnected: a looper leaves (finalizes) only once it
	 * has every END, which come before its leave for everyone. */
	CHECK(nl == 0 || all_ended());
	members = (unsigned int)nm;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends one message the way cpgverify does: retry on TRY_AGAIN, with no
 * dispatch in between; looper 1 sleeps a little before each retry. */
static void send_retrying(cpg_handle_t h, const void *buf, size_t len,
    int me, uint64_t *retries)
{
	struct iovec iov = { (void *)buf, len };
	struct timespec nap = { 0, 100000 };
	cs_error_t rc;

	while ((rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1)) ==
	    CS_ERR_TRY_AGAIN) {
		(*retries)++;
		if (me == 1)
			nanosleep(&nap, NULL);
	}
	CHECK_CS(rc, CS_OK);
}

static int looper(int me, const char *group, size_t size, unsigned int secs)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name(group);
	uint8_t end[END_LEN] = { 0 };
	uint64_t retries = 0, stop;
	uint32_t sent = 0;
	uint8_t *buf = malloc(size);
	cpg_handle_t h;
	int fd;

	CHECK(buf);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
	while (members < LOOPERS) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CHECK(poll(&p, 1, WAIT_MS) == 1);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	}
	stop = now_ms() + secs * 1000u;
	if (me == CHAIN) {
		chain = (struct chain){ .h = h, .buf = buf, .size = size,
		    .on = true };
		chain_next();
		while (now_ms() < stop) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			CHECK(poll(&p, 1, WAIT_MS) == 1);
			CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
		}
		chain.on = false;
		sent = chain.sent;
		retries = chain.retries;
	}
	while (now_ms() < stop) {
		msg_fill(buf, sent, size);
		send_retrying(h, buf, size, me, &retries);
		sent++;
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	}
	put_u32(end, END_MAGIC);
	put_u32(end + 4, sent);
	send_retrying(h, end, sizeof(end), me, &retries);
	/* Everything every looper sent, then the END of each, one event
	 * at a time: the descriptor is readable while the library holds
	 * events it took off the channel. */
	while (!all_ended()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CHECK(poll(&p, 1, WAIT_MS) == 1);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
	}
	for (int i = 0; i < LOOPERS; i++) {
		CHECK(senders[i].bad == 0);
		CHECK(senders[i].got == senders[i].count);
	}
	printf("looper %d (%zu bytes): sent %u, retried %llu times; "
	    "received %u, %u and %u\n", me, size, sent,
	    (unsigned long long)retries, senders[0].got, senders[1].got,
	    senders[2].got);
	CHECK_CS(cpg_finalize(h), CS_OK);
	free(buf);
	return 0;
}

/* Runs LOOPERS processes for `secs` with messages of `size` bytes and
 * samples the daemon's memory meanwhile. */
static void run(struct daemon_proc *d, const char *group, size_t size,
    unsigned int secs)
{
	long long held0 = harness_status_field("stat.ring_held_for_readers");
	pid_t kids[LOOPERS];
	long peak = 0;
	int live = LOOPERS;

	for (int i = 0; i < LOOPERS; i++) {
		kids[i] = fork();
		CHECK(kids[i] >= 0);
		if (kids[i] == 0)
			_exit(looper(i, group, size, secs));
	}
	while (live > 0) {
		long kb = harness_rss_kb(d->pid);
		int status;
		pid_t p;

		peak = kb > peak ? kb : peak;
		p = waitpid(-1, &status, WNOHANG);
		if (p > 0) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			live--;
			continue;
		}
		poll(NULL, 0, RSS_SAMPLE_MS);   /* the sampling period */
	}
	printf("%zu bytes: daemon peak RSS %ld kB (bound %u kB); ring held "
	    "for readers %lld times\n", size, peak, RSS_BOUND_KB,
	    harness_status_field("stat.ring_held_for_readers") - held0);
	CHECK(peak > 0 && peak < (long)RSS_BOUND_KB);
	/* The daemon did refuse the loopers' sends for their own backlog. */
	CHECK(harness_status_field("stat.ring_held_for_readers") > held0);
}

int main(void)
{
	const char *env = getenv("COHORT_TRYAGAIN_SECS");
	unsigned int secs = env ? (unsigned int)atoi(env) : TRYAGAIN_SECS;
	struct daemon_proc d;

	harness_start(&d, NULL);
	run(&d, "tryagain-1k", 1024, secs);
	run(&d, "tryagain-1m", 1u << 20, secs);
	harness_stop(&d);
	return 0;
}
