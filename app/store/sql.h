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
	STMT_DOMAIN_LIST,        /* -> slug, name, team, title, logo */
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
	STMT_ALIASES_FOLLOW_EMAIL, /* user id, old email, new email, stuck
				     -> id, recipients before */
	STMT_USER_EMAIL_STUCK,     /* user id, old email -> stuck or not */
	STMT_USER_BY_ID,      /* id -> name, email, display, claimed, banned */
	STMT_USER_SET_LANG,   /* id, language tag: the user's choice */
	STMT_USER_ADOPT_LANG, /* id, language tag: the choice, if none yet */
	STMT_AUDIT,           /* kind, user id, name, action, type, id,
				   label, before, after, request id,
				   domain id (audit.c) */
	STMT_ASSOC_CURRENT,   /* endpoint -> handle, secret hex */
	STMT_ASSOC_GET,       /* endpoint, handle -> secret hex */
	STMT_ASSOC_INSERT,    /* endpoint, handle, secret hex, expires s */
	STMT_ASSOC_DELETE,    /* endpoint, handle */
	/* outbox (outbox.c) */
	STMT_OUTBOX_RETRY, /* id -> id if it was a failed message */
	/* provisioning: snapshot.c, provision.c, errlog.c, notify.c, sync.c */
	STMT_SNAP_TRUSTED,  /* team -> total of the last trusted, open hold */
	STMT_SNAP_INSERT,   /* team, total, complete, error, held -> id */
	STMT_SNAP_MEMBERS,  /* id, names (space-separated) */
	STMT_SNAP_LATEST,   /* team -> id, held, age s of latest complete */
	STMT_SNAP_HAS,      /* id, name -> a row if a member */
	STMT_SNAP_ACCEPT,   /* team, by -> id, total */
	STMT_SNAP_SWEEP,    /* team: all but latest, complete, trusted */
	STMT_PROV_DOMAINS,  /* -> id, name, team, limit, admin emails */
	STMT_PROV_USERS,    /* id|NULL, name|NULL, interval s -> users */
	STMT_PROV_MEMBERS,  /* id|NULL -> user, domain, role */
	STMT_PROV_ALIASES,  /* id|NULL, local|NULL -> aliases */
	STMT_PROV_RESERVED, /* id|NULL -> domain, local part: users' names
			       reserved there */
	STMT_BAN_DOMAINS,   /* user id -> id, name, team, admin emails of the
			       domains where they have enabled aliases */
	STMT_BAN_SESSIONS,  /* user id -> how many sessions were deleted */
	STMT_BAN_TOKENS,    /* user id -> id, name, audit "after" of each
			       token revoked */
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
	STMT_PROV_SYNC_WRITE,     /* ids {..}, statuses {..} (NULL: none new) */
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
	STMT_OUTBOX_INSERT,       /* to (space-separated), subject, body: a
				     copy each */
	STMT_SYNC_LOCK,           /* -> t if this session holds the lock */
	STMT_SYNC_ASYNC_COMMIT,   /* synchronous_commit off for the session */
	/* Site admins (handlers/admin.c). */
	STMT_SA_COUNTS,           /* -> domains, users, aliases, outbox pending,
				   outbox failed, errors in the last day */
	STMT_SA_DOMAINS,          /* -> name, team, slug, title, enabled, limit,
				   txt status, members, aliases, token,
				   logo or "", role recipient or "" */
	STMT_SA_DOMAIN_LOGO_LOCK, /* name -> id, logo or "" (locked) */
	STMT_SA_DOMAIN_LOGO_SET,  /* id, logo or NULL */
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
	STMT_SA_SITE_ADMINS,      /* user id -> how many others, not banned
				     (every site admin's row locked) */
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
	STMT_ALIAS_HISTORY, /* alias id -> audit rows (history.h) */
	/* The domain-admin rules and listings (rules/domain_members.c). */
	STMT_MEMBER_DOMAIN_ACCESS, /* domain, user id -> id, name, limit,
				   is admin */
	STMT_MEMBER_DOMAIN_LOCK,   /* the same, the row locked */
	STMT_MEMBER_DOMAIN,        /* the same + the overview's columns */
	STMT_MEMBER_LOCK,      /* domain id, name -> member columns (locked) */
	STMT_MEMBER_ADMINS,    /* domain id, user id -> other admins, not
				  banned */
	STMT_MEMBER_SET_ROLE,  /* domain id, user id, role */
	STMT_MEMBER_ADD_ADMIN, /* domain id, name -> user id, name, if the
				   user exists and was not a member */
	STMT_MEMBER_DISABLE_ALIASES, /* domain id, user id -> id, local part */
	STMT_MEMBER_DELETE,          /* domain id, user id */
	STMT_MEMBER_ALIAS_COUNT,     /* domain id, user id -> count */
	STMT_MEMBER_ALIAS_INSERT,    /* domain id, local part, user id,
				   recipients (one a line), enabled, reason,
				   reserved assigned -> id, or no row if
				   taken */
	STMT_MEMBER_LIST,            /* domain id, search, after name, after id,
				   limit -> member columns */
	STMT_MEMBER_GET,             /* domain id, name -> member columns */
	STMT_MEMBER_ALIASES,      /* domain id, search, after, enabled, reason,
				   limit -> alias columns */
	STMT_MEMBER_USER_ALIASES, /* domain id, user id -> alias columns */
	STMT_MEMBER_AUDIT,  /* domain id, before id, limit -> audit rows */
	STMT_MEMBER_ERRORS, /* domain id, limit -> error log rows */
	STMT_MEMBER_ADMIN_DOMAINS, /* user id, site admin -> domain names */
	STMT_ALIAS_PROTECTED,      /* domain id, local part, owner id ->
				      reserved, another user's name */
	/* A domain's default language (rules/domain_lang.c) */
	STMT_DOMAIN_LANG_LOCK, /* domain, user id -> id, default language,
				  is admin (the row locked) */
	STMT_DOMAIN_LANG_SET,  /* domain id, language */
	/* Reserved local parts (rules/reserved.c) */
	STMT_RESERVED_CHECK,   /* domain id, local part -> reserved */
	STMT_RESERVED_DOMAIN,  /* domain name -> id */
	STMT_RESERVED_NAMES,   /* domain id -> local part, built in, why */
	STMT_RESERVED_ALIASES, /* domain id -> id, local part, owner, enabled
				  of unassigned aliases with one */
	STMT_RESERVED_BUILTIN, /* local part -> a row if built in */
	STMT_RESERVED_ADD,     /* domain id, local part -> a row if added */
	STMT_RESERVED_REMOVE,  /* domain id, local part -> a row if removed */
	STMT_RESERVED_ASSIGN,  /* domain id, alias id -> address, if it is
				  one and was not assigned */
	/* The JSON API and its tokens (http/bearer.c, apitoken.c, handlers/api.c) */
	STMT_API_TOKEN_AUTH,   /* hash -> token id, user columns, banned,
				   last use over a minute ago */
	STMT_API_TOKEN_TOUCH,  /* token id: last_used_at, once a minute */
	STMT_API_TOKEN_LIVE,   /* user -> live tokens (the user locked) */
	STMT_API_TOKEN_CREATE, /* user, name, hash, days -> id, expires;
				   no row if an active one has the name */
	STMT_API_TOKEN_LIST,   /* user -> id, name, created, last used,
				   expires, revoked, state */
	STMT_API_TOKEN_REVOKE, /* id, user -> name, if it was active */
	STMT_API_USER_ALIASES, /* user, after id or NULL, limit -> ids */
	/* Faster sessions and GET /my (session.c, handlers/my.c) */
	STMT_SESSION_TOUCH,   /* hash, idle: slide the idle expiry, if due */
	STMT_MY_DOMAIN_LIST,  /* -> id, name, team, has a trusted
				   snapshot, verified, last fetch (epoch s)
				   of each enabled domain (db_cached) */
	STMT_MY_DOMAIN_NAMES, /* -> id, name of every domain (db_cached) */
	STMT_MY_SESSION_PAGE, /* token hash -> the session and /my's
				   rows */
	/* Confirmed recipients and receipts (rules/recipients.c) */
	STMT_RCPT_ALIAS,          /* alias -> domain, address, owner id,
					email, name */
	STMT_RCPT_ALIAS_LOCK,     /* alias: its row locked */
	STMT_RCPT_OTHER_MEMBERS,  /* addresses, owner -> other members' */
	STMT_RCPT_RECEIPT_INSERT, /* alias, token hash, before, after,
					actor, days -> expiry */
	STMT_RCPT_REQUEST,        /* alias, address, token hash, days,
					secs, max sends -> expiry if sent */
	STMT_RCPT_UNCONFIRMED,    /* alias, addresses -> those not agreed */
	STMT_RCPT_SET_PENDING,    /* alias, addresses or NULL, actor */
	STMT_RCPT_PENDING_LIST,   /* alias, secs, max, days -> address,
					confirmed, sent, expires, expired,
					too soon, at the limit */
	STMT_RCPT_CONFIRM_LINK,   /* token hash -> the link (CL_*) */
	STMT_RCPT_CONFIRM_LOCK,   /* likewise, locked */
	STMT_RCPT_CONFIRM,        /* confirmation id */
	STMT_RCPT_APPLY_PENDING,  /* alias -> before, after, actor when
					every address agreed */
	STMT_RCPT_RECEIPT_LINK,   /* token hash -> the receipt (CL_*) */
	STMT_RCPT_RECEIPT_LOCK,   /* likewise, locked */
	STMT_RCPT_RECEIPT_USE,    /* receipt id -> a row if it was live */
	STMT_RCPT_RESTORE,        /* alias, recipients: back, and locked */
	STMT_RCPT_END_SESSIONS,   /* user id */
	STMT_RCPT_UNLOCK,         /* user id -> id, address, domain */
	STMT_RCPT_KEEP_ADDRESS,   /* user id, address: stays confirmed */
	STMT_SA_USER_HISTORY,     /* user id -> audit rows (history.h) */
	STMT_ALIAS_BY_ADDRESS,    /* local@domain -> id (the CLI) */
	STMT_ALIAS_DELETE,        /* alias -> a row unless it has a
					mailbox (alias.c) */
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
	STMT_SWEEP_RECEIPTS,
	STMT_SWEEP_LAPSED_CHANGES,
	STMT_SWEEP_CONFIRMATION_LINKS,
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
	/* Domain verification by DNS (rules/domain_txt.c, jobs/verify.c) */
	STMT_TXT_DOMAIN,   /* name -> id, name, token, status, grace s */
	STMT_TXT_LOCK,     /* id -> status, grace s (the row locked) */
	STMT_TXT_RECORD,   /* id, status, definitive, grace s or NULL,
			      result, detail */
	STMT_TXT_ADMINS,   /* id -> admins' addresses (an array) */
	STMT_TXT_DOMAINS,  /* -> every domain's name */
	STMT_TXT_JOB_LOCK, /* -> t if this session holds the lock */
	/* Where postmaster@ and abuse@ go (rules/site.c) */
	STMT_SA_ROLE_LOCK, /* domain name -> id, role recipient or "", before
			      (locked) */
	STMT_SA_ROLE_SET,  /* id, address or NULL -> after */
	STMT__MAX
};

/*
 * The columns of each statement's rows, in the order of enum stmt; a
 * column is read by these names (db.h: db_str, db_ll, db_bool, ...),
 * never by its number.  X__N counts them: sql.c's row says it, and a
 * test build checks it against what PostgreSQL describes (db.c).
 */
/* STMT_SCHEMA_VERSION */
enum schema_version_col {
	SCHEMA_VERSION_VERSION,
	SCHEMA_VERSION__N
};
/* STMT_DOMAIN_LIST */
enum domain_list_col {
	DOMAIN_LIST_SLUG,
	DOMAIN_LIST_NAME,
	DOMAIN_LIST_TEAM,
	DOMAIN_LIST_TITLE,
	DOMAIN_LIST_LOGO,
	DOMAIN_LIST__N
};
/* STMT_SESSION_LOAD, and first in every route's session statement (http/route.h) */
enum session_col {
	SESSION_ID,
	SESSION_NAME,
	SESSION_EMAIL,
	SESSION_DISPLAY,
	SESSION_SITE_ADMIN,
	SESSION_CSRF,
	SESSION_TOUCH,
	SESSION_CLAIMED_ID,
	SESSION_PERSON,
	SESSION_SYNC_DUE,
	SESSION_EMAIL_STUCK,
	SESSION_MAIL_PROBLEM,
	SESSION_LANG,
	SESSION__N
};
/* STMT_IS_DOMAIN_ADMIN */
enum is_domain_admin_col {
	IS_DOMAIN_ADMIN_YES,
	IS_DOMAIN_ADMIN__N
};
/* STMT_RATE_HIT */
enum rate_hit_col {
	RATE_HIT_HITS,
	RATE_HIT_LEFT,
	RATE_HIT__N
};
/* STMT_DOMAIN_TEAMS */
enum domain_teams_col {
	DOMAIN_TEAMS_LIST,
	DOMAIN_TEAMS__N
};
/* STMT_LOGIN_STATE_USE */
enum login_state_use_col {
	LOGIN_STATE_USE_FRESH,
	LOGIN_STATE_USE__N
};
/* STMT_LOGIN_STATE_FINISH */
enum login_state_finish_col {
	LOGIN_STATE_FINISH_USER,
	LOGIN_STATE_FINISH_PATH,
	LOGIN_STATE_FINISH__N
};
/* STMT_NONCE_INSERT */
enum nonce_insert_col {
	NONCE_INSERT_NEW,
	NONCE_INSERT__N
};
/* STMT_USER_BY_CLAIMED_ID */
enum user_by_claimed_id_col {
	USER_BY_CLAIMED_ID_ID,
	USER_BY_CLAIMED_ID_EMAIL,
	USER_BY_CLAIMED_ID_BANNED,
	USER_BY_CLAIMED_ID_STUCK,
	USER_BY_CLAIMED_ID__N
};
/* STMT_USER_INSERT */
enum user_insert_col {
	USER_INSERT_ID,
	USER_INSERT__N
};
/* STMT_USER_EMAIL_STUCK */
enum user_email_stuck_col {
	USER_EMAIL_STUCK_STUCK,
	USER_EMAIL_STUCK__N
};
/* STMT_USER_BY_ID */
enum user_by_id_col {
	USER_BY_ID_NAME,
	USER_BY_ID_EMAIL,
	USER_BY_ID_DISPLAY,
	USER_BY_ID_CLAIMED_ID,
	USER_BY_ID_BANNED,
	USER_BY_ID_LANG, /* their choice, "" when none */
	USER_BY_ID__N
};
/* STMT_ASSOC_CURRENT */
enum assoc_current_col {
	ASSOC_CURRENT_HANDLE,
	ASSOC_CURRENT_SECRET,
	ASSOC_CURRENT__N
};
/* STMT_ASSOC_GET */
enum assoc_get_col {
	ASSOC_GET_SECRET,
	ASSOC_GET__N
};
/* STMT_OUTBOX_RETRY */
enum outbox_retry_col {
	OUTBOX_RETRY_ID,
	OUTBOX_RETRY__N
};
/* STMT_SNAP_TRUSTED */
enum snap_trusted_col {
	SNAP_TRUSTED_TOTAL,
	SNAP_TRUSTED_HELD,
	SNAP_TRUSTED__N
};
/* STMT_SNAP_INSERT */
enum snap_insert_col {
	SNAP_INSERT_ID,
	SNAP_INSERT__N
};
/* STMT_SNAP_LATEST */
enum snap_latest_col {
	SNAP_LATEST_ID,
	SNAP_LATEST_HELD,
	SNAP_LATEST_AGE,
	SNAP_LATEST__N
};
/* STMT_SNAP_HAS */
enum snap_has_col {
	SNAP_HAS_YES,
	SNAP_HAS__N
};
/* STMT_SNAP_ACCEPT */
enum snap_accept_col {
	SNAP_ACCEPT_ID,
	SNAP_ACCEPT_TOTAL,
	SNAP_ACCEPT__N
};
/* STMT_PROV_DOMAINS */
enum prov_domains_col {
	PROV_DOMAINS_ID,
	PROV_DOMAINS_NAME,
	PROV_DOMAINS_TEAM,
	PROV_DOMAINS_LIMIT,
	PROV_DOMAINS_ADMINS,
	PROV_DOMAINS_LANG,        /* the domain's default language */
	PROV_DOMAINS_ADMIN_LANGS, /* each admin's language, in step */
	PROV_DOMAINS__N
};
/* STMT_PROV_USERS */
enum prov_users_col {
	PROV_USERS_ID,
	PROV_USERS_NAME,
	PROV_USERS_EMAIL,
	PROV_USERS_CLAIMED_ID,
	PROV_USERS_BANNED,
	PROV_USERS_PERSON,
	PROV_USERS_CHECK_DUE,
	PROV_USERS_UNANNOUNCED,
	PROV_USERS_LANG, /* their choice, or "" */
	PROV_USERS__N
};
/* STMT_PROV_MEMBERS */
enum prov_members_col {
	PROV_MEMBERS_USER,
	PROV_MEMBERS_DOMAIN,
	PROV_MEMBERS_ROLE,
	PROV_MEMBERS__N
};
/* STMT_PROV_ALIASES */
enum prov_aliases_col {
	PROV_ALIASES_ID,
	PROV_ALIASES_DOMAIN,
	PROV_ALIASES_USER,
	PROV_ALIASES_LOCAL,
	PROV_ALIASES_ENABLED,
	PROV_ALIASES_REASON,
	PROV_ALIASES_EXPIRED,
	PROV_ALIASES_RESERVED, /* disabled, reserved, not assigned */
	PROV_ALIASES__N
};
/* STMT_BAN_DOMAINS */
enum ban_domains_col {
	BAN_DOMAINS_ID,
	BAN_DOMAINS_NAME,
	BAN_DOMAINS_TEAM,
	BAN_DOMAINS_ADMINS,
	BAN_DOMAINS_LANG,
	BAN_DOMAINS_ADMIN_LANGS,
	BAN_DOMAINS__N
};
/* STMT_BAN_SESSIONS */
enum ban_sessions_col {
	BAN_SESSIONS_COUNT,
	BAN_SESSIONS__N
};
/* STMT_BAN_TOKENS */
enum ban_tokens_col {
	BAN_TOKENS_ID,
	BAN_TOKENS_NAME,
	BAN_TOKENS_AFTER,
	BAN_TOKENS__N
};
/* STMT_PROV_RESERVED */
enum prov_reserved_col {
	PROV_RESERVED_DOMAIN,
	PROV_RESERVED_LOCAL,
	PROV_RESERVED__N
};
/* STMT_PROV_ALIAS_CREATE */
enum prov_alias_create_col {
	PROV_ALIAS_CREATE_ID,
	PROV_ALIAS_CREATE__N
};
/* STMT_PROV_ALIAS_ENABLE */
enum prov_alias_enable_col {
	PROV_ALIAS_ENABLE_LOCAL,
	PROV_ALIAS_ENABLE_ENABLED,
	PROV_ALIAS_ENABLE_REASON,
	PROV_ALIAS_ENABLE__N
};
/* STMT_PROV_ALIAS_DISABLE */
enum prov_alias_disable_col {
	PROV_ALIAS_DISABLE_REMOVE_ON,
	PROV_ALIAS_DISABLE__N
};
/* STMT_PROV_ALIAS_DELETE */
enum prov_alias_delete_col {
	PROV_ALIAS_DELETE_LOCAL,
	PROV_ALIAS_DELETE__N
};
/* STMT_PROV_MEMBER_ADD */
enum prov_member_add_col {
	PROV_MEMBER_ADD_ADDED,
	PROV_MEMBER_ADD__N
};
/* STMT_PROV_MEMBER_PRUNE */
enum prov_member_prune_col {
	PROV_MEMBER_PRUNE_PRUNED,
	PROV_MEMBER_PRUNE__N
};
/* STMT_PROV_BULK_CREATE */
enum prov_bulk_create_col {
	PROV_BULK_CREATE_CREATED,
	PROV_BULK_CREATE__N
};
/* STMT_PENDING_LOAD */
enum pending_load_col {
	PENDING_LOAD_USER,
	PENDING_LOAD_STATUS,
	PENDING_LOAD_RUNS,
	PENDING_LOAD_AGE,
	PENDING_LOAD_ACCEPTED,
	PENDING_LOAD__N
};
/* STMT_PENDING_ACCEPT */
enum pending_accept_col {
	PENDING_ACCEPT_USER,
	PENDING_ACCEPT__N
};
/* STMT_ALERTS_SEEN */
enum alerts_seen_col {
	ALERTS_SEEN_CAUSE,
	ALERTS_SEEN_MESSAGE,
	ALERTS_SEEN_NEW,
	ALERTS_SEEN_DUE,
	ALERTS_SEEN__N
};
/* STMT_ALERTS_CLEAR */
enum alerts_clear_col {
	ALERTS_CLEAR_CAUSE,
	ALERTS_CLEAR_MESSAGE,
	ALERTS_CLEAR__N
};
/* STMT_ERROR_REPORT */
enum error_report_col {
	ERROR_REPORT_NEW,
	ERROR_REPORT__N
};
/* STMT_SYNC_LOCK */
enum sync_lock_col {
	SYNC_LOCK_GOT,
	SYNC_LOCK__N
};
/* STMT_SYNC_ASYNC_COMMIT */
enum sync_async_commit_col {
	SYNC_ASYNC_COMMIT_SETTING,
	SYNC_ASYNC_COMMIT__N
};
/* STMT_SA_COUNTS */
enum sa_counts_col {
	SA_COUNTS_DOMAINS,
	SA_COUNTS_USERS,
	SA_COUNTS_ALIASES,
	SA_COUNTS_PENDING,
	SA_COUNTS_FAILED,
	SA_COUNTS_ERRORS,
	SA_COUNTS__N
};
/* STMT_SA_DOMAINS */
enum sa_domains_col {
	SA_DOMAINS_NAME,
	SA_DOMAINS_TEAM,
	SA_DOMAINS_SLUG,
	SA_DOMAINS_TITLE,
	SA_DOMAINS_ENABLED,
	SA_DOMAINS_LIMIT,
	SA_DOMAINS_TXT,
	SA_DOMAINS_MEMBERS,
	SA_DOMAINS_ALIASES,
	SA_DOMAINS_TOKEN,
	SA_DOMAINS_LOGO,
	SA_DOMAINS_ROLE, /* role recipient, "" for the admins */
	SA_DOMAINS__N
};
/* STMT_SA_DOMAIN_LOGO_LOCK */
enum sa_domain_logo_lock_col {
	SA_DOMAIN_LOGO_LOCK_ID,
	SA_DOMAIN_LOGO_LOCK_LOGO,
	SA_DOMAIN_LOGO_LOCK__N
};
/* STMT_SA_DOMAIN_INSERT */
enum sa_domain_insert_col {
	SA_DOMAIN_INSERT_ID,
	SA_DOMAIN_INSERT_AFTER,
	SA_DOMAIN_INSERT__N
};
/* STMT_SA_DOMAIN_ADMIN_ADD */
enum sa_domain_admin_add_col {
	SA_DOMAIN_ADMIN_ADD_ID,
	SA_DOMAIN_ADMIN_ADD_NAME,
	SA_DOMAIN_ADMIN_ADD_BANNED,
	SA_DOMAIN_ADMIN_ADD_LABEL,
	SA_DOMAIN_ADMIN_ADD_AFTER,
	SA_DOMAIN_ADMIN_ADD__N
};
/* STMT_SA_DOMAIN_TAKEN */
enum sa_domain_taken_col {
	SA_DOMAIN_TAKEN_NAME,
	SA_DOMAIN_TAKEN_SLUG,
	SA_DOMAIN_TAKEN__N
};
/* STMT_SA_DOMAIN_LOCK */
enum sa_domain_lock_col {
	SA_DOMAIN_LOCK_ID,
	SA_DOMAIN_LOCK_ENABLED,
	SA_DOMAIN_LOCK_LIMIT,
	SA_DOMAIN_LOCK_BEFORE,
	SA_DOMAIN_LOCK__N
};
/* STMT_SA_DOMAIN_UPDATE */
enum sa_domain_update_col {
	SA_DOMAIN_UPDATE_AFTER,
	SA_DOMAIN_UPDATE__N
};
/* STMT_SA_USERS */
enum sa_users_col {
	SA_USERS_ID,
	SA_USERS_NAME,
	SA_USERS_EMAIL,
	SA_USERS_BANNED,
	SA_USERS_SITE_ADMIN,
	SA_USERS__N
};
/* STMT_SA_USER */
enum sa_user_col {
	SA_USER_NAME,
	SA_USER_EMAIL,
	SA_USER_DISPLAY,
	SA_USER_CLAIMED_ID,
	SA_USER_BANNED,
	SA_USER_REASON,
	SA_USER_SITE_ADMIN,
	SA_USER_LOGIN,
	SA_USER_CREATED,
	SA_USER_ALIASES,
	SA_USER_DOMAINS,
	SA_USER__N
};
/* STMT_SA_USER_LOCK */
enum sa_user_lock_col {
	SA_USER_LOCK_NAME,
	SA_USER_LOCK_BANNED,
	SA_USER_LOCK_SITE_ADMIN,
	SA_USER_LOCK_BEFORE,
	SA_USER_LOCK_REASON,
	SA_USER_LOCK__N
};
/* STMT_SA_USER_BY_NAME */
enum sa_user_by_name_col {
	SA_USER_BY_NAME_ID,
	SA_USER_BY_NAME__N
};
/* STMT_SA_USER_SET */
enum sa_user_set_col {
	SA_USER_SET_AFTER,
	SA_USER_SET__N
};
/* STMT_SA_SITE_ADMINS */
enum sa_site_admins_col {
	SA_SITE_ADMINS_COUNT,
	SA_SITE_ADMINS__N
};
/* STMT_SA_OUTBOX_FAILED */
enum sa_outbox_failed_col {
	SA_OUTBOX_FAILED_ID,
	SA_OUTBOX_FAILED_TO,
	SA_OUTBOX_FAILED_SUBJECT,
	SA_OUTBOX_FAILED_ATTEMPTS,
	SA_OUTBOX_FAILED_ERROR,
	SA_OUTBOX_FAILED_FAILED,
	SA_OUTBOX_FAILED_CREATED,
	SA_OUTBOX_FAILED__N
};
/* STMT_SA_OUTBOX_STATE */
enum sa_outbox_state_col {
	SA_OUTBOX_STATE_FAILED,
	SA_OUTBOX_STATE_LABEL,
	SA_OUTBOX_STATE_STATE,
	SA_OUTBOX_STATE__N
};
/* STMT_SA_OUTBOX_DELETE */
enum sa_outbox_delete_col {
	SA_OUTBOX_DELETE_LABEL,
	SA_OUTBOX_DELETE_BEFORE,
	SA_OUTBOX_DELETE__N
};
/* STMT_SA_ERRORS */
enum sa_errors_col {
	SA_ERRORS_FINGERPRINT,
	SA_ERRORS_MESSAGE,
	SA_ERRORS_COUNT,
	SA_ERRORS_FIRST,
	SA_ERRORS_LAST,
	SA_ERRORS_USER,
	SA_ERRORS_NAME,
	SA_ERRORS_CLAIMED_ID,
	SA_ERRORS__N
};
/* STMT_ALIAS_GET, STMT_ALIAS_LOCK, STMT_MEMBER_ALIASES and STMT_MEMBER_USER_ALIASES: an alias (struct alias_view) */
enum alias_view_col {
	ALIAS_VIEW_ID,
	ALIAS_VIEW_DOMAIN,
	ALIAS_VIEW_USER,
	ALIAS_VIEW_ADDRESS,
	ALIAS_VIEW_OWNER,
	ALIAS_VIEW_RECIPIENTS,
	ALIAS_VIEW_ENABLED,
	ALIAS_VIEW_REASON,
	ALIAS_VIEW_REPLY,
	ALIAS_VIEW_DESCRIPTION,
	ALIAS_VIEW_REMOVE_AT,
	ALIAS_VIEW_CREATED,
	ALIAS_VIEW_UPDATED,
	ALIAS_VIEW_PENDING, /* a change waiting for confirmations, or NULL */
	ALIAS_VIEW_LOCKED,
	ALIAS_VIEW__N
};
/* STMT_ALIAS_GET and STMT_ALIAS_LOCK: the alias, then the actor's role in its domain */
enum alias_get_col {
	ALIAS_GET_ROLE = ALIAS_VIEW__N,
	ALIAS_GET_RESERVED, /* reserved and not assigned by a site admin */
	ALIAS_GET__N
};
/* STMT_ALIAS_UPDATE */
enum alias_update_col {
	ALIAS_UPDATE_UPDATED,
	ALIAS_UPDATE__N
};
/* STMT_ALIAS_HISTORY and STMT_SA_USER_HISTORY: audit rows for history.h */
enum history_col {
	HISTORY_AT,
	HISTORY_KIND,
	HISTORY_NAME,
	HISTORY_ACTION,
	HISTORY_TARGET,
	HISTORY_BEFORE,
	HISTORY_AFTER,
	HISTORY__N
};
/* STMT_MEMBER_DOMAIN_ACCESS and STMT_MEMBER_DOMAIN_LOCK */
enum domain_access_col {
	DOMAIN_ACCESS_ID,
	DOMAIN_ACCESS_NAME,
	DOMAIN_ACCESS_LIMIT,
	DOMAIN_ACCESS_ADMIN,
	DOMAIN_ACCESS__N
};
/* STMT_MEMBER_DOMAIN: the access columns, then the overview's */
enum member_domain_col {
	MEMBER_DOMAIN_TEAM = DOMAIN_ACCESS__N,
	MEMBER_DOMAIN_TITLE,
	MEMBER_DOMAIN_TOKEN,
	MEMBER_DOMAIN_TXT,
	MEMBER_DOMAIN_TXT_CHECKED,
	MEMBER_DOMAIN_TXT_ATTEMPT,
	MEMBER_DOMAIN_TXT_RESULT,
	MEMBER_DOMAIN_ENABLED,
	MEMBER_DOMAIN_MEMBERS,
	MEMBER_DOMAIN_ADMINS,
	MEMBER_DOMAIN_ALIASES,
	MEMBER_DOMAIN_GRACE,  /* Unix time, 0: none */
	MEMBER_DOMAIN_DETAIL, /* the last attempt's, "" when none */
	MEMBER_DOMAIN_LANG,   /* default_lang */
	MEMBER_DOMAIN__N
};
/* STMT_DOMAIN_LANG_LOCK */
enum domain_lang_lock_col {
	DOMAIN_LANG_LOCK_ID,
	DOMAIN_LANG_LOCK_LANG,
	DOMAIN_LANG_LOCK_ADMIN,
	DOMAIN_LANG_LOCK__N
};
/* STMT_MEMBER_LOCK */
enum member_lock_col {
	MEMBER_LOCK_ID,
	MEMBER_LOCK_NAME,
	MEMBER_LOCK_EMAIL,
	MEMBER_LOCK_ROLE,
	MEMBER_LOCK__N
};
/* STMT_MEMBER_ADMINS */
enum member_admins_col {
	MEMBER_ADMINS_COUNT,
	MEMBER_ADMINS__N
};
/* STMT_MEMBER_ADD_ADMIN */
enum member_add_admin_col {
	MEMBER_ADD_ADMIN_ID,
	MEMBER_ADD_ADMIN_NAME,
	MEMBER_ADD_ADMIN__N
};
/* STMT_MEMBER_DISABLE_ALIASES */
enum member_disable_aliases_col {
	MEMBER_DISABLE_ALIASES_ID,
	MEMBER_DISABLE_ALIASES_LOCAL,
	MEMBER_DISABLE_ALIASES__N
};
/* STMT_MEMBER_ALIAS_COUNT */
enum member_alias_count_col {
	MEMBER_ALIAS_COUNT_COUNT,
	MEMBER_ALIAS_COUNT__N
};
/* STMT_MEMBER_ALIAS_INSERT */
enum member_alias_insert_col {
	MEMBER_ALIAS_INSERT_ID,
	MEMBER_ALIAS_INSERT__N
};
/* STMT_MEMBER_LIST and STMT_MEMBER_GET: a member, their aliases as three arrays in step (ids, local parts, disabled reasons: NULL when enabled) */
enum member_row_col {
	MEMBER_ROW_ID,
	MEMBER_ROW_NAME,
	MEMBER_ROW_DISPLAY,
	MEMBER_ROW_EMAIL,
	MEMBER_ROW_ROLE,
	MEMBER_ROW_JOINED,
	MEMBER_ROW_ALIAS_IDS,
	MEMBER_ROW_ALIAS_LOCALS,
	MEMBER_ROW_ALIAS_REASONS,
	MEMBER_ROW__N
};
/* STMT_MEMBER_AUDIT */
enum member_audit_col {
	MEMBER_AUDIT_ID,
	MEMBER_AUDIT_AT,
	MEMBER_AUDIT_KIND,
	MEMBER_AUDIT_ACTOR,
	MEMBER_AUDIT_ACTION,
	MEMBER_AUDIT_TYPE,
	MEMBER_AUDIT_LABEL,
	MEMBER_AUDIT_BEFORE,
	MEMBER_AUDIT_AFTER,
	MEMBER_AUDIT__N
};
/* STMT_MEMBER_ERRORS */
enum member_errors_col {
	MEMBER_ERRORS_ID,
	MEMBER_ERRORS_MESSAGE,
	MEMBER_ERRORS_NAME,
	MEMBER_ERRORS_COUNT,
	MEMBER_ERRORS_FIRST,
	MEMBER_ERRORS_LAST,
	MEMBER_ERRORS__N
};
/* STMT_MEMBER_ADMIN_DOMAINS */
enum member_admin_domains_col {
	MEMBER_ADMIN_DOMAINS_NAME,
	MEMBER_ADMIN_DOMAINS__N
};
/* STMT_ALIAS_PROTECTED */
enum alias_protected_col {
	ALIAS_PROTECTED_RESERVED,
	ALIAS_PROTECTED_NAME, /* another user's Launchpad name */
	ALIAS_PROTECTED__N
};
/* STMT_RESERVED_CHECK */
enum reserved_check_col {
	RESERVED_CHECK_RESERVED,
	RESERVED_CHECK__N
};
/* STMT_RESERVED_DOMAIN */
enum reserved_domain_col {
	RESERVED_DOMAIN_ID,
	RESERVED_DOMAIN__N
};
/* STMT_RESERVED_NAMES */
enum reserved_names_col {
	RESERVED_NAMES_LOCAL,
	RESERVED_NAMES_BUILTIN,
	RESERVED_NAMES_WHY,
	RESERVED_NAMES__N
};
/* STMT_RESERVED_ALIASES */
enum reserved_aliases_col {
	RESERVED_ALIASES_ID,
	RESERVED_ALIASES_LOCAL,
	RESERVED_ALIASES_OWNER,
	RESERVED_ALIASES_ENABLED,
	RESERVED_ALIASES__N
};
/* STMT_RESERVED_BUILTIN */
enum reserved_builtin_col {
	RESERVED_BUILTIN_ROW,
	RESERVED_BUILTIN__N
};
/* STMT_RESERVED_ADD */
enum reserved_add_col {
	RESERVED_ADD_ROW,
	RESERVED_ADD__N
};
/* STMT_RESERVED_REMOVE */
enum reserved_remove_col {
	RESERVED_REMOVE_ROW,
	RESERVED_REMOVE__N
};
/* STMT_RESERVED_ASSIGN */
enum reserved_assign_col {
	RESERVED_ASSIGN_ADDRESS,
	RESERVED_ASSIGN__N
};
/* STMT_API_TOKEN_AUTH */
enum api_token_auth_col {
	API_TOKEN_AUTH_TOKEN,
	API_TOKEN_AUTH_USER,
	API_TOKEN_AUTH_NAME,
	API_TOKEN_AUTH_EMAIL,
	API_TOKEN_AUTH_DISPLAY,
	API_TOKEN_AUTH_SITE_ADMIN,
	API_TOKEN_AUTH_BANNED,
	API_TOKEN_AUTH_STALE,
	API_TOKEN_AUTH__N
};
/* STMT_API_TOKEN_LIVE */
enum api_token_live_col {
	API_TOKEN_LIVE_COUNT,
	API_TOKEN_LIVE__N
};
/* STMT_API_TOKEN_CREATE */
enum api_token_create_col {
	API_TOKEN_CREATE_ID,
	API_TOKEN_CREATE_EXPIRES,
	API_TOKEN_CREATE__N
};
/* STMT_API_TOKEN_LIST */
enum api_token_list_col {
	API_TOKEN_LIST_ID,
	API_TOKEN_LIST_NAME,
	API_TOKEN_LIST_CREATED,
	API_TOKEN_LIST_LAST_USED,
	API_TOKEN_LIST_EXPIRES,
	API_TOKEN_LIST_REVOKED,
	API_TOKEN_LIST_STATE,
	API_TOKEN_LIST__N
};
/* STMT_API_TOKEN_REVOKE */
enum api_token_revoke_col {
	API_TOKEN_REVOKE_NAME,
	API_TOKEN_REVOKE__N
};
/* STMT_API_USER_ALIASES */
enum api_user_aliases_col {
	API_USER_ALIASES_ID,
	API_USER_ALIASES__N
};
/* STMT_MY_DOMAIN_LIST */
enum my_domain_list_col {
	MY_DOMAIN_LIST_ID,
	MY_DOMAIN_LIST_NAME,
	MY_DOMAIN_LIST_TEAM,
	MY_DOMAIN_LIST_CHECKED,
	MY_DOMAIN_LIST_VERIFIED,
	MY_DOMAIN_LIST_LAST_FETCH, /* epoch s of the team's last fetch, or 0 */
	MY_DOMAIN_LIST__N
};
/* STMT_MY_DOMAIN_NAMES */
enum my_domain_names_col {
	MY_DOMAIN_NAMES_ID,
	MY_DOMAIN_NAMES_NAME,
	MY_DOMAIN_NAMES__N
};
/* STMT_MY_SESSION_PAGE: the session's, the user's teams, the domains they administer, their error reports (domains, codes and expiries in Unix seconds, in step), the database's time in Unix seconds, then one alias per row (NULL when none) */
enum my_page_col {
	MY_PAGE_TEAMS = SESSION__N,
	MY_PAGE_ADMIN_OF,
	MY_PAGE_ERROR_DOMAINS,
	MY_PAGE_ERROR_CODES,
	MY_PAGE_ERROR_UNTIL,
	MY_PAGE_NOW,
	MY_PAGE_DOMAIN,
	MY_PAGE_LOCAL,
	MY_PAGE_ALIAS,
	MY_PAGE_RECIPIENTS,
	MY_PAGE_ENABLED,
	MY_PAGE_REASON,
	MY_PAGE_REPLY,
	MY_PAGE_REMOVE_ON,
	MY_PAGE_PENDING,  /* the change waiting for confirmations, or "" */
	MY_PAGE_RESERVED, /* the domains where the user's name is reserved */
	MY_PAGE__N
};
/* STMT_CLEANUP_LOCK */
enum cleanup_lock_col {
	CLEANUP_LOCK_GOT,
	CLEANUP_LOCK__N
};
/* STMT_CLEANUP_TIMEOUTS */
enum cleanup_timeouts_col {
	CLEANUP_TIMEOUTS_LOCK,
	CLEANUP_TIMEOUTS_STATEMENT,
	CLEANUP_TIMEOUTS__N
};
/* STMT_OUTBOX_CLAIM */
enum outbox_claim_col {
	OUTBOX_CLAIM_ID,
	OUTBOX_CLAIM_TO,
	OUTBOX_CLAIM_CC,
	OUTBOX_CLAIM_BCC,
	OUTBOX_CLAIM_SUBJECT,
	OUTBOX_CLAIM_BODY,
	OUTBOX_CLAIM_ATTEMPTS,
	OUTBOX_CLAIM_CREATED,
	OUTBOX_CLAIM__N
};
/* STMT_CLI_DOMAINS */
enum cli_domains_col {
	CLI_DOMAINS_DOMAIN,
	CLI_DOMAINS_SLUG,
	CLI_DOMAINS_TEAM,
	CLI_DOMAINS_ENABLED,
	CLI_DOMAINS_TXT,
	CLI_DOMAINS_LIMIT,
	CLI_DOMAINS_MEMBERS,
	CLI_DOMAINS_ALIASES,
	CLI_DOMAINS_ADMINS,
	CLI_DOMAINS__N
};
/* STMT_CLI_DOMAINS_JSON and STMT_CLI_USERS_JSON */
enum cli_json_col {
	CLI_JSON_ARRAY,
	CLI_JSON__N
};
/* STMT_CLI_USERS */
enum cli_users_col {
	CLI_USERS_NAME,
	CLI_USERS_EMAIL,
	CLI_USERS_SITE_ADMIN,
	CLI_USERS_LAST_LOGIN,
	CLI_USERS_BANNED,
	CLI_USERS__N
};

/* Encrypted mailboxes (mail/deliver.c, mail/mailbox.c, mail/messages.c,
   handlers/mailbox.c, handlers/api.c) */
/* STMT_LMTP_MAILBOX */
enum lmtp_mailbox_col {
	LMTP_MAILBOX_ID,
	LMTP_MAILBOX_PK,
	LMTP_MAILBOX_QUOTA,
	LMTP_MAILBOX_USED,
	LMTP_MAILBOX_MESSAGE_ID,
	LMTP_MAILBOX__N
};
/* STMT_LMTP_STORE */
enum lmtp_store_col {
	LMTP_STORE_DUPLICATE,
	LMTP_STORE_ROOM,
	LMTP_STORE_STORED,
	LMTP_STORE_EXISTS,
	LMTP_STORE_SAME_KEY,
	LMTP_STORE__N
};
/* STMT_MBOX_LIST */
enum mbox_list_col {
	MBOX_LIST_ALIAS,
	MBOX_LIST_ADDRESS,
	MBOX_LIST_ENABLED,
	MBOX_LIST_KEEPS,
	MBOX_LIST_FORWARDS,
	MBOX_LIST_MAILBOX,
	MBOX_LIST_QUOTA,
	MBOX_LIST_USED,
	MBOX_LIST_MESSAGES,
	MBOX_LIST_UNLOCKED,
	MBOX_LIST__N
};
/* STMT_MBOX_GET */
enum mbox_get_col {
	MBOX_GET_ID,
	MBOX_GET_ALIAS,
	MBOX_GET_ADDRESS,
	MBOX_GET_PK,
	MBOX_GET_WRAP,
	MBOX_GET_NONCE,
	MBOX_GET_SALT,
	MBOX_GET_OPS,
	MBOX_GET_MEM,
	MBOX_GET_QUOTA,
	MBOX_GET_USED,
	MBOX_GET_COUNT,
	MBOX_GET__N
};
/* STMT_MBOX_ALIAS */
enum mbox_alias_col {
	MBOX_ALIAS_ADDRESS,
	MBOX_ALIAS_MAILBOX,
	MBOX_ALIAS_KEEPS,
	MBOX_ALIAS_FORWARDS,
	MBOX_ALIAS__N
};
/* STMT_MBOX_CREATE */
enum mbox_create_col {
	MBOX_CREATE_ID,
	MBOX_CREATE__N
};
/* STMT_MBOX_REWRAP */
enum mbox_rewrap_col {
	MBOX_REWRAP_ID,
	MBOX_REWRAP__N
};
/* STMT_MBOX_RESET */
enum mbox_reset_col {
	MBOX_RESET_DESTROYED,
	MBOX_RESET__N
};
/* STMT_MBOX_UNLOCK_PUT */
enum mbox_unlock_put_col {
	MBOX_UNLOCK_PUT_DONE,
	MBOX_UNLOCK_PUT__N
};
/* STMT_MBOX_UNLOCK_GET */
enum mbox_unlock_get_col {
	MBOX_UNLOCK_WRAP,
	MBOX_UNLOCK_NONCE,
	MBOX_UNLOCK_PK,
	MBOX_UNLOCK_ADDRESS,
	MBOX_UNLOCK_QUOTA,
	MBOX_UNLOCK_USED,
	MBOX_UNLOCK_ALIAS,
	MBOX_UNLOCK__N
};
/* STMT_MBOX_MESSAGES */
enum mbox_messages_col {
	MBOX_MESSAGES_ID,
	MBOX_MESSAGES_CURSOR,
	MBOX_MESSAGES_WHEN,
	MBOX_MESSAGES_SIZE,
	MBOX_MESSAGES_NONCE,
	MBOX_MESSAGES_SUMMARY,
	MBOX_MESSAGES_SEALED,
	MBOX_MESSAGES__N
};
/* STMT_MBOX_MESSAGE */
enum mbox_message_col {
	MBOX_MESSAGE_NONCE,
	MBOX_MESSAGE_BODY,
	MBOX_MESSAGE_SEALED,
	MBOX_MESSAGE_SIZE,
	MBOX_MESSAGE_RECEIVED,
	MBOX_MESSAGE__N
};
/* STMT_MBOX_IDS */
enum mbox_ids_col {
	MBOX_IDS_ID,
	MBOX_IDS__N
};
/* STMT_MBOX_DELETE */
enum mbox_delete_col {
	MBOX_DELETE_COUNT,
	MBOX_DELETE_BYTES,
	MBOX_DELETE__N
};
/* STMT_MBOX_DELIVERY */
enum mbox_delivery_col {
	MBOX_DELIVERY_KEEPS,
	MBOX_DELIVERY_FORWARDS,
	MBOX_DELIVERY__N
};
/* STMT_MBOX_ALIAS_BY_ADDRESS */
enum mbox_alias_by_address_col {
	MBOX_BY_ADDRESS_ALIAS,
	MBOX_BY_ADDRESS_USER,
	MBOX_BY_ADDRESS__N
};
/* STMT_API_MAILBOXES */
enum api_mailboxes_col {
	API_MAILBOXES_ID,
	API_MAILBOXES_ADDRESS,
	API_MAILBOXES_KEEPS,
	API_MAILBOXES_FORWARDS,
	API_MAILBOXES_QUOTA,
	API_MAILBOXES_USED,
	API_MAILBOXES_MESSAGES,
	API_MAILBOXES__N
};
/* STMT_ALIASES_FOLLOW_EMAIL */
enum follow_email_col {
	FOLLOW_EMAIL_ID,
	FOLLOW_EMAIL_BEFORE,
	FOLLOW_EMAIL__N
};
/* STMT_RCPT_ALIAS */
enum rcpt_alias_col {
	RCPT_ALIAS_DOMAIN,
	RCPT_ALIAS_ADDRESS,
	RCPT_ALIAS_OWNER,
	RCPT_ALIAS_EMAIL,
	RCPT_ALIAS_NAME,
	RCPT_ALIAS_LANG,        /* the owner's choice, "" when none */
	RCPT_ALIAS_DOMAIN_LANG, /* the domain's default */
	RCPT_ALIAS__N
};
/* STMT_RCPT_ALIAS_LOCK */
enum rcpt_alias_lock_col {
	RCPT_ALIAS_LOCK_ONE,
	RCPT_ALIAS_LOCK__N
};
/* STMT_RCPT_OTHER_MEMBERS */
enum rcpt_other_members_col {
	RCPT_OTHER_MEMBERS_EMAIL,
	RCPT_OTHER_MEMBERS__N
};
/* STMT_RCPT_RECEIPT_INSERT */
enum rcpt_receipt_insert_col {
	RCPT_RECEIPT_INSERT_EXPIRES,
	RCPT_RECEIPT_INSERT__N
};
/* STMT_RCPT_REQUEST */
enum rcpt_request_col {
	RCPT_REQUEST_EXPIRES,
	RCPT_REQUEST__N
};
/* STMT_RCPT_UNCONFIRMED */
enum rcpt_unconfirmed_col {
	RCPT_UNCONFIRMED_ADDRESS,
	RCPT_UNCONFIRMED__N
};
/* STMT_RCPT_PENDING_LIST */
enum rcpt_pending_col {
	RCPT_PENDING_ADDRESS,
	RCPT_PENDING_AGREED,
	RCPT_PENDING_SENT,
	RCPT_PENDING_EXPIRES,
	RCPT_PENDING_EXPIRED,
	RCPT_PENDING_TOO_SOON,
	RCPT_PENDING_AT_LIMIT,
	RCPT_PENDING__N
};
/*
 * STMT_RCPT_CONFIRM_LINK, _LOCK and STMT_RCPT_RECEIPT_LINK, _LOCK: the
 * link's row; WHAT is the address asked (a confirmation) or the
 * recipients it restores (a receipt, an array).
 */
enum rcpt_link_col {
	LINK_ID,
	LINK_ALIAS,
	LINK_WHAT,
	LINK_USED,
	LINK_EXPIRED,
	LINK_ALIAS_ADDRESS,
	LINK_ACTOR,
	LINK_AT,
	LINK_EXPIRES,
	LINK__N
};
/* STMT_RCPT_APPLY_PENDING */
enum rcpt_apply_col {
	RCPT_APPLY_BEFORE,
	RCPT_APPLY_AFTER,
	RCPT_APPLY_ACTOR,
	RCPT_APPLY__N
};
/* STMT_RCPT_RECEIPT_USE */
enum rcpt_receipt_use_col {
	RCPT_RECEIPT_USE_ONE,
	RCPT_RECEIPT_USE__N
};
/* STMT_RCPT_UNLOCK */
enum rcpt_unlock_col {
	RCPT_UNLOCK_ID,
	RCPT_UNLOCK_ADDRESS,
	RCPT_UNLOCK_DOMAIN,
	RCPT_UNLOCK__N
};
/* STMT_ALIAS_BY_ADDRESS */
enum alias_by_address_col {
	ALIAS_BY_ADDRESS_ID,
	ALIAS_BY_ADDRESS__N
};
/* STMT_ALIAS_DELETE */
enum alias_delete_col {
	ALIAS_DELETE_ONE,
	ALIAS_DELETE__N
};
/* STMT_TXT_DOMAIN */
enum txt_domain_col {
	TXT_DOMAIN_ID,
	TXT_DOMAIN_NAME,
	TXT_DOMAIN_TOKEN,
	TXT_DOMAIN_STATUS,
	TXT_DOMAIN_GRACE, /* Unix time, 0: none */
	TXT_DOMAIN__N
};
/* STMT_TXT_LOCK */
enum txt_lock_col {
	TXT_LOCK_STATUS,
	TXT_LOCK_GRACE,
	TXT_LOCK__N
};
/* STMT_TXT_ADMINS */
enum txt_admins_col {
	TXT_ADMINS_EMAILS, /* an array */
	TXT_ADMINS_LANGS,  /* each one's language, in step */
	TXT_ADMINS__N
};
/* STMT_TXT_DOMAINS */
enum txt_domains_col {
	TXT_DOMAINS_NAME,
	TXT_DOMAINS__N
};
/* STMT_TXT_JOB_LOCK */
enum txt_job_lock_col {
	TXT_JOB_LOCK_GOT,
	TXT_JOB_LOCK__N
};
/* STMT_SA_ROLE_LOCK */
enum sa_role_lock_col {
	SA_ROLE_LOCK_ID,
	SA_ROLE_LOCK_ROLE, /* "" for the admins */
	SA_ROLE_LOCK_BEFORE,
	SA_ROLE_LOCK__N
};
/* STMT_SA_ROLE_SET */
enum sa_role_set_col {
	SA_ROLE_SET_AFTER,
	SA_ROLE_SET__N
};

struct sql_stmt {
	const char *name; /* the prepared statement's, and the log's */
	const char *sql;
	int         nparams;
	int         ncols; /* the X__N of its column enum; 0: no rows */
};

extern const struct sql_stmt sql_stmts[STMT__MAX];

/* Not prepared (they take no parameters): a transaction's frame, and the
 * channel on which a change of the domains empties db_cached. */
extern const char sql_begin[], sql_commit[], sql_rollback[], sql_listen[];

#endif
