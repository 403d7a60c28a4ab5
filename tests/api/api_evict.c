/* API test: bounded memory. A member that never reads while another
 * floods its group holds the group's messages back (back-pressure) until
 * it has read nothing for COHORT_EVQ_STALL_MS above the high watermark,
 * then is disconnected; the flooder loses nothing; the daemon's resident
 * memory stays under a bound derived from the limits. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"

#define MSG (64u * 1024u)
#define RSS_BOUND_KB ((2u * COHORT_EVQ_HARD + (64u << 20)) / 1024u)

static unsigned int next_expected;
static volatile bool progress;

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

static volatile bool stuck_left;
static uint32_t stuck_reason;

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	if (nl) {
		stuck_left = true;
		stuck_reason = l[0].reason;
	}
	progress = true;
}

int main(void)
{
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("flood");
	static unsigned char payload[MSG];
	int ready[2], go[2];
	unsigned int sent = 0;
	long peak = 0;
	cpg_handle_t h;
	pid_t stuck;
	int status;
	char b;

	harness_start(&d, NULL);
	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	stuck = fork();
	if (stuck == 0) {
		struct rec r = { 0 };
		cpg_handle_t sh = harness_open(&r, 0);
		unsigned int id;

		close(go[1]);
		CHECK_CS(cpg_join(sh, &g), CS_OK);
		harness_wait(sh, &r.joined);
		if (write(ready[1], "j", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(2);
		/* Never read a delivery; by now we have been disconnected. */
		_exit(cpg_local_get(sh, &id) == CS_ERR_LIBRARY ? 0 : 3);
	}
	close(go[0]);
	CHECK(read(ready[0], &b, 1) == 1);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	while (!stuck_left) {
		struct iovec iov = { payload, MSG };
		cs_error_t rc;

		memcpy(payload, &sent, 4);
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK)
			sent++;
		else
			CHECK_CS(rc, CS_ERR_TRY_AGAIN);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
		if (sent % 64 == 0) {
			long kb = harness_rss_kb(d.pid);

			peak = kb > peak ? kb : peak;
		}
		CHECK(sent < 8u * (COHORT_EVQ_HARD / MSG));   /* must evict well before */
	}
	CHECK(stuck_reason == CPG_REASON_PROCDOWN);
	while (next_expected < sent) {
		progress = false;
		harness_wait(h, &progress);
	}
	printf("sent %u messages of %u bytes; daemon peak RSS %ld kB (bound %u kB)\n",
	    sent, MSG, peak, RSS_BOUND_KB);
	CHECK(peak > 0 && peak < (long)RSS_BOUND_KB);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(stuck, &status, 0) == stuck);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
