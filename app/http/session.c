/* session.c - sessions, browser binding and CSRF tokens; see session.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/req.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "lib/token.h"
#include "lib/valid.h"
#include "store/db.h"

/* Cookies live as long as the session may; the binding for a year. */
#define BINDING_MAX_AGE (365L * 24 * 3600)

/* A cookie's value if it is well-formed token, else NULL. */
static const char *
cookie_token(const struct req *r, const char *name)
{
	const struct kv *kv = kv_find(&r->cookies, name);

	if (kv == NULL || kv->vlen != TOKEN_B64_LEN ||
	    !valid_token(kv->val, kv->vlen))
		return NULL;
	return kv->val;
}

static int
https_site(const struct req *r)
{
	return strncmp(r->cfg->public_url, "https:", 6) == 0;
}

static int
cookie_flags(const struct req *r)
{
	return COOKIE_HTTPONLY | (https_site(r) ? COOKIE_SECURE : 0);
}

/* The names the site's cookies go by (session.h). */
static const char *
session_cookie(const struct req *r)
{
	return https_site(r) ? HOST_PREFIX SESSION_COOKIE : SESSION_COOKIE;
}

static const char *
browser_cookie(const struct req *r)
{
	return https_site(r) ? HOST_PREFIX BROWSER_COOKIE : BROWSER_COOKIE;
}

enum app_err
session_load(struct req *r)
{
	const char  *token, *params[2];
	char         idle[16];
	enum stmt    st = STMT_SESSION_LOAD;
	PGresult    *res;
	struct user *u;
	enum app_err e;

	if ((token = cookie_token(r, session_cookie(r))) == NULL)
		return APP_OK;
	if ((params[0] = token_hash_hex(r->arena, token)) == NULL)
		return APP_ENOMEM;
	if (r->session_stmt != 0)
		st = r->session_stmt;
	if ((res = req_sql(r, st, 1, params, &e)) == NULL)
		return e;
	if (PQntuples(res) == 0)
		return APP_OK; /* expired, ended, or banned */
	/* The idle expiry slides at most once a minute. */
	snprintf(idle, sizeof(idle), "%d", r->cfg->session_idle);
	params[1] = idle;
	if (db_bool(res, 0, SESSION_TOUCH) &&
	    req_sql(r, STMT_SESSION_TOUCH, 2, params, &e) == NULL)
		return e;
	if ((u = arena_calloc(r->arena, 1, sizeof(*u))) == NULL)
		return APP_ENOMEM;
	u->id = db_ll(res, 0, SESSION_ID);
	u->name = db_str(res, 0, SESSION_NAME);
	u->email = db_str(res, 0, SESSION_EMAIL);
	u->display_name = db_str(res, 0, SESSION_DISPLAY);
	u->is_site_admin = db_bool(res, 0, SESSION_SITE_ADMIN);
	u->claimed_id = db_str(res, 0, SESSION_CLAIMED_ID);
	u->person_status = db_str(res, 0, SESSION_PERSON);
	u->sync_due = db_bool(res, 0, SESSION_SYNC_DUE);
	u->email_stuck = db_str(res, 0, SESSION_EMAIL_STUCK);
	u->mail_problem = db_str(res, 0, SESSION_MAIL_PROBLEM);
	u->lang = db_str(res, 0, SESSION_LANG);
	r->user = u;
	r->session_hash = params[0];
	r->session_csrf = db_str(res, 0, SESSION_CSRF);
	r->session_res = res;
	return APP_OK;
}

/* Deletes the current session's row; its cookie is the caller's. */
static enum app_err
drop_session(struct req *r)
{
	enum app_err e;

	if (r->session_hash != NULL &&
	    req_sql(r, STMT_SESSION_DELETE, 1, &r->session_hash, &e) == NULL)
		return e;
	r->user = NULL;
	r->session_hash = NULL;
	r->session_csrf = NULL;
	return APP_OK;
}

enum app_err
session_end(struct req *r)
{
	enum app_err e;

	if ((e = drop_session(r)) != APP_OK)
		return e;
	return resp_cookie(r, session_cookie(r), "", 0, cookie_flags(r));
}

enum app_err
session_start(struct req *r, long long user_id)
{
	const char  *token, *params[5];
	char         uid[24], idle[16], max[16];
	enum app_err e;

	if ((e = drop_session(r)) != APP_OK) /* never reuse a token */
		return e;
	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(idle, sizeof(idle), "%d", r->cfg->session_idle);
	snprintf(max, sizeof(max), "%d", r->cfg->session_max);
	if ((token = random_token(r->arena)) == NULL ||
	    (params[0] = token_hash_hex(r->arena, token)) == NULL ||
	    (params[2] = token_hash_hex(r->arena, random_token(r->arena))) ==
		NULL)
		return APP_ENOMEM;
	params[1] = uid;
	params[3] = idle;
	params[4] = max;
	if (req_sql(r, STMT_SESSION_CREATE, 5, params, &e) == NULL)
		return e;
	r->session_hash = params[0];
	r->session_csrf = params[2];
	return resp_cookie(r, session_cookie(r), token, r->cfg->session_max,
	    cookie_flags(r));
}

const char *
browser_binding_sent(const struct req *r)
{
	return cookie_token(r, browser_cookie(r));
}

const char *
browser_binding(struct req *r)
{
	const char *b;

	if ((b = browser_binding_sent(r)) != NULL || r->new_binding != NULL)
		return b != NULL ? b : r->new_binding;
	if ((b = random_token(r->arena)) == NULL ||
	    resp_cookie(r, browser_cookie(r), b, BINDING_MAX_AGE,
		cookie_flags(r)) != APP_OK)
		return NULL;
	r->new_binding = b;
	return b;
}

/* The anonymous CSRF token: derived, so the binding never is in a page. */
static const char *
derived_csrf(struct req *r, const char *binding)
{
	const char *s = arena_printf(r->arena, "csrf:%s", binding);

	return s != NULL ? token_hash_hex(r->arena, s) : NULL;
}

const char *
csrf_token(struct req *r)
{
	const char *b;

	if (r->session_csrf != NULL)
		return r->session_csrf;
	if ((b = browser_binding(r)) == NULL)
		return NULL;
	return derived_csrf(r, b);
}

int
csrf_valid(struct req *r, const char *token)
{
	const char *b, *want;

	if (token == NULL)
		return 0;
	if (r->session_csrf != NULL)
		want = r->session_csrf;
	else if ((b = browser_binding_sent(r)) == NULL)
		return 0; /* a new binding cannot have been in a form */
	else
		want = derived_csrf(r, b);
	return want != NULL && strlen(token) == strlen(want) &&
	    sodium_memcmp(token, want, strlen(want)) == 0;
}
