/* site.c - the rules of running the service; see site.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/valid.h"
#include "rules/alias.h"
#include "rules/provision.h"
#include "rules/site.h"
#include "store/audit.h"
#include "store/db.h"

static int
lp_char(char ch, int fold)
{
	if (fold && ch >= 'A' && ch <= 'Z')
		return 1;
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

int
sa_lp_name_ok(const char *s, int fold)
{
	size_t i, len = strlen(s);

	if (len < 2 || len > 255 || !lp_char(s[0], fold))
		return 0;
	for (i = 1; i < len; i++)
		if (!lp_char(s[i], fold) && strchr("+.-", s[i]) == NULL)
			return 0;
	return 1;
}

enum sa_team
sa_team_check(const char *team)
{
	if (team[0] == '~' && sa_lp_name_ok(team + 1, 0))
		return SA_TEAM_OK;
	if (team[0] == '/')
		return SA_TEAM_HOME;
	if (team[0] != '~' && sa_lp_name_ok(team, 0))
		return SA_TEAM_NO_TILDE;
	return SA_TEAM_BAD;
}

int
sa_slug_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= 32 && s[0] != '-' && valid_slug(s, len);
}

int
sa_line_ok(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t               i, len = strlen(s), chars = 0;

	if (len == 0 || !valid_text(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return 0;
		chars += (u[i] & 0xc0) != 0x80;
	}
	return chars <= max;
}

int
sa_alias_limit(const char *arg)
{
	char *end;
	long  v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v > SA_ALIAS_LIMIT_MAX)
		return -1;
	return (int)v;
}

/* randombytes_uniform, not % 62: every character equally likely. */
void
sa_make_token(char tok[SA_TOKEN_LEN + 1])
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t            i;

	for (i = 0; i < SA_TOKEN_LEN; i++)
		tok[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	tok[SA_TOKEN_LEN] = '\0';
}

/* ---------------------------------------------------------------------
 * The changes.
 */

struct domain_tx {
	const struct actor         *actor;
	const struct sa_domain_new *in;
	struct sa_domain_added     *out;
};

/* Nothing was inserted: which unique value was taken. */
static enum app_err
domain_taken(struct db *db, struct domain_tx *t)
{
	const char  *p[2] = { t->in->name, t->in->slug };
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_SA_DOMAIN_TAKEN, 2, p, &e)) == NULL)
		return e;
	t->out->refused = db_bool(res, 0, SA_DOMAIN_TAKEN_NAME) ?
	    SA_NAME_TAKEN :
	    db_bool(res, 0, SA_DOMAIN_TAKEN_SLUG) ? SA_SLUG_TAKEN :
						    SA_TOKEN_TAKEN;
	PQclear(res);
	return APP_ECONFLICT;
}

static enum app_err
domain_admin(struct db *db, struct domain_tx *t, const char *id)
{
	const char        *p[2] = { id, t->in->admin };
	struct audit_event ev = { "domain_member.add", "domain_member", 0, NULL,
		t->out->id, NULL, NULL };
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_SA_DOMAIN_ADMIN_ADD, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		t->out->refused = SA_NO_USER;
		return APP_ENOTFOUND;
	}
	ev.target_id = db_ll(res, 0, SA_DOMAIN_ADMIN_ADD_ID);
	snprintf(t->out->admin, sizeof(t->out->admin), "%s",
	    db_str(res, 0, SA_DOMAIN_ADMIN_ADD_NAME));
	t->out->admin_banned = db_bool(res, 0, SA_DOMAIN_ADMIN_ADD_BANNED);
	ev.target_label = db_str(res, 0, SA_DOMAIN_ADMIN_ADD_LABEL);
	ev.after = db_str(res, 0, SA_DOMAIN_ADMIN_ADD_AFTER);
	e = audit_write(db, t->actor, &ev);
	PQclear(res);
	return e;
}

static enum app_err
domain_add_tx(struct db *db, void *arg)
{
	struct domain_tx  *t = arg;
	struct audit_event ev = { "domain.add", "domain", 0, t->in->name, 0,
		NULL, NULL };
	char               limit[12], id[24];
	const char        *p[7];
	PGresult          *res;
	enum app_err       e;

	snprintf(limit, sizeof(limit), "%d", t->in->alias_limit);
	p[0] = t->in->name;
	p[1] = t->in->team + 1; /* stored without the '~' */
	p[2] = t->in->slug;
	p[3] = t->in->title;
	p[4] = t->out->token;
	p[5] = limit;
	p[6] = t->in->enabled ? "t" : "f";
	if ((res = db_exec(db, STMT_SA_DOMAIN_INSERT, 7, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return domain_taken(db, t);
	}
	snprintf(id, sizeof(id), "%s", db_str(res, 0, SA_DOMAIN_INSERT_ID));
	ev.target_id = ev.domain_id = t->out->id = strtoll(id, NULL, 10);
	ev.after = db_str(res, 0, SA_DOMAIN_INSERT_AFTER);
	e = audit_write(db, t->actor, &ev);
	PQclear(res);
	if (e == APP_OK && t->in->admin != NULL)
		e = domain_admin(db, t, id);
	return e;
}

enum app_err
sa_domain_add(struct db *db, const struct actor *a,
    const struct sa_domain_new *in, struct sa_domain_added *out)
{
	struct domain_tx t = { a, in, out };

	memset(out, 0, sizeof(*out));
	sa_make_token(out->token);
	return db_tx(db, domain_add_tx, &t);
}

struct domain_set_tx {
	const struct actor         *actor;
	const char                 *name;
	const struct sa_domain_set *set;
	int                        *changed;
};

static enum app_err
domain_set_tx(struct db *db, void *arg)
{
	struct domain_set_tx *t = arg;
	struct audit_event ev = { NULL, "domain", 0, t->name, 0, NULL, NULL };
	char               limit[12];
	const char        *p[3];
	PGresult          *old, *res = NULL;
	enum app_err       e;

	if ((old = db_exec(db, STMT_SA_DOMAIN_LOCK, 1, &t->name, &e)) == NULL)
		return e;
	if (PQntuples(old) != 1) {
		PQclear(old);
		return APP_ENOTFOUND;
	}
	p[0] = db_str(old, 0, SA_DOMAIN_LOCK_ID);
	p[1] = t->set->enabled == -1 ? db_str(old, 0, SA_DOMAIN_LOCK_ENABLED) :
	    t->set->enabled          ? "t" :
				       "f";
	snprintf(limit, sizeof(limit), "%d", t->set->alias_limit);
	p[2] = t->set->alias_limit == -1 ?
	    db_str(old, 0, SA_DOMAIN_LOCK_LIMIT) :
	    limit;
	if (strcmp(p[1], db_str(old, 0, SA_DOMAIN_LOCK_ENABLED)) == 0 &&
	    strcmp(p[2], db_str(old, 0, SA_DOMAIN_LOCK_LIMIT)) == 0)
		e = APP_OK; /* already so: *changed stays 0 */
	else if ((res = db_exec(db, STMT_SA_DOMAIN_UPDATE, 3, p, &e)) != NULL) {
		ev.action = t->set->alias_limit != -1 ? "domain.alias_limit" :
		    t->set->enabled                   ? "domain.enable" :
							"domain.disable";
		ev.target_id = ev.domain_id = db_ll(old, 0, SA_ROLE_LOCK_ID);
		ev.before = db_str(old, 0, SA_DOMAIN_LOCK_BEFORE);
		ev.after = db_str(res, 0, SA_DOMAIN_UPDATE_AFTER);
		*t->changed = (e = audit_write(db, t->actor, &ev)) == APP_OK;
	}
	PQclear(res);
	PQclear(old);
	return e;
}

enum app_err
sa_domain_set(struct db *db, const struct actor *a, const char *name,
    const struct sa_domain_set *set, int *changed)
{
	struct domain_set_tx t = { a, name, set, changed };

	*changed = 0;
	return db_tx(db, domain_set_tx, &t);
}

int
sa_logo_ok(const char *logo)
{
	size_t      n = strlen(logo), i;
	const char *dot = strrchr(logo, '.');

	if (n < 5 || n > 68 ||
	    !(isdigit((unsigned char)logo[0]) ||
		(logo[0] >= 'a' && logo[0] <= 'z')) ||
	    dot == NULL ||
	    (strcmp(dot, ".svg") != 0 && strcmp(dot, ".png") != 0 &&
		strcmp(dot, ".webp") != 0))
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)logo[i]) &&
		    !(logo[i] >= 'a' && logo[i] <= 'z') &&
		    strchr("_.-", logo[i]) == NULL)
			return 0;
	return 1;
}

struct logo_tx {
	const struct actor *actor;
	const char         *name, *logo;
	int                *changed;
};

/* {"logo": "x.svg"} or {"logo": null} for the audit row. */
static void
logo_json(char *out, size_t outsz, const char *logo)
{
	if (logo == NULL || logo[0] == '\0')
		snprintf(out, outsz, "{\"logo\": null}");
	else
		snprintf(out, outsz, "{\"logo\": \"%s\"}", logo);
}

static enum app_err
logo_tx(struct db *db, void *arg)
{
	struct logo_tx    *t = arg;
	struct audit_event ev = { "domain.logo", "domain", 0, t->name, 0, NULL,
		NULL };
	char               before[96], after[96];
	const char        *p[2];
	PGresult          *old, *res;
	enum app_err       e = APP_OK;

	if ((old = db_exec(db, STMT_SA_DOMAIN_LOGO_LOCK, 1, &t->name, &e)) ==
	    NULL)
		return e;
	if (PQntuples(old) != 1)
		e = APP_ENOTFOUND;
	else if (strcmp(db_str(old, 0, SA_DOMAIN_LOGO_LOCK_LOGO),
		     t->logo != NULL ? t->logo : "") != 0) {
		p[0] = db_str(old, 0, SA_DOMAIN_LOGO_LOCK_ID);
		p[1] = t->logo;
		if ((res = db_exec(db, STMT_SA_DOMAIN_LOGO_SET, 2, p, &e)) !=
		    NULL) {
			PQclear(res);
			logo_json(before, sizeof(before),
			    db_str(old, 0, SA_DOMAIN_LOGO_LOCK_LOGO));
			logo_json(after, sizeof(after), t->logo);
			ev.target_id = ev.domain_id = strtoll(p[0], NULL, 10);
			ev.before = before;
			ev.after = after;
			*t->changed = (e = audit_write(db, t->actor, &ev)) ==
			    APP_OK;
		}
	}
	PQclear(old);
	return e;
}

enum app_err
sa_domain_logo(struct db *db, const struct actor *a, const char *name,
    const char *logo, int *changed)
{
	struct logo_tx t = { a, name, logo, changed };

	*changed = 0;
	return db_tx(db, logo_tx, &t);
}

static const char *const user_actions[] = { [SA_BAN] = "user.ban",
	[SA_UNBAN] = "user.unban",
	[SA_GRANT] = "user.site_admin.grant",
	[SA_REVOKE] = "user.site_admin.revoke" };

struct user_tx {
	const struct config *cfg;
	struct arena        *arena;
	const struct actor  *actor;
	long long            id;
	const char          *name;
	enum sa_user_op      op;
	const char          *reason;
	struct sa_user_done *out;
};

/* The user's id from their name; APP_ENOTFOUND if nobody has it. */
static enum app_err
user_by_name(struct db *db, struct user_tx *t)
{
	PGresult    *res;
	enum app_err e = APP_OK;

	if ((res = db_exec(db, STMT_SA_USER_BY_NAME, 1, &t->name, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1)
		t->id = db_ll(res, 0, SA_USER_BY_NAME_ID);
	else {
		t->out->refused = SA_NO_USER;
		e = APP_ENOTFOUND;
	}
	PQclear(res);
	return e;
}

/*
 * How many site admins there are besides user id who are not banned (a
 * banned one cannot sign in to run anything), every site admin's row
 * locked in id order: two revocations at once then wait for each other
 * (the second sees the first one's result) instead of deadlocking on each
 * other's row.
 */
static enum app_err
count_other_site_admins(struct db *db, const char *id, long long *n)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, STMT_SA_SITE_ADMINS, 1, &id, &e)) == NULL)
		return e;
	*n = db_ll(res, 0, SA_SITE_ADMINS_COUNT);
	PQclear(res);
	return APP_OK;
}

/* The rules for people on the web (see site.h). */
static enum app_err
user_refusal(struct user_tx *t, long long admins)
{
	if (t->actor->kind == ACTOR_CLI)
		return APP_OK;
	if (t->op == SA_BAN && t->id == t->actor->user_id)
		t->out->refused = SA_SELF_BAN;
	else if (t->op == SA_REVOKE && admins == 0)
		t->out->refused = SA_LAST_SITE_ADMIN;
	return t->out->refused != SA_NONE ? APP_ECONFLICT : APP_OK;
}

static enum app_err
user_set(struct db *db, struct user_tx *t, const PGresult *old, const char *id)
{
	struct audit_event ev = { user_actions[t->op], "user", t->id, NULL, 0,
		db_str(old, 0, SA_USER_LOCK_BEFORE), NULL };
	const char        *p[4];
	PGresult          *res;
	enum app_err       e;

	p[0] = id;
	p[1] = t->op == SA_BAN ? "t" :
	    t->op == SA_UNBAN  ? "f" :
				 db_str(old, 0, SA_USER_LOCK_BANNED);
	p[2] = t->op == SA_BAN ? t->reason : NULL; /* NULL keeps it */
	p[3] = t->op == SA_GRANT ? "t" :
	    t->op == SA_REVOKE   ? "f" :
				   db_str(old, 0, SA_USER_LOCK_SITE_ADMIN);
	if ((res = db_exec(db, STMT_SA_USER_SET, 4, p, &e)) == NULL)
		return e;
	if (t->out->name[0] != '\0')
		ev.target_label = t->out->name;
	ev.after = db_str(res, 0, SA_USER_SET_AFTER);
	e = audit_write(db, t->actor, &ev);
	PQclear(res);
	t->out->changed = e == APP_OK;
	return e;
}

/* A ban's first end: the user's sessions (user.sessions_end: how many). */
static enum app_err
end_sessions(struct db *db, struct user_tx *t, const char *id)
{
	struct audit_event ev = { "user.sessions_end", "user", t->id,
		t->out->name, 0, NULL, NULL };
	char               after[64];
	PGresult          *res;
	long               n;
	enum app_err       e;

	if ((res = db_exec(db, STMT_BAN_SESSIONS, 1, &id, &e)) == NULL)
		return e;
	n = (long)db_ll(res, 0, BAN_SESSIONS_COUNT);
	PQclear(res);
	if (n == 0)
		return APP_OK;
	snprintf(after, sizeof(after), "{\"sessions\": %ld}", n);
	ev.after = after;
	return audit_write(db, t->actor, &ev);
}

/* ... and their API tokens (api_token.revoke each). */
static enum app_err
revoke_tokens(struct db *db, struct user_tx *t, const char *id)
{
	struct audit_event ev = { "api_token.revoke", "api_token", 0, NULL, 0,
		NULL, NULL };
	PGresult          *res;
	enum app_err       e = APP_OK;
	int                i;

	if ((res = db_exec(db, STMT_BAN_TOKENS, 1, &id, &e)) == NULL)
		return e;
	for (i = 0; e == APP_OK && i < PQntuples(res); i++) {
		ev.target_id = db_ll(res, i, BAN_TOKENS_ID);
		ev.target_label = db_str(res, i, BAN_TOKENS_NAME);
		ev.after = db_str(res, i, BAN_TOKENS_AFTER);
		e = audit_write(db, t->actor, &ev);
	}
	PQclear(res);
	return e;
}

/* Everything a ban ends, in its transaction (site.h). */
static enum app_err
end_access(struct db *db, struct user_tx *t, const char *id)
{
	enum app_err e;

	if ((e = end_sessions(db, t, id)) != APP_OK ||
	    (e = revoke_tokens(db, t, id)) != APP_OK)
		return e;
	return provision_banned(db, t->cfg, t->arena, t->actor, t->id);
}

static enum app_err
user_tx(struct db *db, void *arg)
{
	struct user_tx *t = arg;
	char            id[24];
	const char     *p = id;
	PGresult       *old;
	long long       admins = 0;
	enum app_err    e;
	int             is, want;

	if (t->id == 0 && (e = user_by_name(db, t)) != APP_OK)
		return e;
	t->out->id = t->id;
	snprintf(id, sizeof(id), "%lld", t->id);
	if (t->op == SA_REVOKE && t->actor->kind != ACTOR_CLI &&
	    (e = count_other_site_admins(db, id, &admins)) != APP_OK)
		return e;
	if ((old = db_exec(db, STMT_SA_USER_LOCK, 1, &p, &e)) == NULL)
		return e;
	if (PQntuples(old) != 1) {
		PQclear(old);
		t->out->refused = SA_NO_USER;
		return APP_ENOTFOUND;
	}
	snprintf(t->out->name, sizeof(t->out->name), "%s",
	    db_str(old, 0, SA_USER_LOCK_NAME));
	snprintf(t->out->reason, sizeof(t->out->reason), "%s",
	    db_str(old, 0, SA_USER_LOCK_REASON));
	is = db_bool(old, 0,
	    t->op == SA_BAN || t->op == SA_UNBAN ? SA_USER_LOCK_BANNED :
						   SA_USER_LOCK_SITE_ADMIN);
	want = t->op == SA_BAN || t->op == SA_GRANT;
	e = APP_OK;
	if (is != want && (e = user_refusal(t, admins)) == APP_OK)
		e = user_set(db, t, old, id);
	PQclear(old);
	if (e == APP_OK && t->op == SA_BAN && t->out->changed)
		e = end_access(db, t, id);
	return e;
}

enum app_err
sa_user_change(struct db *db, const struct config *cfg, struct arena *arena,
    const struct actor *a, long long id, const char *name, enum sa_user_op op,
    const char *reason, struct sa_user_done *out)
{
	struct user_tx t = { cfg, arena, a, id, name, op, reason, out };

	memset(out, 0, sizeof(*out));
	return db_tx(db, user_tx, &t);
}

/* ---------------------------------------------------------------------
 * Role addresses.
 */

struct role_tx {
	const struct actor *actor;
	const char         *domain;
	const char         *addr; /* NULL: the admins */
	int                *changed;
};

static enum app_err
role_tx(struct db *db, void *arg)
{
	struct role_tx    *t = arg;
	struct audit_event ev = { "domain.role_recipient", "domain", 0,
		t->domain, 0, NULL, NULL };
	const char        *p[2];
	PGresult          *old, *res;
	enum app_err       e;

	if ((old = db_exec(db, STMT_SA_ROLE_LOCK, 1, &t->domain, &e)) == NULL)
		return e;
	if (PQntuples(old) != 1) {
		PQclear(old);
		return APP_ENOTFOUND;
	}
	if (strcmp(db_str(old, 0, SA_ROLE_LOCK_ROLE),
		t->addr != NULL ? t->addr : "") == 0) {
		PQclear(old);
		return APP_OK;
	}
	p[0] = db_str(old, 0, SA_ROLE_LOCK_ID);
	p[1] = t->addr;
	if ((res = db_exec(db, STMT_SA_ROLE_SET, 2, p, &e)) == NULL) {
		PQclear(old);
		return e;
	}
	*t->changed = 1;
	ev.target_id = ev.domain_id = db_ll(old, 0, SA_ROLE_LOCK_ID);
	ev.before = db_str(old, 0, SA_ROLE_LOCK_BEFORE);
	ev.after = db_str(res, 0, SA_ROLE_SET_AFTER);
	e = audit_write(db, t->actor, &ev);
	PQclear(res);
	PQclear(old);
	return e;
}

int
sa_role_recipient(const char *addr, char *out, size_t outsz)
{
	char  *at;
	size_t i;

	if ((size_t)snprintf(out, outsz, "%s", addr) >= outsz ||
	    (at = strrchr(out, '@')) == NULL)
		return -1;
	for (i = 1; at[i] != '\0'; i++)
		if (at[i] >= 'A' && at[i] <= 'Z')
			at[i] = (char)(at[i] - 'A' + 'a');
	return alias_recipient_valid(out) ? 0 : -1;
}

enum app_err
sa_domain_role_recipient(struct db *db, const struct actor *a,
    const char *domain, const char *addr, int *changed)
{
	struct role_tx t = { a, domain, NULL, changed };
	char           norm[SA_ADDRESS_MAX];

	*changed = 0;
	if (addr != NULL && addr[0] != '\0') {
		if (sa_role_recipient(addr, norm, sizeof(norm)) == -1)
			return APP_EINVALID;
		t.addr = norm;
	}
	return db_tx(db, role_tx, &t);
}
