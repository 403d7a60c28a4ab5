/* API test: eviction is decided by what a client consumes. While one
 * member floods its group, another reads one event a second for at least
 * SLOW_EVENTS seconds, more than twice COHORT_EVQ_STALL_MS, with its
 * queue above the high watermark all along: it sets the pace (the
 * flooder is refused) and is not disconnected. A third member that reads
 * nothing is disconnected (PROCDOWN). Then the slow reader reads at full
 * speed and receives every message in order, intact; the daemon's memory
 * stays bounded. Two cases at once, each with its own daemon: 64 KiB
 * messages, where the reader's socket never drains far enough to turn
 * writable meanwhile, and 1 KiB ones, where the reader takes far less in
 * 5 s than one of the kernel's socket buffers holds. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"
#include "watch.h"

#define BIG (64u * 1024u)
#define SMALL 1024u
/* Events of SMALL bytes the reader takes at once before its slow pace:
 * more than its socket holds, less than the queue's high watermark less
 * its low one (COHORT_EVQ_HIGH_EVENTS - COHORT_EVQ_LOW_EVENTS). */
#define SMALL_PRIME_EVENTS 1024u
#define CONGESTED_POLL_MS 50
#define SLOW_EVENTS (2u * COHORT_EVQ_STALL_MS / 1000u + 3u)
#define RSS_BOUND_KB ((COHORT_EVQ_HARD + (64u << 20)) / 1024u)

static size_t msg_size;       /* of this case */
static uint32_t flooder;       /* its pid */
static uint32_t got, bad;      /* its messages, and the wrong ones */
static uint32_t stuck;         /* the pid of the member that reads nothing */
static volatile bool changed, stuck_gone, other_left;
static uint32_t stuck_reason;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	CHECK(pid == flooder && len == msg_size);
	bad += !msg_ok(msg, len, got);
	got++;
	changed = true;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	for (size_t i = 0; i < nl; i++) {
		if (l[i].pid == stuck) {
			stuck_gone = true;
			stuck_reason = l[i].reason;
		} else {
			other_left = true;
		}
	}
	changed = true;
}

/* Joins and tells the parent through `ready`. */
static cpg_handle_t member(const struct cpg_name *g, int ready)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	cpg_handle_t h;

	/* A child does not outlive a failed test. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, g), CS_OK);
	CHECK(write(ready, "j", 1) == 1);
	return h;
}

/* One event a second, SLOW_EVENTS times and at least until the member
 * that reads nothing has been disconnected (so that the rule is seen at
 * work meanwhile), then everything the flooder sent (it writes the count
 * to `count_fd` once it stops). */
static int slow_reader(const struct cpg_name *g, int ready, int slow_done,
    int count_fd)
{
	cpg_handle_t h = member(g, ready);
	struct timespec pace = { 1, 0 };
	long long evicted = 0;
	unsigned int n = 0;
	uint32_t sent;

	/* Small events: what the socket held when the queue passed the
	 * watermark was written a few events at a time, as they came. Once
	 * the reader has taken that, the daemon refills the socket in
	 * batches, whose kernel buffers hold tens of events each: one event
	 * a second then frees no buffer for far longer than 5 s. */
	if (msg_size == SMALL) {
		while (harness_status_field("congested") != 1)
			poll(NULL, 0, CONGESTED_POLL_MS);
		for (unsigned int i = 0; i < SMALL_PRIME_EVENTS; i++)
			CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	}
	while (n < SLOW_EVENTS || evicted == 0) {
		nanosleep(&pace, NULL);   /* the reader's pace, not a wait */
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
		n++;
		if (evicted == 0)
			evicted = harness_status_field("stat.ipc_evicted_clients");
	}
	printf("slow reader of %zu-byte messages: %u events in %u s, %u "
	    "messages\n", msg_size, n, n, got);
	/* The other one, not us. */
	CHECK(harness_status_field("stat.ipc_evicted_clients") == 1);
	CHECK(write(slow_done, "s", 1) == 1);
	CHECK(read(count_fd, &sent, sizeof(sent)) == sizeof(sent));
	while (got < sent || !stuck_gone) {
		changed = false;
		harness_wait(h, &changed);
	}
	CHECK(got == sent && bad == 0);
	CHECK(!other_left && stuck_reason == CPG_REASON_PROCDOWN);
	CHECK_CS(cpg_finalize(h), CS_OK);
	return 0;
}

/* One case: messages of `size` bytes. */
static void run_case(size_t size)
{
	struct daemon_proc d;
	struct cpg_name g = harness_name("pace");
	static unsigned char payload[BIG];
	int ready[2], slow_done[2], count[2], bye[2], status;
	unsigned int refused = 0;
	uint32_t sent = 0;
	pid_t reader, nonreader;
	cpg_handle_t h;
	long peak = 0;
	char b;

	msg_size = size;
	harness_start(&d, NULL);
	flooder = (uint32_t)getpid();
	CHECK(pipe(ready) == 0 && pipe(slow_done) == 0 && pipe(count) == 0 &&
	    pipe(bye) == 0);
	nonreader = fork();
	if (nonreader == 0) {
		cpg_handle_t sh = member(&g, ready[1]);
		unsigned int id;

		/* Never reads; disconnected by the time it is told to go. */
		close(bye[1]);
		CHECK(read(bye[0], &b, 1) == 1);
		_exit(cpg_local_get(sh, &id) == CS_ERR_LIBRARY ? 0 : 3);
	}
	stuck = (uint32_t)nonreader;
	CHECK(read(ready[0], &b, 1) == 1);
	reader = fork();
	if (reader == 0) {
		close(count[1]);
		_exit(slow_reader(&g, ready[1], slow_done[1], count[0]));
	}
	CHECK(read(ready[0], &b, 1) == 1);
	h = member(&g, ready[1]);
	CHECK(read(ready[0], &b, 1) == 1);
	for (;;) {
		struct pollfd p[2] = {
			{ .events = POLLIN }, { .fd = slow_done[0], .events = POLLIN },
		};
		struct iovec iov = { payload, size };
		cs_error_t rc;

		msg_fill(payload, sent, size);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK) {
			sent++;
		} else {
			CHECK_CS(rc, CS_ERR_TRY_AGAIN);
			refused++;
		}
		CHECK_CS(cpg_fd_get(h, &p[0].fd), CS_OK);
		/* On a refusal, wait for an event or 10 ms. */
		poll(p, 2, rc == CS_OK ? 0 : 10);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
		CHECK(!other_left);
		if (sent % 16 == 0) {
			long kb = harness_rss_kb(d.pid);

			peak = kb > peak ? kb : peak;
		}
		if (p[1].revents & POLLIN)
			break;
	}
	/* Nobody but the member that reads nothing was disconnected. The
	 * slow reader now reads at full speed: the ring goes on, the leave
	 * of the member that read nothing is ordered. */
	CHECK(!other_left);
	CHECK(write(count[1], &sent, sizeof(sent)) == sizeof(sent));
	while (got < sent || !stuck_gone) {
		changed = false;
		harness_wait(h, &changed);
	}
	/* (The slow reader may have finalized by now: it checks itself.) */
	CHECK(stuck_reason == CPG_REASON_PROCDOWN);
	CHECK(waitpid(reader, &status, 0) == reader);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(write(bye[1], "g", 1) == 1);
	CHECK(waitpid(nonreader, &status, 0) == nonreader);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("sent %u messages of %zu bytes, %u refused; daemon peak RSS "
	    "%ld kB (bound %u kB)\n", sent, size, refused, peak, RSS_BOUND_KB);
	CHECK(refused > 0 && bad == 0);
	CHECK(peak > 0 && peak < (long)RSS_BOUND_KB);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
}

int main(void)
{
	pid_t small = fork();
	int status;

	CHECK(small >= 0);
	if (small == 0) {
		run_case(SMALL);
		_exit(0);
	}
	run_case(BIG);
	CHECK(waitpid(small, &status, 0) == small);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}
