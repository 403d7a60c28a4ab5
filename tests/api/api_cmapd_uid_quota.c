/* API test through raw IPC (rawcmap.h): the trackers of one user. The
 * clients of one uid hold at most CMAP_UID_TRACKS_MAX trackers together
 * (then CS_ERR_NO_RESOURCES and a log line), so another user can still
 * track; a deleted tracker gives its place back. Needs root to switch
 * users. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <corosync/corotypes.h>

#include "daemon/cmap/cmap.h"   /* CMAP_UID_TRACKS_MAX, CMAP_CONN_TRACKS_MAX */
#include "daemon/icmap.h"
#include "harness.h"
#include "rawcmap.h"

#define NOBODY 65534
#define HOLDERS (CMAP_UID_TRACKS_MAX / CMAP_CONN_TRACKS_MAX)

/* A child as NOBODY: the answer to its TRACK_ADD (100 and up: it could
 * not get that far). */
static uint32_t track_as_nobody(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct cmr c;
		uint64_t t;
		uint32_t err;

		if (setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(100);
		if (cmr_try_open(&c) != CS_OK)
			_exit(101);
		err = cmr_track_add(&c, "runtime.members.", ICMAP_TRACK_ADD |
		    ICMAP_TRACK_PREFIX, 1, &t);
		cmr_close(&c);
		_exit((int)err);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	return (uint32_t)WEXITSTATUS(status);
}

int main(void)
{
	static struct cmr holders[HOLDERS];
	struct daemon_proc d;
	struct cmr late;
	uint64_t t, first = 0, cookie;
	uint8_t one = 1;

	harness_init();
	if (geteuid() != 0) {
		printf("needs root to switch users\n");
		return 77;
	}
	harness_start(&d, NULL);
	for (uint32_t i = 0; i < HOLDERS; i++) {
		cmr_open(&holders[i], true);
		for (uint32_t j = 0; j < CMAP_CONN_TRACKS_MAX; j++)
			CHECK_CS(cmr_track_add(&holders[i], "test.k",
			    ICMAP_TRACK_MODIFY, j, i || j ? &t : &first), CS_OK);
	}
	/* Root has its quota: another root connection is refused. */
	cmr_open(&late, true);
	CHECK_CS(cmr_track_add(&late, "test.k", ICMAP_TRACK_MODIFY, 0, &t),
	    CS_ERR_NO_RESOURCES);
	CHECK(harness_log_lines(&d, "the most one user may have") == 1);
	/* Another user is not locked out. */
	CHECK_CS(cmr_set(&late, "uidgid.uid.65534", ICMAP_UINT8, &one, 1),
	    CS_OK);
	CHECK(track_as_nobody() == CS_OK);
	/* A deleted tracker makes room for its user. */
	CHECK_CS(cmr_track_delete(&holders[0], first, &cookie), CS_OK);
	CHECK_CS(cmr_track_add(&late, "test.k", ICMAP_TRACK_MODIFY, 0, &t),
	    CS_OK);
	CHECK_CS(cmr_track_add(&late, "test.k", ICMAP_TRACK_MODIFY, 0, &t),
	    CS_ERR_NO_RESOURCES);
	cmr_close(&late);
	for (uint32_t i = 0; i < HOLDERS; i++)
		cmr_close(&holders[i]);
	harness_stop(&d);
	return 0;
}
