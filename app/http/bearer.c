/* bearer.c - the JSON API's plumbing; see bearer.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "http/bearer.h"
#include "http/req.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "lib/token.h"
#include "lib/valid.h"
#include "rules/apitoken.h"
#include "store/audit.h"

#define JSON_DEPTH 16  /* nesting a request body may have */
#define CURSOR_MAX 300 /* bytes of a decoded cursor (rules/domain_members.h) */

int
api_path(const char *path)
{
	return path != NULL && strncmp(path, "/api/", 5) == 0;
}

enum app_err
api_refuse(struct req *r, enum app_err e, const char *field, const char *code,
    const char *message)
{
	r->err_field = field;
	r->err_code = code;
	r->reason = message;
	return e;
}

static enum app_err
invalid_token(struct req *r, const char *why)
{
	return api_refuse(r, APP_EAUTH, NULL, "invalid_token", why);
}

/*
 * Counts the request against its user's per-minute budget: one budget for
 * all their tokens, so that more tokens do not buy more requests.
 */
static enum app_err
rate_limit(struct req *r)
{
	const char  *bucket;
	enum app_err e;

	if ((bucket = arena_printf(r->arena, "api-user:%lld", r->user->id)) ==
	    NULL)
		return APP_ENOMEM;
	if ((e = req_rate_limit(r, bucket, r->cfg->api_rate_limit)) !=
	    APP_ERATELIMIT)
		return e;
	return api_refuse(r, e, NULL, "rate_limited",
	    N_("too many requests from this account; see Retry-After"));
}

enum app_err
api_auth(struct req *r)
{
	const char  *h, *tok, *hash, *tid;
	size_t       plen = strlen(API_TOKEN_PREFIX);
	PGresult    *res;
	struct user *u;
	enum app_err e;

	if ((h = FCGX_GetParam("HTTP_AUTHORIZATION", r->fcgi->envp)) == NULL)
		return APP_OK;
	r->bearer_sent = 1;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return invalid_token(r,
		    N_("Authorization is not a Bearer token"));
	for (tok = h + 7; *tok == ' '; tok++)
		continue;
	if (strlen(tok) != plen + TOKEN_B64_LEN ||
	    strncmp(tok, API_TOKEN_PREFIX, plen) != 0 ||
	    !valid_token(tok + plen, TOKEN_B64_LEN))
		return invalid_token(r, N_("malformed token"));
	if ((hash = token_hash_hex(r->arena, tok)) == NULL)
		return APP_ENOMEM;
	if ((res = req_sql(r, STMT_API_TOKEN_AUTH, 1, &hash, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		return invalid_token(r,
		    N_("unknown, expired or revoked token"));
	if (db_bool(res, 0, API_TOKEN_AUTH_BANNED))
		return api_refuse(r, APP_EFORBIDDEN, NULL, "account_suspended",
		    N_("this account is suspended"));
	if ((u = arena_calloc(r->arena, 1, sizeof(*u))) == NULL)
		return APP_ENOMEM;
	u->id = db_ll(res, 0, API_TOKEN_AUTH_USER);
	u->name = db_str(res, 0, API_TOKEN_AUTH_NAME);
	u->email = db_str(res, 0, API_TOKEN_AUTH_EMAIL);
	u->display_name = db_str(res, 0, API_TOKEN_AUTH_DISPLAY);
	u->is_site_admin = db_bool(res, 0, API_TOKEN_AUTH_SITE_ADMIN);
	r->user = u;
	tid = db_str(res, 0, API_TOKEN_AUTH_TOKEN);
	/* At most one write a minute per token: last_used_at is coarse. */
	if (db_bool(res, 0, API_TOKEN_AUTH_STALE) &&
	    req_sql(r, STMT_API_TOKEN_TOUCH, 1, &tid, &e) == NULL)
		return e;
	return rate_limit(r);
}

void
api_actor(const struct req *r, struct actor *a)
{
	req_actor(r, ACTOR_API, a);
}

/* "application/json", optionally with parameters (charset=utf-8). */
static int
is_json(const char *ct)
{
	static const char want[] = "application/json";
	size_t            n = sizeof(want) - 1;

	return strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum app_err
api_read_json(struct req *r, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object  *o;
	const char          *body;
	size_t               len;
	int                  whole;
	enum app_err         e;

	*out = NULL;
	if (!is_json(r->content_type))
		return api_refuse(r, APP_EMEDIATYPE, NULL,
		    "unsupported_media_type",
		    N_("the body must be application/json"));
	if ((e = req_read_body(r, &body, &len)) != APP_OK)
		return e;
	if (len == 0)
		return api_refuse(r, APP_EINPUT, NULL, "malformed_json",
		    N_("the body is empty"));
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL)
		return APP_ENOMEM;
	o = json_tokener_parse_ex(tok, body, (int)len);
	whole = json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	if (o == NULL || !whole) {
		json_object_put(o);
		return api_refuse(r, APP_EINPUT, NULL, "malformed_json",
		    N_("the body is not well-formed JSON"));
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return api_refuse(r, APP_EINPUT, NULL, "malformed_json",
		    N_("the body must be a JSON object"));
	}
	*out = o;
	return APP_OK;
}

/* Serialises o as the response body; 0, or -1 when out of memory. */
static int
json_body(struct req *r, int status, struct json_object *o)
{
	const char *s;

	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return -1;
	r->status = status;
	resp_body(r, "application/json", s, strlen(s));
	return 0;
}

enum app_err
api_reply(struct req *r, int status, struct json_object *o)
{
	enum app_err e = APP_OK;

	if (o == NULL || json_body(r, status, o) == -1)
		e = APP_ENOMEM;
	json_object_put(o);
	return e;
}

int
api_error(struct req *r, int status, const char *code, const char *message)
{
	struct json_object *o;
	const char         *c = r->err_code != NULL ? r->err_code : code;
	int                 rc = -1;

	if (status == 401)
		(void)resp_header(r, "WWW-Authenticate",
		    r->bearer_sent ?
			"Bearer realm=\"membermail\", error=\"invalid_token\"" :
			"Bearer realm=\"membermail\"");
	/* A specific refusal's own sentence says it best. */
	if (r->err_code != NULL && r->reason != NULL && status < 500)
		message = req_reason(r, r->lang);
	if (status == 401 && !r->bearer_sent)
		message = tr(r->lang,
		    "An API token is required: Authorization: Bearer "
		    "<token> (create one at /my/tokens).");
	if ((o = json_object_new_object()) == NULL)
		return -1;
	if (json_object_object_add(o, "error", api_str(c)) == 0 &&
	    json_object_object_add(o, "field", api_str(r->err_field)) == 0 &&
	    json_object_object_add(o, "message", api_str(message)) == 0)
		rc = json_body(r, status, o);
	json_object_put(o);
	return rc;
}

enum app_err
api_page_args(struct req *r, const char *limit, const char *cursor, int *n,
    const char **after)
{
	unsigned char *raw;
	size_t         len, i;
	char          *end;
	long           v;

	*n = API_LIMIT_DEFAULT;
	*after = NULL;
	if (limit != NULL) {
		v = strtol(limit, &end, 10);
		if (*limit < '0' || *limit > '9' || *end != '\0' || v < 1 ||
		    v > API_LIMIT_MAX)
			return api_refuse(r, APP_EINVALID, "limit",
			    "invalid_limit", N_("limit must be 1 to 100"));
		*n = (int)v;
	}
	if (cursor == NULL)
		return APP_OK;
	if ((raw = arena_alloc(r->arena, CURSOR_MAX + 1)) == NULL)
		return APP_ENOMEM;
	if (sodium_base642bin(raw, CURSOR_MAX, cursor, strlen(cursor), NULL,
		&len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len == 0)
		goto bad;
	for (i = 0; i < len; i++)
		if (raw[i] < 0x20 || raw[i] > 0x7e)
			goto bad;
	raw[len] = '\0';
	*after = (const char *)raw;
	return APP_OK;
bad:
	return api_refuse(r, APP_EINVALID, "cursor", "invalid_cursor",
	    N_("cursor is not one this API gave out"));
}

const char *
api_cursor(struct req *r, const char *key)
{
	size_t len = strlen(key), sz;
	char  *out;

	sz = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((out = arena_alloc(r->arena, sz)) == NULL)
		return NULL;
	return sodium_bin2base64(out, sz, (const unsigned char *)key, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum app_err
api_reply_list(struct req *r, struct json_object *items, const char *next_key)
{
	struct json_object *o;
	const char         *cursor = NULL;

	if (next_key != NULL && (cursor = api_cursor(r, next_key)) == NULL) {
		json_object_put(items);
		return APP_ENOMEM;
	}
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(items);
		return APP_ENOMEM;
	}
	if (json_object_object_add(o, "items", items) != 0) {
		json_object_put(items);
		json_object_put(o);
		return APP_ENOMEM;
	}
	if (json_object_object_add(o, "next_cursor", api_str(cursor)) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	return api_reply(r, 200, o);
}

struct json_object *
api_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}
