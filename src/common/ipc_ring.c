/*
 * ipc_ring.c: creating and mapping the shared request ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ipc_ring.h"

_Static_assert(sizeof(struct ipc_ring_shared) <= IPC_RING_META,
    "the shared counters fit their page");

static int cap_ok(uint64_t cap)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && cap > 0 && cap <= COHORT_IPC_RING &&
	    cap % (uint64_t)page == 0 && IPC_RING_META % (uint64_t)page == 0;
}

int ipc_ring_create(uint64_t cap)
{
	int fd, err;

	if (!cap_ok(cap))
		return -EINVAL;
	fd = memfd_create("cohort-ipc-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* Sealed against resizing: a client that shrank the file would
	 * make the daemon's next read of the ring fault. */
	if (ftruncate(fd, (off_t)(IPC_RING_META + cap)) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int ipc_ring_map(int fd, uint64_t cap, struct ipc_ring *r)
{
	struct stat st;
	size_t span = IPC_RING_META + 2 * cap;
	uint8_t *base, *p;
	int err;

	memset(r, 0, sizeof(*r));
	if (!cap_ok(cap))
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size != IPC_RING_META + cap)
		return -EINVAL;
	/* Reserve the span, then put the file over it and its data part
	 * once more right after: [meta][data][data again]. */
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	p = mmap(base, IPC_RING_META + cap, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, 0);
	if (p != MAP_FAILED)
		p = mmap(base + IPC_RING_META + cap, cap, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, IPC_RING_META);
	if (p == MAP_FAILED) {
		err = errno;
		munmap(base, span);
		return -err;
	}
	r->sh = (struct ipc_ring_shared *)base;
	r->data = base + IPC_RING_META;
	r->cap = cap;
	r->base = base;
	r->span = span;
	return 0;
}

void ipc_ring_unmap(struct ipc_ring *r)
{
	if (r->base)
		munmap(r->base, r->span);
	memset(r, 0, sizeof(*r));
}
