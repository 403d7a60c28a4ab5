/* Unit tests: the readiness datagrams to $NOTIFY_SOCKET
 * (src/daemon/notify.c), to a socket path and to an abstract name, and
 * the values refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/notify.h"
#include "tmpdir.h"

/* A datagram socket bound to `name` (a path, or "@abstract"). */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + (name[0] == '@' ? 0 : 1));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, salen), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void to_path(void **state)
{
	char path[TMPDIR_PATH_MAX + 16];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/notify", tmpdir_path());
	fd = listener(path);
	assert_int_equal(notify_send(path, "READY=1"), 0);
	expect_datagram(fd, "READY=1");
	assert_int_equal(notify_send(path, "STOPPING=1"), 0);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
	unlink(path);
	/* Nobody listens there any more. */
	assert_int_equal(notify_send(path, "READY=1"), -ENOENT);
}

static void to_abstract_name(void **state)
{
	char name[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@cohort-notify-test-%d", (int)getpid());
	fd = listener(name);
	assert_int_equal(notify_send(name, "READY=1"), 0);
	expect_datagram(fd, "READY=1");
	close(fd);
	assert_int_equal(notify_send(name, "READY=1"), -ECONNREFUSED);
}

static void refused_values(void **state)
{
	char long_name[NOTIFY_SOCKET_MAX + 2];

	(void)state;
	assert_int_equal(notify_send(NULL, "READY=1"), 0);
	assert_int_equal(notify_send("", "READY=1"), 0);
	assert_int_equal(notify_send("run/notify", "READY=1"), -EINVAL);
	assert_int_equal(notify_send("vsock:2:1234", "READY=1"), -EINVAL);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[0] = '/';
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(notify_send(long_name, "READY=1"), -ENAMETOOLONG);
	/* NOTIFY_SOCKET_MAX itself fits (and names nothing). */
	long_name[NOTIFY_SOCKET_MAX] = '\0';
	assert_int_equal(notify_send(long_name, "READY=1"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(to_path, tmpdir_setup,
		    tmpdir_teardown),
		cmocka_unit_test(to_abstract_name),
		cmocka_unit_test(refused_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
