/* climsg.c - messages and database access of the operator commands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/climsg.h"
#include "lib/conf.h"

static char	 prefix[48] = "membermail";

void
cli_name(const char *name)
{
	snprintf(prefix, sizeof(prefix), "%s", name);
}

void
cli_vwarnx(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_vwarnx(fmt, ap);
	va_end(ap);
}

/* libpq messages end with a newline; one line is enough here. */
static void
warn_pq(const char *what, PGconn *c)
{
	const char	*msg = c != NULL ? PQerrorMessage(c) : "out of memory";

	cli_warnx("%s%.*s", what, (int)strcspn(msg, "\n"), msg);
}

PGconn *
cli_connect(const char *conninfo, const char *appname, const char *options)
{
	char		 app[64];
	const char *const keys[] = { "dbname", "application_name",
	    "connect_timeout", "options", NULL };
	const char	*vals[] = { conninfo, app, "10", options, NULL };
	PGconn		*c;

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
cli_query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult	*res = PQexecParams(c, sql, n, NULL, params, NULL, NULL,
	    0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		warn_pq("", c);
		PQclear(res);
		return NULL;
	}
	return res;
}

int
cli_exec(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult	*res = cli_query(c, sql, n, params);

	PQclear(res);
	return res != NULL ? 0 : -1;
}

int
cli_config(struct config *cfg, const char *path)
{
	char	 err[1024];

	conf_defaults(cfg);
	if (conf_load(cfg, conf_path(path), err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return -1;
	}
	return 0;
}
