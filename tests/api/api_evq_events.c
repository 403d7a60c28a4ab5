/* API test: the event-queue watermark counts events, not only bytes. A
 * member that reads nothing, next to a sender of 64 B messages that
 * reads everything, makes the daemon hold the ring back (status
 * `congested`) once some thousands of its events wait
 * (COHORT_EVQ_HIGH_EVENTS), long before its bytes alone would pass the
 * byte watermark; everything then arrives at the sender, in order. The
 * member that reads nothing never sends, so its library never takes its
 * events into its own memory (as it does for a sender refused for its
 * own unread events). */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "watch.h"

#define MSG_LEN 64
/* With the event watermark the ring is held after some thousands of
 * messages (the high watermark's events plus what the member's socket
 * holds); with the byte watermark alone (events of 64 B messages are
 * IPC_EV_DELIVER_LEN(64), 224 bytes) only after about twenty thousand. */
#define SENT_BOUND 12000u
#define LOOK_EVERY 256u

int main(void)
{
	struct daemon_proc d;
	struct watch w;
	static char payload[MSG_LEN];
	struct iovec iov = { payload, sizeof(payload) };
	struct cpg_name g = harness_name("evq-events");
	uint32_t sent = 0;
	int ready[2];
	pid_t idle;
	char b;
	cpg_handle_t h;
	cs_error_t rc;

	harness_init();
	harness_start(&d, NULL);
	CHECK(pipe(ready) == 0);
	idle = fork();
	CHECK(idle >= 0);
	if (idle == 0) {
		struct rec r = { 0 };
		cpg_handle_t ih = harness_open(&r, 0);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		CHECK_CS(cpg_join(ih, &g), CS_OK);
		harness_wait(ih, &r.joined);
		if (write(ready[1], "j", 1) != 1)
			_exit(2);
		for (;;)
			pause();   /* reads nothing, sends nothing */
	}
	CHECK(read(ready[0], &b, 1) == 1);
	h = watch_open(&w, "evq-events", (uint32_t)getpid());
	for (;;) {
		msg_fill(payload, sent, sizeof(payload));
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK) {
			sent++;
			CHECK(sent < SENT_BOUND);
			CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
			/* The sender's credit outlasts the hold by thousands
			 * of messages: look at the daemon now and then. */
			if (sent % LOOK_EVERY == 0 &&
			    harness_status_field("congested") == 1)
				break;
			continue;
		}
		CHECK_CS(rc, CS_ERR_TRY_AGAIN);
		/* Refused: the ring full or the credit spent for a moment,
		 * or the ring held for the member that reads nothing. */
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
		if (harness_status_field("congested") == 1)
			break;
	}
	printf("ring held after %u messages of %d bytes\n", sent, MSG_LEN);
	/* The idle member goes (PROCDOWN): nothing lost, nothing
	 * reordered at the sender. */
	kill(idle, SIGKILL);
	CHECK(waitpid(idle, NULL, 0) == idle);
	while (w.got < sent)
		watch_next(h, &w);
	CHECK(w.got == sent && w.bad == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
