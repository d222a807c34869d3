/*
 * auth.c - signing in with Ubuntu One (OpenID 2.0), and out.
 *
 *	GET /auth/ubuntu	   the sign-in button (next: where to go after)
 *	POST /auth/ubuntu	   start: a login state bound to this browser,
 *				   then off to the pinned OP endpoint
 *	GET|POST /auth/ubuntu/return the assertion (proto/rp.c checks it),
 *				   stored against the state
 *	GET /auth/ubuntu/finish	   same-site step: the browser binding cookie
 *				   must match the state's; then the session
 *	POST /auth/logout
 *
 * Why the finish step: the OP may deliver the assertion as a cross-site
 * auto-submitted POST, which carries no SameSite=Lax cookie, so the return
 * handler cannot see which browser it serves.  It verifies everything it
 * can, then redirects; the redirect is a top-level GET, which carries the
 * Lax binding cookie, and only the browser that started the sign-in can
 * finish it (login CSRF).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/lang.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/token.h"
#include "proto/rp.h"
#include "rules/provision.h"
#include "rules/users.h"
#include "views/view.h"

#define STATE_TTL "600" /* seconds a sign-in may take */

/*
 * Every failure looks the same to the browser ("try again"); the specific
 * reason is in the log.  Nothing about why is disclosed to a forger.
 */
static enum app_err
failed_page(struct req *r)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_int(d, "STATUS", 403);
	view_set(d, "MESSAGE",
	    tr(r->lang,
		"Signing in with Ubuntu One did not work. "
		"Please go back and try again."));
	return page_render(r, 403, tr(r->lang, "Sign-in failed"), "error.tpl");
}

/*
 * Sign-in starts per client per minute: an IPv6 client is its /64, whose
 * addresses it can take freely (lib/netaddr.h).
 */
static enum app_err
rate_limit(struct req *r)
{
	char         key[NETADDR_TEXT_MAX];
	const char  *client, *bucket;
	enum app_err e;

	if ((client = req_client(r)) == NULL ||
	    (bucket = arena_printf(r->arena, "login:%s",
		 netaddr_rate_key(client, key))) == NULL)
		return APP_ENOMEM;
	if ((e = req_rate_limit(r, bucket, r->cfg->login_rate_limit)) ==
	    APP_ERATELIMIT)
		r->reason = N_("too many sign-in starts from this client");
	return e;
}

/*
 * A new login state bound to this browser, remembering where to go after
 * (next, a validated same-origin path, else /my); the state, or NULL.
 */
static const char *
new_state(struct req *r, const char *next, enum app_err *e)
{
	const char *binding, *state, *params[4];

	if ((binding = browser_binding(r)) == NULL ||
	    (state = random_token(r->arena)) == NULL ||
	    (params[0] = token_hash_hex(r->arena, state)) == NULL ||
	    (params[1] = token_hash_hex(r->arena, binding)) == NULL) {
		*e = APP_ENOMEM;
		return NULL;
	}
	params[2] = next != NULL ? next : "/my";
	params[3] = STATE_TTL;
	if (req_sql(r, STMT_LOGIN_STATE_CREATE, 4, params, e) == NULL)
		return NULL;
	return state;
}

/* The relying party works on the request's connection and arena. */
static void
rp_ctx_of(struct req *r, struct rp_ctx *rp)
{
	rp->db = r->db;
	rp->arena = r->arena;
	rp->cfg = r->cfg;
	rp->request_id = r->request_id;
	rp->reason = NULL;
}

/* POST /auth/ubuntu: off to Ubuntu One with a fresh state. */
enum app_err
h_auth_start(struct req *r)
{
	struct rp_ctx rp;
	const char   *state, *url;
	enum app_err  e;

	if ((e = rate_limit(r)) != APP_OK)
		return e;
	if ((state = new_state(r, req_field(r, AUTH_START_NEXT), &e)) == NULL)
		return e;
	rp_ctx_of(r, &rp);
	url = rp_request_url(&rp, state, &e);
	if (rp.reason != NULL)
		r->reason = rp.reason;
	if (url == NULL)
		return e;
	return resp_redirect(r, 303, url);
}

/*
 * GET /auth/ubuntu[?next=PATH]: the sign-in button, carrying where to go
 * afterwards (a link from a 401 page or an e-mail); starting a sign-in is
 * a state change, so it stays a POST with the CSRF token.
 */
enum app_err
h_auth_page(struct req *r)
{
	struct view_dict *d;
	const char       *next = req_field(r, AUTH_PAGE_NEXT);

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "NEXT", next != NULL ? next : "/my");
	return page_render(r, 200, tr(r->lang, "Sign in"), "signin.tpl");
}

/*
 * A page that tells the user what happened and what to do: title and
 * text are msgids (N_), shown in the request's language.
 */
static enum app_err
message_page(struct req *r, int status, const char *title, const char *text)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_int(d, "STATUS", status);
	view_set(d, "MESSAGE", tr(r->lang, text));
	return page_render(r, status, tr(r->lang, title), "error.tpl");
}

/* The identity is verified: the user record, then the finish step. */
static enum app_err
signed_assertion(struct req *r, const struct rp_identity *id)
{
	const char         *params[2], *url;
	char                uid[24];
	long long           user;
	enum signin_outcome outcome;
	enum app_err        e;

	if ((e = users_signin(r->db, r->arena, r->request_id, id, &user,
		 &outcome)) != APP_OK)
		return e;
	if (outcome == SIGNIN_BANNED) {
		log_warn("signin_refused", LOG_WORD("id", r->request_id),
		    LOG_WORD("reason", "banned"), LOG_INT("user", user));
		return message_page(r, 403, N_("Account suspended"),
		    N_("This account may not use membermail. If you think this "
		       "is a mistake, contact the site administrators."));
	}
	if (outcome == SIGNIN_NO_EMAIL)
		return message_page(r, 403, N_("Email address needed"),
		    N_("membermail forwards mail to the address of your Ubuntu "
		       "One account, so it needs to see it. Please sign in "
		       "again and allow Ubuntu One to share your email "
		       "address."));
	if (outcome == SIGNIN_BAD_EMAIL)
		return message_page(r, 403, N_("Email address unusable"),
		    N_("membermail forwards mail to the address of your Ubuntu "
		       "One account, and cannot use the one it shares (it is "
		       "too long or has characters a mail header cannot hold). "
		       "Please set another address in your Ubuntu One account "
		       "and sign in again."));
	snprintf(uid, sizeof(uid), "%lld", user);
	if ((params[0] = token_hash_hex(r->arena, id->state)) == NULL ||
	    (url = arena_printf(r->arena, "/auth/ubuntu/finish?state=%s",
		 id->state)) == NULL)
		return APP_ENOMEM;
	params[1] = uid;
	if (req_sql(r, STMT_LOGIN_STATE_USER, 2, params, &e) == NULL)
		return e;
	return resp_redirect(r, 303, url);
}

/* GET|POST /auth/ubuntu/return: the OP's answer; see the top. */
enum app_err
h_auth_return(struct req *r)
{
	struct rp_identity id;
	struct rp_ctx      rp;
	enum rp_result     rr;

	rp_ctx_of(r, &rp);
	rr = rp_verify(&rp, &r->query,
	    r->method == METHOD_POST ? &r->form : NULL, &id);
	if (rp.reason != NULL)
		r->reason = rp.reason;
	switch (rr) {
	case RP_OK:
		return signed_assertion(r, &id);
	case RP_CANCELLED:
		return message_page(r, 200, N_("Sign-in cancelled"),
		    N_("You cancelled signing in with Ubuntu One. Nothing was "
		       "changed."));
	case RP_UNAVAILABLE:
		r->reason = N_("Ubuntu One or the database is unreachable");
		return APP_EUPSTREAM;
	case RP_FAILED:
		break;
	}
	return failed_page(r);
}

/*
 * A language chosen with the switch while signed out becomes the user's
 * choice, unless they made one before: their e-mail follows it (the
 * mails sign-in itself may send included).
 */
static enum app_err
adopt_language(struct req *r, long long user)
{
	const struct kv   *kv = kv_find(&r->cookies, LANG_COOKIE);
	const struct lang *l;
	const char        *p[2];
	char               uid[24];
	enum app_err       e;

	if (kv == NULL || (l = i18n_find(kv->val, kv->vlen)) == NULL)
		return APP_OK;
	snprintf(uid, sizeof(uid), "%lld", user);
	p[0] = uid;
	p[1] = l->code;
	return req_sql(r, STMT_USER_ADOPT_LANG, 2, p, &e) == NULL ? e : APP_OK;
}

/* GET /auth/ubuntu/finish?state=: the same-site step; see the top. */
enum app_err
h_auth_finish(struct req *r)
{
	const char  *params[2], *binding, *path;
	PGresult    *res;
	long long    user;
	enum app_err e;
	int          queued;

	if ((binding = browser_binding_sent(r)) == NULL ||
	    (params[0] = token_hash_hex(r->arena,
		 req_field(r, AUTH_FINISH_STATE))) == NULL ||
	    (params[1] = token_hash_hex(r->arena, binding)) == NULL) {
		log_warn("signin_failed", LOG_WORD("id", r->request_id),
		    LOG_STR("reason", "no browser binding cookie at finish"));
		return failed_page(r);
	}
	if ((res = req_sql(r, STMT_LOGIN_STATE_FINISH, 2, params, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		log_warn("signin_failed", LOG_WORD("id", r->request_id),
		    LOG_STR("reason",
			"state unknown, expired, finished or "
			"bound to another browser"));
		return failed_page(r);
	}
	path = db_str(res, 0, LOGIN_STATE_FINISH_PATH);
	user = db_ll(res, 0, LOGIN_STATE_FINISH_USER);
	if ((e = session_start(r, user)) != APP_OK ||
	    (e = adopt_language(r, user)) != APP_OK)
		return e;
	log_info("signed_in", LOG_WORD("id", r->request_id),
	    LOG_INT("user", user));
	/*
	 * Provisioning never stops a sign-in: when Launchpad is slow or
	 * down the user is in anyway and a sync of them is queued (/my says
	 * so); a database failure here is logged and the sync catches up.
	 */
	if ((e = provision_signin(r->db, r->cfg, r->arena, user, &queued)) !=
	    APP_OK)
		log_error("signin_provision_failed",
		    LOG_WORD("id", r->request_id), LOG_INT("user", user),
		    LOG_INT("status", app_err_status(e)));
	return resp_redirect(r, 303, path);
}

/* POST /auth/logout */
enum app_err
h_logout(struct req *r)
{
	enum app_err e;

	if ((e = session_end(r)) != APP_OK)
		return e;
	return resp_redirect(r, 303, "/");
}
