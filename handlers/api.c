/*
 * api.c - the JSON API's endpoints (/api/v1/).  Authentication, rate
 * limits, bodies and errors are http/bearer.c; who may change what is the
 * rule modules' (rules/alias.c, rules/domain_members.c), called exactly as
 * the HTML pages call them.  Nothing here re-decides a rule.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "handlers/handlers.h"
#include "http/bearer.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/i18n.h"
#include "rules/alias.h"
#include "rules/domain_lang.h"
#include "rules/domain_members.h"
#include "store/audit.h"

/* GET /api/v1/me: who the token belongs to. */
enum app_err
h_api_me(struct req *r)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	if (json_object_object_add(o, "id",
		json_object_new_int64(r->user->id)) != 0 ||
	    json_object_object_add(o, "name", api_str(r->user->name)) != 0 ||
	    json_object_object_add(o, "email", api_str(r->user->email)) != 0 ||
	    json_object_object_add(o, "display_name",
		api_str(r->user->display_name)) != 0 ||
	    json_object_object_add(o, "site_admin",
		json_object_new_boolean(r->user->is_site_admin)) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	return api_reply(r, 200, o);
}

/* Appends o to the array items; -1 (o freed) when o is NULL or no memory. */
static int
add_item(struct json_object *items, struct json_object *o)
{
	if (o != NULL && json_object_array_add(items, o) == 0)
		return 0;
	json_object_put(o);
	return -1;
}

/* Fields of list routes: limit, cursor. */
static enum app_err
page_args(struct req *r, int *n, const char **after)
{
	return api_page_args(r, req_field(r, API_LIMIT),
	    req_field(r, API_CURSOR), n, after);
}

/* A user id parameter; uid must hold 24 bytes. */
static const char *
user_param(const struct req *r, char *uid)
{
	snprintf(uid, 24, "%lld", r->user->id);
	return uid;
}

/* ------------------------------------------------------------- aliases */

/* NULL for "" too: the listings give "" where alias_get gives NULL. */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/*
 * "pending_recipients": the change waiting for its new recipients to
 * confirm (recipients.h), or null.  0, or -1 out of memory.
 */
static int
add_pending(struct json_object *o, const struct alias_view *v)
{
	struct json_object *list;
	size_t              i;

	if (v->npending == 0)
		return json_object_object_add(o, "pending_recipients", NULL);
	if ((list = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "pending_recipients", list) != 0) {
		json_object_put(list);
		return -1;
	}
	for (i = 0; i < v->npending; i++)
		if (json_object_array_add(list, api_str(v->pending[i])) != 0)
			return -1;
	return 0;
}

static struct json_object *
alias_json(const struct alias_view *v)
{
	struct json_object *o, *rcpt;
	size_t              i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "id", json_object_new_int64(v->id)) ||
	    json_object_object_add(o, "address", api_str(v->address)) ||
	    json_object_object_add(o, "owner", api_str(v->owner_name)))
		goto fail;
	if ((rcpt = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "recipients", rcpt) != 0) {
		json_object_put(rcpt);
		goto fail;
	}
	for (i = 0; i < v->nrecipients; i++)
		if (json_object_array_add(rcpt, api_str(v->recipients[i])) != 0)
			goto fail;
	if (add_pending(o, v) != 0 ||
	    json_object_object_add(o, "locked",
		json_object_new_boolean(v->locked)))
		goto fail;
	if (json_object_object_add(o, "enabled",
		json_object_new_boolean(v->enabled)) ||
	    json_object_object_add(o, "disabled_reason",
		api_str(nonempty(v->disabled_reason))) ||
	    json_object_object_add(o, "reply_code",
		json_object_new_int(v->reply_code)) ||
	    json_object_object_add(o, "description", api_str(v->description)) ||
	    json_object_object_add(o, "remove_at",
		api_str(nonempty(v->remove_at))) ||
	    json_object_object_add(o, "created_at", api_str(v->created_at)) ||
	    json_object_object_add(o, "updated_at", api_str(v->updated_at)))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/*
 * Whether v is on the route's :domain, if it has one: a domain admin's
 * URL names the domain, and an alias elsewhere is not found there.
 */
static int
on_route_domain(const struct req *r, const struct alias_view *v)
{
	const char *d = req_param(r, PARAM_DOMAIN), *at;

	if (d == NULL)
		return 1;
	return (at = strrchr(v->address, '@')) != NULL &&
	    strcasecmp(at + 1, d) == 0;
}

/* Loads alias :id as the API's caller may see it, on the route's domain. */
static enum app_err
load_alias(struct req *r, struct alias_view *v)
{
	struct actor a;
	enum app_err e;

	api_actor(r, &a);
	e = alias_get(r->db, r->arena, &a, req_param_id(r, PARAM_ID), v);
	if (e == APP_OK && !on_route_domain(r, v))
		e = APP_ENOTFOUND;
	if (e == APP_ENOTFOUND)
		return api_refuse(r, e, NULL, "not_found", N_("no such alias"));
	if (e != APP_OK && r->reason == NULL)
		r->reason = N_("could not load the alias");
	return e;
}

/* GET /api/v1/aliases/:id, GET /api/v1/domains/:domain/aliases/:id */
enum app_err
h_api_alias(struct req *r)
{
	struct alias_view v;
	enum app_err      e;

	if ((e = load_alias(r, &v)) != APP_OK)
		return e;
	return api_reply(r, 200, alias_json(&v));
}

/* A field of the body had the wrong JSON type: want names it in its "%s". */
static enum app_err
wrong_type(struct req *r, const char *field, const char *want)
{
	r->reason_arg = field;
	return api_refuse(r, APP_EINVALID, field, "invalid_type", want);
}

/*
 * A JSON string's text; NULL (and the refusal in *e) when it is not a
 * string or holds a NUL, which C strings would silently cut.
 */
static const char *
json_text(struct req *r, struct json_object *v, const char *field,
    enum app_err *e)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		*e = wrong_type(r, field, N_("%s must be a string"));
		return NULL;
	}
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		*e = api_refuse(r, APP_EINVALID, field, "control_characters",
		    N_("text must not contain control characters"));
		return NULL;
	}
	return arena_strdup(r->arena, s);
}

/*
 * The recipients array as the rules' raw text, one per line (the rules
 * count, check and normalise them).  Each item must be one address:
 * separators inside an item would silently make it several.
 */
static const char *
json_recipients(struct req *r, struct json_object *v, enum app_err *e)
{
	struct buf  b;
	const char *s, *out;
	size_t      i, n;

	if (!json_object_is_type(v, json_type_array)) {
		*e = wrong_type(r, "recipients",
		    N_("%s must be an array of addresses"));
		return NULL;
	}
	/* The text is never longer than the JSON it came from, twice over. */
	n = json_object_array_length(v);
	buf_init(&b, 2 * r->cfg->max_body + 16);
	for (i = 0; i < n; i++) {
		if ((s = json_text(r, json_object_array_get_idx(v, i),
			 "recipients", e)) == NULL) {
			buf_free(&b);
			return NULL;
		}
		if (s[strcspn(s, " \t\r\n,;")] != '\0') {
			buf_free(&b);
			*e = api_refuse(r, APP_EINVALID, "recipients",
			    "recipient_invalid",
			    N_("each item of recipients must be one address"));
			return NULL;
		}
		buf_printf(&b, "%s\n", s);
	}
	out = b.failed ? NULL : arena_strdup(r->arena, buf_cstr(&b));
	buf_free(&b);
	if (out == NULL)
		*e = APP_ENOMEM;
	return out;
}

/* One member of a PATCH body into c; APP_OK or the refusal. */
static enum app_err
change_field(struct req *r, const char *key, struct json_object *v,
    struct alias_change *c)
{
	enum app_err e = APP_OK;

	if (strcmp(key, "recipients") == 0) {
		c->set |= ALIAS_SET_RECIPIENTS;
		c->recipients = json_recipients(r, v, &e);
	} else if (strcmp(key, "enabled") == 0) {
		if (!json_object_is_type(v, json_type_boolean))
			return wrong_type(r, "enabled",
			    N_("%s must be true or false"));
		c->set |= ALIAS_SET_ENABLED;
		c->enabled = json_object_get_boolean(v);
	} else if (strcmp(key, "description") == 0) {
		c->set |= ALIAS_SET_DESCRIPTION;
		c->description = json_text(r, v, "description", &e);
	} else if (strcmp(key, "reply_code") == 0) {
		if (!json_object_is_type(v, json_type_int))
			return wrong_type(r, "reply_code",
			    N_("%s must be 250, 421 or 550"));
		c->set |= ALIAS_SET_REPLY_CODE;
		c->reply_code = (int)json_object_get_int64(v);
		if (json_object_get_int64(v) != c->reply_code)
			c->reply_code = -1; /* out of range: refused */
	} else if (strcmp(key, "if_updated_at") == 0)
		c->if_updated_at = json_text(r, v, "if_updated_at", &e);
	else
		return api_refuse(r, APP_EINVALID, arena_strdup(r->arena, key),
		    "unknown_field", N_("this field cannot be changed"));
	return e;
}

/*
 * The rules' refusal as the API's error (their code, field and words);
 * what names the object for a 404.
 */
static enum app_err
refused(struct req *r, enum app_err e, const struct alias_problem *why,
    const char *what)
{
	if (e == APP_ENOTFOUND)
		return api_refuse(r, e, NULL, "not_found", what);
	if (app_err_status(e) >= 500 || why->code == NULL) {
		if (r->reason == NULL)
			r->reason = N_("the change failed");
		return e;
	}
	/* A conflict is with the if_updated_at the client sent. */
	return api_refuse(r, e,
	    strcmp(why->code, "conflict") == 0 ? "if_updated_at" : why->field,
	    why->code, why->message);
}

/* PATCH /api/v1/aliases/:id, PATCH /api/v1/domains/:domain/aliases/:id */
enum app_err
h_api_alias_update(struct req *r)
{
	struct json_object  *body;
	struct alias_change  c;
	struct alias_problem why;
	struct alias_view    v;
	struct actor         a;
	enum app_err         e;

	/* Found first: a 404 must not depend on the body being valid. */
	if ((e = load_alias(r, &v)) != APP_OK ||
	    (e = api_read_json(r, &body)) != APP_OK)
		return e;
	memset(&c, 0, sizeof(c));
	memset(&why, 0, sizeof(why));
	json_object_object_foreach(body, key, val)
	{
		if ((e = change_field(r, key, val, &c)) != APP_OK)
			break;
	}
	json_object_put(body);
	if (e != APP_OK)
		return e;
	api_actor(r, &a);
	if ((e = alias_update(r->db, r->arena, &a, v.id, &c, &why, &v)) !=
	    APP_OK)
		return refused(r, e, &why, N_("no such alias"));
	/* Accepted, not done: new recipients must confirm first. */
	return api_reply(r,
	    (c.set & ALIAS_SET_RECIPIENTS) && v.npending > 0 ? 202 : 200,
	    alias_json(&v));
}

/* GET /api/v1/aliases: the caller's own aliases, by id. */
enum app_err
h_api_aliases(struct req *r)
{
	struct json_object *items;
	struct alias_view   v;
	struct actor        a;
	const char         *p[3], *after, *next = NULL;
	char                uid[24], lim[16];
	PGresult           *res;
	int                 n, i, rows;
	enum app_err        e;

	if ((e = page_args(r, &n, &after)) != APP_OK)
		return e;
	if (after != NULL &&
	    (after[strspn(after, "0123456789")] != '\0' || strlen(after) > 18))
		return api_refuse(r, APP_EINVALID, "cursor", "invalid_cursor",
		    N_("cursor is not one this API gave out"));
	snprintf(lim, sizeof(lim), "%d", n + 1);
	p[0] = user_param(r, uid);
	p[1] = after;
	p[2] = lim;
	if ((res = req_sql(r, STMT_API_USER_ALIASES, 3, p, &e)) == NULL)
		return e;
	rows = PQntuples(res) > n ? n : PQntuples(res);
	if (PQntuples(res) > n)
		next = db_str(res, n - 1, API_USER_ALIASES_ID);
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	api_actor(r, &a);
	for (i = 0; i < rows; i++) {
		/* The rules decide what the owner may still see. */
		e = alias_get(r->db, r->arena, &a,
		    db_ll(res, i, API_USER_ALIASES_ID), &v);
		if (e == APP_ENOTFOUND)
			continue;
		if (e != APP_OK || add_item(items, alias_json(&v)) == -1) {
			json_object_put(items);
			return e != APP_OK ? e : APP_ENOMEM;
		}
	}
	return api_reply_list(r, items, next);
}

/* ----------------------------------------------------------- mailboxes */

static struct json_object *
mailbox_json(const PGresult *res, int i)
{
	struct json_object *o;
	int                 keeps = db_bool(res, i, API_MAILBOXES_KEEPS);
	int                 forwards = db_bool(res, i, API_MAILBOXES_FORWARDS);

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "id",
		json_object_new_int64(db_ll(res, i, API_MAILBOXES_ID))) ||
	    json_object_object_add(o, "address",
		api_str(db_str(res, i, API_MAILBOXES_ADDRESS))) ||
	    json_object_object_add(o, "delivery",
		api_str(!keeps   ? "forward" :
			forwards ? "both" :
				   "keep")) ||
	    json_object_object_add(o, "quota_bytes",
		json_object_new_int64(db_ll(res, i, API_MAILBOXES_QUOTA))) ||
	    json_object_object_add(o, "used_bytes",
		json_object_new_int64(db_ll(res, i, API_MAILBOXES_USED))) ||
	    json_object_object_add(o, "messages",
		json_object_new_int64(db_ll(res, i, API_MAILBOXES_MESSAGES)))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * GET /api/v1/mailboxes: the caller's mailboxes and their quota; never
 * their content (which the server cannot read without the password).
 */
enum app_err
h_api_mailboxes(struct req *r)
{
	struct json_object *items;
	char                uid[24];
	const char         *p[1] = { user_param(r, uid) };
	PGresult           *res;
	int                 i;
	enum app_err        e;

	if ((res = req_sql(r, STMT_API_MAILBOXES, 1, p, &e)) == NULL)
		return e;
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < PQntuples(res); i++)
		if (add_item(items, mailbox_json(res, i)) == -1) {
			json_object_put(items);
			return APP_ENOMEM;
		}
	return api_reply_list(r, items, NULL);
}

/* ------------------------------------------------------------- domains */

/*
 * A listing's refusal: rules/domain_members.c says APP_EINPUT for a cursor or filter it
 * does not accept, APP_ENOTFOUND for an unknown domain or member.
 */
static enum app_err
listing_refused(struct req *r, enum app_err e, const char *what)
{
	if (e == APP_EINPUT)
		return api_refuse(r, APP_EINVALID, NULL, "invalid_query",
		    N_("the cursor or a filter is not valid"));
	if (e == APP_ENOTFOUND)
		return api_refuse(r, e, NULL, "not_found", what);
	if (e == APP_EFORBIDDEN)
		return api_refuse(r, e, NULL, "forbidden",
		    N_("not an admin of this domain"));
	if (r->reason == NULL)
		r->reason = N_("the listing failed");
	return e;
}

static struct json_object *
domain_json(struct req *r, const struct domain_view *d)
{
	struct json_object *o;
	const char         *record;

	record = arena_printf(r->arena, "%s=%s", r->cfg->verification_prefix,
	    d->verification_token);
	if (record == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "name", api_str(d->name)) ||
	    json_object_object_add(o, "team", api_str(d->team)) ||
	    json_object_object_add(o, "title", api_str(d->title)) ||
	    json_object_object_add(o, "enabled",
		json_object_new_boolean(d->enabled)) ||
	    json_object_object_add(o, "alias_limit",
		json_object_new_int(d->alias_limit)) ||
	    json_object_object_add(o, "default_lang",
		api_str(d->default_lang)) ||
	    json_object_object_add(o, "txt_record", api_str(record)) ||
	    json_object_object_add(o, "txt_status", api_str(d->txt_status)) ||
	    json_object_object_add(o, "txt_checked_at",
		api_str(d->txt_checked_at)) ||
	    json_object_object_add(o, "members",
		json_object_new_int64(d->nmembers)) ||
	    json_object_object_add(o, "admins",
		json_object_new_int64(d->nadmins)) ||
	    json_object_object_add(o, "aliases",
		json_object_new_int64(d->naliases))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * GET /api/v1/domains: the domains the caller administers (site admins:
 * all), by name in byte order (sorted here, so that the cursor, the last
 * name of the previous page, compares the same way whatever the
 * database's collation); a handful of rows.
 */
enum app_err
h_api_domains(struct req *r)
{
	struct json_object *items;
	struct domain_view  d;
	struct actor        a;
	const char        **names, *after, *next = NULL;
	size_t              n, i, shown = 0;
	int                 limit;
	enum app_err        e;

	if ((e = page_args(r, &limit, &after)) != APP_OK)
		return e;
	api_actor(r, &a);
	if ((e = member_admin_domains(r->db, r->arena, &a, &names, &n)) !=
	    APP_OK)
		return listing_refused(r, e, N_("no such domain"));
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n && e == APP_OK; i++) {
		if (after != NULL && strcmp(names[i], after) <= 0)
			continue;
		if (shown == (size_t)limit) {
			next = names[i - 1];
			break;
		}
		if ((e = member_domain(r->db, r->arena, &a, names[i], &d)) ==
			APP_OK &&
		    add_item(items, domain_json(r, &d)) == -1)
			e = APP_ENOMEM;
		shown++;
	}
	if (e != APP_OK) {
		json_object_put(items);
		return listing_refused(r, e, N_("no such domain"));
	}
	return api_reply_list(r, items, next);
}

/* GET /api/v1/domains/:domain */
enum app_err
h_api_domain(struct req *r)
{
	struct domain_view d;
	struct actor       a;
	enum app_err       e;

	api_actor(r, &a);
	if ((e = member_domain(r->db, r->arena, &a, req_param(r, PARAM_DOMAIN),
		 &d)) != APP_OK)
		return listing_refused(r, e, N_("no such domain"));
	return api_reply(r, 200, domain_json(r, &d));
}

/*
 * PATCH /api/v1/domains/:domain {"default_lang": "fi"}: the language of
 * the domain's e-mail to those who chose none (rules/domain_lang.h).
 */
enum app_err
h_api_domain_update(struct req *r)
{
	struct json_object  *body;
	struct alias_problem why;
	struct actor         a;
	const char          *lang = NULL;
	int                  changed;
	enum app_err         e;

	if ((e = api_read_json(r, &body)) != APP_OK)
		return e;
	json_object_object_foreach(body, key, val)
	{
		if (strcmp(key, "default_lang") != 0) {
			e = api_refuse(r, APP_EINVALID,
			    arena_strdup(r->arena, key), "unknown_field",
			    N_("this field cannot be changed"));
			break;
		}
		if ((lang = json_text(r, val, "default_lang", &e)) == NULL)
			break;
	}
	json_object_put(body);
	if (e != APP_OK)
		return e;
	api_actor(r, &a);
	if (lang != NULL &&
	    (e = domain_lang_set(r->db, &a, req_param(r, PARAM_DOMAIN), lang,
		 &why, &changed)) != APP_OK)
		return refused(r, e, &why, N_("no such domain"));
	return h_api_domain(r);
}

static struct json_object *
member_json(const struct member_view *m)
{
	struct json_object *o, *list, *s;
	size_t              i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((list = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "aliases", list)) {
		json_object_put(list);
		goto fail;
	}
	for (i = 0; i < m->naliases; i++) {
		if ((s = json_object_new_object()) == NULL ||
		    add_item(list, s) == -1)
			goto fail;
		if (json_object_object_add(s, "id",
			json_object_new_int64(m->aliases[i].id)) ||
		    json_object_object_add(s, "address",
			api_str(m->aliases[i].address)) ||
		    json_object_object_add(s, "enabled",
			json_object_new_boolean(m->aliases[i].enabled)) ||
		    json_object_object_add(s, "disabled_reason",
			api_str(nonempty(m->aliases[i].disabled_reason))))
			goto fail;
	}
	if (json_object_object_add(o, "name", api_str(m->name)) ||
	    json_object_object_add(o, "display_name",
		api_str(m->display_name)) ||
	    json_object_object_add(o, "email", api_str(m->email)) ||
	    json_object_object_add(o, "role",
		api_str(member_role_name(m->role))) ||
	    json_object_object_add(o, "joined_at", api_str(m->joined_at)))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* A domain listing's query from fields limit, cursor and q. */
static enum app_err
list_query(struct req *r, struct member_query *q)
{
	memset(q, 0, sizeof(*q));
	q->search = req_field(r, API_Q);
	q->enabled = -1;
	return page_args(r, &q->limit, &q->after);
}

/* Fields of GET /api/v1/domains/:domain/members: limit, cursor, q. */
enum app_err
h_api_members(struct req *r)
{
	struct json_object *items;
	struct member_query q;
	struct member_list  l;
	struct actor        a;
	size_t              i;
	enum app_err        e;

	if ((e = list_query(r, &q)) != APP_OK)
		return e;
	api_actor(r, &a);
	if ((e = member_list(r->db, r->arena, &a, req_param(r, PARAM_DOMAIN),
		 &q, &l)) != APP_OK)
		return listing_refused(r, e, N_("no such domain"));
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < l.n; i++)
		if (add_item(items, member_json(&l.items[i])) == -1) {
			json_object_put(items);
			return APP_ENOMEM;
		}
	return api_reply_list(r, items, l.next);
}

/* One member with every alias of theirs on the domain, in full. */
static enum app_err
reply_member(struct req *r, const struct actor *a, int status)
{
	struct json_object  *o, *list;
	struct member_detail m;
	size_t               i;
	enum app_err         e;

	if ((e = member_get(r->db, r->arena, a, req_param(r, PARAM_DOMAIN),
		 req_param(r, PARAM_NAME), &m)) != APP_OK)
		return listing_refused(r, e, N_("no such member"));
	if ((o = member_json(&m.member)) == NULL)
		return APP_ENOMEM;
	if ((list = json_object_new_array()) == NULL ||
	    json_object_object_add(o, "aliases", list)) {
		json_object_put(list);
		json_object_put(o);
		return APP_ENOMEM;
	}
	for (i = 0; i < m.naliases; i++)
		if (add_item(list, alias_json(&m.aliases[i])) == -1) {
			json_object_put(o);
			return APP_ENOMEM;
		}
	return api_reply(r, status, o);
}

/* GET /api/v1/domains/:domain/members/:name */
enum app_err
h_api_member(struct req *r)
{
	struct actor a;

	api_actor(r, &a);
	return reply_member(r, &a, 200);
}

/* PATCH /api/v1/domains/:domain/members/:name {"role": "admin"|"member"} */
enum app_err
h_api_member_update(struct req *r)
{
	struct json_object  *body, *role = NULL;
	struct alias_problem why;
	struct actor         a;
	int                  to = -1;
	enum app_err         e;

	if ((e = api_read_json(r, &body)) != APP_OK)
		return e;
	json_object_object_foreach(body, key, val)
	{
		if (strcmp(key, "role") != 0) {
			e = api_refuse(r, APP_EINVALID,
			    arena_strdup(r->arena, key), "unknown_field",
			    N_("this field cannot be changed"));
			break;
		}
		role = val;
	}
	if (e == APP_OK && role != NULL &&
	    (!json_object_is_type(role, json_type_string) ||
		(to = member_role_parse(json_object_get_string(role))) == -1))
		e = api_refuse(r, APP_EINVALID, "role", "invalid_role",
		    N_("role must be \"admin\" or \"member\""));
	json_object_put(body);
	if (e != APP_OK)
		return e;
	api_actor(r, &a);
	memset(&why, 0, sizeof(why));
	if (to != -1 &&
	    (e = member_set_role(r->db, r->arena, &a,
		 req_param(r, PARAM_DOMAIN), req_param(r, PARAM_NAME),
		 (enum member_role)to, &why)) != APP_OK)
		return refused(r, e, &why, N_("no such member"));
	return reply_member(r, &a, 200);
}

/* ?enabled=true|false: -1 (any), 0, 1, or -2 when it is neither. */
static int
enabled_filter(const char *v)
{
	if (v == NULL)
		return -1;
	if (strcmp(v, "true") == 0)
		return 1;
	return strcmp(v, "false") == 0 ? 0 : -2;
}

/*
 * GET /api/v1/domains/:domain/aliases: fields limit, cursor, q (a prefix
 * of the local part), enabled, reason (a disabled reason).
 */
enum app_err
h_api_domain_aliases(struct req *r)
{
	struct json_object      *items;
	struct member_query      q;
	struct member_alias_list l;
	struct actor             a;
	size_t                   i;
	enum app_err             e;

	if ((e = list_query(r, &q)) != APP_OK)
		return e;
	if ((q.enabled = enabled_filter(req_field(r, API_ENABLED))) == -2)
		return api_refuse(r, APP_EINVALID, "enabled", "invalid_filter",
		    N_("enabled must be true or false"));
	q.disabled_reason = req_field(r, API_REASON);
	api_actor(r, &a);
	if ((e = member_domain_aliases(r->db, r->arena, &a,
		 req_param(r, PARAM_DOMAIN), &q, &l)) != APP_OK)
		return listing_refused(r, e, N_("no such domain"));
	if ((items = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < l.n; i++)
		if (add_item(items, alias_json(&l.items[i])) == -1) {
			json_object_put(items);
			return APP_ENOMEM;
		}
	return api_reply_list(r, items, l.next);
}
