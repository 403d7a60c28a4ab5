/*
 * statedir.c: the state directory's files (statedir.h). Each is written
 * through a temporary file and a rename, so that a reader sees the old
 * or the new whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/statedir.h"
#include "daemon/transport/transport.h"

/* The path of state file `name` (with this node's id). */
static int state_file(const struct statedir *sd, const char *name,
    char *path, size_t len)
{
	int n = snprintf(path, len, "%s/%s_%" PRIu32, sd->dir, name,
	    sd->nodeid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The directory of the state files is fsync'd after a durable rename:
 * until then a host crash may lose the rename and leave the old file. */
static int dir_sync(const struct statedir *sd)
{
	int fd = open(sd->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

int statedir_put(const struct statedir *sd, const char *name,
    const void *buf, size_t len, bool durable)
{
	char path[4096], tmp[4200];
	int fd, rc = -1;

	if (state_file(sd, name, path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) == (ssize_t)len && (!durable || fsync(fd) == 0))
		rc = 0;
	if (close(fd) < 0 || (rc == 0 && rename(tmp, path) < 0))
		rc = -1;
	if (rc == 0 && durable)
		rc = dir_sync(sd);
	return rc;
}

ssize_t statedir_get(const struct statedir *sd, const char *name,
    void *buf, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	if (state_file(sd, name, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

int statedir_put_u64(const struct statedir *sd, const char *name, uint64_t v,
    bool durable)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return statedir_put(sd, name, b, sizeof(b), durable);
}

void statedir_write(const struct statedir *sd, const char *name, uint64_t v)
{
	if (statedir_put_u64(sd, name, v, true) < 0)
		fatal("cannot persist %s in %s", name, sd->dir);
}

int statedir_read(const struct statedir *sd, const char *name, uint64_t *v)
{
	uint8_t b[8];
	ssize_t n = statedir_get(sd, name, b, sizeof(b));

	*v = 0;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	if (n != (ssize_t)sizeof(b)) {
		log_warnx("%s_%" PRIu32 " in %s is damaged; starting %s from 0",
		    name, sd->nodeid, sd->dir, name);
		return 0;
	}
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | b[i];
	return 0;
}

int statedir_incarnation(const struct statedir *sd, uint64_t *inc)
{
	struct timespec ts;
	uint64_t last, clock_us;
	int rc = statedir_read(sd, "incarnation", &last);

	if (rc < 0)
		return rc;
	clock_gettime(CLOCK_REALTIME, &ts);
	clock_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	*inc = clock_us > last ? clock_us : last + 1;
	statedir_write(sd, "incarnation", *inc);
	return 0;
}

void statedir_save_replay(struct statedir *sd, struct transport *t)
{
	uint8_t buf[TRANSPORT_WINDOWS_MAX];
	size_t n;

	if (!t || !transport_windows_changed(t))
		return;
	n = transport_windows_save(t, buf);
	/* Not fsync'd: it is for a restart of the daemon, and a host that
	 * crashes takes its peers' frames in flight with it. */
	if (statedir_put(sd, "replay", buf, n, false) < 0 &&
	    !sd->replay_save_failed) {
		log_warn("cannot keep the replay windows in %s", sd->dir);
		sd->replay_save_failed = true;
	}
}

void statedir_load_replay(const struct statedir *sd, struct transport *t)
{
	uint8_t buf[TRANSPORT_WINDOWS_MAX + 1];
	char path[4096];
	ssize_t n;
	int fd;

	if (!t || state_file(sd, "replay", path, sizeof(path)) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || transport_windows_load(t, buf, (size_t)n) < 0)
		log_warnx("%s is damaged; replay windows start empty", path);
}
