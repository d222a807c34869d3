/*
 * tokens.c - /my/tokens: a signed-in user's personal API tokens (create,
 * shown once; list; revoke).  The rules and storage are app/apitoken.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "rules/apitoken.h"
#include "store/audit.h"
#include "views/view.h"

/* A token's state (STMT_API_TOKEN_LIST) in the request's language. */
static const char *
state_words(const struct req *r, const char *state)
{
	if (strcmp(state, "active") == 0)
		return trc(r->lang, "token", "active");
	if (strcmp(state, "expired") == 0)
		return trc(r->lang, "token", "expired");
	if (strcmp(state, "revoked") == 0)
		return trc(r->lang, "token", "revoked");
	return state;
}

/* Adds the user's tokens to the page; APP_OK or the failure. */
static enum app_err
list_tokens(struct req *r, struct view_dict *d)
{
	struct view_dict *row;
	char              uid[24];
	const char       *p = uid;
	PGresult         *res;
	int               i;
	enum app_err      e;

	snprintf(uid, sizeof(uid), "%lld", r->user->id);
	if ((res = req_sql(r, STMT_API_TOKEN_LIST, 1, &p, &e)) == NULL)
		return e;
	if (PQntuples(res) == 0)
		view_show(d, "NO_TOKENS");
	else
		view_show(d, "TOKEN_LIST");
	for (i = 0; i < PQntuples(res); i++) {
		if ((row = view_add_section(d, "TOKEN")) == NULL)
			return APP_ENOMEM;
		view_set(row, "ID", db_str(res, i, API_TOKEN_LIST_ID));
		view_set(row, "NAME", db_str(res, i, API_TOKEN_LIST_NAME));
		view_set(row, "STATE",
		    state_words(r, db_str(res, i, API_TOKEN_LIST_STATE)));
		page_set_time(r, row, "CREATED",
		    db_str(res, i, API_TOKEN_LIST_CREATED));
		if (*db_str(res, i, API_TOKEN_LIST_LAST_USED) != '\0')
			page_set_time(r, row, "LAST_USED",
			    db_str(res, i, API_TOKEN_LIST_LAST_USED));
		else
			view_set(row, "LAST_USED",
			    trc(r->lang, "token last used", "never"));
		page_set_time(r, row, "EXPIRES",
		    db_str(res, i, API_TOKEN_LIST_EXPIRES));
		if (strcmp(db_str(res, i, API_TOKEN_LIST_STATE), "active") == 0)
			view_show(row, "ACTIVE");
		if (*db_str(res, i, API_TOKEN_LIST_REVOKED) != '\0') {
			view_show(row, "REVOKED");
			page_set_time(r, row, "REVOKED_AT",
			    db_str(res, i, API_TOKEN_LIST_REVOKED));
		}
	}
	return APP_OK;
}

static enum app_err
render(struct req *r, int status)
{
	struct view_dict *d;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_int(d, "DAYS_MAX", APITOKEN_DAYS_MAX);
	if ((e = list_tokens(r, d)) != APP_OK)
		return e;
	return page_render(r, status, tr(r->lang, "API tokens"), "tokens.tpl");
}

/* GET /my/tokens[?done=revoked] */
enum app_err
h_tokens(struct req *r)
{
	struct view_dict *d;
	const char       *done = req_field(r, DONE_CODE);

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_int(d, "DAYS", APITOKEN_DAYS_DEFAULT);
	if (done != NULL && strcmp(done, "revoked") == 0) {
		view_show(d, "NOTICE");
		view_set(d, "NOTICE_TEXT",
		    tr(r->lang, "The token is revoked."));
	}
	return render(r, 200);
}

/* Characters (not bytes) of valid UTF-8 text. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Shows msg next to the form field `section`, keeping the input. */
static enum app_err
field_error(struct req *r, int status, const char *section, const char *msg)
{
	struct view_dict *d, *err;

	if ((d = page_dict(r)) == NULL ||
	    (err = view_add_section(d, section)) == NULL)
		return APP_ENOMEM;
	view_set(err, "MESSAGE", msg);
	return render(r, status);
}

/* Fields of POST /my/tokens: name, expires_days. */
enum app_err
h_token_create(struct req *r)
{
	const char       *name = req_field(r, TOKEN_NAME);
	const char       *days = req_field(r, TOKEN_DAYS);
	const char       *secret, *msg;
	struct view_dict *d;
	struct actor      a;
	char             *end;
	long              n = APITOKEN_DAYS_DEFAULT;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "NAME", name);
	view_set(d, "DAYS", days);
	if (days != NULL && *days != '\0') {
		n = strtol(days, &end, 10);
		if (*days < '0' || *days > '9' || *end != '\0' || n < 1 ||
		    n > APITOKEN_DAYS_MAX)
			return field_error(r, 422, "ERROR_DAYS",
			    tr(r->lang,
				"Enter a number of days from 1 to 365."));
	}
	if (name == NULL || *name == '\0')
		return field_error(r, 422, "ERROR_NAME",
		    tr(r->lang, "Give the token a name."));
	if (utf8_chars(name) > APITOKEN_NAME_MAX)
		return field_error(r, 422, "ERROR_NAME",
		    tr(r->lang, "The name is longer than 64 characters."));
	req_actor(r, ACTOR_USER, &a);
	e = apitoken_create(r->db, r->arena, &a, name, (int)n, &secret);
	if (e == APP_EINVALID) {
		r->reason = N_("an active token already has this name");
		return field_error(r, 422, "ERROR_NAME",
		    tr(r->lang,
			"You already have an active token with this name."));
	}
	if (e == APP_ECONFLICT) {
		r->reason = N_("too many live tokens");
		msg = arena_printf(r->arena,
		    trn(r->lang,
			"You already have %d live token, the most one may "
			"have: revoke it if you no longer use it.",
			"You already have %d live tokens, the most one may "
			"have: revoke one you no longer use first.",
			APITOKEN_LIVE_MAX),
		    APITOKEN_LIVE_MAX);
		return msg != NULL ? field_error(r, 409, "ERROR_NAME", msg) :
				     APP_ENOMEM;
	}
	if (e != APP_OK)
		return e;
	view_show(d, "NEW_TOKEN");
	view_set(d, "NEW_NAME", name);
	view_set(d, "SECRET", secret);
	view_set(d, "NAME", "");
	view_set_int(d, "DAYS", APITOKEN_DAYS_DEFAULT);
	return render(r, 200);
}

/* POST /my/tokens/:id/revoke */
enum app_err
h_token_revoke(struct req *r)
{
	struct actor a;
	enum app_err e;

	req_actor(r, ACTOR_USER, &a);
	if ((e = apitoken_revoke(r->db, r->arena, &a,
		 req_param_id(r, PARAM_ID))) != APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = N_("no such active token");
		return e;
	}
	return resp_redirect(r, 303, "/my/tokens?done=revoked");
}
