/*
 * pending.h - answers from Launchpad that would make a user invalid
 * without the usual evidence wait here (table person_pending) until they
 * are confirmed:
 *
 *   - a person Launchpad finds neither under their name nor by their
 *     Ubuntu One identity (a rename in progress, a glitch): unknown until
 *     then, so nothing changes for them;
 *   - the invalidation guard: when more than invalidation_threshold % of
 *     the users a run checked, and more than invalidation_min_count of
 *     them, would become invalid, every one of those changes waits.
 *
 * A waiting answer is confirmed when Launchpad has given it in
 * confirm_runs runs over at least confirm_period seconds, or when an
 * operator accepted it (`membermail sync --accept-invalidations`); the
 * sync then applies it.  One Launchpad no longer gives is forgotten.
 */
#ifndef MM_PENDING_H
#define MM_PENDING_H

#include <stddef.h>

#include "lib/err.h"

struct arena;
struct config;
struct db;

struct pending {
	long long   user_id;
	const char *status; /* users.person_status it would set */
	int         runs;
	long        age; /* seconds since it was first seen */
	int         accepted;
};

/* Every waiting answer, by user id, into the arena. */
enum app_err pending_load(struct db *, struct arena *, struct pending **,
    size_t *);
/* The waiting answer of user uid, or NULL. */
const struct pending *pending_find(const struct pending *, size_t,
    long long uid);
/* Whether p may now be applied (rule above). */
int pending_confirmed(const struct config *, const struct pending *);
/* Whether `invalid` of `checked` users becoming invalid trips the guard. */
int pending_guard_holds(const struct config *, long checked, long invalid);

/*
 * ids and statuses are PostgreSQL array literals ("{1,2}", "{a,b}"):
 * pending_seen records one more sighting of each; pending_forget drops
 * them.
 */
enum app_err pending_seen(struct db *, const char *ids, const char *statuses);
enum app_err pending_forget(struct db *, const char *ids);

/*
 * Accepts every answer waiting now, with one audit row (actor cli, by);
 * *n = how many.  The next sync applies those Launchpad still gives.
 */
enum app_err pending_accept(struct db *, const char *by, long *n);

#endif
