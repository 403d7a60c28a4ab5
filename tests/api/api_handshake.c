/*
 * API test: sockets that never say what they are (no HELLO, no ATTACH).
 * A process allowed to connect opens more of them than the daemon has
 * descriptors and holds them: later clients still get in, the daemon
 * closes the oldest at once (COHORT_HANDSHAKE_MAX: CS_ERR_TRY_AGAIN) and
 * the rest when their time is up (COHORT_HANDSHAKE_MS: CS_ERR_TIMEOUT),
 * and tells each why.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flood.h"
#include "harness.h"
#include "raw.h"

#define TRIES 20

/* What the holder saw of its sockets' ends. */
struct tally {
	int held, try_again, timeout, other;
	uint32_t last;   /* what the last one opened was told */
};

/* Opens `n` sockets to the daemon (or as many as it may) and sends
 * nothing; says so on `ready`; once `go` is readable, waits for the
 * daemon to close every one and writes what it was told to `out`. */
static _Noreturn void hold(int n, int ready, int go, int out)
{
	static int fds[1 << 16];
	struct tally t = { 0 };
	char b;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
		_exit(101);
	n = flood_fd_room(n);
	if (n > (int)(sizeof(fds) / sizeof(fds[0])))
		n = (int)(sizeof(fds) / sizeof(fds[0]));
	for (int i = 0; i < n; i++)
		fds[i] = raw_connect();
	t.held = n;
	if (write(ready, "h", 1) != 1 || read(go, &b, 1) != 1)
		_exit(1);
	for (int i = 0; i < n; i++) {
		uint32_t err = raw_refusal(fds[i]);

		t.last = err;
		if (err == CS_ERR_TRY_AGAIN)
			t.try_again++;
		else if (err == CS_ERR_TIMEOUT)
			t.timeout++;
		else
			t.other++;
	}
	if (write(out, &t, sizeof(t)) != sizeof(t))
		_exit(1);
	_exit(0);
}

int main(void)
{
	struct daemon_proc d;
	struct tally t;
	int ready[2], go[2], out[2], status;
	pid_t pid;
	char b;

	harness_init();
	flood_daemon_limit();
	harness_start(&d, NULL);
	CHECK(pipe(ready) == 0 && pipe(go) == 0 && pipe(out) == 0);
	pid = fork();
	if (pid == 0)
		hold(flood_fd_limit(d.pid) + FLOOD_BEYOND, ready[1], go[0],
		    out[1]);
	CHECK(pid > 0 && read(ready[0], &b, 1) == 1);
	/* The holder's sockets are all open: clients of another process
	 * connect, join and go, again and again. */
	flood_clients_get_in("handshake", TRIES);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(read(out[0], &t, sizeof(t)) == sizeof(t));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	printf("held %d: %d closed at the cap, %d at the deadline\n", t.held,
	    t.try_again, t.timeout);
	/* Each was told why. Nothing pushes the newest out: they stay
	 * until their deadline. (How many went at the cap and how many at
	 * the deadline depends on how fast the holder opened them.) */
	CHECK(t.other == 0);
	CHECK(t.try_again + t.timeout == t.held);
	CHECK(t.last == CS_ERR_TIMEOUT);
	harness_stop(&d);
	return 0;
}
