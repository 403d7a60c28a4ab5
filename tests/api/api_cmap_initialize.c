/* API test: cmap_initialize. */
#include <sys/wait.h>
#include <unistd.h>

#include "cmap_harness.h"

#define NOBODY 65534

/* cmap_initialize in a child running as uid and gid NOBODY; its result. */
static cs_error_t init_as_nobody(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		cmap_handle_t h;
		cs_error_t rc;

		if (setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(100);
		rc = cmap_initialize(&h);
		if (rc == CS_OK)
			cmap_finalize(h);
		_exit(rc);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return (cs_error_t)WEXITSTATUS(status);
}

int main(void)
{
	struct daemon_proc d;
	cmap_handle_t h1, h2;
	uint32_t v;

	/* No daemon: the library's connect error. */
	setenv("COHORT_SOCKET", "/nonexistent/cohort.sock", 1);
	CHECK_CS(cmap_initialize(&h1), CS_ERR_LIBRARY);
	harness_start(&d, NULL);
	CHECK_CS(cmap_initialize(NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(cmap_initialize(&h1), CS_OK);
	CHECK_CS(cmap_initialize(&h2), CS_OK);
	CHECK(h1 != h2);
	/* Both handles see the one map. */
	CHECK_CS(cmap_set_uint32(h1, "test.k", 42), CS_OK);
	CHECK_CS(cmap_get_uint32(h2, "test.k", &v), CS_OK);
	CHECK(v == 42);
	CHECK_CS(cmap_finalize(h1), CS_OK);
	CHECK_CS(cmap_get_uint32(h2, "test.k", &v), CS_OK);
	/* Who may connect: a user is let in by uidgid.uid.<uid> = u8 1,
	 * looked at when it connects (needs root to switch users). */
	if (geteuid() == 0) {
		CHECK(init_as_nobody() == CS_ERR_ACCESS);
		CHECK_CS(cmap_set_uint32(h2, "uidgid.uid.65534", 1), CS_OK);
		CHECK(init_as_nobody() == CS_ERR_ACCESS);   /* not a u8 */
		CHECK_CS(cmap_set_uint8(h2, "uidgid.uid.65534", 1), CS_OK);
		CHECK(init_as_nobody() == CS_OK);
		CHECK_CS(cmap_delete(h2, "uidgid.uid.65534"), CS_OK);
		CHECK_CS(cmap_set_uint8(h2, "uidgid.gid.65534", 1), CS_OK);
		CHECK(init_as_nobody() == CS_OK);
		CHECK_CS(cmap_set_uint8(h2, "uidgid.gid.65534", 2), CS_OK);
		CHECK(init_as_nobody() == CS_ERR_ACCESS);
	}
	CHECK_CS(cmap_finalize(h2), CS_OK);
	harness_stop(&d);
	return 0;
}
