/*
 * corosync-cmapctl: reads, writes, deletes and tracks keys of cohortd's
 * configuration map, with corosync 3.1.7's options, output and exit
 * codes (services-reference §7.1): a program or person that drove
 * corosync's tool gets the same bytes from this one.
 *
 * Fetching a value (fetch_value) is apart from printing it (print_value)
 * so that a listing, -g and the tracking callback print through one
 * function.
 */
#include <ctype.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cmap.h>

/* corosync's tool retries a call the daemon answers TRY_AGAIN this many
 * times, a second apart. */
#define TRY_AGAIN_MAX 10
#define LOAD_LINE_MAX 1024

enum action {
	ACT_PRINT, ACT_GET, ACT_SET, ACT_DELETE, ACT_DELETE_PREFIX,
	ACT_TRACK, ACT_LOAD, ACT_CLEAR,
};

struct opts {
	enum action action;
	bool binary;        /* -b: print binary values too */
	bool quiet;         /* -q: values only */
	bool track_prefix;  /* -T rather than -t */
	cmap_map_t map;
	const char *file;   /* -p */
	const char *clear;  /* -C */
};

static const struct type_name {
	const char *tag;
	cmap_value_types_t type;
} type_names[] = {
	{ "i8", CMAP_VALUETYPE_INT8 }, { "u8", CMAP_VALUETYPE_UINT8 },
	{ "i16", CMAP_VALUETYPE_INT16 }, { "u16", CMAP_VALUETYPE_UINT16 },
	{ "i32", CMAP_VALUETYPE_INT32 }, { "u32", CMAP_VALUETYPE_UINT32 },
	{ "i64", CMAP_VALUETYPE_INT64 }, { "u64", CMAP_VALUETYPE_UINT64 },
	{ "flt", CMAP_VALUETYPE_FLOAT }, { "dbl", CMAP_VALUETYPE_DOUBLE },
	{ "str", CMAP_VALUETYPE_STRING }, { "bin", CMAP_VALUETYPE_BINARY },
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static const char *type_tag(cmap_value_types_t t)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (type_names[i].type == t)
			return type_names[i].tag;
	return NULL;
}

static int type_of_tag(const char *tag)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (strcmp(tag, type_names[i].tag) == 0)
			return (int)type_names[i].type;
	return -1;
}

static void usage(void)
{
	fputs("\n"
	    "usage:  corosync-cmapctl [-b] [-DdghsqTCt] [-p filename] [-m map] [params...]\n"
	    "\n"
	    "    -b show binary values\n"
	    "\n"
	    "    -m select map to use\n"
	    "          The  default  map is 'icmap' which contains configuration information and some runtime variables used by corosync. \n"
	    "          A 'stats' map is also available which displays network statistics - in great detail when knet is used as the transport.\n"
	    "Set key:\n"
	    "    corosync-cmapctl -s key_name type value\n"
	    "\n"
	    "    where type is one of ([i|u][8|16|32|64] | flt | dbl | str | bin)\n"
	    "    for bin, value is file name (or - for stdin)\n"
	    "\n"
	    "    map can be either 'icmap' (the default) which contains corosync\n"
	    "    configuration information, or 'stats' which contains statistics\n"
	    "    about the networking and IPC traffic in some detail.\n"
	    "\n"
	    "Clear stats:\n"
	    "    corosync-cmapctl -C [knet|ipc|totem|schedmiss|all]\n"
	    "    The 'stats' map is implied\n"
	    "\n"
	    "Load settings from a file:\n"
	    "    corosync-cmapctl -p filename\n"
	    "\n"
	    "    the format of the file is:\n"
	    "    [^[^]]<key_name>[ <type> <value>]\n"
	    "    Keys prefixed with single caret ('^') are deleted (see -d).\n"
	    "    Keys (actually prefixes) prefixed with double caret ('^^') are deleted by prefix (see -D).\n"
	    "    <type> and <value> are optional (not checked) in above cases.\n"
	    "    Other keys are set (see -s) so both <type> and <value> are required.\n"
	    "\n"
	    "Delete key:\n"
	    "    corosync-cmapctl -d key_name...\n"
	    "\n"
	    "Delete multiple keys with prefix:\n"
	    "    corosync-cmapctl -D key_prefix...\n"
	    "\n"
	    "Get key:\n"
	    "    corosync-cmapctl [-b] -g key_name...\n"
	    "\n"
	    "Quiet mode:\n"
	    "    corosync-cmapctl [-b] -q -g key_name...\n"
	    "\n"
	    "Display all keys:\n"
	    "    corosync-cmapctl [-b]\n"
	    "\n"
	    "Display keys with prefix key_name:\n"
	    "    corosync-cmapctl [-b] key_name...\n"
	    "\n"
	    "Track changes on keys with key_name:\n"
	    "    corosync-cmapctl [-b] -t key_name\n"
	    "\n"
	    "Track changes on keys with key prefix:\n"
	    "    corosync-cmapctl [-b] -T key_prefix\n"
	    "\n", stdout);
}

/* ------------------------------------------------------------ printing */

/* A value to print: `bytes` is NULL for a binary value that was not
 * fetched (no -b). */
struct value {
	cmap_value_types_t type;
	size_t len;
	const void *bytes;
};

static void print_binary(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] >= ' ' && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else if (p[i] == '\\')
			fputs("\\\\", stdout);
		else
			/* corosync's tool formats the byte as a signed char
			 * promoted to int, so bytes from 0x80 print as
			 * \xFFFFFF80 and up; kept for identical output. */
			printf("\\x%02X", (unsigned int)(int)(signed char)p[i]);
	}
}

static void print_value(const struct opts *o, const char *key,
    const struct value *v)
{
	const char *tag = type_tag(v->type);
	union { int8_t i8; uint8_t u8; int16_t i16; uint16_t u16;
		int32_t i32; uint32_t u32; int64_t i64; uint64_t u64;
		float f; double d; } n;

	memset(&n, 0, sizeof(n));
	if (v->type != CMAP_VALUETYPE_STRING &&
	    v->type != CMAP_VALUETYPE_BINARY && v->bytes &&
	    v->len <= sizeof(n))
		memcpy(&n, v->bytes, v->len);
	if (!o->quiet)
		printf("%s (", key);
	/* A binary value prints its tag even with -q, as corosync's does. */
	if (tag && (!o->quiet || v->type == CMAP_VALUETYPE_BINARY))
		printf(v->type == CMAP_VALUETYPE_BINARY ? "%s)" : "%s) = ",
		    tag);
	switch (v->type) {
	case CMAP_VALUETYPE_INT8: printf("%" PRId8, n.i8); break;
	case CMAP_VALUETYPE_UINT8: printf("%" PRIu8, n.u8); break;
	case CMAP_VALUETYPE_INT16: printf("%" PRId16, n.i16); break;
	case CMAP_VALUETYPE_UINT16: printf("%" PRIu16, n.u16); break;
	case CMAP_VALUETYPE_INT32: printf("%" PRId32, n.i32); break;
	case CMAP_VALUETYPE_UINT32: printf("%" PRIu32, n.u32); break;
	case CMAP_VALUETYPE_INT64: printf("%" PRId64, n.i64); break;
	case CMAP_VALUETYPE_UINT64: printf("%" PRIu64, n.u64); break;
	case CMAP_VALUETYPE_FLOAT: printf("%f", n.f); break;
	case CMAP_VALUETYPE_DOUBLE: printf("%f", n.d); break;
	case CMAP_VALUETYPE_STRING:
		printf("%.*s", (int)v->len, v->bytes ? (const char *)v->bytes : "");
		break;
	case CMAP_VALUETYPE_BINARY:
		if (o->binary) {
			fputs(" = ", stdout);
			if (v->bytes)
				print_binary(v->bytes, v->len);
			else
				fputs("*empty*", stdout);
		}
		break;
	}
	putchar('\n');
}

/* ------------------------------------------------------------ fetching */

static void pause_try_again(cs_error_t err, int *tries)
{
	if (err == CS_ERR_TRY_AGAIN && (*tries)++ < TRY_AGAIN_MAX)
		sleep(1);
}

/*
 * Reads `key` (of type `type` and length `len`, as a listing or a
 * length-only get said) into a malloc()ed *buf, retrying TRY_AGAIN.
 * Binary values are read only with -b. Numbers and strings go through
 * the typed getters, as corosync's tool does, so a key that changed type
 * in between is an error rather than a misprint.
 */
static cs_error_t fetch_value(cmap_handle_t h, const struct opts *o,
    const char *key, struct value *v, void **buf)
{
	cs_error_t err;
	int tries = 0;

	*buf = NULL;
	do {
		free(*buf);
		*buf = NULL;
		switch (v->type) {
		case CMAP_VALUETYPE_STRING: {
			char *s = NULL;

			err = cmap_get_string(h, key, &s);
			*buf = s;
			if (err == CS_OK)
				v->len = strlen(s);
			break;
		}
		case CMAP_VALUETYPE_BINARY: {
			size_t len = v->len;

			err = CS_OK;
			if (!o->binary)
				break;
			/* One byte more than needed so that an empty value
			 * is still a buffer (printed empty, not *empty*). */
			*buf = malloc(len + 1);
			if (!*buf) {
				fprintf(stderr, "Can't alloc memory\n");
				exit(EXIT_FAILURE);
			}
			err = cmap_get(h, key, *buf, &len, NULL);
			break;
		}
		default: {
			size_t len = sizeof(uint64_t);
			cmap_value_types_t t;

			if (!type_tag(v->type)) {
				err = CS_OK;
				break;
			}
			*buf = calloc(1, len);
			if (!*buf) {
				fprintf(stderr, "Can't alloc memory\n");
				exit(EXIT_FAILURE);
			}
			err = cmap_get(h, key, *buf, &len, &t);
			if (err == CS_OK && t != v->type)
				err = CS_ERR_INVALID_PARAM;
			if (err == CS_OK)
				v->len = len;
			break;
		}
		}
		pause_try_again(err, &tries);
	} while (err == CS_ERR_TRY_AGAIN && tries <= TRY_AGAIN_MAX);
	v->bytes = *buf;
	return err;
}

static void show_key(cmap_handle_t h, const struct opts *o, const char *key,
    cmap_value_types_t type, size_t len)
{
	struct value v = { .type = type, .len = len };
	void *buf;
	cs_error_t err = fetch_value(h, o, key, &v, &buf);

	if (err != CS_OK)
		fprintf(stderr, "Can't get value of %s. Error %s\n", key,
		    cs_strerror(err));
	else
		print_value(o, key, &v);
	free(buf);
}

/* Calls `fn` for every key with `prefix`; returns how many. */
static int for_prefix(cmap_handle_t h, const char *prefix,
    void (*fn)(cmap_handle_t, const struct opts *, const char *,
    cmap_value_types_t, size_t), const struct opts *o)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	cmap_value_types_t type;
	size_t len;
	int n = 0;
	cs_error_t err = cmap_iter_init(h, prefix, &it);

	if (err != CS_OK) {
		fprintf(stderr, "Failed to initialize iteration. Error %s\n",
		    cs_strerror(err));
		exit(EXIT_FAILURE);
	}
	while (cmap_iter_next(h, it, key, &len, &type) == CS_OK) {
		n++;
		fn(h, o, key, type, len);
	}
	cmap_iter_finalize(h, it);
	return n;
}

static void delete_key(cmap_handle_t h, const struct opts *o,
    const char *key, cmap_value_types_t type, size_t len)
{
	cs_error_t err = cmap_delete(h, key);

	if (err != CS_OK)
		fprintf(stderr, "Can't delete key %s. Error %s\n", key,
		    cs_strerror(err));
}

/* ------------------------------------------------------------- setting */

static cs_error_t set_binary(cmap_handle_t h, const char *key,
    const char *file)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	unsigned char *val = NULL, *grown;
	size_t len = 0, got;
	unsigned char chunk[4096];
	cs_error_t err;

	if (!f) {
		perror("Can't open input file");
		exit(EXIT_FAILURE);
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		grown = realloc(val, len + got);
		if (!grown) {
			fprintf(stderr, "Can't alloc memory\n");
			exit(EXIT_FAILURE);
		}
		val = grown;
		memcpy(val + len, chunk, got);
		len += got;
	}
	if (f != stdin)
		fclose(f);
	/* corosync's tool passes NULL for an empty file: the library then
	 * refuses it. */
	err = cmap_set(h, key, val, len, CMAP_VALUETYPE_BINARY);
	free(val);
	return err;
}

static _Noreturn void bad_value(const char *what, const char *tag,
    const char *suffix)
{
	fprintf(stderr, "%s is not valid %s %s\n", what, tag, suffix);
	exit(EXIT_FAILURE);
}

static void set_key(cmap_handle_t h, const char *key, const char *tag,
    const char *text)
{
	int t = type_of_tag(tag);
	int64_t i = 0;
	uint64_t u = 0;
	float f = 0;
	double d = 0;
	int parsed = 1;
	cs_error_t err = CS_OK;

	if (t < 0) {
		fprintf(stderr, "Unknown type %s\n", tag);
		exit(EXIT_FAILURE);
	}
	switch ((cmap_value_types_t)t) {
	case CMAP_VALUETYPE_INT8: case CMAP_VALUETYPE_INT16:
	case CMAP_VALUETYPE_INT32: case CMAP_VALUETYPE_INT64:
		parsed = sscanf(text, "%" SCNd64, &i);
		break;
	case CMAP_VALUETYPE_UINT8: case CMAP_VALUETYPE_UINT16:
	case CMAP_VALUETYPE_UINT32: case CMAP_VALUETYPE_UINT64:
		parsed = sscanf(text, "%" SCNu64, &u);
		break;
	case CMAP_VALUETYPE_FLOAT:
		parsed = sscanf(text, "%f", &f);
		break;
	case CMAP_VALUETYPE_DOUBLE:
		parsed = sscanf(text, "%lf", &d);
		break;
	default:
		break;
	}
	if (parsed != 1)
		bad_value(text, tag, "type value");
	switch ((cmap_value_types_t)t) {
	case CMAP_VALUETYPE_INT8:
		if (i < INT8_MIN || i > INT8_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_int8(h, key, (int8_t)i);
		break;
	case CMAP_VALUETYPE_INT16:
		if (i < INT16_MIN || i > INT16_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_int16(h, key, (int16_t)i);
		break;
	case CMAP_VALUETYPE_INT32:
		if (i < INT32_MIN || i > INT32_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_int32(h, key, (int32_t)i);
		break;
	case CMAP_VALUETYPE_INT64:
		err = cmap_set_int64(h, key, i);
		break;
	case CMAP_VALUETYPE_UINT8:
		if (u > UINT8_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_uint8(h, key, (uint8_t)u);
		break;
	case CMAP_VALUETYPE_UINT16:
		if (u > UINT16_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_uint16(h, key, (uint16_t)u);
		break;
	case CMAP_VALUETYPE_UINT32:
		if (u > UINT32_MAX)
			bad_value(text, tag, "integer");
		err = cmap_set_uint32(h, key, (uint32_t)u);
		break;
	case CMAP_VALUETYPE_UINT64:
		err = cmap_set_uint64(h, key, u);
		break;
	case CMAP_VALUETYPE_FLOAT:
		err = cmap_set_float(h, key, f);
		break;
	case CMAP_VALUETYPE_DOUBLE:
		err = cmap_set_double(h, key, d);
		break;
	case CMAP_VALUETYPE_STRING:
		err = cmap_set_string(h, key, text);
		break;
	case CMAP_VALUETYPE_BINARY:
		err = set_binary(h, key, text);
		break;
	}
	if (err != CS_OK) {
		fprintf(stderr, "Failed to set key %s. Error %s\n", key,
		    cs_strerror(err));
		exit(EXIT_FAILURE);
	}
}

/* -p: lines "key type value", "^key" (delete) and "^^prefix" (delete by
 * prefix); blank lines and lines starting with '#' are skipped. */
static void load_file(cmap_handle_t h, const struct opts *o)
{
	char line[LOAD_LINE_MAX];
	FILE *f = fopen(o->file, "r");

	if (!f) {
		perror("Couldn't open file.");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *key, *tag, *text;

		while (isblank((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		key = strtok(p, " \n");
		if (key && key[0] == '^' && key[1] == '^') {
			for_prefix(h, key + 2, delete_key, o);
		} else if (key && key[0] == '^') {
			delete_key(h, o, key + 1, 0, 0);
		} else {
			tag = strtok(NULL, " \n");
			text = strtok(NULL, " \n");
			if (!tag || !text) {
				fprintf(stderr, "Both type and value for key %s are required\n",
				    key);
				exit(EXIT_FAILURE);
			}
			set_key(h, key, tag, text);
		}
	}
	fclose(f);
}

/* ------------------------------------------------------------ tracking */

static void on_change(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	const struct opts *o = user_data;
	struct value v;

	switch (event) {
	case CMAP_TRACK_ADD: fputs("create> ", stdout); break;
	case CMAP_TRACK_DELETE: fputs("delete> ", stdout); break;
	case CMAP_TRACK_MODIFY: fputs("modify> ", stdout); break;
	default: fputs("unknown change> ", stdout); return;
	}
	if (event == CMAP_TRACK_DELETE)
		v = (struct value){ ov.type, ov.len, ov.data };
	else
		v = (struct value){ nv.type, nv.len, nv.data };
	print_value(o, key, &v);
}

static void track(cmap_handle_t h, const struct opts *o, char **keys, int n)
{
	int32_t what = CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY;
	struct pollfd p[2];
	cmap_track_handle_t th;
	cs_error_t err;
	char in[3];
	bool quit = false;
	int fd, r;

	if (o->track_prefix)
		what |= CMAP_TRACK_PREFIX;
	for (int i = 0; i < n; i++) {
		err = cmap_track_add(h, keys[i], what, on_change, (void *)o, &th);
		if (err != CS_OK) {
			fprintf(stderr, "Failed to add tracking function. Error %s\n",
			    cs_strerror(err));
			exit(EXIT_FAILURE);
		}
	}
	err = cmap_fd_get(h, &fd);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to get file handle. Error %s\n",
		    cs_strerror(err));
		exit(EXIT_FAILURE);
	}
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	printf("Type \"q\" to finish\n");
	do {
		p[0].revents = p[1].revents = 0;
		r = poll(p, 2, -1);
		if (r < 0)
			perror("poll");
		if (p[1].revents & POLLIN)
			quit = !fgets(in, sizeof(in), stdin) || in[0] == 'q';
		if (p[0].revents & POLLIN) {
			err = cmap_dispatch(h, CS_DISPATCH_ALL);
			if (err != CS_OK) {
				fprintf(stderr, "Dispatch error %s\n",
				    cs_strerror(err));
				quit = true;
			}
		}
	} while (r > 0 && !quit);
}

/* ---------------------------------------------------------------- main */

static int parse(int argc, char **argv, struct opts *o)
{
	bool map_named = false;
	int c;

	while ((c = getopt(argc, argv, "m:hqgsdDtTbp:C:")) != -1) {
		switch (c) {
		case 'h':
			usage();
			exit(0);
		case 'b': o->binary = true; break;
		case 'q': o->quiet = true; break;
		case 'g': o->action = ACT_GET; break;
		case 's': o->action = ACT_SET; break;
		case 'd': o->action = ACT_DELETE; break;
		case 'D': o->action = ACT_DELETE_PREFIX; break;
		case 'p':
			o->action = ACT_LOAD;
			o->file = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "knet") && strcmp(optarg, "totem") &&
			    strcmp(optarg, "ipc") && strcmp(optarg, "schedmiss") &&
			    strcmp(optarg, "all")) {
				fprintf(stderr, "argument to -C should be 'knet', 'totem', 'ipc', 'schedmiss' or 'all'\n");
				exit(EXIT_FAILURE);
			}
			o->action = ACT_CLEAR;
			o->clear = optarg;
			o->map = CMAP_MAP_STATS;
			break;
		case 't':
			o->action = ACT_TRACK;
			o->track_prefix = false;
			break;
		case 'T':
			o->action = ACT_TRACK;
			break;
		case 'm':
			/* As corosync's: once a valid map was named, a later
			 * invalid -m is ignored. */
			if (strcmp(optarg, "icmap") == 0 ||
			    strcmp(optarg, "default") == 0) {
				o->map = CMAP_MAP_ICMAP;
				map_named = true;
			}
			if (strcmp(optarg, "stats") == 0) {
				o->map = CMAP_MAP_STATS;
				map_named = true;
			}
			if (!map_named) {
				fprintf(stderr, "invalid map name, must be 'default', 'icmap' or 'stats'\n");
				exit(EXIT_FAILURE);
			}
			break;
		default:
			exit(EXIT_FAILURE);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct opts o = { .action = ACT_PRINT, .track_prefix = true,
	    .map = CMAP_MAP_DEFAULT };
	cmap_handle_t h;
	cs_error_t err;
	int tries = 0, none = 0;

	int first = parse(argc, argv, &o);

	argc -= first;
	argv += first;
	if (argc == 0 && o.action != ACT_LOAD && o.action != ACT_CLEAR &&
	    o.action != ACT_PRINT) {
		fprintf(stderr, "Expected key after options\n");
		return EXIT_FAILURE;
	}
	while ((err = cmap_initialize_map(&h, o.map)) == CS_ERR_TRY_AGAIN &&
	    tries++ < TRY_AGAIN_MAX)
		sleep(1);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to initialize the cmap API. Error %s\n",
		    cs_strerror(err));
		exit(EXIT_FAILURE);
	}
	switch (o.action) {
	case ACT_PRINT:
		if (argc == 0)
			none = for_prefix(h, NULL, show_key, &o) == 0;
		for (int i = 0; i < argc; i++)
			none += for_prefix(h, argv[i], show_key, &o) == 0;
		/* Fails when every prefix (or the whole map) was empty. */
		if (none > 0 && none >= argc)
			return EXIT_FAILURE;
		break;
	case ACT_GET:
		for (int i = 0; i < argc; i++) {
			cmap_value_types_t type;
			size_t len;

			err = cmap_get(h, argv[i], NULL, &len, &type);
			if (err != CS_OK) {
				fprintf(stderr, "Can't get key %s. Error %s\n",
				    argv[i], cs_strerror(err));
				return EXIT_FAILURE;
			}
			show_key(h, &o, argv[i], type, len);
		}
		break;
	case ACT_DELETE:
		for (int i = 0; i < argc; i++) {
			err = cmap_delete(h, argv[i]);
			if (err != CS_OK) {
				fprintf(stderr, "Can't delete key %s. Error %s\n",
				    argv[i], cs_strerror(err));
				return EXIT_FAILURE;
			}
		}
		break;
	case ACT_DELETE_PREFIX:
		for (int i = 0; i < argc; i++)
			for_prefix(h, argv[i], delete_key, &o);
		break;
	case ACT_LOAD:
		load_file(h, &o);
		break;
	case ACT_TRACK:
		track(h, &o, argv, argc);
		break;
	case ACT_SET:
		if (argc < 3) {
			fprintf(stderr, "At least 3 parameters are expected for set\n");
			return EXIT_FAILURE;
		}
		set_key(h, argv[0], argv[1], argv[2]);
		break;
	case ACT_CLEAR: {
		char key[CMAP_KEYNAME_MAXLEN + 1];

		/* The daemon picks the action by the key; the value is not
		 * read, and corosync's tool ignores the result. */
		snprintf(key, sizeof(key), "stats.clear.%s", o.clear);
		(void)cmap_set_uint32(h, key, 1);
		break;
	}
	}
	err = cmap_finalize(h);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to finalize the cmap API. Error %s\n",
		    cs_strerror(err));
		exit(EXIT_FAILURE);
	}
	return 0;
}
