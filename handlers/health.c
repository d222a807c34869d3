/* health.c - probes for load balancers and supervisors. */
#include "config.h"

#include <stdlib.h>

#include "handlers/handlers.h"

#define TEXT "text/plain; charset=utf-8"

/* Liveness: answers without touching anything but the worker itself. */
enum app_err
h_healthz(struct req *r)
{
	resp_body(r, TEXT, "ok\n", 3);
	return APP_OK;
}

/*
 * Readiness: this worker reaches the database now (a real query, not the
 * state of a connection that may be dead) and the schema is the one the
 * binary needs.  The details go to the log, not to the caller.
 */
enum app_err
h_readyz(struct req *r)
{
	static const char ready[] = "ready\n";
	static const char down[] = "not ready: database unavailable\n";
	static const char behind[] = "not ready: schema behind\n";
	PGresult         *res;
	enum app_err      e;

	res = req_sql(r, STMT_SCHEMA_VERSION, 0, NULL, &e);
	if (res != NULL &&
	    db_ll(res, 0, SCHEMA_VERSION_VERSION) >= DB_SCHEMA_VERSION)
		resp_body(r, TEXT, ready, sizeof(ready) - 1);
	else {
		r->status = 503;
		r->reason = res != NULL ? "schema behind" : db_reason(r->db);
		if (res != NULL || db_schema_behind(r->db))
			resp_body(r, TEXT, behind, sizeof(behind) - 1);
		else
			resp_body(r, TEXT, down, sizeof(down) - 1);
		return resp_header(r, "Retry-After", "5");
	}
	return APP_OK;
}
