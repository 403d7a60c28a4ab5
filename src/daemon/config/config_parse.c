/*
 * config_parse.c: the tokenizer of corosync.conf syntax, and the small
 * helpers (error lines, warnings, owned strings) the reader shares.
 *
 * The rules are corosync's coroparse rules (see config.h), with every
 * malformed line an error that names its file and line. The whole file is
 * read into memory first (it is bounded), so that events can point into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config/config_int.h"

/* First read buffer when the size is not known in advance. */
#define READ_CHUNK 4096u

struct cohort_config_str {
	struct cohort_config_str *next;
	char s[];
};

void cfg_err(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return;
	if (line)
		n = snprintf(err, errlen, "%s:%u: ", file, line);
	else
		n = snprintf(err, errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static char *cfg_stralloc(struct cohort_config *cfg, size_t len)
{
	struct cohort_config_str *s = malloc(sizeof(*s) + len + 1);

	if (!s)
		return NULL;
	s->next = cfg->strings_;
	cfg->strings_ = s;
	s->s[0] = '\0';
	return s->s;
}

const char *cfg_strdup(struct cohort_config *cfg, const char *src)
{
	size_t len = strlen(src);
	char *s = cfg_stralloc(cfg, len);

	if (s)
		memcpy(s, src, len + 1);
	return s;
}

int cfg_warn(struct cohort_config *cfg, size_t *dropped, const char *file,
    unsigned line, const char *fmt, ...)
{
	char msg[COHORT_CONFIG_LINE_MAX / 4];
	const char **w;
	char *s;
	va_list ap;
	size_t len = 0;

	if (cfg->n_warnings >= COHORT_CONFIG_WARNINGS_MAX) {
		(*dropped)++;
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = strlen(file) + strlen(msg) + 32;
	if (!(s = cfg_stralloc(cfg, len)))
		return -ENOMEM;
	if (line)
		snprintf(s, len + 1, "%s:%u: %s", file, line, msg);
	else
		snprintf(s, len + 1, "%s: %s", file, msg);
	/* Room for the "N more warnings" line that cohort_config_load() may
	 * append at the end. */
	w = realloc(cfg->warnings, (cfg->n_warnings + 2) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	cfg->warnings = w;
	w[cfg->n_warnings++] = s;
	return 0;
}

/* Reads the whole file, NUL-terminated, into a new buffer. */
static int read_file(const char *file, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		cfg_err(err, errlen, file, 0, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (S_ISDIR(st.st_mode))
		rc = -EISDIR;
	if (rc < 0) {
		cfg_err(err, errlen, file, 0, "cannot read: %s", strerror(-rc));
		goto out;
	}
	/* Reading up to one byte more than the limit tells a too-big file;
	 * the buffer keeps one more byte for the terminating NUL. It starts
	 * at the file's size (plus a byte, to see the end) and grows while
	 * the file does. */
	const size_t limit = COHORT_CONFIG_FILE_MAX + 1;
	size_t cap = S_ISREG(st.st_mode) && (uint64_t)st.st_size < limit ?
	    (size_t)st.st_size + 2 : READ_CHUNK;

	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *b;

			if (len == limit)
				break;
			cap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
			if (!(b = realloc(buf, cap)))
				goto nomem;
			buf = b;
		} else if (!buf && !(buf = malloc(cap))) {
			goto nomem;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			cfg_err(err, errlen, file, 0, "cannot read: %s",
			    strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > COHORT_CONFIG_FILE_MAX) {
		unsigned line = 1;

		for (size_t i = 0; i < COHORT_CONFIG_FILE_MAX; i++)
			line += buf[i] == '\n';
		rc = -EFBIG;
		cfg_err(err, errlen, file, line,
		    "file larger than %u bytes", COHORT_CONFIG_FILE_MAX);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
nomem:
	rc = -ENOMEM;
	cfg_err(err, errlen, file, 0, "out of memory");
	goto out;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims blanks (and, for names, trailing colons, as corosync does) off
 * the end of [s, end); returns the new end, NUL-terminated. */
static char *rtrim(char *s, char *end, int colons)
{
	while (end > s && (is_blank(end[-1]) || (colons && end[-1] == ':')))
		end--;
	*end = '\0';
	return end;
}

static char *ltrim(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

struct level {
	const char *name;
	unsigned line;
	size_t path_len;    /* path length before this level's name */
};

struct tokenizer {
	const char *file;
	char *err;
	size_t errlen;
	int depth;
	struct level lv[COHORT_CONFIG_DEPTH_MAX];
	size_t path_len;
	char path[COHORT_CONFIG_PATH_MAX];
};

/* Appends ".name" (or "name" at top level) to the path into `out`. */
static int join_path(struct tokenizer *t, unsigned line, const char *name,
    char *out)
{
	size_t n = strlen(name);
	size_t need = t->path_len + (t->path_len ? 1 : 0) + n;

	if (need >= COHORT_CONFIG_PATH_MAX) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "key path longer than %d bytes",
		    COHORT_CONFIG_PATH_MAX - 1);
		return -EINVAL;
	}
	memcpy(out, t->path, t->path_len);
	need = t->path_len;
	if (need)
		out[need++] = '.';
	memcpy(out + need, name, n + 1);
	return 0;
}

static int section_start(struct tokenizer *t, unsigned line, char *p,
    char *brace, cfg_event_fn fn, void *ctx)
{
	struct cfg_event ev = { .type = CFG_SECTION_START, .file = t->file,
	    .line = line };
	char *after = ltrim(brace + 1);
	struct level *lv;

	if (*after) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "extra characters after '{': " CFG_QFMT, CFG_Q(after));
		return -EINVAL;
	}
	rtrim(p, brace, 1);
	if (!*p) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "missing section name before '{'");
		return -EINVAL;
	}
	if (t->depth == COHORT_CONFIG_DEPTH_MAX) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "sections nested deeper than %d", COHORT_CONFIG_DEPTH_MAX);
		return -EINVAL;
	}
	if (join_path(t, line, p, t->path) < 0)
		return -EINVAL;
	lv = &t->lv[t->depth++];
	lv->name = p;
	lv->line = line;
	lv->path_len = t->path_len;
	t->path_len = strlen(t->path);
	ev.name = p;
	ev.path = t->path;
	return fn(ctx, &ev);
}

static int section_end(struct tokenizer *t, unsigned line, const char *p,
    cfg_event_fn fn, void *ctx)
{
	struct cfg_event ev = { .type = CFG_SECTION_END, .file = t->file,
	    .line = line };
	struct level *lv;
	int rc;

	if (strcmp(p, "}") != 0) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "extra characters around '}': " CFG_QFMT, CFG_Q(p));
		return -EINVAL;
	}
	if (t->depth == 0) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "unexpected '}': no section is open");
		return -EINVAL;
	}
	lv = &t->lv[t->depth - 1];
	ev.name = lv->name;
	ev.path = t->path;
	ev.open_line = lv->line;
	rc = fn(ctx, &ev);
	t->depth--;
	t->path_len = lv->path_len;
	t->path[t->path_len] = '\0';
	return rc;
}

static int item(struct tokenizer *t, unsigned line, char *p, char *colon,
    cfg_event_fn fn, void *ctx)
{
	struct cfg_event ev = { .type = CFG_ITEM, .file = t->file,
	    .line = line };
	char path[COHORT_CONFIG_PATH_MAX];

	rtrim(p, colon, 1);
	if (!*p) {
		cfg_err(t->err, t->errlen, t->file, line,
		    "missing key name before ':'");
		return -EINVAL;
	}
	if (join_path(t, line, p, path) < 0)
		return -EINVAL;
	ev.name = p;
	ev.path = path;
	ev.value = ltrim(colon + 1);
	return fn(ctx, &ev);
}

/* One line, its end already NUL-terminated and its length checked. */
static int one_line(struct tokenizer *t, unsigned line, char *s, char *end,
    cfg_event_fn fn, void *ctx)
{
	char *p, *c;

	if (end > s && end[-1] == '\r')
		*--end = '\0';
	end = rtrim(s, end, 0);
	p = ltrim(s);
	if (!*p || *p == '#')
		return 0;
	if ((c = strchr(p, '{')))
		return section_start(t, line, p, c, fn, ctx);
	if ((c = strchr(p, ':')))
		return item(t, line, p, c, fn, ctx);
	if (strchr(p, '}'))
		return section_end(t, line, p, fn, ctx);
	cfg_err(t->err, t->errlen, t->file, line,
	    "missing ':' in " CFG_QFMT
	    " (expected 'key: value', 'name {' or '}')", CFG_Q(p));
	return -EINVAL;
}

int cfg_parse(const char *file, cfg_event_fn fn, void *ctx,
    char *err, size_t errlen)
{
	struct tokenizer *t;
	char *buf = NULL, *s, *end;
	size_t len = 0;
	unsigned line = 0;
	int rc;

	if ((rc = read_file(file, &buf, &len, err, errlen)) < 0)
		return rc;
	if (!(t = calloc(1, sizeof(*t)))) {
		free(buf);
		cfg_err(err, errlen, file, 0, "out of memory");
		return -ENOMEM;
	}
	t->file = file;
	t->err = err;
	t->errlen = errlen;
	for (s = buf; s < buf + len; s = end + 1) {
		line++;
		end = memchr(s, '\n', (size_t)(buf + len - s));
		if (!end)
			end = buf + len;
		if (memchr(s, '\0', (size_t)(end - s))) {
			cfg_err(err, errlen, file, line, "NUL byte in line");
			rc = -EINVAL;
			goto out;
		}
		if ((size_t)(end - s) > COHORT_CONFIG_LINE_MAX + 1 ||
		    ((size_t)(end - s) == COHORT_CONFIG_LINE_MAX + 1 &&
		    end[-1] != '\r')) {
			cfg_err(err, errlen, file, line,
			    "line longer than %d bytes",
			    COHORT_CONFIG_LINE_MAX);
			rc = -EINVAL;
			goto out;
		}
		*end = '\0';
		if ((rc = one_line(t, line, s, end, fn, ctx)) < 0)
			goto out;
	}
	if (t->depth > 0) {
		const struct level *lv = &t->lv[t->depth - 1];

		cfg_err(err, errlen, file, lv->line,
		    "section '%s' is never closed (missing '}' before the end "
		    "of the file)", t->path);
		rc = -EINVAL;
	}
out:
	free(t);
	free(buf);
	return rc;
}

void cohort_config_free(struct cohort_config *cfg)
{
	struct cohort_config_str *s, *next;

	if (!cfg)
		return;
	for (s = cfg->strings_; s; s = next) {
		next = s->next;
		free(s);
	}
	free(cfg->warnings);
	free(cfg->uids);
	free(cfg->gids);
	memset(cfg, 0, sizeof(*cfg));
}
