/*
 * session.h - one LMTP connection from Postfix, served to its end: the
 * protocol (proto/lmtp.h) over the socket, each RCPT looked up, each
 * message read once for its summary (mime.h) and stored sealed in every
 * recipient's mailbox (deliver.h), with a reply per recipient:
 *	250 2.0.0	stored (or stored already: a retry)
 *	550 5.1.1	no such mailbox
 *	552 5.2.2	over quota (or 452 4.2.2: over_quota_reply)
 *	451 4.3.0	the database failed, or storing the message took
 *			longer than lmtp_timeout: Postfix tries again
 * A client silent for lmtp_timeout gets 421 and is closed.  When the
 * worker is told to stop, a transaction in flight is finished first.
 * The log says per copy which mailbox, message id, queue id and size;
 * never a sender, a subject or a body.
 */
#ifndef MM_MAIL_SESSION_H
#define MM_MAIL_SESSION_H

#include <signal.h>

struct arena;
struct config;
struct db;

struct lmtp_env {
	const struct config         *cfg;
	struct db                   *db;
	struct arena                *arena;    /* reset for each message */
	const char                  *hostname; /* in the greeting */
	const volatile sig_atomic_t *stopping;
	/* Called at each command and message, for the scoreboard. */
	void (*progress)(void *ctx, unsigned long stored);
	void *ctx;
};

/* Serves the connection fd (the caller closes it); copies stored. */
unsigned long lmtp_session(int fd, const struct lmtp_env *);

#endif
