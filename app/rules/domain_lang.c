/*
 * domain_lang.c - a domain's default language; see domain_lang.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/i18n.h"
#include "rules/domain_lang.h"
#include "store/audit.h"
#include "store/db.h"

struct lang_tx {
	const struct actor   *actor;
	const char           *domain;
	const struct lang    *lang; /* NULL: none the site offers */
	struct alias_problem *why;
	int                  *changed;
};

/* A refusal, after the access check: who may not ask learns nothing. */
static enum app_err
unknown(struct alias_problem *why)
{
	why->field = "default_lang";
	why->code = "unknown_language";
	why->message = N_("This site offers no such language.");
	return APP_EINVALID;
}

static enum app_err
lang_tx(struct db *db, void *arg)
{
	struct lang_tx    *t = arg;
	struct audit_event ev = { "domain.default_lang", "domain", 0, t->domain,
		0, NULL, NULL };
	char               uid[24], before[64], after[64];
	const char        *p[2] = { t->domain, uid };
	PGresult          *res, *set;
	enum app_err       e;

	snprintf(uid, sizeof(uid), "%lld", t->actor->user_id);
	if ((res = db_exec(db, STMT_DOMAIN_LANG_LOCK, 2, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1 ||
	    (!t->actor->site_admin &&
		!db_bool(res, 0, DOMAIN_LANG_LOCK_ADMIN))) {
		e = PQntuples(res) != 1 && t->actor->site_admin ?
		    APP_ENOTFOUND :
		    APP_EFORBIDDEN;
		PQclear(res);
		return e;
	}
	if (t->lang == NULL) {
		PQclear(res);
		return unknown(t->why);
	}
	if (strcmp(db_str(res, 0, DOMAIN_LANG_LOCK_LANG), t->lang->code) == 0) {
		PQclear(res);
		return APP_OK; /* already so: *changed stays 0 */
	}
	ev.target_id = ev.domain_id = db_ll(res, 0, DOMAIN_LANG_LOCK_ID);
	snprintf(before, sizeof(before), "{\"default_lang\": \"%s\"}",
	    db_str(res, 0, DOMAIN_LANG_LOCK_LANG));
	snprintf(after, sizeof(after), "{\"default_lang\": \"%s\"}",
	    t->lang->code);
	ev.before = before;
	ev.after = after;
	p[0] = db_str(res, 0, DOMAIN_LANG_LOCK_ID);
	p[1] = t->lang->code;
	if ((set = db_exec(db, STMT_DOMAIN_LANG_SET, 2, p, &e)) != NULL) {
		PQclear(set);
		*t->changed = (e = audit_write(db, t->actor, &ev)) == APP_OK;
	}
	PQclear(res);
	return e;
}

enum app_err
domain_lang_set(struct db *db, const struct actor *a, const char *domain,
    const char *tag, struct alias_problem *why, int *changed)
{
	struct lang_tx t = { a, domain, i18n_tag(tag), why, changed };

	*changed = 0;
	memset(why, 0, sizeof(*why));
	return db_tx(db, lang_tx, &t);
}
