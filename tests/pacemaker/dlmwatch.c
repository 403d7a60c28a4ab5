/*
 * dlmwatch: the cluster calls dlm_controld 4.2 makes to follow the
 * membership, without the kernel's DLM: libquorum's V1 model tracking
 * changes (CS_TRACK_CHANGES), libcfg's local node id and, for every
 * member at each quorum notification, its addresses from
 * corosync_cfg_get_node_addrs (what dlm_controld writes into the
 * kernel's configfs). tests/pacemaker/dlm.sh builds it against Debian's
 * corosync headers and libraries, so that it runs unchanged on corosync
 * and on Cohort's libraries. One line per event, flushed:
 *
 *   local N
 *   nodelist members=A B joined=C left=D
 *   quorum Q members=A B addrs=A:ADDR B:ADDR
 *
 * Ring ids are left out: they differ between the implementations. Runs
 * until the connection ends; exit 1 when a call fails.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <corosync/cfg.h>
#include <corosync/quorum.h>

#define ADDRS_MAX 8

static corosync_cfg_handle_t cfg;

static void list(const char *name, uint32_t n, const uint32_t *ids)
{
	printf(" %s=", name);
	for (uint32_t i = 0; i < n; i++)
		printf(i ? " %u" : "%u", ids[i]);
}

/* " ID:ADDR" for the node's first address, or " ID:?" with the error. */
static void print_addr(uint32_t id)
{
	corosync_cfg_node_address_t a[ADDRS_MAX];
	char text[INET6_ADDRSTRLEN];
	const struct sockaddr *sa = (const struct sockaddr *)a[0].address;
	int n = 0;
	cs_error_t rc;

	rc = corosync_cfg_get_node_addrs(cfg, id, ADDRS_MAX, &n, a);
	if (rc != CS_OK || n < 1) {
		printf(" %u:?%d", id, rc);
		return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    text, sizeof(text));
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    text, sizeof(text));
	printf(" %u:%s", id, text);
}

static void on_nodelist(quorum_handle_t h, struct quorum_ring_id ring,
    uint32_t nm, const uint32_t *m, uint32_t nj, const uint32_t *j,
    uint32_t nl, const uint32_t *l)
{
	printf("nodelist");
	list("members", nm, m);
	list("joined", nj, j);
	list("left", nl, l);
	printf("\n");
	fflush(stdout);
}

static void on_quorum(quorum_handle_t h, uint32_t quorate,
    struct quorum_ring_id ring, uint32_t n, const uint32_t *m)
{
	printf("quorum %u", quorate);
	list("members", n, m);
	printf(" addrs=");
	for (uint32_t i = 0; i < n; i++)
		print_addr(m[i]);
	printf("\n");
	fflush(stdout);
}

int main(void)
{
	quorum_model_v1_data_t model = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = on_quorum,
		.nodelist_notify_fn = on_nodelist,
	};
	quorum_handle_t q;
	uint32_t type, local;
	struct pollfd p[2];
	int qfd, cfd;

	if (corosync_cfg_initialize(&cfg, NULL) != CS_OK ||
	    corosync_cfg_local_get(cfg, &local) != CS_OK ||
	    corosync_cfg_fd_get(cfg, &cfd) != CS_OK) {
		fprintf(stderr, "dlmwatch: cfg failed\n");
		return 1;
	}
	printf("local %u\n", local);
	fflush(stdout);
	if (quorum_model_initialize(&q, QUORUM_MODEL_V1,
	    (quorum_model_data_t *)&model, &type, NULL) != CS_OK ||
	    quorum_trackstart(q, CS_TRACK_CHANGES) != CS_OK ||
	    quorum_fd_get(q, &qfd) != CS_OK) {
		fprintf(stderr, "dlmwatch: quorum failed\n");
		return 1;
	}
	p[0] = (struct pollfd){ .fd = qfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = cfd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents && quorum_dispatch(q, CS_DISPATCH_ALL) != CS_OK)
			break;
		if (p[1].revents &&
		    corosync_cfg_dispatch(cfg, CS_DISPATCH_ALL) != CS_OK)
			break;
	}
	fprintf(stderr, "dlmwatch: the connection ended\n");
	return 1;
}
