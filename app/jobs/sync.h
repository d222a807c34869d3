/*
 * sync.h - `membermail sync`: membership sync with Launchpad, run every
 * five minutes by deploy/systemd/membermail-sync.timer.
 *
 *	membermail sync [-c FILE] [--user NAME] [--dry-run]
 *	membermail sync [-c FILE] --accept-shrink TEAM
 *
 * One run, under the session advisory lock hashtext('membermail:sync')
 * (a second run says "another sync is running" and exits 3 at once):
 *
 *   1. each participating domain's team is fetched (in series: a few
 *      teams of a few pages each) and stored as a snapshot (snapshot.h);
 *   2. users whose person record is older than person_check_interval, or
 *      who asked for a sync (sign-in could not reach Launchpad), or the
 *      --user, are checked in one batch, launchpad_concurrency at once;
 *   3. meanwhile the rules (provision.h) run for every user, in order, as
 *      soon as their record is in (network waits overlap database writes),
 *      over data loaded in bulk, writing only what changes, one
 *      transaction per change;
 *   4. old snapshots and expired rows are swept (cleanup.h's sweep);
 *   5. a failed run (errors, Launchpad being unavailable aside) mails
 *      alerts_to; the last line on stdout is
 *      "sync: teams N, users N, created N, disabled N, removed N,
 *       unchanged N, errors N, seconds S" (created counts aliases given
 *      back to re-joining members too).
 *
 * The session runs with synchronous_commit off: a crash may lose the last
 * few commits of a run, never corrupt them, and the next run (five minutes
 * later) recomputes every change from Launchpad and the database, so a
 * lost commit is redone; each change and its audit row and e-mail still
 * commit or vanish together.
 *
 * --dry-run fetches and checks as usual but writes nothing, not even the
 * snapshots, and prints each plan ("plan: ~name domain: action ...").
 * --accept-shrink TEAM accepts TEAM's held snapshot (shrink guard) with
 * an audit row, and exits.  Progress goes to stderr when it is a terminal.
 *
 * Exit status: 0 done; 1 errors (some changes failed, bad data from
 * Launchpad, a domain without admins, database or config trouble); 2 usage;
 * 3 another sync is running; 75 (EX_TEMPFAIL) Launchpad unavailable.
 */
#ifndef MM_SYNC_H
#define MM_SYNC_H

/* argv[0] is "sync"; returns the exit status. */
int sync_main(int argc, char *argv[]);

#endif
