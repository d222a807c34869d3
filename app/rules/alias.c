/*
 * alias.c - the rules for changing an alias (see alias.h): who may, what
 * a valid change is, and the one transaction that applies it with its
 * audit row.  Owns nothing beyond a call: views and problems point into
 * the caller's arena or at static strings.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/i18n.h"
#include "lib/valid.h"
#include "rules/alias.h"
#include "rules/recipients.h"
#include "store/audit.h"
#include "store/db.h"

#define LOCAL_MAX   64  /* RFC 5321 4.5.3.1.1 */
#define ADDRESS_MAX 254 /* RFC 5321 4.5.3.1.3, less the path's <> */

static int
problem(struct alias_problem *why, const char *field, const char *code,
    const char *message)
{
	why->field = field;
	why->code = code;
	why->message = message;
	return -1;
}

/* RFC 5322 atext, the characters of a dot-atom's atoms. */
static int
atext(char c)
{
	return c != '\0' &&
	    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') ||
		strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* A dot-atom of len bytes: atoms of atext joined by single dots. */
static int
dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '.' ? s[i + 1] == '.' : !atext(s[i]))
			return 0;
	return 1;
}

int
alias_recipient_valid(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t      i, len = strlen(addr);

	for (i = 0; i < len; i++)
		if ((unsigned char)addr[i] <= ' ' ||
		    (unsigned char)addr[i] >= 0x7f)
			return 0;
	return at != NULL && len <= ADDRESS_MAX &&
	    (size_t)(at - addr) <= LOCAL_MAX &&
	    dot_atom(addr, (size_t)(at - addr)) &&
	    domain_problem(at + 1) == NULL;
}

/*
 * Checks one recipient of len bytes and returns its normal form (domain
 * lower-cased) in the arena, or NULL with *why filled.
 */
static char *
recipient(struct arena *a, const char *s, size_t len, struct alias_problem *why)
{
	const char *at;
	char       *out;
	size_t      i, local;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			problem(why, "recipients", "recipient_control",
			    N_("A recipient contains a control character."));
			return NULL;
		}
		if ((unsigned char)s[i] >= 0x80) {
			problem(why, "recipients", "recipient_not_ascii",
			    N_("Recipient addresses must be plain ASCII "
			       "(write an international domain as xn--...)."));
			return NULL;
		}
	}
	if ((at = memchr(s, '@', len)) == NULL) {
		problem(why, "recipients", "recipient_invalid",
		    N_("Each recipient must be an address like name@example.org."));
		return NULL;
	}
	local = (size_t)(at - s);
	if (len > ADDRESS_MAX || local > LOCAL_MAX) {
		problem(why, "recipients", "recipient_too_long",
		    N_("A recipient is too long (at most 64 characters before "
		       "the @ and 254 in all)."));
		return NULL;
	}
	if ((out = arena_strndup(a, s, len)) == NULL) {
		problem(why, NULL, "out_of_memory", N_("Out of memory."));
		return NULL;
	}
	for (i = local + 1; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	if (!dot_atom(out, local) || domain_problem(out + local + 1) != NULL) {
		problem(why, "recipients", "recipient_invalid",
		    N_("Each recipient must be an address like name@example.org."));
		return NULL;
	}
	return out;
}

int
alias_parse_recipients(struct arena *a, const char *raw, const char ***out,
    size_t *n, struct alias_problem *why)
{
	static const char sep[] = " \t\r\n,";
	const char      **list;
	const char       *p = raw != NULL ? raw : "";
	char             *r;
	size_t            len, i, count = 0;

	if ((list = arena_calloc(a, ALIAS_RECIPIENTS_MAX, sizeof(*list))) ==
	    NULL)
		return problem(why, NULL, "out_of_memory",
		    N_("Out of memory."));
	for (p += strspn(p, sep); *p != '\0'; p += len, p += strspn(p, sep)) {
		len = strcspn(p, sep);
		if ((r = recipient(a, p, len, why)) == NULL)
			return -1;
		for (i = 0; i < count; i++)
			if (strcasecmp(list[i], r) == 0)
				break;
		if (i < count)
			continue; /* a duplicate */
		if (count == ALIAS_RECIPIENTS_MAX)
			return problem(why, "recipients", "too_many_recipients",
			    N_("At most 10 recipients."));
		list[count++] = r;
	}
	if (count == 0)
		return problem(why, "recipients", "no_recipients",
		    N_("Give at least one recipient address."));
	*out = list;
	*n = count;
	return 0;
}

enum app_err
alias_view_row(struct arena *a, PGresult *res, int row, struct alias_view *v)
{
	enum app_err e;

	v->id = db_ll(res, row, ALIAS_VIEW_ID);
	v->domain_id = db_ll(res, row, ALIAS_VIEW_DOMAIN);
	v->user_id = db_ll(res, row, ALIAS_VIEW_USER);
	v->enabled = db_bool(res, row, ALIAS_VIEW_ENABLED);
	v->reply_code = (int)db_ll(res, row, ALIAS_VIEW_REPLY);
	if ((e = db_array(a, res, row, ALIAS_VIEW_RECIPIENTS, &v->recipients,
		 &v->nrecipients)) != APP_OK)
		return e;
	/* NULL stays NULL: enabled, or no removal scheduled. */
	v->disabled_reason = db_dup(a, res, row, ALIAS_VIEW_REASON);
	v->remove_at = db_dup(a, res, row, ALIAS_VIEW_REMOVE_AT);
	if ((v->disabled_reason == NULL &&
		!db_null(res, row, ALIAS_VIEW_REASON)) ||
	    (v->remove_at == NULL &&
		!db_null(res, row, ALIAS_VIEW_REMOVE_AT)) ||
	    (v->address = db_dup(a, res, row, ALIAS_VIEW_ADDRESS)) == NULL ||
	    (v->owner_name = db_dup(a, res, row, ALIAS_VIEW_OWNER)) == NULL ||
	    (v->description = db_dup(a, res, row, ALIAS_VIEW_DESCRIPTION)) ==
		NULL ||
	    (v->created_at = db_dup(a, res, row, ALIAS_VIEW_CREATED)) == NULL ||
	    (v->updated_at = db_dup(a, res, row, ALIAS_VIEW_UPDATED)) == NULL)
		return APP_ENOMEM;
	v->locked = db_bool(res, row, ALIAS_VIEW_LOCKED);
	return db_array(a, res, row, ALIAS_VIEW_PENDING, &v->pending,
	    &v->npending);
}

/*
 * Loads the alias through stmt (the authorization is in its WHERE) and
 * says whether the actor acts as an admin of its domain.
 */
static enum app_err
load(struct db *db, struct arena *a, const struct actor *who, long long id,
    enum stmt stmt, struct alias_view *v, int *as_admin, int *reserved)
{
	char         sid[24], uid[24];
	const char  *p[3] = { sid, uid, who->site_admin ? "t" : "f" };
	PGresult    *res;
	enum app_err e;

	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(uid, sizeof(uid), "%lld", who->user_id);
	if ((res = db_exec(db, stmt, 3, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		*as_admin = who->site_admin ||
		    strcmp(db_str(res, 0, ALIAS_GET_ROLE), "admin") == 0;
		*reserved = db_bool(res, 0, ALIAS_GET_RESERVED);
		e = alias_view_row(a, res, 0, v);
	}
	PQclear(res);
	return e;
}

enum app_err
alias_get(struct db *db, struct arena *a, const struct actor *who, long long id,
    struct alias_view *out)
{
	int as_admin, reserved;

	return load(db, a, who, id, STMT_ALIAS_GET, out, &as_admin, &reserved);
}

/* One alias_update call, handed through db_tx. */
struct update {
	struct arena              *arena;
	const struct actor        *who;
	long long                  id;
	const struct alias_change *change;
	struct alias_problem      *why;
	struct alias_view          old, new;
	int                        reserved; /* see COL_RESERVED */
};

static int
description_ok(const char *d, struct alias_problem *why)
{
	size_t i, chars = 0, len = strlen(d);

	if (!valid_text(d, len))
		return problem(why, "description", "description_not_one_line",
		    N_("The description must be one line of text."));
	for (i = 0; i < len; i++)
		if (((unsigned char)d[i] & 0xc0) != 0x80)
			chars++;
	if (chars > ALIAS_DESCRIPTION_MAX)
		return problem(why, "description", "description_too_long",
		    N_("The description may be at most 150 characters long."));
	return 0;
}

/* Whether an owner may enable an alias disabled for this reason. */
static int
owner_may_enable(const char *reason)
{
	return strcmp(reason, "by-owner") == 0 ||
	    strcmp(reason, "matches-recipient") == 0;
}

static int
set_enabled(struct update *u, int as_admin)
{
	struct alias_view *n = &u->new;
	const char        *reason = u->old.disabled_reason;

	if (u->change->enabled && !n->enabled) {
		if (u->reserved)
			return problem(u->why, "enabled", "reserved",
			    N_("This address is reserved for the domain's "
			       "operators (like postmaster@ or abuse@): only a site "
			       "admin's assignment can enable it."));
		if (!as_admin && !owner_may_enable(reason))
			return problem(u->why, "enabled",
			    strcmp(reason, "by-admin") == 0 ?
				"disabled_by_admin" :
				"disabled_by_sync",
			    strcmp(reason, "by-admin") == 0 ?
				N_("An admin of this domain disabled this alias; "
				   "ask them to enable it.") :
				N_("This alias was disabled because of your team "
				   "membership or account; it cannot be enabled here."));
		n->enabled = 1;
		n->disabled_reason = NULL;
		n->remove_at = NULL;
	} else if (!u->change->enabled && n->enabled) {
		n->enabled = 0;
		n->disabled_reason = as_admin ? "by-admin" : "by-owner";
	}
	return 0;
}

/* Builds u->new from u->old and the change; -1 with *why if refused. */
static int
apply_change(struct update *u, int as_admin)
{
	const struct alias_change *c = u->change;
	struct alias_view         *n = &u->new;
	size_t                     i;

	*n = u->old;
	if ((c->set & ALIAS_SET_RECIPIENTS) &&
	    alias_parse_recipients(u->arena, c->recipients, &n->recipients,
		&n->nrecipients, u->why) == -1)
		return -1;
	if ((c->set & ALIAS_SET_DESCRIPTION) &&
	    description_ok(c->description, u->why) == -1)
		return -1;
	if (c->set & ALIAS_SET_DESCRIPTION)
		n->description = c->description;
	if ((c->set & ALIAS_SET_REPLY_CODE) && c->reply_code != 250 &&
	    c->reply_code != 421 && c->reply_code != 550)
		return problem(u->why, "reply_code", "bad_reply_code",
		    N_("The reply while disabled must be 250, 421 or 550."));
	if (c->set & ALIAS_SET_REPLY_CODE)
		n->reply_code = c->reply_code;
	if ((c->set & ALIAS_SET_ENABLED) && set_enabled(u, as_admin) == -1)
		return -1;
	for (i = 0; n->enabled && i < n->nrecipients + n->npending; i++)
		if (strcasecmp(i < n->nrecipients ?
			    n->recipients[i] :
			    n->pending[i - n->nrecipients],
			n->address) == 0)
			return problem(u->why, "recipients", "self_recipient",
			    N_("An enabled alias cannot forward to itself: remove "
			       "its own address or disable it."));
	return 0;
}

static int
same_str(const char *x, const char *y)
{
	return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static int
same_recipients(const struct alias_view *x, const struct alias_view *y)
{
	size_t i;

	if (x->nrecipients != y->nrecipients)
		return 0;
	for (i = 0; i < x->nrecipients; i++)
		if (strcmp(x->recipients[i], y->recipients[i]) != 0)
			return 0;
	return 1;
}

static json_object *
json_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static void
json_recipients(json_object *o, const struct alias_view *v)
{
	json_object *arr = json_object_new_array();
	size_t       i;

	for (i = 0; arr != NULL && i < v->nrecipients; i++)
		json_object_array_add(arr,
		    json_object_new_string(v->recipients[i]));
	json_object_object_add(o, "recipients", arr);
}

/*
 * The fields of v that differ from other, as JSON text in the arena; ""
 * when none does, NULL when out of memory.
 */
static const char *
changed_json(struct arena *a, const struct alias_view *v,
    const struct alias_view *other)
{
	json_object *o;
	const char  *text = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (!same_recipients(v, other))
		json_recipients(o, v);
	if (v->enabled != other->enabled)
		json_object_object_add(o, "enabled",
		    json_object_new_boolean(v->enabled));
	if (!same_str(v->disabled_reason, other->disabled_reason))
		json_object_object_add(o, "disabled_reason",
		    json_str(v->disabled_reason));
	if (v->reply_code != other->reply_code)
		json_object_object_add(o, "reply_code",
		    json_object_new_int(v->reply_code));
	if (!same_str(v->description, other->description))
		json_object_object_add(o, "description",
		    json_str(v->description));
	if (!same_str(v->remove_at, other->remove_at))
		json_object_object_add(o, "remove_at", json_str(v->remove_at));
	text = json_object_object_length(o) == 0 ?
	    "" :
	    arena_strdup(a,
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

/* What a removal takes away, as the audit row's before. */
static const char *
removed_json(struct arena *a, const struct alias_view *v)
{
	json_object *o;
	const char  *text;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "owner", json_str(v->owner_name));
	json_recipients(o, v);
	json_object_object_add(o, "enabled",
	    json_object_new_boolean(v->enabled));
	text = arena_strdup(a,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

const char *
alias_recipients_text(struct arena *a, const struct alias_view *v)
{
	const char *s = "";
	size_t      i;

	for (i = 0; s != NULL && i < v->nrecipients; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "\n" : "",
		    v->recipients[i]);
	return s;
}

static enum app_err
write_change(struct db *db, struct update *u, const char *before,
    const char *after)
{
	struct audit_event ev = { "alias.update", "alias", u->id,
		u->new.address, u->new.domain_id, before, after };
	char               sid[24], code[8];
	const char        *p[6];
	PGresult          *res;
	enum app_err       e;

	snprintf(sid, sizeof(sid), "%lld", u->id);
	snprintf(code, sizeof(code), "%d", u->new.reply_code);
	p[0] = sid;
	if ((p[1] = alias_recipients_text(u->arena, &u->new)) == NULL)
		return APP_ENOMEM;
	p[2] = u->new.enabled ? "t" : "f";
	p[3] = u->new.disabled_reason;
	p[4] = code;
	p[5] = u->new.description;
	if ((res = db_exec(db, STMT_ALIAS_UPDATE, 6, p, &e)) == NULL)
		return e;
	if (PQntuples(res) == 1)
		u->new.updated_at = db_dup(u->arena, res, 0,
		    ALIAS_UPDATE_UPDATED);
	PQclear(res);
	if (u->new.updated_at == NULL)
		return APP_ENOMEM;
	return audit_write(db, u->who, &ev);
}

/* Refuses a change the alias cannot take now; -1 with *why. */
static int
refuse_early(struct update *u)
{
	if (u->old.locked)
		return problem(u->why, NULL, "locked",
		    N_("Changes to this alias are locked: its previous "
		       "forwarding was restored from a receipt. Its owner "
		       "unlocks it by signing in again."));
	if (u->change->if_updated_at != NULL &&
	    strcmp(u->change->if_updated_at, u->old.updated_at) != 0)
		return problem(u->why, NULL, "conflict",
		    N_("The alias was changed "
		       "meanwhile; reload it and make your change again."));
	return 0;
}

static enum app_err
update_tx(struct db *db, void *arg)
{
	struct update    *u = arg;
	const char       *before, *after;
	enum rcpt_outcome rc = RCPT_UNCHANGED;
	int               as_admin = 0;
	enum app_err      e;

	if ((e = load(db, u->arena, u->who, u->id, STMT_ALIAS_LOCK, &u->old,
		 &as_admin, &u->reserved)) != APP_OK)
		return e;
	if (refuse_early(u) == -1)
		return APP_ECONFLICT;
	if (apply_change(u, as_admin) == -1)
		return u->why->field == NULL              ? APP_ENOMEM :
		    strcmp(u->why->field, "enabled") == 0 ? APP_EFORBIDDEN :
							    APP_EINVALID;
	if ((u->change->set & ALIAS_SET_RECIPIENTS) &&
	    (e = rcpt_change_tx(db, u->arena, u->who, &u->old, &u->new, &rc)) !=
		APP_OK)
		return e;
	if ((before = changed_json(u->arena, &u->old, &u->new)) == NULL ||
	    (after = changed_json(u->arena, &u->new, &u->old)) == NULL)
		return APP_ENOMEM;
	if (*before == '\0' && rc == RCPT_UNCHANGED)
		return APP_OK; /* nothing changed: nothing to write */
	if (*before != '\0' &&
	    (e = write_change(db, u, before, after)) != APP_OK)
		return e;
	if (u->who->user_id != u->old.user_id &&
	    (e = rcpt_tell_owner_tx(db, u->arena, u->who, &u->old, &u->new,
		 rc)) != APP_OK)
		return e;
	/* As it is now: a pending change moved updated_at too. */
	return load(db, u->arena, u->who, u->id, STMT_ALIAS_GET, &u->new,
	    &as_admin, &u->reserved);
}

enum app_err
alias_update(struct db *db, struct arena *a, const struct actor *who,
    long long id, const struct alias_change *c, struct alias_problem *why,
    struct alias_view *out)
{
	struct update u;
	enum app_err  e;

	memset(&u, 0, sizeof(u));
	u.arena = a;
	u.who = who;
	u.id = id;
	u.change = c;
	u.why = why;
	problem(why, NULL, NULL, NULL);
	if ((e = db_tx(db, update_tx, &u)) == APP_OK && out != NULL)
		*out = u.new;
	return e;
}

/* One alias_remove call, handed through db_tx. */
struct removal {
	struct arena         *arena;
	const struct actor   *who;
	long long             id;
	struct alias_problem *why;
};

static enum app_err
remove_tx(struct db *db, void *arg)
{
	struct removal    *x = arg;
	struct alias_view  v;
	struct audit_event ev;
	const char        *p[1], *before;
	char               sid[24];
	PGresult          *res;
	int                as_admin = 0, reserved, gone;
	enum app_err       e;

	if ((e = load(db, x->arena, x->who, x->id, STMT_ALIAS_LOCK, &v,
		 &as_admin, &reserved)) != APP_OK)
		return e;
	if (!as_admin)
		return APP_ENOTFOUND;
	if (v.locked) {
		problem(x->why, NULL, "locked",
		    N_("Changes to this alias are locked until its owner signs in "
		       "again."));
		return APP_ECONFLICT;
	}
	snprintf(sid, sizeof(sid), "%lld", x->id);
	p[0] = sid;
	if ((res = db_exec(db, STMT_ALIAS_DELETE, 1, p, &e)) == NULL)
		return e;
	gone = PQntuples(res) == 1;
	PQclear(res);
	if (!gone) {
		problem(x->why, NULL, "has_mailbox",
		    N_("This alias has a mailbox: its stored mail must be "
		       "destroyed with the mailbox first."));
		return APP_ECONFLICT;
	}
	if ((before = removed_json(x->arena, &v)) == NULL)
		return APP_ENOMEM;
	memset(&ev, 0, sizeof(ev));
	ev.action = "alias.delete";
	ev.target_type = "alias";
	ev.target_id = x->id;
	ev.target_label = v.address;
	ev.domain_id = v.domain_id;
	ev.before = before;
	if ((e = audit_write(db, x->who, &ev)) != APP_OK)
		return e;
	return x->who->user_id == v.user_id ?
	    APP_OK :
	    rcpt_tell_removed_tx(db, x->arena, x->who, &v);
}

enum app_err
alias_remove(struct db *db, struct arena *a, const struct actor *who,
    long long id, struct alias_problem *why)
{
	struct removal x = { a, who, id, why };

	problem(why, NULL, NULL, NULL);
	return db_tx(db, remove_tx, &x);
}
