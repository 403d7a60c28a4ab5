/*
 * hdb.c: handle tables.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lib/hdb.h"

#define HDB_GROW 16u
#define HDB_MAX_SLOTS (1u << 20)

struct hdb_slot {
	void *obj;
	uint32_t check;   /* 0: free slot */
	uint32_t refs;
	bool active;
};

/* splitmix64: only needs to make stale handles unlikely to collide. */
static uint32_t hdb_random(struct hdb *db)
{
	uint64_t z;

	if (db->rng == 0)
		db->rng = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32 ^
		    (uint64_t)(uintptr_t)db;
	z = (db->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (uint32_t)z ? (uint32_t)z : 1u;
}

int hdb_create(struct hdb *db, void *obj, uint64_t *handle)
{
	uint32_t i;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	for (i = 0; i < db->n_slots; i++)
		if (db->slots[i].check == 0)
			break;
	if (i == db->n_slots) {
		struct hdb_slot *grown;
		uint32_t n = db->n_slots + HDB_GROW;

		if (n > HDB_MAX_SLOTS) {
			rc = -EMFILE;
			goto out;
		}
		grown = realloc(db->slots, n * sizeof(*grown));
		if (!grown) {
			rc = -ENOMEM;
			goto out;
		}
		for (uint32_t j = db->n_slots; j < n; j++)
			grown[j] = (struct hdb_slot){ 0 };
		db->slots = grown;
		db->n_slots = n;
	}
	db->slots[i] = (struct hdb_slot){ obj, hdb_random(db), 1, true };
	*handle = (uint64_t)db->slots[i].check << 32 | i;
out:
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static struct hdb_slot *hdb_slot(struct hdb *db, uint64_t handle)
{
	uint32_t i = (uint32_t)handle, check = (uint32_t)(handle >> 32);

	if (i >= db->n_slots || check == 0 || db->slots[i].check != check)
		return NULL;
	return &db->slots[i];
}

void *hdb_get(struct hdb *db, uint64_t handle)
{
	struct hdb_slot *s;
	void *obj = NULL;

	pthread_mutex_lock(&db->lock);
	s = hdb_slot(db, handle);
	if (s && s->active) {
		s->refs++;
		obj = s->obj;
	}
	pthread_mutex_unlock(&db->lock);
	return obj;
}

/* Drops one reference; frees the slot (and returns its object for the
 * destructor) when it was the last. Called with the lock held. */
static void *hdb_unref(struct hdb_slot *s)
{
	void *obj = s->obj;

	if (--s->refs > 0)
		return NULL;
	*s = (struct hdb_slot){ 0 };
	return obj;
}

void hdb_put(struct hdb *db, uint64_t handle)
{
	struct hdb_slot *s;
	void *dead = NULL;

	pthread_mutex_lock(&db->lock);
	s = hdb_slot(db, handle);
	if (s)
		dead = hdb_unref(s);
	pthread_mutex_unlock(&db->lock);
	if (dead && db->destroy)
		db->destroy(dead);
}

int hdb_destroy(struct hdb *db, uint64_t handle)
{
	struct hdb_slot *s;
	void *dead = NULL;
	int rc = -EBADF;

	pthread_mutex_lock(&db->lock);
	s = hdb_slot(db, handle);
	if (s && s->active) {
		s->active = false;
		dead = hdb_unref(s);
		rc = 0;
	}
	pthread_mutex_unlock(&db->lock);
	if (dead && db->destroy)
		db->destroy(dead);
	return rc;
}

void hdb_fini(struct hdb *db)
{
	free(db->slots);
	db->slots = NULL;
	db->n_slots = 0;
}
