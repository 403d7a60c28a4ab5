/*
 * joiners: many processes that join one group at the same moment, for the
 * cluster test of the member limit (tests/scripts/t_cluster_members.sh).
 *
 *   joiners -g GROUP -n COUNT -o FILE
 *
 * Forks COUNT processes; each connects (cpg_initialize) and waits. Once
 * all are connected, SIGUSR1 releases them: each calls cpg_join at once,
 * and stays a member, dispatching, until SIGTERM ends them all. FILE
 * (replaced whole at every change) holds lines "KEY VALUE":
 *
 *   ready    processes connected
 *   joined   joins that returned CS_OK
 *   refused  joins that returned CS_ERR_NO_SPACE
 *   other    joins or connections that failed otherwise
 *   evicted  members whose connection the daemon closed later
 *   max      the most members any of them saw in a confchg
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <corosync/cpg.h>

enum report { R_READY, R_JOINED, R_REFUSED, R_OTHER, R_EVICTED, R_MAX };

static const char *const keys[] = {
	[R_READY] = "ready", [R_JOINED] = "joined", [R_REFUSED] = "refused",
	[R_OTHER] = "other", [R_EVICTED] = "evicted", [R_MAX] = "max",
};

struct msg {
	int what;              /* enum report */
	int value;             /* R_MAX: a member count */
};

static int res_fd = -1;    /* the child's end of the report pipe */
static int seen_max;

static void report(int what, int value)
{
	struct msg m = { what, value };

	/* Smaller than PIPE_BUF: written whole, never interleaved. */
	if (write(res_fd, &m, sizeof(m)) != (ssize_t)sizeof(m))
		_exit(1);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
    const struct cpg_address *members, size_t n_members,
    const struct cpg_address *left, size_t n_left,
    const struct cpg_address *joined, size_t n_joined)
{
	if ((int)n_members > seen_max) {
		seen_max = (int)n_members;
		report(R_MAX, seen_max);
	}
}

/* One member: connect, wait for `go` to close, join, dispatch. */
static _Noreturn void child(const struct cpg_name *group, int go)
{
	cpg_callbacks_t cb = { .cpg_confchg_fn = on_confchg };
	cpg_handle_t h;
	cs_error_t err;
	char b;
	int fd;

	if (cpg_initialize(&h, &cb) != CS_OK) {
		report(R_OTHER, 0);
		_exit(0);
	}
	report(R_READY, 0);
	while (read(go, &b, 1) < 0 && errno == EINTR)
		;
	err = cpg_join(h, group);
	report(err == CS_OK ? R_JOINED : err == CS_ERR_NO_SPACE ? R_REFUSED :
	    R_OTHER, err);
	if (err != CS_OK || cpg_fd_get(h, &fd) != CS_OK)
		pause();
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(1);
		if (cpg_dispatch(h, CS_DISPATCH_ALL) != CS_OK) {
			report(R_EVICTED, 0);
			pause();
		}
	}
}

static void write_state(const char *path, const int *count)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		exit(1);
	for (int k = 0; k <= R_MAX; k++)
		fprintf(f, "%s %d\n", keys[k], count[k]);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		exit(1);
}

int main(int argc, char **argv)
{
	const char *group = NULL, *out = NULL;
	struct cpg_name name = { 0 };
	int count[R_MAX + 1] = { 0 };
	int n = 0, opt, go[2], res[2], sfd;
	pid_t *kids;
	sigset_t sigs;

	while ((opt = getopt(argc, argv, "g:n:o:")) != -1) {
		switch (opt) {
		case 'g': group = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!group || !out || n <= 0 || strlen(group) > CPG_MAX_NAME_LENGTH)
		goto usage;
	name.length = (uint32_t)strlen(group);
	memcpy(name.value, group, name.length);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	kids = calloc((size_t)n, sizeof(*kids));
	if (!kids || sigprocmask(SIG_BLOCK, &sigs, NULL) < 0 ||
	    pipe(go) < 0 || pipe(res) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 1;
		if (kids[i] == 0) {
			/* Gone with the parent, whoever kills it. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			close(go[1]);
			close(res[0]);
			res_fd = res[1];
			child(&name, go[0]);
		}
	}
	close(go[0]);
	close(res[1]);
	sfd = signalfd(-1, &sigs, 0);
	if (sfd < 0)
		return 1;
	write_state(out, count);
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
		    { .fd = res[0], .events = POLLIN } };
		struct signalfd_siginfo si;
		struct msg m;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[1].revents & POLLIN) {
			if (read(res[0], &m, sizeof(m)) != (ssize_t)sizeof(m) ||
			    m.what < 0 || m.what > R_MAX)
				return 1;
			if (m.what == R_MAX) {
				if (m.value > count[R_MAX])
					count[R_MAX] = m.value;
			} else {
				count[m.what]++;
			}
			write_state(out, count);
			continue;
		}
		if (!(p[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			return 1;
		if (si.ssi_signo == SIGUSR1) {
			close(go[1]);   /* every member joins now */
			continue;
		}
		break;
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return 0;
usage:
	fprintf(stderr, "usage: joiners -g GROUP -n COUNT -o FILE\n");
	return 2;
}
