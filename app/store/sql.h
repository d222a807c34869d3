/*
 * sql.h - the statement catalogue: every statement the application runs,
 * by name, with its parameters and its columns.  The text of each is a
 * row of sql.c, where the whole of the SQL can be reviewed at once;
 * db.h prepares them all on every connection and runs them by this name.
 * Parameters only, never pasted text.  The one exception is migrate.c,
 * which runs the migration files over its own connection (db.h).
 */
#ifndef MM_SQL_H
#define MM_SQL_H

enum stmt {
	STMT_SCHEMA_VERSION,     /* -> version */
	STMT_DOMAIN_LIST,        /* -> slug, name, team, title */
	STMT_SESSION_LOAD,       /* hash -> user columns, csrf, touch due,
				   claimed id, person status, sync due */
	STMT_SESSION_CREATE,     /* hash, user, csrf, idle, max */
	STMT_SESSION_DELETE,     /* hash */
	STMT_IS_DOMAIN_ADMIN,    /* domain name, user id -> a row if admin */
	STMT_RATE_HIT,           /* bucket, window s -> hits, seconds left */
	STMT_DOMAIN_TEAMS,       /* -> teams of enabled domains, a,b,c */
	STMT_LOGIN_STATE_CREATE, /* state hash, binding hash, path, ttl s */
	STMT_LOGIN_STATE_USE,    /* state hash -> a row if it was fresh */
	STMT_LOGIN_STATE_USER,   /* state hash, user id */
	STMT_LOGIN_STATE_FINISH, /* state hash, binding hash -> user, path */
	STMT_NONCE_INSERT,       /* endpoint, nonce, keep s -> a row if new */
	STMT_USER_BY_CLAIMED_ID, /* claimed id -> id, email, banned, stuck
				   (locked) */
	STMT_USER_CLEAR_NAME,    /* name, claimed id: a rename elsewhere */
	STMT_USER_INSERT,        /* claimed id, name, email, display -> id */
	STMT_USER_UPDATE,        /* id, name, email or NULL, display or NULL */
	STMT_ALIASES_FOLLOW_EMAIL, /* user id, old email, new email, stuck */
	STMT_USER_EMAIL_STUCK,     /* user id, old email -> stuck or not */
	STMT_USER_BY_ID,    /* id -> name, email, display, claimed, banned */
	STMT_AUDIT,         /* kind, user id, name, action, type, id,
				   label, before, after, request id,
				   domain id (audit.c) */
	STMT_ASSOC_CURRENT, /* endpoint -> handle, secret hex */
	STMT_ASSOC_GET,     /* endpoint, handle -> secret hex */
	STMT_ASSOC_INSERT,  /* endpoint, handle, secret hex, expires s */
	STMT_ASSOC_DELETE,  /* endpoint, handle */
	/* outbox (outbox.c) */
	STMT_OUTBOX_RETRY, /* id -> id if it was a failed message */
	/* provisioning: snapshot.c, provision.c, errlog.c, notify.c, sync.c */
	STMT_SNAP_TRUSTED, /* team -> total of the last trusted, open hold */
	STMT_SNAP_INSERT,  /* team, total, complete, error, held -> id */
	STMT_SNAP_MEMBERS, /* id, names (space-separated) */
	STMT_SNAP_LATEST,  /* team -> id, held, age s of latest complete */
	STMT_SNAP_HAS,     /* id, name -> a row if a member */
	STMT_SNAP_ACCEPT,  /* team, by -> id, total */
	STMT_SNAP_SWEEP,   /* team: all but latest, complete, trusted */
	STMT_PROV_DOMAINS, /* -> id, name, team, limit, admin emails */
	STMT_PROV_USERS,   /* id|NULL, name|NULL, interval s -> users */
	STMT_PROV_MEMBERS, /* id|NULL -> user, domain, role */
	STMT_PROV_ALIASES, /* id|NULL, local|NULL -> aliases */
	STMT_PROV_ALIAS_CREATE,   /* domain, local, user, email, enabled,
				   reason -> id */
	STMT_PROV_ALIAS_ENABLE,   /* id -> local part, enabled (or the reason
				   it had before the rules took it off) */
	STMT_PROV_ALIAS_DISABLE,  /* id, reason, grace days -> remove_at */
	STMT_PROV_ALIAS_DELETE,   /* id -> local part */
	STMT_PROV_MEMBER_ADD,     /* domain, user -> a row if added */
	STMT_PROV_MEMBER_PRUNE,   /* domain, user -> a row if pruned */
	STMT_PROV_PERSONS,        /* ids {..}, statuses {..} */
	STMT_PROV_SYNCED,         /* ids {..} */
	STMT_PROV_SYNC_REQUEST,   /* id */
	STMT_USERS_NEED_SMTPUTF8, /* addresses ' '-joined: mail cannot reach
				    them (the relay lacks SMTPUTF8) */
	STMT_PROV_RENAME,         /* id, name: a rename Launchpad told of */
	STMT_PROV_ANNOUNCED,      /* id: the signed-in mail went out */
	STMT_PROV_BULK_CREATE,    /* aliases, members, mails (JSON arrays),
				   announced ids {..} -> aliases created */
	STMT_PENDING_LOAD,        /* -> user, status, runs, age s, accepted */
	STMT_PENDING_SEEN,        /* ids {..}, statuses {..}: once more */
	STMT_PENDING_FORGET,      /* ids {..} */
	STMT_PENDING_ACCEPT,      /* by -> a row per accepted user */
	STMT_ALERTS_SEEN,         /* causes {..}, messages {..}, interval s ->
				   cause, message, new, due to mail again */
	STMT_ALERTS_CLEAR,        /* causes {..} still open -> cause, message
				   of each that cleared */
	STMT_ERRLOG,              /* fingerprint text, message, user, name,
				   claimed id, domain */
	STMT_ERROR_REPORT,        /* user, domain, code -> a row: report it */
	STMT_ERROR_FORGET,        /* user, domain */
	STMT_OUTBOX_INSERT,       /* to, cc (space-separated), subject, body */
	STMT_SYNC_LOCK,           /* -> t if this session holds the lock */
	STMT_SYNC_ASYNC_COMMIT,   /* synchronous_commit off for the session */
	/* Site admins (handlers/admin.c). */
	STMT_SA_COUNTS,           /* -> domains, users, aliases, outbox pending,
				   outbox failed, errors in the last day */
	STMT_SA_DOMAINS,          /* -> name, team, slug, title, enabled, limit,
				   txt status, members, aliases, token */
	STMT_SA_DOMAIN_INSERT,    /* name, team, slug, title, token, limit,
				   enabled -> id, after (none on a unique
				   conflict) */
	STMT_SA_DOMAIN_ADMIN_ADD, /* domain id, user name -> user id, name,
				   banned, label, after */
	STMT_SA_DOMAIN_TAKEN,     /* name, slug -> name taken, slug taken */
	STMT_SA_DOMAIN_LOCK,      /* name -> id, enabled, limit, before
				   (locked) */
	STMT_SA_DOMAIN_UPDATE,    /* id, enabled, limit -> after */
	STMT_SA_USERS,            /* prefix or NULL, after id, limit -> id,
				   name, email, banned, site admin */
	STMT_SA_USER,             /* id -> name, email, display, claimed,
				   banned, reason, site admin, last login,
				   created, aliases, domains */
	STMT_SA_USER_LOCK,        /* id -> name, banned, site admin, before,
				   reason (locked) */
	STMT_SA_USER_BY_NAME,     /* name -> id */
	STMT_SA_USER_SET,         /* id, banned, reason or NULL (kept),
				   site admin -> after */
	STMT_SA_SITE_ADMINS,      /* -> how many (their rows locked) */
	STMT_SA_OUTBOX_FAILED,    /* -> id, to, subject, attempts, error,
				   failed at, created at */
	STMT_SA_OUTBOX_STATE,     /* id -> failed, label, state (locked) */
	STMT_SA_OUTBOX_DELETE,    /* id -> label, before */
	STMT_SA_ERRORS,           /* -> fingerprint, message, count, first,
				   last, user id, name, claimed id */
	/* Member pages and alias rules (alias.c, handlers/my.c). */
	STMT_ALIAS_GET,     /* id, actor id, site admin -> alias, role */
	STMT_ALIAS_LOCK,    /* the same, FOR UPDATE */
	STMT_ALIAS_UPDATE,  /* id, recipients \n-joined, enabled, reason,
				   reply code, description -> updated_at */
	STMT_ALIAS_HISTORY, /* alias id -> when, kind, name, action,
				   changes */
	/* The domain-admin rules and listings (rules/domain_members.c). */
	STMT_MEMBER_DOMAIN_ACCESS, /* domain, user id -> id, name, limit,
				   is admin */
	STMT_MEMBER_DOMAIN_LOCK,   /* the same, the row locked */
	STMT_MEMBER_DOMAIN,        /* the same + the overview's columns */
	STMT_MEMBER_LOCK,      /* domain id, name -> member columns (locked) */
	STMT_MEMBER_ADMINS,    /* domain id -> number of admins */
	STMT_MEMBER_SET_ROLE,  /* domain id, user id, role */
	STMT_MEMBER_ADD_ADMIN, /* domain id, name -> user id, name, if the
				   user exists and was not a member */
	STMT_MEMBER_DISABLE_ALIASES, /* domain id, user id -> id, local part */
	STMT_MEMBER_DELETE,          /* domain id, user id */
	STMT_MEMBER_ALIAS_COUNT,     /* domain id, user id -> count */
	STMT_MEMBER_ALIAS_INSERT,    /* domain id, local part, user id,
				   recipients (one a line), enabled, reason
				   -> id, or no row if taken */
	STMT_MEMBER_LIST,            /* domain id, search, after name, after id,
				   limit -> member columns */
	STMT_MEMBER_GET,             /* domain id, name -> member columns */
	STMT_MEMBER_ALIASES,      /* domain id, search, after, enabled, reason,
				   limit -> alias columns */
	STMT_MEMBER_USER_ALIASES, /* domain id, user id -> alias columns */
	STMT_MEMBER_AUDIT,  /* domain id, before id, limit -> audit rows */
	STMT_MEMBER_ERRORS, /* domain id, limit -> error log rows */
	STMT_MEMBER_ADMIN_DOMAINS, /* user id, site admin -> domain names */
	/* The JSON API and its tokens (http/bearer.c, apitoken.c, handlers/api.c) */
	STMT_API_TOKEN_AUTH,   /* hash -> token id, user columns, banned,
				   last use over a minute ago */
	STMT_API_TOKEN_TOUCH,  /* token id: last_used_at, once a minute */
	STMT_API_TOKEN_CREATE, /* user, name, hash, days -> id, expires;
				   no row if an active one has the name */
	STMT_API_TOKEN_LIST,   /* user -> id, name, created, last used,
				   expires, revoked, state */
	STMT_API_TOKEN_REVOKE, /* id, user -> name, if it was active */
	STMT_API_USER_ALIASES, /* user, after id or NULL, limit -> ids */
	/* Faster sessions and GET /my (session.c, handlers/my.c) */
	STMT_SESSION_TOUCH,   /* hash, idle: slide the idle expiry, if due */
	STMT_MY_DOMAIN_LIST,  /* -> id, name, team, has a trusted
				   snapshot, of each enabled, verified
				   domain (db_cached) */
	STMT_MY_DOMAIN_NAMES, /* -> id, name of every domain (db_cached) */
	STMT_MY_SESSION_PAGE, /* token hash -> the session and /my's
				   rows */
	/* The jobs: cleanup.c and outbox.c */
	STMT_CLEANUP_LOCK,     /* -> t if this transaction holds the lock */
	STMT_CLEANUP_TIMEOUTS, /* the sweep's lock and statement timeouts,
				   for its transaction */
	STMT_SWEEP_SESSIONS,   /* each sweep deletes expired rows */
	STMT_SWEEP_LOGIN_STATES,
	STMT_SWEEP_NONCES,
	STMT_SWEEP_ASSOCIATIONS,
	STMT_SWEEP_RATE_LIMITS,
	STMT_SWEEP_ERROR_REPORTS,
	STMT_SWEEP_ERROR_LOG,
	STMT_SWEEP_MAILBOX_UNLOCKS,
	STMT_SWEEP_SENT_MAIL,
	STMT_OUTBOX_CLAIM,   /* -> id, to, cc, bcc, subject, body, attempts,
				   created (epoch s) of the oldest due
				   message, locked */
	STMT_OUTBOX_SENT,    /* id */
	STMT_OUTBOX_DEFER,   /* id, error, seconds */
	STMT_OUTBOX_GIVE_UP, /* id, error */
	/* The operator's listings (cli/cli_admin.c): a table's named
	   columns, or one JSON array */
	STMT_CLI_DOMAINS,      /* -> domain, slug, team, enabled, ... */
	STMT_CLI_DOMAINS_JSON, /* -> [{...}, ...] */
	STMT_CLI_USERS,        /* banned only, site admins only, text or
				   NULL -> name, email, site admin, ... */
	STMT_CLI_USERS_JSON,   /* the same -> [{...}, ...] */
	/* Delivery into encrypted mailboxes (mail/deliver.c) */
	STMT_LMTP_MAILBOX, /* local part, domain -> id, public key hex,
				   quota, used, a new message id */
	STMT_LMTP_STORE,   /* message id, mailbox id, queue id, recipient,
				   size, then binary: summary nonce and
				   ciphertext, body nonce and ciphertext,
				   sealed key, public key -> duplicate, room,
				   stored, mailbox exists, same key */
	/* Reading and keeping mailboxes (mail/mailbox.c) */
	STMT_MBOX_LIST,         /* user, session hash -> per alias: id, address,
				   enabled, keeps, forwards, mailbox id, quota,
				   used, messages, unlocked here */
	STMT_MBOX_GET,          /* mailbox, user -> id, alias id, address, key
				   columns (hex), opslimit, memlimit, quota,
				   used, messages */
	STMT_MBOX_ALIAS,        /* alias, user -> address, mailbox id, keeps,
				   forwards */
	STMT_MBOX_CREATE,       /* alias, pk, wrap, nonce, salt, ops, mem, quota
				   -> id (none if one exists) */
	STMT_MBOX_REWRAP,       /* id, wrap, nonce, salt, ops, mem, old wrap
				   -> id if the old wrap was still there */
	STMT_MBOX_RESET,        /* id, pk, wrap, nonce, salt, ops, mem
				   -> messages destroyed */
	STMT_MBOX_UNLOCK_PUT,   /* session hash, mailbox, wrap, nonce, idle s */
	STMT_MBOX_UNLOCK_GET,   /* session hash, mailbox, user, idle s -> wrap,
				   nonce, pk, address, quota, used, alias */
	STMT_MBOX_LOCK,         /* session hash, mailbox */
	STMT_MBOX_UNLOCKS_DROP, /* mailbox, session hash to keep or "" */
	STMT_MBOX_MESSAGES,     /* mailbox, before time|NULL, before id, limit
				   -> id, received, when, size, summary
				   nonce and ciphertext, sealed key (hex) */
	STMT_MBOX_MESSAGE,      /* mailbox, message -> (binary) body nonce,
				   body, sealed key, size, received epoch */
	STMT_MBOX_IDS,          /* mailbox -> message ids, oldest first */
	STMT_MBOX_DELETE,       /* mailbox, ids {..} -> deleted, bytes */
	STMT_MBOX_DELIVERY,     /* alias, user, keeps, forwards -> before
				   keeps, before forwards (none: refused) */
	STMT_MBOX_ALIAS_BY_ADDRESS, /* local part, domain -> alias, user */
	STMT_API_MAILBOXES,         /* user -> mailbox id, address, keeps,
				   forwards, quota, used, messages */
	STMT__MAX
};

struct sql_stmt {
	const char *name; /* the prepared statement's, and the log's */
	const char *sql;
	int         nparams;
};

extern const struct sql_stmt sql_stmts[STMT__MAX];

/* Not prepared (they take no parameters): a transaction's frame, and the
 * channel on which a change of the domains empties db_cached. */
extern const char sql_begin[], sql_commit[], sql_rollback[], sql_listen[];

#endif
