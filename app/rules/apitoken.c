/* apitoken.c - personal API tokens; see apitoken.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/token.h"
#include "rules/apitoken.h"
#include "store/audit.h"
#include "store/db.h"

/* One change and its audit row, inside db_tx. */
struct change {
	struct arena       *arena;
	const struct actor *actor;
	const char         *params[4];
	const char         *name; /* create: the token's name */
	long long           id;   /* revoke: the token's id */
};

/* {"name": name[, "expires_at": expires]} as arena text; NULL: no memory. */
static const char *
token_json(struct arena *arena, const char *name, const char *expires)
{
	struct json_object *o;
	const char         *s = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "name", json_object_new_string(name)) ==
		0 &&
	    (expires == NULL ||
		json_object_object_add(o, "expires_at",
		    json_object_new_string(expires)) == 0))
		s = arena_strdup(arena,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static enum app_err
create_tx(struct db *db, void *arg)
{
	struct change     *c = arg;
	struct audit_event ev = { "api_token.create", "api_token", 0, NULL, 0,
		NULL, NULL };
	PGresult          *res;
	long long          live;
	enum app_err       e;

	if ((res = db_exec(db, STMT_API_TOKEN_LIVE, 1, c->params, &e)) == NULL)
		return e;
	live = PQntuples(res) == 1 ? db_ll(res, 0, API_TOKEN_LIVE_COUNT) : 0;
	PQclear(res);
	if (live >= APITOKEN_LIVE_MAX)
		return APP_ECONFLICT;
	if ((res = db_exec(db, STMT_API_TOKEN_CREATE, 4, c->params, &e)) ==
	    NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_EINVALID;
	}
	c->id = db_ll(res, 0, API_TOKEN_CREATE_ID);
	ev.after = token_json(c->arena, c->name,
	    db_str(res, 0, API_TOKEN_CREATE_EXPIRES));
	PQclear(res);
	if (ev.after == NULL)
		return APP_ENOMEM;
	ev.target_id = c->id;
	ev.target_label = c->name;
	return audit_write(db, c->actor, &ev);
}

enum app_err
apitoken_create(struct db *db, struct arena *arena, const struct actor *a,
    const char *name, int days, const char **token)
{
	struct change c = { .arena = arena, .actor = a, .name = name };
	char          uid[24], ndays[16];
	char         *secret;
	enum app_err  e;

	snprintf(uid, sizeof(uid), "%lld", a->user_id);
	snprintf(ndays, sizeof(ndays), "%d", days);
	if ((secret = random_token(arena)) == NULL ||
	    (secret = arena_printf(arena, API_TOKEN_PREFIX "%s", secret)) ==
		NULL ||
	    (c.params[2] = token_hash_hex(arena, secret)) == NULL)
		return APP_ENOMEM;
	c.params[0] = uid;
	c.params[1] = name;
	c.params[3] = ndays;
	if ((e = db_tx(db, create_tx, &c)) != APP_OK)
		return e;
	*token = secret;
	return APP_OK;
}

static enum app_err
revoke_tx(struct db *db, void *arg)
{
	struct change     *c = arg;
	struct audit_event ev = { "api_token.revoke", "api_token", 0, NULL, 0,
		NULL, NULL };
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_API_TOKEN_REVOKE, 2, c->params, &e)) ==
	    NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ENOTFOUND;
	}
	ev.target_id = c->id;
	ev.target_label = db_dup(c->arena, res, 0, API_TOKEN_REVOKE_NAME);
	PQclear(res);
	if (ev.target_label == NULL ||
	    (ev.before = token_json(c->arena, ev.target_label, NULL)) == NULL)
		return APP_ENOMEM;
	return audit_write(db, c->actor, &ev);
}

enum app_err
apitoken_revoke(struct db *db, struct arena *arena, const struct actor *a,
    long long id)
{
	struct change c = { .arena = arena, .actor = a, .id = id };
	char          tid[24], uid[24];

	snprintf(tid, sizeof(tid), "%lld", id);
	snprintf(uid, sizeof(uid), "%lld", a->user_id);
	c.params[0] = tid;
	c.params[1] = uid;
	return db_tx(db, revoke_tx, &c);
}
