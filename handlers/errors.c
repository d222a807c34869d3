/*
 * errors.c - the error page for every status the app sends.
 *
 * A 4xx page tells the user what was wrong with their request (the reason is
 * always text we wrote, never echoed input); a 5xx page says only that it
 * is our fault, and the details go to the log.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/bearer.h"
#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "views/view.h"

/* Title and message for people; code for programs (stable, documented). */
static const struct {
	enum app_err err;
	const char  *code;
	const char  *title;
	const char  *message;
} pages[] = {
	{ APP_EINPUT, "bad_request", N_("Bad request"),
	    N_("Something in the request was not acceptable") },
	{ APP_EAUTH, "unauthorized", N_("Sign-in required"),
	    N_("Please sign in with Ubuntu One to see this page") },
	{ APP_EFORBIDDEN, "forbidden", N_("Not allowed"),
	    N_("You are not allowed to do that") },
	{ APP_ENOTFOUND, "not_found", N_("Page not found"),
	    N_("There is no page at this address") },
	{ APP_EMETHOD, "method_not_allowed", N_("Method not allowed"),
	    N_("This page cannot be used that way") },
	{ APP_ECONFLICT, "conflict", N_("Conflict"),
	    N_("That change conflicts with the current state; reload and try "
	       "again") },
	{ APP_ETOOBIG, "too_large", N_("Request too large"),
	    N_("The request is larger than this site accepts") },
	{ APP_EURITOOLONG, "uri_too_long", N_("Address too long"),
	    N_("The address of this request is too long") },
	{ APP_EINVALID, "invalid", N_("Not accepted"),
	    N_("A value in the request was not accepted") },
	{ APP_ERATELIMIT, "rate_limited", N_("Too many attempts"),
	    N_("Please wait a minute before trying again") },
	{ APP_EMEDIATYPE, "unsupported_media_type",
	    N_("Unsupported media type"),
	    N_("The body is not of a type this page accepts") },
	{ APP_ENOTIMPL, "not_implemented", N_("Not available yet"),
	    N_("This feature is not available yet") },
	{ APP_EDB, "unavailable", N_("Temporarily unavailable"),
	    N_("The service is temporarily unavailable; please try again in a "
	       "minute") },
	{ APP_EUPSTREAM, "unavailable", N_("Temporarily unavailable"),
	    N_("A service we depend on is temporarily unavailable; please try "
	       "again in a minute") },
};
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

static void
describe(enum app_err e, const char **code, const char **title,
    const char **message)
{
	size_t i;

	*code = "internal";
	*title = N_("Something went wrong");
	*message = N_("An unexpected error happened on our side; it has been "
		      "logged");
	for (i = 0; i < NPAGES; i++)
		if (pages[i].err == e) {
			*code = pages[i].code;
			*title = pages[i].title;
			*message = pages[i].message;
		}
}

/*
 * The API's callers get JSON: on its routes (bearer authentication), and
 * on any /api/ path no route matched.
 */
static int
wants_json(const struct req *r)
{
	if (r->route != NULL)
		return r->route->auth == AUTH_BEARER;
	return api_path(r->path);
}

/* A sign-in that comes back to this page: /auth/ubuntu?next=<path>. */
static void
signin_link(struct req *r, struct view_dict *d)
{
	struct buf           b;
	const unsigned char *p;

	buf_init(&b, 2048);
	buf_puts(&b, "/auth/ubuntu?next=");
	for (p = (const unsigned char *)r->path; *p != '\0'; p++)
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	if (!b.failed) {
		view_show(d, "SIGNIN");
		view_set(d, "SIGNIN_URL", buf_cstr(&b));
	}
	buf_free(&b);
}

void
error_page(struct req *r, enum app_err e, const char *allow)
{
	const char       *code, *title, *message, *text;
	struct view_dict *d;
	int               status = app_err_status(e);

	describe(e, &code, &title, &message);
	title = tr(r->lang, title);
	message = tr(r->lang, message);
	if (status < 500 && r->reason != NULL)
		/* TRANSLATORS: an error page's message, then why. */
		text = arena_printf(r->arena, tr(r->lang, "%1$s: %2$s."),
		    message, req_reason(r, r->lang));
	else
		/* TRANSLATORS: an error page's message as a sentence. */
		text = arena_printf(r->arena, tr(r->lang, "%s."), message);
	if (e == APP_EMETHOD && allow[0] != '\0')
		(void)resp_header(r, "Allow", allow);
	if (status == 503)
		(void)resp_header(r, "Retry-After", "30");
	if (status == 429)
		(void)resp_header(r, "Retry-After",
		    r->retry_after != NULL ? r->retry_after : "60");
	if (wants_json(r) && text != NULL &&
	    api_error(r, status, code, text) == 0)
		return;
	/* A fresh dictionary: the failed page may have half-filled its own. */
	view_dict_free(r->view);
	r->view = NULL;
	if (text != NULL && (d = page_dict(r)) != NULL) {
		view_set_int(d, "STATUS", status);
		view_set(d, "MESSAGE", text);
		if (e == APP_EAUTH && r->method == METHOD_GET)
			signin_link(r, d);
		if (page_render(r, status, title, "error.tpl") == APP_OK)
			return;
	}
	/* The page itself failed: plain text still tells the truth. */
	r->status = status;
	resp_body(r, "text/plain; charset=utf-8", title, strlen(title));
}
