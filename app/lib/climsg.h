/*
 * climsg.h - what the operator commands (migrate, domain, user, ctl, cleanup)
 * share: messages prefixed with the command's name, and a database
 * connection that reports its own failures.
 */
#ifndef MM_CLIMSG_H
#define MM_CLIMSG_H

#include <stdarg.h>

#include <libpq-fe.h>

/* Sets the prefix of messages, e.g. "migrate" or "domain add" (copied). */
void		 cli_name(const char *);
/* "name: message" on stderr. */
void		 cli_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 cli_vwarnx(const char *, va_list) __attribute__((format(printf, 1, 0)));

struct config;

/*
 * The defaults, then the config file (-c path, $MEMBERMAIL_CONFIG or the
 * default: conf_path); 0, or -1 after saying what is wrong with it.
 */
int		 cli_config(struct config *, const char *path);

/*
 * Connects with application_name "membermail <appname>" and the given
 * server options (e.g. "-c client_min_messages=warning"); NULL after
 * saying why.
 */
PGconn		*cli_connect(const char *conninfo, const char *appname,
		    const char *options);
/* Runs one parameterised statement; NULL after saying why, else the
 * result, which the caller PQclears. */
PGresult	*cli_query(PGconn *, const char *sql, int n,
		    const char *const *params);
/* The same for statements whose result does not matter: 0 or -1. */
int		 cli_exec(PGconn *, const char *sql, int n,
		    const char *const *params);

#endif
