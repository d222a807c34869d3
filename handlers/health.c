/* health.c - probes for load balancers and supervisors. */
#include "config.h"

#include "handlers.h"

/* Liveness: answers without touching anything but the worker itself. */
enum app_err
h_healthz(struct req *r)
{
	resp_body(r, "text/plain; charset=utf-8", "ok\n", 3);
	return resp_header(r, "Cache-Control", "no-store");
}
