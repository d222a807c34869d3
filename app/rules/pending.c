/* pending.c - Launchpad answers held until confirmed; see pending.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "rules/pending.h"
#include "store/audit.h"
#include "store/db.h"

enum app_err
pending_load(struct db *db, struct arena *a, struct pending **out, size_t *n)
{
	struct pending *p;
	PGresult       *res;
	enum app_err    e;
	int             i, rows;

	*out = NULL;
	*n = 0;
	if ((res = db_exec(db, STMT_PENDING_LOAD, 0, NULL, &e)) == NULL)
		return e;
	rows = PQntuples(res);
	if ((p = arena_calloc(a, (size_t)rows + 1, sizeof(*p))) == NULL) {
		PQclear(res);
		return APP_ENOMEM;
	}
	for (i = 0; i < rows; i++) {
		p[i].user_id = db_ll(res, i, PENDING_LOAD_USER);
		p[i].status = db_dup(a, res, i, PENDING_LOAD_STATUS);
		p[i].runs = (int)db_ll(res, i, PENDING_LOAD_RUNS);
		p[i].age = (long)db_ll(res, i, PENDING_LOAD_AGE);
		p[i].accepted = db_bool(res, i, PENDING_LOAD_ACCEPTED);
		if (p[i].status == NULL) {
			PQclear(res);
			return APP_ENOMEM;
		}
	}
	PQclear(res);
	*out = p;
	*n = (size_t)rows;
	return APP_OK;
}

static int
cmp_user(const void *key, const void *elem)
{
	long long uid = *(const long long *)key;
	long long x = ((const struct pending *)elem)->user_id;

	return uid < x ? -1 : uid > x;
}

const struct pending *
pending_find(const struct pending *p, size_t n, long long uid)
{
	return p == NULL ? NULL : bsearch(&uid, p, n, sizeof(*p), cmp_user);
}

int
pending_confirmed(const struct config *cfg, const struct pending *p)
{
	return p->accepted ||
	    (p->runs >= cfg->confirm_runs && p->age >= cfg->confirm_period);
}

int
pending_guard_holds(const struct config *cfg, long checked, long invalid)
{
	return invalid > cfg->invalidation_min_count &&
	    (long long)invalid * 100 >
	    (long long)checked * cfg->invalidation_threshold;
}

/* Runs a statement of array parameters whose rows do not matter. */
static enum app_err
run(struct db *db, enum stmt st, int n, const char *const *prm)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, st, n, prm, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

enum app_err
pending_seen(struct db *db, const char *ids, const char *statuses)
{
	const char *prm[2] = { ids, statuses };

	return strcmp(ids, "{}") == 0 ? APP_OK :
					run(db, STMT_PENDING_SEEN, 2, prm);
}

enum app_err
pending_forget(struct db *db, const char *ids)
{
	return strcmp(ids, "{}") == 0 ? APP_OK :
					run(db, STMT_PENDING_FORGET, 1, &ids);
}

struct accept {
	const char *by;
	long       *n;
};

static enum app_err
accept_tx(struct db *db, void *arg)
{
	struct accept     *ac = arg;
	struct actor       a = { ACTOR_CLI, 0, ac->by, 0, NULL };
	struct audit_event ev;
	char               label[64];
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_PENDING_ACCEPT, 1, &ac->by, &e)) == NULL)
		return e;
	*ac->n = PQntuples(res);
	PQclear(res);
	if (*ac->n == 0)
		return APP_OK;
	snprintf(label, sizeof(label), "%ld users", *ac->n);
	memset(&ev, 0, sizeof(ev));
	ev.action = "sync.accept_invalidations";
	ev.target_type = "person_pending";
	ev.target_label = label;
	return audit_write(db, &a, &ev);
}

enum app_err
pending_accept(struct db *db, const char *by, long *n)
{
	struct accept ac = { by, n };

	*n = 0;
	return db_tx(db, accept_tx, &ac);
}
