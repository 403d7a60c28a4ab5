/*
 * cfgcheck.c: the summary of the values nodes must share (cfgcheck.h).
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "daemon/cfgcheck.h"

static const char none[] = "(none)";

/* "addr:port", "[addr]:port" for IPv6. */
static void format_addr(const struct sockaddr_storage *a, socklen_t len,
    char *out, size_t cap)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)a, len, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, a->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
}

static int by_nodeid(const void *a, const void *b)
{
	const struct transport_peer *x = a, *y = b;

	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

__attribute__((format(printf, 3, 4)))
static int add(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, CFGCHECK_SUMMARY_MAX - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= CFGCHECK_SUMMARY_MAX - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

uint32_t cfgcheck_digest(const char *text, size_t len)
{
	uint8_t h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const uint8_t *)text, len, NULL, 0);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

int cfgcheck_build(struct cfgcheck *c, const struct cohort_config *cfg,
    const struct transport_config *tc, uint32_t token_ms, size_t room)
{
	struct transport_peer peers[PROTO_MAX_NODES];
	char nodes[CFGCHECK_SUMMARY_MAX], addr[NI_MAXHOST + NI_MAXSERV + 4];
	size_t nlen = 0, head, n = tc->n_peers;
	uint8_t h[8];

	if (sodium_init() < 0)
		return -EIO;
	memcpy(peers, tc->peers, n * sizeof(peers[0]));
	qsort(peers, n, sizeof(peers[0]), by_nodeid);
	for (size_t i = 0; i < n; i++) {
		format_addr(&peers[i].addr, peers[i].addr_len, addr, sizeof(addr));
		if (add(nodes, &nlen, "node.%u=%s\n", peers[i].nodeid, addr) < 0)
			return -ENOSPC;
	}
	crypto_generichash(h, sizeof(h), (const uint8_t *)nodes, nlen, NULL, 0);
	if (tc->mcast_len)
		format_addr(&tc->mcast, tc->mcast_len, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "none");
	c->len = 0;
	if (add(c->text, &c->len, "cluster_name=%s\ntransport=%s\nmcast=%s\n"
	    "netmtu=%u\ncrypto=%s\ntoken=%u\nquorum=%s\nnodes=%zu\nnodelist=",
	    cfg->cluster_name, cohort_transport_name(cfg->transport), addr,
	    cfg->netmtu, tc->key ? "on" : "off", token_ms,
	    cfg->quorum.provider == COHORT_QUORUM_VOTEQUORUM ? "votequorum" :
	    "none", n) < 0)
		return -ENOSPC;
	for (size_t i = 0; i < sizeof(h); i++)
		if (add(c->text, &c->len, "%02x", h[i]) < 0)
			return -ENOSPC;
	if (add(c->text, &c->len, "\n") < 0)
		return -ENOSPC;
	head = c->len;
	if (head > room)
		return -ENOSPC;
	if (c->len + nlen > sizeof(c->text))
		return -ENOSPC;
	memcpy(c->text + c->len, nodes, nlen);
	c->len += nlen;
	c->digest = cfgcheck_digest(c->text, c->len);
	if (c->len <= room)
		return 0;
	/* Too long for a datagram: whole node lines while they fit with a
	 * "more=" line after them, which says how many were left out. */
	c->len = head;
	for (size_t k = 0; k < n; k++) {
		const char *nl = memchr(c->text + c->len, '\n',
		    sizeof(c->text) - c->len);
		size_t end = (size_t)(nl - c->text) + 1;
		char more[32];
		int m = snprintf(more, sizeof(more), "more=%zu\n", n - k - 1);

		if (end + (size_t)m > room) {
			m = snprintf(more, sizeof(more), "more=%zu\n", n - k);
			if (c->len + (size_t)m > room)
				return -ENOSPC;
			memcpy(c->text + c->len, more, (size_t)m);
			c->len += (size_t)m;
			return 0;
		}
		c->len = end;
	}
	return -ENOSPC;   /* not reached: the whole did not fit */
}

/* The value of `key` in a summary, or NULL. */
static const char *find(const char *s, size_t len, const char *key,
    size_t klen, size_t *vlen)
{
	for (size_t off = 0; off < len;) {
		const char *line = s + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;

		if (ll > klen && memcmp(line, key, klen) == 0 && line[klen] == '=') {
			*vlen = ll - klen - 1;
			return line + klen + 1;
		}
		off += ll + 1;
	}
	return NULL;
}

/* Walks the lines of `a`, recording those whose value in `b` differs
 * (or, `missing_only`, that `b` lacks). */
static size_t walk(const char *a, size_t alen, const char *b, size_t blen,
    bool a_is_ours, bool missing_only, bool node_lines_complete,
    struct cfgcheck_diff *out, size_t max, size_t n)
{
	for (size_t off = 0; off < alen;) {
		const char *line = a + off, *nl = memchr(line, '\n', alen - off);
		size_t ll = nl ? (size_t)(nl - line) : alen - off;
		const char *eq = memchr(line, '=', ll), *bv;
		size_t klen, alv, blv = 0;

		off += ll + 1;
		if (!eq)
			continue;
		klen = (size_t)(eq - line);
		if (klen == 4 && memcmp(line, "more", 4) == 0)
			continue;
		bv = find(b, blen, line, klen, &blv);
		alv = ll - klen - 1;
		if (!bv && strncmp(line, "node.", 5) == 0 && !node_lines_complete)
			continue;
		if (bv ? missing_only || (alv == blv &&
		    memcmp(eq + 1, bv, alv) == 0) : false)
			continue;
		if (n < max) {
			struct cfgcheck_diff *d = &out[n];

			d->key = line;
			d->key_len = klen;
			if (!bv) {
				bv = none;
				blv = sizeof(none) - 1;
			}
			d->ours = a_is_ours ? eq + 1 : bv;
			d->ours_len = a_is_ours ? alv : blv;
			d->theirs = a_is_ours ? bv : eq + 1;
			d->theirs_len = a_is_ours ? blv : alv;
		}
		n++;
	}
	return n;
}

size_t cfgcheck_compare(const char *ours, size_t ours_len, const char *theirs,
    size_t theirs_len, struct cfgcheck_diff *out, size_t max)
{
	size_t v, n;
	bool complete = !find(ours, ours_len, "more", 4, &v) &&
	    !find(theirs, theirs_len, "more", 4, &v);

	n = walk(ours, ours_len, theirs, theirs_len, true, false, complete,
	    out, max, 0);
	return walk(theirs, theirs_len, ours, ours_len, false, true, complete,
	    out, max, n);
}
