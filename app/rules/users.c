/* users.c - user records at sign-in; see users.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/log.h"
#include "proto/rp.h"
#include "rules/alias.h"
#include "rules/notify.h"
#include "rules/recipients.h"
#include "rules/users.h"
#include "store/audit.h"
#include "store/db.h"

struct signin {
	struct arena             *arena; /* the receipts' strings */
	const char               *request_id;
	const struct rp_identity *id;
	const char               *email; /* id's, usable; NULL: none */
	char                      email_buf[320];
	long long                 uid;
	enum signin_outcome       outcome;
};

/*
 * The identity's address as we keep it: the domain part lower-cased (it
 * is case-insensitive, RFC 5321 2.4), the local part as given; NULL when
 * there is none or it cannot be a mail header's.
 */
static const char *
usable_email(struct signin *s)
{
	const char *e = s->id->email;
	char       *p;

	if (e == NULL || strlen(e) >= sizeof(s->email_buf) ||
	    !mail_address_ok(e))
		return NULL;
	memcpy(s->email_buf, e, strlen(e) + 1);
	for (p = strrchr(s->email_buf, '@'); *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s->email_buf;
}

/* Runs one statement inside the transaction; -1 on failure. */
static int
run(struct db *db, enum stmt st, int n, const char *const *params,
    PGresult **out, enum app_err *e)
{
	PGresult *res;

	if ((res = db_exec(db, st, n, params, e)) == NULL)
		return -1;
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* {"email": "..."} for the audit log; a static "null" if it fails. */
static char *
email_json(const char *email)
{
	struct json_object *o = json_object_new_object();
	char               *s = NULL;

	if (o != NULL && email != NULL &&
	    json_object_object_add(o, "email", json_object_new_string(email)) ==
		0)
		s = strdup(
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static int
audit(struct db *db, struct signin *s, const char *action, const char *before,
    const char *after, enum app_err *e)
{
	struct actor       a = { ACTOR_USER, s->uid, s->id->nickname, 0,
		      s->request_id };
	struct audit_event ev = { action, "user", s->uid, s->id->nickname, 0,
		before, after };

	return (*e = audit_write(db, &a, &ev)) == APP_OK ? 0 : -1;
}

static int
create(struct db *db, struct signin *s, enum app_err *e)
{
	const char *p[4] = { s->id->claimed_id, s->id->nickname, s->email,
		s->id->fullname };
	PGresult   *res;
	char       *after;
	int         rc;

	if (run(db, STMT_USER_INSERT, 4, p, &res, e) == -1)
		return -1;
	s->uid = db_ll(res, 0, USER_INSERT_ID);
	PQclear(res);
	after = email_json(s->email);
	rc = audit(db, s, "user.signup", NULL, after, e);
	free(after);
	return rc;
}

/*
 * The aliases that followed the new address (res: id, recipients
 * before): their receipts; the old address stays confirmed where it
 * remains a recipient (recipients.h).
 */
static int
receipts(struct db *db, struct signin *s, const char *old, PGresult *res,
    enum app_err *e)
{
	struct actor a = { ACTOR_USER, s->uid, s->id->nickname, 0,
		s->request_id };
	long long   *ids;
	const char **before;
	int          i, n = PQntuples(res);

	ids = arena_calloc(s->arena, (size_t)n + 1, sizeof(*ids));
	before = arena_calloc(s->arena, (size_t)n + 1, sizeof(*before));
	if (ids == NULL || before == NULL) {
		*e = APP_ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		ids[i] = db_ll(res, i, FOLLOW_EMAIL_ID);
		before[i] = db_str(res, i, FOLLOW_EMAIL_BEFORE);
	}
	*e = rcpt_email_changed_tx(db, s->arena, &a, s->uid, old, ids, before,
	    (size_t)n);
	return *e == APP_OK ? 0 : -1;
}

/*
 * Email changed: aliases that forwarded only to the old one (or to the
 * one they were stuck with) follow, when the new one can be a recipient
 * and is not their own address, with their receipts.  Those that cannot
 * stay, and /my says so (users.email_stuck); the sign-in goes on either
 * way.
 */
static int
follow_email(struct db *db, struct signin *s, const char *old,
    const char *stuck, enum app_err *e)
{
	char        uid[24], *before, *after;
	const char *p[4];
	PGresult   *res;
	int         rc;

	snprintf(uid, sizeof(uid), "%lld", s->uid);
	p[0] = uid;
	p[1] = old;
	p[2] = s->email;
	p[3] = stuck[0] != '\0' ? stuck : NULL;
	if (alias_recipient_valid(s->email)) {
		if (run(db, STMT_ALIASES_FOLLOW_EMAIL, 4, p, &res, e) == -1)
			return -1;
		rc = receipts(db, s, old, res, e);
		PQclear(res);
		if (rc == -1)
			return -1;
	}
	if (run(db, STMT_USER_EMAIL_STUCK, 2, p, &res, e) == -1)
		return -1;
	if (PQntuples(res) == 1 && db_bool(res, 0, USER_EMAIL_STUCK_STUCK))
		log_warn("aliases_not_following", LOG_WORD("id", s->request_id),
		    LOG_INT("user", s->uid),
		    LOG_STR("reason",
			"the new address cannot be their recipient"));
	PQclear(res);
	before = email_json(old);
	after = email_json(s->email);
	rc = audit(db, s, "user.email_changed", before, after, e);
	free(before);
	free(after);
	return rc;
}

static int
refresh(struct db *db, struct signin *s, PGresult *row, enum app_err *e)
{
	char        uid[24];
	const char *p[4], *old = db_str(row, 0, USER_BY_CLAIMED_ID_EMAIL);

	snprintf(uid, sizeof(uid), "%lld", s->uid);
	p[0] = uid;
	p[1] = s->id->nickname;
	p[2] = s->email;
	p[3] = s->id->fullname;
	if (run(db, STMT_USER_UPDATE, 4, p, NULL, e) == -1)
		return -1;
	/* The owner is back: what an undo link locked opens again. */
	if ((*e = rcpt_unlock_tx(db, s->uid, s->request_id)) != APP_OK)
		return -1;
	if (s->email != NULL && strcmp(old, s->email) != 0)
		return follow_email(db, s, old,
		    db_str(row, 0, USER_BY_CLAIMED_ID_STUCK), e);
	return 0;
}

static enum app_err
signin_tx(struct db *db, void *arg)
{
	struct signin *s = arg;
	const char    *p[2] = { s->id->nickname, s->id->claimed_id };
	PGresult      *row;
	enum app_err   e = APP_OK;
	int            rc = 0, found;

	if (run(db, STMT_USER_BY_CLAIMED_ID, 1, &s->id->claimed_id, &row, &e) ==
	    -1)
		return e;
	if ((found = PQntuples(row) == 1))
		s->uid = db_ll(row, 0, USER_BY_CLAIMED_ID_ID);
	s->email = usable_email(s);
	if (s->id->email != NULL && s->email == NULL)
		log_warn("signin_email_unusable",
		    LOG_WORD("id", s->request_id));
	if (found && db_bool(row, 0, USER_BY_CLAIMED_ID_BANNED))
		s->outcome = SIGNIN_BANNED;
	else if (!found && s->email == NULL)
		s->outcome = s->id->email == NULL ? SIGNIN_NO_EMAIL :
						    SIGNIN_BAD_EMAIL;
	/* The name moved here from another identity: a Launchpad rename. */
	else if ((rc = run(db, STMT_USER_CLEAR_NAME, 2, p, NULL, &e)) == 0)
		rc = found ? refresh(db, s, row, &e) : create(db, s, &e);
	PQclear(row);
	return rc == 0 ? APP_OK : e;
}

enum app_err
users_signin(struct db *db, struct arena *arena, const char *request_id,
    const struct rp_identity *id, long long *uid, enum signin_outcome *outcome)
{
	struct signin s;
	enum app_err  e;

	memset(&s, 0, sizeof(s));
	s.arena = arena;
	s.request_id = request_id;
	s.id = id;
	s.outcome = SIGNIN_OK;
	if ((e = db_tx(db, signin_tx, &s)) != APP_OK)
		return e;
	*uid = s.uid;
	*outcome = s.outcome;
	return APP_OK;
}
