/*
 * siteadmin.h - the rules of running the service, in one place: the
 * operator CLI (admin.c: `membermail domain|user`) and the site-admin
 * pages (handlers/admin.c: /admin) both check their input here, so a name
 * the one accepts the other accepts too.  They are the schema's own rules
 * (migrations/0001: mm_valid_domain, mm_valid_lp_name, mm_is_line and the
 * domains and users constraints), applied before the database is touched
 * so that a mistake gets a sentence instead of a constraint name.
 *
 * Pure functions over the caller's strings; nothing is kept.
 */
#ifndef MM_SITEADMIN_H
#define MM_SITEADMIN_H

#include <stddef.h>

#define SA_TOKEN_LEN		10	/* domains_verification_token_check */
/* The TXT record reads PREFIX=token; to become the config key
 * verification_prefix. */
#define SA_VERIFICATION_PREFIX	"membermail-site-verification"
#define SA_TITLE_MAX		64	/* characters: domains_title_check */
#define SA_REASON_MAX		500	/* characters: users_ban_reason_check */
#define SA_ALIAS_LIMIT_MAX	100	/* domains_alias_limit_check */

/*
 * A Launchpad name, as mm_valid_lp_name: [a-z0-9][a-z0-9+.-]+, 255 bytes
 * at most.  `fold` accepts upper case too: users.name is stored as
 * received and compared case-insensitively.
 */
int		 sa_lp_name_ok(const char *, int fold);

/* Why d is not what mm_valid_domain accepts, or NULL if it is. */
const char	*sa_domain_problem(const char *d);

/* What is wrong with a team as typed: it must be "~" + a Launchpad name. */
enum sa_team {
	SA_TEAM_OK,
	SA_TEAM_NO_TILDE,	/* a Launchpad name without its '~' */
	SA_TEAM_HOME,		/* "/...": a shell expanded ~TEAM */
	SA_TEAM_BAD
};
enum sa_team	 sa_team_check(const char *team);

/* A landing page name: [a-z0-9][a-z0-9-]{0,31}. */
int		 sa_slug_ok(const char *);

/*
 * One line of 1..max characters, as mm_is_line: valid UTF-8 without
 * control characters, C1 (U+0080..U+009F) included.
 */
int		 sa_line_ok(const char *, size_t max);

/* An alias limit: a whole number of 0..SA_ALIAS_LIMIT_MAX, or -1. */
int		 sa_alias_limit(const char *);

/* A fresh verification token: SA_TOKEN_LEN alphanumerics and a NUL. */
void		 sa_make_token(char tok[SA_TOKEN_LEN + 1]);

#endif
