/* API test: messages a client wrote to its request ring just before it
 * went are not lost. A process that joins, sends and exits at once
 * (no cpg_finalize, no dispatch) has every message delivered, in order,
 * before its PROCDOWN. So has a raw client that dies between publishing
 * its ring's tail and ringing the doorbell, whichever of its two channels
 * the daemon sees closing first. */
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "raw.h"
#include "watch.h"

#define GROUP "exit"
#define SENDS 2000            /* messages the exiting process sends */
#define SEND_LEN 64u
/* The raw client joins in the name of a process that cannot exist (above
 * any pid_max): it never collides with this process, also a member. */
#define RAW_PID (1u << 30)
#define RAW_SENDS 200

static void wait_left(cpg_handle_t h, struct watch *w)
{
	while (!w->left)
		watch_next(h, w);
}

/* All `n` messages, whole and in order, then the leave: PROCDOWN. */
static void check_all_then_gone(const struct watch *w, uint32_t n)
{
	CHECK(w->got == n);
	CHECK(w->bad == 0);
	CHECK(w->late == 0);
	CHECK(w->left_reason == CPG_REASON_PROCDOWN);
}

/* The child: joins, sends, and exits without a word more. */
static _Noreturn void send_and_exit(void)
{
	struct cpg_name g = harness_name(GROUP);
	uint8_t msg[SEND_LEN];
	struct iovec iov = { msg, sizeof(msg) };
	cpg_callbacks_t cb = { 0 };
	cpg_handle_t h;

	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	for (uint32_t i = 0; i < SENDS; i++) {
		msg_fill(msg, i, sizeof(msg));
		CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	}
	_exit(0);
}

/* The child leaves its events unread, so its event channel is reset as
 * it exits: which of its channels the daemon sees go first, and whether
 * the ring still holds messages then, is a race that the raw client
 * below makes certain. */
static void process_exits(cpg_handle_t h, struct watch *w)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0)
		send_and_exit();
	watch_reset(w, (uint32_t)pid);
	wait_left(h, w);
	check_all_then_gone(w, SENDS);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
}

/*
 * A raw client publishes messages in its ring but never rings the
 * doorbell (the daemon, asleep, asked for one): as if killed between the
 * two. Then its channels close: the request channel first, as at a
 * process's exit, or (`ev_first`) the event channel, and the request
 * channel only once the daemon has dropped the client.
 */
static void raw_dies(cpg_handle_t h, struct watch *w, bool ev_first)
{
	uint8_t msg[SEND_LEN];
	struct raw_conn rc;

	watch_reset(w, RAW_PID);
	raw_open(&rc, true);
	raw_join(&rc, GROUP, RAW_PID);
	CHECK(atomic_load(&rc.ring.sh->bell) == 1);
	for (uint32_t i = 0; i < RAW_SENDS; i++) {
		msg_fill(msg, i, sizeof(msg));
		raw_ring_mcast(&rc, msg, sizeof(msg));
	}
	raw_ring_publish(&rc);
	if (ev_first) {
		close(rc.ev);
		rc.ev = -1;
		wait_left(h, w);
	}
	raw_close(&rc);
	wait_left(h, w);
	check_all_then_gone(w, RAW_SENDS);
}

int main(void)
{
	struct watch w;
	struct daemon_proc d;
	cpg_handle_t h;

	harness_start(&d, NULL);
	h = watch_open(&w, GROUP, 0);   /* each case says whom to watch */
	process_exits(h, &w);
	raw_dies(h, &w, false);
	raw_dies(h, &w, true);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
