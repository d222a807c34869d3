/*
 * site.h - the rules of running the service, in one place: the
 * operator CLI (cli/cli_admin.c: `membermail domain|user`) and the site-admin
 * pages (handlers/admin.c: /admin) both check their input here, so a name
 * the one accepts the other accepts too.  They are the schema's own rules
 * (migrations/0001: mm_valid_domain, mm_valid_lp_name, mm_is_line and the
 * domains and users constraints), applied before the database is touched
 * so that a mistake gets a sentence instead of a constraint name.
 *
 * And the changes both make, each one transaction (db_tx) with its
 * audit_log row(s), by the caller's actor (ACTOR_CLI for the CLI,
 * ACTOR_USER for a page): adding a domain, enabling or disabling it and
 * setting its alias limit, and banning, unbanning, granting and revoking
 * site admin.  A ban ends access rather than hiding it: in its transaction
 * the user's sessions are deleted, their API tokens revoked and their
 * aliases disabled (provision_banned), so that unbanning brings none of it
 * back by itself (the next sync enables the aliases of someone still
 * entitled to them; sessions and tokens are made anew).  Asking for what
 * is already so
 * changes nothing and succeeds.  Two rules hold for people on the web but
 * not for an operator at the shell, who made the first site admin and is
 * the way back in: never revoke the last site admin who is not banned
 * (a banned one cannot sign in), and never ban
 * yourself.
 *
 * The input functions are pure; the changes keep nothing past the call.
 */
#ifndef MM_SITE_H
#define MM_SITE_H

#include <stddef.h>

#include "lib/err.h"

struct actor;
struct arena;
struct config;
struct db;

#define SA_TOKEN_LEN 10 /* domains_verification_token_check */
/* The TXT record reads PREFIX=token; to become the config key
 * verification_prefix. */
#define SA_VERIFICATION_PREFIX "membermail-site-verification"
#define SA_TITLE_MAX           64   /* characters: domains_title_check */
#define SA_REASON_MAX          500  /* characters: users_ban_reason_check */
#define SA_ALIAS_LIMIT_MAX     100  /* domains_alias_limit_check */
#define SA_ALIAS_LIMIT_DEFAULT 3    /* the DEFAULT of domains.alias_limit */
#define SA_NAME_MAX            256  /* a Launchpad name and its NUL */
#define SA_REASON_BYTES        2048 /* SA_REASON_MAX characters of UTF-8 */

/*
 * A Launchpad name, as mm_valid_lp_name: [a-z0-9][a-z0-9+.-]+, 255 bytes
 * at most.  `fold` accepts upper case too: users.name is stored as
 * received and compared case-insensitively.
 */
int sa_lp_name_ok(const char *, int fold);

/* What is wrong with a team as typed: it must be "~" + a Launchpad name. */
enum sa_team {
	SA_TEAM_OK,
	SA_TEAM_NO_TILDE, /* a Launchpad name without its '~' */
	SA_TEAM_HOME,     /* "/...": a shell expanded ~TEAM */
	SA_TEAM_BAD
};
enum sa_team sa_team_check(const char *team);

/* A landing page name: [a-z0-9][a-z0-9-]{0,31}. */
int sa_slug_ok(const char *);

/*
 * One line of 1..max characters, as mm_is_line: valid UTF-8 without
 * control characters, C1 (U+0080..U+009F) included.
 */
int sa_line_ok(const char *, size_t max);

/* An alias limit: a whole number of 0..SA_ALIAS_LIMIT_MAX, or -1. */
int sa_alias_limit(const char *);

/* A fresh verification token: SA_TOKEN_LEN alphanumerics and a NUL. */
void sa_make_token(char tok[SA_TOKEN_LEN + 1]);

/* Why a change was refused (APP_ECONFLICT, APP_ENOTFOUND). */
enum sa_refusal {
	SA_NONE,
	SA_NAME_TAKEN,  /* a domain of this name exists */
	SA_SLUG_TAKEN,  /* another domain has this slug */
	SA_TOKEN_TAKEN, /* the random token collided: try again */
	SA_NO_USER,     /* no such user (they have never signed in) */
	SA_LAST_SITE_ADMIN,
	SA_SELF_BAN
};

/* A domain to add; its input checked with the rules above. */
struct sa_domain_new {
	const char *name;
	const char *team;         /* with its '~' */
	const char *slug, *title; /* or NULL */
	int         alias_limit;
	int         enabled;
	const char *admin; /* an existing user's name, or NULL */
};

struct sa_domain_added {
	long long       id;
	char            token[SA_TOKEN_LEN + 1];
	char            admin[SA_NAME_MAX]; /* as stored */
	int             admin_banned;
	enum sa_refusal refused;
};

/*
 * Adds the domain with a fresh verification token (and makes `admin` its
 * admin), with the audit rows domain.add (and domain_member.add).  APP_OK;
 * APP_ECONFLICT (name, slug or token taken) or APP_ENOTFOUND (no such
 * admin) with out->refused, nothing written; APP_EDB and the like.
 */
enum app_err sa_domain_add(struct db *, const struct actor *,
    const struct sa_domain_new *, struct sa_domain_added *out);

/* What to set of a domain; -1 leaves a value as it is. */
struct sa_domain_set {
	int enabled;     /* 1 or 0 */
	int alias_limit; /* 0..SA_ALIAS_LIMIT_MAX */
};

/*
 * Sets the domain `name` (its row locked) as `set` says, with the audit
 * row domain.alias_limit when a limit is set, else domain.enable or
 * domain.disable (before and after).  APP_OK with *changed 0 when it
 * already was so (nothing written); APP_ENOTFOUND for no such domain.
 */
enum app_err sa_domain_set(struct db *, const struct actor *, const char *name,
    const struct sa_domain_set *, int *changed);

/*
 * Whether logo may name a community's mark: a file name of the static
 * directory's logos/ folder, [a-z0-9][a-z0-9_.-]* ending .svg, .png or
 * .webp, at most 68 characters (domains_logo_check).
 */
int sa_logo_ok(const char *logo);
/*
 * Sets the domain's logo (NULL: the generic mark), its row locked, with
 * the audit row domain.logo; APP_OK with *changed 0 when it already was.
 */
enum app_err sa_domain_logo(struct db *, const struct actor *, const char *name,
    const char *logo, int *changed);

enum sa_user_op {
	SA_BAN, /* with a reason, one line of 1..500 */
	SA_UNBAN,
	SA_GRANT, /* site admin */
	SA_REVOKE
};

struct sa_user_done {
	long long       id;
	char            name[SA_NAME_MAX];
	char            reason[SA_REASON_BYTES]; /* the ban's, if it was */
	int             changed;                 /* 0: it already was so */
	enum sa_refusal refused;
};

/*
 * Changes the user `id`, or when id is 0 the user named `name` (compared
 * case-insensitively), with the audit row user.ban, user.unban,
 * user.site_admin.grant or user.site_admin.revoke (before and after).
 * A ban also writes user.sessions_end (how many) and api_token.revoke per
 * token, and provisioning's rows and mails (cfg and the arena serve
 * those; templates must be loaded).  The row is locked from the check to
 * the commit.  APP_OK (out->changed says whether anything changed);
 * APP_ENOTFOUND (SA_NO_USER) or APP_ECONFLICT (SA_LAST_SITE_ADMIN,
 * SA_SELF_BAN) with nothing written.
 */
enum app_err sa_user_change(struct db *, const struct config *, struct arena *,
    const struct actor *, long long id, const char *name, enum sa_user_op,
    const char *reason, struct sa_user_done *out);

#define SA_ADDRESS_MAX 256 /* an address and its NUL */

/*
 * addr as a role recipient into out: its domain lower-cased, then valid
 * as an alias's recipient (alias_recipient_valid); 0, or -1.
 */
int sa_role_recipient(const char *addr, char *out, size_t outsz);

/*
 * Where postmaster@ and abuse@ of the domain go (Postfix's postfix_roles
 * view): addr (sa_role_recipient), or NULL (or "") for the domain's admins
 * again.  One transaction, the domain's row locked, with the audit row
 * domain.role_recipient.  APP_OK (*changed: whether it was otherwise),
 * APP_EINVALID for a refused address, APP_ENOTFOUND for no such domain.
 */
enum app_err sa_domain_role_recipient(struct db *, const struct actor *,
    const char *domain, const char *addr, int *changed);

#endif
