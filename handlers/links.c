/*
 * links.c - the pages of the links membermail mails: /confirm/:token (an
 * address agrees to receive an alias's mail) and /undo/:token (a
 * receipt's undo).  GET only says what the link would do; its button
 * POSTs, so a mail scanner fetching links changes nothing.  Anyone holding
 * the link may use it: nobody needs to be signed in.  The rules are
 * recipients.c's; strings come from the request's arena.
 */
#include "config.h"

#include <string.h>

#include "handlers/handlers.h"
#include "http/req.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "rules/recipients.h"
#include "views/view.h"

/* The route's :token (its shape checked by the router, routes.c). */
static const char *
link_token(struct req *r)
{
	return req_param(r, PARAM_TOKEN);
}

/* A link that cannot be used: why, in words, with its status. */
static enum app_err
gone(struct req *r, const char *eyebrow, const struct rcpt_link *l)
{
	struct view_dict *d;
	int               status = 404;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "EYEBROW", tr(r->lang, eyebrow));
	if (l != NULL && l->state == RCPT_LINK_EXPIRED) {
		status = 410;
		view_set(d, "HEADING", tr(r->lang, "This link has expired"));
		view_set(d, "TEXT",
		    arena_printf(r->arena,
			tr(r->lang,
			    "It worked until %s (UTC). Nothing was changed."),
			l->expires_at));
	} else {
		view_set(d, "HEADING", tr(r->lang, "This link does not work"));
		view_set(d, "TEXT",
		    tr(r->lang,
			"It is not a link membermail sent, or a newer one "
			"replaced it. Nothing was changed."));
	}
	r->reason = status == 410 ? N_("link expired") : N_("no such link");
	return page_render(r, status, tr(r->lang, "Link"), "link.tpl");
}

static enum app_err
show(struct req *r, const char *eyebrow, const char *heading, const char *text)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "EYEBROW", tr(r->lang, eyebrow));
	view_set(d, "HEADING", heading);
	view_set(d, "TEXT", text);
	return APP_OK;
}

/* The question a live link asks, with its button. */
static enum app_err
ask(struct req *r, const char *action, const char *button, const char *fine)
{
	struct view_dict *d = page_dict(r);

	view_show(d, "ASK");
	view_set(d, "ACTION", action);
	view_set(d, "BUTTON", button);
	view_set(d, "FINE", fine);
	return page_render(r, 200, tr(r->lang, "Link"), "link.tpl");
}

static enum app_err
confirm_page(struct req *r, const struct rcpt_link *l)
{
	enum app_err e;

	if (l->state == RCPT_LINK_USED || l->done)
		e = show(r, N_("Forwarding"), tr(r->lang, "Thank you"),
		    l->applied ?
			arena_printf(r->arena,
			    tr(r->lang,
				"%1$s agreed: mail to %2$s now comes to it."),
			    l->address, l->alias) :
			arena_printf(r->arena,
			    tr(r->lang,
				"%1$s agreed to receive the mail of %2$s. Its "
				"forwarding changes once every new address "
				"has agreed."),
			    l->address, l->alias));
	else
		e = show(r, N_("Forwarding"),
		    arena_printf(r->arena,
			tr(r->lang, "Forward mail for %s to you?"), l->alias),
		    arena_printf(r->arena,
			tr(r->lang,
			    "%1$s asked for the mail of %2$s to be forwarded "
			    "to %3$s."),
			l->actor, l->alias, l->address));
	if (e != APP_OK)
		return e;
	if (l->state == RCPT_LINK_USED || l->done)
		return page_render(r, 200, tr(r->lang, "Link"), "link.tpl");
	return ask(r, arena_printf(r->arena, "/confirm/%s", link_token(r)),
	    tr(r->lang, "Yes, forward it to me"),
	    arena_printf(r->arena,
		tr(r->lang,
		    "If you do not agree, close this page: nothing is "
		    "forwarded to you. The link works until %s (UTC)."),
		l->expires_at));
}

/* GET|POST /confirm/:token */
enum app_err
h_confirm(struct req *r)
{
	struct rcpt_link l;
	const char      *token;
	enum app_err     e;

	if ((token = link_token(r)) == NULL)
		return gone(r, N_("Forwarding"), NULL);
	if ((e = rcpt_confirm(r->db, r->arena, token, r->method == METHOD_POST,
		 &l)) != APP_OK)
		return e;
	if (l.state == RCPT_LINK_UNKNOWN || l.state == RCPT_LINK_EXPIRED)
		return gone(r, N_("Forwarding"), &l);
	return confirm_page(r, &l);
}

/* GET|POST /undo/:token */
enum app_err
h_undo(struct req *r)
{
	struct rcpt_link l;
	const char      *token;
	enum app_err     e;

	if ((token = link_token(r)) == NULL)
		return gone(r, N_("Undo"), NULL);
	if ((e = rcpt_undo(r->db, r->arena, token, r->method == METHOD_POST,
		 &l)) != APP_OK)
		return e;
	if (l.state == RCPT_LINK_UNKNOWN || l.state == RCPT_LINK_EXPIRED)
		return gone(r, N_("Undo"), &l);
	if (l.done || l.state == RCPT_LINK_USED) {
		if ((e = show(r, N_("Undo"),
			 l.done ? tr(r->lang, "The change is undone") :
				  tr(r->lang, "This change was undone already"),
			 arena_printf(r->arena,
			     tr(r->lang,
				 "The previous forwarding of %s is back. "
				 "Changes to it are locked until its owner "
				 "signs in again."),
			     l.alias))) != APP_OK)
			return e;
		return page_render(r, 200, tr(r->lang, "Link"), "link.tpl");
	}
	if ((e = show(r, N_("Undo"),
		 arena_printf(r->arena, tr(r->lang, "Undo this change of %s?"),
		     l.alias),
		 arena_printf(r->arena,
		     tr(r->lang,
			 "On %1$s (UTC), %2$s changed where the mail of %3$s "
			 "goes."),
		     l.at, l.actor, l.alias))) != APP_OK)
		return e;
	return ask(r, arena_printf(r->arena, "/undo/%s", token),
	    tr(r->lang, "Undo the change"),
	    arena_printf(r->arena,
		tr(r->lang,
		    "Undoing puts the previous forwarding back and locks the "
		    "address until its owner signs in again. The link works "
		    "once, until %s (UTC)."),
		l.expires_at));
}
