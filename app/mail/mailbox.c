/*
 * mailbox.c - a mailbox's life: created, unlocked, opened, locked, a new
 * password, reset; what its alias does with mail.  See mailbox.h; the
 * messages themselves are messages.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/gate.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "mail/mailbox.h"
#include "store/audit.h"
#include "store/db.h"

#define HEX(n)      ((n)*2 + 1)
#define ADDRESS_MAX 320

/* A mailbox's row as the rules here need it. */
struct row {
	long long        id, alias_id;
	char             address[ADDRESS_MAX + 1];
	struct mbox_keys keys;
};

static const char *const delivery_names[] = { "forward", "keep", "both" };

const char *
delivery_name(enum delivery d)
{
	return delivery_names[d];
}

int
delivery_from_name(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, delivery_names[i]) == 0)
			return i;
	return -1;
}

const char *
mailbox_password_problem(const char *pw)
{
	size_t      chars = 0;
	const char *p;

	for (p = pw; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	if (chars < MAILBOX_PASSWORD_MIN)
		return N_("A mailbox password has at least 12 characters: "
			  "four or five random words are easy to remember "
			  "and hard to guess.");
	if (strlen(pw) > MBOX_PASSWORD_MAX)
		return N_("A mailbox password has at most 1024 bytes.");
	return NULL;
}

/* A hex column into exactly n bytes; -1 if it is not that. */
static int
unhex(unsigned char *out, size_t n, const PGresult *res, int row, int col)
{
	return db_hex(res, row, col, out, n) == (long)n ? 0 : -1;
}

/* Runs stmt with the two ids as its $1 and $2. */
static PGresult *
exec_ids(struct db *db, enum stmt stmt, long long id1, long long id2,
    enum app_err *e)
{
	char        ids[2][24];
	const char *params[2] = { ids[0], ids[1] };

	snprintf(ids[0], sizeof(ids[0]), "%lld", id1);
	snprintf(ids[1], sizeof(ids[1]), "%lld", id2);
	return db_exec(db, stmt, 2, params, e);
}

/* The user's mailbox and its keys; APP_ENOTFOUND if not theirs. */
static enum app_err
load(struct db *db, long long user_id, long long mailbox_id, struct row *r)
{
	PGresult    *res;
	enum app_err e = APP_OK;

	if ((res = exec_ids(db, STMT_MBOX_GET, mailbox_id, user_id, &e)) ==
	    NULL)
		return e;
	memset(r, 0, sizeof(*r));
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else if (unhex(r->keys.pk, MBOX_PK_BYTES, res, 0, MBOX_GET_PK) == -1 ||
	    unhex(r->keys.wrapped_sk, MBOX_WRAP_BYTES, res, 0, MBOX_GET_WRAP) ==
		-1 ||
	    unhex(r->keys.nonce, MBOX_NONCE_BYTES, res, 0, MBOX_GET_NONCE) ==
		-1 ||
	    unhex(r->keys.salt, MBOX_SALT_BYTES, res, 0, MBOX_GET_SALT) == -1)
		e = APP_EINTERNAL;
	if (e == APP_OK) {
		r->id = db_ll(res, 0, MBOX_GET_ID);
		r->alias_id = db_ll(res, 0, MBOX_GET_ALIAS);
		snprintf(r->address, sizeof(r->address), "%s",
		    db_str(res, 0, MBOX_GET_ADDRESS));
		r->keys.limits.opslimit = (unsigned long long)db_ll(res, 0,
		    MBOX_GET_OPS);
		r->keys.limits.memlimit = (size_t)db_ll(res, 0, MBOX_GET_MEM);
	}
	PQclear(res);
	return e;
}

/* An Argon2id derivation's outcome as an error of the rules. */
static enum app_err
mbox_err_app(enum mbox_err m)
{
	switch (m) {
	case MBOX_OK:
		return APP_OK;
	case MBOX_EDENIED:
		return APP_EINVALID;
	case MBOX_ENOMEM:
		return APP_ENOMEM;
	default:
		return APP_EINTERNAL;
	}
}

static enum app_err
gate(void)
{
	if (gate_enter(MAILBOX_GATE_WAIT_MS) == 0)
		return APP_OK;
	log_warn("pwhash_busy", LOG_INT("waited_ms", MAILBOX_GATE_WAIT_MS),
	    LOG_STR("msg",
		"every Argon2id place stayed taken (pwhash_concurrency)"));
	return APP_ERATELIMIT;
}

/* Hex of the key columns, for the statements. */
struct keys_hex {
	char pk[HEX(MBOX_PK_BYTES)], wrap[HEX(MBOX_WRAP_BYTES)];
	char nonce[HEX(MBOX_NONCE_BYTES)], salt[HEX(MBOX_SALT_BYTES)];
	char ops[24], mem[24];
};

static void
to_hex(struct keys_hex *h, const struct mbox_keys *k)
{
	sodium_bin2hex(h->pk, sizeof(h->pk), k->pk, MBOX_PK_BYTES);
	sodium_bin2hex(h->wrap, sizeof(h->wrap), k->wrapped_sk,
	    MBOX_WRAP_BYTES);
	sodium_bin2hex(h->nonce, sizeof(h->nonce), k->nonce, MBOX_NONCE_BYTES);
	sodium_bin2hex(h->salt, sizeof(h->salt), k->salt, MBOX_SALT_BYTES);
	snprintf(h->ops, sizeof(h->ops), "%llu", k->limits.opslimit);
	snprintf(h->mem, sizeof(h->mem), "%zu", k->limits.memlimit);
}

/* One change and its audit row, inside db_tx. */
struct change {
	const struct actor *actor;
	const char         *params[8];
	int                 nparams;
	enum stmt           stmt;
	struct audit_event  ev;
	int                 col;       /* the statement's column read */
	const char         *count_key; /* after = {count_key: count} */
	char                after[96];
	long long           count; /* the statement's first column */
};

static enum app_err
change_tx(struct db *db, void *arg)
{
	struct change *c = arg;
	PGresult      *res;
	enum app_err   e;

	if ((res = db_exec(db, c->stmt, c->nparams, c->params, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ECONFLICT;
	}
	c->count = db_ll(res, 0, c->col);
	PQclear(res);
	if (c->count_key != NULL) {
		snprintf(c->after, sizeof(c->after), "{\"%s\": %lld}",
		    c->count_key, c->count);
		c->ev.after = c->after;
	}
	return audit_write(db, c->actor, &c->ev);
}

static void
set_event(struct change *c, const char *action, long long id, const char *label)
{
	c->ev.action = action;
	c->ev.target_type = "mailbox";
	c->ev.target_id = id;
	c->ev.target_label = label;
}

/* The alias's address and mailbox (0: none); APP_ENOTFOUND if not theirs. */
static enum app_err
alias_of(struct db *db, long long user_id, long long alias_id,
    char address[ADDRESS_MAX + 1], long long *mailbox_id)
{
	PGresult    *res;
	enum app_err e = APP_OK;

	if ((res = exec_ids(db, STMT_MBOX_ALIAS, alias_id, user_id, &e)) ==
	    NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		snprintf(address, ADDRESS_MAX + 1, "%s",
		    db_str(res, 0, MBOX_ALIAS_ADDRESS));
		*mailbox_id = db_ll(res, 0, MBOX_ALIAS_MAILBOX);
	}
	PQclear(res);
	return e;
}

enum app_err
mailbox_create(struct db *db, const struct actor *a, long long user_id,
    long long alias_id, const char *pw, const struct pwhash_limits *limits,
    long long quota, long long *mailbox_id)
{
	struct mbox_keys k;
	struct keys_hex  h;
	struct change    c = { .actor = a,
		   .nparams = 8,
		   .stmt = STMT_MBOX_CREATE,
		   .col = MBOX_CREATE_ID,
		   .count_key = "mailbox" };
	char             address[ADDRESS_MAX + 1], ids[2][24];
	long long        existing = 0;
	enum app_err     e;

	if (mailbox_password_problem(pw) != NULL)
		return APP_EINVALID;
	if ((e = alias_of(db, user_id, alias_id, address, &existing)) != APP_OK)
		return e;
	if (existing != 0)
		return APP_ECONFLICT;
	if ((e = gate()) != APP_OK)
		return e;
	e = mbox_err_app(mbox_keys_create(&k, pw, strlen(pw), limits, NULL));
	gate_leave();
	if (e != APP_OK)
		return e;
	to_hex(&h, &k);
	snprintf(ids[0], sizeof(ids[0]), "%lld", alias_id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", quota);
	c.params[0] = ids[0];
	c.params[1] = h.pk;
	c.params[2] = h.wrap;
	c.params[3] = h.nonce;
	c.params[4] = h.salt;
	c.params[5] = h.ops;
	c.params[6] = h.mem;
	c.params[7] = ids[1];
	set_event(&c, "mailbox.create", 0, address);
	if ((e = db_tx(db, change_tx, &c)) == APP_OK)
		*mailbox_id = c.count;
	return e;
}

/* The secret key of the user's mailbox from its password (gated). */
static enum app_err
open_by_password(struct db *db, long long user_id, long long mailbox_id,
    const char *pw, struct row *r, unsigned char sk[MBOX_SK_BYTES])
{
	enum app_err e;

	if ((e = load(db, user_id, mailbox_id, r)) != APP_OK ||
	    (e = gate()) != APP_OK)
		return e;
	e = mbox_err_app(mbox_keys_open(&r->keys, pw, strlen(pw), sk));
	gate_leave();
	return e;
}

static int
session_bytes(unsigned char out[32], const char *session_hash)
{
	size_t n;

	return sodium_hex2bin(out, 32, session_hash, strlen(session_hash), NULL,
		   &n, NULL) == 0 &&
		n == 32 ?
	    0 :
	    -1;
}

enum app_err
mailbox_unlock(struct db *db, const struct actor *a, long long mailbox_id,
    const char *pw, const char *session_hash, int idle,
    unsigned char key[MBOX_UNLOCK_KEY_BYTES])
{
	struct row         r;
	struct mbox_unlock u;
	unsigned char      sk[MBOX_SK_BYTES], sess[32];
	char               id[24], secs[16], wrap[HEX(MBOX_WRAP_BYTES)];
	char               nonce[HEX(MBOX_NONCE_BYTES)];
	const char        *params[5] = { session_hash, id, wrap, nonce, secs };
	PGresult          *res;
	enum app_err       e;

	if (session_bytes(sess, session_hash) == -1)
		return APP_EAUTH;
	if ((e = open_by_password(db, a->user_id, mailbox_id, pw, &r, sk)) !=
	    APP_OK)
		return e;
	mbox_unlock_wrap(&u, key, sk, sess, r.id, r.keys.pk);
	sodium_memzero(sk, sizeof(sk));
	sodium_bin2hex(wrap, sizeof(wrap), u.wrapped_sk, MBOX_WRAP_BYTES);
	sodium_bin2hex(nonce, sizeof(nonce), u.nonce, MBOX_NONCE_BYTES);
	snprintf(id, sizeof(id), "%lld", r.id);
	snprintf(secs, sizeof(secs), "%d", idle);
	if ((res = db_exec(db, STMT_MBOX_UNLOCK_PUT, 5, params, &e)) == NULL)
		return e;
	e = PQntuples(res) == 1 ? APP_OK : APP_EAUTH; /* the session ended */
	PQclear(res);
	if (e != APP_OK)
		sodium_memzero(key, MBOX_UNLOCK_KEY_BYTES);
	return e;
}

/* Fills o from an STMT_MBOX_UNLOCK_GET row and the key; 0 if it opens. */
static int
open_unlock(const PGresult *res, struct arena *arena, const char *session_hash,
    long long mailbox_id, const unsigned char key[MBOX_UNLOCK_KEY_BYTES],
    struct mailbox_open *o)
{
	struct mbox_unlock u;
	unsigned char      sess[32];

	if (session_bytes(sess, session_hash) == -1 ||
	    unhex(u.wrapped_sk, MBOX_WRAP_BYTES, res, 0, MBOX_UNLOCK_WRAP) ==
		-1 ||
	    unhex(u.nonce, MBOX_NONCE_BYTES, res, 0, MBOX_UNLOCK_NONCE) == -1 ||
	    unhex(o->pk, MBOX_PK_BYTES, res, 0, MBOX_UNLOCK_PK) == -1 ||
	    mbox_unlock_open(&u, key, sess, mailbox_id, o->pk, o->sk) !=
		MBOX_OK)
		return -1;
	o->id = mailbox_id;
	o->alias_id = db_ll(res, 0, MBOX_UNLOCK_ALIAS);
	o->quota = db_ll(res, 0, MBOX_UNLOCK_QUOTA);
	o->used = db_ll(res, 0, MBOX_UNLOCK_USED);
	o->address = arena_strdup(arena, db_str(res, 0, MBOX_UNLOCK_ADDRESS));
	return o->address != NULL ? 0 : -1;
}

enum app_err
mailbox_open(struct db *db, struct arena *arena, long long user_id,
    long long mailbox_id, const char *session_hash,
    const unsigned char key[MBOX_UNLOCK_KEY_BYTES], int idle,
    struct mailbox_open *o, int *opened)
{
	char         ids[2][24], secs[16];
	const char  *params[4] = { session_hash, ids[0], ids[1], secs };
	struct row   r;
	PGresult    *res;
	enum app_err e;

	memset(o, 0, sizeof(*o));
	*opened = 0;
	snprintf(ids[0], sizeof(ids[0]), "%lld", mailbox_id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", user_id);
	snprintf(secs, sizeof(secs), "%d", idle);
	if ((res = db_exec(db, STMT_MBOX_UNLOCK_GET, 4, params, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1 && key != NULL &&
	    open_unlock(res, arena, session_hash, mailbox_id, key, o) == 0)
		*opened = 1;
	PQclear(res);
	if (*opened)
		return APP_OK;
	mailbox_close(o);
	/* Locked, or not theirs at all (then a 404, as for none). */
	return load(db, user_id, mailbox_id, &r);
}

void
mailbox_close(struct mailbox_open *o)
{
	sodium_memzero(o->sk, sizeof(o->sk));
}

enum app_err
mailbox_lock(struct db *db, long long user_id, const char *session_hash,
    long long mailbox_id)
{
	char         id[24];
	const char  *params[2] = { session_hash, id };
	struct row   r;
	PGresult    *res;
	enum app_err e;

	if ((e = load(db, user_id, mailbox_id, &r)) != APP_OK)
		return e;
	snprintf(id, sizeof(id), "%lld", mailbox_id);
	if ((res = db_exec(db, STMT_MBOX_LOCK, 2, params, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

/* A new password's statements: the new wrap, other unlocks end, audit. */
struct rewrap {
	struct change c;
	const char   *drop[2]; /* STMT_MBOX_UNLOCKS_DROP */
};

static enum app_err
rewrap_tx(struct db *db, void *arg)
{
	struct rewrap *w = arg;
	PGresult      *res;
	enum app_err   e;

	if ((e = change_tx(db, &w->c)) != APP_OK)
		return e;
	if ((res = db_exec(db, STMT_MBOX_UNLOCKS_DROP, 2, w->drop, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

/* Checks old_pw and wraps the key under new_pw, both under one gate pass. */
static enum app_err
new_wrap(struct row *r, const char *old_pw, const char *new_pw,
    const struct pwhash_limits *limits, struct mbox_keys *next)
{
	unsigned char sk[MBOX_SK_BYTES];
	enum app_err  e;

	if ((e = gate()) != APP_OK)
		return e;
	*next = r->keys;
	e = mbox_err_app(mbox_keys_open(&r->keys, old_pw, strlen(old_pw), sk));
	if (e == APP_OK)
		e = mbox_err_app(
		    mbox_keys_rewrap(next, sk, new_pw, strlen(new_pw), limits));
	gate_leave();
	sodium_memzero(sk, sizeof(sk));
	return e;
}

enum app_err
mailbox_password(struct db *db, const struct actor *a, long long mailbox_id,
    const char *old_pw, const char *new_pw, const struct pwhash_limits *limits,
    const char *session_hash)
{
	struct rewrap    w = { .c = { .actor = a,
				   .nparams = 7,
				   .stmt = STMT_MBOX_REWRAP,
				   .col = MBOX_REWRAP_ID } };
	struct row       r;
	struct mbox_keys next;
	struct keys_hex  h;
	char             id[24], old_wrap[HEX(MBOX_WRAP_BYTES)];
	enum app_err     e;

	if (mailbox_password_problem(new_pw) != NULL)
		return APP_EINVALID;
	if ((e = load(db, a->user_id, mailbox_id, &r)) != APP_OK ||
	    (e = new_wrap(&r, old_pw, new_pw, limits, &next)) != APP_OK)
		return e;
	to_hex(&h, &next);
	sodium_bin2hex(old_wrap, sizeof(old_wrap), r.keys.wrapped_sk,
	    MBOX_WRAP_BYTES);
	snprintf(id, sizeof(id), "%lld", r.id);
	w.c.params[0] = id;
	w.c.params[1] = h.wrap;
	w.c.params[2] = h.nonce;
	w.c.params[3] = h.salt;
	w.c.params[4] = h.ops;
	w.c.params[5] = h.mem;
	w.c.params[6] = old_wrap;
	w.drop[0] = id;
	w.drop[1] = session_hash != NULL ? session_hash : "";
	set_event(&w.c, "mailbox.password", r.id, r.address);
	return db_tx(db, rewrap_tx, &w);
}

enum app_err
mailbox_reset(struct db *db, const struct actor *a, long long mailbox_id,
    const char *new_pw, const struct pwhash_limits *limits,
    long long *destroyed)
{
	struct change    c = { .actor = a,
		   .nparams = 7,
		   .stmt = STMT_MBOX_RESET,
		   .col = MBOX_RESET_DESTROYED,
		   .count_key = "destroyed" };
	struct row       r;
	struct mbox_keys k;
	struct keys_hex  h;
	char             id[24];
	enum app_err     e;

	if (mailbox_password_problem(new_pw) != NULL)
		return APP_EINVALID;
	if ((e = load(db, a->user_id, mailbox_id, &r)) != APP_OK ||
	    (e = gate()) != APP_OK)
		return e;
	e = mbox_err_app(
	    mbox_keys_create(&k, new_pw, strlen(new_pw), limits, NULL));
	gate_leave();
	if (e != APP_OK)
		return e;
	to_hex(&h, &k);
	snprintf(id, sizeof(id), "%lld", r.id);
	c.params[0] = id;
	c.params[1] = h.pk;
	c.params[2] = h.wrap;
	c.params[3] = h.nonce;
	c.params[4] = h.salt;
	c.params[5] = h.ops;
	c.params[6] = h.mem;
	set_event(&c, "mailbox.reset", r.id, r.address);
	if ((e = db_tx(db, change_tx, &c)) == APP_OK)
		*destroyed = c.count;
	return e;
}

/* The alias's delivery change and its audit row. */
struct delivery_change {
	const struct actor *actor;
	const char         *params[4];
	const char         *address;
	long long           alias_id;
	enum delivery       to;
};

static enum delivery
delivery_of(int keeps, int forwards)
{
	return !keeps ? DELIVERY_FORWARD :
	    forwards  ? DELIVERY_BOTH :
			DELIVERY_KEEP;
}

static enum app_err
delivery_tx(struct db *db, void *arg)
{
	struct delivery_change *d = arg;
	struct audit_event      ev = { "alias.delivery", "alias", d->alias_id,
		     d->address, 0, NULL, NULL };
	char                    before[48], after[48];
	PGresult               *res;
	enum app_err            e;

	if ((res = db_exec(db, STMT_MBOX_DELIVERY, 4, d->params, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ECONFLICT; /* keeping, and no mailbox */
	}
	snprintf(before, sizeof(before), "{\"delivery\": \"%s\"}",
	    delivery_name(delivery_of(db_bool(res, 0, MBOX_DELIVERY_KEEPS),
		db_bool(res, 0, MBOX_DELIVERY_FORWARDS))));
	PQclear(res);
	snprintf(after, sizeof(after), "{\"delivery\": \"%s\"}",
	    delivery_name(d->to));
	ev.before = before;
	ev.after = after;
	return audit_write(db, d->actor, &ev);
}

enum app_err
mailbox_set_delivery(struct db *db, const struct actor *a, long long user_id,
    long long alias_id, enum delivery to)
{
	struct delivery_change d = { a, { NULL }, NULL, alias_id, to };
	char                   address[ADDRESS_MAX + 1], ids[2][24];
	long long              mailbox_id = 0;
	enum app_err           e;

	if ((e = alias_of(db, user_id, alias_id, address, &mailbox_id)) !=
	    APP_OK)
		return e;
	snprintf(ids[0], sizeof(ids[0]), "%lld", alias_id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", user_id);
	d.params[0] = ids[0];
	d.params[1] = ids[1];
	d.params[2] = to != DELIVERY_FORWARD ? "true" : "false";
	d.params[3] = to != DELIVERY_KEEP ? "true" : "false";
	d.address = address;
	return db_tx(db, delivery_tx, &d);
}

enum app_err
mailbox_alias_by_address(struct db *db, const char *address,
    long long *alias_id, long long *user_id)
{
	char         local[ADDRESS_MAX + 1];
	const char  *at = strrchr(address, '@');
	const char  *params[2] = { local, at != NULL ? at + 1 : "" };
	PGresult    *res;
	enum app_err e = APP_OK;

	if (at == NULL || at == address || (size_t)(at - address) > 64)
		return APP_ENOTFOUND;
	snprintf(local, sizeof(local), "%.*s", (int)(at - address), address);
	if ((res = db_exec(db, STMT_MBOX_ALIAS_BY_ADDRESS, 2, params, &e)) ==
	    NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		*alias_id = db_ll(res, 0, MBOX_BY_ADDRESS_ALIAS);
		*user_id = db_ll(res, 0, MBOX_BY_ADDRESS_USER);
	}
	PQclear(res);
	return e;
}
