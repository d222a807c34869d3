/* render.c - turn a page template into the response body. */
#include "config.h"

#include "handlers/handlers.h"
#include "http/session.h"
#include "rules/history.h"
#include "store/db.h"
#include "views/view.h"

struct view_dict *
page_dict(struct req *r)
{
	if (r->view == NULL)
		r->view = view_dict_new();
	return r->view;
}

enum app_err
page_render(struct req *r, int status, const char *title, const char *page)
{
	struct view_dict *d;
	const char       *csrf;

	if ((d = page_dict(r)) == NULL || (csrf = csrf_token(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "TITLE", title);
	view_set(d, "CSRF_TOKEN", csrf);
	if (r->user != NULL) {
		view_show(d, "SIGNED_IN");
		view_set(d, "USER_NAME", r->user->name);
		if (r->user->is_site_admin)
			view_show(d, "SITE_ADMIN");
	}
	buf_reset(&r->out);
	if (view_render(d, page, &r->out) != 0) {
		r->reason = r->out.failed ? "page over its bound" :
					    "template expansion failed";
		return APP_EINTERNAL;
	}
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	return APP_OK;
}

enum app_err
history_rows(struct req *r, struct view_dict *d, PGresult *res, int named)
{
	struct history_event ev;
	struct view_dict    *row;
	const char          *line;
	int                  i;

	for (i = 0; i < PQntuples(res); i++) {
		ev.at = db_str(res, i, HISTORY_AT);
		ev.actor_kind = db_str(res, i, HISTORY_KIND);
		ev.actor_name = db_str(res, i, HISTORY_NAME);
		ev.action = db_str(res, i, HISTORY_ACTION);
		ev.target = db_str(res, i, HISTORY_TARGET);
		ev.before = db_str(res, i, HISTORY_BEFORE);
		ev.after = db_str(res, i, HISTORY_AFTER);
		if ((row = view_add_section(d, "HISTORY")) == NULL ||
		    (line = history_line(r->arena, &ev, named)) == NULL)
			return APP_ENOMEM;
		view_set(row, "LINE", line);
	}
	return APP_OK;
}
