/* API test: live access (services-reference §1.4). A user the
 * configuration does not allow connects once uidgid.uid.<uid> or
 * uidgid.gid.<gid> is a u8 1 in the daemon's map; the keys are looked at
 * only when a client connects, so deleting one keeps the connections
 * made. Needs root to switch users. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

#define NOBODY 65534

/* A child as NOBODY:NOBODY: the answer to its HELLO. */
static uint32_t try_as_nobody(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct cmr c;
		uint32_t err;

		if (setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(100);
		err = cmr_try_open(&c);
		if (err == CS_OK)
			cmr_close(&c);
		_exit((int)err);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return (uint32_t)WEXITSTATUS(status);
}

/* A child as NOBODY that connects, tells `up`, waits for a byte on
 * `go`, then reads a key on the connection it made before. */
static pid_t hold_as_nobody(int up, int go)
{
	pid_t pid = fork();

	if (pid == 0) {
		uint32_t type, len;
		uint8_t v;
		struct cmr c;
		char b;

		if (setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(100);
		if (cmr_try_open(&c) != CS_OK)
			_exit(101);
		if (write(up, "u", 1) != 1 || read(go, &b, 1) != 1)
			_exit(102);
		if (cmr_get(&c, "uidgid.uid.65534", true, 1, &type, &v,
		    &len) != CS_ERR_NOT_EXIST)
			_exit(103);
		cmr_close(&c);
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

int main(void)
{
	struct daemon_proc d;
	struct cmr root;
	int up[2], go[2], status;
	uint32_t one32 = 1;
	uint8_t one = 1, two = 2;
	pid_t pid;
	char b;

	harness_init();
	if (geteuid() != 0) {
		printf("needs root to switch users\n");
		return 77;
	}
	harness_start(&d, NULL);
	cmr_open(&root, false);
	CHECK(try_as_nobody() == CS_ERR_ACCESS);
	/* Not a u8 1: still refused. */
	CHECK_CS(cmr_set(&root, "uidgid.uid.65534", ICMAP_UINT32, &one32, 4),
	    CS_OK);
	CHECK_CS(cmr_set(&root, "uidgid.gid.65534", ICMAP_UINT8, &two, 1),
	    CS_OK);
	CHECK(try_as_nobody() == CS_ERR_ACCESS);
	/* The uid's key. */
	CHECK_CS(cmr_set(&root, "uidgid.uid.65534", ICMAP_UINT8, &one, 1),
	    CS_OK);
	CHECK(try_as_nobody() == CS_OK);
	/* Deleting it keeps the connection made, refuses the next. */
	CHECK(pipe(up) == 0 && pipe(go) == 0);
	pid = hold_as_nobody(up[1], go[0]);
	CHECK(read(up[0], &b, 1) == 1);
	CHECK_CS(cmr_delete(&root, "uidgid.uid.65534"), CS_OK);
	CHECK(try_as_nobody() == CS_ERR_ACCESS);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	/* The gid's key. */
	CHECK_CS(cmr_set(&root, "uidgid.gid.65534", ICMAP_UINT8, &one, 1),
	    CS_OK);
	CHECK(try_as_nobody() == CS_OK);
	CHECK_CS(cmr_delete(&root, "uidgid.gid.65534"), CS_OK);
	CHECK(try_as_nobody() == CS_ERR_ACCESS);
	cmr_close(&root);
	harness_stop(&d);
	return 0;
}
