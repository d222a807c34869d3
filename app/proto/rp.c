/* rp.c - the Ubuntu One relying party: requests and checks; see rp.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/form.h"
#include "lib/log.h"
#include "lib/token.h"
#include "lib/valid.h"
#include "proto/httpc.h"
#include "proto/openid.h"
#include "proto/rp.h"
#include "store/db.h"

#define CALLBACK_PATH     "/auth/ubuntu/return"
#define IDENTIFIER_SELECT "http://specs.openid.net/auth/2.0/identifier_select"
#define KV_MAX_LINES      64
#define KV_MAX_LINE       4096
#define ASSOC_MAX_LIFE    (14L * 24 * 3600)

/*
 * Runs a statement; the result is the caller's to clear.  NULL on failure,
 * with the reason for the request's log line.
 */
static PGresult *
sql(struct rp_ctx *rp, enum stmt st, int n, const char *const *params,
    enum app_err *e)
{
	PGresult *res;

	if ((res = db_exec(rp->db, st, n, params, e)) == NULL)
		rp->reason = *e == APP_EDB ? "database unavailable" :
					     "database query failed";
	return res;
}

/* The number of rows a statement returned, or -1 on failure. */
static int
sql_rows(struct rp_ctx *rp, enum stmt st, int n, const char *const *params)
{
	PGresult    *res;
	enum app_err e;
	int          rows;

	if ((res = sql(rp, st, n, params, &e)) == NULL)
		return -1;
	rows = PQntuples(res);
	PQclear(res);
	return rows;
}

/*
 * Column col of the one row of a statement, in the arena; NULL with *e
 * APP_OK when there is no such row, else with the error.
 */
static const char *
sql_value(struct rp_ctx *rp, enum stmt st, int n, const char *const *params,
    int col, enum app_err *e)
{
	PGresult   *res;
	const char *v = NULL;

	*e = APP_OK;
	if ((res = sql(rp, st, n, params, e)) == NULL)
		return NULL;
	if (PQntuples(res) == 1 &&
	    (v = arena_strdup(rp->arena, db_str(res, 0, col))) == NULL)
		*e = APP_ENOMEM;
	PQclear(res);
	return v;
}

/* One failed check: logged with its reason, the page stays generic. */
static enum rp_result
reject(struct rp_ctx *rp, const char *why, const char *field)
{
	log_warn("signin_failed", LOG_WORD("id", rp->request_id),
	    LOG_STR("reason", why), LOG_OPT("field", field));
	return RP_FAILED;
}

static enum rp_result
reject_openid(struct rp_ctx *rp, const struct openid_msg *m, enum openid_err oe)
{
	return reject(rp, openid_strerror(oe), m->errkey);
}

/* "k=v&" for one query parameter, appended to b. */
static int
add_param(struct rp_ctx *rp, struct buf *b, const char *k, const char *v)
{
	const char *ek = form_pct_encode(rp->arena, k);
	const char *ev = form_pct_encode(rp->arena, v);

	if (ek == NULL || ev == NULL)
		return -1;
	buf_printf(b, "%s%s=%s", b->len > 0 ? "&" : "", ek, ev);
	return b->failed ? -1 : 0;
}

/* Posts a direct request; its KV response, or NULL (reason logged). */
static struct kvlist *
direct(struct rp_ctx *rp, const char *body, int retry_unsent, int *unreachable)
{
	struct http_response res;
	struct kvlist       *kv;
	enum http_outcome    out;
	enum openid_err      oe;

	*unreachable = 0;
	out = http_post_form(rp->cfg->sso_endpoint, body, rp->cfg->sso_timeout,
	    &res);
	if (out == HTTP_NOT_SENT && retry_unsent) {
		http_response_free(&res);
		out = http_post_form(rp->cfg->sso_endpoint, body,
		    rp->cfg->sso_timeout, &res);
	}
	kv = arena_calloc(rp->arena, 1, sizeof(*kv));
	if (out != HTTP_OK || res.status != 200 || kv == NULL ||
	    (oe = openid_kv_parse(rp->arena, res.body.data, res.body.len,
		 KV_MAX_LINES, KV_MAX_LINE, kv)) != OPENID_OK ||
	    openid_kv_dupkey(kv) != NULL) {
		*unreachable = out == HTTP_NOT_SENT;
		log_warn("sso_request_failed", LOG_WORD("id", rp->request_id),
		    LOG_INT("outcome", out), LOG_INT("status", res.status),
		    LOG_STR("error",
			out != HTTP_OK ? res.error :
					 "malformed key-value "
					 "response"));
		kv = NULL;
	}
	http_response_free(&res);
	return kv;
}

static const char *
kv_get(const struct kvlist *kv, const char *key)
{
	const struct kv *p = kv_find(kv, key);

	return p != NULL ? p->val : NULL;
}

/* Stores a negotiated association for every worker to use. */
static int
store_association(struct rp_ctx *rp, const char *handle, const char *expires,
    const unsigned char key[OPENID_MAC_KEY_LEN])
{
	char        hex[OPENID_MAC_KEY_LEN * 2 + 1], life[24];
	const char *p[4];
	long        secs = strtol(expires != NULL ? expires : "", NULL, 10);
	int         rc = 0;

	if (secs < 60)
		return -1;
	snprintf(life, sizeof(life), "%ld",
	    secs > ASSOC_MAX_LIFE ? ASSOC_MAX_LIFE : secs);
	sodium_bin2hex(hex, sizeof(hex), key, OPENID_MAC_KEY_LEN);
	p[0] = rp->cfg->sso_endpoint;
	p[1] = handle;
	p[2] = hex;
	p[3] = life;
	if (sql_rows(rp, STMT_ASSOC_INSERT, 4, p) == -1)
		rc = -1;
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

/*
 * associate, session type no-encryption: the secret comes back in the
 * clear, which https keeps to us (lib/conf.c admits plain http only to a
 * loopback endpoint).  An OP that answers anything else, Diffie-Hellman
 * included, is not followed: the sign-in is verified with
 * check_authentication instead.  The new handle, or NULL.
 */
static const char *
associate(struct rp_ctx *rp)
{
	unsigned char   key[OPENID_MAC_KEY_LEN];
	struct kvlist  *kv;
	struct buf      body;
	const char     *handle = NULL, *got;
	enum openid_err oe;
	int             unreachable;

	buf_init(&body, 1024);
	if (add_param(rp, &body, "openid.ns", OPENID_NS) == -1 ||
	    add_param(rp, &body, "openid.mode", "associate") == -1 ||
	    add_param(rp, &body, "openid.assoc_type", "HMAC-SHA256") == -1 ||
	    add_param(rp, &body, "openid.session_type", "no-encryption") ==
		-1 ||
	    (kv = direct(rp, buf_cstr(&body), 1, &unreachable)) == NULL) {
		buf_free(&body);
		return NULL;
	}
	buf_free(&body);
	if ((oe = openid_assoc_answer(kv, &got, key)) != OPENID_OK) {
		log_warn("sso_associate_failed", LOG_WORD("id", rp->request_id),
		    LOG_STR("error",
			kv_get(kv, "error") != NULL ? "OP refused" :
						      openid_strerror(oe)),
		    LOG_OPT("session_type", kv_get(kv, "session_type")));
		return NULL;
	}
	if (store_association(rp, got, kv_get(kv, "expires_in"), key) == 0)
		handle = got;
	sodium_memzero(key, sizeof(key));
	return handle;
}

/* A current association's handle, negotiated if needed; NULL = stateless. */
static const char *
association_handle(struct rp_ctx *rp)
{
	const char  *endpoint = rp->cfg->sso_endpoint, *handle;
	enum app_err e;

	handle = sql_value(rp, STMT_ASSOC_CURRENT, 1, &endpoint,
	    ASSOC_CURRENT_HANDLE, &e);
	return handle != NULL ? handle : associate(rp);
}

static const char *
callback_url(struct rp_ctx *rp)
{
	return arena_printf(rp->arena, "%s" CALLBACK_PATH, rp->cfg->public_url);
}

/* The teams of enabled domains, "a,b" ("" when none). */
static const char *
mapped_teams(struct rp_ctx *rp, enum app_err *e)
{
	return sql_value(rp, STMT_DOMAIN_TEAMS, 0, NULL, DOMAIN_TEAMS_LIST, e);
}

static int
request_params(struct rp_ctx *rp, struct buf *b, const char *state,
    const char *teams, const char *handle)
{
	const char *rt, *realm;

	rt = arena_printf(rp->arena, "%s?" OPENID_STATE_PARAM "=%s",
	    callback_url(rp), state);
	realm = arena_printf(rp->arena, "%s/", rp->cfg->public_url);
	if (rt == NULL || realm == NULL ||
	    add_param(rp, b, "openid.ns", OPENID_NS) == -1 ||
	    add_param(rp, b, "openid.mode", "checkid_setup") == -1 ||
	    add_param(rp, b, "openid.claimed_id", IDENTIFIER_SELECT) == -1 ||
	    add_param(rp, b, "openid.identity", IDENTIFIER_SELECT) == -1 ||
	    add_param(rp, b, "openid.return_to", rt) == -1 ||
	    add_param(rp, b, "openid.realm", realm) == -1 ||
	    add_param(rp, b, "openid.ns.sreg", OPENID_NS_SREG) == -1 ||
	    add_param(rp, b, "openid.sreg.required",
		"nickname,email,fullname") == -1)
		return -1;
	if (teams != NULL && teams[0] != '\0' &&
	    (add_param(rp, b, "openid.ns.lp", OPENID_NS_TEAMS) == -1 ||
		add_param(rp, b, "openid.lp.query_membership", teams) == -1))
		return -1;
	if (handle != NULL &&
	    add_param(rp, b, "openid.assoc_handle", handle) == -1)
		return -1;
	return 0;
}

const char *
rp_request_url(struct rp_ctx *rp, const char *state, enum app_err *e)
{
	struct buf  b;
	const char *teams = NULL, *handle = NULL, *url = NULL;

	*e = APP_OK;
	if (rp->cfg->launchpad_teams && (teams = mapped_teams(rp, e)) == NULL)
		return NULL;
	if (rp->cfg->openid_mode == SSO_ASSOCIATION)
		handle = association_handle(rp);
	buf_init(&b, 8192);
	if (request_params(rp, &b, state, teams, handle) == 0)
		url = arena_printf(rp->arena, "%s%c%s", rp->cfg->sso_endpoint,
		    strchr(rp->cfg->sso_endpoint, '?') ? '&' : '?',
		    buf_cstr(&b));
	buf_free(&b);
	if (url == NULL)
		*e = APP_ENOMEM;
	return url;
}

/* The stored secret of this assertion's association, if we have it. */
static int
association_key(struct rp_ctx *rp, struct openid_msg *m,
    unsigned char key[OPENID_MAC_KEY_LEN])
{
	const char  *p[2] = { rp->cfg->sso_endpoint, NULL };
	PGresult    *res;
	enum app_err e;
	size_t       len;
	int          ok;

	if (rp->cfg->openid_mode != SSO_ASSOCIATION ||
	    openid_get(m, "invalidate_handle") != NULL ||
	    (p[1] = openid_get(m, "assoc_handle")) == NULL)
		return 0;
	if ((res = sql(rp, STMT_ASSOC_GET, 2, p, &e)) == NULL)
		return 0;
	ok = PQntuples(res) == 1 &&
	    sodium_hex2bin(key, OPENID_MAC_KEY_LEN,
		db_str(res, 0, ASSOC_GET_SECRET),
		strlen(db_str(res, 0, ASSOC_GET_SECRET)), NULL, &len,
		NULL) == 0 &&
	    len == OPENID_MAC_KEY_LEN;
	PQclear(res);
	return ok;
}

/* The OP no longer knows a handle: no worker may use it again. */
static void
forget_handle(struct rp_ctx *rp, const char *handle)
{
	const char *p[2] = { rp->cfg->sso_endpoint, handle };

	if (handle != NULL)
		(void)sql_rows(rp, STMT_ASSOC_DELETE, 2, p);
}

/*
 * check_authentication (OpenID 2.0 §11.4.2): every field back to the pinned
 * endpoint with mode changed.  Retried only when nothing was sent: the OP
 * answers a second check of the same assertion with is_valid:false.
 */
static enum rp_result
check_authentication(struct rp_ctx *rp, struct openid_msg *m)
{
	struct buf     body;
	struct kvlist *kv;
	const char    *valid, *ns;
	size_t         i;
	int            unreachable, bad = 0;

	buf_init(&body, 64 * 1024);
	for (i = 0; i < m->f.n && !bad; i++)
		bad = add_param(rp, &body,
			  arena_printf(rp->arena, "openid.%s", m->f.v[i].key),
			  strcmp(m->f.v[i].key, "mode") == 0 ?
			      "check_authentication" :
			      m->f.v[i].val) == -1;
	kv = bad ? NULL : direct(rp, buf_cstr(&body), 1, &unreachable);
	buf_free(&body);
	if (kv == NULL)
		return bad ? reject(rp, "out of memory", NULL) :
		    unreachable ?
			     RP_UNAVAILABLE :
			     reject(rp, "check_authentication failed", NULL);
	forget_handle(rp, kv_get(kv, "invalidate_handle"));
	valid = kv_get(kv, "is_valid");
	ns = kv_get(kv, "ns");
	if (ns == NULL || strcmp(ns, OPENID_NS) != 0 || valid == NULL ||
	    strcmp(valid, "true") != 0)
		return reject(rp, "check_authentication: not valid", NULL);
	return RP_OK;
}

static enum rp_result
verify_signature(struct rp_ctx *rp, struct openid_msg *m)
{
	unsigned char   key[OPENID_MAC_KEY_LEN];
	enum openid_err oe;

	if (!association_key(rp, m, key))
		return check_authentication(rp, m);
	oe = openid_sig_verify256(m, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	return oe == OPENID_OK ? RP_OK : reject_openid(rp, m, oe);
}

/* Our state, from return_to: fresh, and now used up (one use only). */
static enum rp_result
use_state(struct rp_ctx *rp, const char *state)
{
	const char *hash = token_hash_hex(rp->arena, state);
	int         rows;

	if (hash == NULL)
		return reject(rp, "out of memory", NULL);
	if ((rows = sql_rows(rp, STMT_LOGIN_STATE_USE, 1, &hash)) == -1)
		return RP_UNAVAILABLE;
	if (rows != 1)
		return reject(rp, "state unknown, used or expired", NULL);
	return RP_OK;
}

/* After the signature: the nonce's first use, for every worker and host. */
static enum rp_result
use_nonce(struct rp_ctx *rp, struct openid_msg *m)
{
	char        keep[24];
	const char *p[3] = { rp->cfg->sso_endpoint,
		openid_get(m, "response_nonce"), keep };
	int         rows;

	snprintf(keep, sizeof(keep), "%d", 2 * rp->cfg->nonce_window);
	if ((rows = sql_rows(rp, STMT_NONCE_INSERT, 3, p)) == -1)
		return RP_UNAVAILABLE;
	if (rows != 1)
		return reject(rp, "nonce seen before: a replay", NULL);
	return RP_OK;
}

/*
 * Everything that can be checked before the signature: a message that
 * fails here costs Ubuntu One no request.
 */
static enum rp_result
check_message(struct rp_ctx *rp, const struct kvlist *query,
    const struct kvlist *body, struct openid_msg *m, struct rp_identity *id)
{
	enum openid_msg_mode mode;
	enum openid_err      oe;
	enum rp_result       rr;
	const char          *cb = callback_url(rp);

	if ((oe = openid_msg_from_params(rp->arena, body != NULL ? body : query,
		 m)) != OPENID_OK ||
	    (oe = openid_check_mode(m, &mode)) != OPENID_OK)
		return reject_openid(rp, m, oe);
	if (mode == OPENID_MODE_CANCEL)
		return RP_CANCELLED;
	if (mode != OPENID_MODE_ID_RES)
		return reject(rp, "negative assertion from the OP",
		    openid_get(m, "error"));
	if ((oe = openid_check_required(m)) != OPENID_OK ||
	    (oe = openid_check_op_endpoint(m, rp->cfg->sso_endpoint)) !=
		OPENID_OK ||
	    cb == NULL ||
	    (oe = openid_check_return_to(rp->arena, m, cb, query, body,
		 &id->state)) != OPENID_OK)
		return reject_openid(rp, m, oe);
	if ((rr = use_state(rp, id->state)) != RP_OK)
		return rr;
	if ((oe = openid_check_claimed_id(rp->arena, m,
		 rp->cfg->sso_identity_prefix, &id->claimed_id)) != OPENID_OK ||
	    (oe = openid_msg_parse_signed(rp->arena, m)) != OPENID_OK ||
	    (oe = openid_check_signed_required(m)) != OPENID_OK ||
	    (oe = openid_nonce_check(openid_get(m, "response_nonce"),
		 time(NULL), rp->cfg->nonce_window, NULL)) != OPENID_OK)
		return reject_openid(rp, m, oe);
	return RP_OK;
}

/* SREG, used only when its namespace and every field of it are signed. */
static enum rp_result
read_sreg(struct rp_ctx *rp, struct openid_msg *m, struct rp_identity *id)
{
	enum openid_err oe;

	if ((oe = openid_ext_check(m, OPENID_NS_SREG, NULL)) != OPENID_OK)
		return reject_openid(rp, m, oe);
	id->nickname = openid_ext_get(m, OPENID_NS_SREG, "nickname");
	id->email = openid_ext_get(m, OPENID_NS_SREG, "email");
	id->fullname = openid_ext_get(m, OPENID_NS_SREG, "fullname");
	if (id->nickname == NULL ||
	    !openid_valid_lp_name(id->nickname, strlen(id->nickname)))
		return reject(rp, "no valid signed nickname", id->nickname);
	/* What the schema would refuse counts as not shared. */
	if (id->email != NULL && !valid_address(id->email, strlen(id->email)))
		id->email = NULL;
	if (id->fullname != NULL &&
	    (strlen(id->fullname) > 255 ||
		!valid_text(id->fullname, strlen(id->fullname))))
		id->fullname = NULL;
	return RP_OK;
}

enum rp_result
rp_verify(struct rp_ctx *rp, const struct kvlist *query,
    const struct kvlist *body, struct rp_identity *id)
{
	struct openid_msg m;
	enum rp_result    rr;

	memset(id, 0, sizeof(*id));
	memset(&m, 0, sizeof(m));
	if ((rr = check_message(rp, query, body, &m, id)) != RP_OK ||
	    (rr = verify_signature(rp, &m)) != RP_OK ||
	    (rr = use_nonce(rp, &m)) != RP_OK)
		return rr;
	return read_sreg(rp, &m, id);
}
