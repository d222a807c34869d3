/*
 * snapshot.h - Launchpad team snapshots: a team's
 * participants as fetched at one time, stored as one team_snapshots row
 * and its member names (lower case), complete or not.
 *
 * A snapshot is complete when lp_participants answered LP_OK: every page
 * fetched and every guard passed.  Its members are the participants whose
 * account is valid (is_probationary, karma 0, does not count: a new
 * member without karma is a member all the same).  Anything else is stored incomplete with its error, and removals
 * never use it.  A snapshot fetched in this process also keeps every
 * participant's entry (entries), which tells the sync what Launchpad says
 * of each of them without a request of their own.
 *
 * Shrink guard: a complete snapshot smaller than the last *trusted* one
 * (complete, and never held or held and accepted) by more than
 * shrink_threshold percent and by more than shrink_min_count members is
 * stored shrink_held: removals for the team
 * wait (additions still happen) until an operator runs `membermail sync
 * --accept-shrink TEAM`.  alerts_to is told when a hold begins (the first
 * held snapshot after the last trusted one), not at every run.
 *
 * Old snapshots are swept: per team the latest, the latest complete and
 * the latest trusted one stay.  The struct and its names belong to the
 * caller's arena.
 */
#ifndef MM_SNAPSHOT_H
#define MM_SNAPSHOT_H

#include <stddef.h>

#include "lib/err.h"
#include "proto/launchpad.h"

struct arena;
struct config;
struct db;

struct snapshot {
	long long        id;      /* team_snapshots.id; 0: none */
	enum lp_outcome  outcome; /* of the fetch (LP_OK if reused) */
	int              complete;
	int              held;  /* shrink-held and not accepted */
	long             age;   /* seconds since it was fetched */
	const char     **names; /* sorted; NULL: ask the database */
	size_t           n;
	struct lp_entry *entries; /* by name, when fetched here */
	size_t           nentries;
	char             error[256]; /* why it is incomplete */
};

/*
 * Fetches team and, if store, keeps it (one transaction: the snapshot,
 * its members, and a held shrink's audit row and alert).  Without store
 * (a dry run) nothing is written; held is still worked out.  APP_OK
 * whatever Launchpad said (see out->outcome and out->complete); an
 * error only when the database failed.
 */
enum app_err snapshot_fetch(struct db *, const struct config *,
    struct lp_client *, struct arena *, const char *team, int store,
    struct snapshot *out);

/* snapshot_fetch of n teams, their pages fetched side by side. */
enum app_err snapshot_fetch_all(struct db *, const struct config *,
    struct lp_client *, struct arena *, const char *const *teams, size_t n,
    int store, struct snapshot *out);

/*
 * The latest complete snapshot of team at most max_age seconds old (0:
 * any age) into *out; out->id is 0 when there is none.
 */
enum app_err snapshot_latest(struct db *, const char *team, long max_age,
    struct snapshot *out);

/*
 * Whether a complete snapshot of `trusted` members followed by one of n
 * is held: smaller by more than threshold percent and more than min_count.
 */
int snapshot_shrink_held(long trusted, size_t n, int threshold, int min_count);

/* The participant entry of name (lower case) when s has entries. */
const struct lp_entry *snapshot_entry(const struct snapshot *,
    const char *name);

/* *yes = whether name (any case) is a member of the snapshot. */
enum app_err snapshot_has(struct db *, const struct snapshot *,
    const char *name, int *yes);

/*
 * Accepts team's latest complete snapshot if it is held, with its audit
 * row (actor cli, by).  *found = 0 when there is nothing to accept.
 */
enum app_err snapshot_accept(struct db *, const char *team, const char *by,
    int *found, long *total);

/* Deletes team's old snapshots (rule above). */
enum app_err snapshot_sweep(struct db *, const char *team);

#endif
