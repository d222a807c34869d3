/*
 * pages.c - the public pages: what membermail is, and each community's
 * landing page with its "Log in with Ubuntu One" button.  The communities
 * are the enabled domains that have a landing page (a slug).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "views/view.h"

/*
 * The communities, from the worker's cache: every public page reads them,
 * and the database tells workers when they change (db_cached).
 */
static PGresult *
communities(struct req *r, enum app_err *e)
{
	PGresult *res;

	if ((res = db_cached(r->db, STMT_DOMAIN_LIST, e)) == NULL)
		r->reason = *e == APP_EDB ? "database unavailable" :
					    "database query failed";
	return res;
}

/* Sets a community's values on d; 0, or -1 when out of memory. */
static int
set_community(struct req *r, struct view_dict *d, PGresult *res, int row)
{
	const char *team;

	team = arena_printf(r->arena, "~%s",
	    db_str(res, row, DOMAIN_LIST_TEAM));
	if (team == NULL)
		return -1;
	view_set(d, "SLUG", db_str(res, row, DOMAIN_LIST_SLUG));
	/* The community's own mark (a site admin's choice), else ours. */
	view_set(d, "LOGO_URL",
	    db_str(res, row, DOMAIN_LIST_LOGO)[0] == '\0' ?
		"/static/logo.svg" :
		arena_printf(r->arena, "/static/logos/%s",
		    db_str(res, row, DOMAIN_LIST_LOGO)));
	view_set(d, "NAME", db_str(res, row, DOMAIN_LIST_TITLE));
	view_set(d, "DOMAIN", db_str(res, row, DOMAIN_LIST_NAME));
	view_set(d, "TEAM", team);
	return 0;
}

static int
matches(PGresult *res, int row, const char *q)
{
	return q == NULL || *q == '\0' ||
	    strcasestr(db_str(res, row, DOMAIN_LIST_TITLE), q) != NULL ||
	    strcasestr(db_str(res, row, DOMAIN_LIST_NAME), q) != NULL ||
	    strcasestr(db_str(res, row, DOMAIN_LIST_TEAM), q) != NULL;
}

/* GET /[?q=text]: what membermail is, and the communities (filtered). */
enum app_err
h_home(struct req *r)
{
	struct view_dict *d, *row;
	const char       *q = req_field(r, HOME_Q);
	PGresult         *res;
	int               i, shown = 0;
	enum app_err      e;

	if ((res = communities(r, &e)) == NULL)
		return e;
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "Q", q);
	for (i = 0; i < PQntuples(res); i++) {
		if (!matches(res, i, q))
			continue;
		if ((row = view_add_section(d, "DOMAIN")) == NULL ||
		    set_community(r, row, res, i) == -1)
			return APP_ENOMEM;
		shown++;
	}
	if (shown == 0)
		view_show(d, "NO_MATCH");
	return page_render(r, 200, "Community email addresses", "home.tpl");
}

/* GET /:community, e.g. /ubuntu: one community's landing page. */
enum app_err
h_landing(struct req *r)
{
	const char       *slug = req_param(r, PARAM_COMMUNITY);
	struct view_dict *d;
	PGresult         *res;
	int               i;
	enum app_err      e;

	if ((res = communities(r, &e)) == NULL)
		return e;
	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(db_str(res, i, DOMAIN_LIST_SLUG), slug) == 0)
			break;
	if (i == PQntuples(res)) {
		r->reason = "no such community";
		return APP_ENOTFOUND;
	}
	if ((d = page_dict(r)) == NULL || set_community(r, d, res, i) == -1)
		return APP_ENOMEM;
	return page_render(r, 200, db_str(res, i, DOMAIN_LIST_TITLE),
	    "landing.tpl");
}
