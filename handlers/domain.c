/*
 * domain.c - the pages domain admins run their domains with:
 * /domains/:domain (the TXT record to publish, the members), its aliases,
 * its log (audit and errors) and one member's page with its actions.
 *
 * Every rule is rules/domain_members.c's, or rules/alias.c's for enabling
 * and disabling an alias; this file turns requests into calls and answers into
 * pages.  A refused change shows the member page again with the reason next
 * to the field and the input kept; a change done answers 303 to the page,
 * whose `done' query names a fixed notice (never echoed input).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/domain_lang.h"
#include "rules/domain_members.h"
#include "rules/domain_txt.h"
#include "rules/history.h"
#include "store/audit.h"
#include "views/view.h"

/* Notices a change's 303 names in `done'. */
static const struct page_notice notices[] = {
	{ "promoted", "The member is now an admin of this domain." },
	{ "demoted", "The member is no longer an admin of this domain." },
	{ "unchanged", "Nothing to change: the member already had that role." },
	{ "removed",
	    "The member was removed and their aliases here "
	    "disabled." },
	{ "alias-added", "The alias was added." },
	{ "alias-enabled", "The alias was enabled." },
	{ "alias-disabled", "The alias was disabled." },
	{ "alias-removed", "The alias was removed." },
	{ "synced",
	    "The member was checked with Launchpad and provisioned "
	    "now." },
	{ "sync-queued",
	    "Launchpad could not be reached in time: the next "
	    "sync will check this member." },
	{ "checked", "The TXT record was checked just now." },
	{ "language",
	    N_("Saved: members who have not chosen a language get this "
	       "domain's e-mail in the one chosen here.") },
};

/* What a refused change shows on the member page. */
struct refusal {
	int                  status;
	const char          *form; /* "role", "remove", "alias",
						   "toggle" */
	struct alias_problem why;
	const char          *local_part; /* the add-alias input, kept */
	const char          *recipients;
};

static const char *
domain_param(struct req *r)
{
	return req_param(r, PARAM_DOMAIN);
}

/* Sets the notice named by the `done' field, if any. */
static void
set_notice(struct view_dict *d, const char *done)
{
	page_notice(d, done, notices, sizeof(notices) / sizeof(notices[0]));
}

/* The domain's name, the current tab and which page of domain.tpl. */
static void
set_domain(struct view_dict *d, const char *domain, const char *tab,
    const char *page)
{
	view_set(d, "DOMAIN", domain);
	view_show(d, tab);
	view_show(d, page);
}

/* "?k1=v1&k2=v2" of the non-empty pairs (percent-encoded), or "". */
static const char *
query_string(struct req *r, const char *const *kv, size_t n)
{
	const char *s = "", *v;
	size_t      i;

	for (i = 0; i + 1 < n && s != NULL; i += 2) {
		if (kv[i + 1] == NULL || kv[i + 1][0] == '\0')
			continue;
		if ((v = form_pct_encode(r->arena, kv[i + 1])) == NULL)
			return NULL;
		s = arena_printf(r->arena, "%s%c%s=%s", s, *s ? '&' : '?',
		    kv[i], v);
	}
	return s;
}

/* A listing's "next page" link, when there is one. */
static enum app_err
set_next(struct req *r, struct view_dict *d, const char *path,
    const char *const *kv, size_t n)
{
	const char *q;

	if ((q = query_string(r, kv, n)) == NULL)
		return APP_ENOMEM;
	view_show(d, "NEXT");
	view_set(d, "NEXT_URL", arena_printf(r->arena, "%s%s", path, q));
	return APP_OK;
}

static void
set_alias_state(struct view_dict *row, int enabled, const char *reason)
{
	view_set(row, "STATE", enabled ? "enabled" : "disabled");
	if (!enabled)
		view_set(row, "REASON", reason);
	view_show(row, enabled ? "IS_ENABLED" : "IS_DISABLED");
}

/* What the domain's TXT status means for its mail, in words. */
static const char *
txt_words(const char *status)
{
	static const struct {
		const char *status, *words;
	} w[] = {
		{ "unverified", "Not checked yet: its mail is refused." },
		{ "verified", "Verified: its mail is accepted and forwarded." },
		{ "missing",
		    "Not verified: no TXT record starts with the prefix. "
		    "Its mail is refused." },
		{ "multiple",
		    "Not verified: several TXT records start with the "
		    "prefix; keep only this one. Its mail is refused." },
		{ "wrong",
		    "Not verified: the record carries another token. Its "
		    "mail is refused." },
		{ "nxdomain",
		    "Not verified: the domain does not exist in DNS "
		    "(NXDOMAIN). Its mail is refused." },
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(status, w[i].status) == 0)
			return w[i].words;
	return status;
}

/* A verified domain that lost its record: until when its mail flows. */
static void
set_grace(struct view_dict *d, const struct domain_view *dv)
{
	char when[32];

	if (dv->txt_grace_until == 0)
		return;
	txt_time_words(dv->txt_grace_until, when, sizeof(when));
	view_set(d, "TXT_GRACE_UNTIL", when);
	view_show(d,
	    (long long)time(NULL) < dv->txt_grace_until ? "TXT_GRACE" :
							  "TXT_GRACE_OVER");
}

/* The TXT record to publish and what the domain's checks found. */
static void
set_txt(struct req *r, struct view_dict *d, const struct domain_view *dv)
{
	view_set(d, "TEAM", dv->team);
	view_set(d, "TXT_NAME", dv->name);
	view_set(d, "TXT_VALUE",
	    arena_printf(r->arena, "%s=%s", r->cfg->verification_prefix,
		dv->verification_token));
	view_set(d, "TXT_STATUS", dv->txt_status);
	view_set(d, "TXT_WORDS", txt_words(dv->txt_status));
	set_grace(d, dv);
	view_set(d, "TXT_CHECKED_AT",
	    dv->txt_checked_at != NULL ? dv->txt_checked_at : "never");
	if (dv->txt_last_attempt_at != NULL) {
		view_show(d, "TXT_ATTEMPT");
		view_set(d, "TXT_ATTEMPT_AT", dv->txt_last_attempt_at);
		view_set(d, "TXT_ATTEMPT_RESULT", dv->txt_last_attempt_result);
		view_set(d, "TXT_ATTEMPT_DETAIL", dv->txt_last_attempt_detail);
		if (strcmp(dv->txt_last_attempt_result, "temporary-failure") ==
		    0)
			view_show(d, "TXT_TEMPFAIL");
	}
	if (!dv->enabled)
		view_show(d, "DOMAIN_DISABLED");
	view_set_int(d, "NMEMBERS", (long)dv->nmembers);
	view_set_int(d, "NADMINS", (long)dv->nadmins);
	view_set_int(d, "NALIASES", (long)dv->naliases);
	view_set_int(d, "ALIAS_LIMIT", dv->alias_limit);
}

/* One MEMBER row per member, with their aliases' short form. */
static enum app_err
member_rows(struct view_dict *d, const struct member_list *ml)
{
	const struct member_view *m;
	struct view_dict         *row, *al;
	size_t                    i, j;

	for (i = 0; i < ml->n; i++) {
		m = &ml->items[i];
		if ((row = view_add_section(d, "MEMBER")) == NULL)
			return APP_ENOMEM;
		view_set(row, "NAME", m->name);
		view_set(row, "DISPLAY_NAME", m->display_name);
		view_set(row, "EMAIL", m->email);
		view_set(row, "ROLE", member_role_name(m->role));
		for (j = 0; j < m->naliases; j++) {
			if ((al = view_add_section(row, "ALIAS")) == NULL)
				return APP_ENOMEM;
			view_set(al, "ADDRESS", m->aliases[j].address);
			set_alias_state(al, m->aliases[j].enabled,
			    m->aliases[j].disabled_reason);
		}
	}
	if (ml->n == 0)
		view_show(d, "NO_MEMBERS");
	return APP_OK;
}

/*
 * The languages the site offers for the domain's default, each named in
 * its own language; the domain's selected (none when it names a language
 * the site no longer offers, which reads as English: the first).
 */
static enum app_err
lang_options(struct view_dict *d, const struct domain_view *dv)
{
	const struct lang *l;
	struct view_dict  *row;
	size_t             i;

	for (i = 0; i < i18n_count(); i++) {
		l = i18n_lang(i);
		if ((row = view_add_section(d, "LANG_OPTION")) == NULL)
			return APP_ENOMEM;
		view_set(row, "OPTION_CODE", l->code);
		view_set(row, "OPTION_NAME", l->name);
		if (strcmp(l->code, dv->default_lang) == 0)
			view_show(row, "OPTION_SELECTED");
	}
	return APP_OK;
}

/*
 * The domain's page: q its member search, done a notice's name, and
 * lang_error why a default language was refused (shown by its field).
 */
static enum app_err
domain_page(struct req *r, struct member_query *q, const char *done,
    const char *lang_error, int status)
{
	struct actor       a;
	struct domain_view dv;
	struct member_list ml;
	struct view_dict  *d;
	const char        *next[4];
	enum app_err       e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_domain(r->db, r->arena, &a, domain_param(r), &dv)) !=
		APP_OK ||
	    (e = member_list(r->db, r->arena, &a, dv.name, q, &ml)) != APP_OK) {
		if (e == APP_EINPUT)
			r->reason = "malformed page cursor";
		return e;
	}
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	set_domain(d, dv.name, "NAV_MEMBERS", "PAGE_DOMAIN");
	set_notice(d, done);
	set_txt(r, d, &dv);
	if ((e = lang_options(d, &dv)) != APP_OK)
		return e;
	if (lang_error != NULL) {
		view_show(d, "LANG_ERROR");
		view_set(d, "ERROR_TEXT", lang_error);
	}
	view_set(d, "Q", q->search);
	if ((e = member_rows(d, &ml)) != APP_OK)
		return e;
	next[0] = "q";
	next[1] = q->search;
	next[2] = "after";
	next[3] = ml.next;
	if (ml.next != NULL &&
	    (e = set_next(r, d, arena_printf(r->arena, "/domains/%s", dv.name),
		 next, 4)) != APP_OK)
		return e;
	return page_render(r, status, dv.name, "domain.tpl");
}

/* GET /domains/:domain[?q=&after=&done=]: the TXT record and the members. */
enum app_err
h_domain(struct req *r)
{
	struct member_query q = { req_field(r, DOMAIN_Q),
		req_field(r, DOMAIN_AFTER), 0, -1, NULL };

	return domain_page(r, &q, req_field(r, DOMAIN_DONE), NULL, 200);
}

/* "yes" 1, "no" 0, absent or "" -1 (any); -2 for anything else. */
static int
parse_enabled(const char *v)
{
	if (v == NULL || *v == '\0')
		return -1;
	if (strcmp(v, "yes") == 0)
		return 1;
	if (strcmp(v, "no") == 0)
		return 0;
	return -2;
}

/* One alias row of a listing or of the member page. */
static enum app_err
alias_section(struct req *r, struct view_dict *d, const struct alias_view *v)
{
	struct view_dict *row;
	const char       *rcpt = "";
	size_t            i;

	if ((row = view_add_section(d, "ALIAS")) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < v->nrecipients && rcpt != NULL; i++)
		rcpt = arena_printf(r->arena, "%s%s%s", rcpt, i ? ", " : "",
		    v->recipients[i]);
	if (rcpt == NULL)
		return APP_ENOMEM;
	view_set_int(row, "ID", (long)v->id);
	view_set(row, "ADDRESS", v->address);
	view_set(row, "OWNER", v->owner_name);
	view_set(row, "RECIPIENTS", rcpt);
	view_set(row, "DESCRIPTION", v->description);
	set_alias_state(row, v->enabled, v->disabled_reason);
	return APP_OK;
}

/* GET /domains/:domain/aliases[?q=&enabled=&reason=&after=] */
enum app_err
h_domain_aliases(struct req *r)
{
	struct actor             a;
	struct member_query      q = { req_field(r, ALIASES_Q),
		     req_field(r, ALIASES_AFTER), 0,
		     parse_enabled(req_field(r, ALIASES_ENABLED)),
		     req_field(r, ALIASES_REASON) };
	struct member_alias_list al;
	struct view_dict        *d;
	const char              *domain = domain_param(r), *next[8];
	size_t                   i;
	enum app_err             e;

	if (q.enabled == -2) {
		r->reason = "enabled is yes, no or empty";
		return APP_EINPUT;
	}
	req_actor(r, ACTOR_USER, &a);
	if ((e = member_domain_aliases(r->db, r->arena, &a, domain, &q, &al)) !=
	    APP_OK) {
		if (e == APP_EINPUT)
			r->reason = "unknown reason or malformed page cursor";
		return e;
	}
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	set_domain(d, domain, "NAV_ALIASES", "PAGE_ALIASES");
	view_set(d, "Q", q.search);
	view_show(d,
	    q.enabled == 1     ? "ENABLED_YES" :
		q.enabled == 0 ? "ENABLED_NO" :
				 "ENABLED_ANY");
	view_set(d, "REASON", q.disabled_reason);
	for (i = 0; i < al.n; i++)
		if ((e = alias_section(r, d, &al.items[i])) != APP_OK)
			return e;
	if (al.n == 0)
		view_show(d, "NO_ALIASES");
	next[0] = "q";
	next[1] = q.search;
	next[2] = "enabled";
	next[3] = req_field(r, ALIASES_ENABLED);
	next[4] = "reason";
	next[5] = q.disabled_reason;
	next[6] = "after";
	next[7] = al.next;
	if (al.next != NULL &&
	    (e = set_next(r, d,
		 arena_printf(r->arena, "/domains/%s/aliases", domain), next,
		 8)) != APP_OK)
		return e;
	return page_render(r, 200, domain, "domain.tpl");
}

/* HISTORY rows of the audit log (sentences), ERROR rows of the error log. */
static enum app_err
log_rows(struct req *r, struct view_dict *d, const struct member_audit_list *au,
    const struct member_error_list *el)
{
	const struct member_audit_row *ev;
	const struct member_error_row *er;
	struct history_event           h;
	struct view_dict              *row;
	const char                    *line;
	size_t                         i;

	for (i = 0; i < au->n; i++) {
		ev = &au->items[i];
		h.at = ev->at;
		h.actor_kind = ev->actor_kind;
		h.actor_name = ev->actor_name;
		h.action = ev->action;
		h.target = ev->target_label;
		h.before = ev->before;
		h.after = ev->after;
		if ((row = view_add_section(d, "HISTORY")) == NULL ||
		    (line = history_line(r->arena, r->lang, &h, 1)) == NULL)
			return APP_ENOMEM;
		view_set(row, "LINE", line);
	}
	for (i = 0; i < el->n; i++) {
		er = &el->items[i];
		if ((row = view_add_section(d, "ERROR")) == NULL)
			return APP_ENOMEM;
		view_set(row, "LAST_SEEN", er->last_seen_at);
		view_set(row, "FIRST_SEEN", er->first_seen_at);
		view_set_int(row, "COUNT", (long)er->count);
		view_set(row, "WHO", er->launchpad_name);
		view_set(row, "MESSAGE", er->message);
	}
	if (au->n == 0)
		view_show(d, "NO_EVENTS");
	if (el->n == 0)
		view_show(d, "NO_ERRORS");
	return APP_OK;
}

/* GET /domains/:domain/log[?after=]: the audit log and the error log. */
enum app_err
h_domain_log(struct req *r)
{
	struct actor        a;
	struct member_query q = { NULL, req_field(r, LOG_AFTER), 0, -1, NULL };
	struct member_audit_list au;
	struct member_error_list el;
	struct view_dict        *d;
	const char              *domain = domain_param(r), *next[2];
	enum app_err             e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_audit(r->db, r->arena, &a, domain, &q, &au)) !=
		APP_OK ||
	    (e = member_errors(r->db, r->arena, &a, domain, &el)) != APP_OK) {
		if (e == APP_EINPUT)
			r->reason = "malformed page cursor";
		return e;
	}
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	set_domain(d, domain, "NAV_LOG", "PAGE_LOG");
	if ((e = log_rows(r, d, &au, &el)) != APP_OK)
		return e;
	next[0] = "after";
	next[1] = au.next;
	if (au.next != NULL &&
	    (e = set_next(r, d,
		 arena_printf(r->arena, "/domains/%s/log", domain), next, 2)) !=
		APP_OK)
		return e;
	return page_render(r, 200, domain, "domain.tpl");
}

/* The member page, with a refused change's reason and input when f. */
static enum app_err
member_page(struct req *r, const char *name, const struct refusal *f)
{
	struct actor         a;
	struct member_detail md;
	struct view_dict    *d;
	const char          *domain = domain_param(r);
	size_t               i;
	enum app_err         e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_get(r->db, r->arena, &a, domain, name, &md)) !=
	    APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = "no such member of this domain";
		return e;
	}
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	set_domain(d, domain, "NAV_MEMBERS", "PAGE_MEMBER");
	view_set(d, "NAME", md.member.name);
	view_set(d, "DISPLAY_NAME", md.member.display_name);
	view_set(d, "EMAIL", md.member.email);
	view_set(d, "ROLE", member_role_name(md.member.role));
	view_set(d, "JOINED_AT", md.member.joined_at);
	view_show(d,
	    md.member.role == MEMBER_ROLE_ADMIN ? "IS_ADMIN" : "IS_MEMBER");
	for (i = 0; i < md.naliases; i++)
		if ((e = alias_section(r, d, &md.aliases[i])) != APP_OK)
			return e;
	if (md.naliases == 0)
		view_show(d, "NO_ALIASES");
	if (a.site_admin)
		view_show(d, "CAN_ASSIGN");
	if (f == NULL) {
		set_notice(d, req_field(r, DONE_CODE));
		return page_render(r, 200, md.member.name, "domain.tpl");
	}
	/* The refused form: its error next to it, the input as typed. */
	view_set(d, "LOCAL_PART", f->local_part);
	view_set(d, "RECIPIENTS", f->recipients);
	if (strcmp(f->form, "alias") == 0)
		view_show(d,
		    f->why.field != NULL &&
			    strcmp(f->why.field, "recipients") == 0 ?
			"RECIPIENTS_ERROR" :
			"LOCAL_PART_ERROR");
	else if (strcmp(f->form, "role") == 0)
		view_show(d, "ROLE_ERROR");
	else if (strcmp(f->form, "remove") == 0)
		view_show(d, "REMOVE_ERROR");
	else
		view_show(d, "TOGGLE_ERROR");
	view_set(d, "ERROR_TEXT", tr(r->lang, f->why.message));
	return page_render(r, f->status, md.member.name, "domain.tpl");
}

/* GET /domains/:domain/members/:name[?done=] */
enum app_err
h_domain_member(struct req *r)
{
	return member_page(r, req_param(r, PARAM_NAME), NULL);
}

/* 303 to the member page (or path) with a notice. */
static enum app_err
done(struct req *r, const char *name, const char *what)
{
	const char *url;

	if (name != NULL)
		url = arena_printf(r->arena, "/domains/%s/members/%s?done=%s",
		    domain_param(r), name, what);
	else
		url = arena_printf(r->arena, "/domains/%s?done=%s",
		    domain_param(r), what);
	if (url == NULL)
		return APP_ENOMEM;
	return resp_redirect(r, 303, url);
}

/*
 * A change refused with a reason for the person (*why filled): the member
 * page again, with that reason next to the form.  Other errors go to the
 * dispatcher's error page.
 */
static enum app_err
refused(struct req *r, enum app_err e, const char *name, struct refusal *f)
{
	if (f->why.message == NULL ||
	    (e != APP_EINVALID && e != APP_ECONFLICT && e != APP_EFORBIDDEN)) {
		if (f->why.message != NULL)
			r->reason = f->why.message;
		return e;
	}
	r->reason = f->why.code;
	f->status = app_err_status(e);
	return member_page(r, name, f);
}

/* POST /domains/:domain/members/:name/role  role=admin|member */
enum app_err
h_domain_member_role(struct req *r)
{
	struct actor         a;
	struct refusal       f = { .form = "role" };
	const char          *name = req_param(r, PARAM_NAME);
	struct member_detail md;
	int                  role;
	enum app_err         e;

	if ((role = member_role_parse(req_field(r, SET_ROLE))) == -1) {
		r->reason = "role is admin or member";
		return APP_EINPUT;
	}
	req_actor(r, ACTOR_USER, &a);
	/* The canonical name (and "unchanged") for the redirect. */
	if ((e = member_get(r->db, r->arena, &a, domain_param(r), name, &md)) !=
	    APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = "no such member of this domain";
		return e;
	}
	if ((e = member_set_role(r->db, r->arena, &a, domain_param(r), name,
		 (enum member_role)role, &f.why)) != APP_OK)
		return refused(r, e, name, &f);
	return done(r, md.member.name,
	    md.member.role == (enum member_role)role ? "unchanged" :
		role == MEMBER_ROLE_ADMIN            ? "promoted" :
						       "demoted");
}

/* POST /domains/:domain/members/:name/remove */
enum app_err
h_domain_member_remove(struct req *r)
{
	struct actor   a;
	struct refusal f = { .form = "remove" };
	enum app_err   e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_remove(r->db, r->arena, &a, domain_param(r),
		 req_param(r, PARAM_NAME), &f.why, NULL)) != APP_OK)
		return refused(r, e, req_param(r, PARAM_NAME), &f);
	return done(r, NULL, "removed");
}

/* POST /domains/:domain/members/:name/aliases  local_part, recipients */
enum app_err
h_domain_member_alias(struct req *r)
{
	struct actor            a;
	struct refusal          f = { .form = "alias",
			 .local_part = req_field(r, NEW_LOCAL_PART),
			 .recipients = req_field(r, NEW_RECIPIENTS) };
	const char             *assign = req_field(r, NEW_ASSIGN);
	struct member_new_alias nw = { f.local_part, f.recipients,
		assign != NULL && strcmp(assign, "yes") == 0 };
	struct member_detail    md;
	const char             *name = req_param(r, PARAM_NAME);
	enum app_err            e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_add_alias(r->db, r->arena, &a, domain_param(r), name,
		 &nw, &f.why, NULL)) != APP_OK)
		return refused(r, e, name, &f);
	if ((e = member_get(r->db, r->arena, &a, domain_param(r), name, &md)) !=
	    APP_OK)
		return e;
	return done(r, md.member.name, "alias-added");
}

/* POST /domains/:domain/members/:name/sync */
enum app_err
h_domain_member_sync(struct req *r)
{
	struct actor         a;
	struct member_detail md;
	const char          *name = req_param(r, PARAM_NAME);
	int                  queued;
	enum app_err         e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_sync(r->db, r->cfg, r->arena, &a, domain_param(r), name,
		 &queued)) != APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = "no such member of this domain";
		return e;
	}
	/* Still a member?  Provisioning may have pruned them. */
	if (member_get(r->db, r->arena, &a, domain_param(r), name, &md) !=
	    APP_OK)
		return done(r, NULL, queued ? "sync-queued" : "synced");
	return done(r, md.member.name, queued ? "sync-queued" : "synced");
}

/*
 * Alias :id of the route's domain into *v, for its admins: an admin's
 * other domains are other pages (APP_ENOTFOUND).
 */
static enum app_err
domain_alias(struct req *r, struct actor *a, struct alias_view *v)
{
	struct domain_view dv;
	long long          id = req_param_id(r, PARAM_ID);
	enum app_err       e;

	req_actor(r, ACTOR_USER, a);
	if ((e = member_domain(r->db, r->arena, a, domain_param(r), &dv)) !=
	    APP_OK)
		return e;
	if ((e = alias_get(r->db, r->arena, a, id, v)) == APP_ENOTFOUND ||
	    (e == APP_OK && v->domain_id != dv.id)) {
		r->reason = "no such alias on this domain";
		return APP_ENOTFOUND;
	}
	return e;
}

/*
 * One "Check now" per admin and domain per verification_check_interval: a
 * domain's few admins cannot make it a DNS flood.
 */
static enum app_err
check_rate(struct req *r, const struct domain_view *dv)
{
	const char  *params[2];
	PGresult    *res;
	enum app_err e;

	params[0] = arena_printf(r->arena, "txt-check:%lld:%lld", dv->id,
	    r->user->id);
	params[1] = arena_printf(r->arena, "%d",
	    r->cfg->verification_check_interval);
	if (params[0] == NULL || params[1] == NULL)
		return APP_ENOMEM;
	if ((res = req_sql(r, STMT_RATE_HIT, 2, params, &e)) == NULL)
		return e;
	if (db_ll(res, 0, RATE_HIT_HITS) <= 1)
		return APP_OK;
	r->retry_after = db_str(res, 0, RATE_HIT_LEFT);
	r->reason = "this domain's TXT record was checked moments ago";
	return APP_ERATELIMIT;
}

/*
 * POST /domains/:domain/verify: "Check now".  The TXT record is asked at
 * once and the outcome recorded as verify-domains records it (actor: the
 * admin); the page then shows it.
 */
enum app_err
h_domain_verify(struct req *r)
{
	struct actor       a;
	struct domain_view dv;
	struct txt_check   c;
	enum app_err       e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = member_domain(r->db, r->arena, &a, domain_param(r), &dv)) !=
		APP_OK ||
	    (e = check_rate(r, &dv)) != APP_OK ||
	    (e = txt_check_domain(r->db, r->cfg, &a, dv.name, 0, &c)) != APP_OK)
		return e;
	log_info("txt_check", LOG_WORD("domain", c.domain),
	    LOG_WORD("outcome", txt_outcome_name(c.outcome)),
	    LOG_WORD("by", r->user->name), LOG_STR("detail", c.detail));
	return done(r, NULL, "checked");
}

/*
 * POST /domains/:domain/aliases/:id/enabled  enabled=yes|no: an admin's
 * switch on the owner's member page, through the alias rules (reason
 * by-admin).
 */
enum app_err
h_domain_alias_enabled(struct req *r)
{
	struct actor        a;
	struct alias_view   v;
	struct alias_change ch;
	struct refusal      f = { .form = "toggle" };
	int                 on = parse_enabled(req_field(r, ALIAS_ENABLED));
	enum app_err        e;

	if (on < 0) {
		r->reason = "enabled is yes or no";
		return APP_EINPUT;
	}
	if ((e = domain_alias(r, &a, &v)) != APP_OK)
		return e;
	memset(&ch, 0, sizeof(ch));
	ch.set = ALIAS_SET_ENABLED;
	ch.enabled = on;
	if ((e = alias_update(r->db, r->arena, &a, v.id, &ch, &f.why, NULL)) !=
	    APP_OK)
		return refused(r, e, v.owner_name, &f);
	return done(r, v.owner_name, on ? "alias-enabled" : "alias-disabled");
}

/* POST /domains/:domain/aliases/:id/remove: an admin removes an alias. */
enum app_err
h_domain_alias_remove(struct req *r)
{
	struct actor      a;
	struct alias_view v;
	struct refusal    f = { .form = "toggle" };
	enum app_err      e;

	if ((e = domain_alias(r, &a, &v)) != APP_OK)
		return e;
	if ((e = alias_remove(r->db, r->arena, &a, v.id, &f.why)) != APP_OK)
		return refused(r, e, v.owner_name, &f);
	return done(r, v.owner_name, "alias-removed");
}

/*
 * POST /domains/:domain/language  default_lang: the language of the
 * domain's e-mail to those who chose none.  A language the site does not
 * offer: the page again, 422, the reason by the field.
 */
enum app_err
h_domain_language(struct req *r)
{
	struct actor         a;
	struct alias_problem why;
	struct member_query  q = { NULL, NULL, 0, -1, NULL };
	int                  changed;
	enum app_err         e;

	req_actor(r, ACTOR_USER, &a);
	e = domain_lang_set(r->db, &a, domain_param(r),
	    req_field(r, DOMAIN_LANG), &why, &changed);
	if (e == APP_EINVALID) {
		r->reason = why.code;
		return domain_page(r, &q, NULL, tr(r->lang, why.message),
		    app_err_status(e));
	}
	if (e != APP_OK)
		return e;
	return done(r, NULL, "language");
}
