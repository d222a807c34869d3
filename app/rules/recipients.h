/*
 * recipients.h - where an alias's mail may go: recipients confirm before
 * they receive anything, every change of forwarding leaves receipts, and
 * a receipt's link undoes its change.
 *
 * Confirmation.  An address receives an alias's mail only once it agreed:
 * by following the one-use link mailed to it (valid RCPT_LINK_DAYS days;
 * RCPT_RESENDS_MAX more sends, at least RCPT_RESEND_SECONDS apart), or
 * because it is the owner's own Ubuntu One address.  A confirmation stays
 * with its alias.  A change that adds an unconfirmed address becomes the
 * alias's pending change: the alias keeps its recipients until the last
 * new address confirms, which makes the change.  A later change replaces
 * a pending one; asking for the recipients the alias has cancels it.
 * Postfix's view (migration 0007) routes confirmed recipients only.
 *
 * Receipts.  When an alias's recipients change (through alias_update,
 * the last confirmation, or the owner's new Ubuntu One address), its
 * previous recipients and its owner each get a receipt: what changed, by
 * whom, when, and a link (RCPT_LINK_DAYS days, one use) that restores the
 * previous recipients and locks the alias: people's changes (pages, API,
 * CLI) are refused until the owner signs in again, and the owner's
 * sessions end, so the next change needs a fresh sign-in.  A receipt to a
 * previous recipient names no other address; the owner's names the
 * recipients before and after, except addresses of other members.
 *
 * Links carry 32 random bytes (base64url); only their SHA-256 is stored.
 * Opening a link (GET) only shows what it would do; the page's button
 * (POST) does it, so a mail scanner that fetches links changes nothing.
 *
 * Every change here runs in the caller's transaction (the *_tx functions)
 * or is one transaction of its own, with its audit row and its mail.
 * Ownership: results live in the caller's arena.
 */
#ifndef MM_RECIPIENTS_H
#define MM_RECIPIENTS_H

#include <stddef.h>

#include "lib/err.h"

struct actor;
struct alias_view;
struct arena;
struct db;

#define RCPT_LINK_DAYS      7
#define RCPT_RESENDS_MAX    3   /* sends after the first */
#define RCPT_RESEND_SECONDS 300 /* between two sends to one address */

/* Who made a change, as receipts and history name them, in the arena. */
const char *rcpt_actor_words(struct arena *, const struct actor *);

/* What rcpt_change_tx did. */
enum rcpt_outcome {
	RCPT_UNCHANGED, /* the recipients asked for are the alias's */
	RCPT_CHANGED,   /* changed now, receipts queued */
	RCPT_PENDING,   /* waiting for confirmations */
	RCPT_CANCELLED  /* the alias's own recipients asked for again: its
			   pending change is dropped */
};

/*
 * Inside alias_update's transaction: old is the alias as locked, new its
 * recipients asked for (already valid).  Either the change is made now
 * (every address confirmed: receipts queued), or it waits (the pending
 * change stored, links mailed to the new addresses; new->pending holds
 * the change and new->recipients old's again).
 */
enum app_err rcpt_change_tx(struct db *, struct arena *, const struct actor *,
    const struct alias_view *old, struct alias_view *new, enum rcpt_outcome *);

/*
 * Inside alias_update's transaction, when someone other than the owner
 * changed the alias (from old to new): a mail to the owner saying what.
 * A change of recipients made now is left to its receipt.
 */
enum app_err rcpt_tell_owner_tx(struct db *, struct arena *,
    const struct actor *, const struct alias_view *old,
    const struct alias_view *new, enum rcpt_outcome);

/*
 * Inside a transaction that changed alias id's recipients from before to
 * after: the receipt and its mails.  actor is who, in words.
 */
enum app_err rcpt_receipt_tx(struct db *, struct arena *, long long id,
    const char *const *before, size_t nbefore, const char *const *after,
    size_t nafter, const char *actor);

/* Inside alias_remove's transaction: the owner is told v was removed. */
enum app_err rcpt_tell_removed_tx(struct db *, struct arena *,
    const struct actor *, const struct alias_view *v);

/*
 * Inside the transaction that gave a member the alias old (now new, with
 * its recipients' outcome): the member is told.
 */
enum app_err rcpt_tell_created_tx(struct db *, struct arena *,
    const struct actor *, const struct alias_view *old,
    const struct alias_view *new, enum rcpt_outcome);

/* An owner's pending address, as the alias page shows it. */
struct rcpt_pending {
	const char *address;
	int         confirmed;
	const char *sent_at;    /* when the last link went out */
	const char *expires_at; /* when it stops working */
	int         expired;
	int         too_soon; /* a link went out minutes ago */
	int         at_limit; /* no more links for now */
	int         can_resend;
};

/* The pending change of alias id (its addresses, in order); *n is 0 when
 * there is none. */
enum app_err rcpt_pending(struct db *, struct arena *, long long id,
    struct rcpt_pending **out, size_t *n);

/*
 * Sends the link to address again, for the owner (actor) of alias id.
 * APP_ENOTFOUND when the address is not waiting on that alias,
 * APP_ECONFLICT ("resend_limit" or "resend_too_soon") with *why, static.
 */
enum app_err rcpt_resend(struct db *, struct arena *, const struct actor *,
    long long id, const char *address, const char **why);

/* What a confirmation or undo link stands for, for its page. */
struct rcpt_link {
	int          state;      /* RCPT_LINK_* */
	const char  *alias;      /* local@domain */
	const char  *address;    /* confirm: the address asked */
	const char  *actor;      /* who asked, or who changed it */
	const char  *at;         /* when */
	const char  *expires_at; /* the link's expiry */
	const char **before;     /* undo: the recipients it restores */
	size_t       nbefore;
	int          done;    /* the POST: the change just made */
	int          applied; /* confirm: the pending change is made */
};

enum {
	RCPT_LINK_OK,      /* can be used */
	RCPT_LINK_UNKNOWN, /* no such link, or replaced by a newer one */
	RCPT_LINK_USED,    /* already used (or the address confirmed) */
	RCPT_LINK_EXPIRED
};

/*
 * The confirmation link of token; with do_it, confirms it (one
 * transaction: the confirmation, its audit row and, when it was the last
 * one, the pending change with its receipts).  APP_OK with out->state
 * telling whether the link could be used.
 */
enum app_err rcpt_confirm(struct db *, struct arena *, const char *token,
    int do_it, struct rcpt_link *out);

/*
 * The undo link of token; with do_it, undoes its change (one
 * transaction: the previous recipients back, the pending change dropped,
 * the alias locked, the owner's sessions ended, an audit row and a mail
 * to the owner).
 */
enum app_err rcpt_undo(struct db *, struct arena *, const char *token,
    int do_it, struct rcpt_link *out);

/*
 * At the owner's sign-in, inside its transaction: their locked aliases
 * are unlocked (an audit row each).
 */
enum app_err rcpt_unlock_tx(struct db *, long long user_id,
    const char *request_id);

/*
 * Inside the sign-in transaction, after some aliases of user_id followed
 * the owner's new address (users.c): a receipt for each (ids, with the
 * one recipient each had before), and the old address stays confirmed
 * where it remains a recipient.
 */
enum app_err rcpt_email_changed_tx(struct db *, struct arena *,
    const struct actor *, long long user_id, const char *old,
    const long long *ids, const char *const *before, size_t nids);

#endif
