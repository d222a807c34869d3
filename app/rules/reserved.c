/* reserved.c - reserved local parts; see reserved.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/valid.h"
#include "rules/reserved.h"
#include "store/audit.h"
#include "store/db.h"

enum app_err
reserved_check(struct db *db, long long domain_id, const char *local,
    int *reserved)
{
	char         id[24];
	const char  *p[2] = { id, local };
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), "%lld", domain_id);
	if ((res = db_exec(db, STMT_RESERVED_CHECK, 2, p, &e)) == NULL)
		return e;
	*reserved = db_bool(res, 0, RESERVED_CHECK_RESERVED);
	PQclear(res);
	return APP_OK;
}

/* The domain's id; APP_ENOTFOUND for an unknown one. */
static enum app_err
domain_id(struct db *db, const char *domain, long long *id)
{
	PGresult    *res;
	enum app_err e = APP_OK;

	if ((res = db_exec(db, STMT_RESERVED_DOMAIN, 1, &domain, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1)
		*id = db_ll(res, 0, RESERVED_DOMAIN_ID);
	else
		e = APP_ENOTFOUND;
	PQclear(res);
	return e;
}

static enum app_err
list_names(struct db *db, struct arena *a, const char *id,
    struct reserved_list *out)
{
	PGresult    *res;
	enum app_err e = APP_OK;
	int          i;

	if ((res = db_exec(db, STMT_RESERVED_NAMES, 1, &id, &e)) == NULL)
		return e;
	out->n = (size_t)PQntuples(res);
	if ((out->names = arena_calloc(a, out->n + 1, sizeof(*out->names))) ==
	    NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < (int)out->n; i++) {
		out->names[i].local_part = db_dup(a, res, i,
		    RESERVED_NAMES_LOCAL);
		out->names[i].builtin = db_bool(res, i, RESERVED_NAMES_BUILTIN);
		out->names[i].why = db_dup(a, res, i, RESERVED_NAMES_WHY);
		if (out->names[i].local_part == NULL ||
		    out->names[i].why == NULL)
			e = APP_ENOMEM;
	}
	PQclear(res);
	return e;
}

static enum app_err
list_aliases(struct db *db, struct arena *a, const char *id,
    struct reserved_list *out)
{
	struct reserved_alias *x;
	PGresult              *res;
	enum app_err           e = APP_OK;
	int                    i;

	if ((res = db_exec(db, STMT_RESERVED_ALIASES, 1, &id, &e)) == NULL)
		return e;
	out->naliases = (size_t)PQntuples(res);
	if ((out->aliases = arena_calloc(a, out->naliases + 1,
		 sizeof(*out->aliases))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < (int)out->naliases; i++) {
		x = &out->aliases[i];
		x->id = db_ll(res, i, RESERVED_ALIASES_ID);
		x->local_part = db_dup(a, res, i, RESERVED_ALIASES_LOCAL);
		x->owner = db_dup(a, res, i, RESERVED_ALIASES_OWNER);
		x->enabled = db_bool(res, i, RESERVED_ALIASES_ENABLED);
		if (x->local_part == NULL || x->owner == NULL)
			e = APP_ENOMEM;
	}
	PQclear(res);
	return e;
}

enum app_err
reserved_list(struct db *db, struct arena *a, const char *domain,
    struct reserved_list *out)
{
	char         id[24];
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if ((e = domain_id(db, domain, &out->domain_id)) != APP_OK)
		return e;
	snprintf(id, sizeof(id), "%lld", out->domain_id);
	if ((e = list_names(db, a, id, out)) != APP_OK)
		return e;
	return list_aliases(db, a, id, out);
}

/* One change of a domain's own list, in its transaction. */
struct change {
	const struct actor *actor;
	const char         *domain;
	const char         *local;
	int                 add;
	int                 changed;
};

/* {"reserved": local} as text, for the audit row. */
static int
audit_json(const char *local, char *out, size_t outsz)
{
	struct json_object *o = json_object_new_object();
	int                 rc = -1;

	if (o != NULL &&
	    json_object_object_add(o, "reserved",
		json_object_new_string(local)) == 0)
		rc = snprintf(out, outsz, "%s",
			 json_object_to_json_string_ext(o,
			     JSON_C_TO_STRING_PLAIN)) < (int)outsz ?
		    0 :
		    -1;
	json_object_put(o);
	return rc;
}

static enum app_err
change_tx(struct db *db, void *arg)
{
	struct change     *c = arg;
	struct audit_event ev = { c->add ? "domain.reserved_add" :
					   "domain.reserved_remove",
		"domain", 0, c->domain, 0, NULL, NULL };
	char         id[24], text[160];
	const char  *p[2] = { id, c->local };
	long long    did = 0;
	PGresult    *res;
	enum app_err e;

	if ((e = domain_id(db, c->domain, &did)) != APP_OK)
		return e;
	if ((res = db_exec(db, STMT_RESERVED_BUILTIN, 1, &c->local, &e)) ==
	    NULL)
		return e;
	e = PQntuples(res) > 0 ? APP_ECONFLICT : APP_OK;
	PQclear(res);
	if (e != APP_OK)
		return e;
	snprintf(id, sizeof(id), "%lld", did);
	if ((res = db_exec(db,
		 c->add ? STMT_RESERVED_ADD : STMT_RESERVED_REMOVE, 2, p,
		 &e)) == NULL)
		return e;
	c->changed = PQntuples(res) == 1;
	PQclear(res);
	if (!c->changed)
		return APP_OK;
	if (audit_json(c->local, text, sizeof(text)) == -1)
		return APP_ENOMEM;
	ev.target_id = ev.domain_id = did;
	if (c->add)
		ev.after = text;
	else
		ev.before = text;
	return audit_write(db, c->actor, &ev);
}

static enum app_err
change(struct db *db, const struct actor *a, const char *domain,
    const char *local, int add, int *changed)
{
	struct change c = { a, domain, NULL, add, 0 };
	char          lower[65];
	size_t        i, n = local != NULL ? strlen(local) : 0;
	enum app_err  e;

	*changed = 0;
	if (!a->site_admin)
		return APP_EFORBIDDEN;
	if (n == 0 || n >= sizeof(lower))
		return APP_EINVALID;
	for (i = 0; i <= n; i++)
		lower[i] = local[i] >= 'A' && local[i] <= 'Z' ?
		    (char)(local[i] - 'A' + 'a') :
		    local[i];
	if (!valid_local_part(lower, n))
		return APP_EINVALID;
	c.local = lower;
	if ((e = db_tx(db, change_tx, &c)) == APP_OK)
		*changed = c.changed;
	return e;
}

struct assign {
	const struct actor *actor;
	const char         *domain;
	long long           id;
};

static enum app_err
assign_tx(struct db *db, void *arg)
{
	struct assign     *x = arg;
	struct audit_event ev = { "alias.assign_protected", "alias", x->id,
		NULL, 0, NULL,
		"{\"protected\": \"reserved\", \"reserved_assigned\": "
		"true}" };
	char               did[24], aid[24];
	const char        *p[2] = { did, aid };
	long long          d = 0;
	PGresult          *res;
	enum app_err       e;

	if ((e = domain_id(db, x->domain, &d)) != APP_OK)
		return e;
	snprintf(did, sizeof(did), "%lld", d);
	snprintf(aid, sizeof(aid), "%lld", x->id);
	if ((res = db_exec(db, STMT_RESERVED_ASSIGN, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ENOTFOUND;
	}
	ev.target_label = db_str(res, 0, RESERVED_ASSIGN_ADDRESS);
	ev.domain_id = d;
	e = audit_write(db, x->actor, &ev);
	PQclear(res);
	return e;
}

enum app_err
reserved_assign(struct db *db, const struct actor *a, const char *domain,
    long long id)
{
	struct assign x = { a, domain, id };

	if (!a->site_admin)
		return APP_EFORBIDDEN;
	return db_tx(db, assign_tx, &x);
}

enum app_err
reserved_add(struct db *db, const struct actor *a, const char *domain,
    const char *local, int *changed)
{
	return change(db, a, domain, local, 1, changed);
}

enum app_err
reserved_remove(struct db *db, const struct actor *a, const char *domain,
    const char *local, int *changed)
{
	return change(db, a, domain, local, 0, changed);
}
