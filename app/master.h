/*
 * master.h - the process manager of `membermail serve`.
 *
 * The master owns the listening socket and the workers; it never serves a
 * request.  It handles its signals synchronously (sigtimedwait on a blocked
 * set), so no master state is touched from a signal handler, and the same
 * loop ticks for timed work (respawn back-off, stop deadlines).
 *
 *	QUIT		graceful stop: workers finish their request, up to
 *			shutdown_timeout, then are killed
 *	TERM, INT	fast stop
 *	CHLD		reap; log pid, status or signal, lifetime; respawn
 *
 * Workers live in slots; each slot remembers its pid and start time, so
 * scaling, reload (a new generation started before the old one leaves) and
 * a scoreboard fit in as more slot state and more signals.
 */
#ifndef MM_MASTER_H
#define MM_MASTER_H

struct config;
struct router;

/* Runs the server until stopped; returns the process exit status. */
int	 master_run(const struct config *, const struct router *);

#endif
