/*
 * conf.h - membermail's configuration: one file, one typed table.
 *
 * The file is "key = value" lines; a line whose first non-blank character
 * is '#' is a comment; blank lines are ignored; white space around the key
 * and the value is trimmed.  There are no comments after a value: a '#'
 * there is part of the value.  Every key is typed and bounded (the table in
 * conf.c; deploy/membermail.conf.example documents it).  An unknown key, a
 * repeated key, a malformed or out-of-range value, a control character or a
 * line over 4096 bytes is an error naming the file and line.  The master
 * loads the config once, before forking; workers inherit it read-only.
 *
 * (Named conf.h, not config.h: config.h is autoconf's.)
 */
#ifndef MM_CONF_H
#define MM_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "lib/log.h"

/* Install directories; the build passes the configured ones. */
#ifndef MM_SYSCONFDIR
#define MM_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef MM_PKGDATADIR
#define MM_PKGDATADIR "/usr/local/share/membermail"
#endif
#ifndef MM_LOCALEDIR
#define MM_LOCALEDIR "/usr/local/share/locale"
#endif

#define CONF_PATH_MAX 256
#define CONF_NAME_MAX 64
#define CONF_LANG_MAX 16 /* a language tag, NUL included (I18N_CODE_MAX) */

enum smtp_tls {
	SMTP_TLS_REQUIRED, /* STARTTLS or fail */
	SMTP_TLS_TRY,      /* STARTTLS when offered */
	SMTP_TLS_NONE      /* plain text (a relay on loopback) */
};

enum sso_verify {
	SSO_STATELESS,  /* check_authentication for every assertion */
	SSO_ASSOCIATION /* shared HMAC-SHA256 keys, verified locally */
};

enum over_quota {
	OVER_QUOTA_PERMANENT, /* 552 5.2.2: the sender gets a bounce */
	OVER_QUOTA_TEMPORARY  /* 452 4.2.2: Postfix keeps trying */
};

struct config {
	char         listen[CONF_PATH_MAX]; /* "unix:/path" or "host:port" */
	unsigned int socket_mode;           /* octal in the file, e.g. 0660 */
	char         socket_group[CONF_NAME_MAX]; /* "" = leave as is */
	int          backlog;
	int          workers;
	int          max_workers;     /* bound on TTIN */
	int          max_requests;    /* 0 = never recycle */
	int          request_timeout; /* seconds; 0 = no limit */
	int          slow_request;    /* milliseconds; 0 = off */
	int          crash_limit;     /* crashes within crash_interval */
	int          crash_interval;  /* seconds */
	char         pid_file[CONF_PATH_MAX];        /* "" = none */
	char         status_listen[CONF_PATH_MAX];   /* "" = none */
	char         status_allow[CONF_PATH_MAX];    /* addresses, CIDRs */
	char         trusted_proxies[CONF_PATH_MAX]; /* addresses, CIDRs */
	int          shutdown_timeout;     /* seconds a graceful stop waits */
	char         user[CONF_NAME_MAX];  /* "" = do not switch */
	char         group[CONF_NAME_MAX]; /* "" = user's group */
	char         public_url[CONF_PATH_MAX];   /* an origin */
	size_t       max_body;                    /* bytes; "k"/"m" suffixes */
	char         database[CONF_PATH_MAX * 2]; /* libpq conninfo */
	int          statement_timeout;           /* milliseconds */
	char         migrations_dir[CONF_PATH_MAX];
	char         sso_endpoint[CONF_PATH_MAX]; /* pinned OP endpoint */
	char         sso_identity_prefix[CONF_PATH_MAX];
	int          openid_mode;      /* enum sso_verify */
	int          sso_timeout;      /* seconds */
	int          nonce_window;     /* seconds */
	int          launchpad_teams;  /* ask for the teams extension */
	int          session_idle;     /* seconds */
	int          session_max;      /* seconds */
	int          login_rate_limit; /* sign-in starts per minute */
	int          api_rate_limit;   /* API requests per user per minute */
	char         templates_dir[CONF_PATH_MAX];
	char         locale_dir[CONF_PATH_MAX]; /* holds <ll>/LC_MESSAGES */
	/* Launchpad and provisioning */
	char launchpad_api[CONF_PATH_MAX]; /* .../1.0 */
	int  launchpad_timeout;            /* seconds per request */
	int  launchpad_retries;
	int  launchpad_concurrency;
	int  launchpad_page_size;
	int  person_check_interval;     /* seconds */
	int  snapshot_max_age;          /* seconds, for sign-in */
	int  signin_sync_budget;        /* milliseconds */
	int  removal_grace_days;        /* 0 = at once */
	int  shrink_threshold;          /* percent */
	int  shrink_min_count;          /* members */
	int  invalidation_threshold;    /* percent of the users checked */
	int  invalidation_min_count;    /* users */
	int  confirm_runs;              /* runs an answer held must persist */
	int  confirm_period;            /* seconds it must persist */
	int  alert_interval;            /* seconds before an alert repeats */
	char static_dir[CONF_PATH_MAX]; /* what nginx serves as /static/ */
	/* Notifications */
	char mail_from[CONF_PATH_MAX];
	char alerts_to[CONF_PATH_MAX];   /* "" = none */
	char alerts_lang[CONF_LANG_MAX]; /* the language of alerts_to's mail */
	char smtp_url[CONF_PATH_MAX];
	int  smtp_tls;                 /* enum smtp_tls */
	char smtp_user[CONF_PATH_MAX]; /* "" = no AUTH */
	char smtp_password_file[CONF_PATH_MAX];
	char smtp_ca_file[CONF_PATH_MAX]; /* "" = the system's CAs */
	int  smtp_timeout;                /* seconds */
	int  outbox_max_attempts;
	/* Encrypted mailboxes: the LMTP service and the pages */
	char   lmtp_listen[CONF_PATH_MAX];       /* "" = no LMTP service */
	char   lmtp_socket_group[CONF_NAME_MAX]; /* "" = leave as is */
	int    lmtp_workers;
	int    lmtp_timeout;       /* seconds */
	size_t max_message_size;   /* bytes */
	size_t mailbox_quota;      /* bytes, for new mailboxes */
	int    over_quota_reply;   /* enum over_quota */
	int    mailbox_idle;       /* seconds an unlock lasts unused */
	int    pwhash_opslimit;    /* Argon2id passes */
	size_t pwhash_memlimit;    /* Argon2id bytes */
	int    pwhash_concurrency; /* derivations at once, per server */
	/* Domain verification (shown on /domains/:domain) */
	char           verification_prefix[CONF_NAME_MAX];
	char           dns_server[64]; /* "" = the system's resolvers */
	int            dns_timeout;    /* seconds per try */
	int            dns_attempts;
	int            verification_grace_hours;
	int            verification_check_interval; /* seconds */
	enum log_level log_level;
	char           log_file[CONF_PATH_MAX]; /* "" = stderr */
};

/* Fills every field with its default. */
void conf_defaults(struct config *);

/*
 * Loads `path` over the defaults (not over cfg's current values).  Returns
 * 0, or -1 with a message such as
 * "/etc/membermail.conf:12: workers: 0 is out of range (1..256)" in err and
 * cfg left as it was, so a bad reload keeps the running config.
 */
int conf_load(struct config *, const char *path, char *err, size_t errsz);

/*
 * After the catalogues are loaded (view_init): every key that names a
 * language (alerts_lang) names one the site offers, English or one whose
 * catalogue locale_dir holds.  0, or -1 with a message such as
 * "alerts_lang: de is not a language this site offers (en, fi; ...)" in err.
 */
int conf_check_langs(const struct config *, char *err, size_t errsz);

/*
 * Prints the effective config as "key = value" lines in table order
 * (alphabetical); the output is itself a config conf_load accepts.
 */
void conf_print(const struct config *, FILE *);

/*
 * One row of the config table as membermail.conf(5) shows it (the page's
 * generator, docs/confdoc.c, reads the table through this, so the page
 * cannot disagree with it).  Strings are static or in the struct.
 */
struct conf_doc {
	const char *name;
	const char *def;        /* the default as the file writes it */
	const char *help;       /* one line: what the key is for */
	char        type[160];  /* what a value looks like */
	char        bounds[80]; /* "1 to 256", "at most 63 bytes", or "" */
};

/* Row i (from 0, in table order) into *d; -1 past the last row. */
int conf_doc(size_t i, struct conf_doc *d);

/*
 * The config path to use: `arg` (from -c) if not NULL, else
 * $MEMBERMAIL_CONFIG if set and not empty, else the compiled-in default,
 * MM_SYSCONFDIR "/membermail/membermail.conf".
 */
const char *conf_path(const char *arg);

#endif
