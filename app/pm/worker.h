/*
 * worker.h - one pre-forked worker: the FastCGI accept loop.
 *
 * A worker is forked by the master with every signal blocked; it installs
 * its own handlers, drops privileges, then serves requests until it is
 * told to stop or has served its share of max_requests.  It reports what
 * it does in its scoreboard slot (state, current request, counters) and
 * knows nothing of the other workers; the master knows nothing of requests.
 *
 * Signals: QUIT finishes the request in flight, then exits 0; TERM exits at
 * once; USR1 reopens the log file between requests; INT and the master's
 * control signals are ignored (Ctrl-C in a terminal reaches the group).
 */
#ifndef MM_WORKER_H
#define MM_WORKER_H

#include <signal.h>

struct config;
struct privs;
struct router;
struct scoreboard;

struct worker_env {
	const struct config *cfg;
	int                  listen_fd;
	const struct privs  *privs;
	const struct router *router;
	const sigset_t      *unblock; /* the mask to serve with */
	struct scoreboard   *sb;
	int                  slot; /* this worker's entry */
};

void worker_main(const struct worker_env *) __attribute__((noreturn));

/*
 * This worker's share of max_requests (an LMTP worker's: messages stored),
 * within +-10 %, so that workers started together do not all recycle
 * together; 0: no end.
 */
long worker_budget(const struct config *);

#endif
