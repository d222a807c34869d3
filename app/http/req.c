/* req.c - request context, input limits and response writing; see req.h. */
#include "config.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/req.h"
#include "http/session.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "store/audit.h"
#include "views/view.h"

static const struct {
	const char *name;
	enum method method;
} methods[] = {
	{ "GET", METHOD_GET },
	{ "HEAD", METHOD_HEAD },
	{ "POST", METHOD_POST },
	{ "PUT", METHOD_PUT },
	{ "PATCH", METHOD_PATCH },
	{ "DELETE", METHOD_DELETE },
};

int
req_init(struct req *r, FCGX_Request *fcgi, const struct config *cfg,
    struct db *db)
{
	memset(r, 0, sizeof(*r));
	r->fcgi = fcgi;
	r->cfg = cfg;
	r->db = db;
	buf_init(&r->out, REQ_BODY_OUT_MAX);
	buf_init(&r->head, REQ_HEAD_OUT_MAX);
	if ((r->arena = arena_new(REQ_ARENA_LIMIT)) == NULL)
		return -1;
	return 0;
}

void
req_free(struct req *r)
{
	req_end(r);
	arena_free(r->arena);
	buf_free(&r->out);
	buf_free(&r->head);
}

/* Clears everything but the per-worker part. */
void
req_end(struct req *r)
{
	struct req keep = *r;
	size_t     i;

	for (i = 0; i < r->nresults; i++)
		PQclear(r->results[i]);
	view_dict_free(r->view);
	if (r->arena != NULL)
		arena_reset(r->arena);
	memset(r, 0, sizeof(*r));
	r->fcgi = keep.fcgi;
	r->cfg = keep.cfg;
	r->db = keep.db;
	r->arena = keep.arena;
	r->out = keep.out;
	r->head = keep.head;
	buf_reset(&r->out);
}

static const char *
param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

/* An arena copy of a param, or `dflt` when absent. */
static const char *
param_dup(struct req *r, const char *name, const char *dflt)
{
	const char *v;

	if ((v = param(r, name)) == NULL)
		return dflt;
	return arena_strdup(r->arena, v);
}

/* nginx's $request_id is 32 hex digits; anything odd is not logged raw. */
static const char *
request_id(struct req *r)
{
	const char *v = param(r, "REQUEST_ID");
	size_t      i, n;

	if (v == NULL || (n = strlen(v)) == 0 || n > 64)
		return "-";
	for (i = 0; i < n; i++)
		if (!(v[i] >= '0' && v[i] <= '9') &&
		    !(v[i] >= 'a' && v[i] <= 'z') &&
		    !(v[i] >= 'A' && v[i] <= 'Z') && v[i] != '-')
			return "-";
	return arena_strndup(r->arena, v, n);
}

/*
 * CONTENT_LENGTH as a number: -1 if malformed.  Absent or empty means 0.
 * Digits only, so "+5", "-1", " 5" and "5x" are all malformed.
 */
static long long
content_length(const struct req *r)
{
	const char *v = param(r, "CONTENT_LENGTH");
	long long   n = 0;

	if (v == NULL || *v == '\0')
		return 0;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9' || n > (1LL << 40))
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n;
}

static enum app_err
fail(struct req *r, enum app_err e, const char *reason)
{
	r->reason = reason;
	return e;
}

static enum app_err
parse_method_uri(struct req *r)
{
	const char *m = param(r, "REQUEST_METHOD"), *uri, *q;
	size_t      i, len;

	r->method = METHOD_OTHER;
	r->method_name = m != NULL ? arena_strdup(r->arena, m) : "-";
	for (i = 0; m != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			r->method = methods[i].method;
	if ((uri = param(r, "REQUEST_URI")) == NULL || uri[0] != '/')
		return fail(r, APP_EINPUT,
		    N_("missing or relative REQUEST_URI"));
	if ((len = strlen(uri)) > REQ_URI_MAX)
		return fail(r, APP_EURITOOLONG,
		    N_("request URI over its bound"));
	if ((r->uri = arena_strndup(r->arena, uri, len)) == NULL)
		return APP_ENOMEM;
	q = strchr(r->uri, '?');
	r->path = q == NULL ?
	    r->uri :
	    arena_strndup(r->arena, r->uri, (size_t)(q - r->uri));
	if (r->path == NULL)
		return APP_ENOMEM;
	if (q != NULL &&
	    form_parse_urlencoded(r->arena, q + 1, strlen(q + 1), REQ_MAX_PAIRS,
		&r->query) != APP_OK)
		return fail(r, APP_EINPUT, N_("malformed query string"));
	return APP_OK;
}

static enum app_err
parse_cookies(struct req *r)
{
	const char  *c = param(r, "HTTP_COOKIE");
	size_t       len;
	enum app_err e;

	if (c == NULL)
		return APP_OK;
	if ((len = strlen(c)) > REQ_COOKIE_MAX)
		return fail(r, APP_EINPUT, N_("Cookie header over its bound"));
	e = form_parse_cookies(r->arena, c, len, REQ_MAX_COOKIES, &r->cookies);
	if (e != APP_OK)
		return fail(r, e == APP_ENOMEM ? e : APP_EINPUT,
		    N_("malformed Cookie header"));
	return APP_OK;
}

enum app_err
req_begin(struct req *r)
{
	char       **p;
	size_t       n = 0;
	long long    clen;
	enum app_err e;

	clock_gettime(CLOCK_MONOTONIC, &r->start);
	db_request(r->db);
	r->status = 200;
	r->request_id = request_id(r);
	r->remote_addr = param_dup(r, "REMOTE_ADDR", "-");
	r->content_type = param_dup(r, "CONTENT_TYPE", "");
	if (r->request_id == NULL || r->remote_addr == NULL ||
	    r->content_type == NULL)
		return APP_ENOMEM;
	for (p = r->fcgi->envp; p != NULL && *p != NULL; p++)
		n++;
	if (n > REQ_MAX_PARAMS)
		return fail(r, APP_EINPUT, N_("too many request headers"));
	if ((e = parse_method_uri(r)) != APP_OK)
		return e;
	if ((clen = content_length(r)) < 0)
		return fail(r, APP_EINPUT, N_("malformed CONTENT_LENGTH"));
	if ((unsigned long long)clen > r->cfg->max_body)
		return fail(r, APP_ETOOBIG, N_("body over max_body"));
	return parse_cookies(r);
}

/* "application/x-www-form-urlencoded", optionally with parameters. */
static int
is_urlencoded(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t            n = sizeof(want) - 1;

	return strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum app_err
req_read_body(struct req *r, const char **out, size_t *len)
{
	long long clen = content_length(r);
	char     *body;
	int       got, want;
	size_t    have = 0;

	*out = "";
	*len = 0;
	if (clen <= 0)
		return APP_OK;
	if ((body = arena_alloc(r->arena, (size_t)clen + 1)) == NULL)
		return APP_ENOMEM;
	while (have < (size_t)clen) {
		want = (size_t)clen - have > 65536 ? 65536 :
						     (int)((size_t)clen - have);
		if ((got = FCGX_GetStr(body + have, want, r->fcgi->in)) <= 0)
			break;
		have += (size_t)got;
	}
	if (have != (size_t)clen)
		return fail(r, APP_EINPUT,
		    N_("body shorter than CONTENT_LENGTH"));
	body[have] = '\0';
	*out = body;
	*len = have;
	return APP_OK;
}

enum app_err
req_read_form(struct req *r)
{
	const char  *body;
	size_t       len;
	enum app_err e;

	if (content_length(r) == 0)
		return APP_OK;
	if (!is_urlencoded(r->content_type))
		return fail(r, APP_EINPUT, N_("body is not a urlencoded form"));
	if ((e = req_read_body(r, &body, &len)) != APP_OK)
		return e;
	e = form_parse_urlencoded(r->arena, body, len, REQ_MAX_PAIRS, &r->form);
	if (e != APP_OK)
		return fail(r, e == APP_ENOMEM ? e : APP_EINPUT,
		    e == APP_ETOOBIG ? N_("too many form fields") :
				       N_("malformed form body"));
	return APP_OK;
}

PGresult *
req_sql(struct req *r, enum stmt id, int nparams, const char *const *params,
    enum app_err *e)
{
	PGresult *res;

	if (r->nresults == REQ_MAX_RESULTS) {
		*e = fail(r, APP_EINTERNAL,
		    N_("too many results in one request"));
		return NULL;
	}
	if ((res = db_exec(r->db, id, nparams, params, e)) == NULL) {
		r->reason = *e == APP_EDB ? N_("database unavailable") :
					    N_("database query failed");
		return NULL;
	}
	r->results[r->nresults++] = res;
	return res;
}

static const char *
kv_value(const struct kvlist *l, const char *key)
{
	const struct kv *kv = kv_find(l, key);

	return kv != NULL ? kv->val : NULL;
}

const char *
req_form(const struct req *r, const char *key)
{
	return kv_value(&r->form, key);
}

const char *
req_field(const struct req *r, unsigned int field)
{
	if (field < r->nfields)
		return r->fields[field];
	/* A handler naming another route's field: a bug, said loudly. */
	log_error("bug", LOG_STR("msg", "a field beyond its route's"),
	    LOG_UINT("field", field), LOG_UINT("fields", r->nfields),
	    LOG_WORD("id", r->request_id));
	return NULL;
}

const char *
req_param(const struct req *r, unsigned int param)
{
	return param < REQ_PARAM_KINDS ? r->params[param] : NULL;
}

long long
req_param_id(const struct req *r, unsigned int param)
{
	const char *s = req_param(r, param);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

void
req_actor(const struct req *r, enum actor_kind kind, struct actor *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->user_id = r->user->id;
	a->name = r->user->name;
	a->site_admin = r->user->is_site_admin;
	a->request_id = r->request_id;
}

const char *
req_client(struct req *r)
{
	char *out;

	if ((out = arena_alloc(r->arena, NETADDR_TEXT_MAX)) == NULL)
		return NULL;
	return netaddr_client(r->remote_addr,
	    FCGX_GetParam("HTTP_X_FORWARDED_FOR", r->fcgi->envp),
	    r->cfg->trusted_proxies, out);
}

enum app_err
req_rate_limit(struct req *r, const char *bucket, int limit)
{
	const char  *params[2] = { bucket, "60" };
	PGresult    *res;
	enum app_err e;

	if ((res = req_sql(r, STMT_RATE_HIT, 2, params, &e)) == NULL)
		return e;
	if (db_ll(res, 0, RATE_HIT_HITS) <= limit)
		return APP_OK;
	r->retry_after = db_str(res, 0, RATE_HIT_LEFT);
	return APP_ERATELIMIT;
}

static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

enum app_err
resp_header(struct req *r, const char *name, const char *value)
{
	if (has_crlf(name) || has_crlf(value))
		return fail(r, APP_EINTERNAL,
		    N_("CR or LF in a response header"));
	if (r->nheaders == REQ_MAX_HEADERS)
		return fail(r, APP_EINTERNAL, N_("too many response headers"));
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders].value = value;
	r->nheaders++;
	return APP_OK;
}

enum app_err
resp_redirect(struct req *r, int status, const char *location)
{
	r->status = status;
	resp_body(r, "text/plain; charset=utf-8", "", 0);
	return resp_header(r, "Location", location);
}

enum app_err
resp_cookie(struct req *r, const char *name, const char *value, long max_age,
    int flags)
{
	const char *v;

	v = arena_printf(r->arena,
	    "%s=%s; Path=/; Max-Age=%ld; SameSite=Lax%s%s", name, value,
	    max_age, flags & COOKIE_HTTPONLY ? "; HttpOnly" : "",
	    flags & COOKIE_SECURE ? "; Secure" : "");
	if (v == NULL)
		return APP_ENOMEM;
	return resp_header(r, "Set-Cookie", v);
}

void
resp_body(struct req *r, const char *ctype, const char *data, size_t len)
{
	r->ctype = ctype;
	buf_reset(&r->out);
	buf_append(&r->out, data, len);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

/* libfcgi's own printf knows no %zu: the head is formatted here. */
enum app_err
resp_send(struct req *r)
{
	struct buf *h = &r->head;
	size_t      i;
	int         rc, cached = 0;

	buf_reset(h);
	buf_printf(h,
	    "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n",
	    r->status, status_text(r->status),
	    r->ctype != NULL ? r->ctype : "text/plain; charset=utf-8",
	    r->out.len);
	for (i = 0; i < r->nheaders; i++) {
		buf_printf(h, "%s: %s\r\n", r->headers[i].name,
		    r->headers[i].value);
		if (strcasecmp(r->headers[i].name, "Cache-Control") == 0)
			cached = 1;
	}
	/*
	 * Every page is personal or carries a form's CSRF token, and an API
	 * answer is someone's data: no browser or proxy keeps any of them
	 * unless the handler said otherwise.
	 */
	if (!cached)
		buf_puts(h, "Cache-Control: no-store\r\n");
	buf_puts(h, "\r\n");
	if (h->failed)
		return fail(r, APP_EINTERNAL,
		    N_("response head over its bound"));
	rc = FCGX_PutStr(h->data, (int)h->len, r->fcgi->out);
	if (rc >= 0 && r->method != METHOD_HEAD && r->out.len > 0)
		rc = FCGX_PutStr(r->out.data, (int)r->out.len, r->fcgi->out);
	if (rc < 0)
		return fail(r, APP_EINTERNAL, N_("client went away"));
	r->bytes_sent = r->method == METHOD_HEAD ? 0 : r->out.len;
	return APP_OK;
}

enum app_err
resp_stream_begin(struct req *r, const char *ctype, long long length)
{
	struct buf *h = &r->head;
	size_t      i;

	buf_reset(h);
	buf_printf(h, "Status: %d %s\r\nContent-Type: %s\r\n", r->status,
	    status_text(r->status), ctype);
	if (length >= 0)
		buf_printf(h, "Content-Length: %lld\r\n", length);
	buf_puts(h, "X-Accel-Buffering: no\r\n");
	for (i = 0; i < r->nheaders; i++)
		buf_printf(h, "%s: %s\r\n", r->headers[i].name,
		    r->headers[i].value);
	buf_puts(h, "\r\n");
	if (h->failed)
		return fail(r, APP_EINTERNAL,
		    N_("response head over its bound"));
	r->streamed = 1;
	r->ctype = ctype;
	if (FCGX_PutStr(h->data, (int)h->len, r->fcgi->out) < 0)
		return fail(r, APP_EINTERNAL, N_("client went away"));
	return APP_OK;
}

enum app_err
resp_stream(struct req *r, const void *data, size_t len)
{
	const char *p = data;
	int         n;

	if (r->method == METHOD_HEAD)
		return APP_OK;
	while (len > 0) {
		n = len > (1u << 20) ? 1 << 20 : (int)len;
		if (FCGX_PutStr(p, n, r->fcgi->out) < 0)
			return fail(r, APP_EINTERNAL, N_("client went away"));
		r->bytes_sent += (size_t)n;
		p += n;
		len -= (size_t)n;
	}
	return APP_OK;
}

void
resp_stream_abort(struct req *r)
{
	/* No END_REQUEST: nginx sees the upstream break, and so does the
	   client (the chunked body never ends). */
	(void)shutdown(r->fcgi->ipcFd, SHUT_RDWR);
}

double
req_elapsed_ms(const struct req *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->start.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->start.tv_nsec) / 1e6;
}

/* One line per request; a failure of ours (5xx) is a warning. */
const char *
req_reason(const struct req *r, const struct lang *l)
{
	const char *fmt, *p, *s;

	if (r->reason == NULL)
		return NULL;
	fmt = l != NULL ? tr(l, r->reason) : r->reason;
	if (r->reason_arg == NULL || (p = strstr(fmt, "%s")) == NULL)
		return fmt;
	s = arena_printf(r->arena, "%.*s%s%s", (int)(p - fmt), fmt,
	    r->reason_arg, p + 2);
	return s != NULL ? s : fmt;
}

void
req_log(const struct req *r)
{
	/* The path only: query strings can carry tokens (OpenID returns). */
	log_event(r->status >= 500 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "request",
	    LOG_FIELDS_(LOG_WORD("id", r->request_id),
		LOG_STR("method", r->method_name), LOG_STR("path", r->path),
		LOG_INT("status", r->status), LOG_UINT("bytes", r->bytes_sent),
		LOG_MS("ms", req_elapsed_ms(r)),
		LOG_OPT("reason", req_reason(r, NULL))));
}
