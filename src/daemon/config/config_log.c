/*
 * config_log.c: the logging section as the log module applies it.
 */
#include "common/log.h"
#include "daemon/config/config.h"

void cohort_config_log_setup(const struct cohort_config *cfg,
    const char *ident, struct log_setup *s)
{
	static const enum log_stamp stamps[] = {
		[COHORT_TIMESTAMP_OFF] = LOG_STAMP_OFF,
		[COHORT_TIMESTAMP_ON] = LOG_STAMP_ON,
		[COHORT_TIMESTAMP_HIRES] = LOG_STAMP_HIRES,
	};
	const struct cohort_logging *l = &cfg->logging;

	log_setup_defaults(s, ident);
	s->to_stderr = l->to_stderr;
	s->to_syslog = l->to_syslog;
	s->logfile = l->to_logfile ? l->logfile : NULL;
	s->stamp = stamps[l->timestamp];
	for (int i = 0; i < LOG_SS_COUNT; i++)
		s->debug[i] = l->debug != COHORT_DEBUG_OFF;
}
