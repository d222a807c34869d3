/*
 * test_conf.c - conf.c: defaults, every type, exact error texts, a failed
 * load leaving the config alone, print/load round trips, the example
 * config, conf_path's precedence and the languages a config may name.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/i18n.h"
#include "test.h"

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define UNIX_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

#define DEFAULTS_PRINTED                                        \
	"alert_interval = 86400\n"                              \
	"alerts_lang = en\n"                                    \
	"alerts_to =\n"                                         \
	"api_rate_limit = 120\n"                                \
	"backlog = 511\n"                                       \
	"confirm_period = 86400\n"                              \
	"confirm_runs = 3\n"                                    \
	"crash_interval = 60\n"                                 \
	"crash_limit = 10\n"                                    \
	"database = dbname=membermail\n"                        \
	"dns_attempts = 2\n"                                    \
	"dns_server =\n"                                        \
	"dns_timeout = 5\n"                                     \
	"group =\n"                                             \
	"invalidation_min_count = 5\n"                          \
	"invalidation_threshold = 10\n"                         \
	"launchpad_api = https://api.launchpad.net/1.0\n"       \
	"launchpad_concurrency = 8\n"                           \
	"launchpad_page_size = 300\n"                           \
	"launchpad_retries = 2\n"                               \
	"launchpad_teams = yes\n"                               \
	"launchpad_timeout = 15\n"                              \
	"listen = unix:/run/membermail/membermail.sock\n"       \
	"lmtp_listen =\n"                                       \
	"lmtp_socket_group =\n"                                 \
	"lmtp_timeout = 120\n"                                  \
	"lmtp_workers = 2\n"                                    \
	"locale_dir = " MM_LOCALEDIR "\n"                       \
	"log_file =\n"                                          \
	"log_level = info\n"                                    \
	"login_rate_limit = 20\n"                               \
	"mail_from = membermail@localhost\n"                    \
	"mailbox_idle = 1800\n"                                 \
	"mailbox_quota = 1g\n"                                  \
	"max_body = 1m\n"                                       \
	"max_message_size = 50m\n"                              \
	"max_requests = 0\n"                                    \
	"max_workers = 32\n"                                    \
	"migrations_dir = " MM_PKGDATADIR "/migrations\n"       \
	"nonce_window = 300\n"                                  \
	"openid_mode = stateless\n"                             \
	"outbox_max_attempts = 10\n"                            \
	"over_quota_reply = 552\n"                              \
	"person_check_interval = 21600\n"                       \
	"pid_file =\n"                                          \
	"pwhash_concurrency = 2\n"                              \
	"pwhash_memlimit = 256m\n"                              \
	"pwhash_opslimit = 3\n"                                 \
	"public_url = http://127.0.0.1:8080\n"                  \
	"removal_grace_days = 30\n"                             \
	"request_timeout = 60\n"                                \
	"session_idle = 7200\n"                                 \
	"session_max = 43200\n"                                 \
	"shrink_min_count = 5\n"                                \
	"shrink_threshold = 10\n"                               \
	"shutdown_timeout = 30\n"                               \
	"signin_sync_budget = 8000\n"                           \
	"slow_request = 5000\n"                                 \
	"smtp_ca_file =\n"                                      \
	"smtp_password_file =\n"                                \
	"smtp_timeout = 30\n"                                   \
	"smtp_tls = required\n"                                 \
	"smtp_url = smtp://127.0.0.1:25\n"                      \
	"smtp_user =\n"                                         \
	"snapshot_max_age = 600\n"                              \
	"socket_group =\n"                                      \
	"socket_mode = 0660\n"                                  \
	"sso_endpoint = https://login.ubuntu.com/+openid\n"     \
	"sso_identity_prefix = https://login.ubuntu.com/+id/\n" \
	"sso_timeout = 10\n"                                    \
	"statement_timeout = 5000\n"                            \
	"static_dir = " MM_PKGDATADIR "/static\n"               \
	"status_allow = 127.0.0.1 ::1\n"                        \
	"status_listen =\n"                                     \
	"templates_dir = " MM_PKGDATADIR "/templates\n"         \
	"trusted_proxies =\n"                                   \
	"user =\n"                                              \
	"verification_check_interval = 60\n"                    \
	"verification_grace_hours = 72\n"                       \
	"verification_prefix = membermail-site-verification\n"  \
	"workers = 4\n"

/* The repository file `rel`, found through $MM_TEST_SRCDIR. */
static const char *
srcpath(const char *rel)
{
	static char buf[1024];
	const char *dir;

	if ((dir = getenv("MM_TEST_SRCDIR")) == NULL || *dir == '\0')
		dir = ".";
	snprintf(buf, sizeof(buf), "%s/%s", dir, rel);
	return buf;
}

/* Writes len bytes of data to a new temporary file named in path. */
static int
write_tmp(char *path, size_t pathsz, const char *data, size_t len)
{
	const char *dir;
	int         fd;
	ssize_t     n;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, pathsz, "%s/test_conf.XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1) {
		fprintf(stderr, "mkstemp %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, data, len);
	close(fd);
	if (n < 0 || (size_t)n != len) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* conf_load of `len` bytes of text; path names the (removed) file. */
static int
load_text(struct config *cfg, const char *text, size_t len, char *path,
    size_t pathsz, char *err, size_t errsz)
{
	int rc;

	err[0] = '\0';
	if (write_tmp(path, pathsz, text, len) == -1)
		return -2;
	rc = conf_load(cfg, path, err, errsz);
	unlink(path);
	return rc;
}

/* conf_print into a malloc'd string. */
static char *
print_str(const struct config *cfg)
{
	char  *s = NULL;
	size_t len = 0;
	FILE  *fp;

	if ((fp = open_memstream(&s, &len)) == NULL)
		return NULL;
	conf_print(cfg, fp);
	fclose(fp);
	return s;
}

/* The printed value of `key`, or "(absent)". */
static void
print_value(const struct config *cfg, const char *key, char *out, size_t outsz)
{
	char  *s, *line, *nl;
	size_t klen = strlen(key);

	snprintf(out, outsz, "(absent)");
	if ((s = print_str(cfg)) == NULL)
		return;
	for (line = s; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			line += klen + strlen(" =");
			snprintf(out, outsz, "%s", line + (*line == ' '));
			break;
		}
	}
	free(s);
}

/* Field by field, so a failure names the field. */
static void
check_same(const struct config *a, const struct config *b, const char *what)
{
	CHECK_STR(a->listen, b->listen, "%s: listen", what);
	CHECK_INT(a->socket_mode, b->socket_mode, "%s: socket_mode", what);
	CHECK_STR(a->socket_group, b->socket_group, "%s: socket_group", what);
	CHECK_INT(a->backlog, b->backlog, "%s: backlog", what);
	CHECK_INT(a->workers, b->workers, "%s: workers", what);
	CHECK_INT(a->max_requests, b->max_requests, "%s: max_requests", what);
	CHECK_INT(a->shutdown_timeout, b->shutdown_timeout,
	    "%s: shutdown_timeout", what);
	CHECK_STR(a->user, b->user, "%s: user", what);
	CHECK_STR(a->group, b->group, "%s: group", what);
	CHECK_INT(a->max_body, b->max_body, "%s: max_body", what);
	CHECK_STR(a->locale_dir, b->locale_dir, "%s: locale_dir", what);
	CHECK_STR(a->templates_dir, b->templates_dir, "%s: templates_dir",
	    what);
	CHECK_INT(a->log_level, b->log_level, "%s: log_level", what);
	CHECK_STR(a->log_file, b->log_file, "%s: log_file", what);
}

static void
test_defaults(void)
{
	struct config cfg;
	char         *s;

	memset(&cfg, 0xa5, sizeof(cfg));
	conf_defaults(&cfg);
	CHECK_INT(cfg.backlog, 511, "default backlog");
	CHECK_STR(cfg.group, "", "default group");
	CHECK_STR(cfg.listen, "unix:/run/membermail/membermail.sock",
	    "default listen");
	CHECK_STR(cfg.log_file, "", "default log_file");
	CHECK_INT(cfg.log_level, LOG_LEVEL_INFO, "default log_level");
	CHECK_INT(cfg.max_body, 1024 * 1024, "default max_body");
	CHECK_INT(cfg.max_requests, 0, "default max_requests");
	CHECK_INT(cfg.shutdown_timeout, 30, "default shutdown_timeout");
	CHECK_STR(cfg.socket_group, "", "default socket_group");
	CHECK_INT(cfg.socket_mode, 0660, "default socket_mode");
	CHECK_STR(cfg.templates_dir, MM_PKGDATADIR "/templates",
	    "default templates_dir");
	CHECK_STR(cfg.user, "", "default user");
	CHECK_INT(cfg.workers, 4, "default workers");

	/* Also pins the table's alphabetical order and every key's name. */
	s = print_str(&cfg);
	CHECK_STR(s, DEFAULTS_PRINTED, "conf_print of the defaults");
	free(s);
}

static void
test_path(void)
{
	const char *saved = getenv("MEMBERMAIL_CONFIG");
	char       *copy = saved != NULL ? strdup(saved) : NULL;
	const char *def = MM_SYSCONFDIR "/membermail/membermail.conf";

	unsetenv("MEMBERMAIL_CONFIG");
	CHECK_STR(conf_path(NULL), def, "path: no -c, no env");
	CHECK_STR(conf_path("/a.conf"), "/a.conf", "path: -c, no env");
	setenv("MEMBERMAIL_CONFIG", "", 1);
	CHECK_STR(conf_path(NULL), def, "path: empty env is unset");
	setenv("MEMBERMAIL_CONFIG", "/env.conf", 1);
	CHECK_STR(conf_path(NULL), "/env.conf", "path: env");
	CHECK_STR(conf_path("/a.conf"), "/a.conf", "path: -c beats env");

	if (copy != NULL)
		setenv("MEMBERMAIL_CONFIG", copy, 1);
	else
		unsetenv("MEMBERMAIL_CONFIG");
	free(copy);
}

static void
test_good(void)
{
	struct config cfg;
	char          err[512] = "";
	int           rc;

	conf_defaults(&cfg);
	rc = conf_load(&cfg, srcpath("tests/unit/data/conf_good.conf"), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "conf_good.conf loads: %s", err);
	CHECK_INT(cfg.backlog, 1024, "good backlog");
	CHECK_STR(cfg.group, "mail", "good group");
	CHECK_STR(cfg.listen, "[::1]:9000", "good listen");
	CHECK_STR(cfg.log_file, "/var/log/membermail/mm#1.log",
	    "good log_file keeps its '#'");
	CHECK_INT(cfg.log_level, LOG_LEVEL_DEBUG, "good log_level");
	CHECK_INT(cfg.max_body, 512 * 1024, "good max_body");
	CHECK_INT(cfg.max_requests, 100000000, "good max_requests");
	CHECK_INT(cfg.shutdown_timeout, 5, "good shutdown_timeout");
	CHECK_STR(cfg.socket_group, "www-data", "good socket_group");
	CHECK_INT(cfg.socket_mode, 0640, "good socket_mode");
	CHECK_STR(cfg.templates_dir, "/srv/membermail/templates",
	    "good templates_dir");
	CHECK_STR(cfg.user, "membermail", "good user");
	CHECK_INT(cfg.workers, 16, "good workers");
}

/* One-line files (no final newline) that load; the value as printed. */
static const struct {
	const char *text;
	const char *key;
	const char *want;
} good_cases[] = {
	{ "listen = 127.0.0.1:9000", "listen", "127.0.0.1:9000" },
	{ "listen = [::1]:80", "listen", "[::1]:80" },
	{ "listen = [::]:1", "listen", "[::]:1" },
	{ "listen = 0.0.0.0:65535", "listen", "0.0.0.0:65535" },
	{ "listen = localhost:9000", "listen", "localhost:9000" },
	{ "listen = app-1.example.org:9000", "listen",
	    "app-1.example.org:9000" },
	{ "listen = unix:/tmp/mm.sock", "listen", "unix:/tmp/mm.sock" },
	{ "socket_mode = 660", "socket_mode", "0660" },
	{ "socket_mode = 0600", "socket_mode", "0600" },
	{ "socket_mode = 00777", "socket_mode", "0777" },
	{ "socket_mode = 0", "socket_mode", "0000" },
	{ "max_body = 1024", "max_body", "1k" },
	{ "max_body = 1025", "max_body", "1025" },
	{ "max_body = 1k", "max_body", "1k" },
	{ "max_body = 1536k", "max_body", "1536k" },
	{ "max_body = 2048K", "max_body", "2m" },
	{ "max_body = 64M", "max_body", "64m" },
	{ "max_body = 67108864", "max_body", "64m" },
	{ "workers = 1", "workers", "1" },
	{ "workers = 256", "workers", "256" },
	{ "workers = 007", "workers", "7" },
	{ "backlog = 65535", "backlog", "65535" },
	{ "max_requests = 0", "max_requests", "0" },
	{ "shutdown_timeout = 3600", "shutdown_timeout", "3600" },
	{ "log_level = error", "log_level", "error" },
	{ "log_level = warn", "log_level", "warn" },
	{ "trusted_proxies = 127.0.0.1 ::1 10.1.0.0/16", "trusted_proxies",
	    "127.0.0.1 ::1 10.1.0.0/16" },
	{ "user = _apt", "user", "_apt" },
	{ "user = host$", "user", "host$" },
	{ "user = a-b_c9", "user", "a-b_c9" },
	{ "user = ", "user", "" },
	{ "user =", "user", "" },
	{ "group = nogroup", "group", "nogroup" },
	{ "socket_group = www-data", "socket_group", "www-data" },
	{ "log_file = /var/log/a b.log", "log_file", "/var/log/a b.log" },
	{ "log_file = /var/log/caf\xc3\xa9.log", "log_file",
	    "/var/log/caf\xc3\xa9.log" },
	{ "templates_dir = views/templates", "templates_dir",
	    "views/templates" },
	{ "\n\n# comment\n\t\nworkers = 9\n", "workers", "9" },
	{ "database = host=/tmp port=5433 dbname=mm user=app", "database",
	    "host=/tmp port=5433 dbname=mm user=app" },
	{ "database = postgresql:///mm?host=/run/postgresql", "database",
	    "postgresql:///mm?host=/run/postgresql" },
	{ "dns_server = 127.0.0.1", "dns_server", "127.0.0.1" },
	{ "dns_server = 192.0.2.53:5353", "dns_server", "192.0.2.53:5353" },
	{ "verification_grace_hours = 0", "verification_grace_hours", "0" },
	{ "sso_endpoint = http://127.0.0.1:8081/+openid", "sso_endpoint",
	    "http://127.0.0.1:8081/+openid" },
	{ "sso_identity_prefix = http://localhost:8081/+id/",
	    "sso_identity_prefix", "http://localhost:8081/+id/" },
	{ "launchpad_api = http://[::1]:8082/1.0", "launchpad_api",
	    "http://[::1]:8082/1.0" },
	{ "launchpad_api = http://127.9.8.7/1.0", "launchpad_api",
	    "http://127.9.8.7/1.0" },
	{ "openid_mode = association", "openid_mode", "association" },
	{ "launchpad_teams = no", "launchpad_teams", "no" },
	{ "status_allow = 10.0.0.0/8  ::1 fd00::/8", "status_allow",
	    "10.0.0.0/8  ::1 fd00::/8" },
	{ "status_listen = unix:/run/membermail/status.sock", "status_listen",
	    "unix:/run/membermail/status.sock" },
	{ "public_url = https://members.ubuntu.com", "public_url",
	    "https://members.ubuntu.com" },
	{ "public_url = http://[::1]:8080", "public_url", "http://[::1]:8080" },
	{ "public_url = http://127.0.0.1:8443", "public_url",
	    "http://127.0.0.1:8443" },
	{ "smtp_url = smtps://mail.example.org:465", "smtp_url",
	    "smtps://mail.example.org:465" },
	{ "smtp_url = smtp://[::1]:2525", "smtp_url", "smtp://[::1]:2525" },
	{ "smtp_tls = none", "smtp_tls", "none" },
	{ "smtp_ca_file = /etc/ssl/relay-ca.pem", "smtp_ca_file",
	    "/etc/ssl/relay-ca.pem" },
	{ "alerts_to = ops@example.org", "alerts_to", "ops@example.org" },
	{ "alerts_lang = fi", "alerts_lang", "fi" },
	{ "alerts_lang = pt-BR", "alerts_lang", "pt-BR" },
	{ "", "workers", "4" },
};

static void
test_good_cases(void)
{
	struct config cfg;
	char          path[256], err[512], got[512];
	size_t        i;
	int           rc;

	for (i = 0; i < nitems(good_cases); i++) {
		rc = load_text(&cfg, good_cases[i].text,
		    strlen(good_cases[i].text), path, sizeof(path), err,
		    sizeof(err));
		CHECK_INT(rc, 0, "good case \"%s\": %s", good_cases[i].text,
		    err);
		if (rc != 0)
			continue;
		print_value(&cfg, good_cases[i].key, got, sizeof(got));
		CHECK_STR(got, good_cases[i].want, "good case \"%s\"",
		    good_cases[i].text);
	}
}

/* Files that fail; the error after "path". */
static const struct {
	const char *text;
	const char *want;
} bad_cases[] = {
	/* connection strings */
	{ "database = dbname=x password=secret",
	    ":1: database: no password here: use a passfile (~/.pgpass, "
	    "PGPASSFILE or passfile=)" },
	{ "database = postgresql://u:pw@localhost/x",
	    ":1: database: no password here: use a passfile (~/.pgpass, "
	    "PGPASSFILE or passfile=)" },
	{ "database = dbname=x bogus=1",
	    ":1: database: invalid connection option \"bogus\"" },
	{ "statement_timeout = 99",
	    ":1: statement_timeout: 99 is out of range (100..600000)" },
	/* urls, choices, booleans */
	{ "sso_endpoint = login.ubuntu.com/+openid",
	    ":1: sso_endpoint: \"login.ubuntu.com/+openid\" is not an absolute "
	    "http(s) URL with a path" },
	{ "sso_endpoint = https://login.ubuntu.com",
	    ":1: sso_endpoint: \"https://login.ubuntu.com\" is not an absolute "
	    "http(s) URL with a path" },
	{ "sso_endpoint = https://x.org/a b",
	    ":1: sso_endpoint: \"https://x.org/a b\" is not an absolute "
	    "http(s) URL with a path" },
	{ "sso_endpoint = https://x.org:443/a",
	    ":1: sso_endpoint: \"https://x.org:443\" names the default port; "
	    "leave it out" },
	/* The internet services are https; plain http only to loopback. */
	{ "sso_endpoint = http://login.ubuntu.com/+openid",
	    ":1: sso_endpoint: \"http://login.ubuntu.com/+openid\" must be "
	    "https (plain http only to this machine: localhost, 127.0.0.0/8 "
	    "or [::1])" },
	{ "sso_identity_prefix = http://10.0.0.1/+id/",
	    ":1: sso_identity_prefix: \"http://10.0.0.1/+id/\" must be https "
	    "(plain http only to this machine: localhost, 127.0.0.0/8 or "
	    "[::1])" },
	{ "launchpad_api = http://127.0.0.1.example.org/1.0",
	    ":1: launchpad_api: \"http://127.0.0.1.example.org/1.0\" must be "
	    "https (plain http only to this machine: localhost, 127.0.0.0/8 "
	    "or [::1])" },
	{ "launchpad_api = http://[::2]:80/1.0",
	    ":1: launchpad_api: \"http://[::2]:80\" names the default port; "
	    "leave it out" },
	{ "launchpad_api = http://[::2]/1.0",
	    ":1: launchpad_api: \"http://[::2]/1.0\" must be https (plain "
	    "http only to this machine: localhost, 127.0.0.0/8 or [::1])" },
	{ "openid_mode = dumb",
	    ":1: openid_mode: \"dumb\" is not one of stateless, association" },
	{ "launchpad_teams = true",
	    ":1: launchpad_teams: \"true\" is not yes or no" },
	/* domain verification */
	{ "dns_server = ns1.example.org",
	    ":1: dns_server: \"ns1.example.org\" is not an IPv4 address with "
	    "an optional :port" },
	{ "dns_server = 127.0.0.1:0",
	    ":1: dns_server: \"127.0.0.1:0\" is not an IPv4 address with an "
	    "optional :port" },
	{ "dns_timeout = 31", ":1: dns_timeout: 31 is out of range (1..30)" },
	{ "verification_check_interval = 9",
	    ":1: verification_check_interval: 9 is out of range (10..86400)" },
	/* mail */
	{ "alerts_to = ops",
	    ":1: alerts_to: \"ops\" is not an e-mail address" },
	{ "alerts_lang = FI",
	    ":1: alerts_lang: \"FI\" is not a language tag (\"en\", \"fi\", "
	    "\"pt-BR\")" },
	{ "alerts_lang = fi_FI",
	    ":1: alerts_lang: \"fi_FI\" is not a language tag (\"en\", \"fi\", "
	    "\"pt-BR\")" },
	{ "alerts_lang = finnish",
	    ":1: alerts_lang: \"finnish\" is not a language tag (\"en\", "
	    "\"fi\", \"pt-BR\")" },
	{ "alerts_lang =",
	    ":1: alerts_lang: \"\" is not a language tag (\"en\", \"fi\", "
	    "\"pt-BR\")" },
	{ "mail_from = a b@example.org",
	    ":1: mail_from: \"a b@example.org\" is not an e-mail address" },
	{ "smtp_url = http://mail.example.org",
	    ":1: smtp_url: \"http://mail.example.org\" is not "
	    "smtp://host[:port] or smtps://host[:port]" },
	{ "smtp_url = smtp://user@mail.example.org",
	    ":1: smtp_url: \"smtp://user@mail.example.org\" is not "
	    "smtp://host[:port] or smtps://host[:port]" },
	{ "smtp_url = smtp://mail.example.org/x",
	    ":1: smtp_url: \"smtp://mail.example.org/x\" is not "
	    "smtp://host[:port] or smtps://host[:port]" },
	{ "smtp_url = smtp://-bad-",
	    ":1: smtp_url: \"smtp://-bad-\" has no valid host" },
	{ "smtp_tls = yes",
	    ":1: smtp_tls: \"yes\" is not one of required, try, none" },
	/* address lists */
	{ "status_allow = 127.0.0.1 10.0.0.0/33",
	    ":1: status_allow: \"10.0.0.0/33\" is not an IP address or CIDR block" },
	{ "status_allow = localhost",
	    ":1: status_allow: \"localhost\" is not an IP address or CIDR block" },
	/* origins */
	{ "public_url = ftp://x.org",
	    ":1: public_url: \"ftp://x.org\" is not an http:// or https:// URL" },
	{ "public_url = https://x.org/",
	    ":1: public_url: \"https://x.org/\" must be scheme://host[:port] "
	    "in lower case, without a path" },
	{ "public_url = https://X.org",
	    ":1: public_url: \"https://X.org\" must be scheme://host[:port] "
	    "in lower case, without a path" },
	{ "public_url = https://",
	    ":1: public_url: \"https://\" must be scheme://host[:port] "
	    "in lower case, without a path" },
	{ "public_url = https://x.org:443",
	    ":1: public_url: \"https://x.org:443\" names the default port; "
	    "leave it out" },
	{ "public_url = http://x.org:0",
	    ":1: public_url: port 0 is out of range (1..65535)" },
	{ "public_url = http://x_y.org",
	    ":1: public_url: \"http://x_y.org\" has no valid host" },
	/* lines */
	{ "wrokers = 4", ":1: unknown key \"wrokers\"" },
	{ "Workers = 4", ":1: unknown key \"Workers\"" },
	{ "\x01 = 4", ":1: unknown key \"\\x01\"" },
	{ "workers = 4\nbacklog = 8\nworkers = 8",
	    ":3: workers: set twice (first on line 1)" },
	{ "workers 4", ":1: expected \"key = value\"" },
	{ "# fine\nworkers", ":2: expected \"key = value\"" },
	{ "= 4", ":1: expected \"key = value\"" },
	{ "# c\n\nworkers = 4\n\nbacklog = 0\n",
	    ":5: backlog: 0 is out of range (1..65535)" },
	{ "user = a\tb", ":1: user: control character 0x09 in value" },
	{ "log_file = /x\x7f",
	    ":1: log_file: control character 0x7f in value" },
	{ "workers = 4\r\n", ":1: workers: control character 0x0d in value" },
	/* int */
	{ "workers = 0", ":1: workers: 0 is out of range (1..256)" },
	{ "workers = 257", ":1: workers: 257 is out of range (1..256)" },
	{ "workers = -1", ":1: workers: -1 is out of range (1..256)" },
	{ "workers = 99999999999999999999",
	    ":1: workers: 99999999999999999999 is out of range (1..256)" },
	{ "workers = -99999999999999999999",
	    ":1: workers: -99999999999999999999 is out of range (1..256)" },
	{ "max_requests = 100000001",
	    ":1: max_requests: 100000001 is out of range (0..100000000)" },
	{ "shutdown_timeout = 0",
	    ":1: shutdown_timeout: 0 is out of range (1..3600)" },
	{ "backlog = 65536", ":1: backlog: 65536 is out of range (1..65535)" },
	{ "workers = four", ":1: workers: \"four\" is not a number" },
	{ "workers = 4x", ":1: workers: \"4x\" is not a number" },
	{ "workers = 4 4", ":1: workers: \"4 4\" is not a number" },
	{ "workers = +4", ":1: workers: \"+4\" is not a number" },
	{ "workers = 0x10", ":1: workers: \"0x10\" is not a number" },
	{ "workers = -", ":1: workers: \"-\" is not a number" },
	{ "workers =", ":1: workers: \"\" is not a number" },
	/* size */
	{ "max_body = 1023", ":1: max_body: 1023 is out of range (1k..64m)" },
	{ "max_body = 0", ":1: max_body: 0 is out of range (1k..64m)" },
	{ "max_body = 65m", ":1: max_body: 65m is out of range (1k..64m)" },
	{ "max_body = 67108865",
	    ":1: max_body: 67108865 is out of range (1k..64m)" },
	{ "max_body = -1k", ":1: max_body: -1k is out of range (1k..64m)" },
	{ "max_body = 99999999999999999k",
	    ":1: max_body: 99999999999999999k is out of range (1k..64m)" },
	{ "max_body = 99999999999999999999",
	    ":1: max_body: 99999999999999999999 is out of range (1k..64m)" },
	{ "max_body = 1g", ":1: max_body: 1g is out of range (1k..64m)" },
	{ "max_body = 1t",
	    ":1: max_body: \"1t\" is not a size (bytes, or "
	    "with a k, m or g suffix)" },
	{ "max_body = 1kb",
	    ":1: max_body: \"1kb\" is not a size (bytes, or "
	    "with a k, m or g suffix)" },
	{ "max_body = k",
	    ":1: max_body: \"k\" is not a size (bytes, or "
	    "with a k, m or g suffix)" },
	{ "max_body = 1 k",
	    ":1: max_body: \"1 k\" is not a size (bytes, or "
	    "with a k, m or g suffix)" },
	/* mode */
	{ "socket_mode = 0999",
	    ":1: socket_mode: \"0999\" is not an octal mode" },
	{ "socket_mode = 0o660",
	    ":1: socket_mode: \"0o660\" is not an octal mode" },
	{ "socket_mode = -1", ":1: socket_mode: \"-1\" is not an octal mode" },
	{ "socket_mode = rw-rw----",
	    ":1: socket_mode: \"rw-rw----\" is not an octal mode" },
	{ "socket_mode = 01777",
	    ":1: socket_mode: 01777 is out of range (0..0777)" },
	{ "socket_mode = 7777777777777777777777777",
	    ":1: socket_mode: 7777777777777777777777777 is out of range "
	    "(0..0777)" },
	/* log level */
	{ "log_level = verbose",
	    ":1: log_level: \"verbose\" is not one of "
	    "error, warn, info, debug" },
	{ "log_level = INFO",
	    ":1: log_level: \"INFO\" is not one of "
	    "error, warn, info, debug" },
	/* listen */
	{ "listen = unix:run/mm.sock",
	    ":1: listen: unix socket path \"run/mm.sock\" is not absolute" },
	{ "listen = unix:",
	    ":1: listen: unix socket path \"\" is not absolute" },
	{ "listen = 127.0.0.1",
	    ":1: listen: \"127.0.0.1\" has no port (want "
	    "\"unix:/path\" or \"host:port\")" },
	{ "listen = 127.0.0.1:",
	    ":1: listen: \"127.0.0.1:\" has no port "
	    "(want \"unix:/path\" or \"host:port\")" },
	{ "listen = [::1]",
	    ":1: listen: \"[::1]\" has no port (want "
	    "\"unix:/path\" or \"host:port\")" },
	{ "listen = [::1:80",
	    ":1: listen: \"[::1:80\" has no port (want "
	    "\"unix:/path\" or \"host:port\")" },
	{ "listen = /run/mm.sock",
	    ":1: listen: \"/run/mm.sock\" has no port "
	    "(want \"unix:/path\" or \"host:port\")" },
	{ "listen = 127.0.0.1:0",
	    ":1: listen: port 0 is out of range (1..65535)" },
	{ "listen = 127.0.0.1:70000",
	    ":1: listen: port 70000 is out of range (1..65535)" },
	{ "listen = 127.0.0.1:http",
	    ":1: listen: port \"http\" is not a number" },
	{ "listen = 127.0.0.1:+80",
	    ":1: listen: port \"+80\" is not a number" },
	{ "listen = ::1:80",
	    ":1: listen: \"::1:80\" has no valid host (want "
	    "an IPv4 address, [IPv6] address or name)" },
	{ "listen = [zz]:80",
	    ":1: listen: \"[zz]:80\" has no valid host "
	    "(want an IPv4 address, [IPv6] address or name)" },
	{ "listen = []:80",
	    ":1: listen: \"[]:80\" has no valid host "
	    "(want an IPv4 address, [IPv6] address or name)" },
	{ "listen = 999.1.1.1:80",
	    ":1: listen: \"999.1.1.1:80\" has no "
	    "valid host (want an IPv4 address, [IPv6] address or name)" },
	{ "listen = bad_host:80",
	    ":1: listen: \"bad_host:80\" has no "
	    "valid host (want an IPv4 address, [IPv6] address or name)" },
	{ "listen = -host:80",
	    ":1: listen: \"-host:80\" has no valid host "
	    "(want an IPv4 address, [IPv6] address or name)" },
	{ "listen = host.:80",
	    ":1: listen: \"host.:80\" has no valid host "
	    "(want an IPv4 address, [IPv6] address or name)" },
	{ "listen = :80",
	    ":1: listen: \":80\" has no valid host (want an "
	    "IPv4 address, [IPv6] address or name)" },
	{ "listen = *:80",
	    ":1: listen: \"*:80\" has no valid host (want an "
	    "IPv4 address, [IPv6] address or name)" },
	/* names */
	{ "user = Root",
	    ":1: user: \"Root\" is not a valid user or group "
	    "name" },
	{ "user = 1abc",
	    ":1: user: \"1abc\" is not a valid user or group "
	    "name" },
	{ "group = a b",
	    ":1: group: \"a b\" is not a valid user or group "
	    "name" },
	{ "socket_group = ab$c",
	    ":1: socket_group: \"ab$c\" is not a valid "
	    "user or group name" },
	{ "user = $", ":1: user: \"$\" is not a valid user or group name" },
};

static void
test_bad_cases(void)
{
	struct config cfg;
	char          path[256], err[512], want[512];
	size_t        i;
	int           rc;

	for (i = 0; i < nitems(bad_cases); i++) {
		conf_defaults(&cfg);
		rc = load_text(&cfg, bad_cases[i].text,
		    strlen(bad_cases[i].text), path, sizeof(path), err,
		    sizeof(err));
		CHECK_INT(rc, -1, "bad case \"%s\"", bad_cases[i].text);
		snprintf(want, sizeof(want), "%s%s", path, bad_cases[i].want);
		CHECK_STR(err, want, "bad case \"%s\"", bad_cases[i].text);
	}
}

/* "key = " then n copies of c, then `tail`. */
static void
long_line(char *buf, size_t bufsz, const char *key, const char *head, size_t n,
    const char *tail)
{
	size_t len;

	len = (size_t)snprintf(buf, bufsz, "%s = %s", key, head);
	memset(buf + len, 'a', n);
	snprintf(buf + len + n, bufsz - len - n, "%s", tail);
}

/* The limits that are lengths: strings, names, socket paths, lines. */
static void
test_lengths(void)
{
	static char   text[8192];
	struct config cfg;
	char          path[256], err[512], want[512];
	size_t        sun_max = UNIX_PATH_MAX;
	int           rc;

	long_line(text, sizeof(text), "templates_dir", "/", CONF_PATH_MAX - 2,
	    "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "templates_dir of 255 bytes: %s", err);
	CHECK_INT(strlen(cfg.templates_dir), CONF_PATH_MAX - 1,
	    "templates_dir of 255 bytes kept whole");

	long_line(text, sizeof(text), "templates_dir", "/", CONF_PATH_MAX - 1,
	    "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	snprintf(want, sizeof(want),
	    "%s:1: templates_dir: value is %d bytes,"
	    " longer than %d",
	    path, CONF_PATH_MAX, CONF_PATH_MAX - 1);
	CHECK_STR(err, want, "templates_dir of 256 bytes");

	long_line(text, sizeof(text), "listen", "unix:/", sun_max - 1, "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "unix path of %zu bytes: %s", sun_max, err);

	long_line(text, sizeof(text), "listen", "unix:/", sun_max, "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	snprintf(want, sizeof(want),
	    "%s:1: listen: unix socket path is %zu "
	    "bytes, longer than %zu",
	    path, sun_max + 1, sun_max);
	CHECK_STR(err, want, "unix path of %zu bytes", sun_max + 1);

	long_line(text, sizeof(text), "listen", "", 300, ":80");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	snprintf(want, sizeof(want),
	    "%s:1: listen: value is 303 bytes, "
	    "longer than %d",
	    path, CONF_PATH_MAX - 1);
	CHECK_STR(err, want, "listen of 303 bytes");

	long_line(text, sizeof(text), "user", "", 32, "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "user of 32 bytes: %s", err);

	long_line(text, sizeof(text), "user", "", 33, "");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	snprintf(want, sizeof(want),
	    "%s:1: user: name is 33 bytes, longer "
	    "than 32",
	    path);
	CHECK_STR(err, want, "user of 33 bytes");

	/* A comment line of exactly 4096 bytes is fine; one more is not. */
	long_line(text, sizeof(text), "#", "", 4096 - strlen("# = "), "\n");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "line of 4096 bytes: %s", err);

	long_line(text, sizeof(text), "workers = 4\n#", "",
	    4097 - strlen("# = "), "\n");
	rc = load_text(&cfg, text, strlen(text), path, sizeof(path), err,
	    sizeof(err));
	snprintf(want, sizeof(want), "%s:2: line is longer than 4096 bytes",
	    path);
	CHECK_STR(err, want, "line of 4097 bytes");
}

static void
test_nul(void)
{
	static const char text[] = "workers = 4\nuser = a\0b\n";
	struct config     cfg;
	char              path[256], err[512], want[512];
	int               rc;

	rc = load_text(&cfg, text, sizeof(text) - 1, path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, -1, "NUL in a value");
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	CHECK_STR(err, want, "NUL in a value");
}

/* A failed load, of any kind, leaves the caller's struct as it was. */
static void
test_unchanged(void)
{
	static const char *texts[] = {
		"workers = 9\nuser = www\nlisten = unix:rel",
		"workers = 9\nworkers = 10",
		"max_body = 2m\nbogus = 1",
	};
	struct config cfg, before;
	char          path[256], err[512], want[512];
	size_t        i;
	int           rc;

	conf_defaults(&cfg);
	cfg.workers = 77; /* not a default, so a reset would show */
	before = cfg;
	for (i = 0; i < nitems(texts); i++) {
		rc = load_text(&cfg, texts[i], strlen(texts[i]), path,
		    sizeof(path), err, sizeof(err));
		CHECK_INT(rc, -1, "unchanged case %zu", i);
		check_same(&cfg, &before, "unchanged after a bad file");
	}

	rc = conf_load(&cfg, "/nonexistent/membermail.conf", err, sizeof(err));
	CHECK_INT(rc, -1, "missing file");
	CHECK_STR(err,
	    "/nonexistent/membermail.conf: No such file or "
	    "directory",
	    "missing file");
	check_same(&cfg, &before, "unchanged after a missing file");

	snprintf(path, sizeof(path), "%s", srcpath("tests/unit/data"));
	rc = conf_load(&cfg, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: Is a directory", path);
	CHECK_STR(err, want, "directory");
	check_same(&cfg, &before, "unchanged after a directory");

	/* A good load starts from the defaults, not from cfg. */
	rc = load_text(&cfg, "user = www", strlen("user = www"), path,
	    sizeof(path), err, sizeof(err));
	CHECK_INT(rc, 0, "good load after bad ones: %s", err);
	CHECK_INT(cfg.workers, 4, "a good load resets unset keys");
	CHECK_STR(cfg.user, "www", "a good load sets its keys");
}

/* Prints cfg, loads the output, and wants the same config back. */
static void
round_trip(const struct config *cfg, const char *what)
{
	struct config back;
	char          path[256], err[512], *s;
	int           rc;

	if ((s = print_str(cfg)) == NULL) {
		CHECK(0, "%s: open_memstream", what);
		return;
	}
	memset(&back, 0, sizeof(back));
	rc = load_text(&back, s, strlen(s), path, sizeof(path), err,
	    sizeof(err));
	CHECK_INT(rc, 0, "%s: printed config loads: %s", what, err);
	check_same(&back, cfg, what);
	free(s);
}

static void
test_round_trip(void)
{
	struct config cfg;
	char          path[256], err[512];
	size_t        i;

	conf_defaults(&cfg);
	round_trip(&cfg, "round trip of the defaults");

	conf_defaults(&cfg);
	if (conf_load(&cfg, srcpath("tests/unit/data/conf_good.conf"), err,
		sizeof(err)) == 0)
		round_trip(&cfg, "round trip of conf_good.conf");
	else
		CHECK(0, "conf_good.conf: %s", err);

	for (i = 0; i < nitems(good_cases); i++) {
		if (load_text(&cfg, good_cases[i].text,
			strlen(good_cases[i].text), path, sizeof(path), err,
			sizeof(err)) == 0)
			round_trip(&cfg, good_cases[i].text);
	}
}

/*
 * The example loads, changes nothing, and shows every key commented out
 * with its default.  templates_dir's and locale_dir's defaults depend on
 * the build's prefix, so for them only the key is looked for.
 */
static void
test_example(void)
{
	struct config cfg, def;
	char          err[512], want[512], *s, *line, *nl, *text;
	const char   *path = srcpath("deploy/membermail.conf.example");
	FILE         *fp;
	size_t        n;

	conf_defaults(&def);
	cfg = def;
	CHECK_INT(conf_load(&cfg, path, err, sizeof(err)), 0,
	    "example loads: %s", err);
	check_same(&cfg, &def, "example sets only defaults");

	if ((fp = fopen(path, "r")) == NULL) {
		CHECK(0, "%s: %s", path, strerror(errno));
		return;
	}
	if ((text = calloc(1, 65536)) == NULL)
		abort();
	n = fread(text, 1, 65535, fp);
	fclose(fp);
	CHECK(n > 0 && n < 65535, "example read whole");
	CHECK(strstr(text, "membermail check-config -c FILE") != NULL,
	    "example says how to check it");

	s = print_str(&def);
	for (line = s; line != NULL && (nl = strchr(line, '\n')) != NULL;
	     line = nl + 1) {
		*nl = '\0';
		/* Install-prefix defaults: the example shows /usr/local's. */
		if (strstr(line, MM_PKGDATADIR) != NULL ||
		    strstr(line, MM_LOCALEDIR) != NULL)
			snprintf(want, sizeof(want), "\n#%.*s= /",
			    (int)strcspn(line, "="), line);
		else
			snprintf(want, sizeof(want), "\n#%s\n", line);
		CHECK(strstr(text, want) != NULL, "example shows \"#%s\"",
		    line);
	}
	free(s);
	free(text);
}

/* Every prefix of a good file either loads or says where it went wrong. */
static void
test_prefixes(void)
{
	struct config cfg;
	char          text[4096], path[256], err[512];
	FILE         *fp;
	size_t        len, n;
	int           rc;

	if ((fp = fopen(srcpath("tests/unit/data/conf_good.conf"), "r")) ==
	    NULL) {
		CHECK(0, "conf_good.conf: %s", strerror(errno));
		return;
	}
	len = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	for (n = 0; n <= len; n++) {
		rc = load_text(&cfg, text, n, path, sizeof(path), err,
		    sizeof(err));
		CHECK(rc == 0 ||
			(rc == -1 && strncmp(err, path, strlen(path)) == 0 &&
			    err[strlen(path)] == ':'),
		    "prefix of %zu bytes: rc %d, %s", n, rc, err);
	}
}

/* What membermail.conf(5) is made from: one row per key, every type. */
static void
test_doc(void)
{
	struct conf_doc d;
	size_t          i, found = 0;

	for (i = 0; conf_doc(i, &d) == 0; i++) {
		CHECK(d.name != NULL && d.def != NULL && d.help != NULL &&
			d.help[0] != '\0' && d.type[0] != '\0' &&
			strcmp(d.type, "?") != 0,
		    "row %zu documented (its type described in conf.c's "
		    "type_docs)",
		    i);
		if (strcmp(d.name, "workers") == 0) {
			CHECK_STR(d.type, "an integer", "workers: type");
			CHECK_STR(d.bounds, "1 to 256", "workers: bounds");
			CHECK_STR(d.def, "4", "workers: default");
			found++;
		} else if (strcmp(d.name, "openid_mode") == 0) {
			CHECK_STR(d.type, "one of stateless or association",
			    "openid_mode: its choices");
			CHECK_STR(d.bounds, "", "openid_mode: no bounds");
			found++;
		} else if (strcmp(d.name, "smtp_tls") == 0) {
			CHECK_STR(d.type, "one of required, try or none",
			    "smtp_tls: its choices");
			found++;
		} else if (strcmp(d.name, "max_body") == 0) {
			CHECK_STR(d.bounds, "1k to 64m", "max_body: bounds");
			found++;
		} else if (strcmp(d.name, "socket_mode") == 0) {
			CHECK_STR(d.bounds, "0000 to 0777",
			    "socket_mode: bounds");
			found++;
		} else if (strcmp(d.name, "verification_prefix") == 0) {
			CHECK_STR(d.bounds, "at most 63 bytes",
			    "verification_prefix: bounds");
			found++;
		} else if (strcmp(d.name, "log_file") == 0) {
			CHECK_STR(d.bounds, "at most 255 bytes",
			    "log_file: bounds");
			CHECK_STR(d.def, "", "log_file: empty default");
			found++;
		}
	}
	CHECK_INT(found, 7, "the rows looked at");
	CHECK(i > 50, "every row: %zu", i);
	CHECK_INT(conf_doc(i, &d), -1, "past the last row");
}

/*
 * A well-formed language the site does not offer is refused once the
 * catalogues are known; English always passes, and so does fi with the
 * build's catalogues.
 */
static void
test_langs(void)
{
	struct config cfg;
	char          err[512];

	conf_defaults(&cfg);
	CHECK_INT(conf_check_langs(&cfg, err, sizeof(err)), 0,
	    "en before any catalogue: %s", err);
	snprintf(cfg.alerts_lang, sizeof(cfg.alerts_lang), "fi");
	CHECK_INT(conf_check_langs(&cfg, err, sizeof(err)), -1,
	    "fi without its catalogue");
	snprintf(cfg.locale_dir, sizeof(cfg.locale_dir), "%s",
	    test_localedir());
	CHECK_INT(i18n_init(cfg.locale_dir, err, sizeof(err)), 0,
	    "catalogues: %s", err);
	CHECK_INT(conf_check_langs(&cfg, err, sizeof(err)), 0, "fi: %s", err);
	snprintf(cfg.alerts_lang, sizeof(cfg.alerts_lang), "de");
	CHECK_INT(conf_check_langs(&cfg, err, sizeof(err)), -1, "de");
	CHECK(strncmp(err,
		  "alerts_lang: de is not a language this site offers (en, fi; "
		  "another needs its catalogue in ",
		  91) == 0,
	    "the reason: %s", err);
}

int
main(void)
{
	test_defaults();
	test_path();
	test_good();
	test_good_cases();
	test_bad_cases();
	test_lengths();
	test_nul();
	test_unchanged();
	test_round_trip();
	test_example();
	test_prefixes();
	test_doc();
	test_langs();
	return test_done("test_conf");
}
