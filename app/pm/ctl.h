/*
 * ctl.h - `membermail ctl`: the operator's handle on a running
 * `membermail serve`, through its pid file, signals and the scoreboard.
 *
 *	membermail ctl [-c FILE] [--timeout S] status
 *	membermail ctl [-c FILE] [--timeout S] reload
 *	membermail ctl [-c FILE] [--timeout S] stop
 *	membermail ctl [-c FILE] [--timeout S] scale N
 *	membermail ctl [-c FILE] [--timeout S] scale-lmtp N
 *	membermail ctl [-c FILE] reopen-logs
 *
 * The master is found through the config's pid_file (which must be set)
 * or --pid-file FILE, and is signalled only when that pid is a live process
 * whose command line says membermail, so a stale file never gets a
 * stranger signalled.  A config that does not load stops `reload` before
 * any signal ("reload refused: file:line: ..."; the master would refuse it
 * too); the other commands then need --pid-file and go on with defaults.
 *
 * status		the scoreboard: master pid, start time and uptime,
 *			generation, workers wanted, total, idle, busy,
 *			starting, exiting, accepted, slow requests, killed by
 *			timeout, crashes, peaks; and the LMTP pool's when it
 *			runs.  While an upgrade (USR2) is
 *			half way, the old master (<pid_file>.oldbin) shows.
 * reload		HUP, then waits until a new generation runs: every
 *			live worker belongs to it and is idle or busy.  A
 *			config the master refuses never gets there: after the
 *			timeout, "reload refused or still in progress - see
 *			the log".
 * stop			QUIT (graceful), then waits until the master is gone.
 * scale N		1 <= N <= max_workers: TTIN or TTOU one at a time,
 *			each time until the master's target (want_workers)
 *			moves (signals of one kind do not queue), then until
 *			N workers run, none starting or exiting.
 * scale-lmtp N		the same for the LMTP pool (the signals carry the
 *			value MASTER_POOL_LMTP, sent with sigqueue(3)).
 * reopen-logs		USR1; nothing to wait for.
 *
 * While an upgrade is half way (only <pid_file>.oldbin names a live
 * master), every command but status fails with "an upgrade is under way".
 *
 * --timeout S (1..86400) bounds every wait; the default is the config's
 * shutdown_timeout + 10 seconds, the time a graceful drain may take.  The
 * scoreboard is the master's (mode 0600): run ctl as root, or as the user
 * the master runs as.
 *
 * Exit status, for scripts:
 */
#ifndef MM_CTL_H
#define MM_CTL_H

#define CTL_EXIT_OK 0 /* done; status: running */
#define CTL_EXIT_FAILED \
	1 /* not done in time, not allowed,
					   unreadable config ... */
#define CTL_EXIT_USAGE \
	2 /* bad arguments; scale N out
					   of 1..max_workers */
#define CTL_EXIT_NOT_RUNNING \
	3 /* no pid file, or it names no
					   live membermail (stop too) */

/* argv[0] is "ctl"; returns one of the exit statuses above. */
int ctl_main(int argc, char *argv[]);

#endif
