/*
 * req.h - the request context, passed explicitly to everything that serves
 * one request, and the response helpers.
 *
 * Ownership: a struct req lives in the worker and is reused.  Everything a
 * request allocates comes from req->arena (or hangs off req->view, freed by
 * req_end), so req_end() after FCGX_Finish_r() is the one place per-request
 * memory is released.  Pointers into FastCGI params die at FCGX_Finish_r, so
 * req_begin copies what it keeps into the arena.
 */
#ifndef MM_REQ_H
#define MM_REQ_H

#include <stddef.h>
#include <time.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/form.h"
#include "store/audit.h"
#include "store/db.h"

#define REQ_MAX_PARAMS   128  /* FastCGI params per request */
#define REQ_URI_MAX      4096 /* bytes of REQUEST_URI */
#define REQ_COOKIE_MAX   8192 /* bytes of the Cookie header */
#define REQ_MAX_PAIRS    100  /* query or form pairs (OpenID: ~40) */
#define REQ_MAX_COOKIES  32
#define REQ_MAX_HEADERS  16 /* response headers besides the fixed ones */
#define REQ_PATH_PARAMS  4  /* :name segments in a route pattern */
#define REQ_PARAM_KINDS  16 /* entries of the router's parameter table */
#define REQ_MAX_RESULTS  16 /* database results held at once */
#define REQ_ARENA_LIMIT  (4u * 1024 * 1024)
#define REQ_BODY_OUT_MAX (2u * 1024 * 1024)
#define REQ_HEAD_OUT_MAX 8192

enum method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_PATCH = 1 << 4,
	METHOD_DELETE = 1 << 5,
	METHOD_OTHER = 1 << 6
};

struct header {
	const char *name;
	const char *value;
};

struct lang;
struct route;
struct user;
struct view_dict;

struct req {
	/* Per worker, set once. */
	FCGX_Request        *fcgi;
	const struct config *cfg;
	struct db           *db; /* the worker's connection */
	struct arena        *arena;
	struct buf           out;  /* response body, reused */
	struct buf           head; /* response head, reused */

	/* Request, valid until req_end. */
	struct timespec     start;
	enum method         method;
	const char         *method_name; /* as sent, for the log */
	const char         *uri;         /* REQUEST_URI as sent */
	const char         *path;        /* raw path, no query */
	const char         *request_id;  /* from nginx, or "-" */
	const char         *remote_addr;
	const char         *content_type; /* "" if absent */
	struct kvlist       query;
	struct kvlist       cookies;
	struct kvlist       form; /* urlencoded body, if read */
	const struct route *route;
	/* By the router's parameter index: the path's, percent-decoded. */
	const char        *params[REQ_PARAM_KINDS];
	const char       **fields; /* by the route's field index: validated */
	size_t             nfields;
	struct view_dict  *view;         /* page dictionary, if any */
	struct user       *user;         /* signed in, or NULL */
	const struct lang *lang;         /* answered in (http/lang.h) */
	const char        *session_hash; /* hex hash of its token */
	const char        *session_csrf; /* its CSRF token */
	enum stmt          session_stmt; /* 0: STMT_SESSION_LOAD (route.h) */
	PGresult          *session_res;  /* the session read (route.h) */
	const char        *new_binding;  /* browser binding set now */
	const char        *retry_after;  /* seconds, for a 429 */
	/*
	 * Why it failed: for the log, and on a 4xx page in the request's
	 * language, so a msgid (N_) where people may see it; with one "%s"
	 * for reason_arg when that is set (req_reason).
	 */
	const char *reason;
	const char *reason_arg;
	/* The API (http/bearer.c): an error's stable code and field, when specific. */
	const char *err_code;
	const char *err_field;
	int         bearer_sent; /* an Authorization header came */
	PGresult   *results[REQ_MAX_RESULTS];
	size_t      nresults;

	/* Response. */
	int           status;
	const char   *ctype;
	struct header headers[REQ_MAX_HEADERS];
	size_t        nheaders;
	size_t        bytes_sent;
	int           streamed; /* resp_stream_begin sent the head */
};

/* Sets up the per-worker part; 0 or -1 (out of memory). */
int  req_init(struct req *, FCGX_Request *, const struct config *, struct db *);
void req_free(struct req *);

/*
 * Reads the FastCGI params, the query string and the cookies of the
 * request just accepted.  APP_EINPUT, APP_EURITOOLONG or APP_ETOOBIG with
 * req->reason set when they are malformed or over their bounds.
 */
enum app_err req_begin(struct req *);
/* Releases everything the request allocated; call after FCGX_Finish_r. */
void req_end(struct req *);

/*
 * Reads an application/x-www-form-urlencoded body into req->form: exactly
 * CONTENT_LENGTH bytes, refused with APP_ETOOBIG before reading when over
 * max_body, APP_EINPUT when short, malformed or of another content type.
 */
enum app_err req_read_form(struct req *);
/*
 * Reads the raw body (exactly CONTENT_LENGTH bytes, NUL-terminated, in the
 * arena); max_body was enforced by req_begin.  APP_EINPUT when short.
 */
enum app_err req_read_body(struct req *, const char **, size_t *);

/*
 * Runs a prepared statement for this request.  The result belongs to the
 * request and is cleared by req_end; NULL with req->reason set on failure
 * (APP_EDB while the database is unavailable).
 */
PGresult *req_sql(struct req *, enum stmt, int nparams,
    const char *const *params, enum app_err *);

/* First value of a form parameter, or NULL (the dispatcher's CSRF check). */
const char *req_form(const struct req *, const char *);
/*
 * The route's validated values, read by the names the route table gives
 * them (handlers/handlers.h), never by position: a field of the route's
 * field table (NULL when absent); a path parameter of the router's
 * parameter table (NULL when the route has none of that name); and one
 * whose validator makes it an id (1..18 digits), as a number, or 0.
 */
const char *req_field(const struct req *, unsigned int field);
const char *req_param(const struct req *, unsigned int param);
long long   req_param_id(const struct req *, unsigned int param);
/*
 * The signed-in user as the actor of a change (audit.h): kind ACTOR_USER
 * for the pages, ACTOR_API through a token; site_admin as the user is.
 */
void req_actor(const struct req *, enum actor_kind, struct actor *);

/*
 * The client's address (lib/netaddr.h): REMOTE_ADDR, or when that is one
 * of trusted_proxies the address their X-Forwarded-For gives.  An arena
 * string; NULL when out of memory.
 */
const char *req_client(struct req *);

/*
 * Counts this request in bucket's current minute (the rate_limits table,
 * shared by every worker and host).  APP_OK while at most `limit`; else
 * APP_ERATELIMIT with req->retry_after set, and errors of the database.
 */
enum app_err req_rate_limit(struct req *, const char *bucket, int limit);

/* Response helpers.  Header names and values must not contain CR or LF:
 * a value that does is refused (APP_EINTERNAL) rather than sent. */
enum app_err resp_header(struct req *, const char *, const char *);
enum app_err resp_redirect(struct req *, int status, const char *location);
#define COOKIE_HTTPONLY 0x1
#define COOKIE_SECURE   0x2
enum app_err resp_cookie(struct req *, const char *name, const char *value,
    long max_age, int flags);
/* Replaces the body with `len` bytes of type `ctype`. */
void resp_body(struct req *, const char *ctype, const char *, size_t);

/*
 * Writes status, headers and (unless HEAD) the body to the web server,
 * with Cache-Control: no-store unless a handler set a Cache-Control.
 * Returns APP_OK or APP_EINTERNAL if the client went away.
 */
enum app_err resp_send(struct req *);

/*
 * A streamed response, for a download too big for the response buffer:
 * the head goes at once (the status r->status, the headers set so far,
 * Content-Length when length >= 0), then the body piece by piece.  nginx
 * is told not to buffer it (X-Accel-Buffering: no), so a decrypted
 * download never lands in its temporary files.  The handler then returns
 * APP_OK; an error after the head aborts the connection, so the client
 * sees a broken download, never a short one that looks complete.
 */
enum app_err resp_stream_begin(struct req *, const char *ctype,
    long long length);
enum app_err resp_stream(struct req *, const void *, size_t);
void         resp_stream_abort(struct req *);

/*
 * req->reason with req->reason_arg in its "%s", in language l (NULL: as
 * written, English); NULL when there is no reason.
 */
const char *req_reason(const struct req *, const struct lang *l);

/* Milliseconds since req_begin. */
double req_elapsed_ms(const struct req *);
/* Logs the one line per request. */
void req_log(const struct req *);

#endif
