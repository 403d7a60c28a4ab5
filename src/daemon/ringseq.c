/*
 * ringseq.c: the ring sequence in the state directory (ringseq.h).
 *
 * The loop and the writer thread share only the fields under mu; the
 * writer does no logging and never exits the process: a failure is
 * handed to the loop, which is fatal at the next value that needs it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "common/log.h"
#include "daemon/ringseq.h"
#include "daemon/statedir.h"

#define BOUND_FILE "ringid"
#define EXACT_FILE "ringseq"
/* ringseq_N: the value (8 bytes, little-endian), then the boot id. */
#define EXACT_LEN (8 + RINGSEQ_BOOT_ID_LEN)

static uint64_t above(uint64_t v, uint64_t by)
{
	return v > UINT64_MAX - by ? UINT64_MAX : v + by;
}

int ringseq_boot_id(char *boot)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	boot[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, boot, RINGSEQ_BOOT_ID_LEN);
	close(fd);
	if (n != RINGSEQ_BOOT_ID_LEN) {
		boot[0] = '\0';
		return -EIO;
	}
	boot[RINGSEQ_BOOT_ID_LEN] = '\0';
	return 0;
}

/* Writes bound `b` durably: 0 or -errno. */
static int put_bound(const struct ringseq *rs, uint64_t b)
{
	return statedir_put_u64(rs->sd, BOUND_FILE, b, true) < 0 ? -errno : 0;
}

/* The exact value of an earlier run of this boot, if there is one. */
static bool get_exact(const struct ringseq *rs, uint64_t *v)
{
	uint8_t buf[EXACT_LEN];

	if (!rs->boot[0] ||
	    statedir_get(rs->sd, EXACT_FILE, buf, sizeof(buf)) != EXACT_LEN ||
	    memcmp(buf + 8, rs->boot, RINGSEQ_BOOT_ID_LEN) != 0)
		return false;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | buf[i];
	return true;
}

/* Writes the bound asked for; called and returns with mu held, which it
 * drops while it writes. */
static void store_want(struct ringseq *rs)
{
	uint64_t b = rs->want;
	int rc;

	pthread_mutex_unlock(&rs->mu);
	rc = put_bound(rs, b);
	pthread_mutex_lock(&rs->mu);
	if (rc < 0)
		rs->err = rc;
	else if (b > rs->durable)
		rs->durable = b;
	pthread_cond_broadcast(&rs->cv);
}

static void *writer(void *arg)
{
	struct ringseq *rs = arg;

	pthread_mutex_lock(&rs->mu);
	for (;;) {
		if (rs->want > rs->durable && !rs->err)
			store_want(rs);
		else if (rs->stop)
			break;
		else
			pthread_cond_wait(&rs->cv, &rs->mu);
	}
	pthread_mutex_unlock(&rs->mu);
	return NULL;
}

int ringseq_open(struct ringseq *rs, const struct statedir *sd,
    const char *boot, bool threaded, uint64_t *last)
{
	uint64_t bound, exact;
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->sd = sd;
	rs->threaded = threaded;
	if (boot && strlen(boot) == RINGSEQ_BOOT_ID_LEN)
		memcpy(rs->boot, boot, sizeof(rs->boot));
	rc = statedir_read(sd, BOUND_FILE, &bound);
	if (rc < 0)
		return rc;
	/* The exact value of this boot, even above a bound that was lost:
	 * it was kept before every value of this boot was used, and every
	 * run starts above the one before. */
	*last = get_exact(rs, &exact) ? exact : bound;
	rs->used = *last;
	rs->want = rs->durable = bound;
	if (above(*last, 1 + RINGSEQ_RESERVE / 2) > bound) {
		rs->want = above(*last, 1 + RINGSEQ_RESERVE);
		rc = put_bound(rs, rs->want);
		if (rc < 0)
			return rc;
		rs->durable = rs->want;
	}
	pthread_mutex_init(&rs->mu, NULL);
	pthread_cond_init(&rs->cv, NULL);
	if (threaded && (rc = pthread_create(&rs->thread, NULL, writer, rs))) {
		pthread_cond_destroy(&rs->cv);
		pthread_mutex_destroy(&rs->mu);
		return -rc;
	}
	return 0;
}

/* Asks the writer for a bound a reserve above `seq` when the one asked
 * for is within half a reserve of it; called and returns with mu held. */
static void ask_ahead(struct ringseq *rs, uint64_t seq)
{
	if (above(seq, RINGSEQ_RESERVE / 2) > rs->want) {
		rs->want = above(seq, RINGSEQ_RESERVE);
		pthread_cond_broadcast(&rs->cv);
	}
}

void ringseq_hint(struct ringseq *rs, uint64_t seq)
{
	pthread_mutex_lock(&rs->mu);
	ask_ahead(rs, seq);
	pthread_mutex_unlock(&rs->mu);
}

void ringseq_use(struct ringseq *rs, uint64_t seq)
{
	uint8_t buf[EXACT_LEN];
	int err;

	if (seq <= rs->used)
		return;
	pthread_mutex_lock(&rs->mu);
	ask_ahead(rs, seq);
	if (seq > rs->durable && !rs->err) {
		rs->waits++;
		log_warnx("ring sequence %" PRIu64 " is above the bound on "
		    "disk (%" PRIu64 "): waiting for the bound to be written",
		    seq, rs->durable);
		if (!rs->threaded)
			store_want(rs);
		while (seq > rs->durable && !rs->err)
			pthread_cond_wait(&rs->cv, &rs->mu);
	}
	err = rs->err;
	pthread_mutex_unlock(&rs->mu);
	if (err) {
		errno = -err;
		fatal("cannot persist the ring sequence's bound in %s",
		    rs->sd->dir);
	}
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)(seq >> (8 * i));
	memcpy(buf + 8, rs->boot, RINGSEQ_BOOT_ID_LEN);
	if (statedir_put(rs->sd, EXACT_FILE, buf, sizeof(buf), false) < 0)
		fatal("cannot keep the ring sequence in %s", rs->sd->dir);
	rs->used = seq;
}

void ringseq_flush(struct ringseq *rs)
{
	pthread_mutex_lock(&rs->mu);
	if (rs->want > rs->durable && !rs->err)
		store_want(rs);
	pthread_mutex_unlock(&rs->mu);
}

uint64_t ringseq_durable(struct ringseq *rs)
{
	uint64_t d;

	pthread_mutex_lock(&rs->mu);
	d = rs->durable;
	pthread_mutex_unlock(&rs->mu);
	return d;
}

void ringseq_close(struct ringseq *rs)
{
	if (rs->threaded) {
		pthread_mutex_lock(&rs->mu);
		rs->stop = true;
		pthread_cond_broadcast(&rs->cv);
		pthread_mutex_unlock(&rs->mu);
		pthread_join(rs->thread, NULL);
	}
	pthread_cond_destroy(&rs->cv);
	pthread_mutex_destroy(&rs->mu);
}
