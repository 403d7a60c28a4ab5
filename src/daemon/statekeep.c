/*
 * statekeep.c: a value kept durably by a helper thread (statekeep.h).
 *
 * The loop and the writer share only the fields under mu. The writer
 * does no logging and never exits the process: its failures are counted
 * and read by the loop.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "daemon/statedir.h"
#include "daemon/statekeep.h"

/* Writes the value asked for; called and returns with mu held, which it
 * drops while it writes (the value counts as pending meanwhile). A value
 * asked for meanwhile stays pending. */
static void write_want(struct statekeep *k)
{
	uint64_t v = k->want;
	int rc = 0;

	k->pending = false;
	k->writing = true;
	pthread_mutex_unlock(&k->mu);
	errno = 0;
	if (statedir_put_u64(k->sd, k->name, v, true) < 0)
		rc = errno ? -errno : -EIO;   /* a short write sets none */
	pthread_mutex_lock(&k->mu);
	k->writing = false;
	k->err = rc;
	if (rc < 0) {
		k->failures++;
		k->pending = true;
	}
}

/* After a failed write: waits for the retry time, a newer value or the
 * order to stop, with mu held. */
static void wait_retry(struct statekeep *k)
{
	uint64_t seen = k->sets;
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += STATEKEEP_RETRY_MS / 1000;
	until.tv_nsec += (long)(STATEKEEP_RETRY_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!k->stop && k->sets == seen &&
	    pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
}

static void *writer(void *arg)
{
	struct statekeep *k = arg;

	pthread_mutex_lock(&k->mu);
	for (;;) {
		if (k->pending) {
			write_want(k);
			if (k->err < 0) {
				if (k->stop)
					break;
				wait_retry(k);
			}
		} else if (k->stop) {
			break;
		} else {
			pthread_cond_wait(&k->cv, &k->mu);
		}
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

int statekeep_open(struct statekeep *k, const struct statedir *sd,
    const char *name, bool threaded)
{
	pthread_condattr_t ca;
	int rc;

	memset(k, 0, sizeof(*k));
	k->sd = sd;
	k->name = name;
	k->threaded = threaded;
	if ((rc = pthread_mutex_init(&k->mu, NULL)))
		return -rc;
	if ((rc = pthread_condattr_init(&ca)))
		goto no_cond;
	if (!(rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)))
		rc = pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		goto no_cond;
	if (threaded && (rc = pthread_create(&k->thread, NULL, writer, k))) {
		pthread_cond_destroy(&k->cv);
		goto no_cond;
	}
	return 0;
no_cond:
	pthread_mutex_destroy(&k->mu);
	return -rc;
}

void statekeep_set(struct statekeep *k, uint64_t v)
{
	pthread_mutex_lock(&k->mu);
	k->want = v;
	k->pending = true;
	k->sets++;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void statekeep_flush(struct statekeep *k)
{
	pthread_mutex_lock(&k->mu);
	if (!k->threaded && k->pending)
		write_want(k);
	pthread_mutex_unlock(&k->mu);
}

int statekeep_error(struct statekeep *k, bool *pending)
{
	int err;

	pthread_mutex_lock(&k->mu);
	err = k->err;
	if (pending)
		*pending = k->pending || k->writing;
	pthread_mutex_unlock(&k->mu);
	return err;
}

void statekeep_close(struct statekeep *k)
{
	if (k->threaded) {
		pthread_mutex_lock(&k->mu);
		k->stop = true;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
		pthread_join(k->thread, NULL);
	} else {
		statekeep_flush(k);
	}
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
}
