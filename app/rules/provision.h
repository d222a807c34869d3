/*
 * provision.h - the provisioning rules, in one place: a
 * pure planner (one user, one domain -> a list of actions) and the engine
 * that loads what the planner needs in bulk and applies each plan as one
 * transaction with its audit rows (actor sync) and its outbox e-mails.
 * `membermail sync` (sync.c) runs it over every user; sign-in runs it for
 * one user (provision_signin).
 *
 * The rules, for user U with Launchpad name N on domain D (only enabled
 * domains whose TXT record is verified take part; a domain without a
 * non-banned admin is logged as an error and left alone):
 *
 *   person lookup unavailable or bad data     nothing changes for U
 *   U is an admin of D, not banned            never disabled, removed or
 *                                             demoted; gets N@D like anyone;
 *       aliases a ban disabled are enabled again
 *   U banned, or person not found, not valid, not a CoC signer, a team,
 *   or another person's entry ("invalid")     U's enabled aliases on D are
 *       disabled (banned / invalid-user), removal in removal_grace_days
 *       (0: deleted at once); a banned admin's are disabled, never
 *       removed, and the role stays;
 *       U and D's admins are told why (once per 30 days) if U is a member
 *       of D or in D's team
 *   valid and in D's team                     aliases the sync disabled
 *       (left-team, invalid-user, banned) are enabled again with their
 *       settings; if U has no alias N@D: it is created forwarding to U's
 *       e-mail (disabled matches-recipient, admins warned, when that e-mail
 *       is N@D itself), unless N is reserved on D (rules/reserved.h), N@D
 *       is someone else's alias or U, not an admin, already owns
 *       alias_limit aliases on D (then U and the admins are told, once per
 *       30 days); U becomes a member of D; admins are told.  An alias
 *       whose reserved local part no site admin assigned is never enabled
 *   valid, not in D's team, and the snapshot trusted for removals
 *                                             U's enabled aliases on D are
 *       disabled left-team at once, removal in removal_grace_days (0: at
 *       once); admins are told
 *   a sync-disabled alias past its remove_at  deleted (admins told) unless
 *       the rules above enable it again; never while removals are held
 *   a `member` of D left without aliases      the membership is pruned;
 *       if U left D's team, U's error reports for D are forgotten
 *
 * Aliases disabled by their owner, an admin or matches-recipient are left
 * as they are.  Every mail goes to each of its people separately, so that
 * nobody sees another's address (notify.h).
 */
#ifndef MM_PROVISION_H
#define MM_PROVISION_H

#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "proto/launchpad.h"
#include "rules/snapshot.h"

struct lang;

struct actor;
struct arena;
struct config;
struct db;

enum person_state {
	PERSON_UNKNOWN, /* lookup unavailable, bad data, never done */
	PERSON_VALID,
	PERSON_NOT_FOUND,
	PERSON_NOT_VALID,
	PERSON_NOT_COC,
	PERSON_IS_TEAM,
	PERSON_NAME_MISMATCH
};

enum membership {
	MEMBER_UNKNOWN,
	MEMBER_NO,
	MEMBER_YES
};
enum role {
	ROLE_NONE,
	ROLE_MEMBER,
	ROLE_ADMIN
};

/* One of the user's aliases on the domain. */
struct prov_alias {
	long long   id;
	const char *local_part;
	int         enabled;
	const char *reason;   /* disabled_reason, "" while enabled */
	int         expired;  /* remove_at has passed */
	int         reserved; /* disabled, and its local part is reserved
				 with no site admin's assignment: the
				 rules never enable it (rules/reserved.h) */
};

/* What the planner knows of one user on one domain. */
struct prov_input {
	const char              *name; /* lower-case Launchpad name */
	const char              *email;
	const char              *domain;
	int                      banned;
	enum person_state        person;
	enum membership          member;
	int                      removals_allowed; /* trusted snapshot */
	enum role                role;
	const struct prov_alias *aliases; /* the user's on the domain */
	size_t                   naliases;
	int                      local_taken; /* name@domain is another's */
	int local_reserved; /* name@domain is reserved: never created */
	int alias_limit;
	int grace_days;
};

enum prov_kind {
	ACT_CREATE,          /* local_part, enabled */
	ACT_CREATE_DISABLED, /* local_part, disabled matches-recipient */
	ACT_ENABLE,          /* alias */
	ACT_DISABLE,         /* alias, reason */
	ACT_DELETE,          /* alias */
	ACT_JOIN,            /* a member row */
	ACT_PRUNE,           /* the member row, if no alias is left;
				   forget: the error reports too */
	ACT_TELL_INVALID,    /* reason: users.person_status or "banned" */
	ACT_NOT_CREATED      /* reason: "reserved", "taken", "limit" or
				"recipient" */
};

struct prov_action {
	enum prov_kind kind;
	long long      alias_id;
	const char    *local_part;
	const char    *reason;
	int            forget;
};

/* Room any plan fits in: one action per alias and four more. */
#define PROV_ACTIONS(naliases) ((naliases) + 4)

/* The plan for in (rules above) into out; the number of actions. */
size_t provision_plan(const struct prov_input *in, struct prov_action *out);

/* users.person_status of a state ("" for PERSON_UNKNOWN), and back. */
const char *person_status_name(enum person_state);
/*
 * A reason of the rules (a person status such as "not-coc-signer", or
 * why an alias was not created: "taken", "limit", "recipient") in words
 * for a person, in language l; the reason itself when unknown.  Static.
 */
const char *provision_reason_words(const char *reason, const struct lang *l);

enum person_state person_from_status(const char *);
/* The state a person entry's is_team, is_valid and CoC flags mean. */
enum person_state person_from_flags(int is_team, int is_valid,
    int is_coc_signer);
/* The state an lp_person outcome for `asked` (lower case) means. */
enum person_state person_from_lp(enum lp_outcome, const struct lp_person *,
    const char *asked);

/*
 * A ban's consequences, in the caller's transaction (rules/site.c): every
 * enabled alias of user uid, on any domain, is disabled "banned" (removal
 * after removal_grace_days, as the sync would: the next sync deletes it
 * when that is 0) and audited as actor; the user and each domain's admins
 * are told as the sync tells an invalid user (once per 30 days, so the
 * sync does not tell them again).  The admin role stays.
 */
enum app_err provision_banned(struct db *, const struct config *,
    struct arena *, const struct actor *, long long uid);

/* ---- the engine */

struct prov_stats {
	long users, created, enabled, disabled, removed, unchanged;
	long errors;
};

/* A participating domain and where its membership comes from. */
struct prov_domain {
	long long    id;
	const char  *name, *team;
	int          alias_limit;
	const char **admins; /* non-banned admins' addresses */
	size_t       nadmins;
	/* The domain's default language, and each admin's (in step). */
	const struct lang  *lang;
	const struct lang **admin_langs;
	struct snapshot     snap;     /* usable when snap.id or names */
	int                 usable;   /* membership is known */
	int                 removals; /* the snapshot is trusted */
};

struct prov_user {
	long long          id;
	const char        *name; /* lower case */
	const char        *email, *claimed_id;
	int                banned;
	int                first; /* not announced to the admins yet */
	enum person_state  person;
	const struct lang *lang; /* their choice, or NULL */
};

struct prov_state; /* the loaded memberships and aliases */
struct prov_bulk;  /* new addresses waiting to be written together */

struct prov {
	struct db           *db;
	const struct config *cfg;
	struct arena        *a;
	int                  dry_run;  /* print plans, write nothing */
	FILE                *plan_out; /* where a dry run prints */
	struct prov_domain  *domains;
	size_t               ndomains;
	struct prov_state   *state;
	struct prov_bulk    *bulk; /* NULL: every change at once */
	struct prov_stats    st;
	/*
	 * Told of every error counted (a stable cause, words in fail_lang,
	 * NULL: English); may be NULL.
	 */
	void (*fail)(void *arg, const char *cause, const char *message);
	void              *fail_arg;
	const struct lang *fail_lang;
};

/*
 * Counts an error and tells p->fail of its cause; fmt is a msgid (marked
 * N_, numbered when it has several directives), translated for p->fail.
 */
void prov_fail(struct prov *, const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* p->domains: the participating domains with their admins. */
enum app_err prov_load_domains(struct prov *);
/*
 * The memberships and aliases the rules look at: all of them (uid 0), or
 * user uid's and the aliases whose local part is name (for one user).
 */
enum app_err prov_load_state(struct prov *, long long uid, const char *name);
/*
 * Applies the rules to u on every usable domain, one transaction per
 * (user, domain) that changes; counts into p->st.  A failed transaction
 * is logged and counted as an error, and the other domains go on.
 */
void prov_user(struct prov *, const struct prov_user *u);
/*
 * Whether the rules would take an address off u because a usable
 * snapshot does not list them (a leaver, or someone who renamed).
 */
int prov_would_take_off(const struct prov *, const struct prov_user *u);
/*
 * Plans that only create addresses and memberships wait in p->bulk (when
 * set) and are written many to a transaction, with the same rows, audit
 * rows and mails as one by one; a batch that fails is redone one plan at
 * a time.  prov_bulk_start readies it, prov_flush writes what waits.
 */
enum app_err prov_bulk_start(struct prov *);
void         prov_flush(struct prov *);
/*
 * Launchpad says user u is now called name (they renamed): users.name
 * moves there, from any stale holder, with an audit row (actor sync).
 */
enum app_err prov_rename(struct prov *, const struct prov_user *u,
    const char *name);
/* Releases what prov_load_state loaded. */
void prov_free(struct prov *);

/*
 * Sign-in provisioning of user uid, so a new member has their alias at
 * once rather than at the next sync: a
 * fresh person check, each participating team's snapshot if at most
 * snapshot_max_age old (else fetched and stored), then the rules, all
 * within signin_sync_budget ms.  When Launchpad is unavailable or the
 * budget runs out, users.sync_requested_at is set (the next sync does
 * it) and *queued is 1.  The worker's Launchpad client is made on first
 * use and kept; provision_cleanup() frees it.
 */
enum app_err provision_signin(struct db *, const struct config *,
    struct arena *, long long uid, int *queued);
void         provision_cleanup(void);

#endif
