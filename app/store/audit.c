/* audit.c - audit_log rows; see audit.h. */
#include "config.h"

#include <stdio.h>

#include "store/audit.h"
#include "store/db.h"

const char *
actor_kind_name(enum actor_kind k)
{
	static const char *const names[] = { [ACTOR_USER] = "user",
		[ACTOR_API] = "api",
		[ACTOR_SYNC] = "sync",
		[ACTOR_CLI] = "cli",
		[ACTOR_SYSTEM] = "system" };

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] :
								    "system";
}

/* id as text into buf, or NULL for 0 (SQL NULL). */
static const char *
id_param(char *buf, size_t bufsz, long long id)
{
	if (id == 0)
		return NULL;
	snprintf(buf, bufsz, "%lld", id);
	return buf;
}

enum app_err
audit_write(struct db *db, const struct actor *a, const struct audit_event *ev)
{
	char         uid[24], tid[24], did[24];
	const char  *p[11];
	PGresult    *res;
	enum app_err e = APP_OK;

	p[0] = actor_kind_name(a->kind);
	p[1] = id_param(uid, sizeof(uid), a->user_id);
	p[2] = a->name;
	p[3] = ev->action;
	p[4] = ev->target_type;
	p[5] = id_param(tid, sizeof(tid), ev->target_id);
	p[6] = ev->target_label;
	p[7] = ev->before;
	p[8] = ev->after;
	p[9] = a->request_id;
	p[10] = id_param(did, sizeof(did), ev->domain_id);
	if ((res = db_exec(db, STMT_AUDIT, 11, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}
