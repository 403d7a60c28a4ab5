/*
 * out.c: cohortctl's text and JSON back-ends.
 */
#include <stdio.h>
#include <string.h>

#include "tools/ctl.h"

const char *ctl_reason(uint32_t reason)
{
	static const char *const names[] = {
		[CPG_REASON_UNDEFINED] = "undefined",
		[CPG_REASON_JOIN] = "join",
		[CPG_REASON_LEAVE] = "leave",
		[CPG_REASON_NODEDOWN] = "nodedown",
		[CPG_REASON_NODEUP] = "nodeup",
		[CPG_REASON_PROCDOWN] = "procdown",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] :
	    "unknown";
}

/* Bytes as text: printable ASCII as is, the rest as \xHH. */
static void put_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
}

/* A JSON string; bytes outside printable ASCII as \u00XX. */
static void put_json(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\u%04x", c);
	}
	putchar('"');
}

/* ----------------------------------------------------------------- text */

static void text_status(const char *kv)
{
	for (const char *line = kv; *line;) {
		const char *eq = strchr(line, '='), *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (eq && eq < line + len)
			printf("%-26.*s %.*s\n", (int)(eq - line), line,
			    (int)(line + len - eq - 1), eq + 1);
		line += len + (nl ? 1 : 0);
	}
}

static void text_groups(const struct ctl_groups *gs)
{
	if (gs->n == 0)
		printf("no groups\n");
	for (size_t i = 0; i < gs->n; i++) {
		put_escaped(gs->v[i].name.value, gs->v[i].name.length);
		printf("  %zu member%s\n", gs->v[i].members,
		    gs->v[i].members == 1 ? "" : "s");
	}
}

static void text_list(const char *label, const struct cpg_address *a,
    size_t n, int reasons)
{
	printf(" %s=[", label);
	for (size_t i = 0; i < n; i++)
		if (reasons)
			printf("%s%u/%u %s", i ? ", " : "", a[i].nodeid, a[i].pid,
			    ctl_reason(a[i].reason));
		else
			printf("%s%u/%u", i ? ", " : "", a[i].nodeid, a[i].pid);
	printf("]");
}

static void text_members(const struct cpg_name *g, const struct cpg_address *m,
    size_t n)
{
	printf("group ");
	put_escaped(g->value, g->length);
	printf(": %zu member%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("  node %u pid %u\n", m[i].nodeid, m[i].pid);
}

static void text_sent(const struct cpg_name *g, size_t len)
{
	printf("sent %zu bytes to ", len);
	put_escaped(g->value, g->length);
	printf(" and delivered them back in order\n");
}

static void text_confchg(const struct cpg_name *g, const struct cpg_address *m,
    size_t nm, const struct cpg_address *l, size_t nl,
    const struct cpg_address *j, size_t nj)
{
	printf("confchg ");
	put_escaped(g->value, g->length);
	text_list("members", m, nm, 0);
	text_list("left", l, nl, 1);
	text_list("joined", j, nj, 1);
	printf("\n");
}

static void text_message(const struct cpg_name *g, uint32_t nodeid,
    uint32_t pid, const void *msg, size_t len)
{
	printf("message ");
	put_escaped(g->value, g->length);
	printf(" from %u/%u (%zu bytes): ", nodeid, pid, len);
	put_escaped(msg, len);
	printf("\n");
}

static void text_totem(struct cpg_ring_id ring, uint32_t n,
    const uint32_t *nodes)
{
	printf("totem ring=%x.%llx nodes=[", ring.nodeid,
	    (unsigned long long)ring.seq);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%u", i ? ", " : "", nodes[i]);
	printf("]\n");
}

const struct out out_text = {
	text_status, text_groups, text_members, text_sent, text_confchg,
	text_message, text_totem,
};

/* ----------------------------------------------------------------- JSON */

static bool is_number(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n < 19;
}

static void json_status(const char *kv)
{
	bool first = true;

	printf("{");
	for (const char *line = kv; *line;) {
		const char *eq = strchr(line, '='), *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (eq && eq < line + len) {
			const char *v = eq + 1;
			size_t vn = (size_t)(line + len - v);

			printf("%s", first ? "" : ",");
			first = false;
			put_json(line, (size_t)(eq - line));
			printf(":");
			if (strncmp(line, "members=", 8) == 0) {
				printf("[");
				for (size_t i = 0, k = 0; i <= vn; i++)
					if (i == vn || v[i] == ' ') {
						if (i > k)
							printf("%s%.*s", k ? "," : "",
							    (int)(i - k), v + k);
						k = i + 1;
					}
				printf("]");
			} else if (is_number(v, vn)) {
				printf("%.*s", (int)vn, v);
			} else {
				put_json(v, vn);
			}
		}
		line += len + (nl ? 1 : 0);
	}
	printf("}\n");
}

static void json_groups(const struct ctl_groups *gs)
{
	printf("{\"groups\":[");
	for (size_t i = 0; i < gs->n; i++) {
		printf("%s{\"name\":", i ? "," : "");
		put_json(gs->v[i].name.value, gs->v[i].name.length);
		printf(",\"members\":%zu}", gs->v[i].members);
	}
	printf("]}\n");
}

static void json_list(const struct cpg_address *a, size_t n, int reasons)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"nodeid\":%u,\"pid\":%u", i ? "," : "", a[i].nodeid,
		    a[i].pid);
		if (reasons)
			printf(",\"reason\":\"%s\"", ctl_reason(a[i].reason));
		printf("}");
	}
	printf("]");
}

static void json_members(const struct cpg_name *g, const struct cpg_address *m,
    size_t n)
{
	printf("{\"group\":");
	put_json(g->value, g->length);
	printf(",\"members\":");
	json_list(m, n, 0);
	printf("}\n");
}

static void json_sent(const struct cpg_name *g, size_t len)
{
	printf("{\"group\":");
	put_json(g->value, g->length);
	printf(",\"sent\":%zu,\"delivered\":true}\n", len);
}

static void json_confchg(const struct cpg_name *g, const struct cpg_address *m,
    size_t nm, const struct cpg_address *l, size_t nl,
    const struct cpg_address *j, size_t nj)
{
	printf("{\"event\":\"confchg\",\"group\":");
	put_json(g->value, g->length);
	printf(",\"members\":");
	json_list(m, nm, 0);
	printf(",\"left\":");
	json_list(l, nl, 1);
	printf(",\"joined\":");
	json_list(j, nj, 1);
	printf("}\n");
}

static void json_message(const struct cpg_name *g, uint32_t nodeid,
    uint32_t pid, const void *msg, size_t len)
{
	printf("{\"event\":\"message\",\"group\":");
	put_json(g->value, g->length);
	printf(",\"nodeid\":%u,\"pid\":%u,\"len\":%zu,\"text\":", nodeid, pid,
	    len);
	put_json(msg, len);
	printf("}\n");
}

static void json_totem(struct cpg_ring_id ring, uint32_t n,
    const uint32_t *nodes)
{
	printf("{\"event\":\"totem\",\"ring\":\"%x.%llx\",\"nodes\":[",
	    ring.nodeid, (unsigned long long)ring.seq);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", nodes[i]);
	printf("]}\n");
}

const struct out out_json = {
	json_status, json_groups, json_members, json_sent, json_confchg,
	json_message, json_totem,
};
