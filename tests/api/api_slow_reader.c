/* API test: a slow reader slows the senders down instead of being
 * dropped. One member reads its deliveries at a fixed modest pace while
 * another floods the group with 64 KiB messages, three hard limits'
 * worth: without back-pressure its queue would pass the hard limit and
 * it would be disconnected. Here the daemon holds the group's new
 * messages back while the reader's queue is above the high watermark
 * (the flooder gets CS_ERR_TRY_AGAIN), the reader stays, receives every
 * message in order, and the daemon's memory stays bounded. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"

#define MSG (64u * 1024u)
#define TOTAL (3u * (COHORT_EVQ_HARD / MSG))
#define RSS_BOUND_KB ((COHORT_EVQ_HARD + (64u << 20)) / 1024u)

static unsigned int next_expected;
static volatile bool progress, someone_left;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	unsigned int seq;

	CHECK(len == MSG);
	memcpy(&seq, msg, 4);
	CHECK(seq == next_expected);
	next_expected++;
	progress = true;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	if (nl)
		someone_left = true;
	progress = true;
}

/* The reader: every delivery, one at a time, 0.2 ms apart (at most
 * 320 MB/s, well below what one node's flooder delivers). */
static int slow_reader(const struct cpg_name *g, int ready)
{
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct timespec pace = { 0, 200000 };
	cpg_handle_t h;

	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, g), CS_OK);
	if (write(ready, "j", 1) != 1)
		return 2;
	while (next_expected < TOTAL && !someone_left) {
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE), CS_OK);
		nanosleep(&pace, NULL);   /* the reader's pace, not a wait */
	}
	CHECK(!someone_left);
	CHECK_CS(cpg_finalize(h), CS_OK);
	return next_expected == TOTAL ? 0 : 3;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("slow");
	static unsigned char payload[MSG];
	unsigned int sent = 0, refused = 0;
	long peak = 0;
	int ready[2], status;
	cpg_handle_t h;
	pid_t reader;
	char b;

	harness_start(&d, NULL);
	CHECK(pipe(ready) == 0);
	reader = fork();
	if (reader == 0) {
		close(ready[0]);
		_exit(slow_reader(&g, ready[1]));
	}
	close(ready[1]);
	CHECK(read(ready[0], &b, 1) == 1);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	while (sent < TOTAL) {
		struct iovec iov = { payload, MSG };
		cs_error_t rc;

		memcpy(payload, &sent, 4);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK) {
			sent++;
		} else {
			struct pollfd p = { .events = POLLIN };

			CHECK_CS(rc, CS_ERR_TRY_AGAIN);
			refused++;
			/* As a corosync client does: retry, here when an
			 * event comes (the notice that lifts flow control
			 * comes on the request channel, read by the next
			 * cpg_mcast_joined) or after 10 ms. */
			CHECK_CS(cpg_fd_get(h, &p.fd), CS_OK);
			poll(&p, 1, 10);
		}
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
		CHECK(!someone_left);
		if (sent % 64 == 0) {
			long kb = harness_rss_kb(d.pid);

			peak = kb > peak ? kb : peak;
		}
	}
	while (next_expected < sent) {
		progress = false;
		harness_wait(h, &progress);
	}
	CHECK(waitpid(reader, &status, 0) == reader);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("sent %u messages of %u bytes, %u refused while the reader "
	    "was behind; daemon peak RSS %ld kB (bound %u kB)\n", sent, MSG,
	    refused, peak, RSS_BOUND_KB);
	CHECK(refused > 0);
	CHECK(peak > 0 && peak < (long)RSS_BOUND_KB);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
