/*
 * domain_members.h - what a domain's admins do with its members, as rules,
 * and the listings of a domain: one place for the /domains pages
 * (handlers/domain.c) and the JSON API alike, so the two never differ.
 * Handlers only translate requests and answers; every rule is here.
 *
 * Who may: an admin of the domain, or a site admin.  Anyone else gets
 * APP_EFORBIDDEN, whether or not the domain exists (the route layer's
 * ACCESS_DOMAIN_ADMIN answers the same).  A site admin asking for an
 * unknown domain gets APP_ENOTFOUND; an unknown member of a domain one may
 * see is APP_ENOTFOUND.
 *
 * Domains are named as in their URL (lower case), members by Launchpad
 * name (compared case-insensitively).
 *
 * Every change is one transaction that first locks the domain's row, so
 * two admins acting at once cannot, say, demote each other and leave the
 * domain without an admin; the change, its audit row(s) and nothing else
 * commit together.  A refused change writes nothing.  Refusals fill a
 * struct alias_problem (alias.h: field, stable code, one sentence), the
 * same shape the alias rules use, for the form and the API.
 *
 * Ownership: everything returned lives in the caller's arena; nothing
 * here keeps state between calls.
 */
#ifndef MM_DOMAIN_MEMBERS_H
#define MM_DOMAIN_MEMBERS_H

#include <stddef.h>

#include "lib/err.h"
#include "rules/alias.h"

struct actor;
struct arena;
struct config;
struct db;

#define MEMBER_PAGE_DEFAULT 25
#define MEMBER_PAGE_MAX     100
#define MEMBER_SEARCH_MAX   64  /* bytes of a search prefix */
#define MEMBER_CURSOR_MAX   300 /* bytes of a cursor */
#define MEMBER_ERRORS_MAX   50  /* error log entries shown */

enum member_role {
	MEMBER_ROLE_MEMBER,
	MEMBER_ROLE_ADMIN
};

/* "member", "admin"; and back (-1 for anything else). */
const char *member_role_name(enum member_role);
int         member_role_parse(const char *);

/* ---------------------------------------------------------------- changes */

/*
 * Makes name an admin or a plain member of domain.  Already in that role:
 * APP_OK, nothing written.  Demoting the last admin who is not banned (a
 * banned one cannot sign in): APP_ECONFLICT ("last_admin").  A site admin
 * (the operator's CLI acts as one) may make
 * any user who has signed in an admin, member or not; anyone else acts on
 * members only (APP_ENOTFOUND "no_such_member" / "no_such_user").
 * Audit: domain_member.role, before/after {"role"} (before NULL when the
 * user was not a member).
 */
enum app_err member_set_role(struct db *, struct arena *, const struct actor *,
    const char *domain, const char *name, enum member_role,
    struct alias_problem *why);

/*
 * Removes name from domain: their enabled aliases on it are disabled
 * (reason by-admin; already disabled ones keep their reason), their role
 * row is deleted and so are their error-report de-duplication rows for
 * the domain, so a member who comes back is told of errors again.  Never
 * the last admin who is not banned
 * (APP_ECONFLICT, "last_admin").  Audit: domain_member.remove (before: role and the
 * aliases disabled) and alias.update per alias disabled.  *ndisabled, if
 * not NULL, is how many aliases were disabled.
 */
enum app_err member_remove(struct db *, struct arena *, const struct actor *,
    const char *domain, const char *name, struct alias_problem *why,
    size_t *ndisabled);

/* An extra alias an admin gives a member. */
struct member_new_alias {
	const char *local_part;       /* as typed; lower-cased here */
	const char *recipients;       /* raw list; NULL or blank: the
					   member's email */
	int         assign_protected; /* a site admin hands out a protected
				   local part on purpose */
};

/*
 * Gives member name the alias local_part@domain.  Refused, with *why:
 *   APP_EINVALID	local_part not like mm_valid_local_part ("bad_local_part"),
 *			recipients as alias_parse_recipients, a typed
 *			recipient that is the new address itself
 *			("matches_alias"), or a default (the member's
 *			email) that is no valid forwarding address
 *   APP_ECONFLICT	the address is taken ("taken"), or a member who is
 *			not an admin already owns alias_limit aliases on
 *			the domain ("alias_limit"; admins are exempt)
 * A protected local part, reserved (rules/reserved.h: "reserved") or
 * another user's Launchpad name (their future address on the domain:
 * "launchpad_name"), is APP_EINVALID unless a site admin asks for it with
 * assign_protected; then the alias is audited alias.assign_protected
 * (after.protected: "reserved" or "launchpad-name") and a reserved one is
 * marked reserved_assigned.
 * When the recipients default to the member's email and that email is the
 * new address, the alias is created disabled (matches-recipient), as
 * provisioning does.  Audit: alias.create.  *id, if not NULL, is the new
 * alias's id.
 */
enum app_err member_add_alias(struct db *, struct arena *, const struct actor *,
    const char *domain, const char *name, const struct member_new_alias *,
    struct alias_problem *why, long long *id);

/*
 * Runs provisioning for member name now (provision_signin, provision.h: a
 * fresh person check and the rules on every participating domain, within
 * signin_sync_budget): what the sync would do for them, without waiting
 * for it.  Its changes write their own audit rows (actor sync).  *queued
 * is 1 when Launchpad could not be asked in time: the next sync does it.
 */
enum app_err member_sync(struct db *, const struct config *, struct arena *,
    const struct actor *, const char *domain, const char *name, int *queued);

/* --------------------------------------------------------------- listings */

/* A domain as its admins see it. */
struct domain_view {
	long long   id;
	const char *name;
	const char *team; /* without '~' */
	const char *title;
	const char *verification_token;
	const char *txt_status;     /* unverified, verified, missing, ... */
	const char *txt_checked_at; /* NULL: never */
	const char *txt_last_attempt_at;     /* NULL: never */
	const char *txt_last_attempt_result; /* incl. temporary-failure */
	int         alias_limit;
	int         enabled;
	long long   nmembers;
	long long   nadmins;
	long long   naliases;
	long long   txt_grace_until;         /* Unix time, 0: none */
	const char *txt_last_attempt_detail; /* "" when none */
	const char *default_lang; /* its e-mail's, for whom chose none */
};

enum app_err member_domain(struct db *, struct arena *, const struct actor *,
    const char *domain, struct domain_view *out);

/*
 * Whether the actor may administer domain at all, asked before anything
 * of it is read (the route layer's ACCESS_DOMAIN_ADMIN): APP_OK for an
 * admin of it, or for a site admin without asking the database (what they
 * then ask for says whether the domain exists); APP_EFORBIDDEN for anyone
 * else, whether or not the domain exists; APP_EDB and the like.
 */
enum app_err member_may_administer(struct db *, const struct actor *,
    const char *domain);

/*
 * A page of a listing.  Keyset pagination: `after` is the `next` cursor of
 * the previous page (opaque text), so rows inserted meanwhile never shift
 * or repeat what follows.  A malformed cursor is APP_EINPUT.
 */
struct member_query {
	const char *search; /* prefix; NULL or "" = all */
	const char *after;  /* NULL = the first page */
	int         limit;  /* 0 = MEMBER_PAGE_DEFAULT; at most
					   MEMBER_PAGE_MAX */
	/* Aliases only. */
	int         enabled; /* -1 any, 0 disabled only, 1 enabled only */
	const char *disabled_reason; /* NULL = any */
};

/* One alias in a member row. */
struct member_alias {
	long long   id;
	const char *address;
	int         enabled;
	const char *disabled_reason; /* NULL while enabled */
};

struct member_view {
	long long            user_id;
	const char          *name;         /* Launchpad name */
	const char          *display_name; /* "" when unknown */
	const char          *email;
	enum member_role     role;
	const char          *joined_at;
	struct member_alias *aliases; /* theirs on this domain, by address */
	size_t               naliases;
};

struct member_list {
	struct member_view *items;
	size_t              n;
	const char         *next; /* cursor of the next page, or NULL */
};

/*
 * Members of domain ordered by name; search matches a prefix of the
 * Launchpad name or of the email, case-insensitively.
 */
enum app_err member_list(struct db *, struct arena *, const struct actor *,
    const char *domain, const struct member_query *, struct member_list *out);

struct member_alias_list {
	struct alias_view *items;
	size_t             n;
	const char        *next;
};

/*
 * Aliases of domain ordered by local part; search matches a prefix of the
 * local part; the enabled and disabled_reason filters as in the query.
 * An unknown disabled_reason is APP_EINPUT.
 */
enum app_err member_domain_aliases(struct db *, struct arena *,
    const struct actor *, const char *domain, const struct member_query *,
    struct member_alias_list *out);

/* One member of domain with every alias of theirs there, in full. */
struct member_detail {
	struct member_view member; /* member.aliases: the short form */
	struct alias_view *aliases;
	size_t             naliases;
};

enum app_err member_get(struct db *, struct arena *, const struct actor *,
    const char *domain, const char *name, struct member_detail *out);

/* One audit_log row of a domain. */
struct member_audit_row {
	long long   id;
	const char *at;
	const char *actor_kind; /* user, api, sync, cli, system */
	const char *actor_name; /* "" when none */
	const char *action;
	const char *target_type;
	const char *target_label; /* "" when none */
	const char *before;       /* JSON text or NULL */
	const char *after;
};

struct member_audit_list {
	struct member_audit_row *items;
	size_t                   n;
	const char              *next;
};

/* The domain's audit log, newest first (search and filters unused). */
enum app_err member_audit(struct db *, struct arena *, const struct actor *,
    const char               *domain, const struct member_query *,
    struct member_audit_list *out);

/* One error_log entry of the domain (error_log.domain_id). */
struct member_error_row {
	long long   id;
	const char *message;
	const char *launchpad_name; /* "" when none */
	long long   count;
	const char *first_seen_at;
	const char *last_seen_at;
};

struct member_error_list {
	struct member_error_row *items;
	size_t                   n;
};

/* The MEMBER_ERRORS_MAX most recent error log entries of the domain. */
enum app_err member_errors(struct db *, struct arena *, const struct actor *,
    const char *domain, struct member_error_list *out);

/* The domains user_id administers, by name (all of them for site admins). */
enum app_err member_admin_domains(struct db *, struct arena *,
    const struct actor *, const char ***names, size_t *n);

#endif
