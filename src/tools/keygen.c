/*
 * keygen.c: `cohortctl keygen [-f] [FILE]`: writes a new cluster key, 256
 * random bytes from the kernel, like corosync-keygen (whose keys cohortd
 * also reads). Every node of a cluster needs the same file. The file is
 * mode 0400, also when -f replaces one of another mode: the new key goes
 * to a new file in the same directory, which then takes the old one's
 * name (rename), so that no reader sees half a key.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

#include "tools/ctl.h"

#define KEY_BYTES 256
#define DEFAULT_KEYFILE "/etc/cohort/authkey"

/* Opens the file the key is written to: `path` itself, or, to replace
 * it, a new file beside it whose name goes to *tmp (to be renamed). */
static int open_key(const char *path, bool replace, char **tmp)
{
	int fd;

	*tmp = NULL;
	if (!replace)
		return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (asprintf(tmp, "%s.XXXXXX", path) < 0) {
		*tmp = NULL;
		errno = ENOMEM;
		return -1;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd >= 0 && fchmod(fd, 0400) < 0) {
		int e = errno;

		close(fd);
		unlink(*tmp);
		errno = e;
		fd = -1;
	}
	if (fd < 0) {
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int ctl_keygen(int argc, char **argv)
{
	unsigned char key[KEY_BYTES];
	const char *path = DEFAULT_KEYFILE;
	bool replace = false;
	char *tmp = NULL;
	int fd, i = 1, rc = 1;
	size_t got = 0;

	if (i < argc && strcmp(argv[i], "-f") == 0) {
		replace = true;
		i++;
	}
	if (i < argc)
		path = argv[i++];
	if (i != argc) {
		fprintf(stderr, "usage: cohortctl keygen [-f] [FILE]\n");
		return 2;
	}
	while (got < sizeof(key)) {
		ssize_t n = getrandom(key + got, sizeof(key) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("cohortctl: getrandom");
			goto out;
		}
		got += (size_t)n;
	}
	fd = open_key(path, replace, &tmp);
	if (fd < 0) {
		fprintf(stderr, "cohortctl: %s: %s%s\n", path, strerror(errno),
		    errno == EEXIST ? " (use -f to replace it)" : "");
		goto out;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) < 0 || close(fd) < 0 ||
	    (tmp && rename(tmp, path) < 0)) {
		fprintf(stderr, "cohortctl: %s: %s\n", path, strerror(errno));
		if (tmp)
			unlink(tmp);
		goto out;
	}
	printf("wrote a %d-byte cluster key to %s; copy it to every node\n",
	    KEY_BYTES, path);
	rc = 0;
out:
	free(tmp);
	/* Not left on the stack: explicit_bzero is not optimised away. */
	explicit_bzero(key, sizeof(key));
	return rc;
}
