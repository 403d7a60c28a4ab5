/*
 * keygen.c: `cohortctl keygen [-f] [FILE]`: writes a new cluster key, 256
 * random bytes from the kernel, like corosync-keygen (whose keys cohortd
 * also reads). Every node of a cluster needs the same file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "tools/ctl.h"

#define KEY_BYTES 256
#define DEFAULT_KEYFILE "/etc/cohort/authkey"

int ctl_keygen(int argc, char **argv)
{
	unsigned char key[KEY_BYTES];
	const char *path = DEFAULT_KEYFILE;
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fd, i = 1, rc = 1;
	size_t got = 0;

	if (i < argc && strcmp(argv[i], "-f") == 0) {
		flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
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
	fd = open(path, flags, 0400);
	if (fd < 0) {
		fprintf(stderr, "cohortctl: %s: %s%s\n", path, strerror(errno),
		    errno == EEXIST ? " (use -f to replace it)" : "");
		goto out;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "cohortctl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	printf("wrote a %d-byte cluster key to %s; copy it to every node\n",
	    KEY_BYTES, path);
	rc = 0;
out:
	/* Not left on the stack: explicit_bzero is not optimised away. */
	explicit_bzero(key, sizeof(key));
	return rc;
}
