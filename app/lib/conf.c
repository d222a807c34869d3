/* conf.c - the config file: one typed, bounded table; see conf.h. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/valid.h"

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define CONF_LINE_MAX  4096 /* bytes in a line, not counting the newline */
#define CONF_WHY_MAX   256  /* one problem, before "file:line: key: " */
#define CONF_QUOTE_MAX 96   /* a value quoted in a message is cut to this */
/* A value formatted to print: as long as the longest field (database). */
#define CONF_VALUE_MAX (CONF_PATH_MAX * 2 + 16)

_Static_assert(CONF_LANG_MAX == I18N_CODE_MAX, "a language tag's field");

/* A socket path must fit sun_path with its NUL: 107 bytes on Linux. */
#define UNIX_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

enum conf_type {
	CONF_BOOL,     /* yes or no */
	CONF_CHOICE,   /* one of the row's choices, stored as its index */
	CONF_CONNINFO, /* a libpq connection string without a password */
	CONF_DNS,      /* "" or an IPv4 address with an optional :port */
	CONF_INT,      /* decimal int within min..max */
	CONF_LANG,     /* a language tag; the site must offer it (start-up) */
	CONF_LEVEL,    /* a log level name */
	CONF_LISTEN,   /* "unix:/path" or "host:port" */
	CONF_ADDRS,    /* IP addresses or CIDR blocks, space-separated */
	CONF_MAIL,     /* one e-mail address (local@domain), or "" */
	CONF_MODE,     /* octal permission bits within min..max */
	CONF_NAME,     /* user or group name of at most max bytes, or "" */
	CONF_ORIGIN,   /* "https://host[:port]", as browsers send Origin */
	CONF_SMTP,     /* "smtp://host[:port]" or "smtps://host[:port]" */
	CONF_SIZE,     /* bytes, optionally k or m, within min..max */
	CONF_STRING,   /* any text that fits the field */
	CONF_URL,      /* an absolute https:// URL (http:// to loopback) */
	CONF_TYPE__MAX
};

struct conf_key {
	const char    *name;
	enum conf_type type;
	size_t         off;  /* offsetof the field in struct config */
	size_t         size; /* sizeof the field: bounds strings */
	const char    *def;  /* the default, as written in the file */
	long long      min;
	long long      max;
	const char    *help;
};

/* The values of each CONF_CHOICE key, in the order of its enum. */
static const struct {
	const char       *key;
	const char *const values[4];
} choices[] = {
	{ "openid_mode", { "stateless", "association", NULL } },
	{ "smtp_tls", { "required", "try", "none", NULL } },
	{ "over_quota_reply", { "552", "452", NULL } },
};

#define FIELD(m) offsetof(struct config, m), sizeof(((struct config *)0)->m)

/*
 * Add keys in alphabetical order: conf_print and the example config follow
 * this order, and the unit test checks it.  Defaults go through the same
 * parser as the file, so a default outside its own bounds aborts
 * conf_defaults (and fails the unit test) instead of slipping through.
 * deploy/membermail.conf.example documents every row; test_conf checks it.
 */
static const struct conf_key keys[] = {
	{ "alert_interval", CONF_INT, FIELD(alert_interval), "86400", 300,
	    2592000,
	    "seconds before a sync alert that persists is mailed again" },
	{ "alerts_lang", CONF_LANG, FIELD(alerts_lang), "en", 0, 0,
	    "language of the mail to alerts_to: en or a catalogue's, e.g. fi" },
	{ "alerts_to", CONF_MAIL, FIELD(alerts_to), "", 0, 0,
	    "operators' address for failed sync runs and held shrinks (\"\" = none)" },
	{ "api_rate_limit", CONF_INT, FIELD(api_rate_limit), "120", 1, 100000,
	    "JSON API requests per user per minute (all their tokens)" },
	{ "backlog", CONF_INT, FIELD(backlog), "511", 1, 65535,
	    "listen(2) queue length of the FastCGI socket" },
	{ "confirm_period", CONF_INT, FIELD(confirm_period), "86400", 0,
	    2592000,
	    "seconds an invalidation held back must persist before it applies" },
	{ "confirm_runs", CONF_INT, FIELD(confirm_runs), "3", 1, 1000,
	    "sync runs an invalidation held back must persist before it applies" },
	{ "crash_interval", CONF_INT, FIELD(crash_interval), "60", 1, 3600,
	    "seconds over which crash_limit worker crashes stop the master" },
	{ "crash_limit", CONF_INT, FIELD(crash_limit), "10", 1, 1000,
	    "worker crashes within crash_interval that make the master give up" },
	{ "database", CONF_CONNINFO, FIELD(database), "dbname=membermail", 0, 0,
	    "libpq connection string of the app's database" },
	{ "dns_attempts", CONF_INT, FIELD(dns_attempts), "2", 1, 5,
	    "tries of a DNS question before it counts as unanswered" },
	{ "dns_server", CONF_DNS, FIELD(dns_server), "", 0, 0,
	    "DNS server of domain verification: address[:port] (\"\" = the system's resolvers)" },
	{ "dns_timeout", CONF_INT, FIELD(dns_timeout), "5", 1, 30,
	    "seconds one DNS try waits for an answer" },
	{ "group", CONF_NAME, FIELD(group), "", 0, 32,
	    "group workers run as when started as root (\"\" = user's)" },
	{ "invalidation_min_count", CONF_INT, FIELD(invalidation_min_count),
	    "5", 0, 1000000,
	    "users a run may make invalid before the guard holds (with the share)" },
	{ "invalidation_threshold", CONF_INT, FIELD(invalidation_threshold),
	    "10", 0, 100,
	    "percent of the checked users a run may make invalid before the guard holds" },
	{ "launchpad_api", CONF_URL, FIELD(launchpad_api),
	    "https://api.launchpad.net/1.0", 0, 0,
	    "root of the Launchpad REST API (its 1.0 version)" },
	{ "launchpad_concurrency", CONF_INT, FIELD(launchpad_concurrency), "8",
	    1, 32, "Launchpad requests a sync keeps in flight at once" },
	{ "launchpad_page_size", CONF_INT, FIELD(launchpad_page_size), "300", 1,
	    300, "team members asked for per page (Launchpad allows 300)" },
	{ "launchpad_retries", CONF_INT, FIELD(launchpad_retries), "2", 0, 6,
	    "retries of a Launchpad request after a transient failure" },
	{ "launchpad_teams", CONF_BOOL, FIELD(launchpad_teams), "yes", 0, 0,
	    "ask Ubuntu One for the mapped teams (a hint; Launchpad decides)" },
	{ "launchpad_timeout", CONF_INT, FIELD(launchpad_timeout), "15", 1, 120,
	    "seconds one Launchpad request may take" },
	{ "listen", CONF_LISTEN, FIELD(listen),
	    "unix:/run/membermail/membermail.sock", 0, 0,
	    "FastCGI socket: unix:/abs/path, host:port or [v6]:port" },
	{ "lmtp_listen", CONF_LISTEN, FIELD(lmtp_listen), "", 0, 0,
	    "LMTP socket Postfix delivers kept mail to (\"\" = none)" },
	{ "lmtp_socket_group", CONF_NAME, FIELD(lmtp_socket_group), "", 0, 32,
	    "group of the LMTP unix socket, Postfix's (\"\" = as created)" },
	{ "lmtp_timeout", CONF_INT, FIELD(lmtp_timeout), "120", 5, 3600,
	    "seconds an LMTP client may be silent, and a delivery may take" },
	{ "lmtp_workers", CONF_INT, FIELD(lmtp_workers), "2", 1, 256,
	    "LMTP worker processes the master keeps running" },
	{ "locale_dir", CONF_STRING, FIELD(locale_dir), MM_LOCALEDIR, 0, 0,
	    "directory of the compiled catalogues (<ll>/LC_MESSAGES/membermail.mo)" },
	{ "log_file", CONF_STRING, FIELD(log_file), "", 0, 0,
	    "file log lines are appended to (\"\" = stderr)" },
	{ "log_level", CONF_LEVEL, FIELD(log_level), "info", 0, 0,
	    "least severe level logged: error, warn, info or debug" },
	{ "login_rate_limit", CONF_INT, FIELD(login_rate_limit), "20", 1,
	    100000, "sign-in starts per client (IPv6: per /64) per minute" },
	{ "mail_from", CONF_MAIL, FIELD(mail_from), "membermail@localhost", 0,
	    0, "sender address of notification e-mail" },
	{ "mailbox_idle", CONF_INT, FIELD(mailbox_idle), "1800", 5, 86400,
	    "seconds an unlocked mailbox stays unlocked unused" },
	{ "mailbox_quota", CONF_SIZE, FIELD(mailbox_quota), "1g", 1 << 20,
	    1LL << 40, "quota of a new mailbox, bytes (k, m, g suffixes)" },
	{ "max_body", CONF_SIZE, FIELD(max_body), "1m", 1024, 64 << 20,
	    "largest request body accepted, in bytes (k, m suffixes)" },
	{ "max_message_size", CONF_SIZE, FIELD(max_message_size), "50m",
	    64 << 10, 1 << 30,
	    "largest message the LMTP service takes, bytes (k, m, g suffixes)" },
	{ "max_requests", CONF_INT, FIELD(max_requests), "0", 0, 100000000,
	    "requests a worker serves before it is replaced (0 = never)" },
	{ "max_workers", CONF_INT, FIELD(max_workers), "32", 1, 256,
	    "most workers TTIN may raise the pool to" },
	{ "migrations_dir", CONF_STRING, FIELD(migrations_dir),
	    MM_PKGDATADIR "/migrations", 0, 0,
	    "directory holding the numbered SQL migrations" },
	{ "nonce_window", CONF_INT, FIELD(nonce_window), "300", 30, 3600,
	    "seconds an OpenID response nonce may be old (or ahead)" },
	{ "openid_mode", CONF_CHOICE, FIELD(openid_mode), "stateless", 0, 0,
	    "verify assertions by check_authentication or an association" },
	{ "outbox_max_attempts", CONF_INT, FIELD(outbox_max_attempts), "10", 1,
	    100, "delivery attempts before a notification is given up" },
	{ "over_quota_reply", CONF_CHOICE, FIELD(over_quota_reply), "552", 0, 0,
	    "a full mailbox answers 552 (bounce) or 452 (try later)" },
	{ "person_check_interval", CONF_INT, FIELD(person_check_interval),
	    "21600", 0, 604800,
	    "seconds after which sync checks a person on Launchpad again" },
	{ "pid_file", CONF_STRING, FIELD(pid_file), "", 0, 0,
	    "file the master writes its pid to (\"\" = none)" },
	{ "pwhash_concurrency", CONF_INT, FIELD(pwhash_concurrency), "2", 1, 64,
	    "Argon2id derivations (mailbox unlocks) running at once" },
	{ "pwhash_memlimit", CONF_SIZE, FIELD(pwhash_memlimit), "256m", 8 << 10,
	    1 << 30, "memory of one Argon2id derivation, for new key wraps" },
	{ "pwhash_opslimit", CONF_INT, FIELD(pwhash_opslimit), "3", 1, 16,
	    "Argon2id passes, for new key wraps" },
	{ "public_url", CONF_ORIGIN, FIELD(public_url), "http://127.0.0.1:8080",
	    0, 0,
	    "the site's external base URL: scheme://host[:port], no path" },
	{ "removal_grace_days", CONF_INT, FIELD(removal_grace_days), "30", 0,
	    3650,
	    "days a disabled alias of a leaver is kept (0 = remove at once)" },
	{ "request_timeout", CONF_INT, FIELD(request_timeout), "60", 0, 86400,
	    "seconds one request may run before its worker is killed (0 = no limit)" },
	{ "session_idle", CONF_INT, FIELD(session_idle), "7200", 60, 86400,
	    "seconds of inactivity that end a session" },
	{ "session_max", CONF_INT, FIELD(session_max), "43200", 300, 2592000,
	    "seconds after which a session ends however active" },
	{ "shrink_min_count", CONF_INT, FIELD(shrink_min_count), "5", 0,
	    1000000,
	    "members a team may lose before the shrink guard holds (with the share)" },
	{ "shrink_threshold", CONF_INT, FIELD(shrink_threshold), "10", 0, 100,
	    "percent a team may shrink before removals wait for an operator" },
	{ "shutdown_timeout", CONF_INT, FIELD(shutdown_timeout), "30", 1, 3600,
	    "seconds a graceful stop waits for requests to finish" },
	{ "signin_sync_budget", CONF_INT, FIELD(signin_sync_budget), "8000",
	    500, 60000, "milliseconds sign-in may spend asking Launchpad" },
	{ "slow_request", CONF_INT, FIELD(slow_request), "5000", 0, 3600000,
	    "milliseconds over which a request is logged and counted as slow (0 = off)" },
	{ "smtp_ca_file", CONF_STRING, FIELD(smtp_ca_file), "", 0, 0,
	    "CA certificates trusted for the relay (\"\" = the system's)" },
	{ "smtp_password_file", CONF_STRING, FIELD(smtp_password_file), "", 0,
	    0, "file holding the SMTP password (\"\" = no authentication)" },
	{ "smtp_timeout", CONF_INT, FIELD(smtp_timeout), "30", 1, 600,
	    "seconds one SMTP delivery may take" },
	{ "smtp_tls", CONF_CHOICE, FIELD(smtp_tls), "required", 0, 0,
	    "STARTTLS on smtp://: required, try, or none (smtps:// is always TLS)" },
	{ "smtp_url", CONF_SMTP, FIELD(smtp_url), "smtp://127.0.0.1:25", 0, 0,
	    "mail relay: smtp://host[:port] or smtps://host[:port]" },
	{ "smtp_user", CONF_STRING, FIELD(smtp_user), "", 0, 0,
	    "SMTP user name (\"\" = no authentication)" },
	{ "snapshot_max_age", CONF_INT, FIELD(snapshot_max_age), "600", 60,
	    86400,
	    "seconds a team snapshot serves sign-in before it is fetched again" },
	{ "socket_group", CONF_NAME, FIELD(socket_group), "", 0, 32,
	    "group of the unix socket (\"\" = leave as created)" },
	{ "socket_mode", CONF_MODE, FIELD(socket_mode), "0660", 0, 0777,
	    "permissions of the unix socket, octal" },
	{ "sso_endpoint", CONF_URL, FIELD(sso_endpoint),
	    "https://login.ubuntu.com/+openid", 0, 0,
	    "the Ubuntu One OpenID endpoint (pinned: the only OP trusted)" },
	{ "sso_identity_prefix", CONF_URL, FIELD(sso_identity_prefix),
	    "https://login.ubuntu.com/+id/", 0, 0,
	    "claimed ids must be this prefix followed by letters and digits" },
	{ "sso_timeout", CONF_INT, FIELD(sso_timeout), "10", 1, 120,
	    "seconds a request to Ubuntu One may take" },
	{ "statement_timeout", CONF_INT, FIELD(statement_timeout), "5000", 100,
	    600000, "milliseconds a database statement may run" },
	{ "static_dir", CONF_STRING, FIELD(static_dir), MM_PKGDATADIR "/static",
	    0, 0,
	    "directory nginx serves as /static/ (community logos in logos/)" },
	{ "status_allow", CONF_ADDRS, FIELD(status_allow), "127.0.0.1 ::1", 0,
	    0,
	    "client addresses or CIDR blocks that may read the status pages" },
	{ "status_listen", CONF_LISTEN, FIELD(status_listen), "", 0, 0,
	    "FastCGI socket of the status process (\"\" = no status pages)" },
	{ "templates_dir", CONF_STRING, FIELD(templates_dir),
	    MM_PKGDATADIR "/templates", 0, 0,
	    "directory holding the view templates" },
	{ "trusted_proxies", CONF_ADDRS, FIELD(trusted_proxies), "", 0, 0,
	    "proxies whose X-Forwarded-For names the client (\"\" = none)" },
	{ "user", CONF_NAME, FIELD(user), "", 0, 32,
	    "user workers run as when started as root (\"\" = do not switch)" },
	{ "verification_check_interval", CONF_INT,
	    FIELD(verification_check_interval), "60", 10, 86400,
	    "seconds between two \"Check now\" of one domain's TXT record" },
	{ "verification_grace_hours", CONF_INT, FIELD(verification_grace_hours),
	    "72", 0, 8760,
	    "hours a verified domain that lost its TXT record keeps its mail (0 = none)" },
	{ "verification_prefix", CONF_NAME, FIELD(verification_prefix),
	    "membermail-site-verification", 0, 63,
	    "a domain's TXT record reads <prefix>=<its token>" },
	{ "workers", CONF_INT, FIELD(workers), "4", 1, 256,
	    "worker processes the master keeps running" },
};

/*
 * A type's parser stores val into field or writes the problem into why;
 * its printer formats field so that its parser reads it back unchanged.
 */
struct conf_ops {
	int (*parse)(const struct conf_key *, const char *val, void *field,
	    char *why, size_t whysz);
	void (*print)(const struct conf_key *, const void *field, char *out,
	    size_t outsz);
};

struct conf_parser {
	const char  *path;
	FILE        *fp;
	unsigned int lineno;
	unsigned int seen[nitems(keys)]; /* line that set each key */
	char        *err;
	size_t       errsz;
};

enum num {
	NUM_OK,
	NUM_BAD,  /* not a number of the expected form */
	NUM_RANGE /* does not fit a long long */
};

/* "value" quoted and escaped for a message; cut if long. */
static const char *
quote(char *buf, size_t bufsz, const char *s)
{
	return log_quote(buf, bufsz, s, strlen(s));
}

/*
 * Reads digits in `base` (8 or 10) from s.  Base 10 may start with '-' so
 * that "-1" is reported as out of range rather than as not a number.  We
 * check the first byte ourselves because strtoll would also accept leading
 * white space and '+', which the file format does not.
 */
static enum num
conf_strtonum(const char *s, int base, long long *vp, const char **endp)
{
	const char *p = s;
	char       *end;

	*endp = s;
	if (base == 10 && *p == '-')
		p++;
	if (*p < '0' || *p > (base == 8 ? '7' : '9'))
		return NUM_BAD;
	errno = 0;
	*vp = strtoll(s, &end, base);
	*endp = end;
	if (errno == ERANGE)
		return NUM_RANGE;
	if (errno != 0 || end == s)
		return NUM_BAD;
	return NUM_OK;
}

/* Bytes as the file would say them: the largest exact suffix, or none. */
static void
fmt_size(long long v, char *out, size_t outsz)
{
	if (v != 0 && v % (1LL << 30) == 0)
		snprintf(out, outsz, "%lldg", v >> 30);
	else if (v != 0 && v % (1LL << 20) == 0)
		snprintf(out, outsz, "%lldm", v >> 20);
	else if (v != 0 && v % 1024 == 0)
		snprintf(out, outsz, "%lldk", v >> 10);
	else
		snprintf(out, outsz, "%lld", v);
}

static int
parse_int(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char        q[CONF_QUOTE_MAX];
	const char *end;
	long long   v;
	enum num    rc;

	if (k->size != sizeof(int))
		abort(); /* the row's field is not an int */
	rc = conf_strtonum(val, 10, &v, &end);
	if (rc == NUM_BAD || *end != '\0') {
		snprintf(why, whysz, "%s is not a number",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (rc == NUM_RANGE || v < k->min || v > k->max) {
		snprintf(why, whysz, "%s is out of range (%lld..%lld)", val,
		    k->min, k->max);
		return -1;
	}
	*(int *)field = (int)v;
	return 0;
}

static void
print_int(const struct conf_key *k, const void *field, char *out, size_t outsz)
{
	(void)k;
	snprintf(out, outsz, "%d", *(const int *)field);
}

static int
parse_size(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char        q[CONF_QUOTE_MAX], lo[32], hi[32];
	const char *end;
	long long   v, mult = 1;
	enum num    rc;

	if (k->size != sizeof(size_t))
		abort(); /* the row's field is not a size_t */
	rc = conf_strtonum(val, 10, &v, &end);
	if (*end == 'k' || *end == 'K')
		mult = 1024;
	else if (*end == 'm' || *end == 'M')
		mult = 1 << 20;
	else if (*end == 'g' || *end == 'G')
		mult = 1 << 30;
	if (mult != 1)
		end++;
	if (rc == NUM_BAD || *end != '\0') {
		snprintf(why, whysz,
		    "%s is not a size (bytes, or with a k, m or g"
		    " suffix)",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (rc == NUM_OK && (v > LLONG_MAX / mult || v < LLONG_MIN / mult))
		rc = NUM_RANGE;
	if (rc == NUM_RANGE || v * mult < k->min || v * mult > k->max) {
		fmt_size(k->min, lo, sizeof(lo));
		fmt_size(k->max, hi, sizeof(hi));
		snprintf(why, whysz, "%s is out of range (%s..%s)", val, lo,
		    hi);
		return -1;
	}
	*(size_t *)field = (size_t)(v * mult);
	return 0;
}

static void
print_size(const struct conf_key *k, const void *field, char *out, size_t outsz)
{
	(void)k;
	fmt_size((long long)*(const size_t *)field, out, outsz);
}

/*
 * The value is always octal, with or without the leading 0, as for
 * chmod(1): "660" and "0660" are the same mode.  A decimal mode is never
 * what anyone means, so there is no ambiguity to guard against.
 */
static int
parse_mode(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char        q[CONF_QUOTE_MAX];
	const char *end;
	long long   v;
	enum num    rc;

	if (k->size != sizeof(unsigned int))
		abort(); /* the row's field is not an unsigned int */
	rc = conf_strtonum(val, 8, &v, &end);
	if (rc == NUM_BAD || *end != '\0') {
		snprintf(why, whysz, "%s is not an octal mode",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (rc == NUM_RANGE || v < k->min || v > k->max) {
		snprintf(why, whysz, "%s is out of range (%#llo..%#llo)", val,
		    (unsigned long long)k->min, (unsigned long long)k->max);
		return -1;
	}
	*(unsigned int *)field = (unsigned int)v;
	return 0;
}

static void
print_mode(const struct conf_key *k, const void *field, char *out, size_t outsz)
{
	(void)k;
	snprintf(out, outsz, "%04o", *(const unsigned int *)field);
}

static int
parse_level(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char q[CONF_QUOTE_MAX];
	int  level;

	if (k->size != sizeof(enum log_level))
		abort(); /* the row's field is not an enum log_level */
	if ((level = log_level_from_name(val)) == -1) {
		snprintf(why, whysz,
		    "%s is not one of error, warn, info, "
		    "debug",
		    quote(q, sizeof(q), val));
		return -1;
	}
	*(enum log_level *)field = (enum log_level)level;
	return 0;
}

static void
print_level(const struct conf_key *k, const void *field, char *out,
    size_t outsz)
{
	(void)k;
	snprintf(out, outsz, "%s",
	    log_level_name(*(const enum log_level *)field));
}

/* Whether val fits the row's char array: over-long is an error, not cut. */
static int
fits(const struct conf_key *k, const char *val, char *why, size_t whysz)
{
	size_t len = strlen(val);

	if (len >= k->size) {
		snprintf(why, whysz, "value is %zu bytes, longer than %zu", len,
		    k->size - 1);
		return 0;
	}
	return 1;
}

/* Copies val into the row's char array. */
static int
store_string(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	if (!fits(k, val, why, whysz))
		return -1;
	/* Zero the tail too, so equal configs are equal byte for byte. */
	memset(field, 0, k->size);
	memcpy(field, val, strlen(val));
	return 0;
}

static void
print_string(const struct conf_key *k, const void *field, char *out,
    size_t outsz)
{
	(void)k;
	snprintf(out, outsz, "%s", (const char *)field);
}

/* useradd(8)'s rule: [a-z_][a-z0-9_-]*, optionally ending in '$'. */
static int
valid_name(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return 1; /* unset */
	if (!(s[0] >= 'a' && s[0] <= 'z') && s[0] != '_')
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-')
			continue;
		if (s[i] == '$' && s[i + 1] == '\0')
			continue;
		return 0;
	}
	return 1;
}

static int
parse_name(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char   q[CONF_QUOTE_MAX];
	size_t len = strlen(val);

	if (len > (size_t)k->max) {
		snprintf(why, whysz, "name is %zu bytes, longer than %lld", len,
		    k->max);
		return -1;
	}
	if (!valid_name(val)) {
		snprintf(why, whysz, "%s is not a valid user or group name",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

/* A DNS name: dot-separated labels of letters, digits and inner '-'. */
static int
valid_hostname(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && s[len - 1] != '-';
}

/*
 * "[v6]" must be an IPv6 address; digits and dots only must be an IPv4
 * address (so "999.1.1.1" is not taken for a name); else a host name.
 */
static int
valid_host(const char *s, size_t len)
{
	char          buf[256];
	unsigned char addr[sizeof(struct in6_addr)];

	if (len >= sizeof(buf))
		return 0;
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return 0;
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strspn(buf, "0123456789.") == len)
		return inet_pton(AF_INET, buf, addr) == 1;
	return valid_hostname(buf, len);
}

static int
check_unix(const char *path, char *why, size_t whysz)
{
	char   q[CONF_QUOTE_MAX];
	size_t len = strlen(path);

	if (path[0] != '/') {
		snprintf(why, whysz, "unix socket path %s is not absolute",
		    quote(q, sizeof(q), path));
		return -1;
	}
	if (len > UNIX_PATH_MAX) {
		snprintf(why, whysz,
		    "unix socket path is %zu bytes, longer "
		    "than %zu",
		    len, UNIX_PATH_MAX);
		return -1;
	}
	return 0;
}

/* The ':' before the port: right after "]" for [v6], else the last one. */
static const char *
port_colon(const char *val)
{
	const char *p;

	if (val[0] != '[')
		return strrchr(val, ':');
	if ((p = strchr(val, ']')) == NULL || p[1] != ':')
		return NULL;
	return p + 1;
}

static int
check_hostport(const char *val, char *why, size_t whysz)
{
	char        q[CONF_QUOTE_MAX];
	const char *colon, *end;
	long long   port;
	enum num    rc;

	if ((colon = port_colon(val)) == NULL || colon[1] == '\0') {
		snprintf(why, whysz,
		    "%s has no port (want \"unix:/path\" or "
		    "\"host:port\")",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (!valid_host(val, (size_t)(colon - val))) {
		snprintf(why, whysz,
		    "%s has no valid host (want an IPv4 "
		    "address, [IPv6] address or name)",
		    quote(q, sizeof(q), val));
		return -1;
	}
	rc = conf_strtonum(colon + 1, 10, &port, &end);
	if (rc == NUM_BAD || *end != '\0') {
		snprintf(why, whysz, "port %s is not a number",
		    quote(q, sizeof(q), colon + 1));
		return -1;
	}
	if (rc == NUM_RANGE || port < 1 || port > 65535) {
		snprintf(why, whysz, "port %s is out of range (1..65535)",
		    colon + 1);
		return -1;
	}
	return 0;
}

static int
parse_listen(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	int rc;

	if (!fits(k, val, why, whysz))
		return -1;
	if (val[0] == '\0' && k->def[0] == '\0') /* optional: "" = none */
		return store_string(k, val, field, why, whysz);
	if (strncmp(val, "unix:", 5) == 0)
		rc = check_unix(val + 5, why, whysz);
	else
		rc = check_hostport(val, why, whysz);
	if (rc == -1)
		return -1;
	return store_string(k, val, field, why, whysz);
}

/* The host[:port] hp of the URL val: 0, or -1 with the reason in why. */
static int
check_authority(const char *val, const char *hp, char *why, size_t whysz)
{
	char q[CONF_QUOTE_MAX];

	if (port_colon(hp) != NULL)
		return check_hostport(hp, why, whysz);
	if (valid_host(hp, strlen(hp)))
		return 0;
	snprintf(why, whysz, "%s has no valid host", quote(q, sizeof(q), val));
	return -1;
}

/*
 * The site's origin exactly as a browser serialises it in Origin: lower
 * case, no path, no default port; anything else would never compare equal.
 */
static int
parse_origin(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char        q[CONF_QUOTE_MAX];
	const char *hp, *colon, *p;
	int         https = strncmp(val, "https://", 8) == 0;

	if (!fits(k, val, why, whysz))
		return -1;
	if (!https && strncmp(val, "http://", 7) != 0) {
		snprintf(why, whysz, "%s is not an http:// or https:// URL",
		    quote(q, sizeof(q), val));
		return -1;
	}
	hp = val + (https ? 8 : 7);
	for (p = hp; *p != '\0'; p++)
		if (*p == '/' || *p == '?' || *p == '#' ||
		    (*p >= 'A' && *p <= 'Z'))
			break;
	if (*p != '\0' || *hp == '\0') {
		snprintf(why, whysz,
		    "%s must be scheme://host[:port] in lower "
		    "case, without a path",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (check_authority(val, hp, why, whysz) == -1)
		return -1;
	if ((colon = port_colon(hp)) != NULL &&
	    strcmp(colon + 1, https ? "443" : "80") == 0) {
		snprintf(why, whysz, "%s names the default port; leave it out",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

/*
 * Parsed by libpq itself, so what passes here is what workers will use.
 * A password does not belong in a file that check-config prints: libpq
 * reads it from a passfile (~/.pgpass, PGPASSFILE or passfile=).
 */
static int
parse_conninfo(const struct conf_key *k, const char *val, void *field,
    char *why, size_t whysz)
{
	PQconninfoOption *opts, *o;
	char             *msg = NULL;
	int               has_password = 0;

	if (!fits(k, val, why, whysz))
		return -1;
	if ((opts = PQconninfoParse(val, &msg)) == NULL) {
		if (msg != NULL) /* libpq ends its message with a newline */
			snprintf(why, whysz, "%.*s", (int)strcspn(msg, "\n"),
			    msg);
		else
			snprintf(why, whysz, "cannot parse it (out of memory)");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			has_password = 1;
	PQconninfoFree(opts);
	if (has_password) {
		snprintf(why, whysz,
		    "no password here: use a passfile "
		    "(~/.pgpass, PGPASSFILE or passfile=)");
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

static int
parse_bool(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char q[CONF_QUOTE_MAX];

	(void)k;
	if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
		snprintf(why, whysz, "%s is not yes or no",
		    quote(q, sizeof(q), val));
		return -1;
	}
	*(int *)field = strcmp(val, "yes") == 0;
	return 0;
}

static void
print_bool(const struct conf_key *k, const void *field, char *out, size_t outsz)
{
	(void)k;
	snprintf(out, outsz, "%s", *(const int *)field ? "yes" : "no");
}

static const char *const *
choices_of(const struct conf_key *k)
{
	size_t i;

	for (i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (strcmp(choices[i].key, k->name) == 0)
			return choices[i].values;
	abort(); /* a CONF_CHOICE row without its values */
}

static int
parse_choice(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	const char *const *v = choices_of(k);
	char               q[CONF_QUOTE_MAX];
	int                i;

	for (i = 0; v[i] != NULL; i++)
		if (strcmp(val, v[i]) == 0) {
			*(int *)field = i;
			return 0;
		}
	snprintf(why, whysz, "%s is not one of", quote(q, sizeof(q), val));
	for (i = 0; v[i] != NULL; i++)
		snprintf(why + strlen(why), whysz - strlen(why), "%s %s",
		    i > 0 ? "," : "", v[i]);
	return -1;
}

static void
print_choice(const struct conf_key *k, const void *field, char *out,
    size_t outsz)
{
	snprintf(out, outsz, "%s", choices_of(k)[*(const int *)field]);
}

/*
 * Whether the host of the authority hp (host[:port], IPv6 in brackets) is
 * this machine: localhost, 127.0.0.0/8 or [::1].
 */
static int
loopback_host(const char *hp)
{
	const char *colon = port_colon(hp);
	size_t      len = colon != NULL ? (size_t)(colon - hp) : strlen(hp);
	char        host[64];
	unsigned    a, b, c, d;
	char        end;

	if (len >= sizeof(host))
		return 0;
	memcpy(host, hp, len);
	host[len] = '\0';
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	return sscanf(host, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &end) == 4 &&
	    a == 127 && b < 256 && c < 256 && d < 256;
}

/*
 * An absolute URL of an internet service the app calls (Ubuntu One,
 * Launchpad): scheme, host, path.  https only, so that nobody on the way
 * can answer in its place; plain http is for a service on this machine
 * (the tests' and the local demo's fakes).
 */
static int
parse_url(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char                 q[CONF_QUOTE_MAX], origin[CONF_PATH_MAX];
	const char          *hp, *slash;
	const unsigned char *p;

	if (!fits(k, val, why, whysz))
		return -1;
	hp = strncmp(val, "https://", 8) == 0 ? val + 8 :
	    strncmp(val, "http://", 7) == 0   ? val + 7 :
						NULL;
	for (p = (const unsigned char *)val; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '#')
			hp = NULL;
	if (hp == NULL || (slash = strchr(hp, '/')) == NULL) {
		snprintf(why, whysz,
		    "%s is not an absolute http(s) URL with "
		    "a path",
		    quote(q, sizeof(q), val));
		return -1;
	}
	/* The scheme and authority must be a valid origin. */
	snprintf(origin, sizeof(origin), "%.*s", (int)(slash - val), val);
	if (parse_origin(k, origin, field, why, whysz) == -1)
		return -1;
	if (hp == val + 7 && !loopback_host(origin + 7)) {
		snprintf(why, whysz,
		    "%s must be https (plain http only to this machine: "
		    "localhost, 127.0.0.0/8 or [::1])",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

/* A language tag; whether the site offers it, conf_check_langs says. */
static int
parse_lang(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char q[CONF_QUOTE_MAX];

	if (!valid_lang_tag(val, strlen(val))) {
		snprintf(why, whysz,
		    "%s is not a language tag (\"en\", \"fi\", \"pt-BR\")",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

/* An address we may put in a mail header: valid_address, or "". */
static int
parse_mail(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char q[CONF_QUOTE_MAX];

	if (*val != '\0' && !valid_address(val, strlen(val))) {
		snprintf(why, whysz, "%s is not an e-mail address",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

/* smtp://host[:port] or smtps://host[:port]: an origin of another scheme. */
static int
parse_smtp(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char        q[CONF_QUOTE_MAX];
	const char *hp;

	if (!fits(k, val, why, whysz))
		return -1;
	hp = strncmp(val, "smtp://", 7) == 0 ? val + 7 :
	    strncmp(val, "smtps://", 8) == 0 ? val + 8 :
					       NULL;
	if (hp == NULL || *hp == '\0' || strpbrk(hp, "/?#@") != NULL) {
		snprintf(why, whysz,
		    "%s is not smtp://host[:port] or "
		    "smtps://host[:port]",
		    quote(q, sizeof(q), val));
		return -1;
	}
	if (check_authority(val, hp, why, whysz) == -1)
		return -1;
	return store_string(k, val, field, why, whysz);
}

/* The DNS server of domain verification: "", or address[:port]. */
static int
parse_dns(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	struct sockaddr_in sa;
	char               q[CONF_QUOTE_MAX];

	if (*val != '\0' && parse_ipv4_port(val, 53, &sa) == -1) {
		snprintf(why, whysz,
		    "%s is not an IPv4 address with an optional :port",
		    quote(q, sizeof(q), val));
		return -1;
	}
	return store_string(k, val, field, why, whysz);
}

static int
parse_addrs(const struct conf_key *k, const char *val, void *field, char *why,
    size_t whysz)
{
	char           q[CONF_QUOTE_MAX];
	const char    *p = val;
	size_t         n;
	struct netaddr net;

	if (!fits(k, val, why, whysz))
		return -1;
	while (*p != '\0') {
		p += strspn(p, " \t");
		if ((n = strcspn(p, " \t")) == 0)
			break;
		if (netaddr_parse(p, n, &net) == -1) {
			snprintf(why, whysz,
			    "%s is not an IP address or CIDR "
			    "block",
			    quote(q, sizeof(q), p));
			return -1;
		}
		p += n;
	}
	return store_string(k, val, field, why, whysz);
}

static const struct conf_ops ops[CONF_TYPE__MAX] = {
	[CONF_BOOL] = { parse_bool, print_bool },
	[CONF_CHOICE] = { parse_choice, print_choice },
	[CONF_CONNINFO] = { parse_conninfo, print_string },
	[CONF_DNS] = { parse_dns, print_string },
	[CONF_INT] = { parse_int, print_int },
	[CONF_LANG] = { parse_lang, print_string },
	[CONF_LEVEL] = { parse_level, print_level },
	[CONF_LISTEN] = { parse_listen, print_string },
	[CONF_MAIL] = { parse_mail, print_string },
	[CONF_ADDRS] = { parse_addrs, print_string },
	[CONF_MODE] = { parse_mode, print_mode },
	[CONF_NAME] = { parse_name, print_string },
	[CONF_ORIGIN] = { parse_origin, print_string },
	[CONF_SIZE] = { parse_size, print_size },
	[CONF_SMTP] = { parse_smtp, print_string },
	[CONF_STRING] = { store_string, print_string },
	[CONF_URL] = { parse_url, print_string },
};

/*
 * Sets one key from its text, for the file and the defaults alike.
 * Control characters are refused for every type: a stray CR or NUL would
 * otherwise end up in a path or name where nobody can see it.
 */
static int
conf_set(struct config *cfg, const struct conf_key *k, const char *val,
    char *why, size_t whysz)
{
	const unsigned char *p;

	for (p = (const unsigned char *)val; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, whysz,
			    "control character 0x%02x in "
			    "value",
			    *p);
			return -1;
		}
	}
	return ops[k->type].parse(k, val, (char *)cfg + k->off, why, whysz);
}

void
conf_defaults(struct config *cfg)
{
	char   why[CONF_WHY_MAX];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < nitems(keys); i++) {
		if (conf_set(cfg, &keys[i], keys[i].def, why, sizeof(why)) ==
		    -1) {
			/* A bug in the table; the unit test catches it. */
			fprintf(stderr, "conf: default %s: %s\n", keys[i].name,
			    why);
			abort();
		}
	}
}

static const struct conf_key *
conf_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Writes "path:line: " and the message into the caller's err. */
static int conf_fail(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;
	int     n;

	n = snprintf(p->err, p->errsz, "%s:%u: ", p->path, p->lineno);
	if (n >= 0 && (size_t)n < p->errsz) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Trims spaces and tabs at both ends, in place. */
static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

/*
 * One line, without its newline.  There are no inline comments: a '#'
 * after the '=' belongs to the value, so paths and names may hold one.
 */
static int
conf_line(struct conf_parser *p, struct config *cfg, char *line)
{
	const struct conf_key *k;
	char                   why[CONF_WHY_MAX], q[CONF_QUOTE_MAX];
	char                  *key, *val, *eq;

	key = line + strspn(line, " \t");
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL)
		return conf_fail(p, "expected \"key = value\"");
	*eq = '\0';
	key = trim(key);
	val = trim(eq + 1);
	if (*key == '\0')
		return conf_fail(p, "expected \"key = value\"");
	if ((k = conf_find(key)) == NULL)
		return conf_fail(p, "unknown key %s", quote(q, sizeof(q), key));
	if (p->seen[k - keys] != 0)
		return conf_fail(p, "%s: set twice (first on line %u)", k->name,
		    p->seen[k - keys]);
	p->seen[k - keys] = p->lineno;
	if (conf_set(cfg, k, val, why, sizeof(why)) == -1)
		return conf_fail(p, "%s: %s", k->name, why);
	return 0;
}

enum line {
	LINE_OK,
	LINE_EOF,
	LINE_LONG, /* longer than CONF_LINE_MAX */
	LINE_ERROR /* read error, reason in errno */
};

/*
 * Reads one line, without its newline, into buf (CONF_LINE_MAX + 1 bytes)
 * and its length into *lenp: the length tells a NUL byte in the line from
 * the line's end.
 */
static enum line
read_line(FILE *fp, char *buf, size_t *lenp)
{
	size_t len = 0;
	int    c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (len == CONF_LINE_MAX)
			return LINE_LONG;
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	*lenp = len;
	if (ferror(fp))
		return LINE_ERROR;
	return c == EOF && len == 0 ? LINE_EOF : LINE_OK;
}

static int
conf_read(struct conf_parser *p, struct config *cfg)
{
	char   line[CONF_LINE_MAX + 1];
	size_t len;

	for (;;) {
		p->lineno++;
		switch (read_line(p->fp, line, &len)) {
		case LINE_EOF:
			return 0;
		case LINE_LONG:
			return conf_fail(p, "line is longer than %d bytes",
			    CONF_LINE_MAX);
		case LINE_ERROR:
			snprintf(p->err, p->errsz, "%s: %s", p->path,
			    strerror(errno));
			return -1;
		case LINE_OK:
			break;
		}
		if (strlen(line) != len)
			return conf_fail(p, "NUL byte in line");
		if (conf_line(p, cfg, line) == -1)
			return -1;
	}
}

int
conf_load(struct config *cfg, const char *path, char *err, size_t errsz)
{
	struct conf_parser p;
	struct config      tmp;
	int                rc;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errsz = errsz;
	if ((p.fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Load into a copy so that a bad file leaves the caller's config. */
	conf_defaults(&tmp);
	rc = conf_read(&p, &tmp);
	fclose(p.fp);
	if (rc == 0)
		*cfg = tmp;
	return rc;
}

/* What a value of each type looks like, for the manual page. */
static const char *const type_docs[CONF_TYPE__MAX] = {
	[CONF_BOOL] = "yes or no",
	[CONF_CHOICE] = "one of",
	[CONF_CONNINFO] = "a libpq connection string, without a password",
	[CONF_DNS] = "an IPv4 address, with an optional :port",
	[CONF_INT] = "an integer",
	[CONF_LANG] =
	    "a language tag: en, or one with a catalogue in locale_dir",
	[CONF_LEVEL] = "error, warn, info or debug",
	[CONF_LISTEN] = "unix:/absolute/path, host:port or [IPv6]:port",
	[CONF_ADDRS] = "IP addresses and CIDR blocks, separated by spaces",
	[CONF_MAIL] = "an e-mail address, or empty",
	[CONF_MODE] = "octal permission bits",
	[CONF_NAME] = "a user or group name, or empty",
	[CONF_ORIGIN] = "http://host[:port] or https://host[:port], no path",
	[CONF_SMTP] = "smtp://host[:port] or smtps://host[:port]",
	[CONF_SIZE] = "bytes, with an optional k or m suffix",
	[CONF_STRING] = "text",
	[CONF_URL] = "an absolute http:// or https:// URL",
};

/* The bounds a value of k must keep, as the manual page says them. */
static void
doc_bounds(const struct conf_key *k, char *out, size_t outsz)
{
	char lo[32], hi[32];

	switch (k->type) {
	case CONF_INT:
		snprintf(out, outsz, "%lld to %lld", k->min, k->max);
		break;
	case CONF_SIZE:
		fmt_size(k->min, lo, sizeof(lo));
		fmt_size(k->max, hi, sizeof(hi));
		snprintf(out, outsz, "%s to %s", lo, hi);
		break;
	case CONF_MODE:
		snprintf(out, outsz, "%04llo to %04llo",
		    (unsigned long long)k->min, (unsigned long long)k->max);
		break;
	case CONF_NAME:
		snprintf(out, outsz, "at most %lld bytes", k->max);
		break;
	case CONF_BOOL:
	case CONF_CHOICE:
	case CONF_LANG:
	case CONF_LEVEL:
		out[0] = '\0';
		break;
	default: /* the strings: the field bounds them */
		snprintf(out, outsz, "at most %zu bytes", k->size - 1);
		break;
	}
}

/* What a value of k looks like; a choice's values listed. */
static void
doc_type(const struct conf_key *k, char *out, size_t outsz)
{
	const char *const *first, *const *c;
	size_t n;

	/* "?" for a type nobody described: the unit test refuses it. */
	n = (size_t)snprintf(out, outsz, "%s",
	    type_docs[k->type] != NULL ? type_docs[k->type] : "?");
	if (k->type != CONF_CHOICE)
		return;
	first = choices_of(k);
	for (c = first; *c != NULL && n < outsz; c++)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s",
		    c == first       ? " " :
			c[1] == NULL ? " or " :
				       ", ",
		    *c);
}

int
conf_doc(size_t i, struct conf_doc *d)
{
	if (i >= nitems(keys))
		return -1;
	d->name = keys[i].name;
	d->def = keys[i].def;
	d->help = keys[i].help;
	doc_type(&keys[i], d->type, sizeof(d->type));
	doc_bounds(&keys[i], d->bounds, sizeof(d->bounds));
	return 0;
}

int
conf_check_langs(const struct config *cfg, char *err, size_t errsz)
{
	const char *tag;
	size_t      i, k, n;

	for (i = 0; i < nitems(keys); i++) {
		tag = (const char *)cfg + keys[i].off;
		if (keys[i].type != CONF_LANG || i18n_tag(tag) != NULL)
			continue;
		n = (size_t)snprintf(err, errsz,
		    "%s: %s is not a language this site offers (", keys[i].name,
		    tag);
		for (k = 0; k < i18n_count() && n < errsz; k++)
			n += (size_t)snprintf(err + n, errsz - n, "%s%s",
			    k > 0 ? ", " : "", i18n_lang(k)->code);
		if (n < errsz)
			snprintf(err + n, errsz - n,
			    "; another needs its catalogue in %s)",
			    cfg->locale_dir);
		return -1;
	}
	return 0;
}

void
conf_print(const struct config *cfg, FILE *fp)
{
	char   val[CONF_VALUE_MAX];
	size_t i;

	for (i = 0; i < nitems(keys); i++) {
		ops[keys[i].type].print(&keys[i],
		    (const char *)cfg + keys[i].off, val, sizeof(val));
		/* "key =" for an empty value: no trailing white space. */
		fprintf(fp, "%s =%s%s\n", keys[i].name, val[0] ? " " : "", val);
	}
}

const char *
conf_path(const char *arg)
{
	const char *env;

	if (arg != NULL)
		return arg;
	if ((env = getenv("MEMBERMAIL_CONFIG")) != NULL && env[0] != '\0')
		return env;
	return MM_SYSCONFDIR "/membermail/membermail.conf";
}
