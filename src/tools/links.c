/*
 * links.c: `cohortctl [--json] links [-b]`: the link status of this node,
 * from the status text, in the layout of corosync-cfgtool -s (-b: -sb),
 * so that people and scripts that read corosync's output read ours.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/admin.h"
#include "tools/ctl.h"

#define LINKS 8u
#define NODES_MAX 64u
#define VALUE_MAX 64u

/* The value of `key` in the status text `kv` into `out`; false when the
 * key is not there. */
static bool kv_get(const char *kv, const char *key, char *out, size_t len)
{
	size_t n = strlen(key);

	for (const char *p = kv; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1;
			size_t vn = strcspn(v, "\n");

			if (vn >= len)
				vn = len - 1;
			memcpy(out, v, vn);
			out[vn] = '\0';
			return true;
		}
	return false;
}

/* The nodes of the status text (node.N.addr), ascending. */
static size_t node_ids(const char *kv, uint32_t *ids)
{
	size_t n = 0;

	for (const char *p = kv; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		unsigned long id;
		char *end;

		if (strncmp(p, "node.", 5) != 0)
			continue;
		id = strtoul(p + 5, &end, 10);
		if (strncmp(end, ".addr=", 6) != 0 || n == NODES_MAX)
			continue;
		size_t k = n++;
		while (k > 0 && ids[k - 1] > id) {
			ids[k] = ids[k - 1];
			k--;
		}
		ids[k] = (uint32_t)id;
	}
	return n;
}

/* Link `l` to node `id`: "localhost", "connected", "disconnected", or NULL
 * where the node has no link `l` with this one. */
static const char *link_word(const char *kv, uint32_t id, unsigned l)
{
	char key[64], v[VALUE_MAX];

	snprintf(key, sizeof(key), "node.%" PRIu32 ".link.%u.state", id, l);
	if (!kv_get(kv, key, v, sizeof(v)))
		return NULL;
	return !strcmp(v, "local") ? "localhost" : !strcmp(v, "up") ?
	    "connected" : "disconnected";
}

/* Whether some other node has link `l` (corosync-cfgtool prints such
 * links only). */
static bool link_shown(const char *kv, const uint32_t *ids, size_t n,
    uint32_t self, unsigned l)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] != self && link_word(kv, ids[i], l))
			return true;
	return false;
}

/* Whether link `l` is printed; if so, `addr` (VALUE_MAX bytes) is the
 * local node's address on it. */
static bool link_head(const char *kv, const uint32_t *ids, size_t n,
    uint32_t self, unsigned l, char *addr)
{
	char key[64];

	if (!link_shown(kv, ids, n, self, l))
		return false;
	snprintf(key, sizeof(key), "node.%" PRIu32 ".link.%u.addr", self, l);
	if (!kv_get(kv, key, addr, VALUE_MAX))
		addr[0] = '\0';
	return true;
}

static void print_text(const char *kv, const uint32_t *ids, size_t n,
    uint32_t self, const char *transport, bool brief)
{
	char addr[VALUE_MAX];

	printf("Local node ID %" PRIu32 ", transport %s\n", self, transport);
	for (unsigned l = 0; l < LINKS; l++) {
		if (!link_head(kv, ids, n, self, l, addr))
			continue;
		printf("LINK ID %u %s\n\taddr\t= %s\n", l,
		    strcmp(transport, "knet") ? "" : "udp", addr);
		printf(brief ? "\tstatus\t= " : "\tstatus:\n");
		for (size_t i = 0; i < n; i++) {
			const char *w = link_word(kv, ids[i], l);

			if (brief)
				putchar(ids[i] == self ? 'n' : !w ? '0' :
				    !strcmp(w, "connected") ? '3' : '1');
			else
				printf("\t\tnodeid: %10" PRIu32 ":\t%s\n", ids[i],
				    w ? w : "disconnected");
		}
		if (brief)
			putchar('\n');
	}
}

static void print_json(const char *kv, const uint32_t *ids, size_t n,
    uint32_t self, const char *transport)
{
	char addr[VALUE_MAX];
	bool first = true;

	printf("{\"nodeid\":%" PRIu32 ",\"transport\":\"%s\",\"links\":[", self,
	    transport);
	for (unsigned l = 0; l < LINKS; l++) {
		if (!link_head(kv, ids, n, self, l, addr))
			continue;
		printf("%s{\"link\":%u,\"addr\":\"%s\",\"nodes\":[", first ? "" :
		    ",", l, addr);
		first = false;
		for (size_t i = 0; i < n; i++) {
			const char *w = link_word(kv, ids[i], l);

			printf("%s{\"nodeid\":%" PRIu32 ",\"status\":\"%s\"}",
			    i ? "," : "", ids[i], w ? w : "disconnected");
		}
		printf("]}");
	}
	printf("]}\n");
}

int ctl_links(int argc, char **argv, bool json)
{
	char *kv = NULL, v[VALUE_MAX], transport[VALUE_MAX];
	uint32_t ids[NODES_MAX], self;
	bool brief = false;
	size_t n;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-b") != 0) {
			fprintf(stderr, "usage: cohortctl [--json] links [-b]\n");
			return 2;
		}
		brief = true;
	}
	rc = cohort_admin_status(&kv);
	if (rc < 0) {
		fprintf(stderr, "cohortctl: links: %s\n", rc == -EACCES ?
		    "permission denied" : rc == -EAGAIN ? "cohortd is still "
		    "forming its first ring" : "cannot reach cohortd");
		return 1;
	}
	if (!kv_get(kv, "nodeid", v, sizeof(v)) ||
	    !kv_get(kv, "transport", transport, sizeof(transport))) {
		fprintf(stderr, "cohortctl: links: the daemon's status has no "
		    "node id or transport\n");
		free(kv);
		return 1;
	}
	self = (uint32_t)strtoul(v, NULL, 10);
	n = node_ids(kv, ids);
	if (json)
		print_json(kv, ids, n, self, transport);
	else
		print_text(kv, ids, n, self, transport, brief);
	free(kv);
	return 0;
}
