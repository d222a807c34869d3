/* launchpad.c - Launchpad REST API client; see launchpad.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "proto/launchpad.h"

/* A page of 300 full entries fits. */
#define LP_BODY_MAX (4 * 1024 * 1024)
#define LP_URL_MAX  2048
#define LP_USER_AGENT                 \
	"membermail/" PACKAGE_VERSION \
	" (+https://launchpad.net; team mail aliases)"

/* One transfer: an easy handle and what its last attempt gave. */
struct xfer {
	CURL      *curl;        /* owned */
	struct buf body;        /* the last response body */
	char      *ctype;       /* owned copy of its Content-Type */
	long       status;      /* HTTP status, 0 if none */
	long       retry_after; /* seconds, -1 if none */
	int        retry;       /* retries done */
	int        seen500;
	char       errbuf[CURL_ERROR_SIZE];
};

struct lp_client {
	struct xfer       x;        /* the blocking calls' transfer */
	char             *base;     /* owned; no trailing slash */
	char             *devel;    /* owned: base's devel version */
	struct lp_options opt;      /* with defaults filled in */
	uint64_t          rng;      /* xorshift state for the jitter */
	long long         deadline; /* monotonic ms; 0: none */
};

/* What one attempt gave; the retry loop decides what to do next. */
enum lp_try {
	TRY_DONE,       /* a final HTTP answer */
	TRY_AGAIN,      /* transient: may be retried */
	TRY_AGAIN_ONCE, /* a 500: retried at most once */
	TRY_FAIL        /* local failure or oversized body: not retried */
};

static void why_set(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
why_set(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

const char *
lp_outcome_name(enum lp_outcome o)
{
	switch (o) {
	case LP_OK:
		return "ok";
	case LP_NOT_FOUND:
		return "not found";
	case LP_BAD_DATA:
		return "bad data";
	case LP_UNAVAILABLE:
		return "unavailable";
	}
	return "?";
}

int
lp_name_valid(const char *name)
{
	size_t i, len;
	int    c;

	if (name == NULL || (len = strlen(name)) < 2 || len > LP_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = tolower((unsigned char)name[i]);
		if (isdigit(c) || (c >= 'a' && c <= 'z'))
			continue;
		if (i == 0 || (c != '+' && c != '.' && c != '-'))
			return 0;
	}
	return 1;
}

/* Lower-cases a valid name into dst (LP_NAME_MAX + 1 bytes). */
static void
name_lower(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < LP_NAME_MAX && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * Appends name as one path segment: RFC 3986 unreserved and '+' as they
 * are, anything else %-escaped.  A valid name needs no escape; this is
 * defence in depth.
 */
static void
put_segment(struct buf *b, const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~+", *p) != NULL)
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

static void
fill_defaults(struct lp_options *o)
{
	if (o->timeout_sec <= 0)
		o->timeout_sec = 15;
	if (o->connect_timeout_sec <= 0)
		o->connect_timeout_sec = 5;
	if (o->connect_timeout_sec > o->timeout_sec)
		o->connect_timeout_sec = o->timeout_sec;
	if (o->max_retries < 0)
		o->max_retries = 0;
	if (o->max_pages <= 0)
		o->max_pages = 1000;
	if (o->backoff_ms <= 0)
		o->backoff_ms = 500;
	if (o->backoff_max_ms <= 0)
		o->backoff_max_ms = 4000;
	if (o->retry_after_max <= 0)
		o->retry_after_max = 5;
}

static int
xfer_init(struct xfer *x)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->body, LP_BODY_MAX);
	return (x->curl = curl_easy_init()) == NULL ? -1 : 0;
}

static void
xfer_free(struct xfer *x)
{
	if (x->curl != NULL)
		curl_easy_cleanup(x->curl);
	buf_free(&x->body);
	free(x->ctype);
	x->curl = NULL;
	x->ctype = NULL;
}

/*
 * The root of the API's devel version, where getByOpenIDIdentifier lives:
 * base with its last path segment (the version, "1.0") replaced.
 */
static char *
devel_root(const char *base)
{
	const char *host = strstr(base, "://"), *slash;
	size_t      keep = strlen(base);
	char       *out;

	host = host != NULL ? host + 3 : base;
	if ((slash = strrchr(host, '/')) != NULL)
		keep = (size_t)(slash - base);
	if ((out = malloc(keep + sizeof("/devel"))) == NULL)
		return NULL;
	memcpy(out, base, keep);
	memcpy(out + keep, "/devel", sizeof("/devel"));
	return out;
}

struct lp_client *
lp_client_new(const struct lp_options *opt)
{
	struct lp_client *c;
	size_t            len;

	if (opt == NULL || opt->base == NULL ||
	    (strncmp(opt->base, "http://", 7) != 0 &&
		strncmp(opt->base, "https://", 8) != 0))
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->opt = *opt;
	fill_defaults(&c->opt);
	if ((c->base = strdup(opt->base)) == NULL)
		goto fail;
	len = strlen(c->base);
	while (len > 0 && c->base[len - 1] == '/')
		c->base[--len] = '\0';
	c->opt.base = c->base;
	if ((c->devel = devel_root(c->base)) == NULL || xfer_init(&c->x) == -1)
		goto fail;
	c->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^
	    (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 1;
	return c;
fail:
	if (c != NULL) {
		xfer_free(&c->x); /* all-zero until xfer_init: safe */
		free(c->base);
		free(c->devel);
		free(c);
	}
	curl_global_cleanup();
	return NULL;
}

void
lp_client_free(struct lp_client *c)
{
	if (c == NULL)
		return;
	xfer_free(&c->x);
	free(c->base);
	free(c->devel);
	free(c);
	curl_global_cleanup();
}

/* ---- one request, with retries */

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, p, size * n);
	return b->failed ? 0 : size * n; /* 0 aborts the transfer */
}

static long long now_ms(void);

/* The total timeout of an attempt starting now, in ms (at least 1). */
static long
attempt_ms(const struct lp_client *c)
{
	long long ms = c->opt.timeout_sec * 1000LL, left;

	if (c->deadline != 0 && (left = c->deadline - now_ms()) < ms)
		ms = left < 1 ? 1 : left;
	return (long)ms;
}

void
lp_set_deadline(struct lp_client *c, long ms)
{
	c->deadline = ms > 0 ? now_ms() + ms : 0;
}

/* Readies x for an attempt at url (perform or add to a multi next). */
static void
xfer_prepare(struct lp_client *c, struct xfer *x, const char *url)
{
	CURL *h = x->curl;

	buf_reset(&x->body);
	x->errbuf[0] = '\0';
	free(x->ctype);
	x->ctype = NULL;
	x->status = 0;
	x->retry_after = -1;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, attempt_ms(c));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->opt.connect_timeout_sec);
	curl_easy_setopt(h, CURLOPT_USERAGENT, LP_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
}

/* Classifies an attempt that ended with rc. */
static enum lp_try
xfer_done(struct xfer *x, CURLcode rc, char *why, size_t whysz)
{
	curl_off_t ra = -1;
	char      *ct = NULL;

	if (rc != CURLE_OK) {
		if (x->body.failed) {
			why_set(why, whysz, "response over %d bytes",
			    LP_BODY_MAX);
			return TRY_FAIL;
		}
		why_set(why, whysz, "%s",
		    x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc));
		return rc == CURLE_OUT_OF_MEMORY ? TRY_FAIL : TRY_AGAIN;
	}
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	if (curl_easy_getinfo(x->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra >= 0)
		x->retry_after = ra > 86400 ? 86400 : (long)ra;
	if (curl_easy_getinfo(x->curl, CURLINFO_CONTENT_TYPE, &ct) ==
		CURLE_OK &&
	    ct != NULL)
		x->ctype = strdup(ct);
	switch (x->status) {
	case 502:
	case 503:
	case 504:
		why_set(why, whysz, "HTTP %ld", x->status);
		return TRY_AGAIN;
	case 500:
		why_set(why, whysz, "HTTP 500");
		return TRY_AGAIN_ONCE;
	default:
		return TRY_DONE;
	}
}

static uint64_t
rng_next(struct lp_client *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * After a failed attempt of kind t: 1 with *delay (ms) if x is to be
 * retried, 0 if not.  The delay is the backoff doubled per retry, capped,
 * with "equal jitter" (half fixed, half random), and at least the
 * Retry-After; a Retry-After over retry_after_max stops the retries.
 */
static int
retry_next(struct lp_client *c, struct xfer *x, enum lp_try t, long *delay,
    char *why, size_t whysz)
{
	long d = c->opt.backoff_ms;
	int  i;

	if (t == TRY_AGAIN_ONCE && x->seen500++ > 0)
		return 0;
	if (x->retry >= c->opt.max_retries)
		return 0;
	if (x->retry_after > c->opt.retry_after_max) {
		why_set(why, whysz, "HTTP %ld, Retry-After %ld s", x->status,
		    x->retry_after);
		return 0;
	}
	for (i = 0; i < x->retry && d < c->opt.backoff_max_ms; i++)
		d *= 2;
	if (d > c->opt.backoff_max_ms)
		d = c->opt.backoff_max_ms;
	d = d / 2 + (long)(rng_next(c) % (uint64_t)(d / 2 + 1));
	if (x->retry_after > 0 && x->retry_after * 1000 > d)
		d = x->retry_after * 1000;
	if (c->deadline != 0 && now_ms() + d >= c->deadline) {
		if (why != NULL && strnlen(why, whysz) < whysz)
			snprintf(why + strlen(why), whysz - strlen(why),
			    "; time budget spent");
		return 0;
	}
	*delay = d;
	x->retry++;
	return 1;
}

static void
log_unavailable(const struct xfer *x, const char *why)
{
	log_warn("launchpad_unavailable", LOG_INT("attempts", x->retry + 1),
	    LOG_INT("status", x->status), LOG_STR("reason", why));
}

/*
 * GETs url with the retry policy, blocking.  LP_OK: a final answer (status
 * and body in c->x); LP_UNAVAILABLE: retries exhausted; LP_BAD_DATA: an
 * oversized body.
 */
static enum lp_outcome
get(struct lp_client *c, const char *url, char *why, size_t whysz)
{
	struct xfer *x = &c->x;
	enum lp_try  t;
	long         delay;

	x->retry = x->seen500 = 0;
	for (;;) {
		xfer_prepare(c, x, url);
		t = xfer_done(x, curl_easy_perform(x->curl), why, whysz);
		if (t == TRY_DONE)
			return LP_OK;
		if (t == TRY_FAIL)
			return LP_BAD_DATA;
		if (!retry_next(c, x, t, &delay, why, whysz))
			break;
		sleep_ms(delay);
	}
	log_unavailable(x, why);
	return LP_UNAVAILABLE;
}

/* ---- JSON */

static int
is_json(const struct xfer *x)
{
	return x->ctype != NULL &&
	    strncasecmp(x->ctype, "application/json", 16) == 0 &&
	    (x->ctype[16] == '\0' || x->ctype[16] == ';');
}

/*
 * Parses the body as JSON; NULL (and why) if it is not JSON, not whole, or
 * JSON null, which json-c gives as NULL too.
 */
static json_object *
parse_body(struct xfer *x, char *why, size_t whysz)
{
	json_tokener *tok;
	json_object  *o;

	if (!is_json(x)) {
		why_set(why, whysz, "answer is %s, not JSON",
		    x->ctype != NULL ? "another type" : "untyped");
		return NULL;
	}
	if ((tok = json_tokener_new()) == NULL) {
		why_set(why, whysz, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, buf_cstr(&x->body), (int)x->body.len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != x->body.len) {
		why_set(why, whysz, "malformed JSON");
		json_object_put(o);
		o = NULL;
	} else if (o == NULL) /* whole and well-formed: JSON null */
		why_set(why, whysz, "answer is JSON null");
	json_tokener_free(tok);
	return o;
}

/* *val = the boolean obj[key]; -1 (and why) if missing or not a boolean. */
static int
get_bool(json_object *obj, const char *key, int *val, char *why, size_t whysz)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		why_set(why, whysz, "%s is %s", key,
		    v == NULL ? "missing" : "not a boolean");
		return -1;
	}
	*val = json_object_get_boolean(v);
	return 0;
}

/* The string obj[key] if it is a valid Launchpad name, else NULL. */
static const char *
get_name(json_object *obj)
{
	json_object *v;
	const char  *s;

	if (!json_object_object_get_ex(obj, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return lp_name_valid(s) ? s : NULL;
}

/* A final answer that is neither 200 nor 404: an upstream error. */
static enum lp_outcome
unexpected(long status, char *why, size_t whysz)
{
	why_set(why, whysz, "unexpected HTTP %ld", status);
	return LP_BAD_DATA;
}

/* ---- person */

static enum lp_outcome
person_from_json(json_object *o, const char *want, struct lp_person *out,
    char *why, size_t whysz)
{
	const char *name;

	if (!json_object_is_type(o, json_type_object)) {
		why_set(why, whysz, "entry is not an object");
		return LP_BAD_DATA;
	}
	if ((name = get_name(o)) == NULL) {
		why_set(why, whysz, "entry for ~%s has no valid name", want);
		return LP_BAD_DATA;
	}
	if (get_bool(o, "is_valid", &out->is_valid, why, whysz) == -1 ||
	    get_bool(o, "is_ubuntu_coc_signer", &out->is_coc_signer, why,
		whysz) == -1 ||
	    get_bool(o, "is_team", &out->is_team, why, whysz) == -1)
		return LP_BAD_DATA;
	name_lower(out->name, name);
	return LP_OK;
}

/* The outcome of a final answer to GET ~lname. */
static enum lp_outcome
person_answer(struct xfer *x, const char *lname, struct lp_person *out,
    char *why, size_t whysz)
{
	json_object    *o;
	enum lp_outcome rv;

	if (x->status == 404) {
		why_set(why, whysz, "no Launchpad person ~%s", lname);
		return LP_NOT_FOUND;
	}
	if (x->status != 200)
		return unexpected(x->status, why, whysz);
	if ((o = parse_body(x, why, whysz)) == NULL)
		return LP_BAD_DATA;
	rv = person_from_json(o, lname, out, why, whysz);
	json_object_put(o);
	return rv;
}

/* url = {base}/~lname; -1 if it does not fit. */
static int
person_url(const struct lp_client *c, const char *lname, char *url,
    size_t urlsz)
{
	struct buf b;
	int        rv = -1;

	buf_init(&b, LP_URL_MAX);
	buf_printf(&b, "%s/~", c->base);
	put_segment(&b, lname);
	if (!b.failed && b.len < urlsz) {
		memcpy(url, buf_cstr(&b), b.len + 1);
		rv = 0;
	}
	buf_free(&b);
	return rv;
}

static void
log_bad_person(const char *lname, const char *why)
{
	log_warn("launchpad_bad_data", LOG_STR("name", lname),
	    LOG_STR("reason", why));
}

enum lp_outcome
lp_person(struct lp_client *c, const char *name, struct lp_person *out,
    char *reason, size_t reasonsz)
{
	char            why[256] = "", lname[LP_NAME_MAX + 1];
	char            url[LP_URL_MAX];
	enum lp_outcome rv;

	memset(out, 0, sizeof(*out));
	if (!lp_name_valid(name)) {
		why_set(reason, reasonsz, "not a Launchpad name");
		return LP_NOT_FOUND;
	}
	name_lower(lname, name);
	if (person_url(c, lname, url, sizeof(url)) == -1) {
		why_set(why, sizeof(why), "URL over %d bytes", LP_URL_MAX);
		rv = LP_BAD_DATA;
	} else if ((rv = get(c, url, why, sizeof(why))) == LP_OK)
		rv = person_answer(&c->x, lname, out, why, sizeof(why));
	if (rv == LP_BAD_DATA)
		log_bad_person(lname, why);
	if (rv != LP_OK)
		why_set(reason, reasonsz, "%s", why);
	return rv;
}

/* url = {devel}/people?ws.op=getByOpenIDIdentifier&identifier=...; -1 if
 * it does not fit.  Every reserved byte is escaped ('+' as %2B). */
static int
identity_url(const struct lp_client *c, const char *claimed, char *url,
    size_t urlsz)
{
	char *esc;
	int   n;

	if ((esc = curl_easy_escape(NULL, claimed, 0)) == NULL)
		return -1;
	n = snprintf(url, urlsz,
	    "%s/people?ws.op=getByOpenIDIdentifier&identifier=%s", c->devel,
	    esc);
	curl_free(esc);
	return n < 0 || (size_t)n >= urlsz ? -1 : 0;
}

/*
 * Whether the whole body is JSON null (json-c parses it to NULL, like
 * garbage).  By its length: a NUL byte does not end it.
 */
static int
body_is_null(struct xfer *x)
{
	const char *b = buf_cstr(&x->body);
	size_t      i = 0, end = x->body.len;

	while (i < end && strchr(" \t\r\n", b[i]) != NULL && b[i] != '\0')
		i++;
	while (end > i && strchr(" \t\r\n", b[end - 1]) != NULL &&
	    b[end - 1] != '\0')
		end--;
	return is_json(x) && end - i == 4 && memcmp(b + i, "null", 4) == 0;
}

/* The outcome of a final answer to the identity look-up. */
static enum lp_outcome
identity_answer(struct xfer *x, struct lp_person *out, char *why, size_t whysz)
{
	json_object    *o;
	enum lp_outcome rv;

	if (x->status != 200)
		return unexpected(x->status, why, whysz);
	if (body_is_null(x)) {
		why_set(why, whysz, "no Launchpad person has this identity");
		return LP_NOT_FOUND;
	}
	if ((o = parse_body(x, why, whysz)) == NULL)
		return LP_BAD_DATA;
	rv = person_from_json(o, "(by identity)", out, why, whysz);
	json_object_put(o);
	return rv;
}

enum lp_outcome
lp_person_by_identity(struct lp_client *c, const char *claimed_id,
    struct lp_person *out, char *reason, size_t reasonsz)
{
	char            why[256] = "", url[LP_URL_MAX];
	enum lp_outcome rv;

	memset(out, 0, sizeof(*out));
	if (identity_url(c, claimed_id, url, sizeof(url)) == -1) {
		why_set(why, sizeof(why), "URL over %d bytes", LP_URL_MAX);
		rv = LP_BAD_DATA;
	} else if ((rv = get(c, url, why, sizeof(why))) == LP_OK)
		rv = identity_answer(&c->x, out, why, sizeof(why));
	if (rv == LP_BAD_DATA)
		log_bad_person("(by identity)", why);
	if (rv != LP_OK)
		why_set(reason, reasonsz, "%s", why);
	return rv;
}

enum lp_outcome
lp_person_or_identity(struct lp_client *c, const char *name,
    const char *claimed_id, struct lp_person *out, int *by_identity, char *why,
    size_t whysz)
{
	enum lp_outcome rv = LP_NOT_FOUND;

	*by_identity = 0;
	if (name != NULL)
		rv = lp_person(c, name, out, why, whysz);
	if (rv != LP_NOT_FOUND || claimed_id == NULL)
		return rv;
	*by_identity = 1;
	return lp_person_by_identity(c, claimed_id, out, why, whysz);
}

/* ---- batches of people over curl multi */

/* One in-flight (or waiting to retry) lookup of a batch. */
struct slot {
	struct xfer      x;     /* first: CURLINFO_PRIVATE is &x */
	struct lp_query *q;     /* NULL: the slot is free */
	long long        wake;  /* retry at (ms); 0: in flight */
	int              ident; /* asking by identity */
	char             lname[LP_NAME_MAX + 1];
	char             url[LP_URL_MAX];
};

struct lp_batch {
	struct lp_client *c;
	CURLM            *m;
	struct slot      *slots; /* owned; nslots of them */
	int               nslots;
	struct lp_query  *q;
	size_t            n, next; /* queries, the next one to start */
	int               busy;    /* slots with a query */
};

static void
query_end(struct lp_batch *b, struct slot *s, enum lp_outcome o)
{
	s->q->outcome = o;
	s->q->done = 1;
	if (o == LP_BAD_DATA)
		log_bad_person(s->lname, s->q->why);
	if (o == LP_UNAVAILABLE)
		log_unavailable(&s->x, s->q->why);
	if (o == LP_OK)
		s->q->why[0] = '\0';
	s->q = NULL;
	b->busy--;
}

/* Adds slot s's transfer to the multi handle; -1 on failure. */
static int
slot_go(struct lp_batch *b, struct slot *s)
{
	s->wake = 0;
	xfer_prepare(b->c, &s->x, s->url);
	return curl_multi_add_handle(b->m, s->x.curl) == CURLM_OK ? 0 : -1;
}

/* Points slot s at the identity look-up of its query; -1 if it cannot. */
static int
slot_identity(struct lp_batch *b, struct slot *s)
{
	s->ident = 1;
	s->q->by_identity = 1;
	s->x.retry = s->x.seen500 = 0;
	snprintf(s->lname, sizeof(s->lname), "(by identity)");
	if (identity_url(b->c, s->q->claimed_id, s->url, sizeof(s->url)) == 0)
		return 0;
	why_set(s->q->why, sizeof(s->q->why), "URL too long");
	return -1;
}

/* Gives the next query that needs a request to free slot s. */
static int
slot_fill(struct lp_batch *b, struct slot *s)
{
	struct lp_query *q;
	int              ok;

	while (b->next < b->n) {
		q = &b->q[b->next++];
		memset(&q->person, 0, sizeof(q->person));
		q->why[0] = '\0';
		q->by_identity = 0;
		if (!lp_name_valid(q->name) && q->claimed_id == NULL) {
			q->outcome = LP_NOT_FOUND;
			q->done = 1;
			why_set(q->why, sizeof(q->why), "not a Launchpad name");
			continue;
		}
		s->q = q;
		b->busy++;
		s->ident = 0;
		s->x.retry = s->x.seen500 = 0;
		if (!lp_name_valid(q->name))
			ok = slot_identity(b, s) == 0;
		else {
			name_lower(s->lname, q->name);
			ok = person_url(b->c, s->lname, s->url,
				 sizeof(s->url)) == 0;
		}
		if (!ok) {
			why_set(q->why, sizeof(q->why), "URL too long");
			query_end(b, s, LP_BAD_DATA);
			continue;
		}
		return slot_go(b, s);
	}
	return 0;
}

/* The final answer of slot s's transfer: its outcome, or the next step. */
static void
slot_answer(struct lp_batch *b, struct slot *s)
{
	struct lp_query *q = s->q;

	if (s->ident) {
		query_end(b, s,
		    identity_answer(&s->x, &q->person, q->why, sizeof(q->why)));
		return;
	}
	if (s->x.status == 404 && q->claimed_id != NULL) {
		if (slot_identity(b, s) == -1)
			query_end(b, s, LP_BAD_DATA);
		else if (slot_go(b, s) == -1)
			query_end(b, s, LP_UNAVAILABLE);
		return;
	}
	query_end(b, s,
	    person_answer(&s->x, s->lname, &q->person, q->why, sizeof(q->why)));
}

/* A transfer of slot s ended with rc: finish the query or plan a retry. */
static void
slot_done(struct lp_batch *b, struct slot *s, CURLcode rc)
{
	struct lp_query *q = s->q;
	enum lp_try      t;
	long             delay;

	curl_multi_remove_handle(b->m, s->x.curl);
	t = xfer_done(&s->x, rc, q->why, sizeof(q->why));
	if (t == TRY_DONE)
		slot_answer(b, s);
	else if (t == TRY_FAIL)
		query_end(b, s, LP_BAD_DATA);
	else if (retry_next(b->c, &s->x, t, &delay, q->why, sizeof(q->why)))
		s->wake = now_ms() + delay;
	else
		query_end(b, s, LP_UNAVAILABLE);
}

/*
 * One round: start what can start, run the transfers, take the finished
 * ones, wait (at most maxwait ms) for activity or the next retry.  -1 on
 * a curl failure.
 */
static int
batch_round(struct lp_batch *b, long long maxwait)
{
	struct slot *s;
	CURLMsg     *msg;
	char        *priv;
	long long    t = now_ms(), wait = maxwait;
	int          i, running, left, ended = 0;

	for (i = 0; i < b->nslots; i++) {
		s = &b->slots[i];
		if (s->q == NULL && slot_fill(b, s) == -1)
			return -1;
		if (s->q != NULL && s->wake != 0 && s->wake <= t &&
		    slot_go(b, s) == -1)
			return -1;
		if (s->q != NULL && s->wake != 0 && s->wake - t < wait)
			wait = s->wake - t;
	}
	if (curl_multi_perform(b->m, &running) != CURLM_OK)
		return -1;
	while ((msg = curl_multi_info_read(b->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* PRIVATE is the xfer, the first member of its slot. */
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv != NULL)
			slot_done(b, (struct slot *)(void *)priv,
			    msg->data.result);
		ended = 1;
	}
	/* What ended freed a slot or made a request due: no wait before it. */
	if (b->busy > 0 && wait > 0 && !ended &&
	    curl_multi_poll(b->m, NULL, 0, (int)wait, NULL) != CURLM_OK)
		return -1;
	return 0;
}

static void
batch_free(struct lp_batch *b)
{
	int i;

	for (i = 0; b->slots != NULL && i < b->nslots; i++) {
		if (b->slots[i].q != NULL && b->slots[i].wake == 0)
			curl_multi_remove_handle(b->m, b->slots[i].x.curl);
		xfer_free(&b->slots[i].x);
	}
	free(b->slots);
	if (b->m != NULL)
		curl_multi_cleanup(b->m);
	free(b);
}

struct lp_batch *
lp_batch_new(struct lp_client *c, struct lp_query *q, size_t n, int concurrency)
{
	struct lp_batch *b;
	size_t           i;
	int              rc = 0;

	for (i = 0; i < n; i++) {
		q[i].outcome = LP_UNAVAILABLE;
		q[i].done = 0;
		why_set(q[i].why, sizeof(q[i].why), "not looked up");
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->c = c;
	b->q = q;
	b->n = n;
	if (concurrency < 1)
		concurrency = 1;
	b->nslots = concurrency > LP_CONCURRENCY_MAX ? LP_CONCURRENCY_MAX :
						       concurrency;
	if ((size_t)b->nslots > n)
		b->nslots = n > 0 ? (int)n : 1;
	if ((b->m = curl_multi_init()) == NULL ||
	    (b->slots = calloc((size_t)b->nslots, sizeof(*b->slots))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < (size_t)b->nslots; i++)
		rc = xfer_init(&b->slots[i].x);
	if (rc == 0)
		curl_multi_setopt(b->m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
		    (long)b->nslots);
	if (rc == -1) {
		batch_free(b);
		return NULL;
	}
	return b;
}

int
lp_batch_step(struct lp_batch *b, long wait_ms)
{
	if (b->next >= b->n && b->busy == 0)
		return 1;
	if (batch_round(b, wait_ms) == -1)
		return -1;
	return b->next >= b->n && b->busy == 0;
}

void
lp_batch_free(struct lp_batch *b)
{
	if (b != NULL)
		batch_free(b);
}

enum lp_outcome
lp_persons(struct lp_client *c, struct lp_query *q, size_t n, int concurrency)
{
	struct lp_batch *b;
	int              rc;

	if ((b = lp_batch_new(c, q, n, concurrency)) == NULL)
		return LP_UNAVAILABLE;
	while ((rc = lp_batch_step(b, 200)) == 0)
		continue;
	lp_batch_free(b);
	return rc == 1 ? LP_OK : LP_UNAVAILABLE;
}

/* ---- participants */

/* One participant of a walk; its name is malloc'd. */
struct walk_entry {
	char       *name;
	signed char valid, coc, team;
};

/* The state of one paged walk; entries and seen links are malloc'd. */
struct walk {
	struct walk_entry *entries;
	size_t             n, cap;
	char             **links; /* every URL fetched (no repeats) */
	size_t             nlinks;
	long               total; /* first page's total_size */
	long               start; /* last page's start */
	int                pages;
	int                cap_pages;
};

static void
walk_free(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->entries[i].name);
	for (i = 0; i < w->nlinks; i++)
		free(w->links[i]);
	free(w->entries);
	free(w->links);
}

static int
walk_add(struct walk *w, const char *name, const struct walk_entry *flags)
{
	struct walk_entry *ne;
	size_t             ncap;

	if (w->n == w->cap) {
		ncap = w->cap ? w->cap * 2 : 64;
		if ((ne = reallocarray(w->entries, ncap, sizeof(*ne))) == NULL)
			return -1;
		w->entries = ne;
		w->cap = ncap;
	}
	w->entries[w->n] = *flags;
	if ((w->entries[w->n].name = malloc(strlen(name) + 1)) == NULL)
		return -1;
	name_lower(w->entries[w->n++].name, name);
	return 0;
}

/* Records url as visited; -1 if it was already (or on malloc failure). */
static int
walk_visit(struct walk *w, const char *url)
{
	char **nl;
	size_t i;

	for (i = 0; i < w->nlinks; i++)
		if (strcmp(w->links[i], url) == 0)
			return -1;
	if ((nl = reallocarray(w->links, w->nlinks + 1, sizeof(*nl))) == NULL)
		return -1;
	w->links = nl;
	if ((w->links[w->nlinks] = strdup(url)) == NULL)
		return -1;
	w->nlinks++;
	return 0;
}

/* Lower-cased scheme, host and port of url into out; -1 if unparsable. */
static int
origin_of(const char *url, char *out, size_t outsz)
{
	CURLU *u;
	char  *scheme = NULL, *host = NULL, *port = NULL;
	char  *p;
	int    rv = -1;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
		CURLUE_OK &&
	    (size_t)snprintf(out, outsz, "%s://%s:%s", scheme, host, port) <
		outsz) {
		for (p = out; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		rv = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rv;
}

/* Non-zero if link is on the same scheme+host+port as the API base. */
static int
same_origin(const struct lp_client *c, const char *link)
{
	char a[512], b[512];

	return origin_of(c->base, a, sizeof(a)) == 0 &&
	    origin_of(link, b, sizeof(b)) == 0 && strcmp(a, b) == 0;
}

/* Checks total_size and start of a page and keeps the walk's counters. */
static enum lp_outcome
page_header(json_object *page, struct walk *w, size_t nentries, char *why,
    size_t whysz)
{
	json_object *v;
	int64_t      total, start;

	if (!json_object_object_get_ex(page, "total_size", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (total = json_object_get_int64(v)) < 0 || total > 10000000) {
		why_set(why, whysz, "page %d: bad total_size", w->pages);
		return LP_BAD_DATA;
	}
	if (!json_object_object_get_ex(page, "start", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (start = json_object_get_int64(v)) < 0 ||
	    (w->pages > 1 && start <= w->start)) {
		why_set(why, whysz, "page %d: bad start", w->pages);
		return LP_BAD_DATA;
	}
	if (w->pages == 1) {
		w->total = (long)total;
		/* total_size / page size + 5: room for members joining
		 * while we walk, but no endless walk. */
		if (nentries > 0 &&
		    (long)(total / (int64_t)nentries) + 5 < w->cap_pages)
			w->cap_pages = (int)(total / (int64_t)nentries) + 5;
	} else if (total != w->total)
		log_warn("launchpad_drift", LOG_INT("page", w->pages),
		    LOG_INT("total_size", total),
		    LOG_INT("first_total_size", w->total));
	w->start = (long)start;
	return LP_OK;
}

/*
 * *val = the boolean obj[key], or -1 when the key is missing; -1 (and
 * why) if it is there but not a boolean.
 */
static int
get_tri(json_object *obj, const char *key, signed char *val, char *why,
    size_t whysz)
{
	int b;

	if (!json_object_object_get_ex(obj, key, NULL)) {
		*val = -1;
		return 0;
	}
	if (get_bool(obj, key, &b, why, whysz) == -1)
		return -1;
	*val = (signed char)b;
	return 0;
}

/* Adds a page's entries: each must have a name and the flags' types. */
static enum lp_outcome
page_entries(json_object *entries, struct walk *w, char *why, size_t whysz)
{
	struct walk_entry f;
	size_t            i, len;
	const char       *name;
	json_object      *e;
	int               valid;

	len = json_object_array_length(entries);
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(entries, i);
		if (!json_object_is_type(e, json_type_object) ||
		    (name = get_name(e)) == NULL) {
			why_set(why, whysz,
			    "page %d: entry %zu has no valid "
			    "name",
			    w->pages, i);
			return LP_BAD_DATA;
		}
		if (get_bool(e, "is_valid", &valid, why, whysz) == -1 ||
		    get_tri(e, "is_ubuntu_coc_signer", &f.coc, why, whysz) ==
			-1 ||
		    get_tri(e, "is_team", &f.team, why, whysz) == -1)
			return LP_BAD_DATA;
		f.valid = (signed char)valid;
		if (walk_add(w, name, &f) == -1) {
			why_set(why, whysz, "out of memory");
			return LP_BAD_DATA;
		}
	}
	return LP_OK;
}

/*
 * Takes one page: its entries into w and its next link (malloc'd) into
 * *next, NULL on the last page.
 */
static enum lp_outcome
page_take(struct lp_client *c, json_object *page, struct walk *w, char **next,
    char *why, size_t whysz)
{
	json_object    *entries, *v;
	enum lp_outcome rv;
	const char     *link;

	*next = NULL;
	if (!json_object_is_type(page, json_type_object) ||
	    !json_object_object_get_ex(page, "entries", &entries) ||
	    !json_object_is_type(entries, json_type_array)) {
		why_set(why, whysz, "page %d: no entries array", w->pages);
		return LP_BAD_DATA;
	}
	if ((rv = page_header(page, w, json_object_array_length(entries), why,
		 whysz)) != LP_OK ||
	    (rv = page_entries(entries, w, why, whysz)) != LP_OK)
		return rv;
	if (!json_object_object_get_ex(page, "next_collection_link", &v) ||
	    json_object_is_type(v, json_type_null))
		return LP_OK;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(link = json_object_get_string(v)) >= LP_URL_MAX) {
		why_set(why, whysz, "page %d: bad next link", w->pages);
		return LP_BAD_DATA;
	}
	if (!same_origin(c, link)) {
		why_set(why, whysz, "page %d: next link to another host",
		    w->pages);
		return LP_BAD_DATA;
	}
	if ((*next = strdup(link)) == NULL) {
		why_set(why, whysz, "out of memory");
		return LP_BAD_DATA;
	}
	return LP_OK;
}

/* Before a page is fetched: the page cap and the repeated-link guard. */
static enum lp_outcome
walk_next_ok(struct walk *w, const char *url, char *why, size_t whysz)
{
	if (++w->pages > w->cap_pages) {
		why_set(why, whysz, "more than %d pages", w->cap_pages);
		return LP_BAD_DATA;
	}
	if (walk_visit(w, url) == -1) {
		why_set(why, whysz, "page %d: repeated next link", w->pages);
		return LP_BAD_DATA;
	}
	return LP_OK;
}

/* A final answer x to a page: its entries into w, its next link. */
static enum lp_outcome
walk_answer(struct lp_client *c, struct xfer *x, struct walk *w, char **next,
    char *why, size_t whysz)
{
	json_object    *o;
	enum lp_outcome rv;

	*next = NULL;
	if (x->status == 404) {
		why_set(why, whysz, "page %d: not found", w->pages);
		return w->pages == 1 ? LP_NOT_FOUND : LP_BAD_DATA;
	}
	if (x->status != 200)
		return unexpected(x->status, why, whysz);
	if ((o = parse_body(x, why, whysz)) == NULL)
		return LP_BAD_DATA;
	rv = page_take(c, o, w, next, why, whysz);
	json_object_put(o);
	return rv;
}

/* Fetches and takes the page at url; frees url. */
static enum lp_outcome
walk_page(struct lp_client *c, char *url, struct walk *w, char **next,
    char *why, size_t whysz)
{
	enum lp_outcome rv;

	*next = NULL;
	if ((rv = walk_next_ok(w, url, why, whysz)) == LP_OK &&
	    (rv = get(c, url, why, whysz)) == LP_OK)
		rv = walk_answer(c, &c->x, w, next, why, whysz);
	free(url);
	return rv;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct walk_entry *)a)->name,
	    ((const struct walk_entry *)b)->name);
}

/* Sorts, removes duplicates and copies the entries into the arena. */
static enum lp_outcome
walk_result(struct walk *w, struct arena *a, struct lp_entry **entries,
    size_t *n, char *why, size_t whysz)
{
	struct lp_entry *out;
	size_t           i, k = 0;

	if (w->n > 0)
		qsort(w->entries, w->n, sizeof(*w->entries), cmp_entry);
	if ((out = arena_calloc(a, w->n + 1, sizeof(*out))) == NULL) {
		why_set(why, whysz, "out of memory");
		return LP_BAD_DATA;
	}
	for (i = 0; i < w->n; i++) {
		if (k > 0 && strcmp(out[k - 1].name, w->entries[i].name) == 0)
			continue;
		out[k].valid = w->entries[i].valid;
		out[k].coc = w->entries[i].coc;
		out[k].team = w->entries[i].team;
		if ((out[k++].name = arena_strdup(a, w->entries[i].name)) ==
		    NULL) {
			why_set(why, whysz, "out of memory");
			return LP_BAD_DATA;
		}
	}
	if (k != w->n || (long)k != w->total)
		log_info("launchpad_drift", LOG_UINT("entries", w->n),
		    LOG_UINT("unique", k), LOG_INT("total_size", w->total),
		    LOG_INT("pages", w->pages));
	*entries = out;
	*n = k;
	return LP_OK;
}

/* The first page's URL of team's participants (malloc'd), or NULL. */
static char *
first_link(const struct lp_client *c, const char *lname)
{
	struct buf url;
	char      *link;

	buf_init(&url, LP_URL_MAX);
	buf_printf(&url, "%s/~", c->base);
	put_segment(&url, lname);
	buf_puts(&url, "/participants");
	if (c->opt.page_size > 0)
		buf_printf(&url, "?ws.size=%d", c->opt.page_size);
	link = url.failed ? NULL : strdup(buf_cstr(&url));
	buf_free(&url);
	return link;
}

/* The end of a walk: its entries on LP_OK, the log line, the reason. */
static enum lp_outcome
walk_end(struct walk *w, enum lp_outcome rv, struct arena *a, const char *lname,
    struct lp_entry **entries, size_t *n, char *why, size_t whysz, char *reason,
    size_t reasonsz)
{
	if (rv == LP_OK)
		rv = walk_result(w, a, entries, n, why, whysz);
	if (rv == LP_BAD_DATA)
		log_warn("launchpad_bad_data", LOG_STR("team", lname),
		    LOG_INT("pages", w->pages), LOG_STR("reason", why));
	walk_free(w);
	if (rv != LP_OK)
		why_set(reason, reasonsz, "%s", why);
	return rv;
}

enum lp_outcome
lp_participants(struct lp_client *c, struct arena *a, const char *team,
    struct lp_entry **entries, size_t *n, char *reason, size_t reasonsz)
{
	char            why[256] = "";
	struct walk     w;
	char            lname[LP_NAME_MAX + 1];
	char           *link, *next;
	enum lp_outcome rv = LP_OK;

	*entries = NULL;
	*n = 0;
	if (!lp_name_valid(team)) {
		why_set(reason, reasonsz, "not a Launchpad name");
		return LP_NOT_FOUND;
	}
	name_lower(lname, team);
	memset(&w, 0, sizeof(w));
	w.cap_pages = c->opt.max_pages;
	if ((link = first_link(c, lname)) == NULL) {
		why_set(why, sizeof(why), "URL over %d bytes or out of memory",
		    LP_URL_MAX);
		rv = LP_BAD_DATA;
	}
	while (rv == LP_OK && link != NULL) {
		rv = walk_page(c, link, &w, &next, why, sizeof(why));
		link = next;
	}
	free(link);
	return walk_end(&w, rv, a, lname, entries, n, why, sizeof(why), reason,
	    reasonsz);
}

/* ---- several teams at once over curl multi */

/* One team's walk in flight (or waiting to retry). */
struct team_slot {
	struct xfer     x; /* first: CURLINFO_PRIVATE is &x */
	struct lp_team *t;
	struct walk     w;
	char            lname[LP_NAME_MAX + 1];
	char           *url;  /* the page being fetched; NULL: done */
	long long       wake; /* start at (ms); 0: in flight */
	char            why[256];
};

/* Ends slot s's walk with rv. */
static void
team_end(struct team_slot *s, struct arena *a, enum lp_outcome rv)
{
	free(s->url);
	s->url = NULL;
	s->t->outcome = walk_end(&s->w, rv, a, s->lname, &s->t->entries,
	    &s->t->n, s->why, sizeof(s->why), s->t->why, sizeof(s->t->why));
	if (s->t->outcome == LP_UNAVAILABLE)
		log_unavailable(&s->x, s->t->why);
}

/* (Re)starts the request of slot s's page; -1 on a curl failure. */
static int
team_go(struct lp_client *c, CURLM *m, struct team_slot *s)
{
	s->wake = 0;
	xfer_prepare(c, &s->x, s->url);
	return curl_multi_add_handle(m, s->x.curl) == CURLM_OK ? 0 : -1;
}

/* Moves slot s to the page at url (after the guards): due now. */
static void
team_page(struct team_slot *s, struct arena *a, char *url)
{
	enum lp_outcome rv;

	free(s->url);
	s->url = url;
	s->x.retry = s->x.seen500 = 0;
	s->wake = 1;
	if ((rv = walk_next_ok(&s->w, url, s->why, sizeof(s->why))) != LP_OK)
		team_end(s, a, rv);
}

/* A transfer of slot s ended with rc: the next page, a retry or the end. */
static void
team_done(struct lp_client *c, CURLM *m, struct team_slot *s, struct arena *a,
    CURLcode rc)
{
	enum lp_outcome rv;
	enum lp_try     t;
	char           *next;
	long            delay;

	curl_multi_remove_handle(m, s->x.curl);
	t = xfer_done(&s->x, rc, s->why, sizeof(s->why));
	if (t == TRY_FAIL)
		team_end(s, a, LP_BAD_DATA);
	else if (t != TRY_DONE) {
		if (retry_next(c, &s->x, t, &delay, s->why, sizeof(s->why)))
			s->wake = now_ms() + delay; /* the same page again */
		else
			team_end(s, a, LP_UNAVAILABLE);
	} else if ((rv = walk_answer(c, &s->x, &s->w, &next, s->why,
			sizeof(s->why))) != LP_OK ||
	    next == NULL)
		team_end(s, a, rv);
	else
		team_page(s, a, next);
}

/* One round: start, run, take the finished, wait.  -1 on a curl failure. */
static int
teams_round(struct lp_client *c, CURLM *m, struct team_slot *sl, size_t n,
    struct arena *a, int *busy)
{
	CURLMsg  *msg;
	char     *priv;
	long long now = now_ms(), wait = 200;
	size_t    i;
	int       running, left, ended = 0;

	*busy = 0;
	for (i = 0; i < n; i++) {
		if (sl[i].url == NULL)
			continue;
		(*busy)++;
		if (sl[i].wake != 0 && sl[i].wake <= now &&
		    team_go(c, m, &sl[i]) == -1)
			return -1;
		if (sl[i].wake != 0 && sl[i].wake - now < wait)
			wait = sl[i].wake - now;
	}
	if (curl_multi_perform(m, &running) != CURLM_OK)
		return -1;
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		priv = NULL;
		if (msg->msg == CURLMSG_DONE &&
		    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			&priv) == CURLE_OK &&
		    priv != NULL)
			team_done(c, m, (struct team_slot *)(void *)priv, a,
			    msg->data.result);
		ended = 1;
	}
	/* A page that ended made the next one due now: no wait before it. */
	if (*busy > 0 && wait > 0 && !ended &&
	    curl_multi_poll(m, NULL, 0, (int)wait, NULL) != CURLM_OK)
		return -1;
	return 0;
}

/* Readies slot s for team t; its walk starts at the first round. */
static int
team_init(struct lp_client *c, struct team_slot *s, struct lp_team *t,
    struct arena *a)
{
	char *url;

	memset(s, 0, sizeof(*s));
	s->t = t;
	t->outcome = LP_UNAVAILABLE;
	t->entries = NULL;
	t->n = 0;
	t->why[0] = '\0';
	s->w.cap_pages = c->opt.max_pages;
	if (!lp_name_valid(t->team)) {
		why_set(t->why, sizeof(t->why), "not a Launchpad name");
		t->outcome = LP_NOT_FOUND;
		return 0;
	}
	name_lower(s->lname, t->team);
	if (xfer_init(&s->x) == -1 || (url = first_link(c, s->lname)) == NULL)
		return -1;
	team_page(s, a, url);
	return 0;
}

enum lp_outcome
lp_participants_all(struct lp_client *c, struct arena *a, struct lp_team *t,
    size_t n)
{
	struct team_slot *sl;
	CURLM            *m;
	size_t            i;
	int               rc = 0, busy = 1;

	if ((m = curl_multi_init()) == NULL ||
	    (sl = calloc(n + 1, sizeof(*sl))) == NULL) {
		if (m != NULL)
			curl_multi_cleanup(m);
		return LP_UNAVAILABLE;
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = team_init(c, &sl[i], &t[i], a);
	while (rc == 0 && busy > 0)
		rc = teams_round(c, m, sl, n, a, &busy);
	for (i = 0; i < n; i++) {
		if (sl[i].url != NULL && sl[i].wake == 0)
			curl_multi_remove_handle(m, sl[i].x.curl);
		if (sl[i].url != NULL) /* a local failure: unavailable */
			team_end(&sl[i], a, LP_UNAVAILABLE);
		xfer_free(&sl[i].x);
	}
	free(sl);
	curl_multi_cleanup(m);
	return rc == 0 ? LP_OK : LP_UNAVAILABLE;
}
