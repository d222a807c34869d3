/* route.c - route matching and the dispatcher; see route.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http/bearer.h"
#include "http/route.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "lib/log.h"

#define METHOD_WITH_BODY \
	(METHOD_POST | METHOD_PUT | METHOD_PATCH | METHOD_DELETE)

/* Length of the path segment at s (up to '/' or the end). */
static size_t
seglen(const char *s)
{
	return strcspn(s, "/");
}

/*
 * Matches path against pattern segment by segment; ":name" segments take
 * one non-empty segment, percent-decoded into req->path_params.
 */
static int
pattern_match(struct req *r, const char *pat, const char *path)
{
	size_t  plen, slen;
	char   *v;
	ssize_t n;

	r->npath_params = 0;
	while (*pat == '/' && *path == '/') {
		pat++, path++;
		plen = seglen(pat);
		slen = seglen(path);
		if (*pat == ':') {
			if (slen == 0 || r->npath_params == REQ_PATH_PARAMS)
				return 0;
			if ((v = arena_alloc(r->arena, slen + 1)) == NULL ||
			    (n = form_pct_decode(v, path, slen, 0)) < 0)
				return 0;
			r->path_params[r->npath_params].key =
			    arena_strndup(r->arena, pat + 1, plen - 1);
			r->path_params[r->npath_params].val = v;
			r->path_params[r->npath_params].vlen = (size_t)n;
			r->npath_params++;
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
	unsigned int allowed = 0, m;
	size_t       i;

	*found = NULL;
	for (i = 0; i < n; i++) {
		if (!pattern_match(r, table[i].pattern, r->path))
			continue;
		m = table[i].methods;
		if (m & METHOD_GET)
			m |= METHOD_HEAD;
		if (m & r->method) {
			*found = &table[i];
			return ROUTE_FOUND;
		}
		allowed |= m;
	}
	r->npath_params = 0;
	if (allowed == 0)
		return ROUTE_NO_PATH;
	allow_list(allowed, allow, allowsz);
	return ROUTE_NO_METHOD;
}

/*
 * A domain admin is an admin member of the domain named by the route's
 * :domain segment; site admins may act on every domain.
 */
static enum app_err
check_domain_admin(struct req *r)
{
	const char  *params[2];
	char         uid[24];
	PGresult    *res;
	enum app_err e;

	if (r->user->is_site_admin)
		return APP_OK;
	if ((params[0] = req_path_param(r, "domain")) == NULL) {
		r->reason = "domain-admin route without :domain";
		return APP_EINTERNAL;
	}
	snprintf(uid, sizeof(uid), "%lld", r->user->id);
	params[1] = uid;
	if ((res = req_sql(r, STMT_IS_DOMAIN_ADMIN, 2, params, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1)
		return APP_OK;
	r->reason = "not an admin of this domain";
	return APP_EFORBIDDEN;
}

/* Who may call the route: the table's access column, enforced here. */
static enum app_err
check_access(struct req *r, const struct route *rt)
{
	if (rt->access == ACCESS_ANYONE)
		return APP_OK;
	if (r->user == NULL) {
		r->reason = "sign-in required";
		return APP_EAUTH;
	}
	if (rt->access == ACCESS_SITE_ADMIN && !r->user->is_site_admin) {
		r->reason = "site admins only";
		return APP_EFORBIDDEN;
	}
	if (rt->access == ACCESS_DOMAIN_ADMIN)
		return check_domain_admin(r);
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
		r->reason = "cross-site state change (Sec-Fetch-Site)";
		return APP_EFORBIDDEN;
	}
	origin = FCGX_GetParam("HTTP_ORIGIN", r->fcgi->envp);
	if (origin != NULL && strcmp(origin, r->cfg->public_url) != 0) {
		r->reason = "cross-site state change (Origin)";
		return APP_EFORBIDDEN;
	}
	if (!csrf_valid(r, req_form(r, "csrf_token"))) {
		r->reason = "missing or wrong CSRF token";
		return APP_EFORBIDDEN;
	}
	return APP_OK;
}

static enum app_err
dispatch(struct req *r, const struct router *rt, char *allow, size_t allowsz)
{
	const struct route *route;
	enum app_err        e;
	int                 api;

	switch (route_match(r, rt->table, rt->n, &route, allow, allowsz)) {
	case ROUTE_NO_PATH:
		return APP_ENOTFOUND;
	case ROUTE_NO_METHOD:
		return APP_EMETHOD;
	case ROUTE_FOUND:
		break;
	}
	r->route = route;
	if (rt->session_stmt != NULL)
		r->session_stmt = rt->session_stmt(route);
	/*
	 * The API authenticates by bearer token only and never looks at
	 * cookies, so a cross-site request carries no credential of the
	 * victim's: its changes need no CSRF check (http/bearer.h).  Its handlers
	 * read their own JSON bodies.
	 */
	api = api_path(r->path);
	if ((e = api ? api_auth(r) : session_load(r)) != APP_OK ||
	    (e = check_access(r, route)) != APP_OK)
		return e;
	if (!api && (r->method & METHOD_WITH_BODY) &&
	    (e = req_read_form(r)) != APP_OK)
		return e;
	if (!api && route->changes_state && (e = check_csrf(r)) != APP_OK)
		return e;
	if ((e = fields_check(r, route->fields, route->nfields)) != APP_OK)
		return e;
	return route->handler(r);
}

void
route_dispatch(struct req *r, const struct router *rt)
{
	char         allow[64] = "";
	enum app_err e;

	if ((e = req_begin(r)) == APP_OK)
		e = dispatch(r, rt, allow, sizeof(allow));
	if (r->streamed) { /* the head went: no error page now */
		if (e != APP_OK)
			resp_stream_abort(r);
		return;
	}
	if (e == APP_OK && r->out.failed) {
		e = APP_ENOMEM;
		r->reason = "response over its bound";
	}
	if (e != APP_OK) {
		r->nheaders = 0;
		rt->error_page(r, e, allow);
	}
	if (resp_send(r) != APP_OK)
		log_debug("event=client_gone id=%s", r->request_id);
}
