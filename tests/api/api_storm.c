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

int main(void)
{
	static cpg_handle_t storm[STORM];
	struct daemon_proc d;
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
	h = harness_seq_open("calm");
	harness_seq_traffic(h, 100);
	for (int i = 0; i < STORM; i++) {
		CHECK_CS(cpg_initialize(&storm[i], NULL), CS_OK);
		if (i % 100 == 0)
			harness_seq_traffic(h, 10);
	}
	kb = harness_rss_kb(d.pid);
	printf("%d connections: daemon RSS %ld kB (bound %d kB)\n", STORM + 1,
	    kb, RSS_BOUND_KB);
	CHECK(kb > 0 && kb < RSS_BOUND_KB);
	for (int i = 0; i < STORM; i++)
		CHECK_CS(cpg_finalize(storm[i]), CS_OK);
	harness_seq_traffic(h, 100);

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
	harness_seq_traffic(h, 100);
	for (int i = 0; i < 60; i++)
		if (storm[i])
			CHECK_CS(cpg_finalize(storm[i]), CS_OK);
	/* Descriptors back: clients are accepted again. */
	CHECK(prlimit(d.pid, RLIMIT_NOFILE, &rl, NULL) == 0);
	CHECK_CS(cpg_initialize(&x, NULL), CS_OK);
	CHECK_CS(cpg_finalize(x), CS_OK);
	harness_seq_traffic(h, 100);
	CHECK_CS(cpg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
