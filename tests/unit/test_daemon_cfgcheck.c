/* Unit tests: the summary of what nodes must share, its digest and the
 * comparison (src/daemon/cfgcheck.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/cfgcheck.h"

static struct cohort_config base_cfg(void)
{
	struct cohort_config c;

	memset(&c, 0, sizeof(c));
	c.cluster_name = "test";
	c.transport = COHORT_TRANSPORT_UDPU;
	c.netmtu = 1500;
	return c;
}

/* Peers `ids` (n of them) at 10.0.0.ID:5405, or fd00::ID with `v6`. */
static void set_peers(struct transport_config *tc, const uint32_t *ids,
    size_t n, int v6)
{
	memset(tc, 0, sizeof(*tc));
	for (size_t i = 0; i < n; i++) {
		struct transport_peer *p = &tc->peers[i];
		char a[64];

		p->nodeid = ids[i];
		if (v6) {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&p->addr;

			snprintf(a, sizeof(a), "fd00:1234:5678:9abc::%x", ids[i]);
			s->sin6_family = AF_INET6;
			s->sin6_port = htons(5405);
			inet_pton(AF_INET6, a, &s->sin6_addr);
			p->addr_len = sizeof(*s);
		} else {
			struct sockaddr_in *s = (struct sockaddr_in *)&p->addr;

			snprintf(a, sizeof(a), "10.0.0.%u", ids[i]);
			s->sin_family = AF_INET;
			s->sin_port = htons(5405);
			inet_pton(AF_INET, a, &s->sin_addr);
			p->addr_len = sizeof(*s);
		}
	}
	tc->n_peers = n;
}

static struct cfgcheck a, b;   /* 8 KiB each: off the stack */

/* The keys of the differences, space-separated. */
static const char *keys(struct cfgcheck *x, struct cfgcheck *y, size_t *n)
{
	static char out[512];
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	size_t len = 0;

	*n = cfgcheck_compare(x->text, x->len, y->text, y->len, df,
	    CFGCHECK_DIFF_MAX);
	out[0] = '\0';
	for (size_t i = 0; i < *n && i < CFGCHECK_DIFF_MAX; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%.*s",
		    i ? " " : "", (int)df[i].key_len, df[i].key);
	return out;
}

static void same_config_same_digest(void **state)
{
	static const uint32_t ids[] = { 1, 2, 3 }, shuffled[] = { 3, 1, 2 };
	struct cohort_config c = base_cfg();
	struct transport_config tc;
	size_t n;

	(void)state;
	set_peers(&tc, ids, 3, 0);
	assert_int_equal(cfgcheck_build(&a, &c, &tc, 1000, 1400), 0);
	/* The nodelist's order in the file does not matter. */
	set_peers(&tc, shuffled, 3, 0);
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 1400), 0);
	assert_int_equal(a.digest, b.digest);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.text, b.text, a.len);
	assert_string_equal(keys(&a, &b, &n), "");
	assert_int_equal(n, 0);
	assert_int_equal(cfgcheck_digest(a.text, a.len), a.digest);
	assert_non_null(strstr(a.text, "node.3=10.0.0.3:5405\n"));
	assert_non_null(strstr(a.text, "token=1000\n"));
	assert_non_null(strstr(a.text, "crypto=off\n"));
	assert_non_null(strstr(a.text, "quorum=none\n"));
}

/* A node with votequorum and one without cannot share a ring. */
static void quorum_provider_differs(void **state)
{
	static const uint32_t ids[] = { 1, 2, 3 };
	struct cohort_config c = base_cfg();
	struct transport_config tc;
	size_t n;

	(void)state;
	set_peers(&tc, ids, 3, 0);
	assert_int_equal(cfgcheck_build(&a, &c, &tc, 1000, 1400), 0);
	c.quorum.provider = COHORT_QUORUM_VOTEQUORUM;
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 1400), 0);
	assert_non_null(strstr(b.text, "quorum=votequorum\n"));
	assert_int_not_equal(a.digest, b.digest);
	assert_string_equal(keys(&a, &b, &n), "quorum");
}

static void nodelist_differs(void **state)
{
	static const uint32_t three[] = { 1, 2, 3 }, two[] = { 1, 2 };
	struct cohort_config c = base_cfg();
	struct transport_config tc;
	struct cfgcheck_diff df[CFGCHECK_DIFF_MAX];
	size_t n;

	(void)state;
	set_peers(&tc, two, 2, 0);
	assert_int_equal(cfgcheck_build(&a, &c, &tc, 1000, 1400), 0);
	set_peers(&tc, three, 3, 0);
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 1400), 0);
	assert_int_not_equal(a.digest, b.digest);
	assert_string_equal(keys(&a, &b, &n), "nodes nodelist node.3");
	/* Both values, each side's own. */
	n = cfgcheck_compare(a.text, a.len, b.text, b.len, df, 3);
	assert_int_equal(n, 3);
	assert_memory_equal(df[0].ours, "2", df[0].ours_len);
	assert_memory_equal(df[0].theirs, "3", df[0].theirs_len);
	assert_memory_equal(df[2].ours, "(none)", df[2].ours_len);
	assert_memory_equal(df[2].theirs, "10.0.0.3:5405", df[2].theirs_len);
	/* From the other side, mirrored. */
	n = cfgcheck_compare(b.text, b.len, a.text, a.len, df, 3);
	assert_int_equal(n, 3);
	assert_memory_equal(df[2].ours, "10.0.0.3:5405", df[2].ours_len);
	assert_memory_equal(df[2].theirs, "(none)", df[2].theirs_len);
	/* Fewer slots than differences: the count is still the whole. */
	assert_int_equal(cfgcheck_compare(a.text, a.len, b.text, b.len, df, 1),
	    3);
}

static void token_and_others_differ(void **state)
{
	static const uint32_t ids[] = { 1, 2, 3 };
	struct cohort_config c = base_cfg();
	struct transport_config tc;
	uint8_t key[TRANSPORT_KEY_LEN] = { 0 };
	size_t n;

	(void)state;
	set_peers(&tc, ids, 3, 0);
	assert_int_equal(cfgcheck_build(&a, &c, &tc, 1000, 1400), 0);
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 3000, 1400), 0);
	assert_string_equal(keys(&a, &b, &n), "token");
	c.netmtu = 9000;
	c.transport = COHORT_TRANSPORT_KNET;
	tc.key = key;
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 1400), 0);
	assert_string_equal(keys(&a, &b, &n), "transport netmtu crypto");
	c = base_cfg();
	c.cluster_name = "other";
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 1400), 0);
	assert_string_equal(keys(&a, &b, &n), "cluster_name crypto");
}

/* 64 IPv6 nodes do not fit a small datagram: node lines are cut, "more="
 * says how many, and the nodelist digest still tells nodelists apart
 * that differ only beyond the cut. */
static void cut_to_a_datagram(void **state)
{
	uint32_t ids[64];
	struct cohort_config c = base_cfg();
	struct transport_config tc;
	size_t n;

	(void)state;
	for (uint32_t i = 0; i < 64; i++)
		ids[i] = i + 1;
	set_peers(&tc, ids, 64, 1);
	assert_int_equal(cfgcheck_build(&a, &c, &tc, 1000, 600), 0);
	assert_true(a.len <= 600);
	assert_non_null(strstr(a.text, "node.1=[fd00:1234:5678:9abc::1]:5405\n"));
	assert_non_null(strstr(a.text, "\nmore="));
	assert_null(memchr(a.text, '\0', a.len));
	ids[63] = 99;
	set_peers(&tc, ids, 64, 1);
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 600), 0);
	assert_int_not_equal(a.digest, b.digest);
	assert_string_equal(keys(&a, &b, &n), "nodelist");
	/* The whole fits a larger datagram. */
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 8000), 0);
	assert_null(strstr(b.text, "more="));
	/* Not even the lines before the nodes fit. */
	assert_int_equal(cfgcheck_build(&b, &c, &tc, 1000, 50), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_config_same_digest),
		cmocka_unit_test(nodelist_differs),
		cmocka_unit_test(quorum_provider_differs),
		cmocka_unit_test(token_and_others_differ),
		cmocka_unit_test(cut_to_a_datagram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
