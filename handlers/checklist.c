/*
 * checklist.c - what /my says about a community where the member has no
 * address yet: each requirement, done or missing (or not known yet), with
 * what to do about it, and when membermail checks again.  Every line is a
 * whole sentence.  Strings come from the request's arena.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "views/view.h"

#define COC_URL "https://launchpad.net/codeofconduct"
/* deploy/systemd/membermail-sync.timer: five minutes after the last run. */
#define SYNC_EVERY 300

enum check_state {
	CHECK_DONE,
	CHECK_MISSING,
	CHECK_UNKNOWN
};

/* The CHECKLIST row, and how many of its lines are done. */
struct list {
	struct view_dict  *dict;
	const struct lang *lang;
	int                done, all;
};

static enum app_err
check(struct list *list, enum check_state st, const char *text, const char *url,
    const char *link)
{
	static const char *const words[][3] = {
		[CHECK_DONE] = { "done", "\u2713", N_("Done") },
		[CHECK_MISSING] = { "missing", "\u2717", N_("Missing") },
		[CHECK_UNKNOWN] = { "unknown", "?", N_("Not known yet") },
	};
	struct view_dict *row;

	if (text == NULL ||
	    (row = view_add_section(list->dict, "CHECK")) == NULL)
		return APP_ENOMEM;
	list->all++;
	list->done += st == CHECK_DONE;
	view_set(row, "STATE", words[st][0]);
	view_set(row, "MARK", words[st][1]);
	view_set(row, "STATE_WORDS", tr(list->lang, words[st][2]));
	view_set(row, "TEXT", text);
	if (url != NULL) {
		view_show(row, "LINK");
		view_set(row, "URL", url);
		view_set(row, "LINK_TEXT", link);
	}
	return APP_OK;
}

/* The Launchpad account and the Code of Conduct, from the person check. */
static enum app_err
person_checks(struct req *r, struct list *l)
{
	const char  *st = r->user->person_status, *name = r->user->name;
	int          valid = strcmp(st, "valid") == 0;
	int          coc_missing = strcmp(st, "not-coc-signer") == 0;
	enum app_err e;

	if (valid || coc_missing)
		e = check(l, CHECK_DONE,
		    tr(r->lang, "Your Launchpad account is active."), NULL,
		    NULL);
	else if (*st == '\0')
		e = check(l, CHECK_UNKNOWN,
		    tr(r->lang,
			"Your Launchpad account has not been checked yet."),
		    NULL, NULL);
	else
		e = check(l, CHECK_MISSING,
		    tr(r->lang, "Your Launchpad account is not active."),
		    arena_printf(r->arena, "https://launchpad.net/~%s", name),
		    tr(r->lang, "Open your Launchpad page"));
	if (e != APP_OK)
		return e;
	if (valid)
		return check(l, CHECK_DONE,
		    tr(r->lang, "You have signed the Ubuntu Code of Conduct."),
		    NULL, NULL);
	if (coc_missing)
		return check(l, CHECK_MISSING,
		    tr(r->lang,
			"You have not signed the Ubuntu Code of Conduct."),
		    COC_URL, tr(r->lang, "Sign it on Launchpad"));
	return check(l, CHECK_UNKNOWN,
	    tr(r->lang,
		"Whether you signed the Ubuntu Code of Conduct is not known yet."),
	    NULL, NULL);
}

static enum app_err
team_check(struct req *r, struct list *l, const struct checklist *c)
{
	if (c->member)
		return check(l, CHECK_DONE,
		    arena_printf(r->arena,
			tr(r->lang, "You are a member of ~%s."), c->team),
		    NULL, NULL);
	if (!c->checked)
		return check(l, CHECK_UNKNOWN,
		    arena_printf(r->arena,
			tr(r->lang,
			    "Your membership of ~%s has not been checked yet."),
			c->team),
		    NULL, NULL);
	return check(l, CHECK_MISSING,
	    arena_printf(r->arena, tr(r->lang, "You are not a member of ~%s."),
		c->team),
	    arena_printf(r->arena, "https://launchpad.net/~%s", c->team),
	    arena_printf(r->arena, tr(r->lang, "Ask to join ~%s on Launchpad"),
		c->team));
}

/* When the sync looks again: five minutes after the team's last fetch. */
static const char *
next_check(struct req *r, const struct checklist *c)
{
	time_t    next = (time_t)c->last_fetch + SYNC_EVERY;
	struct tm tm;
	char      iso[32], when[64];

	if (c->last_fetch == 0 || next <= time(NULL) ||
	    gmtime_r(&next, &tm) == NULL ||
	    strftime(iso, sizeof(iso), "%Y-%m-%d %H:%MZ", &tm) == 0)
		return tr(r->lang,
		    "membermail checks Launchpad again at the next run of its "
		    "sync, every five minutes, and whenever you sign in.");
	return arena_printf(r->arena,
	    tr(r->lang,
		"membermail checks Launchpad again around %s, and whenever "
		"you sign in."),
	    i18n_time(r->lang, iso, when, sizeof(when)));
}

/* The name, the email and the domain: what the account and DNS say. */
static enum app_err
other_checks(struct req *r, struct list *l, const struct checklist *c)
{
	const char  *name = r->user->name, *email = r->user->email;
	enum app_err e;

	if ((e = *email != '\0' ?
		    check(l, CHECK_DONE,
			arena_printf(r->arena,
			    tr(r->lang,
				"Ubuntu One shares your email address, %s."),
			    email),
			NULL, NULL) :
		    check(l, CHECK_MISSING,
			tr(r->lang,
			    "Ubuntu One does not share your email address: "
			    "sign in again and allow it."),
			NULL, NULL)) != APP_OK)
		return e;
	if ((e = c->reserved ?
		    check(l, CHECK_MISSING,
			arena_printf(r->arena,
			    tr(r->lang,
				"The name %1$s is reserved at %2$s: only a "
				"site admin can assign it."),
			    name, c->domain),
			NULL, NULL) :
		    check(l, CHECK_DONE,
			arena_printf(r->arena,
			    tr(r->lang,
				"The name %1$s is not reserved at %2$s."),
			    name, c->domain),
			NULL, NULL)) != APP_OK)
		return e;
	return c->verified ?
	    check(l, CHECK_DONE,
		arena_printf(r->arena, tr(r->lang, "%s is verified."),
		    c->domain),
		NULL, NULL) :
	    check(l, CHECK_MISSING,
		arena_printf(r->arena,
		    tr(r->lang,
			"%s is not verified yet: its admins must publish "
			"its DNS record."),
		    c->domain),
		NULL, NULL);
}

enum app_err
checklist_add(struct req *r, struct view_dict *dd, const struct checklist *c)
{
	struct list  l = { NULL, r->lang, 0, 0 };
	enum app_err e;

	if ((l.dict = view_add_section(dd, "CHECKLIST")) == NULL)
		return APP_ENOMEM;
	view_set(l.dict, "NEXT_CHECK", next_check(r, c));
	if ((e = check(&l, CHECK_DONE,
		 arena_printf(r->arena,
		     tr(r->lang, "You are signed in with Ubuntu One as ~%s."),
		     r->user->name),
		 NULL, NULL)) != APP_OK ||
	    (e = person_checks(r, &l)) != APP_OK ||
	    (e = team_check(r, &l, c)) != APP_OK ||
	    (e = other_checks(r, &l, c)) != APP_OK)
		return e;
	view_set(l.dict, "SUMMARY",
	    arena_printf(r->arena,
		trn(r->lang,
		    "%1$d of the %2$d requirement for an address at %3$s is "
		    "met.",
		    "%1$d of the %2$d requirements for an address at %3$s "
		    "are met.",
		    (unsigned long)l.all),
		l.done, l.all, c->domain));
	return APP_OK;
}
