/*
 * pages.c - the public pages: what membermail is, and each community's
 * landing page with its "Log in with Ubuntu One" button.  The communities
 * are the enabled domains that have a landing page (a slug).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/lang.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
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
		r->reason = *e == APP_EDB ? N_("database unavailable") :
					    N_("database query failed");
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

/* The domain list and what a page takes from it. */
struct listed {
	PGresult   *res;
	int         row; /* a landing page's community */
	const char *q;   /* the home page's filter; NULL for all */
};

/* The communities matching the filter, as DOMAIN rows. */
static enum app_err
fill_home(struct req *r, struct view_dict *d, const void *arg)
{
	const struct listed *l = arg;
	struct view_dict    *row;
	int                  i, shown = 0;

	view_set(d, "Q", l->q);
	for (i = 0; i < PQntuples(l->res); i++) {
		if (!matches(l->res, i, l->q))
			continue;
		if ((row = view_add_section(d, "DOMAIN")) == NULL ||
		    set_community(r, row, l->res, i) == -1)
			return APP_ENOMEM;
		shown++;
	}
	if (shown == 0)
		view_show(d, "NO_MATCH");
	return APP_OK;
}

/*
 * GET /[?q=text]: what membermail is, and the communities (filtered).
 * Unfiltered, it is the same page for every signed-out visitor.
 */
enum app_err
h_home(struct req *r)
{
	const char   *title = tr(r->lang, "Community email addresses");
	struct listed l = { NULL, 0, req_field(r, HOME_Q) };
	enum app_err  e;

	if ((l.res = communities(r, &e)) == NULL)
		return e;
	if (l.q == NULL || *l.q == '\0')
		return page_render_shared(r, "home", title, "home.tpl",
		    fill_home, &l);
	if (page_dict(r) == NULL)
		return APP_ENOMEM;
	if ((e = fill_home(r, page_dict(r), &l)) != APP_OK)
		return e;
	return page_render(r, 200, title, "home.tpl");
}

static enum app_err
fill_landing(struct req *r, struct view_dict *d, const void *arg)
{
	const struct listed *l = arg;

	return set_community(r, d, l->res, l->row) == -1 ? APP_ENOMEM : APP_OK;
}

/*
 * GET /:community, e.g. /ubuntu: one community's landing page, the same
 * for every signed-out visitor.
 */
enum app_err
h_landing(struct req *r)
{
	const char   *slug = req_param(r, PARAM_COMMUNITY), *key;
	struct listed l = { NULL, 0, NULL };
	enum app_err  e;

	if ((l.res = communities(r, &e)) == NULL)
		return e;
	while (l.row < PQntuples(l.res) &&
	    strcmp(db_str(l.res, l.row, DOMAIN_LIST_SLUG), slug) != 0)
		l.row++;
	if (l.row == PQntuples(l.res)) {
		r->reason = N_("no such community");
		return APP_ENOTFOUND;
	}
	if ((key = arena_printf(r->arena, "landing/%s", slug)) == NULL)
		return APP_ENOMEM;
	return page_render_shared(r, key,
	    db_str(l.res, l.row, DOMAIN_LIST_TITLE), "landing.tpl",
	    fill_landing, &l);
}

/*
 * POST /language: the language switch at the foot of every page.  The
 * choice is kept in the browser (mm_lang) and, for a signed-in user, with
 * their account, so that their e-mail follows it; then back to the page
 * the switch was used on.
 */
enum app_err
h_language(struct req *r)
{
	const char        *code = req_field(r, LANGUAGE_LANG);
	const char        *next = req_field(r, LANGUAGE_NEXT);
	const struct lang *l;
	const char        *p[2];
	char               uid[24];
	enum app_err       e;

	if ((l = i18n_find(code, strlen(code))) == NULL) {
		r->reason = N_("no such language");
		return APP_EINPUT;
	}
	if (r->user != NULL) {
		snprintf(uid, sizeof(uid), "%lld", r->user->id);
		p[0] = uid;
		p[1] = l->code;
		if (req_sql(r, STMT_USER_SET_LANG, 2, p, &e) == NULL)
			return e;
	}
	r->lang = l;
	if ((e = lang_remember(r, l)) != APP_OK)
		return e;
	return resp_redirect(r, 303, next != NULL ? next : "/");
}
