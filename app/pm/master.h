/*
 * master.h - the process manager of `membermail serve`.
 *
 * The master owns the listening sockets, the scoreboard and the workers; it
 * never serves a request.  It handles its signals synchronously
 * (sigtimedwait on a blocked set), so no master state is touched from a
 * signal handler, and the same loop ticks every 100-500 ms for timed work.
 *
 *	TTIN, TTOU	one worker more or less (1..max_workers); sent
 *			with sigqueue(3) and the value MASTER_POOL_LMTP,
 *			in the LMTP pool
 *	HUP		re-read the config; a bad one is refused and the old
 *			one keeps running; else a new generation of workers
 *			starts, and the old one is told to leave only once
 *			every new worker accepts (never a moment without)
 *	USR1		reopen log files (master, workers, status process)
 *	USR2		re-execute the binary with the listening sockets; the
 *			new master tells the old one to leave once its own
 *			workers accept, and the old one stays in charge if
 *			the new one dies first
 *	QUIT		graceful stop: requests finish, up to shutdown_timeout
 *	TERM, INT	fast stop
 *	CHLD		reap; log pid, status or signal, lifetime; respawn
 *
 * Also: requests past request_timeout get their worker killed (logged,
 * counted); crashing workers are respawned with back-off, and crash_limit
 * crashes within crash_interval make the master give up (exit 1, for the
 * supervisor); "all workers busy" episodes are logged and counted; the
 * status process (status_listen) serves the scoreboard; systemd is told
 * READY, RELOADING, STOPPING and the new MAINPID after an upgrade.
 */
#ifndef MM_MASTER_H
#define MM_MASTER_H

struct config;
struct router;

/* The sigqueue(3) value of a TTIN or TTOU for the LMTP pool. */
#define MASTER_POOL_LMTP 0x4c4d5450 /* "LMTP" */

/*
 * Runs the server until stopped; returns the process exit status.  cfg is
 * copied; cfg_path is re-read on HUP; argv is re-executed on USR2.
 */
int master_run(const struct config *cfg, const char *cfg_path,
    char *const argv[], const struct router *);

#endif
