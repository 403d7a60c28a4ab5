/*
 * quorum_help.h: what the API tests of libquorum and libvotequorum share:
 * the configurations they start cohortd with, and a bounded wait for
 * events on a handle's descriptor.
 */
#ifndef COHORT_QUORUM_HELP_H
#define COHORT_QUORUM_HELP_H

#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <corosync/quorum.h>
#include <corosync/votequorum.h>

#include "harness.h"

/* A one-node cluster with votequorum as the quorum provider: quorate
 * with its own vote. */
#define CONF_VOTEQUORUM \
	"totem {\n\tversion: 2\n\tcluster_name: api\n}\n" \
	"quorum {\n\tprovider: corosync_votequorum\n\texpected_votes: 1\n}\n"

/* The same node expecting 3 votes: votequorum holds it inquorate. */
#define CONF_INQUORATE \
	"totem {\n\tversion: 2\n\tcluster_name: api\n}\n" \
	"quorum {\n\tprovider: corosync_votequorum\n\texpected_votes: 3\n}\n"

/*
 * Waits until a started cohortd takes quorum clients. The daemon says
 * READY once CPG's first configuration is in service; with votequorum it
 * answers new connections CS_ERR_TRY_AGAIN until its first quorum
 * decision, a moment later (as corosync refuses clients until its first
 * synchronisation is complete). Bounded by WAIT_MS.
 */
static inline void quorum_ready(void)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	quorum_handle_t h;
	cs_error_t rc;
	int waited = 0;

	while ((rc = quorum_initialize(&h, NULL, NULL)) == CS_ERR_TRY_AGAIN &&
	    waited < WAIT_MS) {
		nanosleep(&pause, NULL);
		waited += 10;
	}
	CHECK_CS(rc, CS_OK);
	CHECK_CS(quorum_finalize(h), CS_OK);
}

/* Starts cohortd with `conf` and waits until it takes clients. */
static inline void quorum_start(struct daemon_proc *d, const char *conf)
{
	harness_start_conf(d, conf);
	quorum_ready();
}

/* Waits up to WAIT_MS for `fd` to become readable, or fails. */
static inline void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1) {
		fprintf(stderr, "no event within %d ms\n", WAIT_MS);
		harness_fail();
	}
}

/* Dispatches the quorum handle `h` until `cond` holds. */
#define QUORUM_WAIT(h, cond) do {					\
	int fd_;							\
	CHECK_CS(quorum_fd_get((h), &fd_), CS_OK);			\
	while (!(cond)) {						\
		wait_readable(fd_);					\
		CHECK_CS(quorum_dispatch((h), CS_DISPATCH_ALL), CS_OK);	\
	}								\
} while (0)

/* Dispatches the votequorum handle `h` until `cond` holds. */
#define VQ_WAIT(h, cond) do {						\
	int fd_;							\
	CHECK_CS(votequorum_fd_get((h), &fd_), CS_OK);			\
	while (!(cond)) {						\
		wait_readable(fd_);					\
		CHECK_CS(votequorum_dispatch((h), CS_DISPATCH_ALL), CS_OK); \
	}								\
} while (0)

/*
 * Quorum devices: the library passes the daemon's answer on, and a
 * daemon may have no quorum device support (CS_ERR_NOT_SUPPORTED for
 * every qdevice call). qdevice_supported() registers `name` on `h` and
 * tells which daemon this is: true when the registration succeeded,
 * false when the daemon answered CS_ERR_NOT_SUPPORTED; any other answer
 * fails the test.
 */
static inline bool qdevice_supported(votequorum_handle_t h, const char *name)
{
	cs_error_t rc = votequorum_qdevice_register(h, name);

	if (rc != CS_OK && rc != CS_ERR_NOT_SUPPORTED) {
		fprintf(stderr, "votequorum_qdevice_register: %s\n",
		    cs_strerror(rc));
		harness_fail();
	}
	return rc == CS_OK;
}

/* Stores the ring id of a node-list notification where its context
 * points. */
static inline void ring_into_context(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t list[])
{
	*(votequorum_ring_id_t *)(uintptr_t)context = ring;
}

/* The ring id of the current membership, from the node-list snapshot of
 * a handle of its own. */
static inline votequorum_ring_id_t vq_current_ring(void)
{
	votequorum_callbacks_t cb = {
		.votequorum_nodelist_notify_fn = ring_into_context,
	};
	votequorum_ring_id_t ring = { 0, 0 };
	votequorum_handle_t h;

	CHECK_CS(votequorum_initialize(&h, &cb), CS_OK);
	CHECK_CS(votequorum_trackstart(h, (uint64_t)(uintptr_t)&ring,
	    CS_TRACK_CURRENT), CS_OK);
	VQ_WAIT(h, ring.nodeid != 0);
	CHECK_CS(votequorum_finalize(h), CS_OK);
	return ring;
}

/* A name of `len` bytes ('q'), in `buf` of at least len + 1 bytes. */
static inline const char *long_name(char *buf, size_t len)
{
	memset(buf, 'q', len);
	buf[len] = '\0';
	return buf;
}

#endif /* COHORT_QUORUM_HELP_H */
