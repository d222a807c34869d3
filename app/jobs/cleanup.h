/*
 * cleanup.h - `membermail cleanup`: the periodic sweep of every row that
 * has a lifetime (run hourly by deploy/systemd/membermail-cleanup.timer).
 *
 *	membermail cleanup [-c FILE]
 *
 * Deletes, in one transaction, one DELETE per table, each on its expiry
 * index (no LIMIT: an hour's worth of expired rows is small):
 *
 *	sessions		idle_expires_at	(<= expires_at)
 *	login_states		expires_at
 *	openid_nonces		expires_at
 *	openid_associations	expires_at
 *	rate_limits		expires_at
 *	error_reports		expires_at
 *	error_log		expires_at
 *	mailbox_unlocks		expires_at	(an expired session's
 *						went with it: CASCADE)
 *	outbox			sent_at		(delivered 30 days ago)
 *
 * and prints one line:
 *
 *	cleanup: sessions N, login states N, nonces N, associations N,
 *	rate limits N, error reports N, error log N, mailbox unlocks N,
 *	sent mail N
 *
 * Only one sweep runs at a time: the transaction first takes
 * pg_try_advisory_xact_lock(hashtext('membermail:cleanup')); when another
 * holds it, "cleanup: another cleanup is running" and exit 0.  Within
 * the transaction lock_timeout is 10 s (a row some request holds makes
 * the sweep give up rather than wait; the next run catches up) and
 * statement_timeout 5 min.  It connects with the config's `database`, as
 * the app role (membermail_app may DELETE these tables).
 *
 * Exit status: 0 done (or another sweep was running); 1 error (nothing
 * deleted); 2 usage.
 */
#ifndef MM_CLEANUP_H
#define MM_CLEANUP_H

struct db;

/* argv[0] is "cleanup"; returns the exit status. */
int cleanup_main(int argc, char *argv[]);

/*
 * The sweep over db's connection (`membermail sync` runs it too, on its
 * own), printing its line; the exit status above.
 */
int cleanup_sweep(struct db *);

#endif
