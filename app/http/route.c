/* route.c - route matching and the dispatcher; see route.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/bearer.h"
#include "http/lang.h"
#include "http/route.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/domain_members.h"

#define METHOD_WITH_BODY \
	(METHOD_POST | METHOD_PUT | METHOD_PATCH | METHOD_DELETE)
/* The parameter ACCESS_DOMAIN_ADMIN checks. */
#define DOMAIN_PARAM "domain"

/* Length of the path segment at s (up to '/' or the end). */
static size_t
seglen(const char *s)
{
	return strcspn(s, "/");
}

/*
 * Matches path against pattern segment by segment; ":name" segments take
 * one non-empty segment each, percent-decoded into vals[0..*nvals).
 */
static int
pattern_match(struct req *r, const char *pat, const char *path,
    const char **vals, size_t *nvals)
{
	size_t  plen, slen;
	char   *v;
	ssize_t n;

	*nvals = 0;
	while (*pat == '/' && *path == '/') {
		pat++, path++;
		plen = seglen(pat);
		slen = seglen(path);
		if (*pat == ':') {
			if (slen == 0 || *nvals == REQ_PATH_PARAMS)
				return 0;
			if ((v = arena_alloc(r->arena, slen + 1)) == NULL ||
			    (n = form_pct_decode(v, path, slen, 0)) < 0)
				return 0;
			vals[(*nvals)++] = v;
		} else if (plen != slen || memcmp(pat, path, plen) != 0)
			return 0;
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

static void
allow_list(unsigned int methods, char *allow, size_t allowsz)
{
	static const struct {
		unsigned int bit;
		const char  *name;
	} names[] = {
		{ METHOD_GET, "GET" },
		{ METHOD_HEAD, "HEAD" },
		{ METHOD_POST, "POST" },
		{ METHOD_PUT, "PUT" },
		{ METHOD_PATCH, "PATCH" },
		{ METHOD_DELETE, "DELETE" },
	};
	size_t i, o = 0;
	int    n;

	allow[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & names[i].bit))
			continue;
		n = snprintf(allow + o, allowsz - o, "%s%s", o ? ", " : "",
		    names[i].name);
		if (n < 0 || (size_t)n >= allowsz - o)
			break;
		o += (size_t)n;
	}
}

enum route_result
route_match(struct req *r, const struct route *table, size_t n,
    const struct route **found, char *allow, size_t allowsz)
{
	const char  *vals[REQ_PATH_PARAMS];
	unsigned int allowed = 0, m;
	size_t       i, k, nvals;

	*found = NULL;
	for (i = 0; i < n; i++) {
		if (!pattern_match(r, table[i].pattern, r->path, vals, &nvals))
			continue;
		m = table[i].methods;
		if (m & METHOD_GET)
			m |= METHOD_HEAD;
		if (m & r->method) {
			*found = &table[i];
			for (k = 0; k < nvals; k++)
				if (table[i].params[k] < REQ_PARAM_KINDS)
					r->params[table[i].params[k]] = vals[k];
			return ROUTE_FOUND;
		}
		allowed |= m;
	}
	if (allowed == 0)
		return ROUTE_NO_PATH;
	allow_list(allowed, allow, allowsz);
	return ROUTE_NO_METHOD;
}

/* The value of the route's parameter called name, or NULL. */
static const char *
param_named(const struct req *r, const struct router *rt, const char *name)
{
	const unsigned int *p = r->route->params;
	size_t              k;

	for (k = 0; k < REQ_PATH_PARAMS && p[k] != 0; k++)
		if (strcmp(rt->params[p[k]].name, name) == 0)
			return r->params[p[k]];
	return NULL;
}

/*
 * A domain admin is an admin of the domain named by the route's :domain
 * segment, or a site admin (rules/domain_members.c decides).  The name is
 * not validated yet (that comes after access, so that who may not call the
 * route learns nothing of its parameters): a malformed one names no
 * domain and is refused like any other.
 */
static enum app_err
check_domain_admin(struct req *r, const struct router *rt)
{
	struct actor a;
	const char  *domain;
	enum app_err e;

	if ((domain = param_named(r, rt, DOMAIN_PARAM)) == NULL) {
		r->reason = N_("domain-admin route without :domain");
		return APP_EINTERNAL;
	}
	req_actor(r, r->route->auth == AUTH_BEARER ? ACTOR_API : ACTOR_USER,
	    &a);
	if ((e = member_may_administer(r->db, &a, domain)) == APP_EFORBIDDEN)
		r->reason = N_("not an admin of this domain");
	else if (e != APP_OK)
		r->reason = e == APP_EDB ? N_("database unavailable") :
					   N_("database query failed");
	return e;
}

/* Who may call the route: its row's access level, enforced here. */
static enum app_err
check_access(struct req *r, const struct router *rt)
{
	enum access access = r->route->access;

	if (access == ACCESS_ANYONE)
		return APP_OK;
	if (r->user == NULL) {
		r->reason = N_("sign-in required");
		return APP_EAUTH;
	}
	if (access == ACCESS_SITE_ADMIN && !r->user->is_site_admin) {
		r->reason = N_("site admins only");
		return APP_EFORBIDDEN;
	}
	if (access == ACCESS_DOMAIN_ADMIN)
		return check_domain_admin(r, rt);
	return APP_OK;
}

/* Who calls: its row's authentication kind. */
static enum app_err
authenticate(struct req *r)
{
	switch (r->route->auth) {
	case AUTH_SESSION:
		r->session_stmt = r->route->session_stmt;
		return session_load(r);
	case AUTH_BEARER:
		return api_auth(r);
	case AUTH_NONE:
		break;
	}
	return APP_OK;
}

/* The path parameters against their validators: a refused one is a 404. */
static enum app_err
check_params(struct req *r, const struct router *rt)
{
	const struct param *p;
	const char         *v;
	size_t              k, len;

	for (k = 0; k < REQ_PATH_PARAMS && r->route->params[k] != 0; k++) {
		p = &rt->params[r->route->params[k]];
		v = r->params[r->route->params[k]];
		len = strlen(v);
		if (len > p->max_len || !p->valid(v, len)) {
			r->reason = p->reason;
			return APP_ENOTFOUND;
		}
	}
	return APP_OK;
}

/*
 * Cross-site request forgery: a state change must come from our own pages.
 * Browsers say where a request comes from (Sec-Fetch-Site, Origin); a
 * cross-site one is refused, and the form must carry this session's (or,
 * signed out, this browser's) CSRF token.
 */
static enum app_err
check_csrf(struct req *r)
{
	const char *site, *origin;

	site = FCGX_GetParam("HTTP_SEC_FETCH_SITE", r->fcgi->envp);
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0) {
		r->reason = N_("cross-site state change (Sec-Fetch-Site)");
		return APP_EFORBIDDEN;
	}
	origin = FCGX_GetParam("HTTP_ORIGIN", r->fcgi->envp);
	if (origin != NULL && strcmp(origin, r->cfg->public_url) != 0) {
		r->reason = N_("cross-site state change (Origin)");
		return APP_EFORBIDDEN;
	}
	if (!csrf_valid(r, req_form(r, "csrf_token"))) {
		r->reason = N_("missing or wrong CSRF token");
		return APP_EFORBIDDEN;
	}
	return APP_OK;
}

static enum app_err
dispatch(struct req *r, const struct router *rt, char *allow, size_t allowsz)
{
	const struct route *route;
	enum app_err        e;

	switch (route_match(r, rt->table, rt->n, &route, allow, allowsz)) {
	case ROUTE_NO_PATH:
		return APP_ENOTFOUND;
	case ROUTE_NO_METHOD:
		return APP_EMETHOD;
	case ROUTE_FOUND:
		break;
	}
	r->route = route;
	e = authenticate(r);
	lang_choose(r); /* the user's own choice, or the API's rule */
	if (e != APP_OK || (e = check_access(r, rt)) != APP_OK)
		return e;
	if (route->auth != AUTH_BEARER && (r->method & METHOD_WITH_BODY) &&
	    (e = req_read_form(r)) != APP_OK)
		return e;
	if (route->auth == AUTH_SESSION && route->changes_state &&
	    (e = check_csrf(r)) != APP_OK)
		return e;
	if ((e = fields_check(r, route->fields, route->nfields)) != APP_OK ||
	    (e = check_params(r, rt)) != APP_OK)
		return e;
	return route->handler(r);
}

/* Why row's ":name" segments are not its parameters, or NULL. */
static const char *
params_problem(const struct router *rt, const struct route *row)
{
	const char  *pat = row->pattern, *name;
	unsigned int key;
	size_t       k = 0, len;

	for (; (pat = strstr(pat, "/:")) != NULL; pat += len + 2, k++) {
		len = seglen(pat + 2);
		if (k == REQ_PATH_PARAMS)
			return "more :segments than a route may have";
		if ((key = row->params[k]) == 0 || key >= rt->nparams)
			return "a :segment without its parameter";
		name = rt->params[key].name;
		if (strlen(name) != len || memcmp(name, pat + 2, len) != 0)
			return "a parameter named unlike its :segment";
	}
	if (k < REQ_PATH_PARAMS && row->params[k] != 0)
		return "a parameter without its :segment";
	if (row->access != ACCESS_DOMAIN_ADMIN)
		return NULL;
	while (k-- > 0)
		if (strcmp(rt->params[row->params[k]].name, DOMAIN_PARAM) == 0)
			return NULL;
	return "a domain-admin route without :domain";
}

/* Why row is not one the dispatcher can enforce, or NULL. */
static const char *
row_problem(const struct router *rt, const struct route *row)
{
	size_t i;

	if (row->methods == 0 || row->handler == NULL)
		return "no methods or no handler";
	if (row->auth == AUTH_NONE &&
	    (row->access != ACCESS_ANYONE || row->changes_state))
		return "an access level or a state change without a credential";
	if (row->session_stmt != 0 && row->auth != AUTH_SESSION)
		return "a session statement without a session";
	if (row->nfields > 0 && row->fields == NULL)
		return "fields counted but not given";
	for (i = 0; i < row->nfields; i++) {
		if (row->fields[i].name == NULL || row->fields[i].valid == NULL)
			return "a field without a name or a validator";
		if (row->auth == AUTH_BEARER &&
		    row->fields[i].src == FIELD_FORM)
			return "a form field on a bearer route (JSON bodies)";
	}
	return params_problem(rt, row);
}

int
route_table_check(const struct router *rt, char *why, size_t whysz)
{
	const char *problem = NULL;
	size_t      i;

	if (rt->nparams > REQ_PARAM_KINDS)
		problem = "more parameters than REQ_PARAM_KINDS";
	for (i = 1; problem == NULL && i < rt->nparams; i++)
		if (rt->params[i].name == NULL || rt->params[i].valid == NULL)
			problem = "a parameter without a name or a validator";
	if (problem != NULL) {
		snprintf(why, whysz, "route table: %s", problem);
		return -1;
	}
	for (i = 0; i < rt->n; i++) {
		if (rt->table[i].pattern == NULL ||
		    rt->table[i].pattern[0] != '/') {
			snprintf(why, whysz, "route %zu: no pattern", i);
			return -1;
		}
		if ((problem = row_problem(rt, &rt->table[i])) != NULL) {
			snprintf(why, whysz, "route %s: %s",
			    rt->table[i].pattern, problem);
			return -1;
		}
	}
	return 0;
}

void
route_dispatch(struct req *r, const struct router *rt)
{
	char         allow[64] = "";
	enum app_err e;

	e = req_begin(r);
	lang_choose(r);
	if (e == APP_OK)
		e = dispatch(r, rt, allow, sizeof(allow));
	if (r->streamed) { /* the head went: no error page now */
		if (e != APP_OK)
			resp_stream_abort(r);
		return;
	}
	if (e == APP_OK && r->out.failed) {
		e = APP_ENOMEM;
		r->reason = N_("response over its bound");
	}
	if (e != APP_OK) {
		r->nheaders = 0;
		rt->error_page(r, e, allow);
	}
	if (resp_send(r) != APP_OK)
		log_debug("client_gone", LOG_WORD("id", r->request_id));
}
