/*
 * listen.h - the master's listening socket.
 *
 * The master creates the socket itself rather than with FCGX_OpenSocket,
 * which unlinks a live server's socket, ignores mode and group, exits on
 * errors and knows no IPv6.  The descriptor is left
 * without FD_CLOEXEC so that a re-executed master can inherit it.
 */
#ifndef MM_LISTEN_H
#define MM_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

/* How a socket is made: its file's mode and group, its listen queue. */
struct listen_opts {
	unsigned int mode;
	const char  *group; /* "" = as created */
	int          backlog;
	const char  *group_key; /* the config key naming group, for errors */
};

struct listener {
	int   fd;
	int   is_unix;
	int   keep_path; /* shared with another master: never unlink */
	char  path[108]; /* unix socket path */
	dev_t dev;       /* identity of the socket file we bound, */
	ino_t ino;       /* so we only ever unlink our own */
};

/*
 * Creates, binds and listens on spec ("unix:/path" or "host:port") as o
 * says.  A unix path already answered by a live server is refused; a
 * stale socket file is removed; any other file is refused.  Returns 0, or
 * -1 with the reason in err.
 */
int listener_open(struct listener *, const char *spec,
    const struct listen_opts *o, char *err, size_t errsz);
/*
 * Takes over a listening descriptor inherited from the previous master
 * (USR2): checks that fd is a listening socket and remembers spec's path
 * so the new master removes it at exit.  0, or -1 with the reason.
 */
int listener_adopt(struct listener *, int fd, const char *spec, char *err,
    size_t errsz);
/* Closes the socket and removes the socket file if it is still ours. */
void listener_close(struct listener *);

#endif
