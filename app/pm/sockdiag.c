/* sockdiag.c - accept-queue length of a listening socket; see sockdiag.h. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pm/sockdiag.h"

/* linux/inet_diag.h: a cookie of all ones means "any socket". */
#define DIAG_NOCOOKIE (~0U)
/* The kernel answers at once; this only bounds a misbehaving kernel. */
#define DIAG_TIMEOUT_MS 500
/* One unix_diag_msg with the RQLEN attribute is well under 100 bytes. */
#define DIAG_REPLY_MAX 1024

struct diag_request {
	struct nlmsghdr      nlh;
	struct unix_diag_req req;
};

/* TCP and TCP over IPv6: TCP_INFO reports a listener's queue. */
static int
tcp_queue(int fd, uint32_t *queued, uint32_t *backlog)
{
	struct tcp_info ti;
	socklen_t       len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	if (ti.tcpi_state != TCP_LISTEN) {
		errno = EINVAL;
		return -1;
	}
	*queued = ti.tcpi_unacked; /* sk_ack_backlog while listening */
	*backlog = ti.tcpi_sacked; /* sk_max_ack_backlog */
	return 0;
}

/* A netlink socket to the kernel's sock_diag, with a receive timeout. */
static int
diag_open(void)
{
	struct timeval tv;
	int            nl;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	tv.tv_sec = 0;
	tv.tv_usec = DIAG_TIMEOUT_MS * 1000;
	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		close(nl);
		return -1;
	}
	return nl;
}

/* Asks for the one listening unix socket with inode `ino`. */
static int
diag_send(int nl, uint32_t ino, uint32_t seq)
{
	struct diag_request rq;
	struct sockaddr_nl  kernel;
	ssize_t             n;

	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST;
	rq.nlh.nlmsg_seq = seq;
	rq.req.sdiag_family = AF_UNIX;
	rq.req.udiag_states = 1U << TCP_LISTEN;
	rq.req.udiag_ino = ino;
	rq.req.udiag_show = UDIAG_SHOW_RQLEN;
	rq.req.udiag_cookie[0] = DIAG_NOCOOKIE;
	rq.req.udiag_cookie[1] = DIAG_NOCOOKIE;
	memset(&kernel, 0, sizeof(kernel));
	kernel.nl_family = AF_NETLINK;
	do
		n = sendto(nl, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel,
		    sizeof(kernel));
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != sizeof(rq)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * The reply is parsed by offsets with memcpy rather than with the
 * NLMSG_* and RTA_* macros, which cast const away and compare signed with
 * unsigned: every length read from it is checked against what we hold.
 */

/* A unix_diag_msg and its attributes: finds UNIX_DIAG_RQLEN. */
static int
diag_msg(const unsigned char *p, size_t len, uint32_t ino, uint32_t *queued,
    uint32_t *backlog)
{
	struct unix_diag_msg   m;
	struct unix_diag_rqlen rql;
	struct rtattr          a;
	size_t                 off;

	if (len < sizeof(m)) {
		errno = EIO;
		return -1;
	}
	memcpy(&m, p, sizeof(m));
	if (m.udiag_ino != ino || m.udiag_state != TCP_LISTEN) {
		errno = m.udiag_ino != ino ? EIO : EINVAL;
		return -1;
	}
	for (off = NLMSG_ALIGN(sizeof(m)); off < len && len - off >= sizeof(a);
	     off += RTA_ALIGN(a.rta_len)) {
		memcpy(&a, p + off, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len - off)
			break;
		if (a.rta_type != UNIX_DIAG_RQLEN ||
		    a.rta_len - sizeof(a) < sizeof(rql))
			continue;
		memcpy(&rql, p + off + sizeof(a), sizeof(rql));
		*queued = rql.udiag_rqueue;  /* connections not accepted */
		*backlog = rql.udiag_wqueue; /* sk_max_ack_backlog */
		return 0;
	}
	errno = EOPNOTSUPP; /* a kernel without UDIAG_SHOW_RQLEN */
	return -1;
}

/* An NLMSG_ERROR payload: the kernel's negative errno. */
static int
diag_error(const unsigned char *p, size_t len)
{
	struct nlmsgerr e;

	errno = EIO;
	if (len >= sizeof(e)) {
		memcpy(&e, p, sizeof(e));
		if (e.error < 0)
			errno = -e.error;
	}
	return -1;
}

/* Reads the reply to request `seq` about socket `ino`. */
static int
diag_recv(int nl, uint32_t ino, uint32_t seq, uint32_t *queued,
    uint32_t *backlog)
{
	unsigned char   b[DIAG_REPLY_MAX];
	struct nlmsghdr h;
	const size_t    hl = NLMSG_ALIGN(sizeof(h));
	size_t          off, n;
	ssize_t         rc;

	do
		rc = recv(nl, b, sizeof(b), 0);
	while (rc == -1 && errno == EINTR);
	if (rc == -1)
		return -1;
	n = (size_t)rc;
	for (off = 0; off < n && n - off >= hl;
	     off += NLMSG_ALIGN(h.nlmsg_len)) {
		memcpy(&h, b + off, sizeof(h));
		if (h.nlmsg_len < hl || h.nlmsg_len > n - off)
			break;
		if (h.nlmsg_seq != seq)
			continue;
		if (h.nlmsg_type == NLMSG_ERROR)
			return diag_error(b + off + hl, h.nlmsg_len - hl);
		if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY)
			return diag_msg(b + off + hl, h.nlmsg_len - hl, ino,
			    queued, backlog);
	}
	errno = EIO; /* truncated, or not an answer to our request */
	return -1;
}

/* Unix sockets: ask sock_diag about the socket's inode. */
static int
unix_queue(int fd, uint32_t *queued, uint32_t *backlog)
{
	static uint32_t seq;
	struct stat     st;
	int             nl, rc, saved;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_ino > UINT32_MAX) { /* socket inodes are 32-bit */
		errno = EOVERFLOW;
		return -1;
	}
	if ((nl = diag_open()) == -1)
		return -1;
	seq++;
	rc = diag_send(nl, (uint32_t)st.st_ino, seq);
	if (rc == 0)
		rc = diag_recv(nl, (uint32_t)st.st_ino, seq, queued, backlog);
	saved = errno;
	close(nl);
	errno = saved;
	return rc;
}

int
listen_queue(int fd, uint32_t *queued, uint32_t *backlog)
{
	struct sockaddr_storage ss;
	socklen_t               len = sizeof(ss);
	int                     on = 0;
	socklen_t               onlen = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &onlen) == -1)
		return -1;
	if (!on) {
		errno = EINVAL;
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	switch (ss.ss_family) {
	case AF_UNIX:
		return unix_queue(fd, queued, backlog);
	case AF_INET:
	case AF_INET6:
		return tcp_queue(fd, queued, backlog);
	default:
		errno = EAFNOSUPPORT;
		return -1;
	}
}
