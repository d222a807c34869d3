/* render.c - turn a page template into the response body. */
#include "config.h"

#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/i18n.h"
#include "lib/valid.h"
#include "views/view.h"

struct view_dict *
page_dict(struct req *r)
{
	if (r->view == NULL && (r->view = view_dict_new()) != NULL)
		view_set_lang(r->view, r->lang);
	return r->view;
}

/*
 * Where the language switch comes back to: this page (a GET's whole URI,
 * else its path, as a form's page shows again by GET), if it may be a
 * sign-in's next.
 */
static const char *
here(const struct req *r)
{
	const char *p = r->method & (METHOD_GET | METHOD_HEAD) ? r->uri :
								 r->path;

	return p != NULL && valid_next_path(p, strlen(p)) ? p : "/";
}

enum app_err
page_render(struct req *r, int status, const char *title, const char *page)
{
	struct view_dict *d;
	const char       *csrf;

	if ((d = page_dict(r)) == NULL || (csrf = csrf_token(r)) == NULL)
		return APP_ENOMEM;
	view_set_lang(d, r->lang);
	view_set(d, "TITLE", title);
	view_set(d, "CSRF_TOKEN", csrf);
	view_set(d, "HERE", here(r));
	if (r->user != NULL) {
		view_show(d, "SIGNED_IN");
		view_set(d, "USER_NAME", r->user->name);
		if (r->user->is_site_admin)
			view_show(d, "SITE_ADMIN");
	}
	buf_reset(&r->out);
	if (view_render(d, page, &r->out) != 0) {
		r->reason = r->out.failed ? N_("page over its bound") :
					    N_("template expansion failed");
		return APP_EINTERNAL;
	}
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	return APP_OK;
}
