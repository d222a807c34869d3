/* render.c - turn a page template into the response body. */
#include "config.h"

#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "views/view.h"

struct view_dict *
page_dict(struct req *r)
{
	if (r->view == NULL)
		r->view = view_dict_new();
	return r->view;
}

void
page_notice(struct view_dict *d, const char *done,
    const struct page_notice *table, size_t n)
{
	size_t i;

	for (i = 0; done != NULL && i < n; i++)
		if (strcmp(done, table[i].done) == 0) {
			view_show(d, "NOTICE");
			view_set(d, "NOTICE_TEXT", table[i].text);
		}
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
