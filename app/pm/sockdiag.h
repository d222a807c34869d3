/*
 * sockdiag.h - how many connections wait in a listening socket's accept
 * queue, for unix sockets too.
 *
 * php-fpm reads the queue with TCP_INFO only, so its "listen queue" is
 * always 0 on unix sockets.  Linux tells us for unix
 * sockets through NETLINK_SOCK_DIAG (what `ss -xl` shows as Recv-Q and
 * Send-Q), and for TCP through TCP_INFO on the listening socket.
 *
 * Bounded: one netlink request and reply on the stack, a receive timeout,
 * no heap.  The unix path needs the kernel's unix_diag (CONFIG_UNIX_DIAG,
 * usually a module loaded on demand); without it the call fails with
 * ENOENT or EOPNOTSUPP and callers report the queue as unknown.
 */
#ifndef MM_SOCKDIAG_H
#define MM_SOCKDIAG_H

#include <stdint.h>

/*
 * Stores the connections waiting to be accepted on the listening socket fd
 * (AF_UNIX, AF_INET or AF_INET6) in *queued and the socket's backlog as
 * the kernel holds it (the listen(2) argument capped by somaxconn) in
 * *backlog.  Returns 0, or -1 with errno: EINVAL when fd is not listening,
 * EAFNOSUPPORT for another family, or the error of the query.
 */
int listen_queue(int fd, uint32_t *queued, uint32_t *backlog);

#endif
