/*
 * hdb.h: a table of handles to reference-counted objects, thread-safe.
 *
 * A handle is (check << 32) | index: `check` is a random non-zero value
 * stored in the slot, so stale and forged handles are refused. An object
 * lives while the handle is active or someone holds a reference from
 * hdb_get(): hdb_destroy() deactivates the handle at once, and the
 * destructor runs when the last reference is put.
 *
 * The tables themselves are process-wide by necessity (the cpg_* API hands
 * out plain integers); each is one object with its own lock.
 */
#ifndef COHORT_HDB_H
#define COHORT_HDB_H

#include <pthread.h>
#include <stdint.h>

struct hdb_slot;

struct hdb {
	pthread_mutex_t lock;
	struct hdb_slot *slots;
	uint32_t n_slots;
	uint64_t rng;
	void (*destroy)(void *obj);
};

#define HDB_INIT(destructor) \
	{ PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, destructor }

/* Returns 0 and the new handle, or -ENOMEM. The table holds one reference
 * until hdb_destroy(). */
int hdb_create(struct hdb *db, void *obj, uint64_t *handle);
/* Returns the object with a new reference, or NULL (-EBADF) when the
 * handle is unknown, stale or destroyed. */
void *hdb_get(struct hdb *db, uint64_t handle);
void hdb_put(struct hdb *db, uint64_t handle);
/* Deactivates the handle and drops the table's reference. Returns 0, or
 * -EBADF when it was not active. */
int hdb_destroy(struct hdb *db, uint64_t handle);

/* Frees the table's slot array; every handle must be gone (for tables
 * that are not process-wide, such as in tests). */
void hdb_fini(struct hdb *db);

#endif /* COHORT_HDB_H */
