/*
 * sockdiag.h: what the peer of a local stream socket has not read yet,
 * from the kernel's socket diagnostics (unix_diag).
 */
#ifndef COHORT_SOCKDIAG_H
#define COHORT_SOCKDIAG_H

#include <stdint.h>

/* The bytes the peer of unix stream socket `fd` has not read yet (its
 * receive queue, exact to the byte). *peer_ino caches the peer's inode
 * (0: look it up). 0 or -errno (no diagnostics, or a peer in another
 * network namespace). */
int unix_peer_unread(int fd, uint32_t *peer_ino, uint64_t *unread);

#endif /* COHORT_SOCKDIAG_H */
