/* API test: a storm of 1000 connections. All are served; a member keeps
 * sending and receiving through it, losing nothing; the daemon's memory
 * stays bounded. Then the daemon runs out of descriptors: clients get
 * CS_ERR_NO_RESOURCES at once instead of hanging, and it recovers. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

#define STORM 1000
#define RSS_BOUND_KB (128 * 1024)

static unsigned int next_expected, sent;
static volatile bool progress;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t n,
    uint32_t pid, void *msg, size_t len)
{
	unsigned int seq;

	CHECK(len == 4);
	memcpy(&seq, msg, 4);
	CHECK(seq == next_expected);
	next_expected++;
	progress = true;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	progress = true;
}

static void traffic(cpg_handle_t h, int n)
{
	for (int i = 0; i < n; i++) {
		struct iovec iov = { &sent, 4 };

		CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
		sent++;
	}
	while (next_expected < sent) {
		progress = false;
		harness_wait(h, &progress);
	}
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(void)
{
	static cpg_handle_t storm[STORM];
	struct daemon_proc d;
	cpg_callbacks_t cb = { on_deliver, on_confchg };
	struct cpg_name g = harness_name("calm");
	struct rlimit rl = { 2 * STORM + 256, 2 * STORM + 256 };
	cpg_handle_t h, x;
	int refused = 0;
	long kb;

	harness_init();
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		printf("cannot raise this process's descriptor limit\n");
		return 77;
	}
	harness_start(&d, NULL);
	CHECK_CS(cpg_initialize(&h, &cb), CS_OK);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &progress);
	traffic(h, 100);
	for (int i = 0; i < STORM; i++) {
		CHECK_CS(cpg_initialize(&storm[i], NULL), CS_OK);
		if (i % 100 == 0)
			traffic(h, 10);
	}
	kb = rss_kb(d.pid);
	printf("%d connections: daemon RSS %ld kB (bound %d kB)\n", STORM + 1,
	    kb, RSS_BOUND_KB);
	CHECK(kb > 0 && kb < RSS_BOUND_KB);
	for (int i = 0; i < STORM; i++)
		CHECK_CS(cpg_finalize(storm[i]), CS_OK);
	traffic(h, 100);

	/* Starve the daemon of descriptors: new clients are refused at once
	 * with NO_RESOURCES (none hangs); existing ones keep working. */
	{
		struct rlimit low;

		CHECK(prlimit(d.pid, RLIMIT_NOFILE, NULL, &rl) == 0);
		low = (struct rlimit){ 40, rl.rlim_max };   /* the soft limit only */
		CHECK(prlimit(d.pid, RLIMIT_NOFILE, &low, NULL) == 0);
	}
	for (int i = 0; i < 60; i++) {
		cs_error_t rc = cpg_initialize(&storm[i], NULL);

		if (rc == CS_ERR_NO_RESOURCES)
			refused++;
		else
			CHECK_CS(rc, CS_OK);
		if (rc != CS_OK)
			storm[i] = 0;
	}
	printf("with 40 descriptors: %d of 60 new clients refused\n", refused);
	CHECK(refused > 0);
	traffic(h, 100);
	for (int i = 0; i < 60; i++)
		if (storm[i])
			CHECK_CS(cpg_finalize(storm[i]), CS_OK);
	/* Descriptors back: clients are accepted again. */
	CHECK(prlimit(d.pid, RLIMIT_NOFILE, &rl, NULL) == 0);
	CHECK_CS(cpg_initialize(&x, NULL), CS_OK);
	CHECK_CS(cpg_finalize(x), CS_OK);
	traffic(h, 100);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
