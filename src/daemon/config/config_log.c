/*
 * config_log.c: the logging section as corosync 3.1.7 reads it, its
 * logger_subsys sections, its print-out for -t, and the log module's
 * setup made from it (common/log.h).
 *
 * As corosync: to_stderr, to_syslog and to_logfile take yes/on and
 * no/off; fileline and function_name only on and off; priorities and
 * facilities are syslog's names, in any case. A logger_subsys section
 * names a subsystem with its `subsys` key (required; the name as
 * corosync spells it: CPG, not cpg) and overrides the outputs, the
 * priorities and debug for it; the stamps, the file and the facility are
 * the logging section's only. Obsolete names still read, with a warning:
 * to_file (to_logfile), syslog_level (syslog_priority).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "common/log.h"
#include "daemon/config/config_int.h"

static const char *const debug_names[] = { "off", "on", "trace", NULL };
static const char *const timestamp_names[] = { "off", "on", "hires", NULL };
static const char *const off_on[] = { "off", "on", NULL };

/* Keys corosync knows that Cohort does not act on. */
static const char *const noeffect_logging[] = { "blackbox", "tags", NULL };
static const char *const noeffect_logsub[] = { "tags", NULL };
/* Keys only the logging section sets, for all subsystems. */
static const char *const top_only[] = {
	"logfile", "syslog_facility", "timestamp", "fileline",
	"function_name", "blackbox",
};

struct syslog_name {
	const char *name;
	int value;
};

/* Printed by the first name of each value. */
static const struct syslog_name priorities[] = {
	{ "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
	{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
	{ NULL, -1 },
};

static const struct syslog_name facilities[] = {
	{ "daemon", LOG_DAEMON }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "cron", LOG_CRON }, { "ftp", LOG_FTP },
	{ "kern", LOG_KERN }, { "lpr", LOG_LPR }, { "mail", LOG_MAIL },
	{ "news", LOG_NEWS }, { "syslog", LOG_SYSLOG }, { "user", LOG_USER },
	{ "uucp", LOG_UUCP }, { NULL, -1 },
};

static const char *syslog_name_of(const struct syslog_name *t, int value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return "?";
}

static int get_syslog_name(struct cfg_loader *ld, const struct cfg_event *ev,
    const struct syslog_name *t, const char *expected, int *out)
{
	for (; t->name; t++) {
		if (strcasecmp(ev->value, t->name) == 0) {
			*out = t->value;
			return 0;
		}
	}
	return cfg_bad_value(ld, ev, expected);
}

static int get_priority(struct cfg_loader *ld, const struct cfg_event *ev,
    int *out)
{
	return get_syslog_name(ld, ev, priorities, "a priority: emerg, alert, "
	    "crit, err, warning, notice, info or debug", out);
}

static int get_off_on(struct cfg_loader *ld, const struct cfg_event *ev,
    bool *out)
{
	int i, rc = cfg_get_enum(ld, ev, off_on, &i);

	if (rc == 0)
		*out = i == 1;
	return rc;
}

static int get_debug(struct cfg_loader *ld, const struct cfg_event *ev,
    enum cohort_debug *out)
{
	int i, rc = cfg_get_enum(ld, ev, debug_names, &i);

	if (rc == 0)
		*out = (enum cohort_debug)i;
	return rc;
}

static int obsolete(struct cfg_loader *ld, const struct cfg_event *ev,
    const char *instead)
{
	if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line,
	    "key '%s' is obsolete, read as '%s' (corosync.conf(5))", ev->path,
	    instead) < 0)
		return cfg_oom(ld, ev);
	return 0;
}

void cfg_logging_defaults(struct cohort_logging *l)
{
	memset(l, 0, sizeof(*l));
	l->to_stderr = true;
	l->to_syslog = true;
	l->timestamp = COHORT_TIMESTAMP_HIRES;
	l->syslog_facility = LOG_DAEMON;
	l->syslog_priority = LOG_INFO;
	l->logfile_priority = LOG_INFO;
}

/*
 * The keys both sections have: the outputs, the priorities and debug,
 * into `o` with their COHORT_LOG_SET_* bit in *set. 1 when the key is not
 * one of them.
 */
static int output_item(struct cfg_loader *ld, const struct cfg_event *ev,
    struct cohort_log_subsys *o)
{
	const char *k = ev->name;
	int rc;

	if (strcmp(k, "to_stderr") == 0) {
		o->set |= COHORT_LOG_SET_STDERR;
		return cfg_get_bool(ld, ev, &o->to_stderr);
	}
	if (strcmp(k, "to_syslog") == 0) {
		o->set |= COHORT_LOG_SET_SYSLOG;
		return cfg_get_bool(ld, ev, &o->to_syslog);
	}
	if (strcmp(k, "to_logfile") == 0 || strcmp(k, "to_file") == 0) {
		if (k[3] == 'f' && (rc = obsolete(ld, ev, "to_logfile")) < 0)
			return rc;
		o->set |= COHORT_LOG_SET_LOGFILE;
		return cfg_get_bool(ld, ev, &o->to_logfile);
	}
	if (strcmp(k, "syslog_priority") == 0 ||
	    strcmp(k, "syslog_level") == 0) {
		if (k[7] == 'l' && (rc = obsolete(ld, ev, "syslog_priority")) < 0)
			return rc;
		o->set |= COHORT_LOG_SET_SYSLOG_PRIORITY;
		return get_priority(ld, ev, &o->syslog_priority);
	}
	if (strcmp(k, "logfile_priority") == 0) {
		o->set |= COHORT_LOG_SET_LOGFILE_PRIORITY;
		return get_priority(ld, ev, &o->logfile_priority);
	}
	if (strcmp(k, "debug") == 0) {
		o->set |= COHORT_LOG_SET_DEBUG;
		return get_debug(ld, ev, &o->debug);
	}
	return 1;
}

int cfg_logging_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_logging *l = &ld->cfg->logging;
	struct cohort_log_subsys o = {
		.to_stderr = l->to_stderr, .to_syslog = l->to_syslog,
		.to_logfile = l->to_logfile, .debug = l->debug,
		.syslog_priority = l->syslog_priority,
		.logfile_priority = l->logfile_priority,
	};
	int i, rc;

	if (strcmp(ev->name, "to_logfile") == 0 ||
	    strcmp(ev->name, "to_file") == 0)
		ld->to_logfile_line = ev->line;
	if ((rc = output_item(ld, ev, &o)) <= 0) {
		l->to_stderr = o.to_stderr;
		l->to_syslog = o.to_syslog;
		l->to_logfile = o.to_logfile;
		l->debug = o.debug;
		l->syslog_priority = o.syslog_priority;
		l->logfile_priority = o.logfile_priority;
		return rc;
	}
	if (strcmp(ev->name, "logfile") == 0)
		return cfg_get_str(ld, ev, &l->logfile);
	if (strcmp(ev->name, "timestamp") == 0) {
		if ((rc = cfg_get_enum(ld, ev, timestamp_names, &i)) < 0)
			return rc;
		l->timestamp = (enum cohort_timestamp)i;
		return 0;
	}
	if (strcmp(ev->name, "syslog_facility") == 0)
		return get_syslog_name(ld, ev, facilities, "a syslog facility: "
		    "daemon, local0 to local7, auth, authpriv, cron, ftp, kern, "
		    "lpr, mail, news, syslog, user or uucp", &l->syslog_facility);
	if (strcmp(ev->name, "fileline") == 0)
		return get_off_on(ld, ev, &l->fileline);
	if (strcmp(ev->name, "function_name") == 0)
		return get_off_on(ld, ev, &l->function_name);
	return cfg_unknown(ld, ev, noeffect_logging);
}

void cfg_logsub_start(struct cfg_loader *ld, const struct cfg_event *ev)
{
	memset(&ld->logsub, 0, sizeof(ld->logsub));
	ld->logsub.line = ev->line;
	ld->logsub_known = false;
}

int cfg_logsub_item(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_log_subsys *o = &ld->logsub;
	int rc;

	if (strcmp(ev->name, "subsys") == 0) {
		if ((rc = cfg_get_str(ld, ev, &o->name)) < 0)
			return rc;
		ld->logsub_known = log_subsys_find(o->name) >= 0;
		if (ld->logsub_known)
			return 0;
		if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line,
		    "key '%s': Cohort has no subsystem " CFG_QFMT " (it has "
		    "MAIN, TOTEM, CPG, CMAP, QUORUM, VOTEQ and CFG), section "
		    "ignored", ev->path, CFG_Q(o->name)) < 0)
			return cfg_oom(ld, ev);
		return 0;
	}
	if ((rc = output_item(ld, ev, o)) <= 0)
		return rc;
	for (size_t i = 0; i < sizeof(top_only) / sizeof(top_only[0]); i++) {
		if (strcmp(ev->name, top_only[i]) != 0)
			continue;
		if (cfg_warn(ld->cfg, &ld->dropped, ev->file, ev->line,
		    "key '%s' is the logging section's, for all subsystems: "
		    "ignored here", ev->path) < 0)
			return cfg_oom(ld, ev);
		return 0;
	}
	return cfg_unknown(ld, ev, noeffect_logsub);
}

/* The keys `src` gives, over `dst`. */
static void overlay(struct cohort_log_subsys *dst,
    const struct cohort_log_subsys *src)
{
	dst->set |= src->set;
	if (src->set & COHORT_LOG_SET_STDERR)
		dst->to_stderr = src->to_stderr;
	if (src->set & COHORT_LOG_SET_SYSLOG)
		dst->to_syslog = src->to_syslog;
	if (src->set & COHORT_LOG_SET_LOGFILE)
		dst->to_logfile = src->to_logfile;
	if (src->set & COHORT_LOG_SET_SYSLOG_PRIORITY)
		dst->syslog_priority = src->syslog_priority;
	if (src->set & COHORT_LOG_SET_LOGFILE_PRIORITY)
		dst->logfile_priority = src->logfile_priority;
	if (src->set & COHORT_LOG_SET_DEBUG)
		dst->debug = src->debug;
}

/* Sections naming the same subsystem merge, the later key winning, as
 * corosync's map of keys does. */
int cfg_logsub_end(struct cfg_loader *ld, const struct cfg_event *ev)
{
	struct cohort_logging *l = &ld->cfg->logging;
	const struct cohort_log_subsys *o = &ld->logsub;
	struct cohort_log_subsys *e = NULL;

	if (!o->name) {
		cfg_err(ld->err, ld->errlen, ev->file, ev->open_line,
		    "section '%s': no 'subsys' key naming the subsystem",
		    ev->path);
		return -EINVAL;
	}
	if (!ld->logsub_known)
		return 0;
	for (size_t i = 0; i < l->n_subsys && !e; i++)
		if (strcmp(l->subsys[i].name, o->name) == 0)
			e = &l->subsys[i];
	if (!e) {
		/* One entry per subsystem of log.h, which has fewer than
		 * COHORT_CONFIG_LOG_SUBSYS_MAX. */
		e = &l->subsys[l->n_subsys++];
		*e = (struct cohort_log_subsys){ .name = o->name,
		    .line = o->line };
	}
	overlay(e, o);
	return 0;
}

/* A log file asked for, by the section or a subsystem, needs its name. */
int cfg_logging_finish(struct cfg_loader *ld)
{
	const struct cohort_config *cfg = ld->cfg;
	const struct cohort_logging *l = &cfg->logging;

	if (l->logfile)
		return 0;
	if (l->to_logfile) {
		cfg_err(ld->err, ld->errlen, cfg->path, ld->to_logfile_line,
		    "key 'logging.to_logfile': yes, but no 'logging.logfile' "
		    "is given");
		return -EINVAL;
	}
	for (size_t i = 0; i < l->n_subsys; i++) {
		if (l->subsys[i].to_logfile) {
			cfg_err(ld->err, ld->errlen, cfg->path,
			    l->subsys[i].line, "section 'logging.logger_subsys' "
			    "of %s: to_logfile yes, but no 'logging.logfile' is "
			    "given", l->subsys[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void cfg_print_logging(const struct cohort_logging *l, FILE *out)
{
	fprintf(out, "\nlogging {\n\tto_stderr: %s\n\tto_syslog: %s\n"
	    "\tto_logfile: %s\n", yes_no(l->to_stderr), yes_no(l->to_syslog),
	    yes_no(l->to_logfile));
	if (l->logfile)
		fprintf(out, "\tlogfile: %s\n", l->logfile);
	fprintf(out, "\tdebug: %s\n\ttimestamp: %s\n",
	    (unsigned)l->debug <= COHORT_DEBUG_TRACE ? debug_names[l->debug] :
	    "?", (unsigned)l->timestamp <= COHORT_TIMESTAMP_HIRES ?
	    timestamp_names[l->timestamp] : "?");
	/* Keys at their defaults are left out, so that a file that does
	 * not name them prints as before they were read. */
	if (l->syslog_facility != LOG_DAEMON)
		fprintf(out, "\tsyslog_facility: %s\n",
		    syslog_name_of(facilities, l->syslog_facility));
	if (l->syslog_priority != LOG_INFO)
		fprintf(out, "\tsyslog_priority: %s\n",
		    syslog_name_of(priorities, l->syslog_priority));
	if (l->logfile_priority != LOG_INFO)
		fprintf(out, "\tlogfile_priority: %s\n",
		    syslog_name_of(priorities, l->logfile_priority));
	if (l->fileline)
		fprintf(out, "\tfileline: on\n");
	if (l->function_name)
		fprintf(out, "\tfunction_name: on\n");
	for (size_t i = 0; i < l->n_subsys; i++) {
		const struct cohort_log_subsys *s = &l->subsys[i];

		fprintf(out, "\tlogger_subsys {\n\t\tsubsys: %s\n", s->name);
		if (s->set & COHORT_LOG_SET_STDERR)
			fprintf(out, "\t\tto_stderr: %s\n", yes_no(s->to_stderr));
		if (s->set & COHORT_LOG_SET_SYSLOG)
			fprintf(out, "\t\tto_syslog: %s\n", yes_no(s->to_syslog));
		if (s->set & COHORT_LOG_SET_LOGFILE)
			fprintf(out, "\t\tto_logfile: %s\n",
			    yes_no(s->to_logfile));
		if (s->set & COHORT_LOG_SET_SYSLOG_PRIORITY)
			fprintf(out, "\t\tsyslog_priority: %s\n",
			    syslog_name_of(priorities, s->syslog_priority));
		if (s->set & COHORT_LOG_SET_LOGFILE_PRIORITY)
			fprintf(out, "\t\tlogfile_priority: %s\n",
			    syslog_name_of(priorities, s->logfile_priority));
		if (s->set & COHORT_LOG_SET_DEBUG)
			fprintf(out, "\t\tdebug: %s\n", debug_names[s->debug]);
		fprintf(out, "\t}\n");
	}
	fprintf(out, "}\n");
}

void cohort_config_log_setup(const struct cohort_config *cfg,
    const char *ident, struct log_setup *s)
{
	static const enum log_stamp stamps[] = {
		[COHORT_TIMESTAMP_OFF] = LOG_STAMP_OFF,
		[COHORT_TIMESTAMP_ON] = LOG_STAMP_ON,
		[COHORT_TIMESTAMP_HIRES] = LOG_STAMP_HIRES,
	};
	const struct cohort_logging *l = &cfg->logging;
	bool file_wanted = false;

	log_setup_defaults(s, ident);
	s->syslog_facility = l->syslog_facility;
	s->stamp = stamps[l->timestamp];
	s->fileline = l->fileline;
	s->function_name = l->function_name;
	for (int i = 0; i < LOG_SS_COUNT; i++) {
		struct cohort_log_subsys e = {
			.to_stderr = l->to_stderr, .to_syslog = l->to_syslog,
			.to_logfile = l->to_logfile, .debug = l->debug,
			.syslog_priority = l->syslog_priority,
			.logfile_priority = l->logfile_priority,
		};

		for (size_t k = 0; k < l->n_subsys; k++)
			if (strcmp(l->subsys[k].name, log_subsys_name(i)) == 0)
				overlay(&e, &l->subsys[k]);
		s->ss[i] = (struct log_target){
			.to_stderr = e.to_stderr, .to_syslog = e.to_syslog,
			.to_logfile = e.to_logfile,
			.syslog_priority = e.syslog_priority,
			.logfile_priority = e.logfile_priority,
			.debug = e.debug != COHORT_DEBUG_OFF,
		};
	}
	for (int i = 0; i < LOG_SS_COUNT; i++)
		file_wanted |= s->ss[i].to_logfile;
	s->logfile = file_wanted ? l->logfile : NULL;
}
