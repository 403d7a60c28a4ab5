/* API test: corosync_cfg_reopen_log_files: the logging section's file
 * reopened after it was renamed (logrotate); a path that cannot be opened
 * any more; no log file at all. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgtest.h"

int main(void)
{
	struct daemon_proc d;
	corosync_cfg_handle_t h;
	char logfile[160], rotated[170];

	cfgtest_start(&d, "logging {\n\tto_logfile: yes\n"
	    "\tlogfile: @DIR@/daemon.log\n}\n");
	snprintf(logfile, sizeof(logfile), "%s/daemon.log", cfgtest_dir());
	snprintf(rotated, sizeof(rotated), "%s/daemon.log.1", cfgtest_dir());
	CHECK_CS(corosync_cfg_reopen_log_files(0), CS_ERR_BAD_HANDLE);
	h = cfgtest_open(NULL);
	CHECK(access(logfile, F_OK) == 0);
	/* Rotated: the reopen makes a new file, which the next lines reach. */
	CHECK(rename(logfile, rotated) == 0);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_OK);
	CHECK(access(logfile, F_OK) == 0);
	/* The path cannot be opened any more (a directory took its place):
	 * the daemon's error; the old file is kept. */
	CHECK(unlink(logfile) == 0);
	CHECK(mkdir(logfile, 0700) == 0);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_ERR_LIBRARY);
	cfgtest_log_wait(&d, "the log file cannot be reopened");
	CHECK(rmdir(logfile) == 0);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_OK);
	CHECK(access(logfile, F_OK) == 0);
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_ERR_BAD_HANDLE);
	cfgtest_stop(&d);

	/* No log file: nothing to reopen. */
	harness_start(&d, NULL);
	h = cfgtest_open(NULL);
	CHECK_CS(corosync_cfg_reopen_log_files(h), CS_OK);
	cfgtest_log_wait(&d, "log file (none) reopened");
	CHECK_CS(corosync_cfg_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
