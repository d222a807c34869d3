/*
 * listen.h - the master's listening socket.
 *
 * The master creates the socket itself rather than with FCGX_OpenSocket,
 * which unlinks a live server's socket, ignores mode and group, exits on
 * errors and knows no IPv6 (operations.md §2.4).  The descriptor is left
 * without FD_CLOEXEC so that a re-executed master can inherit it.
 */
#ifndef MM_LISTEN_H
#define MM_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

struct config;

struct listener {
	int	 fd;
	int	 is_unix;
	char	 path[108];	/* unix socket path */
	dev_t	 dev;		/* identity of the socket file we bound, */
	ino_t	 ino;		/* so we only ever unlink our own */
};

/*
 * Creates, binds and listens according to cfg (listen, socket_mode,
 * socket_group, backlog).  A unix path already answered by a live server is
 * refused; a stale socket file is removed; any other file is refused.
 * Returns 0, or -1 with the reason in err.
 */
int	 listener_open(struct listener *, const struct config *,
	    char *err, size_t errsz);
/* Closes the socket and removes the socket file if it is still ours. */
void	 listener_close(struct listener *);

#endif
