/*
 * recipients.c - confirmed recipients, receipts and their undo links; see
 * recipients.h.  Owns nothing beyond a call: strings live in the caller's
 * arena, mail dictionaries are freed before returning.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/token.h"
#include "rules/alias.h"
#include "rules/notify.h"
#include "rules/recipients.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

/* The alias's owner, for mail (STMT_RCPT_ALIAS). */
struct owner {
	long long          alias_id;
	long long          domain_id;
	const char        *address; /* local@domain */
	long long          user_id;
	const char        *email;
	const char        *name;  /* display name, else Launchpad name */
	const struct lang *lang;  /* the owner's mail: theirs, else dlang */
	const struct lang *dlang; /* anyone else's: the domain's default */
};

/* Marked for the catalogue, though the mail they go into is English so far. */
const char *
rcpt_actor_words(struct arena *a, const struct actor *who)
{
	switch (who->kind) {
	case ACTOR_USER:
		return arena_printf(a, "~%s", who->name);
	case ACTOR_API:
		return arena_printf(a, N_("~%s (through the API)"), who->name);
	case ACTOR_SYNC:
		return N_("the sync");
	case ACTOR_CLI:
		return who->name != NULL ?
		    arena_printf(a, N_("the operator %s"), who->name) :
		    N_("an operator");
	default:
		return "membermail";
	}
}

/* Runs st; the result, or NULL with *e. */
static PGresult *
exec(struct db *db, enum stmt st, int n, const char *const *p, enum app_err *e)
{
	return db_exec(db, st, n, p, e);
}

static const char *
id_text(struct arena *a, long long id)
{
	return arena_printf(a, "%lld", id);
}

/* The list joined by sep, in the arena. */
static const char *
join(struct arena *a, const char *const *l, size_t n, const char *sep)
{
	const char *s = "";
	size_t      i;

	for (i = 0; s != NULL && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? sep : "", l[i]);
	return s;
}

/* A list as the '\n'-joined text the statements take. */
static const char *
lines(struct arena *a, const char *const *l, size_t n)
{
	return join(a, l, n, "\n");
}

static enum app_err
load_owner(struct db *db, struct arena *a, long long id, struct owner *o)
{
	const char  *p[1] = { id_text(a, id) };
	PGresult    *res;
	enum app_err e = APP_OK;

	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_ALIAS, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		o->alias_id = id;
		o->domain_id = db_ll(res, 0, RCPT_ALIAS_DOMAIN);
		o->user_id = db_ll(res, 0, RCPT_ALIAS_OWNER);
		if ((o->address = db_dup(a, res, 0, RCPT_ALIAS_ADDRESS)) ==
			NULL ||
		    (o->email = db_dup(a, res, 0, RCPT_ALIAS_EMAIL)) == NULL ||
		    (o->name = db_dup(a, res, 0, RCPT_ALIAS_NAME)) == NULL)
			e = APP_ENOMEM;
		o->dlang = i18n_tag(db_str(res, 0, RCPT_ALIAS_DOMAIN_LANG));
		if ((o->lang = i18n_tag(db_str(res, 0, RCPT_ALIAS_LANG))) ==
		    NULL)
			o->lang = o->dlang;
	}
	PQclear(res);
	return e;
}

static enum app_err
audit(struct db *db, const struct actor *who, const struct owner *o,
    const char *action, const char *before, const char *after)
{
	struct audit_event ev = { action, "alias", o->alias_id, o->address,
		o->domain_id, before, after };

	return audit_write(db, who, &ev);
}

/* The actor of links followed from a mail: nobody signed in. */
static const struct actor link_actor = { ACTOR_SYSTEM, 0, NULL, 0, NULL };

/*
 * {"KEY": [list]} as JSON text in the arena, with "asked_by": asked_by
 * when that is not NULL; NULL when out of memory.
 */
static const char *
list_json2(struct arena *a, const char *key, const char *const *l, size_t n,
    const char *asked_by)
{
	json_object *o, *arr;
	const char  *text = NULL;
	size_t       i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((arr = json_object_new_array()) != NULL &&
	    json_object_object_add(o, key, arr) == 0) {
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    json_object_new_string(l[i]));
		if (asked_by != NULL)
			json_object_object_add(o, "asked_by",
			    json_object_new_string(asked_by));
		text = arena_strdup(a,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else
		json_object_put(arr);
	json_object_put(o);
	return text;
}

static const char *
list_json(struct arena *a, const char *key, const char *const *l, size_t n)
{
	return list_json2(a, key, l, n, NULL);
}

/* ------------------------------------------------------------ mail */

#define MAILVALS_MAX 8

/*
 * A mail's values and shown sections, set on its dictionary by
 * mailvals_fill once its language is known; a value marked with
 * mailvals_tr is a msgid, translated then.
 */
struct mailvals {
	const char *key[MAILVALS_MAX], *val[MAILVALS_MAX];
	int         tr[MAILVALS_MAX];
	const char *show[MAILVALS_MAX];
	size_t      n, nshow;
};

static void
mv_set(struct mailvals *m, const char *key, const char *val)
{
	if (m->n < MAILVALS_MAX) {
		m->key[m->n] = key;
		m->tr[m->n] = 0;
		m->val[m->n++] = val;
	}
}

static void
mv_tr(struct mailvals *m, const char *key, const char *msgid)
{
	mv_set(m, key, msgid);
	if (m->n > 0 && m->key[m->n - 1] == key)
		m->tr[m->n - 1] = 1;
}

static void
mv_show(struct mailvals *m, const char *section)
{
	if (m->nshow < MAILVALS_MAX)
		m->show[m->nshow++] = section;
}

static enum app_err
mailvals_fill(struct view_dict *d, const void *arg)
{
	const struct mailvals *m = arg;
	size_t                 i;

	for (i = 0; i < m->n; i++)
		view_set(d, m->key[i],
		    m->tr[i] ? tr(view_lang(d), m->val[i]) : m->val[i]);
	for (i = 0; i < m->nshow; i++)
		view_show(d, m->show[i]);
	return APP_OK;
}

/* One copy of tpl to address to, in language l (NULL: English). */
static enum app_err
queue(struct db *db, const char *tpl, const char *to, const struct lang *l,
    const struct mailvals *m)
{
	struct mail_rcpt r = { to, l };

	return mail_queue(db, db_config(db), tpl, &r, 1, mailvals_fill, m);
}

/*
 * The list as a receipt may show it: addresses of other members than the
 * owner become words (a receipt names no one else's address).
 */
static const char *
shown_list(struct db *db, struct arena *a, const struct owner *o,
    const char *const *l, size_t n, enum app_err *e)
{
	const char *p[2], *s = "", *item;
	PGresult   *res;
	size_t      i;
	int         k, other;

	p[0] = lines(a, l, n);
	p[1] = id_text(a, o->user_id);
	if (p[0] == NULL || p[1] == NULL) {
		*e = APP_ENOMEM;
		return NULL;
	}
	if ((res = exec(db, STMT_RCPT_OTHER_MEMBERS, 2, p, e)) == NULL)
		return NULL;
	for (i = 0; s != NULL && i < n; i++) {
		for (other = 0, k = 0; k < PQntuples(res); k++)
			other |= strcasecmp(db_str(res, k,
						RCPT_OTHER_MEMBERS_EMAIL),
				     l[i]) == 0;
		item = other ? N_("an address of another member") : l[i];
		s = arena_printf(a, "%s%s%s", s, i ? ", " : "", item);
	}
	PQclear(res);
	if (s == NULL)
		*e = APP_ENOMEM;
	return s;
}

static int
listed(const char *const *l, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(l[i], addr) == 0)
			return 1;
	return 0;
}

/* The receipts of one change: to each previous recipient, and the owner. */
static enum app_err
mail_receipts(struct db *db, struct arena *a, const struct owner *o,
    const char *const *before, size_t nbefore, const char *const *after,
    size_t nafter, const char *actor, const char *token, const char *until)
{
	struct mailvals m;
	const char     *was, *now, *url;
	size_t          i;
	enum app_err    e = APP_OK;

	if ((was = shown_list(db, a, o, before, nbefore, &e)) == NULL ||
	    (now = shown_list(db, a, o, after, nafter, &e)) == NULL)
		return e;
	if ((url = arena_printf(a, "%s/undo/%s", db_config(db)->public_url,
		 token)) == NULL)
		return APP_ENOMEM;
	memset(&m, 0, sizeof(m));
	mv_set(&m, "ALIAS", o->address);
	mv_tr(&m, "ACTOR", actor);
	mv_set(&m, "UNDO_URL", url);
	mv_set(&m, "UNTIL", until);
	mv_show(&m, "OWNER");
	mv_set(&m, "BEFORE", was);
	mv_set(&m, "AFTER", now);
	e = queue(db, "mail_receipt.tpl", o->email, o->lang, &m);
	for (i = 0; e == APP_OK && i < nbefore; i++) {
		if (strcasecmp(before[i], o->email) == 0)
			continue; /* the owner has theirs */
		memset(&m, 0, sizeof(m));
		mv_set(&m, "ALIAS", o->address);
		mv_tr(&m, "ACTOR", actor);
		mv_set(&m, "UNDO_URL", url);
		mv_set(&m, "UNTIL", until);
		mv_show(&m,
		    listed(after, nafter, before[i]) ? "STILL" : "NO_LONGER");
		e = queue(db, "mail_receipt.tpl", before[i], o->dlang, &m);
	}
	return e;
}

static enum app_err
mail_confirm(struct db *db, struct arena *a, const struct owner *o,
    const char *address, const char *actor, const char *token,
    const char *until)
{
	struct mailvals m;
	const char     *url;

	if ((url = arena_printf(a, "%s/confirm/%s", db_config(db)->public_url,
		 token)) == NULL)
		return APP_ENOMEM;
	memset(&m, 0, sizeof(m));
	mv_set(&m, "ALIAS", o->address);
	mv_tr(&m, "ACTOR", actor);
	mv_set(&m, "ADDRESS", address);
	mv_set(&m, "CONFIRM_URL", url);
	mv_set(&m, "UNTIL", until);
	return queue(db, "mail_confirm.tpl", address, o->dlang, &m);
}

/* ------------------------------------------------------------ receipts */

enum app_err
rcpt_receipt_tx(struct db *db, struct arena *a, long long id,
    const char *const *before, size_t nbefore, const char *const *after,
    size_t nafter, const char *actor)
{
	struct owner o;
	const char  *token, *p[6];
	PGresult    *res;
	enum app_err e;
	char         days[8];

	if ((e = load_owner(db, a, id, &o)) != APP_OK)
		return e;
	snprintf(days, sizeof(days), "%d", RCPT_LINK_DAYS);
	if ((token = random_token(a)) == NULL)
		return APP_ENOMEM;
	p[0] = id_text(a, id);
	p[1] = token_hash_hex(a, token);
	p[2] = lines(a, before, nbefore);
	p[3] = lines(a, after, nafter);
	p[4] = actor;
	p[5] = days;
	if (p[0] == NULL || p[1] == NULL || p[2] == NULL || p[3] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_RECEIPT_INSERT, 6, p, &e)) == NULL)
		return e;
	e = mail_receipts(db, a, &o, before, nbefore, after, nafter, actor,
	    token, db_str(res, 0, RCPT_RECEIPT_INSERT_EXPIRES));
	PQclear(res);
	return e;
}

/* ------------------------------------------------------------ confirmation */

/*
 * Asks address to confirm for alias o: a new link, mailed, unless one
 * went out too recently or too many did (then the last link stands).
 */
static enum app_err
request(struct db *db, struct arena *a, const struct owner *o,
    const char *address, const char *actor, int *sent)
{
	const char  *token, *p[6];
	char         days[8], secs[16], max[8];
	PGresult    *res;
	enum app_err e;

	snprintf(days, sizeof(days), "%d", RCPT_LINK_DAYS);
	snprintf(secs, sizeof(secs), "%d", RCPT_RESEND_SECONDS);
	snprintf(max, sizeof(max), "%d", RCPT_RESENDS_MAX);
	if ((token = random_token(a)) == NULL)
		return APP_ENOMEM;
	p[0] = id_text(a, o->alias_id);
	p[1] = address;
	p[2] = token_hash_hex(a, token);
	p[3] = days;
	p[4] = secs;
	p[5] = max;
	if (p[0] == NULL || p[2] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_REQUEST, 6, p, &e)) == NULL)
		return e;
	*sent = PQntuples(res) == 1;
	if (*sent)
		e = mail_confirm(db, a, o, address, actor, token,
		    db_str(res, 0, RCPT_REQUEST_EXPIRES));
	PQclear(res);
	return e;
}

/* The addresses of l that alias id has no confirmation for. */
static enum app_err
unconfirmed(struct db *db, struct arena *a, long long id, const char *const *l,
    size_t n, const char ***out, size_t *nout)
{
	const char  *p[2] = { id_text(a, id), lines(a, l, n) };
	PGresult    *res;
	enum app_err e = APP_OK;
	int          i;

	if (p[0] == NULL || p[1] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_UNCONFIRMED, 2, p, &e)) == NULL)
		return e;
	*nout = 0;
	if ((*out = arena_calloc(a, (size_t)PQntuples(res) + 1,
		 sizeof(**out))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < PQntuples(res); i++)
		if (((*out)[(*nout)++] = arena_strdup(a,
			 db_str(res, i, RCPT_UNCONFIRMED_ADDRESS))) == NULL)
			e = APP_ENOMEM;
	PQclear(res);
	return e;
}

static enum app_err
set_pending(struct db *db, struct arena *a, long long id, const char *list,
    const char *actor)
{
	const char  *p[3] = { id_text(a, id), list, actor };
	PGresult    *res;
	enum app_err e = APP_OK;

	if (p[0] == NULL || (list != NULL && p[1] == NULL))
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_SET_PENDING, 3, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

static int
same_list(const char *const *x, size_t nx, const char *const *y, size_t ny)
{
	size_t i;

	if (nx != ny)
		return 0;
	for (i = 0; i < nx; i++)
		if (strcmp(x[i], y[i]) != 0)
			return 0;
	return 1;
}

/* Stores the pending change and mails the links of its new addresses. */
static enum app_err
wait_for(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *new, const char *const *ask, size_t nask)
{
	struct owner o;
	const char  *actor = rcpt_actor_words(a, who), *after;
	size_t       i;
	int          sent;
	enum app_err e;

	if (actor == NULL)
		return APP_ENOMEM;
	if ((e = load_owner(db, a, new->id, &o)) != APP_OK ||
	    (e = set_pending(db, a, new->id,
		 lines(a, new->recipients, new->nrecipients), actor)) != APP_OK)
		return e;
	for (i = 0; i < nask; i++)
		if ((e = request(db, a, &o, ask[i], actor, &sent)) != APP_OK)
			return e;
	if ((after = list_json(a, "pending_recipients", new->recipients,
		 new->nrecipients)) == NULL)
		return APP_ENOMEM;
	return audit(db, who, &o, "alias.request", NULL, after);
}

/* Drops old's pending change (asked for again, or replaced). */
static enum app_err
cancel(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *old)
{
	struct owner o;
	const char  *before;
	enum app_err e;

	if ((e = set_pending(db, a, old->id, NULL, NULL)) != APP_OK ||
	    (e = load_owner(db, a, old->id, &o)) != APP_OK)
		return e;
	if ((before = list_json(a, "pending_recipients", old->pending,
		 old->npending)) == NULL)
		return APP_ENOMEM;
	return audit(db, who, &o, "alias.cancel", before, NULL);
}

enum app_err
rcpt_change_tx(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *old, struct alias_view *new,
    enum rcpt_outcome       *out)
{
	const char **ask = NULL;
	const char  *actor;
	size_t       nask = 0;
	enum app_err e;

	*out = RCPT_UNCHANGED;
	if (old->npending > 0 &&
	    same_list(old->pending, old->npending, new->recipients,
		new->nrecipients)) {
		/* The change already waiting, asked for again. */
		new->recipients = old->recipients;
		new->nrecipients = old->nrecipients;
		return APP_OK;
	}
	if (same_list(old->recipients, old->nrecipients, new->recipients,
		new->nrecipients)) {
		if (old->npending == 0)
			return APP_OK;
		*out = RCPT_CANCELLED;
		new->npending = 0;
		return cancel(db, a, who, old);
	}
	if ((e = unconfirmed(db, a, old->id, new->recipients, new->nrecipients,
		 &ask, &nask)) != APP_OK)
		return e;
	if (nask > 0) {
		*out = RCPT_PENDING;
		if ((e = wait_for(db, a, who, new, ask, nask)) != APP_OK)
			return e;
		new->pending = new->recipients;
		new->npending = new->nrecipients;
		new->recipients = old->recipients;
		new->nrecipients = old->nrecipients;
		return APP_OK;
	}
	*out = RCPT_CHANGED;
	if (old->npending > 0 && (e = cancel(db, a, who, old)) != APP_OK)
		return e;
	new->npending = 0;
	if ((actor = rcpt_actor_words(a, who)) == NULL)
		return APP_ENOMEM;
	return rcpt_receipt_tx(db, a, old->id, old->recipients,
	    old->nrecipients, new->recipients, new->nrecipients, actor);
}

static const char *
reply_sentence(int code)
{
	switch (code) {
	case 250:
		return N_("While it is disabled, its mail is now accepted and "
			  "dropped.");
	case 421:
		return N_("While it is disabled, senders are now told to try "
			  "again later.");
	default:
		return N_("While it is disabled, its mail is now rejected.");
	}
}

enum app_err
rcpt_tell_owner_tx(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *old, const struct alias_view *new,
    enum rcpt_outcome        what)
{
	struct mailvals m;
	struct owner    o;
	enum app_err    e;

	/* Recipients changed and nothing else: the receipt says it all. */
	if ((what == RCPT_CHANGED || what == RCPT_UNCHANGED) &&
	    old->enabled == new->enabled &&
	    strcmp(old->description, new->description) == 0 &&
	    old->reply_code == new->reply_code)
		return APP_OK;
	if ((e = load_owner(db, a, old->id, &o)) != APP_OK)
		return e;
	memset(&m, 0, sizeof(m));
	mv_set(&m, "ALIAS", o.address);
	mv_tr(&m, "ACTOR", rcpt_actor_words(a, who));
	mv_set(&m, "PAGE_URL",
	    arena_printf(a, "%s/my/aliases/%lld", db_config(db)->public_url,
		old->id));
	mv_show(&m, "CHANGED");
	if (what == RCPT_PENDING) {
		mv_show(&m, "PENDING");
		mv_set(&m, "PENDING_LIST",
		    join(a, new->pending, new->npending, ", "));
	} else if (what == RCPT_CANCELLED)
		mv_show(&m, "CANCELLED");
	if (old->enabled != new->enabled)
		mv_show(&m, new->enabled ? "ENABLED" : "DISABLED");
	if (strcmp(old->description, new->description) != 0) {
		mv_show(&m, "DESCRIPTION");
		mv_set(&m, "NEW_DESCRIPTION", new->description);
	}
	if (old->reply_code != new->reply_code) {
		mv_show(&m, "REPLY");
		mv_tr(&m, "REPLY_SENTENCE", reply_sentence(new->reply_code));
	}
	return queue(db, "mail_alias_changed.tpl", o.email, o.lang, &m);
}

/* The mail of an owner event (section): v created or removed by who. */
static enum app_err
tell_event(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *v, const char *section, const char *pending)
{
	struct mailvals    m;
	const struct lang *l;
	const char        *p[1] = { id_text(a, v->user_id) }, *to;
	PGresult          *res;
	enum app_err       e = APP_OK;

	/* By the owner's id: a removed alias is no row to join. */
	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_USER_BY_ID, 1, p, &e)) == NULL)
		return e;
	to = PQntuples(res) == 1 ? db_dup(a, res, 0, USER_BY_ID_EMAIL) : NULL;
	l = PQntuples(res) == 1 ? i18n_tag(db_str(res, 0, USER_BY_ID_LANG)) :
				  NULL;
	PQclear(res);
	if (to == NULL)
		return APP_ENOMEM;
	memset(&m, 0, sizeof(m));
	mv_set(&m, "ALIAS", v->address);
	mv_tr(&m, "ACTOR", rcpt_actor_words(a, who));
	mv_set(&m, "PAGE_URL",
	    arena_printf(a, "%s/my", db_config(db)->public_url));
	mv_show(&m, section);
	mv_set(&m, "RECIPIENTS", join(a, v->recipients, v->nrecipients, ", "));
	if (pending != NULL) {
		mv_show(&m, "PENDING");
		mv_set(&m, "PENDING_LIST", pending);
	}
	return queue(db, "mail_alias_changed.tpl", to, l, &m);
}

enum app_err
rcpt_tell_removed_tx(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *v)
{
	return tell_event(db, a, who, v, "REMOVED", NULL);
}

enum app_err
rcpt_tell_created_tx(struct db *db, struct arena *a, const struct actor *who,
    const struct alias_view *old, const struct alias_view *new,
    enum rcpt_outcome        what)
{
	return tell_event(db, a, who, old, "CREATED",
	    what == RCPT_PENDING ? join(a, new->pending, new->npending, ", ") :
				   NULL);
}

enum app_err
rcpt_pending(struct db *db, struct arena *a, long long id,
    struct rcpt_pending **out, size_t *n)
{
	const char  *p[4];
	char         secs[16], max[8], days[8];
	PGresult    *res;
	enum app_err e = APP_OK;
	int          i;

	snprintf(secs, sizeof(secs), "%d", RCPT_RESEND_SECONDS);
	snprintf(max, sizeof(max), "%d", RCPT_RESENDS_MAX);
	snprintf(days, sizeof(days), "%d", RCPT_LINK_DAYS);
	p[0] = id_text(a, id);
	p[1] = secs;
	p[2] = max;
	p[3] = days;
	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_PENDING_LIST, 4, p, &e)) == NULL)
		return e;
	*n = 0;
	if ((*out = arena_calloc(a, (size_t)PQntuples(res) + 1,
		 sizeof(**out))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < PQntuples(res); i++) {
		struct rcpt_pending *x = &(*out)[(*n)++];

		x->confirmed = db_bool(res, i, RCPT_PENDING_AGREED);
		x->expired = db_bool(res, i, RCPT_PENDING_EXPIRED);
		x->too_soon = db_bool(res, i, RCPT_PENDING_TOO_SOON);
		x->at_limit = db_bool(res, i, RCPT_PENDING_AT_LIMIT);
		x->can_resend = !x->confirmed && !x->too_soon && !x->at_limit;
		if ((x->address = db_dup(a, res, i, RCPT_PENDING_ADDRESS)) ==
			NULL ||
		    (x->sent_at = db_dup(a, res, i, RCPT_PENDING_SENT)) ==
			NULL ||
		    (x->expires_at = db_dup(a, res, i, RCPT_PENDING_EXPIRES)) ==
			NULL)
			e = APP_ENOMEM;
	}
	PQclear(res);
	return e;
}

/* One rcpt_resend call, handed through db_tx. */
struct resend {
	struct arena       *arena;
	const struct actor *who;
	long long           id;
	const char         *address;
	const char        **why;
};

static enum app_err
resend_tx(struct db *db, void *arg)
{
	struct resend       *r = arg;
	struct rcpt_pending *list;
	struct owner         o;
	size_t               i, n;
	int                  sent;
	enum app_err         e;

	if ((e = rcpt_pending(db, r->arena, r->id, &list, &n)) != APP_OK)
		return e;
	for (i = 0; i < n; i++)
		if (strcasecmp(list[i].address, r->address) == 0 &&
		    !list[i].confirmed)
			break;
	if (i == n)
		return APP_ENOTFOUND;
	if (!list[i].can_resend) {
		*r->why = list[i].at_limit ? "resend_limit" : "resend_too_soon";
		return APP_ECONFLICT;
	}
	if ((e = load_owner(db, r->arena, r->id, &o)) != APP_OK ||
	    (e = request(db, r->arena, &o, list[i].address,
		 rcpt_actor_words(r->arena, r->who), &sent)) != APP_OK)
		return e;
	if (!sent) {
		*r->why = "resend_limit";
		return APP_ECONFLICT;
	}
	return audit(db, r->who, &o, "alias.resend", NULL,
	    list_json(r->arena, "to", &list[i].address, 1));
}

enum app_err
rcpt_resend(struct db *db, struct arena *a, const struct actor *who,
    long long id, const char *address, const char **why)
{
	struct resend r = { a, who, id, address, why };

	*why = NULL;
	return db_tx(db, resend_tx, &r);
}

/* ------------------------------------------------------------ links */

/* One rcpt_confirm or rcpt_undo call, handed through db_tx. */
struct link_call {
	struct arena     *arena;
	const char       *token;
	int               do_it;
	struct rcpt_link *out;
};

static enum app_err
find_link(struct db *db, struct link_call *c, enum stmt st, PGresult **res)
{
	const char  *p[1] = { token_hash_hex(c->arena, c->token) };
	enum app_err e = APP_OK;

	memset(c->out, 0, sizeof(*c->out));
	c->out->state = RCPT_LINK_UNKNOWN;
	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((*res = exec(db, st, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
	}
	return APP_OK;
}

/*
 * The columns every link row has, into out (ids, alias, who, when);
 * WHAT is left to the caller: an address, or a receipt's recipients.
 */
static enum app_err
link_fields(struct arena *a, PGresult *res, struct rcpt_link *out,
    long long *id, long long *alias)
{
	*id = db_ll(res, 0, LINK_ID);
	*alias = db_ll(res, 0, LINK_ALIAS);
	out->state = db_bool(res, 0, LINK_USED) ? RCPT_LINK_USED :
	    db_bool(res, 0, LINK_EXPIRED)       ? RCPT_LINK_EXPIRED :
						  RCPT_LINK_OK;
	if ((out->alias = db_dup(a, res, 0, LINK_ALIAS_ADDRESS)) == NULL ||
	    (out->actor = db_dup(a, res, 0, LINK_ACTOR)) == NULL ||
	    (out->at = db_dup(a, res, 0, LINK_AT)) == NULL ||
	    (out->expires_at = db_dup(a, res, 0, LINK_EXPIRES)) == NULL)
		return APP_ENOMEM;
	return APP_OK;
}

/* Runs a statement of one id parameter; *rows its row count. */
static enum app_err
by_id(struct db *db, struct arena *a, enum stmt st, long long id, int *rows)
{
	const char  *p[1] = { id_text(a, id) };
	PGresult    *res;
	enum app_err e = APP_OK;

	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, st, 1, p, &e)) == NULL)
		return e;
	if (rows != NULL)
		*rows = PQntuples(res);
	PQclear(res);
	return APP_OK;
}

/* The pending change was made: its audit row and receipts. */
static enum app_err
applied_tx(struct db *db, struct arena *a, long long id,
    const char *const *before, size_t nbefore, const char *const *after,
    size_t nafter, const char *actor)
{
	struct owner o;
	const char  *was, *now;
	enum app_err e;

	if ((e = load_owner(db, a, id, &o)) != APP_OK)
		return e;
	if ((was = list_json(a, "recipients", before, nbefore)) == NULL ||
	    (now = list_json2(a, "recipients", after, nafter, actor)) == NULL)
		return APP_ENOMEM;
	if ((e = audit(db, &link_actor, &o, "alias.apply", was, now)) != APP_OK)
		return e;
	return rcpt_receipt_tx(db, a, id, before, nbefore, after, nafter,
	    actor);
}

/*
 * After a confirmation: when every address of the pending change of alias
 * id has agreed, the change is made, with its receipts.
 */
static enum app_err
apply_pending(struct db *db, struct arena *a, long long id, int *applied)
{
	const char  *p[1] = { id_text(a, id) };
	const char **before, **after;
	size_t       nbefore, nafter;
	PGresult    *res;
	enum app_err e = APP_OK;
	char        *actor;

	*applied = 0;
	if (p[0] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_APPLY_PENDING, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1) {
		*applied = 1;
		if ((e = db_array(a, res, 0, RCPT_APPLY_BEFORE, &before,
			 &nbefore)) == APP_OK &&
		    (e = db_array(a, res, 0, RCPT_APPLY_AFTER, &after,
			 &nafter)) == APP_OK)
			e = (actor = db_dup(a, res, 0, RCPT_APPLY_ACTOR)) ==
				NULL ?
			    APP_ENOMEM :
			    applied_tx(db, a, id, before, nbefore, after,
				nafter, actor);
	}
	PQclear(res);
	return e;
}

/*
 * Finds the link of c (stmt, then lock_stmt): the alias's row is locked
 * before the link's, in the order alias_update takes them, and the link
 * read again under its lock.  *res is NULL for an unknown link.
 */
static enum app_err
locked_link(struct db *db, struct link_call *c, enum stmt stmt,
    enum stmt lock_stmt, PGresult **res)
{
	long long    alias;
	enum app_err e;

	if ((e = find_link(db, c, stmt, res)) != APP_OK || *res == NULL ||
	    !c->do_it)
		return e;
	alias = db_ll(*res, 0, LINK_ALIAS);
	PQclear(*res);
	*res = NULL;
	if ((e = by_id(db, c->arena, STMT_RCPT_ALIAS_LOCK, alias, NULL)) !=
	    APP_OK)
		return e;
	return find_link(db, c, lock_stmt, res);
}

static enum app_err
confirm_tx(struct db *db, void *arg)
{
	struct link_call *c = arg;
	struct owner      o;
	PGresult         *res;
	long long         id, alias;
	enum app_err      e;
	const char       *after;

	if ((e = locked_link(db, c, STMT_RCPT_CONFIRM_LINK,
		 STMT_RCPT_CONFIRM_LOCK, &res)) != APP_OK ||
	    res == NULL)
		return e;
	if ((e = link_fields(c->arena, res, c->out, &id, &alias)) == APP_OK &&
	    (c->out->address = db_dup(c->arena, res, 0, LINK_WHAT)) == NULL)
		e = APP_ENOMEM;
	PQclear(res);
	if (e != APP_OK || !c->do_it || c->out->state != RCPT_LINK_OK)
		return e;
	if ((e = by_id(db, c->arena, STMT_RCPT_CONFIRM, id, NULL)) != APP_OK ||
	    (e = load_owner(db, c->arena, alias, &o)) != APP_OK)
		return e;
	if ((after = list_json(c->arena, "confirmed", &c->out->address, 1)) ==
	    NULL)
		return APP_ENOMEM;
	if ((e = audit(db, &link_actor, &o, "alias.confirm", NULL, after)) !=
	    APP_OK)
		return e;
	c->out->done = 1;
	return apply_pending(db, c->arena, alias, &c->out->applied);
}

enum app_err
rcpt_confirm(struct db *db, struct arena *a, const char *token, int do_it,
    struct rcpt_link *out)
{
	struct link_call c = { a, token, do_it, out };

	return db_tx(db, confirm_tx, &c);
}

static enum app_err
mail_undone(struct db *db, struct arena *a, const struct owner *o,
    const char *was)
{
	struct mailvals m;
	const char     *url;

	if ((url = arena_printf(a, "%s/my", db_config(db)->public_url)) == NULL)
		return APP_ENOMEM;
	memset(&m, 0, sizeof(m));
	mv_set(&m, "ALIAS", o->address);
	mv_set(&m, "RECIPIENTS", was);
	mv_set(&m, "SIGNIN_URL", url);
	return queue(db, "mail_undone.tpl", o->email, o->lang, &m);
}

/* Puts the receipt's previous recipients back and locks the alias. */
static enum app_err
restore(struct db *db, struct link_call *c, long long alias)
{
	struct owner o;
	const char  *p[2], *was, *after;
	enum app_err e;
	PGresult    *res;

	p[0] = id_text(c->arena, alias);
	p[1] = lines(c->arena, c->out->before, c->out->nbefore);
	if (p[0] == NULL || p[1] == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_RESTORE, 2, p, &e)) == NULL)
		return e;
	PQclear(res);
	if ((e = load_owner(db, c->arena, alias, &o)) != APP_OK ||
	    (e = by_id(db, c->arena, STMT_RCPT_END_SESSIONS, o.user_id,
		 NULL)) != APP_OK)
		return e;
	if ((after = list_json(c->arena, "recipients", c->out->before,
		 c->out->nbefore)) == NULL ||
	    (was = shown_list(db, c->arena, &o, c->out->before, c->out->nbefore,
		 &e)) == NULL)
		return e == APP_OK ? APP_ENOMEM : e;
	if ((e = audit(db, &link_actor, &o, "alias.undo", NULL, after)) !=
	    APP_OK)
		return e;
	return mail_undone(db, c->arena, &o, was);
}

static enum app_err
undo_tx(struct db *db, void *arg)
{
	struct link_call *c = arg;
	PGresult         *res;
	long long         id, alias;
	enum app_err      e;
	int               rows = 0;

	if ((e = locked_link(db, c, STMT_RCPT_RECEIPT_LINK,
		 STMT_RCPT_RECEIPT_LOCK, &res)) != APP_OK ||
	    res == NULL)
		return e;
	if ((e = link_fields(c->arena, res, c->out, &id, &alias)) == APP_OK)
		e = db_array(c->arena, res, 0, LINK_WHAT, &c->out->before,
		    &c->out->nbefore);
	PQclear(res);
	if (e != APP_OK)
		return e;
	if (!c->do_it || c->out->state != RCPT_LINK_OK)
		return APP_OK;
	if ((e = by_id(db, c->arena, STMT_RCPT_RECEIPT_USE, id, &rows)) !=
		APP_OK ||
	    rows != 1)
		return e != APP_OK ? e : APP_ECONFLICT;
	c->out->done = 1;
	return restore(db, c, alias);
}

enum app_err
rcpt_undo(struct db *db, struct arena *a, const char *token, int do_it,
    struct rcpt_link *out)
{
	struct link_call c = { a, token, do_it, out };

	return db_tx(db, undo_tx, &c);
}

/* ------------------------------------------------------------ sign-in */

enum app_err
rcpt_unlock_tx(struct db *db, long long user_id, const char *request_id)
{
	struct actor       who = { ACTOR_SYSTEM, 0, NULL, 0, request_id };
	struct audit_event ev = { "alias.unlock", "alias", 0, NULL, 0, NULL,
		"{\"locked\": false}" };
	char               uid[24];
	const char        *p[1] = { uid };
	PGresult          *res;
	enum app_err       e = APP_OK;
	int                i;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	if ((res = exec(db, STMT_RCPT_UNLOCK, 1, p, &e)) == NULL)
		return e;
	for (i = 0; e == APP_OK && i < PQntuples(res); i++) {
		ev.target_id = db_ll(res, i, RCPT_UNLOCK_ID);
		ev.target_label = db_str(res, i, RCPT_UNLOCK_ADDRESS);
		ev.domain_id = db_ll(res, i, RCPT_UNLOCK_DOMAIN);
		e = audit_write(db, &who, &ev);
	}
	PQclear(res);
	return e;
}

enum app_err
rcpt_email_changed_tx(struct db *db, struct arena *a, const struct actor *who,
    long long user_id, const char *old, const long long *ids,
    const char *const *before, size_t nids)
{
	const char  *p[2] = { id_text(a, user_id), old }, *actor, *after[1];
	PGresult    *res;
	struct owner o;
	size_t       i;
	enum app_err e = APP_OK;

	if (p[0] == NULL || (actor = rcpt_actor_words(a, who)) == NULL)
		return APP_ENOMEM;
	if ((res = exec(db, STMT_RCPT_KEEP_ADDRESS, 2, p, &e)) == NULL)
		return e;
	PQclear(res);
	for (i = 0; e == APP_OK && i < nids; i++) {
		if ((e = load_owner(db, a, ids[i], &o)) != APP_OK)
			break;
		after[0] = o.email;
		e = rcpt_receipt_tx(db, a, ids[i], &before[i], 1, after, 1,
		    actor);
	}
	return e;
}
