/*
 * tmpdir.c: the unit tests' temporary directories (tmpdir.h).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tmpdir.h"

/* How many directory levels nftw() may hold open at once. */
#define WALK_FDS 16

/* The directory of tmpdir_setup(); empty outside it. */
static char fixture_dir[TMPDIR_PATH_MAX];

int tmpdir_make(char *dir, size_t len)
{
	int n = snprintf(dir, len, "/tmp/cohort-%s.XXXXXX",
	    program_invocation_short_name);

	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "tmpdir: /tmp/cohort-%s.XXXXXX does not fit in "
		    "%zu bytes\n", program_invocation_short_name, len);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "tmpdir: mkdtemp %s: %s\n", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Called by nftw() on each file, the contents of a directory before
 * the directory itself (FTW_DEPTH): 0, or the errno that stops the walk
 * (nftw() returns what this returns). */
static int remove_one(const char *path, const struct stat *st, int type,
    struct FTW *where)
{
	if (remove(path) == 0)
		return 0;
	fprintf(stderr, "tmpdir: remove %s: %s\n", path, strerror(errno));
	return errno;
}

int tmpdir_remove(const char *dir)
{
	int rc = nftw(dir, remove_one, WALK_FDS, FTW_DEPTH | FTW_PHYS);

	if (rc == 0)
		return 0;
	/* -1: nftw() itself failed (no such directory); else the errno of
	 * remove_one(), which said which file. */
	if (rc < 0) {
		rc = errno;
		fprintf(stderr, "tmpdir: %s: %s\n", dir, strerror(rc));
	}
	errno = rc;
	return -1;
}

int tmpdir_setup(void **state)
{
	return tmpdir_make(fixture_dir, sizeof(fixture_dir));
}

int tmpdir_teardown(void **state)
{
	int rc = tmpdir_remove(fixture_dir);

	fixture_dir[0] = '\0';
	return rc;
}

const char *tmpdir_path(void)
{
	return fixture_dir;
}
