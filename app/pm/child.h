/*
 * child.h - what every process the master forks to serve FastCGI (the
 * workers and the status process) does before its first request.
 *
 * child_setup names the process (ps, top), installs the signal handlers
 * (after FCGX_Init, which installs its own), drops privileges, arranges to
 * die with the master, then unblocks signals.  Handlers use SA_RESTART so
 * a request in flight is never interrupted:
 *	QUIT	child_stopping = 1, and a dead socket is dup2()ed over the
 *		listening descriptor: an idle accept() restarted by the kernel
 *		fails at once, a busy child finishes first (php-fpm's trick)
 *	TERM	default: exit at once
 *	USR1	child_reopen_logs = 1, for the loop to act on between requests
 *	others	ignored: INT reaches the whole group from a terminal, the
 *		master's control signals are the master's business
 * Setup failures are fatal (log_fatal): the master logs and respawns.
 */
#ifndef MM_CHILD_H
#define MM_CHILD_H

#include <signal.h>

#include <fcgiapp.h>

struct privs;

extern volatile sig_atomic_t child_stopping;
extern volatile sig_atomic_t child_reopen_logs;

void child_setup(const char *name, int listen_fd, const struct privs *,
    const sigset_t *unblock);
/*
 * Waits for the next request on the socket given to child_setup (and
 * reopens the log first if USR1 asked): 1 with one, 0 when told to stop,
 * -1 when accept failed (logged).
 */
int child_accept(FCGX_Request *);
/*
 * The same for a plain connection (the LMTP workers): 1 with *fd set (the
 * caller closes it), 0 when told to stop, -1 when accept failed (logged).
 */
int child_accept_fd(int *fd);
/*
 * Sends the rest of the response and the end of the request, and closes
 * the connection (unless the web server asked to keep it).  libfcgi's own
 * close half-closes, then waits (up to 2 s) for the web server to close
 * first, reading what it sends, so that nothing it sent is left unread (a
 * close with unread data resets the connection, which may cost the web
 * server the answer): a poll, a read and a wake-up per request, the worker
 * unable to accept meanwhile.  A request without a body ends with an
 * empty STDIN record, which the web server sends with the rest (nginx
 * writes the whole request at once): reading up to it (at most
 * CHILD_DRAIN_MAX bytes) leaves nothing unread, and the worker closes at
 * once.  A request with a body is closed libfcgi's way.
 */
#define CHILD_DRAIN_MAX 65536
void child_finish(FCGX_Request *);

#endif
