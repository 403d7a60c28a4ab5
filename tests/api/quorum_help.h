/*
 * quorum_help.h: what the API tests of libquorum and libvotequorum share:
 * the configurations they start cohortd with, and a bounded wait for
 * events on a handle's descriptor.
 */
#ifndef COHORT_QUORUM_HELP_H
#define COHORT_QUORUM_HELP_H

#include <poll.h>

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

#endif /* COHORT_QUORUM_HELP_H */
