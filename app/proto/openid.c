/* openid.c - the pure parts of the OpenID 2.0 relying party; see openid.h. */
#include "config.h"

#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proto/openid.h"

#define PREFIX             "openid."
#define PREFIX_LEN         (sizeof(PREFIX) - 1)
#define NONCE_STAMP        20 /* "YYYY-MM-DDTHH:MM:SSZ" */
#define CLAIMED_SUFFIX_MAX 64
#define SIG_B64_SIZE \
	sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)

/* A slice of a string: not NUL-terminated, may be empty. */
struct span {
	const char *p;
	size_t      len;
};

static const char *const reasons[OPENID_ERR__MAX] = {
	[OPENID_OK] = "ok",
	[OPENID_ENOMEM] = "out of memory",
	[OPENID_EINTERNAL] = "internal error",
	[OPENID_EKV_LINES] = "key-value form: too many lines",
	[OPENID_EKV_LONG] = "key-value form: line too long",
	[OPENID_EKV_COLON] = "key-value form: line without a colon",
	[OPENID_EKV_KEY] = "key-value form: invalid key",
	[OPENID_EKV_VALUE] = "key-value form: control character in value",
	[OPENID_EKEY] = "empty openid parameter name",
	[OPENID_EDUPKEY] = "duplicate openid parameter",
	[OPENID_ENS] = "not an OpenID 2.0 message",
	[OPENID_EMODE] = "missing or unknown openid.mode",
	[OPENID_EMISSING] = "required field missing",
	[OPENID_EENDPOINT] = "op_endpoint is not the configured endpoint",
	[OPENID_ESIGNED] = "openid.signed missing or malformed",
	[OPENID_ESIGNED_DUP] = "name listed twice in openid.signed",
	[OPENID_ESIGNED_ABSENT] = "signed field missing",
	[OPENID_ESIGNED_VALUE] = "signed value contains a line feed",
	[OPENID_EUNSIGNED] = "required field not signed",
	[OPENID_ESIG_FORMAT] = "openid.sig is not a base64 HMAC-SHA256",
	[OPENID_ESIG] = "signature mismatch",
	[OPENID_ENONCE_FORMAT] = "malformed response_nonce",
	[OPENID_ENONCE_OLD] = "response_nonce too old",
	[OPENID_ENONCE_FUTURE] = "response_nonce in the future",
	[OPENID_ECALLBACK] = "configured callback URL unusable",
	[OPENID_ERT_URL] = "return_to is not a plain http(s) URL",
	[OPENID_ERT_SCHEME] = "return_to scheme differs from callback",
	[OPENID_ERT_HOST] = "return_to host differs from callback",
	[OPENID_ERT_PORT] = "return_to port differs from callback",
	[OPENID_ERT_PATH] = "return_to path differs from callback",
	[OPENID_ERT_QUERY] = "return_to query malformed",
	[OPENID_ERT_PARAM_MISSING] = "return_to parameter missing in request",
	[OPENID_ERT_PARAM_VALUE] = "return_to parameter differs in request",
	[OPENID_ERT_PARAM_DUP] = "request parameter given twice",
	[OPENID_ERT_PARAM_EXTRA] = "request parameter not in return_to",
	[OPENID_ERT_STATE] = "no state in return_to",
	[OPENID_ECLAIMED] = "claimed_id not under the identity prefix",
	[OPENID_EIDENTITY] = "identity differs from claimed_id",
	[OPENID_EEXT_ABSENT] = "extension absent",
	[OPENID_EEXT_ALIAS] = "extension alias invalid or ambiguous",
	[OPENID_EEXT_UNSIGNED] = "extension not entirely signed",
	[OPENID_ENAME] = "invalid Launchpad name",
	[OPENID_EASSOC] = "association answer malformed",
	[OPENID_EASSOC_SESSION] = "association answer of another session type",
	[OPENID_EMAC_KEY] = "invalid mac key",
};

const char *
openid_strerror(enum openid_err e)
{
	if ((unsigned)e >= OPENID_ERR__MAX || reasons[e] == NULL)
		return "unknown";
	return reasons[e];
}

enum app_err
openid_app_err(enum openid_err e)
{
	switch (e) {
	case OPENID_OK:
		return APP_OK;
	case OPENID_ENOMEM:
		return APP_ENOMEM;
	case OPENID_EINTERNAL:
	case OPENID_ECALLBACK:
		return APP_EINTERNAL;
	default:
		return APP_EINPUT;
	}
}

static int
span_eq(const struct span *a, const char *s)
{
	return strlen(s) == a->len && memcmp(a->p, s, a->len) == 0;
}

/* Not tolower(): that one follows the locale. */
static int
span_eq_nocase(const struct span *a, const struct span *b)
{
	size_t        i;
	unsigned char x, y;

	if (a->len != b->len)
		return 0;
	for (i = 0; i < a->len; i++) {
		x = (unsigned char)a->p[i];
		y = (unsigned char)b->p[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ----------------------------------------------------------------------
 * Key-value form
 */

static int
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void
trim(struct span *sp)
{
	while (sp->len > 0 && is_ows((unsigned char)sp->p[0])) {
		sp->p++;
		sp->len--;
	}
	while (sp->len > 0 && is_ows((unsigned char)sp->p[sp->len - 1]))
		sp->len--;
}

/* The next LF-terminated line, LF excluded; 0 when s is used up. */
static int
next_line(const char *s, size_t len, size_t *pos, struct span *line)
{
	const char *lf;

	if (*pos >= len)
		return 0;
	line->p = s + *pos;
	line->len = len - *pos;
	if ((lf = memchr(line->p, '\n', line->len)) != NULL)
		line->len = (size_t)(lf - line->p);
	*pos += line->len + (lf != NULL);
	return 1;
}

/*
 * Splits and checks one line.  A blank line leaves k->p NULL; it is not
 * an error.
 */
static enum openid_err
kv_line(const struct span *line, struct span *k, struct span *v)
{
	struct span   all = *line;
	const char   *colon;
	size_t        i;
	unsigned char c;

	k->p = NULL;
	trim(&all);
	if (all.len == 0)
		return OPENID_OK;
	if ((colon = memchr(all.p, ':', all.len)) == NULL)
		return OPENID_EKV_COLON;
	k->p = all.p;
	k->len = (size_t)(colon - all.p);
	v->p = colon + 1;
	v->len = all.len - k->len - 1;
	trim(k);
	trim(v);
	if (k->len == 0 || k->len > FORM_KEY_MAX)
		return OPENID_EKV_KEY;
	for (i = 0; i < k->len; i++)
		if ((unsigned char)k->p[i] <= ' ' ||
		    (unsigned char)k->p[i] >= 0x7f)
			return OPENID_EKV_KEY;
	for (i = 0; i < v->len; i++) {
		c = (unsigned char)v->p[i];
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return OPENID_EKV_VALUE;
	}
	return OPENID_OK;
}

/* First pass: bounds and syntax, nothing allocated; counts the pairs. */
static enum openid_err
kv_scan(const char *s, size_t len, size_t max_lines, size_t max_line,
    size_t *npairs)
{
	struct span     line, k, v;
	size_t          pos = 0, nlines = 0;
	enum openid_err e;

	*npairs = 0;
	while (next_line(s, len, &pos, &line)) {
		if (++nlines > max_lines)
			return OPENID_EKV_LINES;
		if (line.len > max_line)
			return OPENID_EKV_LONG;
		if ((e = kv_line(&line, &k, &v)) != OPENID_OK)
			return e;
		if (k.p != NULL)
			(*npairs)++;
	}
	return OPENID_OK;
}

enum openid_err
openid_kv_parse(struct arena *a, const char *s, size_t len, size_t max_lines,
    size_t max_line, struct kvlist *out)
{
	struct span     line, k, v;
	struct kv      *pairs;
	size_t          n, i, pos;
	enum openid_err e;

	out->v = NULL;
	out->n = 0;
	if ((e = kv_scan(s, len, max_lines, max_line, &n)) != OPENID_OK)
		return e;
	if (n == 0)
		return OPENID_OK;
	if ((pairs = arena_calloc(a, n, sizeof(*pairs))) == NULL)
		return OPENID_ENOMEM;
	/* The scan passed, so this meets the same lines without error. */
	for (i = pos = 0; i < n && next_line(s, len, &pos, &line);) {
		(void)kv_line(&line, &k, &v);
		if (k.p == NULL)
			continue;
		pairs[i].key = arena_strndup(a, k.p, k.len);
		pairs[i].val = arena_strndup(a, v.p, v.len);
		pairs[i].vlen = v.len;
		if (pairs[i].key == NULL || pairs[i].val == NULL)
			return OPENID_ENOMEM;
		i++;
	}
	out->v = pairs;
	out->n = n;
	return OPENID_OK;
}

const char *
openid_kv_dupkey(const struct kvlist *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(l->v[i].key, l->v[j].key) == 0)
				return l->v[i].key;
	return NULL;
}

/* ----------------------------------------------------------------------
 * The message
 */

enum openid_err
openid_msg_from_params(struct arena *a, const struct kvlist *params,
    struct openid_msg *out)
{
	struct kv *f;
	size_t     i, n = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < params->n; i++)
		if (has_prefix(params->v[i].key, PREFIX))
			n++;
	if (n == 0)
		return OPENID_OK;
	if ((f = arena_calloc(a, n, sizeof(*f))) == NULL)
		return OPENID_ENOMEM;
	for (i = n = 0; i < params->n; i++) {
		if (!has_prefix(params->v[i].key, PREFIX))
			continue;
		f[n] = params->v[i];
		f[n].key += PREFIX_LEN;
		out->errkey = params->v[i].key;
		if (f[n].key[0] == '\0')
			return OPENID_EKEY;
		if (kv_find(&(struct kvlist){ f, n }, f[n].key) != NULL)
			return OPENID_EDUPKEY;
		n++;
	}
	out->errkey = NULL;
	out->f.v = f;
	out->f.n = n;
	return OPENID_OK;
}

static const struct kv *
field(const struct openid_msg *msg, const char *key)
{
	return kv_find(&msg->f, key);
}

const char *
openid_get(const struct openid_msg *msg, const char *key)
{
	const struct kv *kv;

	return (kv = field(msg, key)) != NULL ? kv->val : NULL;
}

int
openid_is_signed(const struct openid_msg *msg, const char *key)
{
	size_t i;

	for (i = 0; i < msg->nsgn; i++)
		if (strcmp(msg->sgn[i], key) == 0)
			return 1;
	return 0;
}

/* Records the culprit and passes the error on. */
static enum openid_err
fail(struct openid_msg *msg, const char *key, enum openid_err e)
{
	msg->errkey = key;
	return e;
}

enum openid_err
openid_check_mode(struct openid_msg *msg, enum openid_msg_mode *mode)
{
	static const struct {
		const char          *name;
		enum openid_msg_mode mode;
	} modes[] = {
		{ "id_res", OPENID_MODE_ID_RES },
		{ "cancel", OPENID_MODE_CANCEL },
		{ "setup_needed", OPENID_MODE_SETUP_NEEDED },
		{ "error", OPENID_MODE_ERROR },
	};
	const char *v;
	size_t      i;

	msg->errkey = NULL;
	if ((v = openid_get(msg, "ns")) == NULL || strcmp(v, OPENID_NS) != 0)
		return fail(msg, "ns", OPENID_ENS);
	if ((v = openid_get(msg, "mode")) != NULL)
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (strcmp(v, modes[i].name) == 0) {
				*mode = modes[i].mode;
				return OPENID_OK;
			}
	return fail(msg, "mode", OPENID_EMODE);
}

enum openid_err
openid_check_required(struct openid_msg *msg)
{
	static const char *const req[] = { "op_endpoint", "return_to",
		"response_nonce", "assoc_handle", "signed", "sig", "claimed_id",
		"identity" };
	size_t                   i;

	msg->errkey = NULL;
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (openid_get(msg, req[i]) == NULL)
			return fail(msg, req[i], OPENID_EMISSING);
	return OPENID_OK;
}

enum openid_err
openid_check_op_endpoint(struct openid_msg *msg, const char *endpoint)
{
	const char *v;

	msg->errkey = NULL;
	if ((v = openid_get(msg, "op_endpoint")) == NULL)
		return fail(msg, "op_endpoint", OPENID_EMISSING);
	if (strcmp(v, endpoint) != 0)
		return fail(msg, "op_endpoint", OPENID_EENDPOINT);
	return OPENID_OK;
}

/* ----------------------------------------------------------------------
 * return_to
 */

struct url {
	struct span scheme, host, path, query;
	unsigned    port;     /* explicit or the scheme's default */
	int         hasquery; /* a '?', even with nothing after it */
};

/* Printable ASCII, no space, no fragment. */
static int
url_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == '#')
			return 0;
	return 1;
}

static int
host_ok(const struct span *h)
{
	const char   *ok;
	size_t        i;
	unsigned char c;

	if (h->len == 0)
		return 0;
	ok = h->p[0] == '[' ?
	    "0123456789abcdefABCDEF:." :
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	for (i = h->p[0] == '['; i < h->len - (h->p[0] == '['); i++) {
		c = (unsigned char)h->p[i];
		if (strchr(ok, c) == NULL)
			return 0;
	}
	return h->p[0] != '[' || (h->len > 2 && h->p[h->len - 1] == ']');
}

/* ":1".."65535" after the host, or nothing: the scheme's default. */
static int
port_parse(const struct span *sp, unsigned dflt, unsigned *port)
{
	size_t i;

	if (sp->len == 0) {
		*port = dflt;
		return 1;
	}
	if (sp->p[0] != ':' || sp->len < 2 || sp->len > 6)
		return 0;
	for (*port = 0, i = 1; i < sp->len; i++) {
		if (sp->p[i] < '0' || sp->p[i] > '9')
			return 0;
		*port = *port * 10 + (unsigned)(sp->p[i] - '0');
	}
	return *port >= 1 && *port <= 65535;
}

/* Splits the authority into host and port. */
static int
authority_parse(const struct span *auth, unsigned dflt, struct url *u)
{
	const char *end, *colon;
	struct span port;

	if (memchr(auth->p, '@', auth->len) != NULL)
		return 0;
	end = auth->p + auth->len;
	if (auth->len > 0 && auth->p[0] == '[') {
		if ((colon = memchr(auth->p, ']', auth->len)) == NULL)
			return 0;
		colon++;
	} else if ((colon = memchr(auth->p, ':', auth->len)) == NULL)
		colon = end;
	u->host.p = auth->p;
	u->host.len = (size_t)(colon - auth->p);
	port.p = colon;
	port.len = (size_t)(end - colon);
	return host_ok(&u->host) && port_parse(&port, dflt, &u->port);
}

/* An absolute http or https URL without userinfo or fragment. */
static int
url_parse(const char *s, struct url *u)
{
	static const struct span http = { "http", 4 }, https = { "https", 5 };
	const char              *sep, *rest, *q;
	struct span              auth;
	unsigned                 dflt;

	memset(u, 0, sizeof(*u));
	if (!url_chars_ok(s) || (sep = strstr(s, "://")) == NULL)
		return 0;
	u->scheme.p = s;
	u->scheme.len = (size_t)(sep - s);
	if (span_eq_nocase(&u->scheme, &http))
		dflt = 80;
	else if (span_eq_nocase(&u->scheme, &https))
		dflt = 443;
	else
		return 0;
	auth.p = sep + 3;
	auth.len = strcspn(auth.p, "/?");
	if (!authority_parse(&auth, dflt, u))
		return 0;
	rest = auth.p + auth.len;
	u->path.p = rest;
	u->path.len = strcspn(rest, "?");
	if ((q = strchr(rest, '?')) != NULL) {
		u->hasquery = 1;
		u->query.p = q + 1;
		u->query.len = strlen(q + 1);
	}
	return 1;
}

static enum openid_err
rt_compare(const struct url *cb, const struct url *rt)
{
	if (!span_eq_nocase(&cb->scheme, &rt->scheme))
		return OPENID_ERT_SCHEME;
	if (!span_eq_nocase(&cb->host, &rt->host))
		return OPENID_ERT_HOST;
	if (cb->port != rt->port)
		return OPENID_ERT_PORT;
	if (cb->path.len != rt->path.len ||
	    memcmp(cb->path.p, rt->path.p, cb->path.len) != 0)
		return OPENID_ERT_PATH;
	return OPENID_OK;
}

/* return_to's own query: unique keys, none of them openid.*. */
static enum openid_err
rt_query(struct arena *a, struct openid_msg *msg, const struct url *rt,
    struct kvlist *rtq)
{
	const char *dup;
	size_t      i;

	switch (form_parse_urlencoded(a, rt->query.p, rt->query.len,
	    OPENID_RT_MAX_PARAMS, rtq)) {
	case APP_OK:
		break;
	case APP_ENOMEM:
		return OPENID_ENOMEM;
	default:
		return fail(msg, "return_to", OPENID_ERT_QUERY);
	}
	if ((dup = openid_kv_dupkey(rtq)) != NULL)
		return fail(msg, dup, OPENID_ERT_QUERY);
	for (i = 0; i < rtq->n; i++)
		if (has_prefix(rtq->v[i].key, PREFIX))
			return fail(msg, rtq->v[i].key, OPENID_ERT_QUERY);
	return OPENID_OK;
}

/* OpenID 2.0 §11.1: the request carries exactly return_to's parameters. */
static enum openid_err
rt_params(struct openid_msg *msg, const struct kvlist *rtq,
    const struct kvlist *query, const struct kvlist *body)
{
	const struct kv *got, *want;
	size_t           i, n;

	for (i = 0; i < rtq->n; i++) {
		want = &rtq->v[i];
		if ((n = kv_count(query, want->key)) == 0)
			return fail(msg, want->key, OPENID_ERT_PARAM_MISSING);
		if (n > 1)
			return fail(msg, want->key, OPENID_ERT_PARAM_DUP);
		got = kv_find(query, want->key);
		if (got->vlen != want->vlen ||
		    memcmp(got->val, want->val, want->vlen) != 0)
			return fail(msg, want->key, OPENID_ERT_PARAM_VALUE);
	}
	for (i = 0; i < query->n; i++)
		if (!has_prefix(query->v[i].key, PREFIX) &&
		    kv_find(rtq, query->v[i].key) == NULL)
			return fail(msg, query->v[i].key,
			    OPENID_ERT_PARAM_EXTRA);
	for (i = 0; body != NULL && i < body->n; i++)
		if (!has_prefix(body->v[i].key, PREFIX))
			return fail(msg, body->v[i].key,
			    OPENID_ERT_PARAM_EXTRA);
	return OPENID_OK;
}

enum openid_err
openid_check_return_to(struct arena *a, struct openid_msg *msg,
    const char *callback, const struct kvlist *query, const struct kvlist *body,
    const char **state)
{
	static const struct kvlist none = { NULL, 0 };
	struct url                 cb, rt;
	struct kvlist              rtq;
	const struct kv           *st;
	const char                *v;
	enum openid_err            e;

	*state = NULL;
	msg->errkey = NULL;
	if (!url_parse(callback, &cb) || cb.hasquery)
		return OPENID_ECALLBACK;
	if ((v = openid_get(msg, "return_to")) == NULL)
		return fail(msg, "return_to", OPENID_EMISSING);
	if (!url_parse(v, &rt))
		return fail(msg, "return_to", OPENID_ERT_URL);
	if ((e = rt_compare(&cb, &rt)) != OPENID_OK)
		return fail(msg, "return_to", e);
	if ((e = rt_query(a, msg, &rt, &rtq)) != OPENID_OK)
		return e;
	if ((e = rt_params(msg, &rtq, query != NULL ? query : &none, body)) !=
	    OPENID_OK)
		return e;
	if ((st = kv_find(&rtq, OPENID_STATE_PARAM)) == NULL || st->vlen == 0)
		return fail(msg, "return_to", OPENID_ERT_STATE);
	*state = st->val;
	return OPENID_OK;
}

/* ----------------------------------------------------------------------
 * Claimed identifier
 */

static int
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

enum openid_err
openid_check_claimed_id(struct arena *a, struct openid_msg *msg,
    const char *prefix, const char **claimed)
{
	const char *cid, *idy;
	size_t      len, plen, i;

	*claimed = NULL;
	msg->errkey = NULL;
	if ((plen = strlen(prefix)) == 0)
		return OPENID_EINTERNAL;
	if ((cid = openid_get(msg, "claimed_id")) == NULL)
		return fail(msg, "claimed_id", OPENID_EMISSING);
	if ((idy = openid_get(msg, "identity")) == NULL)
		return fail(msg, "identity", OPENID_EMISSING);
	len = strcspn(cid, "#");
	if (len > OPENID_CLAIMED_MAX || len <= plen ||
	    len - plen > CLAIMED_SUFFIX_MAX || memcmp(cid, prefix, plen) != 0)
		return fail(msg, "claimed_id", OPENID_ECLAIMED);
	for (i = plen; i < len; i++)
		if (!is_alnum((unsigned char)cid[i]))
			return fail(msg, "claimed_id", OPENID_ECLAIMED);
	if (strlen(idy) != len || memcmp(idy, cid, len) != 0)
		return fail(msg, "identity", OPENID_EIDENTITY);
	if ((*claimed = arena_strndup(a, cid, len)) == NULL)
		return OPENID_ENOMEM;
	return OPENID_OK;
}

/* ----------------------------------------------------------------------
 * The signed list and the signature
 */

/* A signed name: printable ASCII without ',' or ':' (it ends at ':'). */
static int
signed_name_ok(const struct span *sp)
{
	size_t        i;
	unsigned char c;

	if (sp->len == 0)
		return 0;
	for (i = 0; i < sp->len; i++) {
		c = (unsigned char)sp->p[i];
		if (c <= ' ' || c >= 0x7f || c == ':')
			return 0;
	}
	return 1;
}

/* The field named by sp, or NULL. */
static const struct kv *
field_span(const struct openid_msg *msg, const struct span *sp)
{
	size_t i;

	for (i = 0; i < msg->f.n; i++)
		if (span_eq(sp, msg->f.v[i].key))
			return &msg->f.v[i];
	return NULL;
}

/* One name of the list: well-formed, present, new, writable as "k:v\n". */
static enum openid_err
signed_one(struct arena *a, struct openid_msg *msg, const struct span *sp,
    const char **names, size_t n)
{
	const struct kv *kv;
	size_t           i;

	if (!signed_name_ok(sp))
		return fail(msg, "signed", OPENID_ESIGNED);
	if ((kv = field_span(msg, sp)) == NULL)
		return fail(msg, arena_strndup(a, sp->p, sp->len),
		    OPENID_ESIGNED_ABSENT);
	for (i = 0; i < n; i++)
		if (names[i] == kv->key) /* keys are unique */
			return fail(msg, kv->key, OPENID_ESIGNED_DUP);
	if (memchr(kv->val, '\n', kv->vlen) != NULL)
		return fail(msg, kv->key, OPENID_ESIGNED_VALUE);
	names[n] = kv->key;
	return OPENID_OK;
}

enum openid_err
openid_msg_parse_signed(struct arena *a, struct openid_msg *msg)
{
	const char     *list, *p, *comma, **names;
	struct span     sp;
	size_t          n, count;
	enum openid_err e;

	msg->sgn = NULL;
	msg->nsgn = 0;
	msg->errkey = NULL;
	if ((list = openid_get(msg, "signed")) == NULL)
		return fail(msg, "signed", OPENID_ESIGNED);
	for (count = 1, p = list; (p = strchr(p, ',')) != NULL; p++)
		count++;
	if ((names = arena_calloc(a, count, sizeof(*names))) == NULL)
		return OPENID_ENOMEM;
	for (n = 0, p = list; n < count; n++, p = comma + 1) {
		if ((comma = strchr(p, ',')) == NULL)
			comma = p + strlen(p);
		sp.p = p;
		sp.len = (size_t)(comma - p);
		if ((e = signed_one(a, msg, &sp, names, n)) != OPENID_OK)
			return e;
	}
	msg->sgn = names;
	msg->nsgn = count;
	return OPENID_OK;
}

enum openid_err
openid_check_signed_required(struct openid_msg *msg)
{
	static const char *const req[] = { "op_endpoint", "return_to",
		"response_nonce", "assoc_handle", "claimed_id", "identity" };
	size_t                   i;

	msg->errkey = NULL;
	if (msg->nsgn == 0)
		return fail(msg, "signed", OPENID_EUNSIGNED);
	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!openid_is_signed(msg, req[i]))
			return fail(msg, req[i], OPENID_EUNSIGNED);
	return OPENID_OK;
}

enum openid_err
openid_sig_base(struct arena *a, const struct openid_msg *msg, char **m,
    size_t *mlen)
{
	const struct kv *kv;
	size_t           i, len = 0, klen;
	char            *buf, *p;

	*m = NULL;
	*mlen = 0;
	if (msg->nsgn == 0)
		return OPENID_ESIGNED;
	for (i = 0; i < msg->nsgn; i++)
		len += strlen(msg->sgn[i]) + field(msg, msg->sgn[i])->vlen + 2;
	if ((buf = arena_alloc(a, len + 1)) == NULL)
		return OPENID_ENOMEM;
	for (p = buf, i = 0; i < msg->nsgn; i++) {
		kv = field(msg, msg->sgn[i]);
		klen = strlen(kv->key);
		memcpy(p, kv->key, klen);
		p += klen;
		*p++ = ':';
		memcpy(p, kv->val, kv->vlen);
		p += kv->vlen;
		*p++ = '\n';
	}
	*p = '\0';
	*m = buf;
	*mlen = len;
	return OPENID_OK;
}

/* Streams the base string into the HMAC: no copy of the message. */
enum openid_err
openid_sig_hmac256(const struct openid_msg *msg, const unsigned char *key,
    size_t keylen, unsigned char mac[32])
{
	crypto_auth_hmacsha256_state st;
	const struct kv             *kv;
	size_t                       i;

	if (msg->nsgn == 0)
		return OPENID_ESIGNED;
	if (key == NULL)
		return OPENID_EINTERNAL;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	for (i = 0; i < msg->nsgn; i++) {
		kv = field(msg, msg->sgn[i]);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)kv->key, strlen(kv->key));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)":",
		    1);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)kv->val, kv->vlen);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n",
		    1);
	}
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	return OPENID_OK;
}

enum openid_err
openid_sig_sign256(struct arena *a, const struct openid_msg *msg,
    const unsigned char *key, size_t keylen, const char **sig)
{
	unsigned char   mac[32];
	char           *b64;
	enum openid_err e;

	*sig = NULL;
	if ((e = openid_sig_hmac256(msg, key, keylen, mac)) != OPENID_OK)
		return e;
	if ((b64 = arena_alloc(a, SIG_B64_SIZE)) == NULL)
		return OPENID_ENOMEM;
	sodium_bin2base64(b64, SIG_B64_SIZE, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof(mac));
	*sig = b64;
	return OPENID_OK;
}

/*
 * Canonical padded base64 of at most max bytes, nothing after it.  On
 * error out is zeroed and -1 returned.  Only the alphabet is let through
 * to libsodium: 1.0.18 decodes any byte over 0x7f as '/', so one
 * signature would have many spellings.
 */
static int
b64_decode(const char *s, unsigned char *out, size_t max, size_t *outlen)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	const char *end;
	size_t      len = strlen(s);

	if (strspn(s, alphabet) != len ||
	    sodium_base642bin(out, max, s, len, NULL, outlen, &end,
		sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + len) {
		sodium_memzero(out, max);
		*outlen = 0;
		return -1;
	}
	return 0;
}

/* Exactly 32 bytes. */
static int
b64_key32(const char *s, unsigned char out[32])
{
	size_t n;

	if (b64_decode(s, out, 32, &n) == -1)
		return -1;
	if (n != 32) {
		sodium_memzero(out, 32);
		return -1;
	}
	return 0;
}

enum openid_err
openid_sig_verify256(struct openid_msg *msg, const unsigned char *key,
    size_t keylen)
{
	unsigned char   got[32], want[32];
	const char     *sig;
	enum openid_err e;

	msg->errkey = NULL;
	if ((sig = openid_get(msg, "sig")) == NULL)
		return fail(msg, "sig", OPENID_EMISSING);
	if (b64_key32(sig, got) == -1)
		return fail(msg, "sig", OPENID_ESIG_FORMAT);
	if ((e = openid_sig_hmac256(msg, key, keylen, want)) != OPENID_OK)
		return fail(msg, "signed", e);
	e = sodium_memcmp(got, want, sizeof(want)) == 0 ?
	    OPENID_OK :
	    fail(msg, "sig", OPENID_ESIG);
	sodium_memzero(want, sizeof(want));
	return e;
}

/* ----------------------------------------------------------------------
 * Nonce
 */

/* n ASCII digits as a number, or -1. */
static int
digits(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* The time of "YYYY-MM-DDTHH:MM:SSZ" at s, or -1 when it is no time. */
static int
nonce_time(const char *s, time_t *t)
{
	struct tm tm, back;
	int       year, mon, mday, hour, min, sec;

	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	if ((year = digits(s, 4)) == -1 || (mon = digits(s + 5, 2)) < 1 ||
	    mon > 12 || (mday = digits(s + 8, 2)) < 1 || mday > 31 ||
	    (hour = digits(s + 11, 2)) == -1 || hour > 23 ||
	    (min = digits(s + 14, 2)) == -1 || min > 59 ||
	    (sec = digits(s + 17, 2)) == -1 || sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*t = timegm(&tm);
	/* timegm() normalises Feb 30 to Mar 2: a real date comes back. */
	if (gmtime_r(t, &back) == NULL || back.tm_year != tm.tm_year ||
	    back.tm_mon != tm.tm_mon || back.tm_mday != mday)
		return -1;
	return 0;
}

enum openid_err
openid_nonce_check(const char *nonce, time_t now, long window, time_t *stamp)
{
	time_t t;
	size_t len, i;

	if (stamp != NULL)
		*stamp = 0;
	if (window < 0)
		return OPENID_EINTERNAL;
	len = strnlen(nonce, OPENID_NONCE_MAX + 1);
	if (len < NONCE_STAMP || len > OPENID_NONCE_MAX)
		return OPENID_ENONCE_FORMAT;
	for (i = NONCE_STAMP; i < len; i++)
		if (nonce[i] < '!' || nonce[i] > '~')
			return OPENID_ENONCE_FORMAT;
	if (nonce_time(nonce, &t) == -1)
		return OPENID_ENONCE_FORMAT;
	if (stamp != NULL)
		*stamp = t;
	if (t < now - window)
		return OPENID_ENONCE_OLD;
	if (t > now + window)
		return OPENID_ENONCE_FUTURE;
	return OPENID_OK;
}

/* ----------------------------------------------------------------------
 * Extensions
 */

/* OpenID 2.0 §12: an alias has no '.' and is not a core field's name. */
static int
alias_ok(const char *alias)
{
	static const char *const core[] = { "ns", "mode", "op_endpoint",
		"claimed_id", "identity", "return_to", "realm",
		"response_nonce", "invalidate_handle", "assoc_handle", "signed",
		"sig", "error", "error_code", "contact", "reference" };
	size_t                   i;

	if (alias[0] == '\0' || strchr(alias, '.') != NULL)
		return 0;
	for (i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		if (strcmp(alias, core[i]) == 0)
			return 0;
	return 1;
}

/* The one "ns.<alias>" field declaring ns: 0 none, 1 one, -1 several. */
static int
ext_decl(const struct openid_msg *msg, const char *ns, const struct kv **decl)
{
	size_t i;

	*decl = NULL;
	for (i = 0; i < msg->f.n; i++) {
		if (!has_prefix(msg->f.v[i].key, "ns.") ||
		    strcmp(msg->f.v[i].val, ns) != 0)
			continue;
		if (*decl != NULL) {
			*decl = &msg->f.v[i];
			return -1;
		}
		*decl = &msg->f.v[i];
	}
	return *decl != NULL;
}

enum openid_err
openid_ext_check(struct openid_msg *msg, const char *ns, const char **alias)
{
	const struct kv *decl;
	const char      *al, *k;
	size_t           alen, i;

	if (alias != NULL)
		*alias = NULL;
	msg->errkey = NULL;
	switch (ext_decl(msg, ns, &decl)) {
	case 0:
		return OPENID_EEXT_ABSENT;
	case -1:
		return fail(msg, decl->key, OPENID_EEXT_ALIAS);
	}
	al = decl->key + 3;
	if (!alias_ok(al))
		return fail(msg, decl->key, OPENID_EEXT_ALIAS);
	if (!openid_is_signed(msg, decl->key))
		return fail(msg, decl->key, OPENID_EEXT_UNSIGNED);
	alen = strlen(al);
	for (i = 0; i < msg->f.n; i++) {
		k = msg->f.v[i].key;
		if (strncmp(k, al, alen) == 0 && k[alen] == '.' &&
		    !openid_is_signed(msg, k))
			return fail(msg, k, OPENID_EEXT_UNSIGNED);
	}
	if (alias != NULL)
		*alias = al;
	return OPENID_OK;
}

const char *
openid_ext_get(struct openid_msg *msg, const char *ns, const char *name)
{
	char        key[FORM_KEY_MAX + 1];
	const char *alias;
	size_t      alen, nlen;

	if (openid_ext_check(msg, ns, &alias) != OPENID_OK)
		return NULL;
	alen = strlen(alias);
	nlen = strlen(name);
	if (alen + 1 + nlen >= sizeof(key))
		return NULL;
	memcpy(key, alias, alen);
	key[alen] = '.';
	memcpy(key + alen + 1, name, nlen + 1);
	return openid_get(msg, key);
}

/* ----------------------------------------------------------------------
 * Launchpad names
 */

int
openid_valid_lp_name(const char *s, size_t len)
{
	size_t        i;
	unsigned char c;

	if (len < 2 || len > OPENID_LP_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i == 0 || (c != '+' && c != '.' && c != '-'))
			return 0;
	}
	return 1;
}

/* ----------------------------------------------------------------------
 * Associations: no-encryption only
 */

static const char *
kv_value(const struct kvlist *kv, const char *key)
{
	const struct kv *p = kv_find(kv, key);

	return p != NULL ? p->val : NULL;
}

static int
is_eq(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
}

/* 1..255 printable ASCII (OpenID 2.0 §8.2.1). */
static int
valid_handle(const char *h)
{
	size_t i;

	for (i = 0; h != NULL && h[i] != '\0'; i++)
		if (i == 255 || h[i] < 0x21 || h[i] > 0x7e)
			return 0;
	return h != NULL && i > 0;
}

enum openid_err
openid_assoc_answer(const struct kvlist *kv, const char **handle,
    unsigned char key[OPENID_MAC_KEY_LEN])
{
	const char *mac_key = kv_value(kv, "mac_key");

	sodium_memzero(key, OPENID_MAC_KEY_LEN);
	*handle = NULL;
	/* A Diffie-Hellman answer is refused, whatever else it holds. */
	if (!is_eq(kv_value(kv, "session_type"), "no-encryption") ||
	    kv_find(kv, "dh_server_public") != NULL ||
	    kv_find(kv, "enc_mac_key") != NULL)
		return OPENID_EASSOC_SESSION;
	if (!is_eq(kv_value(kv, "ns"), OPENID_NS) ||
	    !is_eq(kv_value(kv, "assoc_type"), "HMAC-SHA256") ||
	    !valid_handle(kv_value(kv, "assoc_handle")))
		return OPENID_EASSOC;
	if (mac_key == NULL || b64_key32(mac_key, key) == -1) {
		sodium_memzero(key, OPENID_MAC_KEY_LEN);
		return OPENID_EMAC_KEY;
	}
	*handle = kv_value(kv, "assoc_handle");
	return OPENID_OK;
}
