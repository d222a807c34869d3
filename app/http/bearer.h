/*
 * bearer.h - the JSON API's plumbing (/api/v1/): who calls, how often,
 * JSON in and JSON out.  The endpoints are handlers/api.c; personal
 * API tokens themselves (create, list, revoke) are apitoken.h.
 *
 * Authentication is `Authorization: Bearer <token>` only.  Cookies are
 * ignored on the API's routes (AUTH_BEARER in the route table: the
 * dispatcher never loads a session for them), so
 * a browser cannot be made to call the API with its ambient credentials:
 * there is nothing for a cross-site request to forge, and the API routes
 * need no CSRF token.  A bearer token is never sent by a browser on its own.
 *
 *	no Authorization header		401, WWW-Authenticate: Bearer realm=...
 *	malformed, unknown, expired	401, WWW-Authenticate: Bearer realm=...,
 *	or revoked token		     error="invalid_token"
 *	valid token of a banned user	403 "account_suspended": the token is
 *					genuine (so not 401, which would make
 *					a client ask for a new one), but its
 *					owner may not act.
 *	over api_rate_limit a minute	429 "rate_limited" with Retry-After,
 *					counted per token.
 *
 * A token's last_used_at is written at most once a minute per token, so a
 * busy client costs a read, not a write, per request (besides the
 * rate-limit counter in the unlogged rate_limits table).
 *
 * Errors are {"error": code, "field": name or null, "message": text}: the
 * code is stable (the list is in docs/api.md), the field names the input at
 * fault, the message is for people.  Ownership: JSON objects passed to
 * api_reply are consumed; api_read_json's object is the caller's to put.
 */
#ifndef MM_BEARER_H
#define MM_BEARER_H

#include <stddef.h>

#include "lib/err.h"

struct req;
struct actor;
struct json_object;

#define API_LIMIT_DEFAULT 50 /* list items when no limit= is given */
#define API_LIMIT_MAX     100

/* Whether path is under /api/: JSON errors where no route matched. */
int api_path(const char *path);

/*
 * Authenticates the request by its bearer token: sets req->user (and
 * counts the request against the token's rate limit).  No header leaves
 * req->user NULL (APP_OK: the route's access level decides); anything
 * else that fails is an error with req->err_code and req->reason set.
 */
enum app_err api_auth(struct req *);

/* The actor of a change made through the API (kind api). */
void api_actor(const struct req *, struct actor *);

/*
 * Reads a JSON object body: APP_EMEDIATYPE unless Content-Type is
 * application/json, APP_EINPUT when empty, malformed or not an object.
 * (A body over max_body was refused with 413 before.)
 */
enum app_err api_read_json(struct req *, struct json_object **);

/* Answers status with o as JSON (consumes o; APP_ENOMEM when it is NULL). */
enum app_err api_reply(struct req *, int status, struct json_object *o);

/*
 * Refuses one field: sets req->err_field, err_code and reason, returns e.
 * Strings must outlive the request (static or arena).
 */
enum app_err api_refuse(struct req *, enum app_err e, const char *field,
    const char *code, const char *message);

/*
 * Fills the response with the JSON error for status (called by the error
 * page for /api/ paths); code is the generic one, req->err_code overrides
 * it.  0, or -1 when out of memory.
 */
int api_error(struct req *, int status, const char *code, const char *message);

/*
 * Lists: the limit= query value (1..API_LIMIT_MAX, default
 * API_LIMIT_DEFAULT) and the opaque cursor= (base64url of the last key
 * of the previous page, or NULL for the first page).  APP_EINVALID with
 * the field named when either is bad.
 */
enum app_err api_page_args(struct req *, const char *limit, const char *cursor,
    int *n, const char **after);
/* The cursor for a page ending at key (arena), NULL when out of memory. */
const char *api_cursor(struct req *, const char *key);
/*
 * {"items": items, "next_cursor": cursor or null} as the answer (consumes
 * items).
 */
enum app_err api_reply_list(struct req *, struct json_object *items,
    const char *next_key);

/* A JSON string, or null for NULL. */
struct json_object *api_str(const char *);

#endif
