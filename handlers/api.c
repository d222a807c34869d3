/*
 * api.c - the JSON API's endpoints (/api/v1/, issue #6).  Authentication,
 * rate limits, bodies and errors are app/api.c; who may change what is
 * the rule modules' (app/alias.c, app/member.c), called exactly as the
 * HTML pages call them.  Nothing here re-decides a rule.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "arena.h"
#include "handlers.h"
#include "session.h"

/* GET /api/v1/me: who the token belongs to. */
enum app_err
h_api_me(struct req *r)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	if (json_object_object_add(o, "id",
	    json_object_new_int64(r->user->id)) != 0 ||
	    json_object_object_add(o, "name", api_str(r->user->name)) != 0 ||
	    json_object_object_add(o, "email", api_str(r->user->email)) != 0 ||
	    json_object_object_add(o, "display_name",
	    api_str(r->user->display_name)) != 0 ||
	    json_object_object_add(o, "site_admin",
	    json_object_new_boolean(r->user->is_site_admin)) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	return api_reply(r, 200, o);
}

/* Columns of API_DOMAIN_COLS (STMT_API_DOMAINS, STMT_API_DOMAIN). */
enum { D_NAME, D_TEAM, D_SLUG, D_TITLE, D_ENABLED, D_LIMIT, D_TXT, D_ROLE,
    D_CREATED };

static struct json_object *
domain_json(PGresult *res, int i)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "name",
	    api_str(PQgetvalue(res, i, D_NAME))) != 0 ||
	    json_object_object_add(o, "team",
	    api_str(PQgetvalue(res, i, D_TEAM))) != 0 ||
	    json_object_object_add(o, "slug", PQgetisnull(res, i, D_SLUG) ?
	    NULL : api_str(PQgetvalue(res, i, D_SLUG))) != 0 ||
	    json_object_object_add(o, "title",
	    api_str(PQgetvalue(res, i, D_TITLE))) != 0 ||
	    json_object_object_add(o, "enabled",
	    api_bool(PQgetvalue(res, i, D_ENABLED))) != 0 ||
	    json_object_object_add(o, "alias_limit",
	    json_object_new_int(atoi(PQgetvalue(res, i, D_LIMIT)))) != 0 ||
	    json_object_object_add(o, "txt_status",
	    api_str(PQgetvalue(res, i, D_TXT))) != 0 ||
	    json_object_object_add(o, "your_role", PQgetisnull(res, i,
	    D_ROLE) ? NULL : api_str(PQgetvalue(res, i, D_ROLE))) != 0 ||
	    json_object_object_add(o, "created_at",
	    api_str(PQgetvalue(res, i, D_CREATED))) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Fields of list routes: limit, cursor. */
static enum app_err
page_args(struct req *r, int *n, const char **after)
{
	return api_page_args(r, r->fields[0], r->fields[1], n, after);
}

/* A user id parameter; uid must hold 24 bytes. */
static const char *
user_param(const struct req *r, char *uid)
{
	snprintf(uid, 24, "%lld", r->user->id);
	return uid;
}

/* GET /api/v1/domains: the domains the caller administers (all: site
 * admins), by name. */
enum app_err
h_api_domains(struct req *r)
{
	struct json_object	*items, *o;
	const char		*p[4], *after, *next = NULL;
	char			 uid[24], lim[16];
	PGresult		*res;
	int			 n, i, rows;
	enum app_err		 e;

	if ((e = page_args(r, &n, &after)) != APP_OK)
		return e;
	snprintf(lim, sizeof(lim), "%d", n + 1);
	p[0] = user_param(r, uid);
	p[1] = r->user->is_site_admin ? "t" : "f";
	p[2] = after;
	p[3] = lim;
	if ((res = req_sql(r, STMT_API_DOMAINS, 4, p, &e)) == NULL)
		return e;
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	rows = PQntuples(res) > n ? n : PQntuples(res);
	for (i = 0; i < rows; i++)
		if ((o = domain_json(res, i)) == NULL ||
		    json_object_array_add(items, o) != 0) {
			json_object_put(o);
			json_object_put(items);
			return APP_ENOMEM;
		}
	if (PQntuples(res) > n)
		next = PQgetvalue(res, n - 1, D_NAME);
	return api_reply_list(r, items, next);
}

/* GET /api/v1/domains/:domain (its admins and site admins: route access). */
enum app_err
h_api_domain(struct req *r)
{
	const char	*p[2];
	char		 uid[24];
	PGresult	*res;
	enum app_err	 e;

	p[0] = req_path_param(r, "domain");
	p[1] = user_param(r, uid);
	if ((res = req_sql(r, STMT_API_DOMAIN, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		return api_refuse(r, APP_ENOTFOUND, NULL, "not_found",
		    "no such domain");
	return api_reply(r, 200, domain_json(res, 0));
}
