/* API test: a client that writes its request ring (common/ipc_ring.h) in
 * ways libcpg never would. The daemon trusts nothing in the ring's shared
 * page: a tail beyond what the ring holds, behind the daemon's head or off
 * the frame alignment, a first frame of the wrong type, with reserved
 * flags, or longer than what the tail covers, and a DOORBELL with a body,
 * each get the client dropped (PROCDOWN in its group) without one of its
 * messages delivered, and the daemon goes on serving everyone else. A
 * well-formed raw client shows first that the ring is really read (also a
 * frame across the ring's end), and that its descriptor is sealed: the
 * client cannot shrink the memory under the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "raw.h"
#include "watch.h"

#define GROUP "ring"
/* The raw client joins in the name of a process that cannot exist (above
 * any pid_max): it never collides with this process, also a member. */
#define RAW_PID (1u << 30)
/* The smallest frame of a numbered message, and the ring bytes it takes. */
#define MIN_FRAME (IPC_HDR_LEN + 4u + MSG_MIN)
#define MIN_STRIDE 32u
/* Bytes of good frames written before a fault, or across the ring's end. */
#define SOME_BYTES (64 * MIN_STRIDE)

_Static_assert(MIN_STRIDE == (MIN_FRAME + IPC_RING_ALIGN - 1) /
    IPC_RING_ALIGN * IPC_RING_ALIGN, "MIN_STRIDE is the stride of MIN_FRAME");

/* Dispatches until the raw client is (`in`) or is not a member. */
static void wait_in(cpg_handle_t h, struct watch *w, bool in)
{
	while (in ? !w->in : !w->left)
		watch_next(h, w);
}

/* Writes well-formed numbered messages covering exactly `bytes` of the
 * ring (a multiple of IPC_RING_ALIGN, at least MIN_STRIDE), unpublished. */
static void ring_fill(struct raw_conn *rc, uint64_t bytes, uint32_t *seq)
{
	static uint8_t payload[COHORT_IPC_RING_FRAME];
	uint64_t end = rc->tail + bytes;

	CHECK(bytes % IPC_RING_ALIGN == 0 && bytes >= MIN_STRIDE);
	while (rc->tail < end) {
		uint64_t room = end - rc->tail;
		uint64_t frame = room < COHORT_IPC_RING_FRAME ? room :
		    COHORT_IPC_RING_FRAME;

		/* Leave room for one more frame rather than a sliver. */
		if (room > frame && room - frame < MIN_STRIDE)
			frame -= MIN_STRIDE;
		msg_fill(payload, *seq, frame - IPC_HDR_LEN - 4);
		raw_ring_mcast(rc, payload, frame - IPC_HDR_LEN - 4);
		(*seq)++;
	}
}

/* Rings the doorbell as libcpg does: only when the daemon asked for it. */
static void ring_bell(struct raw_conn *rc)
{
	if (atomic_exchange(&rc->ring.sh->bell, 0))
		raw_send(rc->req, IPC_DOORBELL, 0, NULL, 0);
}

/* The daemon takes the ring before any frame on the socket: once a
 * request is answered, it has taken everything published before. */
static void expect_taken(struct raw_conn *rc)
{
	CHECK_CS(raw_request(rc, IPC_LOCAL_GET, NULL, 0), CS_OK);
	CHECK(atomic_load(&rc->ring.sh->head) == rc->tail);
}

/* The ring's descriptor is sealed: the file cannot shrink (the daemon's
 * next read would fault), grow, or get other seals, by this descriptor or
 * a new one opened on the same file. */
static void check_sealed(const struct raw_conn *rc)
{
	const int want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	off_t size = (off_t)(ipc_ring_meta() + rc->ring.cap);
	char path[64];
	struct stat st;
	int fd;

	CHECK((fcntl(rc->ring_fd, F_GET_SEALS) & want) == want);
	CHECK(ftruncate(rc->ring_fd, size / 2) == -1 && errno == EPERM);
	CHECK(ftruncate(rc->ring_fd, 0) == -1 && errno == EPERM);
	CHECK(ftruncate(rc->ring_fd, size * 2) == -1 && errno == EPERM);
	CHECK(fcntl(rc->ring_fd, F_ADD_SEALS, F_SEAL_WRITE) == -1 &&
	    errno == EPERM);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rc->ring_fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, size / 2) == -1 && errno == EPERM);
	close(fd);
	CHECK(fstat(rc->ring_fd, &st) == 0 && st.st_size == size);
}

/* A raw client that follows the protocol: its messages arrive whole and
 * in order, the last one written across the end of the ring. */
static void well_formed(cpg_handle_t h, struct watch *w)
{
	struct raw_conn rc;
	uint32_t seq = 0;

	watch_reset(w, RAW_PID);
	raw_open(&rc, false);
	raw_join(&rc, GROUP, RAW_PID);
	wait_in(h, w, true);
	ring_fill(&rc, rc.ring.cap - 2 * MIN_STRIDE, &seq);
	raw_ring_publish(&rc);
	expect_taken(&rc);
	ring_fill(&rc, SOME_BYTES, &seq);
	CHECK(rc.tail > rc.ring.cap);
	raw_ring_publish(&rc);
	ring_bell(&rc);
	while (w->got < seq)
		watch_next(h, w);
	CHECK(w->bad == 0);
	expect_taken(&rc);
	check_sealed(&rc);
	CHECK(atomic_load(&rc.ring.sh->closed) == 0);
	raw_close(&rc);
	wait_in(h, w, false);
	CHECK(w->left_reason == CPG_REASON_PROCDOWN);
	CHECK(w->got == seq && w->bad == 0 && w->late == 0);
}

/* ------------------------------------------------------- hostile rings */

/* Each spoils a fresh ring and returns how many of its messages the
 * daemon takes before it drops the client: none where the fault is in
 * the tail or in the first frame. */

/* The ring full of good frames, the first one the smallest, and a tail
 * one frame beyond: read as it says, the first frame would come twice. */
static uint32_t tail_beyond_ring(struct raw_conn *rc)
{
	uint32_t seq = 0;

	ring_fill(rc, MIN_STRIDE, &seq);
	ring_fill(rc, rc->ring.cap - MIN_STRIDE, &seq);
	atomic_store(&rc->ring.sh->tail, rc->ring.cap + MIN_STRIDE);
	ring_bell(rc);
	return 0;
}

/* The ring full of good frames and a tail behind the head. */
static uint32_t tail_behind_head(struct raw_conn *rc)
{
	uint32_t seq = 0;

	ring_fill(rc, rc->ring.cap, &seq);
	atomic_store(&rc->ring.sh->tail, (uint64_t)0 - MIN_STRIDE);
	ring_bell(rc);
	return 0;
}

/* Good frames, and a tail that is not at a frame boundary. */
static uint32_t tail_unaligned(struct raw_conn *rc)
{
	uint32_t seq = 0;

	ring_fill(rc, SOME_BYTES, &seq);
	atomic_store(&rc->ring.sh->tail, rc->tail + IPC_RING_ALIGN / 2);
	ring_bell(rc);
	return 0;
}

/* A first frame with a header of `type` and `flags` and `len` bytes of
 * body, published and rung as a good one would be. */
static uint32_t bad_first_frame(struct raw_conn *rc, uint16_t type,
    uint16_t flags, const void *body, size_t len)
{
	uint8_t *p = raw_ring_next(rc);

	raw_hdr(p, (uint32_t)(IPC_HDR_LEN + len), type, flags);
	memcpy(p + IPC_HDR_LEN, body, len);
	rc->tail += ipc_ring_stride(IPC_HDR_LEN + len);
	raw_ring_publish(rc);
	ring_bell(rc);
	return 0;
}

/* A JOIN, well-formed as a request, in the ring: only MCAST goes there. */
static uint32_t frame_join(struct raw_conn *rc)
{
	struct ipc_name n = { .length = 5, .value = "other" };
	uint8_t body[4 + IPC_NAME_MAX + 8];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	ipc_name_put(&wb, &n);
	wbuf_u32(&wb, RAW_PID + 1);
	wbuf_u32(&wb, 0);   /* flags */
	return bad_first_frame(rc, IPC_JOIN, 0, body, wb.len);
}

/* A type that no request table has a slot for. */
static uint32_t frame_unknown_type(struct raw_conn *rc)
{
	uint8_t body[4 + MSG_MIN] = { 0 };

	return bad_first_frame(rc, UINT16_MAX, 0, body, sizeof(body));
}

/* An MCAST that would be good but for its reserved flags. */
static uint32_t frame_flags(struct raw_conn *rc)
{
	uint8_t body[4 + MSG_MIN] = { 0 };

	msg_fill(body + 4, 0, MSG_MIN);
	return bad_first_frame(rc, IPC_MCAST, 1, body, sizeof(body));
}

/* A good MCAST published only in part: its length runs past the tail. */
static uint32_t frame_beyond_tail(struct raw_conn *rc)
{
	uint8_t payload[SOME_BYTES];
	uint64_t start = rc->tail;

	msg_fill(payload, 0, sizeof(payload));
	raw_ring_mcast(rc, payload, sizeof(payload));
	atomic_store(&rc->ring.sh->tail, start + MIN_STRIDE);
	ring_bell(rc);
	return 0;
}

/* The header of the largest MCAST there is, far beyond the ring's
 * mapping, under a tail at the ring's end. */
static uint32_t frame_beyond_ring(struct raw_conn *rc)
{
	uint8_t *p = raw_ring_next(rc);

	raw_hdr(p, IPC_HDR_LEN + 4 + COHORT_MSG_MAX, IPC_MCAST, 0);
	put_u32(p + IPC_HDR_LEN, CPG_TYPE_AGREED);
	atomic_store(&rc->ring.sh->tail, rc->ring.cap);
	ring_bell(rc);
	return 0;
}

/* Good frames, and a DOORBELL that carries a body: the ring is read
 * before the frame that woke the daemon is looked at. */
static uint32_t doorbell_body(struct raw_conn *rc)
{
	uint32_t seq = 0, junk = 0;

	ring_fill(rc, SOME_BYTES, &seq);
	ring_fill(rc, SOME_BYTES, &seq);
	raw_ring_publish(rc);
	atomic_store(&rc->ring.sh->bell, 0);
	raw_send(rc->req, IPC_DOORBELL, 0, &junk, sizeof(junk));
	return seq;
}

static const struct {
	const char *what;
	uint32_t (*spoil)(struct raw_conn *rc);
} hostile[] = {
	{ "tail beyond the ring", tail_beyond_ring },
	{ "tail behind the head", tail_behind_head },
	{ "tail off the frame alignment", tail_unaligned },
	{ "JOIN in the ring", frame_join },
	{ "unknown type in the ring", frame_unknown_type },
	{ "reserved flags in the ring", frame_flags },
	{ "frame beyond the tail", frame_beyond_tail },
	{ "frame beyond the ring", frame_beyond_ring },
	{ "DOORBELL with a body", doorbell_body },
};

/* The daemon lives, the well-behaved client still gets its messages, and
 * a new client can still connect, join, send and receive. */
static void still_serving(const struct daemon_proc *d, cpg_handle_t survivor)
{
	struct cpg_name g = harness_name("fresh");
	struct iovec iov = { "fresh", 5 };
	struct rec r = { 0 };
	cpg_handle_t h;

	CHECK(waitpid(d->pid, NULL, WNOHANG) == 0);
	harness_seq_traffic(survivor, 20);
	h = harness_open(&r, 0);
	CHECK_CS(cpg_join(h, &g), CS_OK);
	harness_wait(h, &r.joined);
	CHECK_CS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_OK);
	harness_wait(h, &r.got_own);
	CHECK_CS(cpg_finalize(h), CS_OK);
}

int main(void)
{
	struct watch w;
	struct daemon_proc d;
	cpg_handle_t h, survivor;

	harness_start(&d, NULL);
	survivor = harness_seq_open("survivor");
	h = watch_open(&w, GROUP, RAW_PID);
	well_formed(h, &w);
	still_serving(&d, survivor);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct raw_conn rc;
		uint32_t taken;

		printf("hostile ring: %s\n", hostile[i].what);
		watch_reset(&w, RAW_PID);
		raw_open(&rc, false);
		raw_join(&rc, GROUP, RAW_PID);
		wait_in(h, &w, true);
		taken = hostile[i].spoil(&rc);
		raw_await_close(rc.req);
		rc.req = -1;
		/* The page tells the library too: no more writing into a
		 * ring nobody reads. */
		CHECK(atomic_load(&rc.ring.sh->closed) == 1);
		wait_in(h, &w, false);
		CHECK(w.left_reason == CPG_REASON_PROCDOWN);
		CHECK(w.got == taken && w.bad == 0 && w.late == 0);
		raw_close(&rc);
		still_serving(&d, survivor);
	}
	CHECK_CS(cpg_finalize(h), CS_OK);
	CHECK_CS(cpg_finalize(survivor), CS_OK);
	harness_stop(&d);
	return 0;
}
