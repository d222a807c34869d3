/*
 * domain_members.c - the domain-admin rules and listings; see
 * domain_members.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/i18n.h"
#include "lib/valid.h"
#include "rules/domain_members.h"
#include "rules/provision.h"
#include "rules/recipients.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/errlog.h"

#define ID_LEN 24 /* a long long as text */

/* The domain a caller may administer (columns of MEMBER_DOMAIN_ACCESS). */
struct dom {
	long long   id;
	const char *name;
	int         alias_limit;
	char        idstr[ID_LEN];
};

/* A member being changed (columns of STMT_MEMBER_LOCK). */
struct who {
	long long        id;
	const char      *name;
	const char      *email;
	enum member_role role;
	char             idstr[ID_LEN];
};

/* One change, carried through db_tx. */
struct change {
	struct arena         *arena;
	const struct actor   *actor;
	const char           *domain;
	const char           *name;
	struct alias_problem *why;
	enum member_role      role;       /* set_role */
	size_t                ndisabled;  /* remove */
	const char           *local_part; /* add_alias */
	int                   assign;     /* ... a protected one, on purpose */
	const char *protected;            /* ... "reserved", "launchpad-name" */
	const char **recipients;          /* NULL: the email */
	size_t       nrecipients;
	long long    id;
	struct dom   d;
	struct who   m;
};

const char *
member_role_name(enum member_role r)
{
	return r == MEMBER_ROLE_ADMIN ? "admin" : "member";
}

int
member_role_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "admin") == 0)
		return MEMBER_ROLE_ADMIN;
	if (strcmp(s, "member") == 0)
		return MEMBER_ROLE_MEMBER;
	return -1;
}

static enum app_err
refuse(struct alias_problem *why, enum app_err e, const char *field,
    const char *code, const char *message)
{
	if (why != NULL) {
		why->field = field;
		why->code = code;
		why->message = message;
	}
	return e;
}

/* The text of a JSON object in the arena; the object is released. */
static const char *
json_text(struct arena *a, struct json_object *o)
{
	const char *s = NULL;

	if (o != NULL)
		s = arena_strdup(a,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* {key: value} as JSON text in the arena; NULL when out of memory. */
static const char *
json_pair(struct arena *a, const char *key, const char *value)
{
	struct json_object *o = json_object_new_object();

	if (o != NULL &&
	    json_object_object_add(o, key, json_object_new_string(value)) !=
		0) {
		json_object_put(o);
		return NULL;
	}
	return json_text(a, o);
}

/*
 * The domain named `domain' if the actor may administer it: stmt is
 * STMT_MEMBER_DOMAIN_ACCESS, _LOCK or STMT_MEMBER_DOMAIN, which all begin
 * with id, name, alias_limit, is_admin.  *out holds the result for the
 * caller to PQclear.
 */
static enum app_err
domain_access(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, enum stmt stmt, struct dom *d, PGresult **out)
{
	char         uid[ID_LEN];
	const char  *p[2] = { domain, uid };
	PGresult    *res;
	enum app_err e;

	*out = NULL;
	snprintf(uid, sizeof(uid), "%lld", actor->user_id);
	if ((res = db_exec(db, stmt, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1 ||
	    (!actor->site_admin && !db_bool(res, 0, DOMAIN_ACCESS_ADMIN))) {
		e = PQntuples(res) != 1 && actor->site_admin ? APP_ENOTFOUND :
							       APP_EFORBIDDEN;
		PQclear(res);
		return e;
	}
	d->id = db_ll(res, 0, DOMAIN_ACCESS_ID);
	d->alias_limit = (int)db_ll(res, 0, DOMAIN_ACCESS_LIMIT);
	snprintf(d->idstr, sizeof(d->idstr), "%lld", d->id);
	if ((d->name = db_dup(a, res, 0, DOMAIN_ACCESS_NAME)) == NULL) {
		PQclear(res);
		return APP_ENOMEM;
	}
	*out = res;
	return APP_OK;
}

enum app_err
member_may_administer(struct db *db, const struct actor *actor,
    const char *domain)
{
	char         uid[ID_LEN];
	const char  *p[2] = { domain, uid };
	PGresult    *res;
	enum app_err e;

	if (actor->site_admin)
		return APP_OK;
	snprintf(uid, sizeof(uid), "%lld", actor->user_id);
	if ((res = db_exec(db, STMT_IS_DOMAIN_ADMIN, 2, p, &e)) == NULL)
		return e;
	e = PQntuples(res) == 1 ? APP_OK : APP_EFORBIDDEN;
	PQclear(res);
	return e;
}

/* domain_access for a read: the result is not needed. */
static enum app_err
domain_read(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, struct dom *d)
{
	PGresult    *res;
	enum app_err e;

	if ((e = domain_access(db, a, actor, domain, STMT_MEMBER_DOMAIN_ACCESS,
		 d, &res)) == APP_OK)
		PQclear(res);
	return e;
}

/* Column col of the one row as a number; -1 on failure. */
static long long
count(struct db *db, enum stmt st, int col, int n, const char *const *p,
    enum app_err *e)
{
	PGresult *res;
	long long v = -1;

	if ((res = db_exec(db, st, n, p, e)) == NULL)
		return -1;
	if (PQntuples(res) == 1)
		v = db_ll(res, 0, col);
	else
		*e = APP_EINTERNAL;
	PQclear(res);
	return v;
}

/*
 * In the transaction: locks the domain (access checked) and the member's
 * row, into c->d and c->m.
 */
/*
 * c->m from the one row of st ($1 the domain, $2 the name: id, name, and
 * for STMT_MEMBER_LOCK email and role); APP_ENOTFOUND with code when
 * there is none.
 */
static enum app_err
take_member(struct db *db, struct change *c, enum stmt st, const char *code,
    const char *message)
{
	const char  *p[2] = { c->d.idstr, c->name };
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, st, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(c->why, APP_ENOTFOUND, NULL, code, message);
	}
	if (st == STMT_MEMBER_LOCK) {
		c->m.id = db_ll(res, 0, MEMBER_LOCK_ID);
		c->m.name = db_dup(c->arena, res, 0, MEMBER_LOCK_NAME);
		c->m.email = db_dup(c->arena, res, 0, MEMBER_LOCK_EMAIL);
		c->m.role = strcmp(db_str(res, 0, MEMBER_LOCK_ROLE),
				"member") == 0 ?
		    MEMBER_ROLE_MEMBER :
		    MEMBER_ROLE_ADMIN;
	} else { /* STMT_MEMBER_ADD_ADMIN: the new admin */
		c->m.id = db_ll(res, 0, MEMBER_ADD_ADMIN_ID);
		c->m.name = db_dup(c->arena, res, 0, MEMBER_ADD_ADMIN_NAME);
		c->m.email = "";
		c->m.role = MEMBER_ROLE_ADMIN;
	}
	snprintf(c->m.idstr, sizeof(c->m.idstr), "%lld", c->m.id);
	PQclear(res);
	return c->m.name == NULL || c->m.email == NULL ? APP_ENOMEM : APP_OK;
}

static enum app_err
lock_member(struct db *db, struct change *c)
{
	PGresult    *res;
	enum app_err e;

	if ((e = domain_access(db, c->arena, c->actor, c->domain,
		 STMT_MEMBER_DOMAIN_LOCK, &c->d, &res)) != APP_OK)
		return e;
	PQclear(res);
	return take_member(db, c, STMT_MEMBER_LOCK, "no_such_member",
	    N_("There is no such member of this domain."));
}

/*
 * APP_ECONFLICT when the domain has no admin but c->m who is not banned:
 * a banned admin cannot sign in, so does not count as one.
 */
static enum app_err
not_last_admin(struct db *db, struct change *c, const char *message)
{
	const char  *p[2] = { c->d.idstr, c->m.idstr };
	long long    n;
	enum app_err e = APP_OK;

	if (c->m.role != MEMBER_ROLE_ADMIN)
		return APP_OK;
	if ((n = count(db, STMT_MEMBER_ADMINS, MEMBER_ADMINS_COUNT, 2, p,
		 &e)) == -1)
		return e;
	if (n == 0)
		return refuse(c->why, APP_ECONFLICT, NULL, "last_admin",
		    message);
	return APP_OK;
}

static enum app_err
audit(struct db *db, struct change *c, const char *action, const char *type,
    long long id, const char *label, const char *before, const char *after)
{
	struct audit_event ev = { action, type, id, label, c->d.id, before,
		after };

	if (label == NULL)
		return APP_ENOMEM;
	return audit_write(db, c->actor, &ev);
}

/* "~alice on ubuntu.com": how a membership is named in the audit log. */
static const char *
member_label(struct change *c)
{
	return arena_printf(c->arena, "~%s on %s", c->m.name, c->d.name);
}

/*
 * A site admin (or an operator) may make any user who has signed in an
 * admin of a domain, whether or not they are a member of it yet.
 */
static enum app_err
add_admin(struct db *db, struct change *c)
{
	enum app_err e;

	if ((e = take_member(db, c, STMT_MEMBER_ADD_ADMIN, "no_such_user",
		 N_("No one has signed in with that Launchpad name."))) !=
	    APP_OK)
		return e;
	return audit(db, c, "domain_member.role", "domain_member", c->m.id,
	    member_label(c), NULL, json_pair(c->arena, "role", "admin"));
}

static enum app_err
set_role_tx(struct db *db, void *arg)
{
	struct change *c = arg;
	const char    *p[3];
	enum app_err   e;

	e = lock_member(db, c);
	if (e == APP_ENOTFOUND && c->d.id != 0 &&
	    c->role == MEMBER_ROLE_ADMIN && c->actor->site_admin)
		return add_admin(db, c);
	if (e != APP_OK || c->m.role == c->role)
		return e;
	if (c->role == MEMBER_ROLE_MEMBER &&
	    (e = not_last_admin(db, c,
		 N_("A domain must keep at least one admin: make another member an "
		    "admin first."))) != APP_OK)
		return e;
	p[0] = c->d.idstr;
	p[1] = c->m.idstr;
	p[2] = member_role_name(c->role);
	if ((e = db_run(db, STMT_MEMBER_SET_ROLE, 3, p)) != APP_OK)
		return e;
	return audit(db, c, "domain_member.role", "domain_member", c->m.id,
	    member_label(c),
	    json_pair(c->arena, "role", member_role_name(c->m.role)),
	    json_pair(c->arena, "role", p[2]));
}

enum app_err
member_set_role(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const char *name, enum member_role role,
    struct alias_problem *why)
{
	struct change c = { .arena = a,
		.actor = actor,
		.domain = domain,
		.name = name,
		.why = why,
		.role = role };

	return db_tx(db, set_role_tx, &c);
}

/* Disables c->m's enabled aliases on the domain, one audit row each. */
static enum app_err
disable_aliases(struct db *db, struct change *c, struct json_object *list)
{
	const char  *p[2] = { c->d.idstr, c->m.idstr };
	const char  *before, *after, *label;
	PGresult    *res;
	enum app_err e = APP_OK;
	int          i;

	if ((res = db_exec(db, STMT_MEMBER_DISABLE_ALIASES, 2, p, &e)) == NULL)
		return e;
	before = "{\"enabled\": true}";
	after = "{\"enabled\": false, \"disabled_reason\": \"by-admin\"}";
	for (i = 0; i < PQntuples(res) && e == APP_OK; i++) {
		label = arena_printf(c->arena, "%s@%s",
		    db_str(res, i, MEMBER_DISABLE_ALIASES_LOCAL), c->d.name);
		if (label == NULL ||
		    json_object_array_add(list,
			json_object_new_string(label)) != 0)
			e = APP_ENOMEM;
		else
			e = audit(db, c, "alias.update", "alias",
			    db_ll(res, i, MEMBER_DISABLE_ALIASES_ID), label,
			    before, after);
	}
	c->ndisabled = (size_t)PQntuples(res);
	PQclear(res);
	return e;
}

static enum app_err
remove_tx(struct db *db, void *arg)
{
	struct change      *c = arg;
	struct json_object *before, *list;
	const char         *p[2];
	enum app_err        e;

	if ((e = lock_member(db, c)) != APP_OK ||
	    (e = not_last_admin(db, c,
		 N_("The last admin of a domain cannot be removed: make another "
		    "member an admin first."))) != APP_OK)
		return e;
	if ((before = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	if ((list = json_object_new_array()) == NULL ||
	    json_object_object_add(before, "aliases_disabled", list) != 0 ||
	    json_object_object_add(before, "role",
		json_object_new_string(member_role_name(c->m.role))) != 0) {
		json_object_put(before);
		return APP_ENOMEM;
	}
	p[0] = c->d.idstr;
	p[1] = c->m.idstr;
	if ((e = disable_aliases(db, c, list)) != APP_OK ||
	    (e = db_run(db, STMT_MEMBER_DELETE, 2, p)) != APP_OK ||
	    (e = errlog_forget(db, c->m.id, c->d.id)) != APP_OK) {
		json_object_put(before);
		return e;
	}
	return audit(db, c, "domain_member.remove", "domain_member", c->m.id,
	    member_label(c), json_text(c->arena, before), NULL);
}

enum app_err
member_remove(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const char *name, struct alias_problem *why,
    size_t *ndisabled)
{
	struct change c = { .arena = a,
		.actor = actor,
		.domain = domain,
		.name = name,
		.why = why };
	enum app_err  e;

	if ((e = db_tx(db, remove_tx, &c)) == APP_OK && ndisabled != NULL)
		*ndisabled = c.ndisabled;
	return e;
}

/* The recipients as one line each, for string_to_array($4, '\n'). */
static const char *
recipient_lines(struct arena *a, const char **r, size_t n)
{
	const char *s = "";
	size_t      i;

	for (i = 0; i < n && s != NULL; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "\n" : "", r[i]);
	return s;
}

/*
 * The recipients typed for c's new alias at address: never the address
 * itself.  They become the alias's pending change when they need to
 * agree first (recipients.h).
 */
static enum app_err
check_typed(struct change *c, const char *address)
{
	size_t i;

	for (i = 0; c->recipients != NULL && i < c->nrecipients; i++)
		if (strcasecmp(c->recipients[i], address) == 0)
			return refuse(c->why, APP_EINVALID, "recipients",
			    "matches_alias",
			    N_("An alias "
			       "cannot forward to its own address."));
	return APP_OK;
}

/*
 * What c's new alias forwards to at once: the member's email, as
 * provisioning does (their own Ubuntu One address needs no confirmation);
 * *reason is set when that email is the address itself (the alias is then
 * created disabled).
 */
static enum app_err
first_recipients(struct change *c, const char *address, const char ***list,
    size_t *n, const char **reason)
{
	*reason = NULL;
	if (alias_parse_recipients(c->arena, c->m.email, list, n, c->why) == -1)
		return refuse(c->why, APP_EINVALID, "recipients",
		    "email_not_forwardable",
		    N_("This member's email cannot be a "
		       "forwarding address, and other addresses must agree "
		       "before they receive mail."));
	if (strcasecmp((*list)[0], address) == 0)
		*reason = "matches-recipient";
	return APP_OK;
}

/* The alias.create audit row's "after". */
static const char *
created_json(struct change *c, const char *const *recipients, size_t n,
    const char *reason)
{
	struct json_object *after, *list;
	size_t              i;

	if ((after = json_object_new_object()) == NULL ||
	    (list = json_object_new_array()) == NULL ||
	    json_object_object_add(after, "recipients", list) != 0) {
		json_object_put(after);
		return NULL;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(list,
		    json_object_new_string(recipients[i]));
	json_object_object_add(after, "owner",
	    json_object_new_string(c->m.name));
	json_object_object_add(after, "enabled",
	    json_object_new_boolean(reason == NULL));
	if (c->protected != NULL)
		json_object_object_add(after, "protected",
		    json_object_new_string(c->protected));
	if (reason != NULL)
		json_object_object_add(after, "disabled_reason",
		    json_object_new_string(reason));
	return json_text(c->arena, after);
}

/*
 * The new alias id as it is, and the recipients typed for it: made its
 * pending change when they must agree first; its owner is told.
 */
static enum app_err
after_create(struct db *db, struct change *c, long long id)
{
	struct alias_view old, new;
	enum rcpt_outcome rc = RCPT_UNCHANGED;
	enum app_err      e;

	if ((e = alias_get(db, c->arena, c->actor, id, &old)) != APP_OK)
		return e;
	new = old;
	if (c->recipients != NULL) {
		new.recipients = c->recipients;
		new.nrecipients = c->nrecipients;
		if ((e = rcpt_change_tx(db, c->arena, c->actor, &old, &new,
			 &rc)) != APP_OK)
			return e;
	}
	return c->actor->user_id == old.user_id ?
	    APP_OK :
	    rcpt_tell_created_tx(db, c->arena, c->actor, &old, &new, rc);
}

/* Why a protected local part was refused: [reserved][by a site admin]. */
static const char *const protected_words[2][2] = {
	{ N_("This is another person's Launchpad name, their address here "
	     "once they join: only a site admin can hand it out."),
	    N_("This is another person's Launchpad name, their address here "
	       "once they join: tick \"assign a protected address\" to give "
	       "it to this member.") },
	{ N_("This address is reserved for the domain's operators "
	     "(postmaster@, abuse@ and the like): only a site admin can hand "
	     "it out."),
	    N_("This address is reserved for the domain's operators "
	       "(postmaster@, abuse@ and the like): tick \"assign a protected "
	       "address\" to give it to this member.") },
};

/*
 * Whether c->local_part is protected on the domain: reserved for its
 * operators, or another user's Launchpad name (that user's address here
 * once they join).  Only a site admin hands one out, and only when asked
 * to on purpose (c->assign); c->protected then says which it was.
 */
static enum app_err
check_protected(struct db *db, struct change *c)
{
	const char  *p[3] = { c->d.idstr, c->local_part, c->m.idstr };
	PGresult    *res;
	enum app_err e;
	int          reserved, lp_name;

	if ((res = db_exec(db, STMT_ALIAS_PROTECTED, 3, p, &e)) == NULL)
		return e;
	reserved = db_bool(res, 0, ALIAS_PROTECTED_RESERVED);
	lp_name = db_bool(res, 0, ALIAS_PROTECTED_NAME);
	PQclear(res);
	c->protected = reserved ? "reserved" :
	    lp_name             ? "launchpad-name" :
				  NULL;
	if (c->protected == NULL || (c->actor->site_admin && c->assign))
		return APP_OK;
	return refuse(c->why, APP_EINVALID, "local_part",
	    reserved ? "reserved" : "launchpad_name",
	    protected_words[reserved != 0][c->actor->site_admin != 0]);
}

static enum app_err
add_alias_tx(struct db *db, void *arg)
{
	struct change *c = arg;
	const char    *address, *after, *p[7], *reason, **first;
	size_t         nfirst;
	long long      n;
	PGresult      *res;
	enum app_err   e = APP_OK;

	if ((e = lock_member(db, c)) != APP_OK)
		return e;
	p[0] = c->d.idstr;
	p[1] = c->m.idstr;
	if ((n = count(db, STMT_MEMBER_ALIAS_COUNT, MEMBER_ALIAS_COUNT_COUNT, 2,
		 p, &e)) == -1)
		return e;
	if (c->m.role != MEMBER_ROLE_ADMIN && n >= c->d.alias_limit)
		return refuse(c->why, APP_ECONFLICT, "local_part",
		    "alias_limit",
		    N_("This member already has as many aliases "
		       "on this domain as its limit allows (admins have no "
		       "limit)."));
	if ((e = check_protected(db, c)) != APP_OK)
		return e;
	if ((address = arena_printf(c->arena, "%s@%s", c->local_part,
		 c->d.name)) == NULL)
		return APP_ENOMEM;
	if ((e = check_typed(c, address)) != APP_OK ||
	    (e = first_recipients(c, address, &first, &nfirst, &reason)) !=
		APP_OK)
		return e;
	p[1] = c->local_part;
	p[2] = c->m.idstr;
	if ((p[3] = recipient_lines(c->arena, first, nfirst)) == NULL)
		return APP_ENOMEM;
	p[4] = reason == NULL ? "true" : "false";
	p[5] = reason;
	p[6] = c->protected != NULL && strcmp(c->protected, "reserved") == 0 ?
	    "true" :
	    "false";
	if ((res = db_exec(db, STMT_MEMBER_ALIAS_INSERT, 7, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(c->why, APP_ECONFLICT, "local_part", "taken",
		    N_("That address is taken on this domain."));
	}
	c->id = db_ll(res, 0, MEMBER_ALIAS_INSERT_ID);
	PQclear(res);
	if ((after = created_json(c, first, nfirst, reason)) == NULL)
		return APP_ENOMEM;
	if ((e = audit(db, c,
		 c->protected != NULL ? "alias.assign_protected" :
					"alias.create",
		 "alias", c->id, address, NULL, after)) != APP_OK)
		return e;
	return after_create(db, c, c->id);
}

enum app_err
member_add_alias(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const char *name, const struct member_new_alias *nw,
    struct alias_problem *why, long long *id)
{
	struct change c = { .arena = a,
		.actor = actor,
		.domain = domain,
		.name = name,
		.why = why,
		.assign = nw->assign_protected };
	const char   *raw = nw->recipients;
	char         *lp;
	size_t        i;
	enum app_err  e;

	if (nw->local_part == NULL ||
	    (lp = arena_strdup(a, nw->local_part)) == NULL)
		return nw->local_part == NULL ?
		    refuse(why, APP_EINVALID, "local_part", "bad_local_part",
			N_("Give the address.")) :
		    APP_ENOMEM;
	for (i = 0; lp[i] != '\0'; i++)
		lp[i] = (char)tolower((unsigned char)lp[i]);
	if (!valid_local_part(lp, strlen(lp)))
		return refuse(why, APP_EINVALID, "local_part", "bad_local_part",
		    N_("An address is 1 to 64 letters, "
		       "digits, '_', '+' or '-', with single dots between "
		       "them, starting with a letter or digit."));
	c.local_part = lp;
	if (raw != NULL && raw[strspn(raw, " \t\r\n,")] != '\0' &&
	    alias_parse_recipients(a, raw, &c.recipients, &c.nrecipients,
		why) == -1)
		return APP_EINVALID;
	if ((e = db_tx(db, add_alias_tx, &c)) == APP_OK && id != NULL)
		*id = c.id;
	return e;
}

enum app_err
member_sync(struct db *db, const struct config *cfg, struct arena *a,
    const struct actor *actor, const char *domain, const char *name,
    int *queued)
{
	struct dom   d;
	const char  *p[2];
	PGresult    *res;
	long long    uid;
	enum app_err e;

	*queued = 0;
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	p[0] = d.idstr;
	p[1] = name;
	if ((res = db_exec(db, STMT_MEMBER_GET, 2, p, &e)) == NULL)
		return e;
	uid = PQntuples(res) == 1 ? db_ll(res, 0, MEMBER_ROW_ID) : 0;
	PQclear(res);
	if (uid == 0)
		return APP_ENOTFOUND;
	return provision_signin(db, cfg, a, uid, queued);
}

/* --------------------------------------------------------------- listings */

enum app_err
member_domain(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, struct domain_view *out)
{
	struct dom   d;
	PGresult    *res;
	enum app_err e;

	if ((e = domain_access(db, a, actor, domain, STMT_MEMBER_DOMAIN, &d,
		 &res)) != APP_OK)
		return e;
	memset(out, 0, sizeof(*out));
	out->id = d.id;
	out->name = d.name;
	out->alias_limit = d.alias_limit;
	out->team = db_dup(a, res, 0, MEMBER_DOMAIN_TEAM);
	out->title = db_dup(a, res, 0, MEMBER_DOMAIN_TITLE);
	out->verification_token = db_dup(a, res, 0, MEMBER_DOMAIN_TOKEN);
	out->txt_status = db_dup(a, res, 0, MEMBER_DOMAIN_TXT);
	out->txt_checked_at = db_dup(a, res, 0, MEMBER_DOMAIN_TXT_CHECKED);
	out->txt_last_attempt_at = db_dup(a, res, 0, MEMBER_DOMAIN_TXT_ATTEMPT);
	out->txt_last_attempt_result = db_dup(a, res, 0,
	    MEMBER_DOMAIN_TXT_RESULT);
	out->enabled = db_bool(res, 0, MEMBER_DOMAIN_ENABLED);
	out->nmembers = db_ll(res, 0, MEMBER_DOMAIN_MEMBERS);
	out->nadmins = db_ll(res, 0, MEMBER_DOMAIN_ADMINS);
	out->naliases = db_ll(res, 0, MEMBER_DOMAIN_ALIASES);
	out->txt_grace_until = db_ll(res, 0, MEMBER_DOMAIN_GRACE);
	out->txt_last_attempt_detail = db_dup(a, res, 0, MEMBER_DOMAIN_DETAIL);
	out->default_lang = db_dup(a, res, 0, MEMBER_DOMAIN_LANG);
	PQclear(res);
	if (out->team == NULL || out->title == NULL ||
	    out->verification_token == NULL || out->txt_status == NULL ||
	    out->txt_last_attempt_detail == NULL || out->default_lang == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

/* 1..MEMBER_PAGE_MAX rows per page. */
static int
page_limit(const struct member_query *q)
{
	if (q == NULL || q->limit <= 0)
		return MEMBER_PAGE_DEFAULT;
	return q->limit > MEMBER_PAGE_MAX ? MEMBER_PAGE_MAX : q->limit;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/*
 * The member's aliases on the domain from the row's three arrays in step
 * (ids, local parts, disabled reasons: NULL while enabled).
 */
static enum app_err
short_aliases(struct arena *a, PGresult *res, int row, const char *domain,
    struct member_view *m)
{
	const char **ids, **locals, **reasons;
	size_t       n, nlocals, nreasons, i;
	enum app_err e;

	m->aliases = NULL;
	m->naliases = 0;
	if ((e = db_array(a, res, row, MEMBER_ROW_ALIAS_IDS, &ids, &n)) !=
		APP_OK ||
	    (e = db_array(a, res, row, MEMBER_ROW_ALIAS_LOCALS, &locals,
		 &nlocals)) != APP_OK ||
	    (e = db_array(a, res, row, MEMBER_ROW_ALIAS_REASONS, &reasons,
		 &nreasons)) != APP_OK)
		return e;
	if (nlocals != n || nreasons != n)
		return APP_EINTERNAL;
	if (n > 0 &&
	    (m->aliases = arena_calloc(a, n, sizeof(*m->aliases))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n; i++) {
		if (ids[i] == NULL || locals[i] == NULL)
			return APP_EINTERNAL;
		m->aliases[i].id = strtoll(ids[i], NULL, 10);
		m->aliases[i].enabled = reasons[i] == NULL;
		m->aliases[i].disabled_reason = reasons[i];
		if ((m->aliases[i].address = arena_printf(a, "%s@%s", locals[i],
			 domain)) == NULL)
			return APP_ENOMEM;
	}
	m->naliases = n;
	return APP_OK;
}

/* One row of MEMBER_COLUMNS. */
static enum app_err
member_row(struct arena *a, PGresult *res, int row, const char *domain,
    struct member_view *m)
{
	m->user_id = db_ll(res, row, MEMBER_ROW_ID);
	m->name = db_dup(a, res, row, MEMBER_ROW_NAME);
	m->display_name = db_dup(a, res, row, MEMBER_ROW_DISPLAY);
	m->email = db_dup(a, res, row, MEMBER_ROW_EMAIL);
	m->role = strcmp(db_str(res, row, MEMBER_ROW_ROLE), "admin") == 0 ?
	    MEMBER_ROLE_ADMIN :
	    MEMBER_ROLE_MEMBER;
	m->joined_at = db_dup(a, res, row, MEMBER_ROW_JOINED);
	if (m->name == NULL || m->display_name == NULL || m->email == NULL ||
	    m->joined_at == NULL)
		return APP_ENOMEM;
	return short_aliases(a, res, row, domain, m);
}

/* "id:lowername", the members' cursor; 0 or -1 when malformed. */
static int
parse_member_cursor(struct arena *a, const char *s, char *id, size_t idsz,
    const char **name)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n >= idsz || s[n] != ':' || strlen(s) > MEMBER_CURSOR_MAX)
		return -1;
	memcpy(id, s, n);
	id[n] = '\0';
	return (*name = arena_strdup(a, s + n + 1)) == NULL ? -1 : 0;
}

/*
 * Runs a listing of domain d: p[0] becomes its id and p[np - 1] the row
 * limit, limit + 1 for a page (the extra row says another page follows).
 * *n is how many rows belong to the page.  NULL with *e on failure.
 */
static PGresult *
list_rows(struct db *db, enum stmt st, const char **p, int np,
    const struct dom *d, int limit, int page, int *n, enum app_err *e)
{
	char      lim[ID_LEN];
	PGresult *res;

	snprintf(lim, sizeof(lim), "%d", page ? limit + 1 : limit);
	p[0] = d->idstr;
	p[np - 1] = lim;
	if ((res = db_exec(db, st, np, p, e)) != NULL)
		*n = PQntuples(res) > limit ? limit : PQntuples(res);
	return res;
}

/* Room for a listing's n rows (NULL for none); *e = APP_ENOMEM if none. */
static void *
list_items(struct arena *a, int n, size_t size, enum app_err *e)
{
	void *items;

	if (n <= 0)
		return NULL;
	if ((items = arena_calloc(a, (size_t)n, size)) == NULL)
		*e = APP_ENOMEM;
	return items;
}

enum app_err
member_list(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const struct member_query *q, struct member_list *out)
{
	struct dom   d;
	char         id[ID_LEN], *next = NULL;
	const char  *p[5], *after = q != NULL ? nonempty(q->after) : NULL;
	int          i, limit = page_limit(q), n;
	PGresult    *res;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	p[1] = q != NULL ? nonempty(q->search) : NULL;
	p[2] = p[3] = NULL;
	if (after != NULL &&
	    parse_member_cursor(a, after, id, sizeof(id), &p[2]) == -1)
		return APP_EINPUT;
	if (p[2] != NULL)
		p[3] = id;
	if ((res = list_rows(db, STMT_MEMBER_LIST, p, 5, &d, limit, 1, &n,
		 &e)) == NULL)
		return e;
	out->items = list_items(a, n, sizeof(*out->items), &e);
	for (i = 0; i < n && e == APP_OK; i++)
		e = member_row(a, res, i, d.name, &out->items[out->n++]);
	if (e == APP_OK && PQntuples(res) > limit &&
	    (next = arena_printf(a, "%lld:%s", out->items[n - 1].user_id,
		 db_str(res, n - 1, MEMBER_ROW_NAME))) == NULL)
		e = APP_ENOMEM;
	PQclear(res);
	/* The cursor's name is compared lower-cased (the ORDER BY's key). */
	for (i = 0; next != NULL && next[i] != '\0'; i++)
		next[i] = (char)tolower((unsigned char)next[i]);
	out->next = next;
	return e;
}

/* Rows [0, n) of an alias result into a fresh array. */
static enum app_err
alias_rows(struct arena *a, PGresult *res, int n, struct alias_view **items,
    size_t *count_out)
{
	int          i;
	enum app_err e = APP_OK;

	*count_out = 0;
	*items = list_items(a, n, sizeof(**items), &e);
	for (i = 0; i < n && e == APP_OK; i++)
		e = alias_view_row(a, res, i, &(*items)[(*count_out)++]);
	return e;
}

static int
known_reason(const char *s)
{
	static const char *const reasons[] = { "matches-recipient", "left-team",
		"invalid-user", "banned", "by-owner", "by-admin" };
	size_t                   i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(s, reasons[i]) == 0)
			return 1;
	return 0;
}

enum app_err
member_domain_aliases(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const struct member_query *q,
    struct member_alias_list *out)
{
	struct dom   d;
	const char  *p[6];
	int          limit = page_limit(q), n;
	PGresult    *res;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	p[1] = q != NULL ? nonempty(q->search) : NULL;
	p[2] = q != NULL ? nonempty(q->after) : NULL;
	p[3] = q == NULL || q->enabled < 0 ? NULL :
	    q->enabled                     ? "true" :
					     "false";
	p[4] = q != NULL ? nonempty(q->disabled_reason) : NULL;
	if ((p[4] != NULL && !known_reason(p[4])) ||
	    (p[2] != NULL && !valid_local_part(p[2], strlen(p[2]))))
		return APP_EINPUT;
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	if ((res = list_rows(db, STMT_MEMBER_ALIASES, p, 6, &d, limit, 1, &n,
		 &e)) == NULL)
		return e;
	e = alias_rows(a, res, n, &out->items, &out->n);
	/* The cursor is the last local part (the ORDER BY's key). */
	if (e == APP_OK && PQntuples(res) > limit &&
	    (out->next = arena_strndup(a, out->items[n - 1].address,
		 strcspn(out->items[n - 1].address, "@"))) == NULL)
		e = APP_ENOMEM;
	PQclear(res);
	return e;
}

enum app_err
member_get(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const char *name, struct member_detail *out)
{
	struct dom   d;
	char         uid[ID_LEN];
	const char  *p[2];
	PGresult    *res;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	p[0] = d.idstr;
	p[1] = name;
	if ((res = db_exec(db, STMT_MEMBER_GET, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else
		e = member_row(a, res, 0, d.name, &out->member);
	PQclear(res);
	if (e != APP_OK)
		return e;
	snprintf(uid, sizeof(uid), "%lld", out->member.user_id);
	p[1] = uid;
	if ((res = db_exec(db, STMT_MEMBER_USER_ALIASES, 2, p, &e)) == NULL)
		return e;
	e = alias_rows(a, res, PQntuples(res), &out->aliases, &out->naliases);
	PQclear(res);
	return e;
}

enum app_err
member_audit(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, const struct member_query *q,
    struct member_audit_list *out)
{
	struct dom               d;
	struct member_audit_row *r;
	const char              *p[3];
	int                      i, limit = page_limit(q), n;
	PGresult                *res;
	enum app_err             e;

	memset(out, 0, sizeof(*out));
	p[1] = q != NULL ? nonempty(q->after) : NULL;
	if (p[1] != NULL &&
	    (strlen(p[1]) >= ID_LEN ||
		p[1][strspn(p[1], "0123456789")] != '\0'))
		return APP_EINPUT;
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	if ((res = list_rows(db, STMT_MEMBER_AUDIT, p, 3, &d, limit, 1, &n,
		 &e)) == NULL)
		return e;
	out->items = list_items(a, n, sizeof(*out->items), &e);
	for (i = 0; i < n && e == APP_OK; i++) {
		r = &out->items[out->n++];
		r->id = db_ll(res, i, MEMBER_AUDIT_ID);
		r->at = db_dup(a, res, i, MEMBER_AUDIT_AT);
		r->actor_kind = db_dup(a, res, i, MEMBER_AUDIT_KIND);
		r->actor_name = db_dup(a, res, i, MEMBER_AUDIT_ACTOR);
		r->action = db_dup(a, res, i, MEMBER_AUDIT_ACTION);
		r->target_type = db_dup(a, res, i, MEMBER_AUDIT_TYPE);
		r->target_label = db_dup(a, res, i, MEMBER_AUDIT_LABEL);
		r->before = db_dup(a, res, i, MEMBER_AUDIT_BEFORE);
		r->after = db_dup(a, res, i, MEMBER_AUDIT_AFTER);
		if (r->at == NULL || r->actor_kind == NULL ||
		    r->actor_name == NULL || r->action == NULL ||
		    r->target_type == NULL || r->target_label == NULL)
			e = APP_ENOMEM;
	}
	if (e == APP_OK && PQntuples(res) > limit &&
	    (out->next = arena_printf(a, "%lld", out->items[n - 1].id)) == NULL)
		e = APP_ENOMEM;
	PQclear(res);
	return e;
}

enum app_err
member_errors(struct db *db, struct arena *a, const struct actor *actor,
    const char *domain, struct member_error_list *out)
{
	struct dom               d;
	struct member_error_row *r;
	const char              *p[2];
	int                      i, n;
	PGresult                *res;
	enum app_err             e;

	memset(out, 0, sizeof(*out));
	if ((e = domain_read(db, a, actor, domain, &d)) != APP_OK)
		return e;
	if ((res = list_rows(db, STMT_MEMBER_ERRORS, p, 2, &d,
		 MEMBER_ERRORS_MAX, 0, &n, &e)) == NULL)
		return e;
	out->items = list_items(a, n, sizeof(*out->items), &e);
	for (i = 0; i < n && e == APP_OK; i++) {
		r = &out->items[out->n++];
		r->id = db_ll(res, i, MEMBER_ERRORS_ID);
		r->message = db_dup(a, res, i, MEMBER_ERRORS_MESSAGE);
		r->launchpad_name = db_dup(a, res, i, MEMBER_ERRORS_NAME);
		r->count = db_ll(res, i, MEMBER_ERRORS_COUNT);
		r->first_seen_at = db_dup(a, res, i, MEMBER_ERRORS_FIRST);
		r->last_seen_at = db_dup(a, res, i, MEMBER_ERRORS_LAST);
		if (r->message == NULL || r->launchpad_name == NULL ||
		    r->first_seen_at == NULL || r->last_seen_at == NULL)
			e = APP_ENOMEM;
	}
	PQclear(res);
	return e;
}

enum app_err
member_admin_domains(struct db *db, struct arena *a, const struct actor *actor,
    const char ***names, size_t *n)
{
	char         uid[ID_LEN];
	const char  *p[2] = { uid, actor->site_admin ? "true" : "false" };
	PGresult    *res;
	int          i;
	enum app_err e = APP_OK;

	*names = NULL;
	*n = 0;
	snprintf(uid, sizeof(uid), "%lld", actor->user_id);
	if ((res = db_exec(db, STMT_MEMBER_ADMIN_DOMAINS, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) > 0 &&
	    (*names = arena_calloc(a, (size_t)PQntuples(res),
		 sizeof(**names))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; i < PQntuples(res) && e == APP_OK; i++)
		if (((*names)[(*n)++] = db_dup(a, res, i,
			 MEMBER_ADMIN_DOMAINS_NAME)) == NULL)
			e = APP_ENOMEM;
	PQclear(res);
	return e;
}
