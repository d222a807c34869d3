/* rawdb.c - the operator commands' plain connection; see rawdb.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/climsg.h"
#include "store/rawdb.h"

/* libpq messages end with a newline; one line is enough here. */
static void
warn_pq(const char *what, PGconn *c)
{
	const char *msg = c != NULL ? PQerrorMessage(c) : "out of memory";

	cli_warnx("%s%.*s", what, (int)strcspn(msg, "\n"), msg);
}

PGconn *
rawdb_connect(const char *conninfo, const char *appname, const char *options)
{
	char              app[64];
	const char *const keys[] = { "dbname", "application_name",
		"connect_timeout", "options", NULL };
	const char       *vals[] = { conninfo, app, "10", options, NULL };
	PGconn           *c;

	snprintf(app, sizeof(app), "membermail %s", appname);
	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		warn_pq("cannot connect: ", c);
		PQfinish(c);
		return NULL;
	}
	return c;
}

PGresult *
rawdb_query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		warn_pq("", c);
		PQclear(res);
		return NULL;
	}
	return res;
}

int
rawdb_exec(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = rawdb_query(c, sql, n, params);

	PQclear(res);
	return res != NULL ? 0 : -1;
}
