/*
 * statedir.h: the files cohortd keeps in its state directory, one of
 * each per node id: the ring sequence (ringid_N and ringseq_N, see
 * ringseq.h), this run's incarnation (incarnation_N), the transport's
 * replay windows (replay_N) and, with expected_votes_tracking,
 * votequorum's barrier (ev_tracking_N, kept through statekeep.h).
 */
#ifndef COHORT_STATEDIR_H
#define COHORT_STATEDIR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct transport;

struct statedir {
	const char *dir;          /* borrowed */
	uint32_t nodeid;
	bool replay_save_failed;  /* logged once */
};

/* Writes `len` bytes to state file `name` through a temporary file and
 * a rename; `durable`: the file, then the directory, fsync'd, so that
 * the new content survives a host crash once this returns. 0, or -1
 * with errno set. */
int statedir_put(const struct statedir *sd, const char *name,
    const void *buf, size_t len, bool durable);
/* Reads up to `len` bytes of state file `name`: the count read, or
 * -errno (-ENOENT when there is none). */
ssize_t statedir_get(const struct statedir *sd, const char *name,
    void *buf, size_t len);
/* Reads the 64-bit value of state file `name`; a missing or damaged file
 * means 0. 0 or -errno. */
int statedir_read(const struct statedir *sd, const char *name, uint64_t *v);
/* Writes the 64-bit value `v` (8 bytes, little-endian) to state file
 * `name`, as statedir_put(). 0, or -1 with errno set. */
int statedir_put_u64(const struct statedir *sd, const char *name, uint64_t v,
    bool durable);
/* Writes it durably (fsync, then rename); a failure is fatal, as the
 * values it keeps must only grow. */
void statedir_write(const struct statedir *sd, const char *name, uint64_t v);
/* This run's incarnation for the transport (transport.h): above the one
 * kept in the state directory and at least the realtime clock in
 * microseconds, so it grows across restarts even when the clock steps
 * back; kept there durably before it is used. 0 or -errno. */
int statedir_incarnation(const struct statedir *sd, uint64_t *inc);
/* Writes the transport's replay windows if they moved, so that the next
 * run takes no frame this one took. */
void statedir_save_replay(struct statedir *sd, struct transport *t);
/* Starts the transport's replay windows where the last run left them. */
void statedir_load_replay(const struct statedir *sd, struct transport *t);

#endif /* COHORT_STATEDIR_H */
