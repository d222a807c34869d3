/*
 * audit.h - who changed what: one audit_log row per change, written by the
 * caller inside the change's own transaction, so a change
 * and its history commit or roll back together.
 *
 * An actor is whoever makes a change: a signed-in user, a user through an
 * API token, membermail sync, an operator command or another job.  The
 * struct is borrowed: nothing here keeps a pointer past the call.
 */
#ifndef MM_AUDIT_H
#define MM_AUDIT_H

#include "lib/err.h"

struct db;

enum actor_kind {
	ACTOR_USER,  /* a signed-in user (a web page) */
	ACTOR_API,   /* a user through an API token */
	ACTOR_SYNC,  /* membermail sync, sign-in provisioning */
	ACTOR_CLI,   /* an operator command */
	ACTOR_SYSTEM /* other jobs (outbox, domain checks) */
};

struct actor {
	enum actor_kind kind;
	long long       user_id; /* users.id for USER and API, else 0 */
	const char     *name;    /* Launchpad name, operator login, or NULL */
	int             site_admin; /* may act on every domain */
	const char     *request_id; /* nginx's request id, or NULL */
};

/* What one audit row says besides its actor. */
struct audit_event {
	const char *action;       /* e.g. "alias.update", [a-z][a-z0-9_.-]* */
	const char *target_type;  /* user, domain, domain_member, alias, ... */
	long long   target_id;    /* 0: none */
	const char *target_label; /* "alice@ubuntu.com", or NULL */
	long long   domain_id;    /* 0: not a domain's event */
	const char *before;       /* JSON object text, or NULL */
	const char *after;        /* JSON object text, or NULL */
};

/* "user", "api", "sync", "cli", "system": audit_log.actor_kind. */
const char *actor_kind_name(enum actor_kind);

/* Inserts the row; APP_OK, or what db_exec reported. */
enum app_err audit_write(struct db *, const struct actor *,
    const struct audit_event *);

#endif
