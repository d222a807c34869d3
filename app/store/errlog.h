/*
 * errlog.h - provisioning errors: the log line, the admin error page's
 * rows and the 30-day de-duplication of error e-mails, so a lasting
 * error does not mail its admins every run.
 *
 * An error is logged (log.h key=value: user id, Launchpad name, claimed id,
 * domain, code, message) and counted in error_log under a fingerprint of
 * its code, domain and message, so a repeating error is one row with a
 * count.  Whether to e-mail about it is error_reports' business: one
 * report per (user, domain, code) per 30 days, forgotten when the user is
 * removed from the domain.  Everything runs in the caller's transaction;
 * nothing here keeps a pointer past the call.
 */
#ifndef MM_ERRLOG_H
#define MM_ERRLOG_H

#include "lib/err.h"

struct db;

struct errlog_who {
	long long   user_id;    /* 0: none */
	const char *name;       /* Launchpad name, or NULL */
	const char *claimed_id; /* or NULL */
	long long   domain_id;  /* 0: not a domain's error */
	const char *domain;     /* its name, for the log, or NULL */
};

/* Logs and counts one error; code is [a-z][a-z0-9_.-]*, msg one line. */
enum app_err errlog_record(struct db *, const struct errlog_who *,
    const char *code, const char *msg);

/*
 * Whether to send the e-mail about code for (user, domain) now: *send is
 * 1 the first time in 30 days, else 0.
 */
enum app_err errlog_report_once(struct db *, long long user_id,
    long long domain_id, const char *code, int *send);

/* Forgets the reports of (user, domain): the user left the domain. */
enum app_err errlog_forget(struct db *, long long user_id, long long domain_id);

#endif
