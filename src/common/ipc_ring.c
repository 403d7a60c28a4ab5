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

_Static_assert(sizeof(struct ipc_ring_shared) <= 4096,
    "the shared counters fit the smallest meta area");

size_t ipc_ring_meta(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 4096 ? (size_t)page : 4096;
}

static int cap_ok(uint64_t cap)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && cap > 0 && cap <= COHORT_IPC_RING &&
	    cap % (uint64_t)page == 0 && ipc_ring_meta() % (uint64_t)page == 0;
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
	if (ftruncate(fd, (off_t)(ipc_ring_meta() + cap)) < 0 ||
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
	size_t meta = ipc_ring_meta(), span = meta + 2 * cap;
	uint8_t *base, *p;
	int err;

	memset(r, 0, sizeof(*r));
	if (!cap_ok(cap))
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size != meta + cap)
		return -EINVAL;
	/* Reserve the span, then put the file over it and its data part
	 * once more right after: [meta][data][data again]. */
	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	p = mmap(base, meta + cap, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, 0);
	if (p != MAP_FAILED)
		p = mmap(base + meta + cap, cap, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, (off_t)meta);
	if (p == MAP_FAILED) {
		err = errno;
		munmap(base, span);
		return -err;
	}
	r->sh = (struct ipc_ring_shared *)base;
	r->data = base + meta;
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
