/* Unit tests: the cmap service's request decoder (cmap/decode.c), its
 * read-only and access rules (cmap/rules.c) and runtime.members.* on
 * configuration changes (cmap/members.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/cmap/cmap_int.h"
#include "daemon/config/config.h"

/* The IPC's little-endian u32 at b. */
static size_t le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return 4;
}

/* A key as requests carry it: u32 length, the bytes. */
static size_t le_key(uint8_t *b, const char *key)
{
	size_t n = strlen(key);

	le32(b, (uint32_t)n);
	memcpy(b + 4, key, n);
	return 4 + n;
}

static void decode_each_type(void **state)
{
	uint8_t b[600];
	struct cmap_req r;
	size_t n;

	n = le_key(b, "totem.token");
	n += le32(b + n, 6);
	n += le32(b + n, 4);
	n += le32(b + n, 1000);
	assert_int_equal(cmap_req_decode(CMAP_REQ_SET, b, n, &r), 0);
	assert_string_equal(r.key, "totem.token");
	assert_int_equal(r.type, 6);
	assert_int_equal(r.len, 4);
	assert_ptr_equal(r.value, b + n - 4);
	/* The value's length must be the bytes that follow. */
	assert_int_equal(cmap_req_decode(CMAP_REQ_SET, b, n - 1, &r), -EBADMSG);
	b[n] = 0;
	assert_int_equal(cmap_req_decode(CMAP_REQ_SET, b, n + 1, &r), -EBADMSG);

	n = le_key(b, "");
	assert_int_equal(cmap_req_decode(CMAP_REQ_ITER_INIT, b, n, &r), 0);
	assert_string_equal(r.key, "");

	n = le_key(b, "a.b");
	n += le32(b + n, 1);
	n += le32(b + n, 77);
	assert_int_equal(cmap_req_decode(CMAP_REQ_GET, b, n, &r), 0);
	assert_int_equal(r.want, 1);
	assert_int_equal(r.room, 77);
	le32(b + 7, 2);
	assert_int_equal(cmap_req_decode(CMAP_REQ_GET, b, n, &r), -EBADMSG);

	n = le_key(b, "a.b");
	n += le32(b + n, (uint32_t)-1);
	assert_int_equal(cmap_req_decode(CMAP_REQ_ADJUST, b, n, &r), 0);
	assert_int_equal(r.step, -1);
	le32(b + 7, 2);
	assert_int_equal(cmap_req_decode(CMAP_REQ_ADJUST, b, n, &r), -EBADMSG);

	n = le_key(b, "x");
	n += le32(b + n, 12);
	memset(b + n, 0xab, 8);
	n += 8;
	assert_int_equal(cmap_req_decode(CMAP_REQ_TRACK_ADD, b, n, &r), 0);
	assert_int_equal(r.flags, 12);
	assert_true(r.cookie == 0xababababababababull);

	memset(b, 0x11, 8);
	assert_int_equal(cmap_req_decode(CMAP_REQ_ITER_NEXT, b, 8, &r), 0);
	assert_true(r.handle == 0x1111111111111111ull);
	assert_int_equal(cmap_req_decode(CMAP_REQ_TRACK_DELETE, b, 7, &r),
	    -EBADMSG);
	assert_int_equal(cmap_req_decode(CMAP_REQ_SET_MAP, b, 4, &r), 0);
	assert_int_equal(cmap_req_decode(CMAP_REQ_SET_MAP, b, 5, &r), -EBADMSG);
	assert_int_equal(cmap_req_decode(CMAP_EV_NOTIFY, b, 8, &r), -EBADMSG);
	assert_string_equal(cmap_req_name(CMAP_REQ_ITER_FINALIZE),
	    "ITER_FINALIZE");
	assert_string_equal(cmap_req_name(CMAP_EV_NOTIFY), "unknown");
}

/* Keys: up to ICMAP_KEY_MAX bytes, no NUL inside. */
static void decode_keys(void **state)
{
	uint8_t b[600];
	struct cmap_req r;
	char key[ICMAP_KEY_MAX + 2];
	size_t n;

	memset(key, 'k', sizeof(key));
	key[ICMAP_KEY_MAX] = '\0';
	n = le_key(b, key);
	assert_int_equal(cmap_req_decode(CMAP_REQ_DELETE, b, n, &r), 0);
	assert_int_equal(strlen(r.key), ICMAP_KEY_MAX);
	key[ICMAP_KEY_MAX] = 'k';
	key[ICMAP_KEY_MAX + 1] = '\0';
	n = le_key(b, key);
	assert_int_equal(cmap_req_decode(CMAP_REQ_DELETE, b, n, &r), -EBADMSG);
	n = le_key(b, "abcde");
	b[6] = '\0';
	assert_int_equal(cmap_req_decode(CMAP_REQ_DELETE, b, n, &r), -EBADMSG);
	/* A length beyond the body. */
	le32(b, 100);
	assert_int_equal(cmap_req_decode(CMAP_REQ_DELETE, b, 20, &r), -EBADMSG);
	assert_int_equal(cmap_req_decode(CMAP_REQ_DELETE, b, 2, &r), -EBADMSG);
}

static void read_only_rules(void **state)
{
	assert_true(icmap_ipc_ro("nodelist.node.0.nodeid", false));
	assert_true(icmap_ipc_ro("runtime.config.totem.token", false));
	assert_true(icmap_ipc_ro("system.qb_ipc_type", false));
	assert_true(icmap_ipc_ro("uidgid.config.uid.5", false));
	assert_true(icmap_ipc_ro("totem.cluster_name", false));
	assert_true(icmap_ipc_ro("config.reload_in_progress", false));
	assert_false(icmap_ipc_ro("totem.token", false));
	assert_false(icmap_ipc_ro("runtime.members.1.status", false));
	assert_false(icmap_ipc_ro("uidgid.uid.5", false));
	assert_false(icmap_ipc_ro("totem.cluster_name2", false));
	/* The quorum keys only with votequorum as the provider the daemon
	 * started with (not the map's writable quorum.provider). */
	assert_false(icmap_ipc_ro("quorum.wait_for_all", false));
	assert_true(icmap_ipc_ro("quorum.wait_for_all", true));
	assert_true(icmap_ipc_ro("quorum.auto_tie_breaker_node", true));
	assert_false(icmap_ipc_ro("quorum.expected_votes", true));
	assert_true(icmap_ipc_ro("totem.cluster_name", true));
}

static void uid_rules(void **state)
{
	struct icmap *m;

	assert_int_equal(icmap_new(&m), 0);
	assert_false(cmap_uid_allowed(m, 1000, 1000));
	assert_int_equal(icmap_set_u8(m, "uidgid.uid.1000", 2), 0);
	assert_false(cmap_uid_allowed(m, 1000, 1000));
	assert_int_equal(icmap_set_u32(m, "uidgid.gid.1000", 1), 0);
	assert_false(cmap_uid_allowed(m, 1000, 1000));
	assert_int_equal(icmap_set_u8(m, "uidgid.uid.1000", 1), 0);
	assert_true(cmap_uid_allowed(m, 1000, 1000));
	assert_false(cmap_uid_allowed(m, 1001, 1000));
	assert_int_equal(icmap_set_u8(m, "uidgid.config.gid.7", 1), 0);
	assert_true(cmap_uid_allowed(m, 1001, 7));
	assert_int_equal(icmap_set_u8(m, "uidgid.gid.8", 1), 0);
	assert_true(cmap_uid_allowed(m, 1001, 8));
	assert_int_equal(icmap_set_u8(m, "uidgid.config.uid.9", 1), 0);
	assert_true(cmap_uid_allowed(m, 9, 9));
	icmap_free(m);
}

static void confchg(struct cmap_svc *svc, enum proto_conf_type type,
    const uint32_t *ids, size_t n)
{
	struct proto_conf c = { .type = type, .n_members = n, .members = ids };

	cmap_members_confchg(svc, &c);
}

static const char *str(struct icmap *m, const char *key)
{
	const char *v = NULL;

	assert_int_equal(icmap_get_str(m, key, &v), 0);
	return v;
}

static uint32_t u32(struct icmap *m, const char *key)
{
	uint32_t v = 0;

	assert_int_equal(icmap_get_u32(m, key, &v), 0);
	return v;
}

static void members(void **state)
{
	struct cohort_config cfg = { 0 };
	struct cmap_svc svc = { .nodeid = 1, .cfg = &cfg };
	static const uint32_t one[] = { 1 }, two[] = { 1, 2 }, three[] = {
		1, 2, 3 }, skip[] = { 1, 3 };

	cfg.n_nodes = 3;
	cfg.nodes[0] = (struct cohort_node){ .nodeid = 1,
	    .addr = { "10.0.0.1", "10.1.0.1" } };
	cfg.nodes[1] = (struct cohort_node){ .nodeid = 2,
	    .addr = { "10.0.0.2" } };
	cfg.nodes[2] = (struct cohort_node){ .nodeid = 3,
	    .addr = { "host3" } };
	assert_int_equal(icmap_new(&svc.map), 0);
	confchg(&svc, PROTO_CONF_REGULAR, one, 1);
	assert_string_equal(str(svc.map, "runtime.members.1.ip"),
	    "r(0) ip(10.0.0.1) r(1) ip(10.1.0.1) ");
	assert_int_equal(u32(svc.map, "runtime.members.1.join_count"), 1);
	assert_string_equal(str(svc.map, "runtime.members.1.status"),
	    "joined");
	/* A transitional configuration changes nothing. */
	confchg(&svc, PROTO_CONF_TRANSITIONAL, two, 2);
	assert_null(icmap_next(svc.map, "runtime.members.2.", NULL, NULL));
	confchg(&svc, PROTO_CONF_REGULAR, three, 3);
	assert_string_equal(str(svc.map, "runtime.members.3.ip"),
	    "r(0) ip(host3) ");
	confchg(&svc, PROTO_CONF_REGULAR, skip, 2);
	assert_string_equal(str(svc.map, "runtime.members.2.status"), "left");
	assert_int_equal(u32(svc.map, "runtime.members.2.join_count"), 1);
	confchg(&svc, PROTO_CONF_REGULAR, three, 3);
	assert_string_equal(str(svc.map, "runtime.members.2.status"),
	    "joined");
	assert_int_equal(u32(svc.map, "runtime.members.2.join_count"), 2);
	assert_int_equal(u32(svc.map, "runtime.members.1.join_count"), 1);
	assert_int_equal(u32(svc.map, "runtime.members.3.join_count"), 1);
	icmap_free(svc.map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_each_type),
		cmocka_unit_test(decode_keys),
		cmocka_unit_test(read_only_rules),
		cmocka_unit_test(uid_rules),
		cmocka_unit_test(members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
