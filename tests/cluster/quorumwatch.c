/*
 * quorumwatch: a libquorum V1 and libvotequorum client for the cluster
 * tests. It tracks changes and prints one line per notification, flushed:
 *
 *   nodelist R.S members=A B joined=C left=D      (libquorum V1)
 *   quorum Q R.S members=A B                      (libquorum V1)
 *   vq-nodelist R.S nodes=A B                     (libvotequorum)
 *   vq-quorum Q nodes=A/state B/state             (libvotequorum)
 *
 * Usage: quorumwatch. Runs until killed; exit 1 when a call fails.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include <corosync/quorum.h>
#include <corosync/votequorum.h>

static void list(const char *name, uint32_t n, const uint32_t *ids)
{
	printf(" %s=", name);
	for (uint32_t i = 0; i < n; i++)
		printf(i ? " %u" : "%u", ids[i]);
}

static void on_nodelist(quorum_handle_t h, struct quorum_ring_id ring,
    uint32_t nm, const uint32_t *m, uint32_t nj, const uint32_t *j,
    uint32_t nl, const uint32_t *l)
{
	printf("nodelist %x.%llx", ring.nodeid, (unsigned long long)ring.seq);
	list("members", nm, m);
	list("joined", nj, j);
	list("left", nl, l);
	printf("\n");
	fflush(stdout);
}

static void on_quorum(quorum_handle_t h, uint32_t quorate,
    struct quorum_ring_id ring, uint32_t n, const uint32_t *m)
{
	printf("quorum %u %x.%llx", quorate, ring.nodeid,
	    (unsigned long long)ring.seq);
	list("members", n, m);
	printf("\n");
	fflush(stdout);
}

static void on_vq_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t nodes[])
{
	printf("vq-nodelist %x.%llx", ring.nodeid, (unsigned long long)ring.seq);
	list("nodes", n, nodes);
	printf("\n");
	fflush(stdout);
}

static void on_vq_quorum(votequorum_handle_t h, uint64_t context,
    uint32_t quorate, uint32_t n, votequorum_node_t nodes[])
{
	printf("vq-quorum %u nodes=", quorate);
	for (uint32_t i = 0; i < n; i++)
		printf(i ? " %u/%u" : "%u/%u", nodes[i].nodeid, nodes[i].state);
	printf("\n");
	fflush(stdout);
}

static void check(const char *what, cs_error_t err)
{
	if (err != CS_OK) {
		fprintf(stderr, "quorumwatch: %s: %d\n", what, err);
		exit(1);
	}
}

int main(void)
{
	quorum_model_v1_data_t v1 = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = on_quorum,
		.nodelist_notify_fn = on_nodelist,
	};
	votequorum_callbacks_t vcb = {
		.votequorum_quorum_notify_fn = on_vq_quorum,
		.votequorum_nodelist_notify_fn = on_vq_nodelist,
	};
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };
	votequorum_handle_t vq;
	quorum_handle_t q;

	check("quorum_model_initialize", quorum_model_initialize(&q,
	    QUORUM_MODEL_V1, (quorum_model_data_t *)&v1, NULL, NULL));
	check("votequorum_initialize", votequorum_initialize(&vq, &vcb));
	check("quorum_trackstart", quorum_trackstart(q, CS_TRACK_CHANGES_ONLY));
	check("votequorum_trackstart",
	    votequorum_trackstart(vq, 0, CS_TRACK_CHANGES_ONLY));
	check("quorum_fd_get", quorum_fd_get(q, &p[0].fd));
	check("votequorum_fd_get", votequorum_fd_get(vq, &p[1].fd));
	printf("tracking\n");
	fflush(stdout);
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents)
			check("quorum_dispatch", quorum_dispatch(q, CS_DISPATCH_ALL));
		if (p[1].revents)
			check("votequorum_dispatch",
			    votequorum_dispatch(vq, CS_DISPATCH_ALL));
	}
}
