/*
 * alias.h - the rules for changing an alias: one place, used by the
 * member pages, the domain-admin pages, the site-admin pages and the JSON
 * API alike.  Provisioning (provision.c) creates, disables and
 * deletes aliases by its own rules and writes its own audit
 * rows; everything a person changes goes through here.
 *
 * Who may change an alias: its owner while they are a member of its
 * domain (role member or admin), an admin of its domain, or a site admin.
 * For anyone else the alias does not exist (APP_ENOTFOUND, so a 404 that
 * does not reveal other people's aliases).
 *
 * What may change (each one optional in a change):
 *   recipients   1..10 addresses (valid_address syntax, RFC 5321 lengths:
 *                local part <= 64, whole <= 254 octets, ASCII only), domain
 *                part lower-cased, duplicates dropped, never the alias's own
 *                address while it is enabled, no control characters.  The
 *                raw text may separate them by commas, spaces or newlines.
 *   enabled      an owner's "disabled" is reason by-owner, an admin's is
 *                by-admin; enabling clears the reason and any scheduled
 *                removal.  An owner cannot enable an alias an admin or the
 *                sync disabled (APP_EFORBIDDEN with a reason).
 *   description  one line, at most 150 characters.
 *   reply_code   250, 421 or 550: the SMTP answer while disabled.
 * An owner cannot rename, create or delete an alias.
 *
 * Recipients go through recipients.h: an address that has not agreed to
 * the alias's mail makes the change wait for its confirmation, and every
 * change of recipients leaves receipts.  A change by anyone but the owner
 * is mailed to the owner.  An alias locked by a receipt's undo link takes
 * no change until its owner signs in again (APP_ECONFLICT, "locked").
 *
 * Every successful change is one transaction: the UPDATE, its audit row
 * (before and after as JSON) and, where the reference service tells
 * someone, the notifications.  A refused change writes nothing.
 */
#ifndef MM_ALIAS_H
#define MM_ALIAS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "lib/err.h"

struct arena;
struct db;
struct actor;

#define ALIAS_RECIPIENTS_MAX  10
#define ALIAS_DESCRIPTION_MAX 150 /* characters */

/* Which fields of struct alias_change are set. */
#define ALIAS_SET_RECIPIENTS  0x1
#define ALIAS_SET_ENABLED     0x2
#define ALIAS_SET_DESCRIPTION 0x4
#define ALIAS_SET_REPLY_CODE  0x8

struct alias_change {
	unsigned int set;        /* ALIAS_SET_* bits */
	const char  *recipients; /* raw list, as typed */
	int          enabled;
	const char  *description;
	int          reply_code; /* 250, 421 or 550 */
	/*
	 * Optimistic concurrency: the updated_at the client saw (as
	 * PostgreSQL prints it), or NULL not to check.  A different one is
	 * APP_ECONFLICT.
	 */
	const char *if_updated_at;
};

/*
 * Why a change was refused, for the form (shown next to the field, the
 * input kept) and the API ({"error": code, "field": field, "message"}).
 * All strings are static.
 */
struct alias_problem {
	const char *field;   /* "recipients", ... or NULL */
	const char *code;    /* stable: "too_many_recipients", ... */
	const char *message; /* one sentence for a person */
};

/* One alias as the pages and the API show it; strings in the arena. */
struct alias_view {
	long long    id;
	long long    domain_id;
	long long    user_id;
	const char  *address;    /* local@domain */
	const char  *owner_name; /* Launchpad name */
	const char **recipients;
	size_t       nrecipients;
	int          enabled;
	const char  *disabled_reason; /* NULL while enabled */
	int          reply_code;
	const char  *description;
	const char  *remove_at; /* scheduled removal, or NULL */
	const char  *created_at;
	const char  *updated_at;
	/* A change waiting for its new recipients to confirm
	   (recipients.h); npending 0 when none. */
	const char **pending;
	size_t       npending;
	int          locked; /* an undo locked it until the owner signs in */
};

/*
 * Loads alias id if actor may see it (rules above); APP_ENOTFOUND if it
 * does not exist or is not theirs to see.
 */
enum app_err alias_get(struct db *, struct arena *, const struct actor *,
    long long id, struct alias_view *out);

/*
 * Applies change to alias id for actor.  APP_OK (and *out, if not NULL,
 * holds the alias after the change); APP_ENOTFOUND as alias_get;
 * APP_EINVALID or APP_EFORBIDDEN with *why filled; APP_ECONFLICT when
 * if_updated_at no longer matches; APP_EDB and the like.
 */
enum app_err alias_update(struct db *, struct arena *, const struct actor *,
    long long id, const struct alias_change *, struct alias_problem *why,
    struct alias_view *out);

/*
 * Removes alias id, for an admin of its domain, a site admin or the
 * operator (its owner gets APP_ENOTFOUND, as anyone else does: an owner
 * cannot remove an alias).  Refused with *why: APP_ECONFLICT "locked" (an
 * undo locked it) or "has_mailbox" (its stored mail goes only with the
 * mailbox).  One transaction: the row (its confirmations and receipts
 * with it), the audit row alias.delete (before: owner, recipients,
 * enabled) and a mail to the owner.
 */
enum app_err alias_remove(struct db *, struct arena *, const struct actor *,
    long long id, struct alias_problem *why);

/*
 * Whether addr, already in normal form (domain part lower-cased), may be a
 * recipient: the per-address rules above (provisioning checks a user's
 * e-mail with it before making it an alias's recipient).
 */
int alias_recipient_valid(const char *addr);

/*
 * Parses and normalises a raw recipient list into at most
 * ALIAS_RECIPIENTS_MAX arena strings, as the rules above say (the
 * self-address check is alias_update's).  0, or -1 with *why filled.
 */
int alias_parse_recipients(struct arena *, const char *raw, const char ***out,
    size_t *n, struct alias_problem *why);

/*
 * v's recipients one per line (a form's text, and what STMT_ALIAS_UPDATE
 * takes), in the arena; NULL when out of memory.
 */
const char *alias_recipients_text(struct arena *, const struct alias_view *);

/*
 * Row `row' of a result whose first columns are ALIAS_VIEW_COLUMNS (store/sql.c)
 * into v, strings in the arena (the member listings use it too).
 */
enum app_err alias_view_row(struct arena *, PGresult *, int row,
    struct alias_view *v);

#endif
