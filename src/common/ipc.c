/*
 * ipc.c: encoding and decoding of the libcpg <-> cohortd frames.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ipc.h"

#define MEMBERS_MAX_PER_EVENT (3u * COHORT_GROUP_MEMBERS_MAX)

void ipc_hdr_put(struct wbuf *wb, uint16_t type, uint32_t seq, uint32_t error)
{
	wbuf_u32(wb, 0);  /* patched by ipc_hdr_finish */
	wbuf_u16(wb, type);
	wbuf_u16(wb, 0);
	wbuf_u32(wb, seq);
	wbuf_u32(wb, error);
}

void ipc_hdr_finish(struct wbuf *wb)
{
	if (!wb->err && wb->len >= IPC_HDR_LEN)
		put_u32(wb->p, (uint32_t)wb->len);
}

int ipc_hdr_get(const uint8_t *b, struct ipc_hdr *h)
{
	struct rbuf rb;

	rbuf_init(&rb, b, IPC_HDR_LEN);
	h->len = rbuf_u32(&rb);
	h->type = rbuf_u16(&rb);
	h->flags = rbuf_u16(&rb);
	h->seq = rbuf_u32(&rb);
	h->error = rbuf_u32(&rb);
	if (h->len < IPC_HDR_LEN || h->len > COHORT_FRAME_MAX || h->flags != 0)
		return -EBADMSG;
	return 0;
}

void ipc_name_put(struct wbuf *wb, const struct ipc_name *n)
{
	uint32_t len = n->length > IPC_NAME_MAX ? IPC_NAME_MAX : n->length;

	wbuf_u32(wb, len);
	wbuf_copy(wb, n->value, len);
}

void ipc_name_get(struct rbuf *rb, struct ipc_name *n)
{
	n->length = rbuf_u32(rb);
	if (n->length > IPC_NAME_MAX) {
		rb->err = true;
		n->length = 0;
		return;
	}
	rbuf_copy(rb, n->value, n->length);
	if (n->length < IPC_NAME_MAX)
		memset(n->value + n->length, 0, IPC_NAME_MAX - n->length);
}

/* Orders names by length, then bytes: the order of iteration output. */
int ipc_name_cmp(const struct ipc_name *a, const struct ipc_name *b)
{
	if (a->length != b->length)
		return a->length < b->length ? -1 : 1;
	return memcmp(a->value, b->value, a->length);
}

int ipc_ev_confchg_get(struct rbuf *rb, struct ipc_ev_confchg *ev)
{
	uint64_t total;

	ipc_name_get(rb, &ev->group);
	ev->n_members = rbuf_u32(rb);
	ev->n_left = rbuf_u32(rb);
	ev->n_joined = rbuf_u32(rb);
	if (rb->err)
		return -EBADMSG;
	total = (uint64_t)ev->n_members + ev->n_left + ev->n_joined;
	if (total > MEMBERS_MAX_PER_EVENT)
		return -EBADMSG;
	ev->entries = rbuf_take(rb, (size_t)total * IPC_MEMBER_ENTRY_LEN);
	if (rb->err || rb->left != 0)
		return -EBADMSG;
	return 0;
}

void ipc_member_at(const uint8_t *entries, size_t i, struct ipc_member *m)
{
	const uint8_t *e = entries + i * IPC_MEMBER_ENTRY_LEN;

	m->nodeid = get_u32(e);
	m->pid = get_u32(e + 4);
	m->reason = get_u32(e + 8);
}

void ipc_ev_confchg_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t n_members, uint32_t n_left, uint32_t n_joined)
{
	ipc_hdr_put(wb, IPC_EV_CONFCHG, 0, 0);
	ipc_name_put(wb, group);
	wbuf_u32(wb, n_members);
	wbuf_u32(wb, n_left);
	wbuf_u32(wb, n_joined);
}

void ipc_member_put(struct wbuf *wb, uint32_t nodeid, uint32_t pid,
    uint32_t reason)
{
	wbuf_u32(wb, nodeid);
	wbuf_u32(wb, pid);
	wbuf_u32(wb, reason);
}

int ipc_ev_deliver_get(struct rbuf *rb, struct ipc_ev_deliver *ev)
{
	ipc_name_get(rb, &ev->group);
	ev->nodeid = rbuf_u32(rb);
	ev->pid = rbuf_u32(rb);
	ev->guarantee = rbuf_u32(rb);
	if (rb->err || rb->left > COHORT_MSG_MAX)
		return -EBADMSG;
	ev->len = rb->left;
	ev->data = rbuf_take(rb, rb->left);
	return 0;
}

static void ev_deliver_head(struct wbuf *wb, const struct ipc_name *group,
    uint32_t nodeid, uint32_t pid, uint32_t guarantee)
{
	ipc_hdr_put(wb, IPC_EV_DELIVER, 0, 0);
	ipc_name_put(wb, group);
	wbuf_u32(wb, nodeid);
	wbuf_u32(wb, pid);
	wbuf_u32(wb, guarantee);
}

void ipc_ev_deliver_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t nodeid, uint32_t pid, uint32_t guarantee, const void *data,
    size_t len)
{
	ev_deliver_head(wb, group, nodeid, pid, guarantee);
	wbuf_copy(wb, data, len);
	ipc_hdr_finish(wb);
}

void ipc_ev_deliver_head_put(struct wbuf *wb, const struct ipc_name *group,
    uint32_t nodeid, uint32_t pid, uint32_t guarantee, size_t len)
{
	ev_deliver_head(wb, group, nodeid, pid, guarantee);
	if (!wb->err)
		put_u32(wb->p, (uint32_t)(wb->len + len));
}

int ipc_ev_totem_get(struct rbuf *rb, struct ipc_ev_totem *ev)
{
	ev->rep = rbuf_u32(rb);
	ev->seq = rbuf_u64(rb);
	ev->n = rbuf_u32(rb);
	if (rb->err || ev->n > 4096)
		return -EBADMSG;
	ev->nodes = rbuf_take(rb, (size_t)ev->n * 4);
	if (rb->err || rb->left != 0)
		return -EBADMSG;
	return 0;
}

void ipc_ev_totem_put(struct wbuf *wb, uint32_t rep, uint64_t seq,
    const uint32_t *nodes, uint32_t n)
{
	ipc_hdr_put(wb, IPC_EV_TOTEM, 0, 0);
	wbuf_u32(wb, rep);
	wbuf_u64(wb, seq);
	wbuf_u32(wb, n);
	for (uint32_t i = 0; i < n; i++)
		wbuf_u32(wb, nodes[i]);
	ipc_hdr_finish(wb);
}

void ipc_pass_fd(struct msghdr *mh, union ipc_pass_ctl *ctl, int fd)
{
	struct cmsghdr *cm;

	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = sizeof(ctl->buf);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

int ipc_passed_fd(struct msghdr *mh)
{
	int first = -1;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	    cm = CMSG_NXTHDR(mh, cm)) {
		size_t nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (first < 0)
				first = got;
			else
				close(got);
		}
	}
	return first;
}

const char *ipc_socket_path(void)
{
	const char *p = getenv(IPC_SOCKET_ENV);

	return p && *p ? p : IPC_DEFAULT_SOCKET;
}
