/*
 * route.h - the route table's shape and the dispatcher.
 *
 * Every route is one row: methods, a path pattern whose ":name" segments
 * match one path segment each, the handler, who may call it, whether it
 * changes state (then CSRF is checked before the handler runs) and the
 * fields it accepts.  The table itself is handlers/routes.c.
 */
#ifndef MM_ROUTE_H
#define MM_ROUTE_H

#include <stddef.h>

#include "http/fields.h"
#include "http/req.h"
#include "lib/err.h"

enum access {
	ACCESS_ANYONE,
	ACCESS_SIGNED_IN,
	ACCESS_DOMAIN_ADMIN,
	ACCESS_SITE_ADMIN
};

/* Every handler has this signature; it fills the response in req. */
typedef enum app_err handler_fn(struct req *);

struct route {
	unsigned int        methods; /* METHOD_* bits; GET implies HEAD */
	const char         *pattern;
	handler_fn         *handler;
	enum access         access;
	int                 changes_state;
	const struct field *fields;
	size_t              nfields;
};

enum route_result {
	ROUTE_FOUND,
	ROUTE_NO_PATH,  /* 404 */
	ROUTE_NO_METHOD /* 405 */
};

/*
 * Finds the route for method and path in table[0..n).  On ROUTE_FOUND sets
 * *found and fills req->path_params (arena copies, percent-decoded); on
 * ROUTE_NO_METHOD writes the allowed methods ("GET, HEAD") into allow.
 * A path segment that does not decode cleanly never matches a parameter.
 */
enum route_result route_match(struct req *, const struct route *table, size_t n,
    const struct route **found, char *allow, size_t allowsz);

/* Fills the response with the page for an error; allow is for 405. */
typedef void error_fn(struct req *, enum app_err, const char *allow);

/*
 * The statement that reads the session for a route: STMT_SESSION_LOAD,
 * or one that also reads the page's data in the same round trip: each of
 * its rows starts with STMT_SESSION_LOAD's columns and has the page's
 * after them (from SESSION_COLUMNS on); no row when there is no session.
 * The handler finds it in req->session_res.
 */
typedef enum stmt session_stmt_fn(const struct route *);

struct router {
	const struct route *table;
	size_t              n;
	error_fn           *error_page;
	session_stmt_fn    *session_stmt; /* NULL: STMT_SESSION_LOAD */
};

/*
 * Serves the request accepted by the worker: limits, match, access and CSRF
 * checks, field validation, the handler, the error page if anything failed,
 * and the response.  Never fails: every outcome is a response.
 */
void route_dispatch(struct req *, const struct router *);

#endif
