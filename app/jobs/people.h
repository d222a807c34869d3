/*
 * people.h - the users stage of `membermail sync` (sync.h steps 2 and 3):
 * what Launchpad says of each user now, and the rules applied to them.
 *
 * Where a user's person record comes from, cheapest first:
 *
 *   1. the entry of a team's participants fetched this run (full person
 *      entries: is_valid, is_ubuntu_coc_signer, is_team), when it has
 *      those fields: no request of their own;
 *   2. a look-up of their own (launchpad_concurrency at once, while the
 *      rules run for the users before them), when no collection tells and
 *      the record is due (person_check_interval, a sign-in that could not
 *      reach Launchpad, --user), waits for confirmation, the user has no
 *      name left (another identity took it), or the rules would take an
 *      address off them (they may have renamed).  A 404 for the name is
 *      followed by the look-up of their Ubuntu One identity
 *      (getByOpenIDIdentifier): a rename is followed (users.name moves
 *      to the new name, audited); nobody found either way waits for
 *      confirmation (pending.h) and changes nothing meanwhile;
 *   3. else the status stored at the last check.
 *
 * A user Launchpad says is now invalid who was valid is an invalidation;
 * the run holds them all back when they trip the invalidation guard
 * (pending.h) and alerts_to is told.  Person statuses are written when
 * they change or were due; synced_at of everyone the rules ran for.
 */
#ifndef MM_PEOPLE_H
#define MM_PEOPLE_H

struct alerts;
struct lp_client;
struct prov;

struct people_run {
	struct prov      *p; /* domains fetched, arena, database */
	struct lp_client *lp;
	struct alerts    *alerts;
	const char       *user;        /* --user NAME, or NULL */
	int               progress;    /* on stderr */
	int               unavailable; /* out: Launchpad was, for someone */
};

/* The stage; 0, or -1 when the run cannot go on (database, memory). */
int people_sync(struct people_run *);

#endif
