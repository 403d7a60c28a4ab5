/*
 * compat_client.c: a CPG program that uses only corosync's documented API.
 * t_compat.sh builds it twice, against corosync's headers and library and
 * against Cohort's, and runs both binaries on Cohort's libcpg.so.4.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cpg.h>

#define BIG (3u << 20)

static int joined, left, totem, msgs, big_ok;
static unsigned char *big;

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); exit(1); } while (0)
#define OK(expr) do { cs_error_t e_ = (expr); if (e_ != CS_OK) \
	FAIL("%s:%d: %s = %d\n", __FILE__, __LINE__, #expr, e_); } while (0)

static void deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t node,
    uint32_t pid, void *msg, size_t len)
{
	if (pid != (uint32_t)getpid())
		FAIL("message from pid %u\n", pid);
	if (len == BIG + 10)
		big_ok = memcmp(msg, "0123456789", 10) == 0 &&
		    memcmp((char *)msg + 10, big, BIG) == 0;
	msgs++;
}

static void confchg(cpg_handle_t h, const struct cpg_name *g,
    const struct cpg_address *m, size_t nm, const struct cpg_address *l,
    size_t nl, const struct cpg_address *j, size_t nj)
{
	if (nj == 1 && j[0].pid == (uint32_t)getpid() &&
	    j[0].reason == CPG_REASON_JOIN)
		joined = 1;
	if (nl == 1 && l[0].pid == (uint32_t)getpid() &&
	    l[0].reason == CPG_REASON_LEAVE)
		left = 1;
}

static void totem_cb(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n,
    const uint32_t *nodes)
{
	if (n >= 1 && ring.seq > 0)
		totem = 1;
}

/* Dispatches until *count reaches want. */
static void pump_to(cpg_handle_t h, int *count, int want)
{
	int fd;

	OK(cpg_fd_get(h, &fd));
	while (*count < want) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 20000) != 1)
			FAIL("no event (joined %d totem %d msgs %d left %d)\n", joined, totem, msgs, left);
		OK(cpg_dispatch(h, CS_DISPATCH_ALL));
	}
}

static void pump(cpg_handle_t h, int *flag)
{
	pump_to(h, flag, 1);
}

int main(void)
{
	cpg_model_v1_data_t md = { CPG_MODEL_V1, deliver, confchg, totem_cb,
	    CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF };
	struct cpg_name g = { 6, "compat" };
	struct cpg_address list[CPG_MEMBERS_MAX];
	struct cpg_iteration_description_t d;
	cpg_iteration_handle_t it;
	struct iovec iov[2];
	unsigned int node;
	uint32_t atomic;
	int n = CPG_MEMBERS_MAX, found = 0;
	cpg_handle_t h;
	void *ctx;

	big = malloc(BIG);
	for (unsigned int i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7);
	OK(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&md, &g));
	OK(cpg_context_get(h, &ctx));
	if (ctx != &g)
		FAIL("context\n");
	OK(cpg_local_get(h, &node));
	OK(cpg_max_atomic_msgsize_get(h, &atomic));
	OK(cpg_join(h, &g));
	pump(h, &joined);
	pump(h, &totem);
	iov[0].iov_base = "0123456789";
	iov[0].iov_len = 10;
	iov[1].iov_base = big;
	iov[1].iov_len = BIG;
	OK(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 2));
	OK(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 1));
	pump_to(h, &msgs, 2);
	if (!big_ok)
		FAIL("the 3 MiB message did not arrive intact\n");
	OK(cpg_membership_get(h, &g, list, &n));
	if (n != 1 || list[0].pid != (uint32_t)getpid() || list[0].nodeid != node)
		FAIL("membership\n");
	OK(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, &it));
	while (cpg_iteration_next(it, &d) == CS_OK)
		found += d.pid == (uint32_t)getpid();
	OK(cpg_iteration_finalize(it));
	if (found != 1)
		FAIL("iteration\n");
	OK(cpg_leave(h, &g));
	pump(h, &left);
	OK(cpg_finalize(h));
	if (cpg_finalize(h) != CS_ERR_BAD_HANDLE)
		FAIL("second finalize\n");
	printf("compat client: node %u, atomic %u, all checks passed (%s)\n",
	    node, atomic, cs_strerror(CS_OK));
	free(big);
	return 0;
}
