/*
 * notify.c: one datagram to $NOTIFY_SOCKET (see notify.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/notify.h"

int notify_send(const char *where, const char *state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = where ? strlen(where) : 0;
	socklen_t salen;
	ssize_t n;
	int fd, rc = 0;

	_Static_assert(NOTIFY_SOCKET_MAX < sizeof(sa.sun_path),
	    "NOTIFY_SOCKET_MAX fits in sun_path with its NUL");
	if (len == 0)
		return 0;
	if (where[0] != '/' && where[0] != '@')
		return -EINVAL;
	if (len > NOTIFY_SOCKET_MAX)
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, where, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (where[0] == '@')
		sa.sun_path[0] = '\0';     /* abstract: exactly len bytes */
	else
		salen++;                   /* a path: with its NUL */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (const struct sockaddr *)&sa, salen);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != strlen(state))
		rc = -EMSGSIZE;
	close(fd);
	return rc;
}
