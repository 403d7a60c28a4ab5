/* API test: votequorum's expected-votes barrier (expected_votes_tracking)
 * in the state directory. The first start takes corosync's barrier
 * (`ev_tracking`, 4 bytes in host order, in the state directory given)
 * and keeps it in its own file; a write that fails is logged and retried
 * while the daemon goes on serving; once the directory takes writes
 * again the barrier reaches the file. */
#include <errno.h>
#include <glob.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quorum_help.h"

#define CONF \
	"totem {\n\tversion: 2\n\tcluster_name: api\n}\n" \
	"quorum {\n\tprovider: corosync_votequorum\n\texpected_votes: 1\n" \
	"\texpected_votes_tracking: 1\n}\n" \
	"system {\n\tstate_dir: %s\n}\n"

/* The path of this node's barrier file (ev_tracking_NODEID) in `dir`,
 * or "" while there is none. */
static void own_file(const char *dir, char *path, size_t cap)
{
	char pattern[320];
	glob_t g;

	path[0] = '\0';
	snprintf(pattern, sizeof(pattern), "%s/ev_tracking_[0-9]*", dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (!strstr(g.gl_pathv[i], ".tmp"))
				snprintf(path, cap, "%s", g.gl_pathv[i]);
		globfree(&g);
	}
}

/* The value in this node's barrier file, or -1 while there is none. */
static long long own_value(const char *dir)
{
	char path[320];
	uint8_t b[8];
	uint64_t v = 0;
	FILE *f;

	own_file(dir, path, sizeof(path));
	if (!path[0] || !(f = fopen(path, "r")))
		return -1;
	if (fread(b, 1, sizeof(b), f) != sizeof(b)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return (long long)v;
}

/* Waits (bounded by WAIT_MS) until `cond` holds; the daemon's helper
 * thread and its retry timer act on their own, with no event for the
 * client. */
#define WAIT_FOR(cond) do {						\
	struct timespec tick_ = { 0, 10 * 1000 * 1000 };		\
	int waited_ = 0;						\
	while (!(cond)) {						\
		if ((waited_ += 10) > WAIT_MS) {			\
			fprintf(stderr, "not within %d ms: %s\n",	\
			    WAIT_MS, #cond);				\
			harness_fail();					\
		}							\
		nanosleep(&tick_, NULL);				\
	}								\
} while (0)

int main(void)
{
	const char *argv[3] = { "-c", NULL, NULL };
	struct votequorum_info info;
	char conf[600], path[320], tmp[340];
	struct daemon_proc d;
	votequorum_handle_t h;
	uint32_t corosync_barrier = 2;
	FILE *f;

	harness_dir(&d);
	/* corosync's barrier, where corosync kept it under this
	 * configuration. */
	snprintf(path, sizeof(path), "%s/ev_tracking", d.dir);
	CHECK((f = fopen(path, "w")) != NULL);
	CHECK(fwrite(&corosync_barrier, sizeof(corosync_barrier), 1, f) == 1);
	CHECK(fclose(f) == 0);
	snprintf(conf, sizeof(conf), CONF, d.dir);
	snprintf(path, sizeof(path), "%s/cohort.conf", d.dir);
	CHECK((f = fopen(path, "w")) != NULL);
	CHECK(fputs(conf, f) >= 0);
	CHECK(fclose(f) == 0);
	argv[1] = path;
	harness_launch(&d, argv);
	quorum_ready();

	CHECK(harness_log_lines(&d, "taken from") == 1);
	CHECK_CS(votequorum_initialize(&h, NULL), CS_OK);
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_expected_votes == 2 && info.highest_expected == 2);
	CHECK((info.flags & VOTEQUORUM_INFO_QUORATE) == 0);
	WAIT_FOR(own_value(d.dir) == 2);

	/* The next write cannot go through: its temporary file's name is
	 * taken by a directory. */
	own_file(d.dir, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(mkdir(tmp, 0700) == 0);
	CHECK_CS(votequorum_setexpected(h, 3), CS_OK);
	WAIT_FOR(harness_log_lines(&d, "cannot keep the expected votes "
	    "barrier (3)") == 1);
	CHECK(own_value(d.dir) == 2);
	/* Still serving. */
	CHECK_CS(votequorum_getinfo(h, 0, &info), CS_OK);
	CHECK(info.node_expected_votes == 3);

	/* The directory goes: a retry writes the barrier. */
	CHECK(rmdir(tmp) == 0);
	WAIT_FOR(own_value(d.dir) == 3);
	WAIT_FOR(harness_log_lines(&d, "is kept in") == 1);
	CHECK(harness_log_lines(&d, "cannot keep the expected votes") == 1);

	CHECK_CS(votequorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
