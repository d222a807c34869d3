/*
 * errors.c - the error page for every status the app sends.
 *
 * A 4xx page tells the user what was wrong with their request (the reason is
 * always text we wrote, never echoed input); a 5xx page says only that it
 * is our fault, and the details go to the log.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "view.h"

static const struct {
	enum app_err	 err;
	const char	*title;
	const char	*message;
} pages[] = {
	{ APP_EINPUT, "Bad request",
	    "Something in the request was not acceptable" },
	{ APP_EAUTH, "Sign-in required",
	    "Please sign in with Ubuntu One to see this page" },
	{ APP_EFORBIDDEN, "Not allowed",
	    "You are not allowed to do that" },
	{ APP_ENOTFOUND, "Page not found",
	    "There is no page at this address" },
	{ APP_EMETHOD, "Method not allowed",
	    "This page cannot be used that way" },
	{ APP_ETOOBIG, "Request too large",
	    "The request is larger than this site accepts" },
	{ APP_EURITOOLONG, "Address too long",
	    "The address of this request is too long" },
	{ APP_ENOTIMPL, "Not available yet",
	    "This feature is not available yet" },
	{ APP_EDB, "Temporarily unavailable",
	    "The service is temporarily unavailable; please try again in a "
	    "minute" },
	{ APP_EUPSTREAM, "Temporarily unavailable",
	    "A service we depend on is temporarily unavailable; please try "
	    "again in a minute" },
};
#define NPAGES	(sizeof(pages) / sizeof(pages[0]))

static void
describe(enum app_err e, const char **title, const char **message)
{
	size_t	 i;

	*title = "Something went wrong";
	*message = "An unexpected error happened on our side; it has been "
	    "logged";
	for (i = 0; i < NPAGES; i++)
		if (pages[i].err == e) {
			*title = pages[i].title;
			*message = pages[i].message;
		}
}

void
error_page(struct req *r, enum app_err e, const char *allow)
{
	const char		*title, *message, *text;
	struct view_dict	*d;
	int			 status = app_err_status(e);

	describe(e, &title, &message);
	if (status < 500 && r->reason != NULL)
		text = arena_printf(r->arena, "%s: %s.", message, r->reason);
	else
		text = arena_printf(r->arena, "%s.", message);
	if (e == APP_EMETHOD && allow[0] != '\0')
		(void)resp_header(r, "Allow", allow);
	if (status >= 500)
		log_error("event=request_failed id=%s error=\"%s\" reason=\"%s\"",
		    r->request_id != NULL ? r->request_id : "-",
		    app_strerror(e), r->reason != NULL ? r->reason : "-");
	/* A fresh dictionary: the failed page may have half-filled its own. */
	view_dict_free(r->view);
	r->view = NULL;
	if (text != NULL && (d = page_dict(r)) != NULL) {
		view_set_int(d, "STATUS", status);
		view_set(d, "MESSAGE", text);
		if (page_render(r, status, title, "error.tpl") == APP_OK)
			return;
	}
	/* The page itself failed: plain text still tells the truth. */
	r->status = status;
	resp_body(r, "text/plain; charset=utf-8", title, strlen(title));
}
