/*
 * ringseq.h: the ring sequence the engine persists (proto_ops.ring_seq),
 * kept so that a restarted node never reuses a ring sequence or an
 * incarnation, without the event loop waiting on the disk at a
 * configuration change.
 *
 * Two state files per node id (statedir.h):
 * - ringid_N, the bound: no value ever given to ringseq_use() is above
 *   the bound on disk (file and directory fsync'd). A helper thread
 *   writes it ahead of need, RINGSEQ_RESERVE above the value in use,
 *   whenever the value in use comes within RINGSEQ_RESERVE / 2 of it.
 * - ringseq_N, the exact highest value used and the id of the boot it
 *   was used in, written (not fsync'd) by ringseq_use() before it
 *   returns. A daemon that restarts in the same boot reads it back from
 *   the page cache; after a host restart (another boot id) it is not
 *   trusted and the bound is used instead.
 *
 * At start the last value used is the exact one when it is of this boot
 * and the bound otherwise; the engine starts one above it
 * (proto_config.ring_seq), so every value it uses is new.
 */
#ifndef COHORT_RINGSEQ_H
#define COHORT_RINGSEQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct statedir;

/* How far above the value in use the bound on disk is kept. A value
 * that comes within half of it has the writer move the bound; a value
 * above it (a peer that restarted after a host crash brings a ring
 * sequence up to this much above ours) waits for the write. */
#define RINGSEQ_RESERVE (UINT64_C(1) << 16)
/* The length of a boot id (/proc/sys/kernel/random/boot_id, a UUID). */
#define RINGSEQ_BOOT_ID_LEN 36

struct ringseq {
	const struct statedir *sd;          /* borrowed */
	char boot[RINGSEQ_BOOT_ID_LEN + 1];
	bool threaded;                      /* false: writes inline (tests) */
	uint64_t used;       /* the highest value given (loop only) */
	uint64_t waits;      /* values that waited for the writer */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: the bound asked of the writer, the bound on disk, the
	 * writer's failure (-errno) and the order to stop. */
	uint64_t want, durable;
	int err;
	bool stop;
};

/* This boot's id into `boot` (RINGSEQ_BOOT_ID_LEN + 1 bytes). 0 or
 * -errno. */
int ringseq_boot_id(char *boot);
/* Reads the files and returns in *last the highest value this node may
 * have used in an earlier run (0 at first); writes the bound durably
 * here when it does not cover *last + 1 and a reserve. `threaded`:
 * later bounds are written by a helper thread started here; else by
 * ringseq_flush() or inline. 0 or -errno (the bound could not be
 * written, or the thread not started). */
int ringseq_open(struct ringseq *rs, const struct statedir *sd,
    const char *boot, bool threaded, uint64_t *last);
/* `seq` is about to be used: on return it is covered by the bound on
 * disk and kept as the exact value. Waits (and counts it in waits) only
 * when `seq` is above the bound on disk. A failure to write is fatal:
 * the values must only grow. */
void ringseq_use(struct ringseq *rs, uint64_t seq);
/* `seq` may be used soon (proto_ops.ring_seq_seen): the writer is asked
 * for a bound above it now, so that ringseq_use() finds it on disk.
 * Never waits. */
void ringseq_hint(struct ringseq *rs, uint64_t seq);
/* Without a thread: writes the bound asked for, if any. */
void ringseq_flush(struct ringseq *rs);
/* The bound on disk. */
uint64_t ringseq_durable(struct ringseq *rs);
/* Stops the thread; a bound being written is finished first. */
void ringseq_close(struct ringseq *rs);

#endif /* COHORT_RINGSEQ_H */
