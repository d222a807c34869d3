/* errlog.c - provisioning errors, logged, counted, reported once; see errlog.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "store/db.h"
#include "store/errlog.h"

#define MSG_MAX 2000

enum app_err
errlog_record(struct db *db, const struct errlog_who *w, const char *code,
    const char *msg)
{
	char         uid[24], did[24], fp[MSG_MAX + 64], m[MSG_MAX + 1];
	const char  *p[6];
	PGresult    *res;
	enum app_err e;

	snprintf(m, sizeof(m), "%s: %s", code, msg);
	log_error("provision_error", LOG_WORD("code", code),
	    LOG_INT("user", w->user_id), LOG_STR("name", w->name),
	    LOG_STR("claimed_id", w->claimed_id), LOG_WORD("domain", w->domain),
	    LOG_STR("msg", msg));
	snprintf(uid, sizeof(uid), "%lld", w->user_id);
	snprintf(did, sizeof(did), "%lld", w->domain_id);
	/* The user is not part of it: one row per kind of error. */
	snprintf(fp, sizeof(fp), "%s\n%lld\n%s", code, w->domain_id, msg);
	p[0] = fp;
	p[1] = m;
	p[2] = w->user_id > 0 ? uid : NULL;
	p[3] = w->name;
	p[4] = w->claimed_id;
	p[5] = w->domain_id > 0 ? did : NULL;
	if ((res = db_exec(db, STMT_ERRLOG, 6, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

enum app_err
errlog_report_once(struct db *db, long long user_id, long long domain_id,
    const char *code, int *send)
{
	char         uid[24], did[24];
	const char  *p[3] = { uid, did, code };
	PGresult    *res;
	enum app_err e;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(did, sizeof(did), "%lld", domain_id);
	if ((res = db_exec(db, STMT_ERROR_REPORT, 3, p, &e)) == NULL)
		return e;
	*send = PQntuples(res) == 1;
	PQclear(res);
	return APP_OK;
}

enum app_err
errlog_forget(struct db *db, long long user_id, long long domain_id)
{
	char         uid[24], did[24];
	const char  *p[2] = { uid, did };
	PGresult    *res;
	enum app_err e;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(did, sizeof(did), "%lld", domain_id);
	if ((res = db_exec(db, STMT_ERROR_FORGET, 2, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}
