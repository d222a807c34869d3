/*
 * worker.h - one pre-forked worker: the FastCGI accept loop.
 *
 * A worker is forked by the master with every signal blocked; it installs
 * its own handlers, drops privileges, then serves requests until it is
 * told to stop or has served max_requests.  It knows nothing of the other
 * workers; the master knows nothing of requests.
 *
 * Signals: QUIT finishes the request in flight, then exits 0; TERM exits at
 * once; INT and the master's control signals are ignored (they are the
 * master's business, e.g. Ctrl-C in a terminal reaches the whole group).
 */
#ifndef MM_WORKER_H
#define MM_WORKER_H

#include <signal.h>

struct config;
struct privs;
struct router;

void	 worker_main(const struct config *, int listen_fd, const struct privs *,
	    const struct router *, const sigset_t *unblock)
	    __attribute__((noreturn));

#endif
