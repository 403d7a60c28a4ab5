/*
 * ipcs/server.c: the IPC server (ipcs.h): its life, its connections
 * and the services they reach. The other files of ipcs/ are its parts:
 * accept.c (accept and handshake), channel.c (a socket's frames in and
 * out), events.c (the event channel and flow control) and ring.c (the
 * request ring); ipcs_int.h is what they share.
 *
 * A peer whose credentials (SO_PEERCRED) are not allowed is told
 * CS_ERR_ACCESS and closed at accept. Every other accepted socket is a
 * `struct sock`. Its first frame decides what it is: HELLO opens a
 * connection and makes the socket its request channel; ATTACH, naming a
 * connection and its cookie, makes it that connection's event channel.
 * Anything else, and any malformed frame later, drops the client with a
 * log line. Sockets that have not said what they are yet are few
 * (COHORT_HANDSHAKE_MAX) and short-lived (COHORT_HANDSHAKE_MS).
 *
 * The pidfd libcpg passes with a JOIN (SCM_RIGHTS) is watched: when the
 * process that joined exits, its membership ends (PROCDOWN) even if
 * children it forked still hold the connection's descriptors.
 *
 * Back-pressure: a request channel is read at most IPC_READ_BUDGET bytes
 * per wake-up; MCAST frames beyond the credit window are a protocol
 * violation; the event channel's queue drives the flow-control notices
 * (high/low watermarks) and, past the hard limit, eviction. A client
 * above the high watermark is evicted when it consumes nothing for
 * COHORT_EVQ_STALL_MS, which is judged by the bytes it has read from its
 * event socket (ev_look), not by whether the daemon could write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "common/log.h"
#include "daemon/ipcs/ipcs_int.h"

/* Hands a request to the service that serves its type (checked when the
 * frame was read). */
void conn_dispatch(struct ipcs *srv, struct conn *c, const struct ipc_hdr *h,
    struct rbuf *rb)
{
	const struct service *sv = services_for_type(srv->svcs, h->type);

	if (!sv) {
		ipcs_close_conn(srv, c, "request of no service");
		return;
	}
	c->n_requests++;
	if (!c->first_service)
		c->first_service = (uint8_t)(sv - srv->svcs->s + 1);
	sv->ops->request(sv->svc, c, h, rb);
}

/* Each service's state of a new connection. 0 or -errno. */
int conn_open_state(struct ipcs *srv, struct conn *c)
{
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];
		int rc;

		if (!sv->ops || !sv->ops->conn_open)
			continue;
		rc = sv->ops->conn_open(sv->svc, c, &c->svc[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void conn_free_state(struct ipcs *srv, struct conn *c)
{
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->conn_free && c->svc[i])
			sv->ops->conn_free(sv->svc, c->svc[i]);
		c->svc[i] = NULL;
	}
}

static void unwatch_joiner(struct conn *c)
{
	if (c->pidfd < 0)
		return;
	loop_del_fd(c->req->srv->loop, c->pid_reg);
	close(c->pidfd);
	c->pidfd = -1;
	c->pid_reg = NULL;
}

/*
 * The process that sent the connection's join has exited (its pidfd is
 * readable). What it sent before, on the socket and in the ring, is taken
 * first, as when its sockets close; then the CPG service ends its
 * membership. Its children may still hold the connection's descriptors:
 * that does not keep it a member.
 */
static void on_joiner_exit(void *arg, int fd, uint32_t events)
{
	struct conn *c = arg;
	struct ipcs *srv = c->req->srv;

	(void)fd;
	(void)events;
	unwatch_joiner(c);
	if (c->dead)
		return;
	sock_read(c->req);
	if (!ring_drain(srv, c))
		return;
	for (size_t i = 0; i < SERVICE_MAX && !c->dead; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->joiner_exited)
			sv->ops->joiner_exited(sv->svc, c);
	}
}

/* Whether `fd` is a pidfd: signal 0 to a pidfd only checks permission
 * and the process (which may be gone), any other descriptor is EBADF. */
static bool is_pidfd(int fd)
{
#ifdef SYS_pidfd_send_signal
	return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0 ||
	    (errno != EBADF && errno != ENOSYS);
#else
	(void)fd;
	return false;
#endif
}

void ipcs_watch_joiner(struct conn *c)
{
	struct sock *s = c->req;
	int fd = s->passed_fd;

	s->passed_fd = -1;
	unwatch_joiner(c);
	if (fd < 0)
		return;
	if (!is_pidfd(fd) || loop_add_fd(s->srv->loop, fd, EPOLLIN,
	    on_joiner_exit, c, &c->pid_reg) < 0) {
		log_debug("client %u: the descriptor sent with its join is "
		    "not a process's: not watched", c->id);
		close(fd);
		return;
	}
	c->pidfd = fd;
}

void ipcs_close_conn(struct ipcs *srv, struct conn *c, const char *why)
{
	if (c->dead)
		return;
	set_fc_evq(srv, c, false);
	c->dead = true;
	srv->reap = true;
	if (c->ring.sh)
		atomic_store_explicit(&c->ring.sh->closed, 1,
		    memory_order_release);
	unwatch_joiner(c);
	if (why)
		log_info("client %u (pid %d) disconnected: %s", c->id,
		    (int)c->pid, why);
	for (size_t i = 0; i < SERVICE_MAX; i++) {
		const struct service *sv = &srv->svcs->s[i];

		if (sv->ops && sv->ops->conn_closed)
			sv->ops->conn_closed(sv->svc, c);
	}
}

static void conn_free(struct ipcs *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->n_conns--;
	unwatch_joiner(c);
	if (c->req)
		sock_free(c->req);
	if (c->ev)
		sock_free(c->ev);
	ipc_ring_unmap(&c->ring);
	conn_free_state(srv, c);
	free(c);
}

void drop_sock(struct sock *s, const char *why)
{
	struct ipcs *srv = s->srv;

	srv->dropped++;
	log_warnx("dropping IPC client (pid %d uid %d): %s", (int)s->pid,
	    (int)s->uid, why);
	if (s->conn) {
		ipcs_close_conn(srv, s->conn, NULL);
	} else {
		loose_unlink(srv, s);
		sock_free(s);
	}
}

void sock_free(struct sock *s)
{
	loop_del_fd(s->srv->loop, s->reg);
	close(s->fd);
	s->fd = -1;
	if (s->passed_fd >= 0)
		close(s->passed_fd);
	for (size_t i = 0; i < s->out_n; i++)
		frame_unref(s->out[(s->out_head + i) % s->out_cap]);
	free(s->out);
	free(s->in);
	if (s->srv->accept_paused) {
		s->srv->accept_paused = false;
		loop_mod_fd(s->srv->loop, s->srv->lreg, EPOLLIN);
	}
	free(s);
}

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Refuses to take over the socket of a daemon that answers. */
static int claim_path(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return rc;
}

int ipcs_new(const struct ipcs_config *cfg, struct ipcs **out)
{
	const char *path = cfg->path;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ipcs *srv;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = cfg->loop;
	srv->nodeid = cfg->nodeid;
	srv->cfg = cfg->cfg;
	srv->allow = cfg->allow;
	srv->allow_arg = cfg->allow_arg;
	srv->svcs = cfg->services;
	srv->lfd = -1;
	srv->stall.fn = on_stall_check;
	srv->stall.arg = srv;
	srv->handshake.fn = on_handshake_check;
	srv->handshake.arg = srv;
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	srv->rng = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)srv ^
	    loop_now(srv->loop);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = make_parent_dir(path);
	if (rc == 0)
		rc = claim_path(&sun);
	if (rc < 0)
		goto fail;
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0 ||
	    bind(srv->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0666) < 0 || listen(srv->lfd, 128) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = loop_add_fd(srv->loop, srv->lfd, EPOLLIN, on_accept, srv,
	    &srv->lreg);
	if (rc < 0)
		goto fail;
	*out = srv;
	return 0;
fail:
	if (srv->lfd >= 0)
		close(srv->lfd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	free(srv);
	return rc;
}

static void reap(struct ipcs *srv)
{
	struct conn *c = srv->conns;

	while (c) {
		struct conn *next = c->next;

		if (c->dead)
			conn_free(srv, c);
		c = next;
	}
	srv->reap = false;
}

void ipcs_free(struct ipcs *srv)
{
	if (!srv)
		return;
	loop_timer_disarm(srv->loop, &srv->stall);
	loop_timer_disarm(srv->loop, &srv->handshake);
	while (srv->conns)
		conn_free(srv, srv->conns);
	while (srv->loose) {
		struct sock *s = srv->loose;

		loose_unlink(srv, s);
		sock_free(s);
	}
	loop_del_fd(srv->loop, srv->lreg);
	close(srv->lfd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	unlink(srv->path);
	free(srv);
}

void ipcs_before_sleep(struct ipcs *srv)
{
	/* Serving a connection may queue more (a notice): go until none is
	 * left. The list is empty before reaping, so it never holds a freed
	 * connection. */
	while (srv->dirty) {
		struct conn *c = srv->dirty, *next;

		srv->dirty = NULL;
		for (; c; c = next) {
			next = c->dnext;
			c->dirty = false;
			/* Events first: draining them may end flow control,
			 * which the notices then tell, with the credit. */
			conn_flush(srv, c, c->ev);
			conn_notices(c);
			conn_flush(srv, c, c->req);
		}
	}
	arm_rings(srv);
	if (srv->reap)
		reap(srv);
	if (srv->n_congested && !srv->stall.armed)
		loop_timer_arm(srv->loop, &srv->stall,
		    loop_now(srv->loop) + COHORT_EVQ_STALL_MS / 5);
}

bool ipcs_congested(const struct ipcs *srv)
{
	return srv->n_congested > 0;
}

size_t ipcs_count(const struct ipcs *srv)
{
	return srv->n_conns;
}

struct conn *ipcs_first(struct ipcs *srv)
{
	return srv->conns;
}

void ipcs_stats(const struct ipcs *srv, uint64_t *frames_in,
    uint64_t *frames_out, uint64_t *dropped, uint64_t *evicted)
{
	*frames_in = srv->frames_in;
	*frames_out = srv->frames_out;
	*dropped = srv->dropped;
	*evicted = srv->evicted;
}
