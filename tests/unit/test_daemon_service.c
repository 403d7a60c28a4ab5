/* Unit tests: the registry of services (src/daemon/service.c): each
 * request type reaches the service that registered it, and new
 * connections wait until every service that says so is ready. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/service.h"

struct fake_svc {
	bool ready;
};

static bool fake_ready(const void *svc)
{
	return ((const struct fake_svc *)svc)->ready;
}

static const uint16_t a_types[] = { IPC_JOIN, IPC_MCAST };
static const uint16_t b_types[] = { IPC_STATUS };

static const struct service_ops a_ops = {
	.name = "a", .types = a_types, .n_types = 2, .ready = fake_ready,
};
static const struct service_ops b_ops = {
	.name = "b", .types = b_types, .n_types = 1,
};

static void types_reach_their_service(void **state)
{
	struct services ss = { 0 };
	struct fake_svc a = { false }, b = { false };

	assert_null(services_for_type(&ss, IPC_JOIN));
	services_add(&ss, SERVICE_CPG, &a_ops, &a);
	services_add(&ss, SERVICE_STATUS, &b_ops, &b);
	assert_ptr_equal(services_for_type(&ss, IPC_JOIN)->svc, &a);
	assert_ptr_equal(services_for_type(&ss, IPC_MCAST)->svc, &a);
	assert_ptr_equal(services_for_type(&ss, IPC_STATUS)->ops, &b_ops);
	assert_null(services_for_type(&ss, IPC_LEAVE));
	assert_null(services_for_type(&ss, IPC_HELLO));
	assert_null(services_for_type(&ss, 0xffff));
}

static void ready_when_every_service_is(void **state)
{
	struct services ss = { 0 };
	struct fake_svc a = { false }, b = { false };

	assert_true(services_ready(&ss));
	services_add(&ss, SERVICE_STATUS, &b_ops, &b);
	assert_true(services_ready(&ss));    /* b has no ready: always */
	services_add(&ss, SERVICE_CPG, &a_ops, &a);
	assert_false(services_ready(&ss));
	a.ready = true;
	assert_true(services_ready(&ss));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_reach_their_service),
		cmocka_unit_test(ready_when_every_service_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
