/* API test: a member that reads a byte of its event socket now and then,
 * never a whole event, while its group is flooded, is taken for one that
 * stopped reading: it is disconnected once it has consumed less than
 * COHORT_EVQ_MIN_PROGRESS in COHORT_EVQ_STALL_MS above the high
 * watermark (its group sees it leave with PROCDOWN), and the flooder's
 * traffic then goes on. Without the rule such a client held every sender
 * of the cluster back for ever. */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MSG (64u * 1024u)

int main(void)
{
	struct daemon_proc d;
	struct cpg_name g = harness_name("trickle");
	static unsigned char payload[MSG];
	struct iovec iov = { payload, MSG };
	struct rec fr = { 0 };
	int ready[2];
	pid_t tr;
	char b;
	cpg_handle_t f;
	cs_error_t rc;

	harness_init();
	harness_start(&d, NULL);
	CHECK(pipe(ready) == 0);
	tr = fork();
	CHECK(tr >= 0);
	if (tr == 0) {
		struct rec r = { 0 };

		/* Gone with the test, whatever way it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		cpg_handle_t h = harness_open(&r, 0);
		int fd;

		CHECK_CS(cpg_join(h, &g), CS_OK);
		harness_wait(h, &r.joined);
		CHECK_CS(cpg_fd_get(h, &fd), CS_OK);
		if (write(ready[1], "j", 1) != 1)
			_exit(2);
		/* The trickle: a byte every 100 ms, 50 bytes a stall time. */
		for (;;) {
			usleep(100000);
			if (recv(fd, &b, 1, MSG_DONTWAIT) == 0)
				_exit(0);
		}
	}
	CHECK(read(ready[0], &b, 1) == 1);
	f = harness_open(&fr, 0);
	CHECK_CS(cpg_join(f, &g), CS_OK);
	harness_wait(f, &fr.joined);
	/* Flood until the trickler is gone: sends are refused while the
	 * daemon holds them back for it, then go on. */
	while (!fr.other_left) {
		rc = cpg_mcast_joined(f, CPG_TYPE_AGREED, &iov, 1);
		CHECK(rc == CS_OK || rc == CS_ERR_TRY_AGAIN);
		if (rc == CS_ERR_TRY_AGAIN) {
			/* The next event: our own message, or, once the
			 * ring is held for the trickler, its PROCDOWN. */
			CHECK_CS(cpg_dispatch(f, CS_DISPATCH_ONE), CS_OK);
		} else {
			CHECK_CS(cpg_dispatch(f, CS_DISPATCH_ALL), CS_OK);
		}
	}
	CHECK(fr.other_left_pid == (uint32_t)tr);
	CHECK(fr.other_left_reason == CPG_REASON_PROCDOWN);
	/* The flooder's own traffic moves again. */
	fr.got_own = false;
	do
		rc = cpg_mcast_joined(f, CPG_TYPE_AGREED, &iov, 1);
	while (rc == CS_ERR_TRY_AGAIN &&
	    cpg_dispatch(f, CS_DISPATCH_ALL) == CS_OK);
	CHECK_CS(rc, CS_OK);
	harness_wait(f, &fr.got_own);
	kill(tr, SIGKILL);
	CHECK(waitpid(tr, NULL, 0) == tr);
	CHECK_CS(cpg_finalize(f), CS_OK);
	harness_stop(&d);
	return 0;
}
