/*
 * my.c - the member's pages: /my (each community domain with the
 * member's address and its state in plain words) and /my/aliases/:id (one
 * alias, its edit form and its history).  Every rule about what may change
 * is alias.c's; this file only shows and asks.  Owns nothing beyond the
 * request: strings come from req->arena, results belong to the request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "rules/alias.h"
#include "rules/provision.h"
#include "rules/recipients.h"
#include "store/audit.h"
#include "views/view.h"

#define COC_URL "https://launchpad.net/codeofconduct"

/*
 * STMT_MY_SESSION_PAGE's answer, its arrays decoded (the same in every
 * row), and the domain being shown.
 */
struct my_page {
	PGresult    *res;
	int         *rows; /* room for an index per row */
	const char **teams, **admin_of, **error_domains, **error_codes;
	const char **reserved; /* domains where the user's name is */
	size_t       nteams, nadmin_of, nerrors, nreserved;
	const char  *id, *name, *team;
	int          checked;  /* the team has a trusted snapshot */
	int          verified; /* the domain's DNS record */
	long long    last_fetch;
};

static const char *
reply_words(int code)
{
	switch (code) {
	case 250:
		return "250: mail is accepted and dropped";
	case 421:
		return "421: senders are told to try again later";
	default:
		return "550: mail is rejected";
	}
}

/* Why the person check makes the user ineligible, or NULL. */
static const char *
person_words(const struct req *r, int *coc)
{
	const char *status = r->user->person_status;

	if (strcmp(status, "not-coc-signer") == 0) {
		*coc = 1;
		return "not eligible: you have not signed the Ubuntu Code of "
		       "Conduct";
	}
	if (strcmp(status, "not-valid") == 0 ||
	    strcmp(status, "not-found") == 0)
		return "your Launchpad account is not active";
	return NULL;
}

/* Whether s is one of the n items. */
static int
has_item(const char *const *items, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (items[i] != NULL && strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

/* The least error code of the domain shown, or "". */
static const char *
my_error(const struct my_page *p)
{
	const char *least = "";
	size_t      i;

	for (i = 0; i < p->nerrors; i++)
		if (p->error_domains[i] != NULL && p->error_codes[i] != NULL &&
		    strcmp(p->error_domains[i], p->id) == 0 &&
		    (*least == '\0' || strcmp(p->error_codes[i], least) < 0))
			least = p->error_codes[i];
	return least;
}

/*
 * Keeps the error reports whose expiry (Unix seconds, in step with them)
 * is after now: users.error_* list them all, expired or not.
 */
static void
live_errors(struct my_page *p, const char *const *until, size_t nuntil,
    long long now)
{
	size_t i, n = 0;

	for (i = 0; i < p->nerrors && i < nuntil; i++) {
		if (until[i] == NULL || strtoll(until[i], NULL, 10) <= now)
			continue;
		p->error_domains[n] = p->error_domains[i];
		p->error_codes[n++] = p->error_codes[i];
	}
	p->nerrors = n;
}

/* The page's arrays: the user's teams, domains and live error reports. */
static enum app_err
page_lists(struct req *r, struct my_page *p)
{
	const char **until;
	size_t       ncodes, nuntil;
	enum app_err e;

	if ((e = db_array(r->arena, p->res, 0, MY_PAGE_TEAMS, &p->teams,
		 &p->nteams)) != APP_OK ||
	    (e = db_array(r->arena, p->res, 0, MY_PAGE_ADMIN_OF, &p->admin_of,
		 &p->nadmin_of)) != APP_OK ||
	    (e = db_array(r->arena, p->res, 0, MY_PAGE_ERROR_DOMAINS,
		 &p->error_domains, &p->nerrors)) != APP_OK ||
	    (e = db_array(r->arena, p->res, 0, MY_PAGE_RESERVED, &p->reserved,
		 &p->nreserved)) != APP_OK ||
	    (e = db_array(r->arena, p->res, 0, MY_PAGE_ERROR_CODES,
		 &p->error_codes, &ncodes)) != APP_OK ||
	    (e = db_array(r->arena, p->res, 0, MY_PAGE_ERROR_UNTIL, &until,
		 &nuntil)) != APP_OK)
		return e;
	if (ncodes < p->nerrors) /* in step: never, but never read past */
		p->nerrors = ncodes;
	live_errors(p, until, nuntil, db_ll(p->res, 0, MY_PAGE_NOW));
	return APP_OK;
}

/* The state of the disabled alias in row i, in plain words. */
static const char *
disabled_words(struct req *r, const struct my_page *p, int i, int *coc)
{
	const char *why = db_str(p->res, i, MY_PAGE_REASON);
	const char *on = db_str(p->res, i, MY_PAGE_REMOVE_ON);
	const char *w;

	if (strcmp(why, "matches-recipient") == 0)
		return "disabled: it would forward to itself";
	if (strcmp(why, "left-team") == 0)
		return *on != '\0' ?
		    arena_printf(r->arena,
			"disabled: you are "
			"no longer a member of ~%s; it will be removed on %s",
			p->team, on) :
		    arena_printf(r->arena,
			"disabled: you are "
			"no longer a member of ~%s",
			p->team);
	if (strcmp(why, "invalid-user") == 0)
		return (w = person_words(r, coc)) != NULL ?
		    arena_printf(r->arena, "disabled: %s", w) :
		    "disabled: your Launchpad account is not eligible";
	if (strcmp(why, "banned") == 0)
		return "disabled: your account is suspended";
	if (strcmp(why, "by-owner") == 0)
		return "disabled by you";
	return arena_printf(r->arena, "disabled by an admin of %s", p->name);
}

/* Why the domain shows no address for the user, in plain words. */
static const char *
no_alias_words(struct req *r, const struct my_page *p, int *coc)
{
	const char *error, *w;

	if (!p->verified)
		return "no addresses here yet: the domain is not verified";
	if ((w = person_words(r, coc)) != NULL)
		return w;
	/*
	 * provision.c's codes: not-created.<reason>, invalid.<status>; the
	 * least of the domain's codes is the one shown.
	 */
	error = my_error(p);
	if (strncmp(error, "not-created.", 12) == 0)
		return arena_printf(r->arena,
		    "we could not create your "
		    "address: %s; the domain's admins have been told",
		    provision_reason_words(error + 12, r->lang));
	if (r->user->sync_due)
		return "Launchpad is unreachable; we will retry";
	if (!p->checked)
		return arena_printf(r->arena,
		    "membership of ~%s not checked "
		    "yet",
		    p->team);
	if (!has_item(p->teams, p->nteams, p->team))
		return arena_printf(r->arena, "not a member of ~%s", p->team);
	return arena_printf(r->arena,
	    "member of ~%s: your address will "
	    "appear after the next check",
	    p->team);
}

/* Adds the alias of row i to the domain section dd. */
static enum app_err
add_alias(struct req *r, struct view_dict *dd, const struct my_page *p, int i)
{
	struct view_dict *a;
	const char       *text, *address, *to;
	int               coc = 0;

	if ((a = view_add_section(dd, "ALIAS")) == NULL ||
	    (address = arena_printf(r->arena, "%s@%s",
		 db_str(p->res, i, MY_PAGE_LOCAL), p->name)) == NULL)
		return APP_ENOMEM;
	to = db_str(p->res, i, MY_PAGE_RECIPIENTS);
	view_set(a, "ID", db_str(p->res, i, MY_PAGE_ALIAS));
	view_set(a, "ADDRESS", address);
	view_set(a, "RECIPIENTS", to);
	if (db_bool(p->res, i, MY_PAGE_ENABLED))
		text = arena_printf(r->arena, "you have %s \u2192 %s", address,
		    to);
	else {
		text = disabled_words(r, p, i, &coc);
		view_show(a, "DISABLED");
		view_set(a, "REPLY",
		    reply_words((int)db_ll(p->res, i, MY_PAGE_REPLY)));
	}
	if (text == NULL)
		return APP_ENOMEM;
	view_set(a, "STATE", text);
	if (coc)
		view_show(a, "COC");
	if (*db_str(p->res, i, MY_PAGE_PENDING) != '\0') {
		view_show(a, "WAITING");
		view_set(a, "PENDING", db_str(p->res, i, MY_PAGE_PENDING));
	}
	return APP_OK;
}

/* Collects the rows of the domain shown's aliases, by local part. */
static int
domain_aliases(const struct my_page *p)
{
	const char *local;
	int         i, j, n = 0;

	for (i = 0; i < PQntuples(p->res); i++) {
		if (strcmp(db_str(p->res, i, MY_PAGE_DOMAIN), p->id) != 0)
			continue;
		local = db_str(p->res, i, MY_PAGE_LOCAL);
		for (j = n++; j > 0 &&
		     strcmp(db_str(p->res, p->rows[j - 1], MY_PAGE_LOCAL),
			 local) > 0;
		     j--)
			p->rows[j] = p->rows[j - 1];
		p->rows[j] = i;
	}
	return n;
}

/* Adds the section of the domain p names: its aliases, or why none. */
static enum app_err
add_domain(struct req *r, struct view_dict *d, const struct my_page *p)
{
	struct checklist  c;
	struct view_dict *dd;
	const char       *text;
	int               i, n, coc = 0;
	enum app_err      e;

	if ((dd = view_add_section(d, "DOMAIN")) == NULL)
		return APP_ENOMEM;
	view_set(dd, "NAME", p->name);
	if ((n = domain_aliases(p)) > 0) {
		for (i = 0; i < n; i++)
			if ((e = add_alias(r, dd, p, p->rows[i])) != APP_OK)
				return e;
		return APP_OK;
	}
	if ((text = no_alias_words(r, p, &coc)) == NULL)
		return APP_ENOMEM;
	view_show(dd, "NOTE");
	view_set(dd, "STATE", text);
	if (coc)
		view_show(dd, "COC");
	c.domain = p->name;
	c.team = p->team;
	c.checked = p->checked;
	c.member = has_item(p->teams, p->nteams, p->team);
	c.verified = p->verified;
	c.reserved = has_item(p->reserved, p->nreserved, p->id);
	c.last_fetch = p->last_fetch;
	return checklist_add(r, dd, &c);
}

/*
 * The administered-domains panel: every domain for a site admin, else
 * those the user administers; by name, as the cached list is.
 */
static enum app_err
add_admin_domains(struct req *r, struct view_dict *d, const struct my_page *p)
{
	struct view_dict *row;
	PGresult         *names;
	int               i, all = r->user->is_site_admin, n = 0;
	enum app_err      e;

	if (!all && p->nadmin_of == 0)
		return APP_OK;
	if ((names = db_cached(r->db, STMT_MY_DOMAIN_NAMES, &e)) == NULL)
		return e;
	for (i = 0; i < PQntuples(names); i++) {
		if (!all &&
		    !has_item(p->admin_of, p->nadmin_of,
			db_str(names, i, MY_DOMAIN_NAMES_ID)))
			continue;
		if ((row = view_add_section(d, "ADMIN_DOMAIN")) == NULL)
			return APP_ENOMEM;
		view_set(row, "NAME", db_str(names, i, MY_DOMAIN_NAMES_NAME));
		n++;
	}
	if (n > 0)
		view_show(d, "ADMINISTERS");
	return APP_OK;
}

/*
 * GET /my: who is signed in, and their address on each domain.  The
 * session has the user; the domains come from the worker's cache; the
 * rest came with the session, in the same query.
 */
enum app_err
h_my(struct req *r)
{
	struct my_page    p;
	struct view_dict *d;
	PGresult         *list;
	int               i;
	enum app_err      e;

	/* The page's rows came with the session (its route row says so). */
	if ((p.res = r->session_res) == NULL ||
	    PQnfields(p.res) != MY_PAGE__N) {
		r->reason = "/my without its session statement";
		return APP_EINTERNAL;
	}
	/* After the query: a lost connection empties the cache. */
	if ((list = db_cached(r->db, STMT_MY_DOMAIN_LIST, &e)) == NULL)
		return e;
	if ((e = page_lists(r, &p)) != APP_OK)
		return e;
	if ((p.rows = arena_calloc(r->arena, (size_t)PQntuples(p.res) + 1,
		 sizeof(*p.rows))) == NULL ||
	    (d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "DISPLAY_NAME",
	    r->user->display_name[0] != '\0' ? r->user->display_name :
					       r->user->name);
	view_set(d, "EMAIL", r->user->email);
	view_set(d, "CLAIMED_ID", r->user->claimed_id);
	if (r->user->email_stuck != NULL && r->user->email_stuck[0] != '\0') {
		view_show(d, "EMAIL_STUCK");
		view_set(d, "OLD_EMAIL", r->user->email_stuck);
	}
	if (r->user->mail_problem != NULL &&
	    strcmp(r->user->mail_problem, "needs-smtputf8") == 0)
		view_show(d, "NEEDS_SMTPUTF8");
	if (PQntuples(list) == 0)
		view_show(d, "NO_DOMAINS");
	else if (r->user->sync_due)
		view_show(d, "UNREACHABLE");
	for (i = 0; i < PQntuples(list); i++) {
		p.id = db_str(list, i, MY_DOMAIN_LIST_ID);
		p.name = db_str(list, i, MY_DOMAIN_LIST_NAME);
		p.team = db_str(list, i, MY_DOMAIN_LIST_TEAM);
		p.checked = db_bool(list, i, MY_DOMAIN_LIST_CHECKED);
		p.verified = db_bool(list, i, MY_DOMAIN_LIST_VERIFIED);
		p.last_fetch = db_ll(list, i, MY_DOMAIN_LIST_LAST_FETCH);
		if ((e = add_domain(r, d, &p)) != APP_OK)
			return e;
	}
	if ((e = add_admin_domains(r, d, &p)) != APP_OK)
		return e;
	return page_render(r, 200, "Your account", "my.tpl");
}

/*
 * The signed-in user as the owner of their aliases: these pages never use
 * site-admin powers (the admin pages do), so "not theirs" is a 404 here.
 */
static void
owner_actor(const struct req *r, struct actor *a)
{
	req_actor(r, ACTOR_USER, a);
	a->site_admin = 0;
}

/* Loads the user's own alias :id into v; APP_ENOTFOUND if not theirs. */
static enum app_err
own_alias(struct req *r, struct alias_view *v)
{
	struct actor a;
	enum app_err e;

	owner_actor(r, &a);
	if ((e = alias_get(r->db, r->arena, &a, req_param_id(r, PARAM_ID),
		 v)) == APP_OK &&
	    v->user_id != r->user->id)
		e = APP_ENOTFOUND; /* an admin's view of someone else's */
	if (e == APP_ENOTFOUND)
		r->reason = "no such alias of this user";
	return e;
}

static enum app_err
add_history(struct req *r, struct view_dict *d, const struct alias_view *v)
{
	char         sid[24];
	const char  *p[1] = { sid };
	PGresult    *res;
	enum app_err e;

	snprintf(sid, sizeof(sid), "%lld", v->id);
	if ((res = req_sql(r, STMT_ALIAS_HISTORY, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) == 0)
		view_show(d, "NO_HISTORY");
	return history_rows(r, d, res, 0);
}

/* What the form shows: the alias's values, or the input being kept. */
struct form_values {
	const char *recipients;
	int         enabled;
	const char *description;
	const char *reply_code;
};

/* The template section that shows a refused field's message. */
static const char *
error_section(const char *field)
{
	static const char *const sections[][2] = {
		{ "recipients", "RECIPIENTS_ERROR" },
		{ "enabled", "ENABLED_ERROR" },
		{ "description", "DESCRIPTION_ERROR" },
		{ "reply_code", "REPLY_ERROR" },
	};
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(field, sections[i][0]) == 0)
			return sections[i][1];
	return "RECIPIENTS_ERROR"; /* not reached: alias.h's fields */
}

static enum app_err
set_form(struct view_dict *d, const struct form_values *f,
    const struct alias_problem *why)
{
	struct view_dict *s;
	const char       *reply = f->reply_code;

	view_set(d, "RECIPIENTS", f->recipients);
	view_set(d, "DESCRIPTION", f->description);
	view_show(d, f->enabled ? "ENABLED_CHECKED" : "DISABLED_CHECKED");
	view_show(d,
	    strcmp(reply, "250") == 0     ? "REPLY_250" :
		strcmp(reply, "421") == 0 ? "REPLY_421" :
					    "REPLY_550");
	if (why == NULL || why->field == NULL)
		return APP_OK;
	if ((s = view_add_section(d, error_section(why->field))) == NULL)
		return APP_ENOMEM;
	view_set(s, "MESSAGE", tr(view_lang(d), why->message));
	view_show(d, "HAS_ERROR");
	return APP_OK;
}

/* v's recipients, comma-separated, in the arena. */
static const char *
recipient_list(struct req *r, const struct alias_view *v)
{
	const char *s = "";
	size_t      i;

	for (i = 0; s != NULL && i < v->nrecipients; i++)
		s = arena_printf(r->arena, "%s%s%s", s, i ? ", " : "",
		    v->recipients[i]);
	return s;
}

/* What the page says after a change: where the mail goes now. */
static const char *
saved_words(struct req *r, const struct alias_view *v)
{
	const char *live = recipient_list(r, v);

	if (v->npending > 0)
		return arena_printf(r->arena,
		    "Saved. Mail to %s still goes to %s until the new addresses "
		    "agree: each of them got a link to confirm.",
		    v->address, live);
	if (!v->enabled)
		return arena_printf(r->arena, "Saved. %s is disabled: %s.",
		    v->address, reply_words(v->reply_code));
	return arena_printf(r->arena, "Saved. Mail to %s now goes to %s.",
	    v->address, live);
}

/* The pending change: each new address and whether it agreed. */
static enum app_err
add_pending(struct req *r, struct view_dict *d, const struct alias_view *v)
{
	struct rcpt_pending *list;
	struct view_dict    *row;
	size_t               i, n;
	enum app_err         e;

	if (v->npending == 0)
		return APP_OK;
	if ((e = rcpt_pending(r->db, r->arena, v->id, &list, &n)) != APP_OK)
		return e;
	view_show(d, "HAS_PENDING");
	for (i = 0; i < n; i++) {
		if ((row = view_add_section(d, "PENDING_ADDRESS")) == NULL)
			return APP_ENOMEM;
		view_set(row, "PENDING_ADDR", list[i].address);
		view_set(row, "STATE",
		    list[i].confirmed ?
			"agreed" :
			list[i].expired ?
			arena_printf(r->arena, "the link expired on %s (UTC)",
			    list[i].expires_at) :
			arena_printf(r->arena,
			    "waiting for confirmation: link "
			    "sent %s, valid until %s (UTC)",
			    list[i].sent_at, list[i].expires_at));
		if (list[i].can_resend)
			view_show(row, "CAN_RESEND");
	}
	return APP_OK;
}

/* Renders the alias page: v, the form (f), a problem, a notice. */
static enum app_err
alias_page(struct req *r, int status, const struct alias_view *v,
    const struct form_values *f, const struct alias_problem *why,
    const char *notice)
{
	struct view_dict *d;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_int(d, "ID", (long)v->id);
	view_set(d, "ADDRESS", v->address);
	view_set(d, "UPDATED_AT", v->updated_at);
	view_set(d, "STATE",
	    v->enabled ? "Enabled: mail is forwarded." :
			 arena_printf(r->arena, "Disabled (%s): %s.",
			     v->disabled_reason, reply_words(v->reply_code)));
	if (v->locked)
		view_show(d, "LOCKED");
	if (v->remove_at != NULL) {
		view_show(d, "REMOVING");
		view_set(d, "REMOVE_AT", v->remove_at);
	}
	if (notice != NULL) {
		view_show(d, "NOTICE");
		view_set(d, "NOTICE_TEXT", notice);
	}
	if ((e = set_form(d, f, why)) != APP_OK ||
	    (e = add_pending(r, d, v)) != APP_OK ||
	    (e = add_history(r, d, v)) != APP_OK)
		return e;
	return page_render(r, status, v->address, "alias.tpl");
}

/* The form as the alias is: a waiting change is what the owner wants. */
static enum app_err
form_of(struct req *r, const struct alias_view *v, struct form_values *f,
    char *code, size_t codesz)
{
	struct alias_view want = *v;

	if (v->npending > 0) {
		want.recipients = v->pending;
		want.nrecipients = v->npending;
	}
	snprintf(code, codesz, "%d", v->reply_code);
	f->recipients = alias_recipients_text(r->arena, &want);
	f->enabled = v->enabled;
	f->description = v->description;
	f->reply_code = code;
	return f->recipients == NULL ? APP_ENOMEM : APP_OK;
}

static int
flag(const struct req *r, int field)
{
	const char *v = req_field(r, field);

	return v != NULL && v[0] == '1';
}

/* GET /my/aliases/:id[?saved=1|resent=1]: the alias, its form, history. */
enum app_err
h_my_alias(struct req *r)
{
	struct alias_view  v;
	struct form_values f;
	char               code[8];
	enum app_err       e;

	if ((e = own_alias(r, &v)) != APP_OK ||
	    (e = form_of(r, &v, &f, code, sizeof(code))) != APP_OK)
		return e;
	return alias_page(r, 200, &v, &f, NULL,
	    flag(r, MY_SAVED)      ? saved_words(r, &v) :
		flag(r, MY_RESENT) ? "We sent the link again." :
				     NULL);
}

/* POST /my/aliases/:id/resend  address=...: the link again, rate-limited. */
enum app_err
h_my_alias_resend(struct req *r)
{
	struct alias_view  v;
	struct form_values f;
	struct actor       a;
	const char  *why, *loc, *address = req_field(r, MY_RESEND_ADDRESS);
	char         code[8];
	enum app_err e;

	if ((e = own_alias(r, &v)) != APP_OK)
		return e;
	owner_actor(r, &a);
	e = rcpt_resend(r->db, r->arena, &a, v.id, address, &why);
	if (e == APP_OK) {
		loc = arena_printf(r->arena, "/my/aliases/%lld?resent=1", v.id);
		return loc == NULL ? APP_ENOMEM : resp_redirect(r, 303, loc);
	}
	if (e == APP_ENOTFOUND)
		r->reason = "that address is not waiting for confirmation";
	if (e != APP_ECONFLICT)
		return e;
	r->reason = why;
	if ((e = own_alias(r, &v)) != APP_OK ||
	    (e = form_of(r, &v, &f, code, sizeof(code))) != APP_OK)
		return e;
	return alias_page(r, 409, &v, &f, NULL,
	    strcmp(why, "resend_too_soon") == 0 ?
		arena_printf(r->arena,
		    "A link went to %s only minutes ago: you can send it again "
		    "in a few minutes.",
		    address) :
		arena_printf(r->arena,
		    "No more links can go to %s for now; the last one sent "
		    "still works until it expires.",
		    address));
}

/* The change the form asks for: every field it sent. */
static void
form_change(struct req *r, struct alias_change *c)
{
	const char *reply = req_field(r, MY_REPLY_CODE);
	const char *enabled = req_field(r, MY_ENABLED);
	char       *end;
	long        code;

	memset(c, 0, sizeof(*c));
	if ((c->recipients = req_field(r, MY_RECIPIENTS)) != NULL)
		c->set |= ALIAS_SET_RECIPIENTS;
	if (enabled != NULL) {
		c->set |= ALIAS_SET_ENABLED;
		c->enabled = enabled[0] == '1';
	}
	if ((c->description = req_field(r, MY_DESCRIPTION)) != NULL)
		c->set |= ALIAS_SET_DESCRIPTION;
	if (reply != NULL) {
		c->set |= ALIAS_SET_REPLY_CODE;
		code = strtol(reply, &end, 10);
		/* Not a number: 0, which alias_update refuses in words. */
		c->reply_code = *reply != '\0' && *end == '\0' && code > 0 &&
			code < 1000 ?
		    (int)code :
		    0;
	}
	c->if_updated_at = req_field(r, MY_UPDATED_AT);
}

/* POST /my/aliases/:id: the owner's change, through alias_update. */
enum app_err
h_my_alias_save(struct req *r)
{
	struct alias_view    v, now;
	struct alias_change  c;
	struct alias_problem why;
	struct actor         a;
	struct form_values   f;
	const char          *loc;
	enum app_err         e, refused;

	if ((e = own_alias(r, &v)) != APP_OK)
		return e;
	owner_actor(r, &a);
	form_change(r, &c);
	e = alias_update(r->db, r->arena, &a, v.id, &c, &why, &now);
	if (e == APP_OK) {
		loc = arena_printf(r->arena, "/my/aliases/%lld?saved=1", v.id);
		return loc == NULL ? APP_ENOMEM : resp_redirect(r, 303, loc);
	}
	if (e != APP_EINVALID && e != APP_EFORBIDDEN && e != APP_ECONFLICT) {
		if (e == APP_ENOTFOUND)
			r->reason = "no such alias of this user";
		return e;
	}
	r->reason = why.code;
	refused = e;
	/* A conflict shows the alias as it is now, the input kept. */
	if (refused == APP_ECONFLICT && (e = own_alias(r, &v)) != APP_OK)
		return e;
	f.recipients = c.recipients != NULL ?
	    c.recipients :
	    alias_recipients_text(r->arena, &v);
	f.enabled = c.set & ALIAS_SET_ENABLED ? c.enabled : v.enabled;
	f.description = c.description != NULL ? c.description : v.description;
	f.reply_code = req_field(r, MY_REPLY_CODE) != NULL ?
	    req_field(r, MY_REPLY_CODE) :
	    arena_printf(r->arena, "%d", v.reply_code);
	if (f.recipients == NULL || f.reply_code == NULL)
		return APP_ENOMEM;
	return alias_page(r, app_err_status(refused), &v, &f, &why,
	    why.field == NULL ? tr(r->lang, why.message) : NULL);
}
