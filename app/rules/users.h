/*
 * users.h - the people who sign in: found by their Ubuntu One claimed id,
 * created at their first sign-in, refreshed at every one.
 */
#ifndef MM_USERS_H
#define MM_USERS_H

#include "lib/err.h"

struct arena;
struct db;
struct rp_identity;

enum signin_outcome {
	SIGNIN_OK,
	SIGNIN_BANNED,   /* refused: the user is banned */
	SIGNIN_NO_EMAIL, /* first sign-in without a shared email */
	SIGNIN_BAD_EMAIL /* first sign-in with an address we cannot use */
};

/*
 * In one transaction: finds or creates the user of a verified identity,
 * refreshes Launchpad name, email and display name from the signed fields,
 * takes the name from a stale holder (a Launchpad rename), moves aliases
 * that forwarded only to the old email to the new one (keeping the
 * email's domain part lower-cased; aliases that cannot follow stay, and
 * users.email_stuck says so: a sign-in never fails over them) with their
 * receipts (recipients.h), unlocks the aliases an undo link locked, and
 * writes the audit rows (with request_id, the request's as the log has
 * it).  Sets *uid and *outcome; APP_EDB and the like on failure.  The
 * receipts' strings come from the arena.
 */
enum app_err users_signin(struct db *, struct arena *, const char *request_id,
    const struct rp_identity *, long long *uid, enum signin_outcome *outcome);

#endif
