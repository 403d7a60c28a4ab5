/*
 * tmpdir.h: what the unit tests share: a temporary directory of their
 * own, removed with all it holds when the test is done.
 *
 * The directory is /tmp/cohort-PROGRAM.XXXXXX, PROGRAM being the test
 * program's name, so that a directory left behind (by a test that
 * crashed) says whose it is.
 */
#ifndef COHORT_UNIT_TMPDIR_H
#define COHORT_UNIT_TMPDIR_H

#include <stddef.h>

/* Room for the path tmpdir_make() writes, for any test program's name. */
#define TMPDIR_PATH_MAX 128

/* Makes a new, empty directory and writes its path into `dir` (`len`
 * bytes, TMPDIR_PATH_MAX will do). Returns 0, or -1 with errno set
 * (ENAMETOOLONG: the path does not fit in `len`), having printed why. */
int tmpdir_make(char *dir, size_t len);
/* Removes `dir` and everything below it; a symbolic link goes, not what
 * it points at. Returns 0, or -1 with errno set by the first file that
 * could not be removed (ENOENT: there is no `dir`), having printed
 * which. */
int tmpdir_remove(const char *dir);

/*
 * cmocka fixtures, for the tests of a program that share one directory
 * (as group setup and teardown) or for a test that wants one to itself:
 * tmpdir_setup() makes it, tmpdir_path() is its path until
 * tmpdir_teardown() removes it. The state is left as it is.
 */
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);
const char *tmpdir_path(void);

#endif /* COHORT_UNIT_TMPDIR_H */
