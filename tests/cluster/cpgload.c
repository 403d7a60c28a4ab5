/*
 * cpgload: the workload of the cluster tests. One process joins one CPG
 * group, multicasts sequenced messages at a steady rate and records what
 * it observes as a history for tests/evs (evs.h has the format):
 *
 *   proc n<nodeid>p<pid>
 *   ring REP.SEQ NODE...            totem configuration changes
 *   gconf GROUP M=... L=... J=...   group membership changes
 *   send SEQ DIGEST / deliver SENDER SEQ DIGEST
 *   leave                           it is about to call cpg_leave
 *   crash node                      its daemon went away (it then exits)
 *
 *   cpgload -g GROUP -o FILE [-r MSGS_PER_S] [-s BYTES] [-l]
 *
 * -l sends as corosync's cpgverify does, as fast as it can: each message
 * is retried on CS_ERR_TRY_AGAIN, with no dispatch in between, until it
 * is accepted; then one cpg_dispatch(CS_DISPATCH_ALL). -r is ignored.
 *
 * Signals drive the end of a test: SIGUSR2 stops sending (the process
 * goes on delivering), SIGUSR1 stops recording (a last line "# stopped"
 * is written) and SIGTERM ends the process. Once it has stopped sending
 * and delivered every message it sent, it writes "# drained" (the
 * harness waits for it). Each line goes to the file with one write(2),
 * so a kill -9 loses nothing that was recorded.
 *
 * SIGHUP toggles membership (the chaos soak's join, leave, rejoin
 * cycles): a member stops sending, records "leave" and calls cpg_leave at
 * once, with its last messages possibly still in flight; a process that
 * left calls cpg_join again (TRY_AGAIN until its own LEAVE confchg has
 * come) and sends again once the join is accepted. Sequence numbers go on
 * across the cycle, so FIFO and self delivery are checked over it.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <corosync/cpg.h>

#define PAYLOAD_MIN 24u
#define PAYLOAD_MAX (1u << 20)
/* How soon a join or leave answered TRY_AGAIN is tried again. */
#define RETRY_MS 10

struct load {
	int fd;                    /* the history */
	struct cpg_name group;
	uint32_t nodeid;
	pid_t pid;
	size_t size;
	uint64_t sent, own_delivered;
	bool recording, drained_said;
	bool want_in;              /* SIGHUP's target: a member or not */
	bool joined;               /* cpg_join accepted, no cpg_leave since */
	bool leave_said;           /* "leave" recorded, cpg_leave not yet OK */
	bool retry_loop;           /* -l */
	uint8_t *buf;
};

static volatile sig_atomic_t stop_sending, stop_recording, quit, toggle;

static void on_signal(int sig)
{
	if (sig == SIGUSR2)
		stop_sending = 1;
	else if (sig == SIGUSR1)
		stop_recording = 1;
	else if (sig == SIGHUP)
		toggle = 1;
	else
		quit = 1;
}

static struct load *the_load;   /* for the callbacks */

__attribute__((format(printf, 2, 3)))
static void record(struct load *l, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	if (!l->recording)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(l->fd, line, (size_t)n) != n) {
		perror("cpgload: history");
		exit(1);
	}
}

static uint64_t fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001B3ull;
	return h;
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void put64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* Appends " NAME" entries (n<node>p<pid>[:reason]) to `out`. */
static void names(char *out, size_t cap, const struct cpg_address *a,
    size_t n, bool reasons)
{
	size_t off = 0;

	out[0] = '\0';
	if (n == 0) {
		snprintf(out, cap, "-");
		return;
	}
	for (size_t i = 0; i < n && off < cap; i++) {
		int w = reasons ?
		    snprintf(out + off, cap - off, "%sn%up%u:%u", i ? "," : "",
			a[i].nodeid, a[i].pid, a[i].reason) :
		    snprintf(out + off, cap - off, "%sn%up%u", i ? "," : "",
			a[i].nodeid, a[i].pid);
		if (w < 0)
			return;
		off += (size_t)w;
	}
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g,
    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct load *l = the_load;
	const uint8_t *b = msg;
	uint64_t seq;

	(void)h;
	(void)g;
	if (len < PAYLOAD_MIN) {
		record(l, "# short message of %zu bytes from n%up%u", len,
		    nodeid, pid);
		return;
	}
	seq = get64(b);
	record(l, "deliver n%up%u %" PRIu64 " %" PRIx64, nodeid, pid, seq,
	    fnv(msg, len));
	if (nodeid == l->nodeid && pid == (uint32_t)l->pid)
		l->own_delivered++;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *left,
    size_t nl, const struct cpg_address *joined, size_t nj)
{
	static char ms[65536], ls[65536], js[65536];
	struct load *l = the_load;

	(void)h;
	names(ms, sizeof(ms), m, nm, false);
	names(ls, sizeof(ls), left, nl, true);
	names(js, sizeof(js), joined, nj, true);
	record(l, "gconf %.*s M=%s L=%s J=%s", (int)g->length, g->value, ms, ls,
	    js);
}

static void on_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n,
    const uint32_t *ids)
{
	struct load *l = the_load;
	char s[4096];
	size_t off = 0;

	(void)h;
	s[0] = '\0';
	for (uint32_t i = 0; i < n && off < sizeof(s) - 16; i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, " %u", ids[i]);
	record(l, "ring %x.%" PRIx64 "%s", ring.nodeid, ring.seq, s);
}

static int usage(void)
{
	fprintf(stderr, "usage: cpgload -g GROUP -o FILE [-r MSGS_PER_S] "
	    "[-s BYTES] [-l]\n");
	return 2;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends the next message; false if the daemon has no room now. */
static cs_error_t send_one(struct load *l, cpg_handle_t h)
{
	uint64_t seq = l->sent + 1;
	struct iovec iov = { l->buf, l->size };
	cs_error_t rc;

	put64(l->buf, seq);
	put64(l->buf + 8, l->nodeid);
	put64(l->buf + 16, (uint64_t)l->pid);
	for (size_t i = PAYLOAD_MIN; i < l->size; i++)
		l->buf[i] = (uint8_t)(seq * 131 + i);
	rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
	if (rc == CS_OK) {
		l->sent = seq;
		record(l, "send %" PRIu64 " %" PRIx64, seq, fnv(l->buf, l->size));
	}
	return rc;
}

/* -l: the next message, retried until it is accepted, without a
 * dispatch in between (only the end of the test stops it). */
static cs_error_t send_retrying(struct load *l, cpg_handle_t h)
{
	cs_error_t rc;

	while ((rc = send_one(l, h)) == CS_ERR_TRY_AGAIN && !quit)
		;
	return rc;
}

/*
 * One step towards the membership SIGHUP asked for. A leave once recorded
 * is carried through even if another SIGHUP came meanwhile: the history
 * says "leave", so the others must see it; the join follows.
 */
static cs_error_t membership_step(struct load *l, cpg_handle_t h)
{
	cs_error_t rc = CS_OK;

	if (l->joined && (!l->want_in || l->leave_said)) {
		if (!l->leave_said) {
			record(l, "leave");
			l->leave_said = true;
		}
		rc = cpg_leave(h, &l->group);
		if (rc == CS_OK) {
			l->joined = false;
			l->leave_said = false;
		}
	} else if (!l->joined && l->want_in) {
		rc = cpg_join(h, &l->group);
		if (rc == CS_OK)
			l->joined = true;
	}
	if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
		fprintf(stderr, "cpgload: %s: %s\n", l->joined ? "leave" : "join",
		    cs_strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t md = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
		.cpg_totem_confchg_fn = on_totem,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	struct load l = { .size = 64, .recording = true, .want_in = true,
	    .joined = true };
	const char *group = NULL, *out = NULL;
	unsigned rate = 50;
	cpg_handle_t h;
	uint64_t next_send;
	cs_error_t rc;
	int opt, fd;

	while ((opt = getopt(argc, argv, "g:o:r:s:l")) != -1) {
		switch (opt) {
		case 'l': l.retry_loop = true; break;
		case 'g': group = optarg; break;
		case 'o': out = optarg; break;
		case 'r': rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': l.size = strtoul(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (!group || !out || strlen(group) >= CPG_MAX_NAME_LENGTH ||
	    l.size < PAYLOAD_MIN || l.size > PAYLOAD_MAX || rate == 0 ||
	    rate > 100000)
		return usage();
	l.buf = malloc(l.size);
	l.fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (!l.buf || l.fd < 0) {
		perror("cpgload");
		return 1;
	}
	l.group.length = (uint32_t)strlen(group);
	memcpy(l.group.value, group, l.group.length);
	l.pid = getpid();
	the_load = &l;
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	/* A daemon still forming its first ring answers TRY_AGAIN. */
	for (int tries = 0; (rc = cpg_model_initialize(&h, CPG_MODEL_V1,
	    (cpg_model_data_t *)&md, NULL)) == CS_ERR_TRY_AGAIN &&
	    tries < 3000; tries++)
		usleep(10000);
	if (rc != CS_OK || (rc = cpg_local_get(h, &l.nodeid)) != CS_OK) {
		fprintf(stderr, "cpgload: cannot connect: %s\n", cs_strerror(rc));
		return 1;
	}
	record(&l, "proc n%up%u", l.nodeid, (unsigned)l.pid);
	while ((rc = cpg_join(h, &l.group)) == CS_ERR_TRY_AGAIN)
		usleep(10000);
	if (rc != CS_OK) {
		fprintf(stderr, "cpgload: join: %s\n", cs_strerror(rc));
		return 1;
	}
	cpg_fd_get(h, &fd);
	next_send = now_ms();
	while (!quit) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t t = now_ms();
		int wait = 200;
		bool was_in = l.joined, sending;

		if (stop_recording && l.recording) {
			record(&l, "# stopped");
			l.recording = false;
		}
		if (toggle) {
			toggle = 0;
			l.want_in = !l.want_in;
		}
		rc = membership_step(&l, h);
		if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
			break;
		if (l.joined && !was_in)
			next_send = t;   /* no burst for the time spent outside */
		sending = !stop_sending && l.joined && !l.leave_said && l.want_in;
		if (sending && l.retry_loop) {
			rc = send_retrying(&l, h);
			if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
				break;
			rc = cpg_dispatch(h, CS_DISPATCH_ALL);
			if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
				break;
			continue;
		}
		if (sending && t >= next_send) {
			rc = send_one(&l, h);
			if (rc == CS_OK)
				next_send += 1000 / rate ? 1000 / rate : 1;
			else if (rc != CS_ERR_TRY_AGAIN)
				break;
			if (next_send + 1000 < t)   /* never make up a long stall */
				next_send = t;
		}
		if (sending)
			wait = next_send > t ? (int)(next_send - t) : 0;
		if (l.joined != l.want_in || l.leave_said)
			wait = RETRY_MS;
		if (stop_sending && !l.drained_said && l.own_delivered == l.sent) {
			record(&l, "# drained");
			l.drained_said = true;
		}
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
			break;
		rc = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
			break;
	}
	if (!quit) {
		/* The daemon went away under us. */
		record(&l, "crash node");
		fprintf(stderr, "cpgload: daemon lost (%s)\n", cs_strerror(rc));
		return 3;
	}
	cpg_finalize(h);
	close(l.fd);
	free(l.buf);
	return 0;
}
