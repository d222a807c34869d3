/*
 * route.h - the route table's shape and the dispatcher.
 *
 * Every route is one row, written with designated initialisers, and the row
 * is the whole contract of a request: its methods, a path pattern whose
 * ":name" segments match one path segment each, the handler, who may call
 * it, how the caller is authenticated, whether it changes state, what its
 * path parameters and its fields may be, and the statement that reads its
 * session.  The dispatcher enforces all of it before the handler runs, so a
 * handler only reads validated values, by the names the table gives them
 * (req_field, req_param).  The table itself is handlers/routes.c.
 */
#ifndef MM_ROUTE_H
#define MM_ROUTE_H

#include <stddef.h>

#include "http/fields.h"
#include "http/req.h"
#include "lib/err.h"
#include "lib/valid.h"

enum access {
	ACCESS_ANYONE,
	ACCESS_SIGNED_IN,
	ACCESS_DOMAIN_ADMIN, /* an admin of the domain named by :domain */
	ACCESS_SITE_ADMIN
};

/*
 * How the caller is known.  AUTH_NONE reads no credential at all (the
 * probes); it never goes with an access level or a state change.
 * AUTH_SESSION is the browser's session cookie: its state changes are
 * CSRF-checked and its urlencoded body is read into the form.
 * AUTH_BEARER is the API's Authorization header only, never a cookie, so
 * a cross-site request carries no credential of the victim's and its
 * changes need no CSRF check (http/bearer.h); its handlers read their own
 * JSON bodies.
 */
enum auth {
	AUTH_NONE,
	AUTH_SESSION,
	AUTH_BEARER
};

/* Every handler has this signature; it fills the response in req. */
typedef enum app_err handler_fn(struct req *);

/*
 * What a ":name" segment may be.  The router has one table of them,
 * indexed by the application's parameter enum; index 0 is "none".  A
 * value its validator refuses names nothing here: 404 with `reason`.
 */
struct param {
	const char   *name; /* as written in patterns, without ':' */
	validator_fn *valid;
	size_t        max_len; /* bytes, after percent-decoding */
	const char   *reason;
};

struct route {
	unsigned int methods; /* METHOD_* bits; GET implies HEAD */
	const char  *pattern;
	handler_fn  *handler;
	enum access  access;
	enum auth    auth;
	int          changes_state; /* CSRF-checked under AUTH_SESSION */
	/* The :segments' parameters, in the pattern's order; 0 ends. */
	unsigned int params[REQ_PATH_PARAMS];
	/* Its fields, indexed by the enum declared beside the handler. */
	const struct field *fields;
	size_t              nfields;
	/*
	 * The statement that reads the session (AUTH_SESSION only): 0 for
	 * STMT_SESSION_LOAD, or one that also reads the page's data in the
	 * same round trip: each of its rows starts with STMT_SESSION_LOAD's
	 * columns and has the page's after them (from SESSION__N on: sql.h);
	 * no row when there is no session.  The handler finds it in
	 * req->session_res.
	 */
	enum stmt session_stmt;
};

/* A row's fields: FIELDS(table) in its initialiser. */
#define FIELDS(t) .fields = (t), .nfields = sizeof(t) / sizeof((t)[0])

enum route_result {
	ROUTE_FOUND,
	ROUTE_NO_PATH,  /* 404 */
	ROUTE_NO_METHOD /* 405 */
};

/*
 * Finds the route for method and path in table[0..n).  On ROUTE_FOUND sets
 * *found and stores the path parameters (arena copies, percent-decoded,
 * not yet validated) where req_param finds them; on ROUTE_NO_METHOD writes
 * the allowed methods ("GET, HEAD") into allow.  A path segment that does
 * not decode cleanly never matches a parameter.
 */
enum route_result route_match(struct req *, const struct route *table, size_t n,
    const struct route **found, char *allow, size_t allowsz);

/* Fills the response with the page for an error; allow is for 405. */
typedef void error_fn(struct req *, enum app_err, const char *allow);

struct router {
	const struct route *table;
	size_t              n;
	const struct param *params; /* indexed by a row's params[] */
	size_t              nparams;
	error_fn           *error_page;
};

/*
 * Whether the table is one the dispatcher can enforce: each row's :names
 * are its parameters' names, in order; every field and parameter has a
 * name and a validator; AUTH_NONE has no access level, state change or
 * session statement, a session statement goes with AUTH_SESSION only.
 * 0, or -1 with why (row and problem) written.  Run before workers start.
 */
int route_table_check(const struct router *, char *why, size_t whysz);

/*
 * Serves the request accepted by the worker: limits, match,
 * authentication, access and CSRF checks, field and parameter validation,
 * the handler, the error page if anything failed, and the response.
 * Never fails: every outcome is a response.
 */
void route_dispatch(struct req *, const struct router *);

#endif
