/*
 * reserved.h - local parts nobody is handed by accident.
 *
 * postmaster@, hostmaster@, webmaster@, admin@ and administrator@ a domain
 * are where a certificate authority mails to prove control of it (the
 * CA/Browser Forum's baseline requirements, 3.2.2.4.4): whoever holds one
 * can have a certificate issued for the domain.  abuse@, security@ and the
 * other role names of RFC 2142, root@, mailer-daemon@ and noreply@ belong
 * to whoever runs the domain too.  So neither provisioning nor a domain
 * admin ever creates one; only a site admin assigns one, by an explicit
 * action that marks the alias reserved_assigned and is audited, and the
 * database refuses to create or enable any other (migration 0007).
 *
 * The data: the built-in names, a table only migrations change, and each
 * domain's own names, which site admins add and remove here.  The one
 * definition of "reserved" is the database's mm_local_part_reserved();
 * reserved_check is how rules ask it, and the view all_reserved_local_parts
 * is how SQL (Postfix's views) joins it.  Local parts compare in lower case.
 *
 * Changes are one transaction each with their audit row (domain.reserved_add,
 * domain.reserved_remove; target the domain), by site admins only.
 * Ownership: strings returned live in the caller's arena.
 */
#ifndef MM_RESERVED_H
#define MM_RESERVED_H

#include <stddef.h>

#include "lib/err.h"

struct actor;
struct arena;
struct db;

/* Whether local is reserved on the domain domain_id (any case). */
enum app_err reserved_check(struct db *, long long domain_id, const char *local,
    int *reserved);

struct reserved_name {
	const char *local_part;
	int         builtin; /* else the domain's own */
	const char *why;     /* a built-in name's reason, else "" */
};

/* An alias made before its local part was reserved, never assigned. */
struct reserved_alias {
	long long   id;
	const char *local_part;
	const char *owner; /* Launchpad name */
	int         enabled;
};

struct reserved_list {
	long long              domain_id;
	struct reserved_name  *names; /* built in first, then by name */
	size_t                 n;
	struct reserved_alias *aliases;
	size_t                 naliases;
};

/*
 * The reserved names of domain and the aliases that use one without a
 * site admin's assignment.  APP_ENOTFOUND for an unknown domain.
 */
enum app_err reserved_list(struct db *, struct arena *, const char *domain,
    struct reserved_list *out);

/*
 * Adds local (in lower case) to domain's own reserved names, or removes
 * it.  *changed is 0
 * when it already was so (nothing written).  APP_EINVALID: not a local
 * part; APP_ECONFLICT: a built-in name (it cannot be added or removed per
 * domain); APP_ENOTFOUND: no such domain; APP_EFORBIDDEN: the actor is no
 * site admin.
 */
enum app_err reserved_add(struct db *, const struct actor *, const char *domain,
    const char *local, int *changed);
enum app_err reserved_remove(struct db *, const struct actor *,
    const char *domain, const char *local, int *changed);

/*
 * A site admin's explicit assignment of the alias id of domain, made
 * before its local part was reserved (reserved_list's aliases): it may be
 * enabled again as before.  Audit: alias.assign_protected (after:
 * protected "reserved").  APP_ENOTFOUND when it is no such alias;
 * APP_EFORBIDDEN for anyone but a site admin.
 */
enum app_err reserved_assign(struct db *, const struct actor *,
    const char *domain, long long id);

#endif
