/*
 * mailbox.c - the member's mailboxes: /my/mailbox (each address, its
 * mailbox, unlock and lock), creating one, its settings (forward, keep or
 * both; a new password; a reset).  The messages are mailbox_read.c's.
 * Every rule is mail/mailbox.c's; this file shows and asks.
 *
 * The unlock cookie, mm_unlock_<mailbox id> (__Host-mm_unlock_<id>, Secure,
 * on an https site), holds the key that opens this session's wrap of the
 * mailbox's secret key; HttpOnly.
 * Pages that show decrypted mail are never cached (Cache-Control:
 * no-store).  Owns nothing beyond the request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "mail/mailbox.h"
#include "store/audit.h"
#include "views/view.h"

#define UNLOCK_COOKIE    "mm_unlock_"
#define UNLOCK_B64_LEN   43 /* 32 bytes, base64url, no padding */
#define UNLOCKS_A_MINUTE 10

/* The notices of ?done=. */
static const struct page_notice notices[] = {
	{ "created",
	    N_("The mailbox is ready: mail to this address is kept in "
	       "it from now on.") },
	{ "locked", N_("The mailbox is locked.") },
	{ "deleted", N_("The selected messages are deleted.") },
	{ "password", N_("The password is changed.") },
	{ "reset", N_("The mailbox is reset: every message is destroyed.") },
	{ "delivery", N_("Saved.") },
};

void
mailbox_notice(struct view_dict *d, const char *done)
{
	page_notice(d, done, notices, sizeof(notices) / sizeof(notices[0]));
}

const char *
mailbox_size_words(struct arena *a, const struct lang *l, long long bytes)
{
	static const char *const units[] = { NC_("size unit", "KB"),
		NC_("size unit", "MB"), NC_("size unit", "GB") };
	char                     num[32];
	long long                unit = 1024, tenths;
	size_t                   u = 0;

	if (bytes < 1024)
		return arena_printf(a,
		    trn(l, "%s byte", "%s bytes", (unsigned long)bytes),
		    i18n_number(l, bytes, num, sizeof(num)));
	while (
	    u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	/* One decimal, with the language's decimal mark. */
	tenths = (bytes * 10 + unit / 2) / unit;
	snprintf(num, sizeof(num), "%lld%s%lld", tenths / 10,
	    trc(l, "decimal mark", "."), tenths % 10);
	return arena_printf(a, "%s %s", num, trc(l, "size unit", units[u]));
}

/* "1 message", "12 messages". */
static const char *
count_words(struct req *r, long long n)
{
	char num[32];

	return arena_printf(r->arena,
	    trn(r->lang, "%s message", "%s messages", (unsigned long)n),
	    i18n_number(r->lang, n, num, sizeof(num)));
}

static const char *
delivery_words(const struct lang *l, int keeps, int forwards)
{
	if (!keeps)
		return tr(l, "forwarded to your recipients");
	return forwards ? tr(l, "forwarded and kept in the mailbox") :
			  tr(l, "kept in the mailbox, not forwarded");
}

static int
https_site(const struct req *r)
{
	return strncmp(r->cfg->public_url, "https:", 6) == 0;
}

/*
 * The unlock cookie's name: with an https site __Host-mm_unlock_<id>, as
 * the session's (http/session.h), so that no sibling subdomain or plain
 * http page can set it; mm_unlock_<id> in the plain-http demo.
 */
static const char *
unlock_cookie(const struct req *r, long long id, char name[64])
{
	snprintf(name, 64, "%s" UNLOCK_COOKIE "%lld",
	    https_site(r) ? HOST_PREFIX : "", id);
	return name;
}

static int
unlock_cookie_flags(const struct req *r)
{
	return COOKIE_HTTPONLY | (https_site(r) ? COOKIE_SECURE : 0);
}

/* The key of the unlock cookie, if it is there and well formed. */
static const unsigned char *
cookie_key(struct req *r, long long id, unsigned char key[32])
{
	char             name[64];
	const struct kv *kv;
	size_t           n;

	unlock_cookie(r, id, name);
	if ((kv = kv_find(&r->cookies, name)) == NULL ||
	    kv->vlen != UNLOCK_B64_LEN ||
	    sodium_base642bin(key, 32, kv->val, kv->vlen, NULL, &n, NULL,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != 32)
		return NULL;
	return key;
}

enum app_err
mailbox_opened(struct req *r, long long id, struct mailbox_open *o, int *opened)
{
	unsigned char key[32];
	enum app_err  e;

	e = mailbox_open(r->db, r->arena, r->user->id, id, r->session_hash,
	    cookie_key(r, id, key), r->cfg->mailbox_idle, o, opened);
	sodium_memzero(key, sizeof(key));
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such mailbox of this user");
	return e;
}

enum app_err
mailbox_no_store(struct req *r)
{
	return resp_header(r, "Cache-Control", "no-store");
}

/* Adds one alias row of /my/mailbox; error_id's gets the error text. */
static void
alias_row(struct req *r, struct view_dict *d, const PGresult *res, int i,
    long long error_id, const char *error)
{
	struct view_dict *row = view_add_section(d, "ALIAS"), *m, *err;
	long long         mid, quota, used;
	int               keeps = db_bool(res, i, MBOX_LIST_KEEPS);

	if (row == NULL)
		return;
	view_set(row, "ALIAS_ID", db_str(res, i, MBOX_LIST_ALIAS));
	view_set(row, "ADDRESS", db_str(res, i, MBOX_LIST_ADDRESS));
	view_set(row, "DELIVERY",
	    delivery_words(r->lang, keeps,
		db_bool(res, i, MBOX_LIST_FORWARDS)));
	if (!db_bool(res, i, MBOX_LIST_ENABLED))
		view_show(row, "DISABLED");
	if (db_null(res, i, MBOX_LIST_MAILBOX)) {
		view_show(row, "NO_MAILBOX");
		return;
	}
	if ((m = view_add_section(row, "MAILBOX")) == NULL)
		return;
	mid = db_ll(res, i, MBOX_LIST_MAILBOX);
	quota = db_ll(res, i, MBOX_LIST_QUOTA);
	used = db_ll(res, i, MBOX_LIST_USED);
	view_set(m, "MAILBOX_ID", db_str(res, i, MBOX_LIST_MAILBOX));
	view_set(m, "MESSAGES",
	    count_words(r, db_ll(res, i, MBOX_LIST_MESSAGES)));
	view_set(m, "USED", mailbox_size_words(r->arena, r->lang, used));
	view_set(m, "QUOTA", mailbox_size_words(r->arena, r->lang, quota));
	view_set_int(m, "PERCENT", quota > 0 ? (long)(100 * used / quota) : 0);
	if (db_bool(res, i, MBOX_LIST_UNLOCKED) && mid != error_id) {
		view_show(m, "UNLOCKED");
		return;
	}
	view_show(m, "LOCKED");
	if (mid == error_id &&
	    (err = view_add_section(m, "PASSWORD_ERROR")) != NULL)
		view_set(err, "MESSAGE", tr(r->lang, error));
}

/* /my/mailbox, with an unlock error next to mailbox error_id. */
static enum app_err
list_page(struct req *r, int status, long long error_id, const char *error)
{
	struct view_dict *d;
	char              uid[24];
	const char       *params[2] = { uid, r->session_hash };
	PGresult         *res;
	enum app_err      e;
	int               i;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	snprintf(uid, sizeof(uid), "%lld", r->user->id);
	if ((res = req_sql(r, STMT_MBOX_LIST, 2, params, &e)) == NULL)
		return e;
	if (PQntuples(res) == 0)
		view_show(d, "NO_ALIASES");
	for (i = 0; i < PQntuples(res); i++)
		alias_row(r, d, res, i, error_id, error);
	if ((e = mailbox_no_store(r)) != APP_OK)
		return e;
	return page_render(r, status, tr(r->lang, "Mailboxes"),
	    "mailboxes.tpl");
}

/* GET /my/mailbox[?done=...] */
enum app_err
h_mailboxes(struct req *r)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	mailbox_notice(d, req_field(r, DONE_CODE));
	return list_page(r, 200, 0, NULL);
}

/* At most UNLOCKS_A_MINUTE password tries per user a minute. */
static enum app_err
unlock_rate(struct req *r)
{
	const char  *bucket;
	enum app_err e;

	if ((bucket = arena_printf(r->arena, "unlock:%lld", r->user->id)) ==
	    NULL)
		return APP_ENOMEM;
	if ((e = req_rate_limit(r, bucket, UNLOCKS_A_MINUTE)) == APP_ERATELIMIT)
		r->reason = N_("too many mailbox password tries");
	return e;
}

static enum app_err
set_unlock_cookie(struct req *r, long long id, const unsigned char key[32])
{
	char name[64], value[UNLOCK_B64_LEN + 1];

	sodium_bin2base64(value, sizeof(value), key, 32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return resp_cookie(r, unlock_cookie(r, id, name), value,
	    r->cfg->session_max, unlock_cookie_flags(r));
}

/* POST /my/mailbox/:id/unlock (password); the page it came from. */
enum app_err
h_mailbox_unlock(struct req *r)
{
	long long     id = req_param_id(r, PARAM_ID);
	unsigned char key[32];
	struct actor  a;
	enum app_err  e;

	if (id == 0)
		return APP_ENOTFOUND;
	if ((e = unlock_rate(r)) != APP_OK)
		return e;
	req_actor(r, ACTOR_USER, &a);
	e = mailbox_unlock(r->db, &a, id, req_field(r, MB_UNLOCK_PASSWORD),
	    r->session_hash, r->cfg->mailbox_idle, key);
	if (e == APP_EINVALID) {
		log_info("mailbox_unlock_refused", LOG_INT("mailbox", id),
		    LOG_INT("user", r->user->id));
		r->reason = N_("wrong mailbox password");
		return list_page(r, 422, id, N_("Wrong password."));
	}
	if (e == APP_ERATELIMIT)
		r->retry_after = "2";
	if (e == APP_OK)
		e = set_unlock_cookie(r, id, key);
	sodium_memzero(key, sizeof(key));
	if (e != APP_OK)
		return e;
	return resp_redirect(r, 303,
	    arena_printf(r->arena, "/my/mailbox/%lld", id));
}

/* POST /my/mailbox/:id/lock */
enum app_err
h_mailbox_lock(struct req *r)
{
	long long    id = req_param_id(r, PARAM_ID);
	char         name[64];
	enum app_err e;

	if (id == 0)
		return APP_ENOTFOUND;
	if ((e = mailbox_lock(r->db, r->user->id, r->session_hash, id)) !=
	    APP_OK) {
		if (e == APP_ENOTFOUND)
			r->reason = N_("no such mailbox of this user");
		return e;
	}
	if ((e = resp_cookie(r, unlock_cookie(r, id, name), "", 0,
		 unlock_cookie_flags(r))) != APP_OK)
		return e;
	return resp_redirect(r, 303, "/my/mailbox?done=locked");
}

/* Shows msg next to the form field `section` of the current page. */
static void
field_error(struct req *r, const char *section, const char *msg)
{
	struct view_dict *d = page_dict(r), *err;

	if (d != NULL && (err = view_add_section(d, section)) != NULL)
		view_set(err, "MESSAGE", tr(r->lang, msg));
}

/* Why a new password (typed twice) is refused, shown by its fields. */
static int
new_password_refused(struct req *r, const char *pw, const char *pw2,
    const char *section, const char *section2)
{
	const char *why = mailbox_password_problem(pw != NULL ? pw : "");

	if (why != NULL) {
		field_error(r, section, why);
		return 1;
	}
	if (pw2 == NULL || strcmp(pw, pw2) != 0) {
		field_error(r, section2, N_("The two passwords differ."));
		return 1;
	}
	return 0;
}

/* The user's alias (STMT_MBOX_ALIAS), or NULL with *e. */
static PGresult *
user_alias(struct req *r, const char *alias_id, enum app_err *e)
{
	char        uid[24];
	const char *params[2] = { alias_id, uid };
	PGresult   *res;

	snprintf(uid, sizeof(uid), "%lld", r->user->id);
	if ((res = req_sql(r, STMT_MBOX_ALIAS, 2, params, e)) == NULL)
		return NULL;
	if (PQntuples(res) != 1) {
		r->reason = N_("no such address of this user");
		*e = APP_ENOTFOUND;
		return NULL;
	}
	return res;
}

static enum app_err
new_page(struct req *r, int status, const char *alias_id)
{
	struct view_dict *d;
	PGresult         *res;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	if ((res = user_alias(r, alias_id, &e)) == NULL)
		return e;
	if (!db_null(res, 0, MBOX_ALIAS_MAILBOX))
		return resp_redirect(r, 303, "/my/mailbox");
	view_set(d, "ALIAS_ID", alias_id);
	view_set(d, "ADDRESS", db_str(res, 0, MBOX_ALIAS_ADDRESS));
	view_set_int(d, "MIN", MAILBOX_PASSWORD_MIN);
	return page_render(r, status, tr(r->lang, "A new mailbox"),
	    "mailbox_new.tpl");
}

/* GET /my/mailbox/new?alias=ID */
enum app_err
h_mailbox_new(struct req *r)
{
	return new_page(r, 200, req_field(r, MB_NEW_ALIAS));
}

static struct pwhash_limits
limits(const struct req *r)
{
	struct pwhash_limits l = { (unsigned long long)r->cfg->pwhash_opslimit,
		r->cfg->pwhash_memlimit };

	return l;
}

/* POST /my/mailbox (alias, password, password2) */
enum app_err
h_mailbox_create(struct req *r)
{
	struct pwhash_limits l = limits(r);
	struct actor         a;
	const char          *alias = req_field(r, MB_CREATE_ALIAS);
	const char          *pw = req_field(r, MB_CREATE_PASSWORD);
	long long            id = 0;
	enum app_err         e;

	if (new_password_refused(r, pw, req_field(r, MB_CREATE_PASSWORD2),
		"PASSWORD_ERROR", "PASSWORD2_ERROR")) {
		r->reason = N_("refused mailbox password");
		return new_page(r, 422, alias);
	}
	req_actor(r, ACTOR_USER, &a);
	e = mailbox_create(r->db, &a, r->user->id, strtoll(alias, NULL, 10), pw,
	    &l, (long long)r->cfg->mailbox_quota, &id);
	if (e == APP_ECONFLICT)
		return resp_redirect(r, 303, "/my/mailbox");
	if (e == APP_ERATELIMIT)
		r->retry_after = "2";
	if (e != APP_OK)
		return e;
	log_info("mailbox_created", LOG_INT("mailbox", id),
	    LOG_INT("user", r->user->id));
	return resp_redirect(r, 303, "/my/mailbox?done=created");
}

static enum app_err
settings_page(struct req *r, int status, long long id)
{
	struct view_dict *d;
	PGresult         *res, *alias;
	long long         quota, used;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	if ((res = mailbox_row(r, id, &e)) == NULL)
		return e;
	if ((alias = user_alias(r, db_str(res, 0, MBOX_GET_ALIAS), &e)) == NULL)
		return e;
	quota = db_ll(res, 0, MBOX_GET_QUOTA);
	used = db_ll(res, 0, MBOX_GET_USED);
	view_set(d, "ID", db_str(res, 0, MBOX_GET_ID));
	view_set(d, "ADDRESS", db_str(res, 0, MBOX_GET_ADDRESS));
	view_set(d, "MESSAGES", count_words(r, db_ll(res, 0, MBOX_GET_COUNT)));
	view_set(d, "USED", mailbox_size_words(r->arena, r->lang, used));
	view_set(d, "QUOTA", mailbox_size_words(r->arena, r->lang, quota));
	view_set_int(d, "PERCENT", quota > 0 ? (long)(100 * used / quota) : 0);
	view_set_int(d, "MIN", MAILBOX_PASSWORD_MIN);
	view_show(d,
	    !db_bool(alias, 0, MBOX_ALIAS_KEEPS)       ? "FORWARD_CHECKED" :
		db_bool(alias, 0, MBOX_ALIAS_FORWARDS) ? "BOTH_CHECKED" :
							 "KEEP_CHECKED");
	return page_render(r, status, tr(r->lang, "Mailbox settings"),
	    "mailbox_settings.tpl");
}

/* GET /my/mailbox/:id/settings[?done=...] */
enum app_err
h_mailbox_settings(struct req *r)
{
	long long         id = req_param_id(r, PARAM_ID);
	struct view_dict *d;

	if (id == 0 || (d = page_dict(r)) == NULL)
		return id == 0 ? APP_ENOTFOUND : APP_ENOMEM;
	mailbox_notice(d, req_field(r, DONE_CODE));
	return settings_page(r, 200, id);
}

static enum app_err
back_to_settings(struct req *r, long long id, const char *done)
{
	return resp_redirect(r, 303,
	    arena_printf(r->arena, "/my/mailbox/%lld/settings?done=%s", id,
		done));
}

PGresult *
mailbox_row(struct req *r, long long id, enum app_err *e)
{
	char        ids[2][24];
	const char *params[2] = { ids[0], ids[1] };
	PGresult   *res;

	snprintf(ids[0], sizeof(ids[0]), "%lld", id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", r->user->id);
	if ((res = req_sql(r, STMT_MBOX_GET, 2, params, e)) == NULL)
		return NULL;
	if (PQntuples(res) != 1) {
		r->reason = N_("no such mailbox of this user");
		*e = APP_ENOTFOUND;
		return NULL;
	}
	return res;
}

/* The alias of the user's mailbox id, as text; NULL with *e. */
static const char *
alias_of_mailbox(struct req *r, long long id, enum app_err *e)
{
	PGresult *res = mailbox_row(r, id, e);

	return res != NULL ? db_str(res, 0, MBOX_GET_ALIAS) : NULL;
}

/* POST /my/mailbox/:id/delivery (delivery: forward, keep or both) */
enum app_err
h_mailbox_delivery(struct req *r)
{
	long long    id = req_param_id(r, PARAM_ID);
	const char  *alias;
	struct actor a;
	int          to = delivery_from_name(req_field(r, MB_DELIVERY));
	enum app_err e;

	if (id == 0)
		return APP_ENOTFOUND;
	if ((alias = alias_of_mailbox(r, id, &e)) == NULL)
		return e;
	if (to == -1) {
		field_error(r, "DELIVERY_ERROR",
		    N_("Choose one of the three."));
		r->reason = N_("no such delivery");
		return settings_page(r, 422, id);
	}
	req_actor(r, ACTOR_USER, &a);
	if ((e = mailbox_set_delivery(r->db, &a, r->user->id,
		 strtoll(alias, NULL, 10), (enum delivery)to)) != APP_OK)
		return e;
	return back_to_settings(r, id, "delivery");
}

/* POST /my/mailbox/:id/password (old_password, password, password2) */
enum app_err
h_mailbox_password(struct req *r)
{
	struct pwhash_limits l = limits(r);
	long long            id = req_param_id(r, PARAM_ID);
	struct actor         a;
	enum app_err         e;

	if (id == 0)
		return APP_ENOTFOUND;
	if (new_password_refused(r, req_field(r, MB_NEW_PASSWORD),
		req_field(r, MB_NEW_PASSWORD2), "PASSWORD_ERROR",
		"PASSWORD2_ERROR")) {
		r->reason = N_("refused mailbox password");
		return settings_page(r, 422, id);
	}
	if ((e = unlock_rate(r)) != APP_OK)
		return e;
	req_actor(r, ACTOR_USER, &a);
	e = mailbox_password(r->db, &a, id, req_field(r, MB_OLD_PASSWORD),
	    req_field(r, MB_NEW_PASSWORD), &l, r->session_hash);
	if (e == APP_EINVALID) {
		field_error(r, "OLD_PASSWORD_ERROR", N_("Wrong password."));
		r->reason = N_("wrong mailbox password");
		return settings_page(r, 422, id);
	}
	if (e == APP_ERATELIMIT)
		r->retry_after = "2";
	if (e != APP_OK)
		return e;
	return back_to_settings(r, id, "password");
}

/* POST /my/mailbox/:id/reset (confirm: the address, password, password2) */
enum app_err
h_mailbox_reset(struct req *r)
{
	struct pwhash_limits l = limits(r);
	long long            id = req_param_id(r, PARAM_ID), destroyed = 0;
	struct actor         a;
	PGresult            *res;
	enum app_err         e;

	if (id == 0)
		return APP_ENOTFOUND;
	if ((res = mailbox_row(r, id, &e)) == NULL)
		return e;
	if (strcmp(req_field(r, MB_RESET_CONFIRM),
		db_str(res, 0, MBOX_GET_ADDRESS)) != 0) {
		field_error(r, "CONFIRM_ERROR",
		    N_("Type the address exactly: nothing was destroyed."));
		r->reason = N_("reset not confirmed");
		return settings_page(r, 422, id);
	}
	if (new_password_refused(r, req_field(r, MB_RESET_PASSWORD),
		req_field(r, MB_RESET_PASSWORD2), "RESET_PASSWORD_ERROR",
		"RESET_PASSWORD2_ERROR")) {
		r->reason = N_("refused mailbox password");
		return settings_page(r, 422, id);
	}
	req_actor(r, ACTOR_USER, &a);
	e = mailbox_reset(r->db, &a, id, req_field(r, MB_RESET_PASSWORD), &l,
	    &destroyed);
	if (e == APP_ERATELIMIT)
		r->retry_after = "2";
	if (e != APP_OK)
		return e;
	log_info("mailbox_reset", LOG_INT("mailbox", id),
	    LOG_INT("destroyed", destroyed));
	return back_to_settings(r, id, "reset");
}
