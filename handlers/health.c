/* health.c - probes for load balancers and supervisors. */
#include "config.h"

#include "handlers.h"

#define TEXT	"text/plain; charset=utf-8"

/* Liveness: answers without touching anything but the worker itself. */
enum app_err
h_healthz(struct req *r)
{
	resp_body(r, TEXT, "ok\n", 3);
	return resp_header(r, "Cache-Control", "no-store");
}

/*
 * Readiness: this worker can reach the database and its schema is the one
 * the binary needs.  The details go to the log, not to the caller.
 */
enum app_err
h_readyz(struct req *r)
{
	static const char	 ready[] = "ready\n";
	static const char	 down[] = "not ready: database unavailable\n";
	static const char	 behind[] = "not ready: schema behind\n";

	if (db_connect(r->db) == APP_OK)
		resp_body(r, TEXT, ready, sizeof(ready) - 1);
	else {
		r->status = 503;
		r->reason = db_reason(r->db);
		if (db_schema_behind(r->db))
			resp_body(r, TEXT, behind, sizeof(behind) - 1);
		else
			resp_body(r, TEXT, down, sizeof(down) - 1);
		(void)resp_header(r, "Retry-After", "5");
	}
	return resp_header(r, "Cache-Control", "no-store");
}
