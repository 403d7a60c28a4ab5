/* Unit tests: the ring sequence's files (src/daemon/ringseq.c). The rule:
 * whatever a crash leaves, the value read back at start is at least
 * every value used before, so the next run (which starts one above it)
 * reuses none. A crash is simulated after every step of a run, by
 * copying the node's files as they stand to another node id and opening
 * that: a crash of the daemon keeps every file (same boot); a crash of
 * the host keeps only what was fsync'd (the bound) and comes back in
 * another boot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/ringseq.h"
#include "daemon/statedir.h"
#include "tmpdir.h"

static const char boot1[] = "11111111-1111-1111-1111-111111111111";
static const char boot2[] = "22222222-2222-2222-2222-222222222222";

#define NODE 1
#define CRASHED 2

/* Copies file `name` of NODE to CRASHED when `keep`; CRASHED has none
 * otherwise, or when NODE has none. */
static void copy_file(const char *name, bool keep)
{
	struct statedir from = { tmpdir_path(), NODE, false },
	    to = { tmpdir_path(), CRASHED, false };
	char path[128];
	uint8_t buf[64];
	ssize_t n = statedir_get(&from, name, buf, sizeof(buf));

	snprintf(path, sizeof(path), "%s/%s_%d", tmpdir_path(), name, CRASHED);
	unlink(path);
	if (keep && n >= 0)
		assert_int_equal(statedir_put(&to, name, buf, (size_t)n,
		    false), 0);
}

/* The value a run started from the files of NODE, as a crash of the
 * daemon (`host` false) or of the host leaves them, would start above. */
static uint64_t restart_last(bool host)
{
	struct statedir sd = { tmpdir_path(), CRASHED, false };
	struct ringseq rs;
	uint64_t last;

	copy_file("ringid", true);
	/* The exact value is not fsync'd: a host crash may lose it. */
	copy_file("ringseq", !host);
	assert_int_equal(ringseq_open(&rs, &sd, host ? boot2 : boot1, false,
	    &last), 0);
	/* What start writes covers the first value of the new run. */
	assert_true(ringseq_durable(&rs) > last);
	ringseq_close(&rs);
	return last;
}

static void check_crashes(uint64_t used_max)
{
	assert_true(restart_last(false) >= used_max);
	assert_true(restart_last(true) >= used_max);
}

/* A run of small steps, jumps beyond the bound, and the writes of the
 * bound at their own times (the writer is late or on time). */
static void every_crash_point(void **state)
{
	struct statedir sd = { tmpdir_path(), NODE, false };
	struct ringseq rs;
	uint64_t last, seq, used_max = 0;

	assert_int_equal(ringseq_open(&rs, &sd, boot1, false, &last), 0);
	assert_int_equal(last, 0);
	check_crashes(used_max);
	seq = last + 1;
	for (int step = 0; step < 1200; step++) {
		if (step % 397 == 200)
			seq += RINGSEQ_RESERVE * 2;       /* a peer's jump */
		else
			seq += 4 + (uint64_t)(step % 7) * 1000;
		ringseq_use(&rs, seq);
		used_max = seq;
		assert_true(ringseq_durable(&rs) >= used_max);
		check_crashes(used_max);
		if (step % 5 == 0) {
			ringseq_flush(&rs);
			check_crashes(used_max);
		}
	}
	/* Only the jumps waited: the writes ahead kept up with the rest. */
	assert_int_equal(rs.waits, 3);
	ringseq_close(&rs);
}

/* A restart in the same boot goes on from the exact value, not from the
 * bound: it does not jump the ring sequence by the reserve. */
static void same_boot_restart_is_exact(void **state)
{
	struct statedir sd = { tmpdir_path(), 3, false };
	struct ringseq rs;
	uint64_t last;

	assert_int_equal(ringseq_open(&rs, &sd, boot1, false, &last), 0);
	ringseq_use(&rs, last + 1);
	ringseq_use(&rs, last + 9);
	ringseq_close(&rs);
	assert_int_equal(ringseq_open(&rs, &sd, boot1, false, &last), 0);
	assert_int_equal(last, 9);
	ringseq_close(&rs);
	/* Another boot: the bound. */
	assert_int_equal(ringseq_open(&rs, &sd, boot2, false, &last), 0);
	assert_true(last >= RINGSEQ_RESERVE);
	ringseq_close(&rs);
	/* No boot id known: the exact value is never trusted. */
	assert_int_equal(ringseq_open(&rs, &sd, NULL, false, &last), 0);
	assert_true(last >= RINGSEQ_RESERVE);
	ringseq_close(&rs);
}

/* The writer has the bound on disk at least half a reserve above `seq`
 * (what ringseq_use() asked of it), within a bound of time. */
static void wait_written(struct ringseq *rs, uint64_t seq)
{
	for (int i = 0; i < 10000 &&
	    ringseq_durable(rs) < seq + RINGSEQ_RESERVE / 2; i++)
		usleep(1000);
	assert_true(ringseq_durable(rs) >= seq + RINGSEQ_RESERVE / 2);
}

/* With the writer thread: steps that give it the time to write never
 * wait, a jump beyond the bound waits for it and is covered, and a jump
 * hinted at before it is used does not wait. */
static void thread_writes_ahead(void **state)
{
	struct statedir sd = { tmpdir_path(), 4, false };
	struct ringseq rs;
	uint64_t last, seq;

	assert_int_equal(ringseq_open(&rs, &sd, boot1, true, &last), 0);
	seq = last + 1;
	for (int i = 0; i < 3 * (int)(RINGSEQ_RESERVE / 4096); i++) {
		seq += 4096;
		ringseq_use(&rs, seq);
		assert_true(ringseq_durable(&rs) >= seq);
		wait_written(&rs, seq);
	}
	assert_int_equal(rs.waits, 0);
	seq += 3 * RINGSEQ_RESERVE;
	ringseq_use(&rs, seq);
	assert_true(ringseq_durable(&rs) >= seq);
	assert_int_equal(rs.waits, 1);
	/* A jump seen ahead (a peer's JOIN) is written before it is used. */
	seq += 3 * RINGSEQ_RESERVE;
	ringseq_hint(&rs, seq);
	wait_written(&rs, seq);
	ringseq_use(&rs, seq);
	assert_int_equal(rs.waits, 1);
	ringseq_close(&rs);
	assert_int_equal(statedir_read(&sd, "ringid", &last), 0);
	assert_true(last >= seq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_crash_point),
		cmocka_unit_test(same_boot_restart_is_exact),
		cmocka_unit_test(thread_writes_ahead),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
