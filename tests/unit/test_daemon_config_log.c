/* Unit tests: the log module's setup made from the logging section
 * (src/daemon/config/config_log.c): the section's values for every
 * subsystem, logger_subsys sections over them for theirs, the log file
 * only when some subsystem writes to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "daemon/config/config.h"
#include "tmpdir.h"

/* Loads `text` as a configuration file, in the tests' directory (no
 * uidgid.d beside it for the loader to read); fails the test on an
 * error. */
static void load(const char *text, struct cohort_config *cfg)
{
	char path[TMPDIR_PATH_MAX + 16], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/corosync.conf", tmpdir_path());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (cohort_config_load(path, cfg, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void defaults(void **state)
{
	struct cohort_config cfg;
	struct log_setup s;

	(void)state;
	load("totem {\n\tcluster_name: x\n}\n", &cfg);
	cohort_config_log_setup(&cfg, "cohortd", &s);
	assert_string_equal(s.ident, "cohortd");
	assert_int_equal(s.syslog_facility, LOG_DAEMON);
	assert_int_equal(s.stamp, LOG_STAMP_HIRES);
	assert_null(s.logfile);
	assert_false(s.fileline);
	assert_false(s.function_name);
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		assert_true(s.ss[i].to_stderr);
		assert_true(s.ss[i].to_syslog);
		assert_false(s.ss[i].to_logfile);
		assert_int_equal(s.ss[i].syslog_priority, LOG_INFO);
		assert_int_equal(s.ss[i].logfile_priority, LOG_INFO);
		assert_false(s.ss[i].debug);
	}
	cohort_config_free(&cfg);
}

static void sections_over_the_top(void **state)
{
	struct cohort_config cfg;
	struct log_setup s;

	(void)state;
	load("logging {\n"
	    "\tto_syslog: no\n\tlogfile: /var/log/c.log\n"
	    "\tsyslog_facility: local2\n\tlogfile_priority: notice\n"
	    "\ttimestamp: off\n\tfileline: on\n\tfunction_name: on\n"
	    "\tdebug: trace\n"
	    "\tlogger_subsys {\n\t\tsubsys: CPG\n\t\tto_logfile: yes\n"
	    "\t\tdebug: off\n\t}\n"
	    "\tlogger_subsys {\n\t\tsubsys: VOTEQ\n\t\tto_syslog: yes\n"
	    "\t\tsyslog_priority: crit\n\t}\n"
	    "\tlogger_subsys {\n\t\tsubsys: CPG\n\t\tto_stderr: no\n\t}\n"
	    "}\n", &cfg);
	cohort_config_log_setup(&cfg, "x", &s);
	assert_int_equal(s.syslog_facility, LOG_LOCAL2);
	assert_int_equal(s.stamp, LOG_STAMP_OFF);
	assert_true(s.fileline);
	assert_true(s.function_name);
	/* CPG writes to the file, so there is one. */
	assert_non_null(s.logfile);
	assert_string_equal(s.logfile, "/var/log/c.log");
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		const struct log_target *t = &s.ss[i];

		assert_int_equal(t->logfile_priority, LOG_NOTICE);
		switch (i) {
		case LOG_SS_CPG:   /* both of its sections, merged */
			assert_false(t->to_stderr);
			assert_false(t->to_syslog);
			assert_true(t->to_logfile);
			assert_false(t->debug);
			break;
		case LOG_SS_VOTEQ:
			assert_true(t->to_stderr);
			assert_true(t->to_syslog);
			assert_int_equal(t->syslog_priority, LOG_CRIT);
			assert_false(t->to_logfile);
			assert_true(t->debug);
			break;
		default:
			assert_true(t->to_stderr);
			assert_false(t->to_syslog);
			assert_false(t->to_logfile);
			assert_int_equal(t->syslog_priority, LOG_INFO);
			assert_true(t->debug);
		}
	}
	cohort_config_free(&cfg);
}

/* A logfile no subsystem writes to is not opened. */
static void file_unused(void **state)
{
	struct cohort_config cfg;
	struct log_setup s;

	(void)state;
	load("logging {\n\tlogfile: /var/log/c.log\n}\n", &cfg);
	cohort_config_log_setup(&cfg, "x", &s);
	assert_null(s.logfile);
	cohort_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(sections_over_the_top),
		cmocka_unit_test(file_unused),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
