/* API test: messages of every size class, on a one-node daemon, reach
 * several local members intact and in order, one of them a slow reader.
 * On a ring of one the engine numbers a message too large for one
 * datagram's body whole, and the delivery event of a payload of 16 KiB
 * or more refers to it where the engine stored it instead of copying it
 * (docs/design.md, "Frames are shared"): one stored block then goes to
 * every member, the slow one holding it longest. The sizes sit on both
 * sides of each limit on the way: the delivery's copy threshold, the
 * engine's body (the 64 KiB datagram of a one-node daemon), the request
 * ring's frame (common/ipc_ring.h) and libcpg's read chunk. The sender
 * goes on through CS_ERR_TRY_AGAIN while the slow reader holds the group
 * back; every member checks every byte (watch.h). */
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "harness.h"
#include "watch.h"

#define GROUP "large-local"
/* Times each size is sent: about 20 MiB in all, more than the slow
 * reader's event queue (COHORT_EVQ_HIGH), the engine's send queue and
 * the sender's credit (COHORT_SEND_WINDOW) hold together, so the sender
 * is refused before the end while the slow reader has not begun. */
#define ROUNDS 12
#define SLOW_NS 2000000L        /* the slow reader's pause per message */

static const size_t sizes[] = {
	MSG_MIN, 1024, (16u << 10) - 1, 16u << 10, 65000, 65536,
	COHORT_IPC_RING_FRAME - 64, COHORT_IPC_RING_FRAME + 64,
	(256u << 10) + 1, MSG_MAX,
};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static size_t len_of(uint32_t seq)
{
	return sizes[seq % N_SIZES];
}

/* A member that receives everything, then leaves. The slow one
 * (`go` >= 0) begins once a byte comes on `go`, then reads one event at
 * a time with a pause after each. */
static _Noreturn void receiver(uint32_t from, uint32_t n, int go)
{
	struct timespec pause = { 0, SLOW_NS };
	struct watch w;
	cpg_handle_t h = watch_open(&w, GROUP, from);
	struct pollfd p = { .events = POLLIN };
	bool slow = go >= 0;
	char b;

	CHECK_CS(cpg_fd_get(h, &p.fd), CS_OK);
	if (slow)
		CHECK(read(go, &b, 1) == 1);
	while (w.got < n) {
		if (!slow) {
			watch_next(h, &w);
			continue;
		}
		/* One event at a time, a pause after each. */
		CHECK(poll(&p, 1, WAIT_MS) == 1);
		CHECK_CS(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
		nanosleep(&pause, NULL);   /* the reader's pace, not a wait */
	}
	CHECK(w.got == n && w.bad == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	_exit(0);
}

int main(void)
{
	uint32_t n = (uint32_t)N_SIZES * ROUNDS;
	struct daemon_proc d;
	struct watch self;
	unsigned int refused = 0;
	int status, idle = 0, go[2];
	pid_t other[2];
	uint8_t *buf;
	cpg_handle_t h;

	harness_start(&d, NULL);
	buf = malloc(MSG_MAX);
	CHECK(buf);
	h = watch_open(&self, GROUP, (uint32_t)getpid());
	CHECK(pipe(go) == 0);
	for (int i = 0; i < 2; i++) {
		other[i] = fork();
		CHECK(other[i] >= 0);
		if (other[i] == 0)
			receiver(self.pid, n, i == 1 ? go[0] : -1);
	}
	while (self.members < 3)
		watch_next(h, &self);
	for (uint32_t seq = 0; seq < n;) {
		if (watch_send(h, &self, buf, seq, len_of(seq), &idle)) {
			seq++;
			continue;
		}
		/* The slow reader holds the group back: it may begin. */
		if (refused++ == 0)
			CHECK(write(go[1], "g", 1) == 1);
	}
	CHECK(refused > 0);
	while (self.got < n)
		watch_next(h, &self);
	CHECK(self.got == n && self.bad == 0);
	while (self.members > 1)
		watch_next(h, &self);
	for (int i = 0; i < 2; i++)
		CHECK(waitpid(other[i], &status, 0) == other[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_CS(cpg_finalize(h), CS_OK);
	free(buf);
	harness_stop(&d);
	return 0;
}
