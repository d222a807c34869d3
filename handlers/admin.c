/*
 * admin.c - the site admins' pages, /admin: an overview, the domains (add,
 * enable or disable, alias limit), the users (search, ban or unban with a
 * reason, grant or revoke site admin), the outbox's failed messages (retry,
 * delete) and the error log.  Every route is ACCESS_SITE_ADMIN in the route
 * table; every change is a CSRF-checked POST.
 *
 * This file translates HTTP; the rule modules decide and write.  Input is
 * checked by the rules the operator CLI uses too, and every change to a
 * domain or a user is theirs (rules/site.h, rules/domain_members.h);
 * retrying or deleting a failed message is the queue's (rules/notify.h).
 * A refused value re-renders its page with the reason next to the field
 * and the input kept (422, or 409 for a refused state change); a change
 * is one transaction with its audit row, then a 303 to the page with a
 * notice named in its query (?done=CODE: only our own words are shown).
 *
 * Everything is per request: arena strings, results owned by req.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "rules/domain_members.h"
#include "rules/notify.h"
#include "rules/reserved.h"
#include "rules/site.h"
#include "store/audit.h"
#include "views/view.h"

#define USERS_PAGE   50 /* users per page of the search */
#define LIMIT_WANTED N_("Want a whole number from 0 to 100.")

/* What ?done= says after a change. */
static const struct page_notice notices[] = {
	{ "domain-added",
	    N_("The domain was added. Publish its TXT record to verify "
	       "it.") },
	{ "domain-enabled", N_("The domain is enabled.") },
	{ "domain-disabled", N_("The domain is disabled.") },
	{ "limit-changed", N_("The alias limit was changed.") },
	{ "role-set",
	    N_("postmaster@ and abuse@ of the domain now go to that "
	       "address.") },
	{ "role-admins",
	    N_("postmaster@ and abuse@ of the domain go to its admins "
	       "again.") },
	{ "reserved-added", N_("The name is reserved on this domain now.") },
	{ "reserved-removed",
	    N_("The name is no longer reserved on this domain.") },
	{ "assigned",
	    N_("The address is assigned: its owner has it as before, and "
	       "it can be enabled again.") },
	{ "logo-changed", N_("The community's logo was changed.") },
	{ "unchanged", N_("Nothing changed: it already was so.") },
	{ "banned",
	    N_("The user is banned: their sessions have ended, their API "
	       "tokens are revoked and their aliases disabled.") },
	{ "unbanned", N_("The user is no longer banned.") },
	{ "admin-granted", N_("The user is now a site admin.") },
	{ "admin-revoked", N_("The user is no longer a site admin.") },
	{ "domain-admin", N_("The user is an admin of the domain.") },
	{ "retried",
	    N_("The message will be sent again at the next outbox "
	       "run.") },
	{ "deleted", N_("The message was deleted.") },
};

/* The root dictionary of an admin page, with its notice if any. */
static struct view_dict *
admin_dict(struct req *r, const char *done)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return NULL;
	view_show(d, "ADMIN_PAGE");
	page_notice(d, done, notices, sizeof(notices) / sizeof(notices[0]));
	return d;
}

static enum app_err
done(struct req *r, const char *path, const char *code)
{
	const char *loc;

	loc = arena_printf(r->arena, "%s?done=%s", path, code);
	return loc != NULL ? resp_redirect(r, 303, loc) : APP_ENOMEM;
}

static struct actor
actor_of(const struct req *r)
{
	struct actor a;

	req_actor(r, ACTOR_USER, &a);
	return a;
}

/* ---------------------------------------------------------------------
 * GET /admin: the overview.
 */

enum app_err
h_admin(struct req *r)
{
	static const char *const keys[SA_COUNTS__N] = {
		[SA_COUNTS_DOMAINS] = "DOMAINS",
		[SA_COUNTS_USERS] = "USERS",
		[SA_COUNTS_ALIASES] = "ALIASES",
		[SA_COUNTS_PENDING] = "OUTBOX_PENDING",
		[SA_COUNTS_FAILED] = "OUTBOX_FAILED",
		[SA_COUNTS_ERRORS] = "ERRORS_DAY",
	};
	struct view_dict *d;
	PGresult         *res;
	enum app_err      e;
	int               i;

	if ((res = req_sql(r, STMT_SA_COUNTS, 0, NULL, &e)) == NULL)
		return e;
	if ((d = admin_dict(r, NULL)) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < SA_COUNTS__N; i++)
		page_set_count(r, d, keys[i], db_ll(res, 0, i));
	return page_render(r, 200, tr(r->lang, "Site admin"), "admin.tpl");
}

/* ---------------------------------------------------------------------
 * Domains.
 */

/* The add form, by its fields' enum (handlers.h). */
struct domain_form {
	const char *val[DA__N]; /* the input, kept */
	const char *err[DA__N]; /* why refused, or NULL */
	const char *row;        /* a row's form refused: the domain */
	int         row_role;   /* 1: its role recipient, 0: its limit */
	const char *row_val, *row_err;
};

static void
set_domain_row(struct view_dict *row, PGresult *res, int i,
    const struct domain_form *f)
{
	const char       *name = db_str(res, i, SA_DOMAINS_NAME);
	struct view_dict *err;
	int               refused;

	refused = f->row != NULL && strcmp(f->row, name) == 0;
	view_set(row, "NAME", name);
	view_set(row, "TEAM", db_str(res, i, SA_DOMAINS_TEAM));
	view_set(row, "SLUG", db_str(res, i, SA_DOMAINS_SLUG));
	view_set(row, "TITLE", db_str(res, i, SA_DOMAINS_TITLE));
	view_set(row, "LIMIT",
	    refused && !f->row_role ? f->row_val :
				      db_str(res, i, SA_DOMAINS_LIMIT));
	view_set(row, "ROLE",
	    refused && f->row_role ? f->row_val :
				     db_str(res, i, SA_DOMAINS_ROLE));
	view_set(row, "TXT", db_str(res, i, SA_DOMAINS_TXT));
	view_set(row, "MEMBERS", db_str(res, i, SA_DOMAINS_MEMBERS));
	view_set(row, "ALIASES", db_str(res, i, SA_DOMAINS_ALIASES));
	view_set(row, "TXT_RECORD", SA_VERIFICATION_PREFIX "=");
	view_set(row, "TOKEN", db_str(res, i, SA_DOMAINS_TOKEN));
	view_set(row, "LOGO", db_str(res, i, SA_DOMAINS_LOGO));
	view_show(row,
	    db_bool(res, i, SA_DOMAINS_ENABLED) ? "ENABLED" : "DISABLED");
	if (strcmp(db_str(res, i, SA_DOMAINS_TXT), "verified") != 0)
		view_show(row, "UNVERIFIED");
	if (refused &&
	    (err = view_add_section(row,
		 f->row_role ? "ROLE_ERROR" : "LIMIT_ERROR")) != NULL)
		view_set(err, "MESSAGE", f->row_err);
}

static enum app_err
domains_page(struct req *r, int status, const char *notice,
    const struct domain_form *f)
{
	static const char *const vals[DA__N] = { "V_NAME", "V_TEAM", "V_SLUG",
		"V_TITLE", "V_LIMIT" };
	static const char *const errs[DA__N] = { "E_NAME", "E_TEAM", "E_SLUG",
		"E_TITLE", "E_LIMIT" };
	struct view_dict        *d, *row;
	PGresult                *res;
	enum app_err             e;
	int                      i;

	if ((res = req_sql(r, STMT_SA_DOMAINS, 0, NULL, &e)) == NULL)
		return e;
	if ((d = admin_dict(r, notice)) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < PQntuples(res); i++) {
		if ((row = view_add_section(d, "DOMAIN")) == NULL)
			return APP_ENOMEM;
		set_domain_row(row, res, i, f);
	}
	for (i = 0; i < DA__N; i++) {
		view_set(d, vals[i], f->val[i]);
		if (f->err[i] != NULL &&
		    (row = view_add_section(d, errs[i])) != NULL)
			view_set(row, "MESSAGE", f->err[i]);
	}
	return page_render(r, status, tr(r->lang, "Domains"),
	    "admin_domains.tpl");
}

/* GET /admin/domains */
enum app_err
h_admin_domains(struct req *r)
{
	struct domain_form f;

	memset(&f, 0, sizeof(f));
	f.val[DA_LIMIT] = "3"; /* the schema's default */
	return domains_page(r, 200, req_field(r, DONE_CODE), &f);
}

static const char *
team_problem(const char *team)
{
	switch (sa_team_check(team)) {
	case SA_TEAM_OK:
		return NULL;
	case SA_TEAM_NO_TILDE:
		return N_("Write the team with its '~', as on Launchpad: "
			  "~name.");
	case SA_TEAM_HOME:
	case SA_TEAM_BAD:
		break;
	}
	return N_("Want ~TEAM, where TEAM is a Launchpad name: lower-case "
		  "letters, digits, '+', '.', '-', starting with a letter or "
		  "digit, at least 2 characters.");
}

/* Checks the add form, a reason per refused field; 0 when all pass. */
static int
check_domain_form(struct req *r, struct domain_form *f)
{
	const char *why;
	int         i;

	if ((why = domain_problem(f->val[DA_NAME])) != NULL)
		/* TRANSLATORS: %s says what is wrong, e.g. "trailing dot". */
		f->err[DA_NAME] = arena_printf(r->arena,
		    tr(r->lang,
			"Not a lower-case DNS name (IDNs in their xn-- "
			"form): %s."),
		    tr(r->lang, why));
	if ((why = team_problem(f->val[DA_TEAM])) != NULL)
		f->err[DA_TEAM] = tr(r->lang, why);
	if (f->val[DA_SLUG][0] != '\0' && !sa_slug_ok(f->val[DA_SLUG]))
		f->err[DA_SLUG] = tr(r->lang,
		    "Want 1 to 32 of a-z, 0-9 and '-', starting with a letter "
		    "or digit, or nothing for no landing page.");
	if (f->val[DA_TITLE][0] != '\0' &&
	    !sa_line_ok(f->val[DA_TITLE], SA_TITLE_MAX))
		f->err[DA_TITLE] = tr(r->lang,
		    "Want one line of at most 64 characters, or nothing to use "
		    "the domain's name.");
	if (sa_alias_limit(f->val[DA_LIMIT]) == -1)
		f->err[DA_LIMIT] = tr(r->lang, LIMIT_WANTED);
	/* Out of memory for the message still refuses the name. */
	if (domain_problem(f->val[DA_NAME]) != NULL && f->err[DA_NAME] == NULL)
		f->err[DA_NAME] = tr(r->lang, "Not a lower-case DNS name.");
	for (i = 0; i < DA__N; i++)
		if (f->err[i] != NULL)
			return -1;
	return 0;
}

static const char *
empty_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/* The shared refusals of adding a domain, next to their fields. */
static void
domain_refused(const struct req *r, struct domain_form *f, enum sa_refusal why)
{
	switch (why) {
	case SA_SLUG_TAKEN:
		f->err[DA_SLUG] = tr(r->lang,
		    "Another domain has this landing page.");
		break;
	case SA_TOKEN_TAKEN:
		f->err[DA_NAME] = tr(r->lang,
		    "The new verification token was taken (a one in 10^17 "
		    "chance): nothing changed, add it again.");
		break;
	default:
		f->err[DA_NAME] = tr(r->lang,
		    "A domain of this name exists already.");
		break;
	}
}

/* POST /admin/domains: name, team, slug, title, alias_limit. */
enum app_err
h_admin_domain_add(struct req *r)
{
	struct domain_form     f;
	struct sa_domain_new   in;
	struct sa_domain_added out;
	struct actor           a = actor_of(r);
	enum domain_add_field  i;
	enum app_err           e;

	memset(&f, 0, sizeof(f));
	for (i = DA_NAME; i < DA__N; i++)
		f.val[i] = req_field(r, i) != NULL ? req_field(r, i) : "";
	if (check_domain_form(r, &f) == -1) {
		r->reason = N_("domain refused");
		return domains_page(r, 422, NULL, &f);
	}
	memset(&in, 0, sizeof(in));
	in.name = f.val[DA_NAME];
	in.team = f.val[DA_TEAM];
	in.slug = empty_null(f.val[DA_SLUG]);
	in.title = empty_null(f.val[DA_TITLE]);
	in.alias_limit = sa_alias_limit(f.val[DA_LIMIT]);
	in.enabled = 1;
	if ((e = sa_domain_add(r->db, &a, &in, &out)) == APP_ECONFLICT) {
		domain_refused(r, &f, out.refused);
		r->reason = N_("domain or slug taken");
		return domains_page(r, 409, NULL, &f);
	}
	if (e != APP_OK)
		return e;
	return done(r, "/admin/domains", "domain-added");
}

/* The domain of the path as set says (rules/site.c); 303 with a notice. */
static enum app_err
domain_set(struct req *r, const struct sa_domain_set *set)
{
	struct actor a = actor_of(r);
	enum app_err e;
	int          changed;

	e = sa_domain_set(r->db, &a, req_param(r, PARAM_DOMAIN), set, &changed);
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such domain");
	if (e != APP_OK)
		return e;
	return done(r, "/admin/domains",
	    !changed                   ? "unchanged" :
		set->alias_limit != -1 ? "limit-changed" :
		set->enabled           ? "domain-enabled" :
					 "domain-disabled");
}

/* POST /admin/domains/:domain/enabled: enabled=yes|no. */
enum app_err
h_admin_domain_enabled(struct req *r)
{
	struct sa_domain_set set = { -1, -1 };
	const char          *v = req_field(r, DOMAIN_ENABLED);

	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
		r->reason = N_("enabled is yes or no");
		return APP_EINPUT;
	}
	set.enabled = strcmp(v, "yes") == 0;
	return domain_set(r, &set);
}

/* POST /admin/domains/:domain/limit: alias_limit=0..100. */
enum app_err
h_admin_domain_limit(struct req *r)
{
	struct sa_domain_set set = { -1, -1 };
	struct domain_form   f;
	const char          *limit = req_field(r, DOMAIN_LIMIT);

	if ((set.alias_limit = sa_alias_limit(limit)) == -1) {
		memset(&f, 0, sizeof(f));
		f.val[DA_LIMIT] = "3";
		f.row = req_param(r, PARAM_DOMAIN);
		f.row_val = limit;
		f.row_err = tr(r->lang, LIMIT_WANTED);
		r->reason = N_("alias limit refused");
		return domains_page(r, 422, NULL, &f);
	}
	return domain_set(r, &set);
}

/*
 * POST /admin/domains/:domain/logo: logo=FILE of the static directory's
 * logos/ folder (served by nginx as /static/logos/FILE), or "none" for
 * the generic mark.
 */
enum app_err
h_admin_domain_logo(struct req *r)
{
	struct actor a = actor_of(r);
	const char  *logo = req_field(r, DOMAIN_LOGO), *path;
	struct stat  st;
	enum app_err e;
	int          changed;

	if (logo == NULL || strcmp(logo, "none") == 0)
		logo = NULL;
	else if (!sa_logo_ok(logo) ||
	    (path = arena_printf(r->arena, "%s/logos/%s", r->cfg->static_dir,
		 logo)) == NULL ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		r->reason = N_("the logo must be a file of the static logos/ "
			       "folder (.svg, .png or .webp), or none");
		return APP_EINVALID;
	}
	e = sa_domain_logo(r->db, &a, req_param(r, PARAM_DOMAIN), logo,
	    &changed);
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such domain");
	if (e != APP_OK)
		return e;
	return done(r, "/admin/domains",
	    changed ? "logo-changed" : "unchanged");
}

/*
 * POST /admin/domains/:domain/role-recipient: role_recipient=ADDRESS, or
 * empty for the domain's admins (rules/site.h).
 */
enum app_err
h_admin_domain_role(struct req *r)
{
	struct domain_form f;
	struct actor       a = actor_of(r);
	const char        *addr = req_field(r, DOMAIN_ROLE_RECIPIENT);
	int                changed;
	enum app_err       e;

	if (addr == NULL)
		addr = "";
	e = sa_domain_role_recipient(r->db, &a, req_param(r, PARAM_DOMAIN),
	    addr, &changed);
	if (e == APP_EINVALID) {
		memset(&f, 0, sizeof(f));
		f.val[DA_LIMIT] = "3";
		f.row = req_param(r, PARAM_DOMAIN);
		f.row_role = 1;
		f.row_val = addr;
		f.row_err = tr(r->lang,
		    "Want one address (local@domain), or nothing for the "
		    "domain's admins.");
		r->reason = N_("role recipient refused");
		return domains_page(r, 422, NULL, &f);
	}
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such domain");
	if (e != APP_OK)
		return e;
	return done(r, "/admin/domains",
	    !changed            ? "unchanged" :
		addr[0] != '\0' ? "role-set" :
				  "role-admins");
}

/* ---------------------------------------------------------------------
 * A domain's reserved local parts (rules/reserved.h).
 */

/*
 * Why the built-in names are reserved, as migrations wrote them: the
 * catalogue's msgids, so a page can say it in its language.  A reason
 * not listed here is shown as it is.
 */
static const char *const builtin_whys[] = {
	N_("CA/Browser Forum domain validation"),
	N_("CA/Browser Forum domain validation; RFC 2142"),
	N_("CA/Browser Forum domain validation; RFC 5321"),
	N_("formerly used by certificate authorities"),
	N_("RFC 2142"),
	N_("the system's administrator"),
	N_("bounces"),
	N_("automatic senders"),
};

static const char *
builtin_why(const struct req *r, const char *why)
{
	size_t i;

	for (i = 0; i < sizeof(builtin_whys) / sizeof(builtin_whys[0]); i++)
		if (strcmp(why, builtin_whys[i]) == 0)
			return tr(r->lang, builtin_whys[i]);
	return why;
}

static enum app_err
reserved_rows(const struct req *r, struct view_dict *d,
    const struct reserved_list *l, const char *domain)
{
	struct view_dict *row;
	size_t            i;

	for (i = 0; i < l->n; i++) {
		if ((row = view_add_section(d,
			 l->names[i].builtin ? "BUILTIN" : "OWN")) == NULL)
			return APP_ENOMEM;
		view_set(row, "NAME", l->names[i].local_part);
		view_set(row, "WHY", builtin_why(r, l->names[i].why));
	}
	for (i = 0; i < l->naliases; i++) {
		if ((row = view_add_section(d, "IN_USE")) == NULL)
			return APP_ENOMEM;
		view_set_int(row, "ID", l->aliases[i].id);
		view_set(row, "LOCAL_PART", l->aliases[i].local_part);
		view_set(row, "OWNER", l->aliases[i].owner);
		view_set(row, "STATE",
		    l->aliases[i].enabled ? trc(r->lang, "alias", "enabled") :
					    trc(r->lang, "alias", "disabled"));
	}
	view_set(d, "DOMAIN", domain);
	return APP_OK;
}

/* The page, with a refused name (typed, why) next to the form if any. */
static enum app_err
reserved_page(struct req *r, int status, const char *notice, const char *typed,
    const char *why)
{
	const char          *domain = req_param(r, PARAM_DOMAIN);
	struct reserved_list l;
	struct view_dict    *d, *err;
	enum app_err         e;

	if ((e = reserved_list(r->db, r->arena, domain, &l)) != APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = N_("no such domain");
		return e;
	}
	if ((d = admin_dict(r, notice)) == NULL ||
	    reserved_rows(r, d, &l, domain) != APP_OK)
		return APP_ENOMEM;
	view_set(d, "V_LOCAL_PART", typed);
	if (why != NULL && (err = view_add_section(d, "E_LOCAL_PART")) != NULL)
		view_set(err, "MESSAGE", why);
	return page_render(r, status, tr(r->lang, "Reserved names"),
	    "admin_reserved.tpl");
}

/* GET /admin/domains/:domain/reserved[?done=] */
enum app_err
h_admin_reserved(struct req *r)
{
	return reserved_page(r, 200, req_field(r, DONE_CODE), "", NULL);
}

/* After an add or a removal: the page again, or the refusal on it. */
static enum app_err
reserved_done(struct req *r, enum app_err e, int changed, const char *typed,
    const char *code)
{
	const char *path;

	switch (e) {
	case APP_OK:
		path = arena_printf(r->arena, "/admin/domains/%s/reserved",
		    req_param(r, PARAM_DOMAIN));
		return path != NULL ?
		    done(r, path, changed ? code : "unchanged") :
		    APP_ENOMEM;
	case APP_EINVALID:
		r->reason = N_("not a local part");
		return reserved_page(r, 422, NULL, typed,
		    tr(r->lang,
			"Want a local part: 1 to 64 letters, digits, '_', '+' "
			"or '-', with single dots between them."));
	case APP_ECONFLICT:
		r->reason = N_("a built-in reserved name");
		return reserved_page(r, 409, NULL, typed,
		    tr(r->lang,
			"This name is reserved on every domain already; the "
			"built-in names cannot be changed here."));
	default:
		return e;
	}
}

/* Reserves local on the path's domain (add), or no longer. */
static enum app_err
reserved_post(struct req *r, const char *local, int add)
{
	struct actor a = actor_of(r);
	int          changed;
	enum app_err e;

	e = (add ? reserved_add : reserved_remove)(r->db, &a,
	    req_param(r, PARAM_DOMAIN), local, &changed);
	return reserved_done(r, e, changed, add ? local : "",
	    add ? "reserved-added" : "reserved-removed");
}

/* POST /admin/domains/:domain/reserved  local_part */
enum app_err
h_admin_reserved_add(struct req *r)
{
	return reserved_post(r, req_field(r, RESERVED_LOCAL_PART), 1);
}

/* POST /admin/domains/:domain/reserved/:local/remove */
enum app_err
h_admin_reserved_remove(struct req *r)
{
	return reserved_post(r, req_param(r, PARAM_LOCAL), 0);
}

/* POST /admin/domains/:domain/reserved/aliases/:id/assign */
enum app_err
h_admin_reserved_assign(struct req *r)
{
	struct actor a = actor_of(r);
	enum app_err e;

	e = reserved_assign(r->db, &a, req_param(r, PARAM_DOMAIN),
	    req_param_id(r, PARAM_ID));
	if (e == APP_ENOTFOUND)
		r->reason = N_("no alias of this domain with an unassigned "
			       "reserved name");
	return reserved_done(r, e, 1, "", "assigned");
}

/* ---------------------------------------------------------------------
 * Users.
 */

/* GET /admin/users?q=PREFIX&after=ID: name or email prefix, by id. */
enum app_err
h_admin_users(struct req *r)
{
	const char       *q = req_field(r, USERS_Q);
	const char       *after = req_field(r, USERS_AFTER);
	const char       *p[3];
	struct view_dict *d, *row;
	PGresult         *res;
	enum app_err      e;
	char              lim[8];
	int               i, n;

	snprintf(lim, sizeof(lim), "%d", USERS_PAGE + 1);
	p[0] = q != NULL && q[0] != '\0' ? q : NULL;
	p[1] = after != NULL ? after : "0";
	p[2] = lim;
	if ((res = req_sql(r, STMT_SA_USERS, 3, p, &e)) == NULL)
		return e;
	if ((d = admin_dict(r, NULL)) == NULL)
		return APP_ENOMEM;
	view_set(d, "Q", q);
	n = PQntuples(res) > USERS_PAGE ? USERS_PAGE : PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((row = view_add_section(d, "USER")) == NULL)
			return APP_ENOMEM;
		view_set(row, "ID", db_str(res, i, SA_USERS_ID));
		view_set(row, "NAME", db_str(res, i, SA_USERS_NAME));
		view_set(row, "EMAIL", db_str(res, i, SA_USERS_EMAIL));
		if (db_bool(res, i, SA_USERS_BANNED))
			view_show(row, "BANNED");
		if (db_bool(res, i, SA_USERS_SITE_ADMIN))
			view_show(row, "SITE_ADMIN_ROW");
	}
	if (n == 0)
		view_show(d, "NO_USERS");
	if (PQntuples(res) > USERS_PAGE &&
	    (row = view_add_section(d, "NEXT")) != NULL) {
		view_set(row, "Q", q);
		view_set(row, "AFTER", db_str(res, n - 1, SA_USERS_ID));
	}
	return page_render(r, 200, tr(r->lang, "Users"), "admin_users.tpl");
}

/* A refusal shown on the user's page: next to its form, input kept. */
struct user_form {
	const char *reason; /* the ban reason typed */
	const char *ban_err;
	const char *admin_err;
	const char *domain; /* the domain chosen */
	const char *domain_err;
};

/* Columns of STMT_SA_USER. */

/* The domain choices of the domain-admin form, chosen one selected. */
static enum app_err
domain_options(struct req *r, struct view_dict *d, const char *chosen)
{
	struct view_dict *o;
	PGresult         *names;
	const char       *name;
	int               i;
	enum app_err      e;

	if ((names = db_cached(r->db, STMT_MY_DOMAIN_NAMES, &e)) == NULL)
		return e;
	for (i = 0; i < PQntuples(names); i++) {
		if ((o = view_add_section(d, "DOMAIN_OPTION")) == NULL)
			return APP_ENOMEM;
		view_set(o, "NAME",
		    name = db_str(names, i, MY_DOMAIN_NAMES_NAME));
		if (chosen != NULL && strcmp(chosen, name) == 0)
			view_show(o, "SELECTED");
	}
	return APP_OK;
}

/* The user's history: their account, memberships and aliases. */
static enum app_err
user_history(struct req *r, struct view_dict *d, const char *uid)
{
	PGresult    *res;
	enum app_err e;

	if ((res = req_sql(r, STMT_SA_USER_HISTORY, 1, &uid, &e)) == NULL)
		return e;
	if (PQntuples(res) == 0)
		view_show(d, "NO_HISTORY");
	return history_rows(r, d, res, 1);
}

static enum app_err
user_page(struct req *r, int status, const char *notice, long long id,
    const struct user_form *f)
{
	static const char *const keys[SA_USER__N] = {
		[SA_USER_NAME] = "NAME",
		[SA_USER_EMAIL] = "EMAIL",
		[SA_USER_DISPLAY] = "DISPLAY_NAME",
		[SA_USER_CLAIMED_ID] = "CLAIMED_ID",
		[SA_USER_REASON] = "BAN_REASON",
		[SA_USER_LOGIN] = "LAST_LOGIN",
		[SA_USER_CREATED] = "CREATED",
		[SA_USER_ALIASES] = "ALIASES",
		[SA_USER_DOMAINS] = "DOMAINS",
	};
	struct view_dict *d, *s;
	char              uid[24];
	const char       *p = uid;
	PGresult         *res;
	enum app_err      e;
	int               i;

	snprintf(uid, sizeof(uid), "%lld", id);
	if ((res = req_sql(r, STMT_SA_USER, 1, &p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		r->reason = N_("no such user");
		return APP_ENOTFOUND;
	}
	if ((d = admin_dict(r, notice)) == NULL)
		return APP_ENOMEM;
	view_set(d, "ID", uid);
	for (i = 0; i < SA_USER__N; i++)
		if (keys[i] != NULL)
			view_set(d, keys[i], db_str(res, 0, i));
	view_show(d,
	    db_bool(res, 0, SA_USER_BANNED) ? "IS_BANNED" : "NOT_BANNED");
	view_show(d,
	    db_bool(res, 0, SA_USER_SITE_ADMIN) ? "IS_ADMIN" : "NOT_ADMIN");
	view_set(d, "V_REASON", f->reason);
	if (f->ban_err != NULL && (s = view_add_section(d, "E_REASON")) != NULL)
		view_set(s, "MESSAGE", f->ban_err);
	if (f->admin_err != NULL &&
	    (s = view_add_section(d, "E_ADMIN")) != NULL)
		view_set(s, "MESSAGE", f->admin_err);
	if (f->domain_err != NULL &&
	    (s = view_add_section(d, "E_DOMAIN")) != NULL)
		view_set(s, "MESSAGE", f->domain_err);
	if ((e = domain_options(r, d, f->domain)) != APP_OK ||
	    (e = user_history(r, d, uid)) != APP_OK)
		return e;
	return page_render(r, status, db_str(res, 0, SA_USER_NAME),
	    "admin_user.tpl");
}

/* GET /admin/users/:id */
enum app_err
h_admin_user(struct req *r)
{
	struct user_form f = { 0 };

	return user_page(r, 200, req_field(r, DONE_CODE),
	    req_param_id(r, PARAM_ID), &f);
}

/* What the shared rules refused, next to the form it came from. */
static void
user_refused(const struct req *r, struct user_form *f, enum sa_refusal why)
{
	if (why == SA_SELF_BAN)
		f->ban_err = tr(r->lang, "You cannot ban yourself.");
	else
		f->admin_err = tr(r->lang,
		    "This is the last site admin: grant another user first.");
}

/*
 * Changes the user named by the path (rules/site.c); 303 to their page
 * with `code` (or "unchanged"); a refusal re-renders the page (409).
 */
static enum app_err
user_change(struct req *r, enum sa_user_op op, const char *reason,
    const char *code, struct user_form *f)
{
	struct actor        a = actor_of(r);
	struct sa_user_done out;
	const char         *path;
	long long           id = req_param_id(r, PARAM_ID);
	enum app_err        e;

	e = sa_user_change(r->db, r->cfg, r->arena, &a, id, NULL, op, reason,
	    &out);
	if (e == APP_ECONFLICT) {
		user_refused(r, f, out.refused);
		r->reason = N_("change refused");
		return user_page(r, 409, NULL, id, f);
	}
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such user");
	if (e != APP_OK)
		return e;
	/* Who revoked their own site admin may no longer see the page. */
	if (out.changed && op == SA_REVOKE && id == r->user->id)
		return resp_redirect(r, 303, "/my");
	if ((path = arena_printf(r->arena, "/admin/users/%lld", id)) == NULL)
		return APP_ENOMEM;
	return done(r, path, out.changed ? code : "unchanged");
}

/*
 * POST /admin/users/:id/ban: reason, one line of 1..500 characters.  The
 * user's sessions stop at once (session_load refuses banned users);
 * provisioning disables their aliases.
 */
enum app_err
h_admin_user_ban(struct req *r)
{
	struct user_form f = { 0 };

	f.reason = req_field(r, BAN_REASON) != NULL ? req_field(r, BAN_REASON) :
						      "";
	if (!sa_line_ok(f.reason, SA_REASON_MAX)) {
		f.ban_err = tr(r->lang,
		    "Want a reason: one line of 1 to 500 characters.");
		r->reason = N_("ban reason refused");
		return user_page(r, 422, NULL, req_param_id(r, PARAM_ID), &f);
	}
	return user_change(r, SA_BAN, f.reason, "banned", &f);
}

/* POST /admin/users/:id/unban */
enum app_err
h_admin_user_unban(struct req *r)
{
	struct user_form f = { 0 };

	return user_change(r, SA_UNBAN, NULL, "unbanned", &f);
}

/* POST /admin/users/:id/site-admin: grant=yes|no. */
enum app_err
h_admin_user_site_admin(struct req *r)
{
	struct user_form f = { 0 };
	const char      *v = req_field(r, SITE_ADMIN_GRANT);

	if (strcmp(v, "yes") == 0)
		return user_change(r, SA_GRANT, NULL, "admin-granted", &f);
	if (strcmp(v, "no") == 0)
		return user_change(r, SA_REVOKE, NULL, "admin-revoked", &f);
	r->reason = N_("grant is yes or no");
	return APP_EINPUT;
}

/*
 * POST /admin/users/:id/domain-admin: domain=<name>.  Makes the user an
 * admin of the domain, a member of it or not (rules/domain_members.c's rule, as for
 * the CLI and the API): how a new domain gets its first admin here.
 */
enum app_err
h_admin_user_domain_admin(struct req *r)
{
	struct actor     a = actor_of(r);
	struct user_form f = { .domain = req_field(r, DOMAIN_ADMIN_DOMAIN) };
	struct alias_problem why = { 0 };
	const char          *p[1], *path;
	char                 uid[24];
	PGresult            *res;
	long long            id = req_param_id(r, PARAM_ID);
	enum app_err         e;

	snprintf(uid, sizeof(uid), "%lld", id);
	p[0] = uid;
	if ((res = req_sql(r, STMT_SA_USER, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		r->reason = N_("no such user");
		return APP_ENOTFOUND;
	}
	e = member_set_role(r->db, r->arena, &a, f.domain,
	    db_str(res, 0, SA_USER_NAME), MEMBER_ROLE_ADMIN, &why);
	if (e == APP_ENOTFOUND) { /* the domain, or the user's name */
		r->reason = why.code != NULL ? why.code : N_("no such domain");
		f.domain_err = tr(r->lang,
		    why.message != NULL ? why.message :
					  N_("There is no such domain."));
		return user_page(r, 422, NULL, id, &f);
	}
	if (e != APP_OK)
		return e;
	if ((path = arena_printf(r->arena, "/admin/users/%lld", id)) == NULL)
		return APP_ENOMEM;
	return done(r, path, "domain-admin");
}

/* ---------------------------------------------------------------------
 * The outbox's failed messages.
 */

/* GET /admin/outbox */
enum app_err
h_admin_outbox(struct req *r)
{
	/* The times and counts are set in the language's conventions. */
	static const char *const keys[SA_OUTBOX_FAILED__N] = {
		[SA_OUTBOX_FAILED_ID] = "ID",
		[SA_OUTBOX_FAILED_TO] = "TO",
		[SA_OUTBOX_FAILED_SUBJECT] = "SUBJECT",
		[SA_OUTBOX_FAILED_ERROR] = "ERROR",
	};
	struct view_dict *d, *row;
	PGresult         *res;
	enum app_err      e;
	int               i, k;

	if ((res = req_sql(r, STMT_SA_OUTBOX_FAILED, 0, NULL, &e)) == NULL)
		return e;
	if ((d = admin_dict(r, req_field(r, DONE_CODE))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < PQntuples(res); i++) {
		if ((row = view_add_section(d, "MESSAGE")) == NULL)
			return APP_ENOMEM;
		for (k = 0; k < SA_OUTBOX_FAILED__N; k++)
			if (keys[k] != NULL)
				view_set(row, keys[k], db_str(res, i, k));
		page_set_count(r, row, "ATTEMPTS",
		    db_ll(res, i, SA_OUTBOX_FAILED_ATTEMPTS));
		page_set_time(r, row, "FAILED_AT",
		    db_str(res, i, SA_OUTBOX_FAILED_FAILED));
		page_set_time(r, row, "CREATED_AT",
		    db_str(res, i, SA_OUTBOX_FAILED_CREATED));
	}
	if (PQntuples(res) == 0)
		view_show(d, "NO_FAILURES");
	return page_render(r, 200, tr(r->lang, "Failed messages"),
	    "admin_outbox.tpl");
}

/* The failed message of the path, retried or deleted (rules/notify.c). */
static enum app_err
outbox_change(struct req *r,
    enum app_err (*change)(struct db *, const struct actor *, long long),
    const char *code)
{
	struct actor a = actor_of(r);
	enum app_err e;

	if ((e = change(r->db, &a, req_param_id(r, PARAM_ID))) == APP_ENOTFOUND)
		r->reason = N_("no such failed message");
	if (e != APP_OK)
		return e;
	return done(r, "/admin/outbox", code);
}

/* POST /admin/outbox/:id/retry: sent again from the first attempt. */
enum app_err
h_admin_outbox_retry(struct req *r)
{
	return outbox_change(r, mail_retry, "retried");
}

/* POST /admin/outbox/:id/delete */
enum app_err
h_admin_outbox_delete(struct req *r)
{
	return outbox_change(r, mail_delete, "deleted");
}

/* ---------------------------------------------------------------------
 * GET /admin/errors: the error log, one row per fingerprint.
 */

enum app_err
h_admin_errors(struct req *r)
{
	/* The times and the count are set in the language's conventions. */
	static const char *const keys[SA_ERRORS__N] = {
		[SA_ERRORS_FINGERPRINT] = "FINGERPRINT",
		[SA_ERRORS_MESSAGE] = "TEXT",
		[SA_ERRORS_USER] = "USER_ID",
		[SA_ERRORS_NAME] = "LP_NAME",
		[SA_ERRORS_CLAIMED_ID] = "CLAIMED_ID",
	};
	struct view_dict *d, *row;
	PGresult         *res;
	enum app_err      e;
	int               i, k;

	if ((res = req_sql(r, STMT_SA_ERRORS, 0, NULL, &e)) == NULL)
		return e;
	if ((d = admin_dict(r, NULL)) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < PQntuples(res); i++) {
		if ((row = view_add_section(d, "ERROR")) == NULL)
			return APP_ENOMEM;
		for (k = 0; k < SA_ERRORS__N; k++)
			if (keys[k] != NULL)
				view_set(row, keys[k], db_str(res, i, k));
		page_set_count(r, row, "COUNT", db_ll(res, i, SA_ERRORS_COUNT));
		page_set_time(r, row, "FIRST_SEEN",
		    db_str(res, i, SA_ERRORS_FIRST));
		page_set_time(r, row, "LAST_SEEN",
		    db_str(res, i, SA_ERRORS_LAST));
		if (db_str(res, i, SA_ERRORS_USER)[0] != '\0')
			view_show(row, "HAS_USER");
	}
	if (PQntuples(res) == 0)
		view_show(d, "NO_ERRORS");
	return page_render(r, 200, tr(r->lang, "Error log"),
	    "admin_errors.tpl");
}
