/*
 * sockdiag.c: how many bytes the peer of a unix stream socket has not
 * read yet, from the kernel's socket diagnostics (NETLINK_SOCK_DIAG,
 * unix_diag, as `ss -x` shows them).
 *
 * SIOCOUTQ on our end counts the kernel's buffers whole, each up to about
 * 36 KiB, and frees one only once it is read to its end: a client that
 * reads one small event a second may show no change for minutes. The
 * peer's receive queue in diagnostics is exact to the byte (a buffer
 * partly read counts only its rest), so bytes written minus this is what
 * the client consumed, and it only grows.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/sockdiag.h"

#define DIAG_REPLY_MAX 8192

/* Asks for socket `ino` with `show` and copies attribute `attr` (of
 * `len` bytes) into `out`. 0 or -errno (-ENOENT: no such socket or no
 * such attribute). */
static int diag_attr(uint32_t ino, uint32_t show, unsigned short attr,
    void *out, size_t len)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST,
		},
		.req = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0u,
			.udiag_ino = ino,
			.udiag_show = show,
			.udiag_cookie = { ~0u, ~0u },
		},
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	_Alignas(struct nlmsghdr) uint8_t buf[DIAG_REPLY_MAX];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct unix_diag_msg *m;
	ssize_t n;
	size_t off;
	int fd, rc = -ENOENT;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
	    sizeof(nl)) < 0) {
		rc = -errno;
		goto out;
	}
	do {
		n = recv(fd, buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	if ((size_t)n < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN ||
	    h->nlmsg_len > (size_t)n) {
		rc = -EBADMSG;
		goto out;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0)
			rc = e->error;
		goto out;
	}
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		goto out;
	m = NLMSG_DATA(h);
	if (m->udiag_ino != ino)
		goto out;
	/* The attributes, each aligned, to the end of the message. */
	for (off = NLMSG_LENGTH(sizeof(*m)); off + RTA_LENGTH(0) <= h->nlmsg_len;) {
		const struct rtattr *a = (const struct rtattr *)(buf + off);

		if (a->rta_len < RTA_LENGTH(0) || off + a->rta_len > h->nlmsg_len)
			break;
		if (a->rta_type == attr && RTA_PAYLOAD(a) >= len) {
			memcpy(out, RTA_DATA(a), len);
			rc = 0;
			break;
		}
		off += RTA_ALIGN(a->rta_len);
	}
out:
	close(fd);
	return rc;
}

int unix_peer_unread(int fd, uint32_t *peer_ino, uint64_t *unread)
{
	struct unix_diag_rqlen rq;
	struct stat st;
	int rc;

	if (*peer_ino == 0) {
		if (fstat(fd, &st) < 0)
			return -errno;
		rc = diag_attr((uint32_t)st.st_ino, UDIAG_SHOW_PEER,
		    UNIX_DIAG_PEER, peer_ino, sizeof(*peer_ino));
		if (rc < 0 || *peer_ino == 0) {
			*peer_ino = 0;
			return rc < 0 ? rc : -ENOENT;
		}
	}
	rc = diag_attr(*peer_ino, UDIAG_SHOW_RQLEN, UNIX_DIAG_RQLEN, &rq,
	    sizeof(rq));
	if (rc == 0)
		*unread = rq.udiag_rqueue;
	return rc;
}
