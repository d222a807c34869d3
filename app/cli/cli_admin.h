/*
 * cli_admin.h - `membermail domain` and `membermail user`, the operator CLI.
 *
 *	membermail domain add NAME --team ~TEAM [--admin LAUNCHPAD_NAME]
 *	    [--slug SLUG] [--title TITLE] [--alias-limit N] [--disabled]
 *	membermail domain list [--json]
 *	membermail domain admin DOMAIN LAUNCHPAD_NAME
 *	membermail domain unadmin DOMAIN LAUNCHPAD_NAME
 *	membermail user list [--banned] [--admins] [--search TEXT] [--json]
 *	membermail user ban NAME --reason TEXT
 *	membermail user unban NAME
 *	membermail user site-admin NAME [--revoke]
 *	membermail alias set LOCAL@DOMAIN --recipients "ADDRESS ..."
 *
 * Common options: -c FILE, --database CONNINFO (else the config's
 * `database`).  The connection's application_name is "membermail admin"
 * and the config's statement_timeout applies.
 *
 * Input is checked before the database is touched, with the schema's own
 * rules, which rules/site.h holds for the /admin pages too: NAME of a
 * domain is a lower-case DNS name (IDNs in xn-- form);
 * --team is '~' and a Launchpad name ([a-z0-9][a-z0-9+.-]+); user names
 * have the same syntax and are matched case-insensitively; --slug is
 * [a-z0-9][a-z0-9-]{0,31}; --title is 1..64 characters of one line;
 * --alias-limit is 0..100; --reason is 1..500 characters of one line.
 *
 * Every change is one transaction together with its audit_log rows
 * (actor_kind 'cli', actor_name the operator's login): `domain add` inserts
 * the domain with a fresh verification token and, with --admin, makes an
 * existing user (they have signed in once) its admin; it prints the TXT
 * record to publish.  `domain admin` makes a user (who has signed in) an
 * admin of the domain; `domain unadmin` makes an admin a plain member
 * again (the sync prunes members without aliases) and refuses to take
 * the last admin who is not banned: a domain without one is left alone
 * by the sync.  ban, unban, site-admin, admin and unadmin are idempotent:
 * asking for what is already so changes nothing, says so and succeeds.
 * The domain and user changes are rules/site.c's, which the /admin pages
 * make too.  Every command runs on db.h's connection, the catalogue's
 * statements, so a schema behind this binary is refused.  Unlike a site admin on the web, an operator may revoke the
 * last site admin.
 *
 * `alias set` changes an alias's recipients by rules/alias.c's rules, as a
 * site admin: an address that has not agreed to the alias's mail gets a
 * confirmation link and the change waits for it (recipients.h); the owner
 * is told, and a change made at once leaves receipts.  It prints where the
 * mail goes and what waits.
 *
 * Exit status: 0 done (or nothing to do); 1 error (no such user, the
 * domain or slug exists already, database or config trouble); 2 usage (an
 * unknown command or option, a missing or malformed argument).
 */
#ifndef MM_CLI_ADMIN_H
#define MM_CLI_ADMIN_H

#include <stddef.h>

/* argv[0] is "add", "list", "admin" or "unadmin"; returns the status. */
int admin_domain_main(int argc, char *argv[]);

/* argv[0] is "list", "ban", "unban" or "site-admin"; returns the status. */
int admin_user_main(int argc, char *argv[]);

/* argv[0] is "set"; returns the status. */
int admin_alias_main(int argc, char *argv[]);

/*
 * Who runs an operator command, for audit rows: the login, and who became
 * it through sudo ("root (sudo from alice)").
 */
void admin_actor(char *buf, size_t sz);

#endif
