/*
 * status.h - the status process: /status, /metrics and /ping.
 *
 * The master forks one status process on its own FastCGI socket
 * (status_listen), like php-fpm's pm.status_listen, so the pages answer
 * even when every worker is busy.  It reads the scoreboard the master and
 * the workers write and measures the app socket's accept queue itself
 * (sockdiag.h), for unix sockets too.
 *
 *	/ping			200 "pong\n", to anyone (a liveness probe)
 *	/status			text; ?json, ?full, ?json&full
 *	/metrics		Prometheus text exposition format 0.0.4
 *
 * /status and /metrics answer 403 unless REMOTE_ADDR matches status_allow;
 * any other path is 404, a method other than GET or HEAD 405.  Every
 * response carries Cache-Control: no-store.
 *
 * The page fields and labels are php-fpm's where php-fpm has them:
 *   idle processes	workers waiting in accept (Idle)
 *   active processes	workers serving a request (Running)
 *   total processes	every live worker, so during a start or a reload
 *			it also counts Starting and Exiting ones and may be
 *			more than idle + active
 *   max active processes	the larger of the master's record and now
 *   max listen queue	the larger of the master's samples (every tick) and
 *			the status process's own (every status request)
 *   listen queue len	the socket's backlog as the kernel holds it
 *   start time		text: "28/Nov/2026:08:30:00 +0000", always UTC like the
 *			log lines; JSON: Unix epoch seconds
 * When the queue cannot be measured (no unix_diag in the kernel), text and
 * JSON say 0, as php-fpm would, and /metrics leaves out
 * membermail_listen_queue rather than report a made-up 0.
 *
 * Client bytes on the pages (request method and URI, from the scoreboard)
 * are printable ASCII only: anything else is written %HH.
 */
#ifndef MM_STATUS_H
#define MM_STATUS_H

#include <signal.h>
#include <stdint.h>

#include "lib/buf.h"
#include "pm/scoreboard.h"

struct config;
struct privs;

#define STATUS_OUT_MAX (1024u * 1024) /* bound on one page */

/* A pool's accept queue as the status process measures it. */
struct status_queue {
	int      known;            /* listen_queue succeeded */
	uint32_t listen_queue;     /* connections waiting now */
	uint32_t listen_backlog;   /* kernel's; else sb's */
	uint32_t max_listen_queue; /* the status process's max */
};

/* What the pages show that is not in the scoreboard. */
struct status_extra {
	const char         *pool;                    /* "membermail" */
	const char         *pm;                      /* "static" */
	uint64_t            now_ms;                  /* realtime, for "since" */
	uint64_t            now_mono_ms;             /* monotonic */
	struct status_queue fcgi, lmtp;              /* the sockets */
	uint32_t            rss_kib[SB_MAX_WORKERS]; /* by slot, ?full */
};

/*
 * Serves /status, /metrics and /ping on fd (FastCGI) from sb until told to
 * stop: QUIT finishes the request in flight, TERM exits at once, like a
 * worker.  app_fd and lmtp_fd (-1: none) are the pools' listening
 * sockets, for their listen queues.
 * Expects every signal blocked and restores *unblock once its handlers
 * are installed and privileges dropped.  Never returns.
 */
void status_main(const struct config *, int fd, int app_fd, int lmtp_fd,
    const struct scoreboard *, const struct privs *, const sigset_t *unblock)
    __attribute__((noreturn));

/*
 * The pages, appended to out (bounded by out's max; check out->failed).
 * full adds one record per live worker.  When the LMTP pool runs, its
 * figures follow the FastCGI pool's (text: a second block; JSON: "lmtp";
 * metrics: the same names with pool="lmtp") and each worker's record says
 * its pool.  They read sb as it is: callers
 * wanting consistent numbers pass a copy (status_main does).
 */
void status_text(const struct scoreboard *, const struct status_extra *,
    int full, struct buf *out);
void status_json(const struct scoreboard *, const struct status_extra *,
    int full, struct buf *out);
void status_metrics(const struct scoreboard *, const struct status_extra *,
    struct buf *out);

#endif
