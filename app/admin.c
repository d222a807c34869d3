/* admin.c - the operator commands `domain ...` and `user ...`; see admin.h. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "conf.h"
#include "validate.h"

#define EXIT_USAGE	2
#define TOKEN_LEN	10	/* domains_verification_token_check */
/* The TXT record reads PREFIX=token; to become the config key
 * verification_prefix. */
#define VERIFICATION_PREFIX	"membermail-site-verification"
#define ACTOR_MAX	256	/* audit_log_actor_name_check: 255 chars */
#define MAX_COLS	16
#define OPT_BASE	256	/* getopt_long values of long-only options */

/* The options after the common -c and --database, as bits of a mask. */
enum opt {
	O_TEAM, O_ADMIN, O_SLUG, O_TITLE, O_ALIAS_LIMIT, O_DISABLED,
	O_JSON, O_BANNED, O_ADMINS, O_SEARCH, O_REASON, O_REVOKE, O__MAX
};
#define OPT(o)	(1u << (o))

static const struct option longopts[] = {
	{ "database", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "team", required_argument, NULL, OPT_BASE + O_TEAM },
	{ "admin", required_argument, NULL, OPT_BASE + O_ADMIN },
	{ "slug", required_argument, NULL, OPT_BASE + O_SLUG },
	{ "title", required_argument, NULL, OPT_BASE + O_TITLE },
	{ "alias-limit", required_argument, NULL, OPT_BASE + O_ALIAS_LIMIT },
	{ "disabled", no_argument, NULL, OPT_BASE + O_DISABLED },
	{ "json", no_argument, NULL, OPT_BASE + O_JSON },
	{ "banned", no_argument, NULL, OPT_BASE + O_BANNED },
	{ "admins", no_argument, NULL, OPT_BASE + O_ADMINS },
	{ "search", required_argument, NULL, OPT_BASE + O_SEARCH },
	{ "reason", required_argument, NULL, OPT_BASE + O_REASON },
	{ "revoke", no_argument, NULL, OPT_BASE + O_REVOKE },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char	*cfgpath, *database;
	const char	*arg[O__MAX];	/* NULL: not given; "" for a flag */
	int		 alias_limit;
};

struct cmd {
	const char	*name;
	const char	*synopsis;
	int		 nargs;			/* 1: takes NAME */
	unsigned int	 allowed, required;	/* OPT() masks */
	int		(*check)(struct opts *, const char *);
	int		(*run)(PGconn *, const struct opts *, const char *);
};

/* What a failed statement was, for mapping constraint violations. */
struct pgerr {
	char	 state[6];
	char	 constraint[64];
	char	 msg[512];
};

static int
bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_warnx for input checks: always -1. */
static int
bad(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_vwarnx(fmt, ap);
	va_end(ap);
	return -1;
}

/* ---------------------------------------------------------------------
 * Input checks: the schema's rules, so that mistakes get a clear message
 * instead of a constraint name.
 */

static int
lp_char(char ch, int fold)
{
	if (fold && ch >= 'A' && ch <= 'Z')
		return 1;
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/*
 * A Launchpad name, as mm_valid_lp_name: [a-z0-9][a-z0-9+.-]+, 255 bytes
 * at most.  `fold` accepts upper case too: users.name is stored as
 * received and compared case-insensitively.
 */
static int
lp_name_ok(const char *s, int fold)
{
	size_t	 i, len = strlen(s);

	if (len < 2 || len > 255 || !lp_char(s[0], fold))
		return 0;
	for (i = 1; i < len; i++)
		if (!lp_char(s[i], fold) && strchr("+.-", s[i]) == NULL)
			return 0;
	return 1;
}

static int
slug_ok(const char *s)
{
	size_t	 len = strlen(s);

	return len >= 1 && len <= 32 && s[0] != '-' && valid_slug(s, len);
}

/*
 * One line of 1..max characters, as mm_is_line: valid UTF-8 without
 * control characters, C1 (U+0080..U+009F, which PostgreSQL's [[:cntrl:]]
 * also matches) included.
 */
static int
line_ok(const char *s, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, len = strlen(s), chars = 0;

	if (len == 0 || !valid_text(s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return 0;
		chars += (u[i] & 0xc0) != 0x80;
	}
	return chars <= max;
}

static int
check_team(const char *team)
{
	if (team[0] == '~' && lp_name_ok(team + 1, 0))
		return 0;
	if (team[0] == '/')
		return bad("--team: \"%s\" looks like a home directory: the "
		    "shell expanded ~TEAM; quote it: --team '~team'", team);
	if (team[0] != '~' && lp_name_ok(team, 0))
		return bad("--team: write the team as ~%s", team);
	return bad("--team: \"%s\" is not ~TEAM, where TEAM is a Launchpad "
	    "name: lower-case letters, digits, '+', '.', '-', starting with a "
	    "letter or digit, at least 2 characters", team);
}

/* A whole number of 0..max; -1 if not. */
static int
number(const char *opt, const char *arg, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v > max)
		return bad("%s: \"%s\" is not a number of 0..%ld", opt, arg,
		    max);
	return (int)v;
}

static int
check_user_name(const char *name)
{
	if (lp_name_ok(name, 1))
		return 0;
	return bad("\"%s\" is not a Launchpad name", name);
}

static int
check_domain_add(struct opts *o, const char *name)
{
	const char	*why, *a = o->arg[O_ADMIN];

	if ((why = domain_problem(name)) != NULL)
		return bad("\"%s\" is not a lower-case DNS name (IDNs in "
		    "their xn-- form): %s", name, why);
	if (check_team(o->arg[O_TEAM]) == -1)
		return -1;
	if (a != NULL && !lp_name_ok(a, 1))
		return bad("--admin: \"%s\" is not a Launchpad name", a);
	if (o->arg[O_SLUG] != NULL && !slug_ok(o->arg[O_SLUG]))
		return bad("--slug: \"%s\" is not 1..32 of a-z, 0-9 and '-', "
		    "starting with a letter or digit", o->arg[O_SLUG]);
	if (o->arg[O_TITLE] != NULL && !line_ok(o->arg[O_TITLE], 64))
		return bad("--title: want one line of 1..64 characters");
	if (o->arg[O_ALIAS_LIMIT] != NULL && (o->alias_limit =
	    number("--alias-limit", o->arg[O_ALIAS_LIMIT], 100)) == -1)
		return -1;
	return 0;
}

static int
check_user_list(struct opts *o, const char *unused)
{
	(void)unused;
	if (o->arg[O_SEARCH] != NULL && !line_ok(o->arg[O_SEARCH], 255))
		return bad("--search: want one line of 1..255 characters");
	return 0;
}

static int
check_user_ban(struct opts *o, const char *name)
{
	if (check_user_name(name) == -1)
		return -1;
	if (!line_ok(o->arg[O_REASON], 500))
		return bad("--reason: want one line of 1..500 characters");
	return 0;
}

static int
check_user(struct opts *o, const char *name)
{
	(void)o;
	return check_user_name(name);
}

/* ---------------------------------------------------------------------
 * The database.
 */

/*
 * Runs one parameterised statement.  On failure, returns NULL after
 * saying why, or, given e, leaves the saying to the caller.
 */
static PGresult *
q(PGconn *c, const char *sql, int n, const char *const *p, struct pgerr *e)
{
	PGresult	*res = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	const char	*msg, *state, *cons;

	if (PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK)
		return res;
	/* The server's message without "ERROR:  "; libpq's if none. */
	if ((msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) == NULL)
		msg = PQerrorMessage(c);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	if (e == NULL)
		cli_warnx("%.*s", (int)strcspn(msg, "\n"), msg);
	else {
		snprintf(e->state, sizeof(e->state), "%s", state ? state : "");
		snprintf(e->constraint, sizeof(e->constraint), "%s",
		    cons ? cons : "");
		snprintf(e->msg, sizeof(e->msg), "%.*s",
		    (int)strcspn(msg, "\n"), msg);
	}
	PQclear(res);
	return NULL;
}

static int
exec_ok(PGconn *c, const char *sql, int n, const char *const *p)
{
	PGresult	*res = q(c, sql, n, p, NULL);

	PQclear(res);
	return res != NULL ? 0 : -1;
}

/* Ends a transaction that did not commit; nothing when none is open. */
static void
rollback(PGconn *c)
{
	PGTransactionStatusType	 ts = PQtransactionStatus(c);

	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		(void)exec_ok(c, "ROLLBACK", 0, NULL);
}

/* Who runs the command: the login, and who became it through sudo. */
static void
actor(char *buf, size_t sz)
{
	struct passwd	*pw = getpwuid(geteuid());
	const char	*sudo = getenv("SUDO_USER");
	char		 me[64];

	if (pw != NULL)
		snprintf(me, sizeof(me), "%s", pw->pw_name);
	else
		snprintf(me, sizeof(me), "uid %u", (unsigned int)geteuid());
	/* Unchecked text would fail audit_log_actor_name_check. */
	if (sudo != NULL && strcmp(sudo, me) != 0 && line_ok(sudo, 64))
		snprintf(buf, sz, "%s (sudo from %s)", me, sudo);
	else
		snprintf(buf, sz, "%s", me);
}

/*
 * Writes one audit_log row, which `sql` selects from the changed row so
 * that the log records what the database holds; p[0] ($1) is the actor.
 */
static int
audit(PGconn *c, const char *sql, int n, const char *p[])
{
	char		 name[ACTOR_MAX];
	PGresult	*res;
	int		 one;

	actor(name, sizeof(name));
	p[0] = name;
	if ((res = q(c, sql, n, p, NULL)) == NULL)
		return -1;
	one = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!one)
		cli_warnx("no audit row written: nothing changed");
	return one ? 0 : -1;
}

static PGconn *
connect_db(const char *conninfo, int statement_timeout)
{
	char	 options[96];

	/* A command never waits on a lock longer than the site would. */
	snprintf(options, sizeof(options), "-c client_min_messages=warning "
	    "-c statement_timeout=%d", statement_timeout);
	return cli_connect(conninfo, "admin", options);
}

/* ---------------------------------------------------------------------
 * Listing: a table for people, --json for scripts (built by PostgreSQL).
 */

/* Display width: code points, so that UTF-8 text lines up. */
static int
width(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Row -1 is the header; NULL and empty show as "-". */
static const char *
cell(const PGresult *res, int row, int col)
{
	const char	*v;

	if (row < 0)
		return PQfname(res, col);
	v = PQgetvalue(res, row, col);
	return PQgetisnull(res, row, col) || *v == '\0' ? "-" : v;
}

static void
print_row(const PGresult *res, int row, const int *w, int ncols)
{
	const char	*s;
	int		 col;

	for (col = 0; col < ncols; col++) {
		s = cell(res, row, col);
		fputs(s, stdout);
		if (col + 1 < ncols)
			printf("%*s", w[col] - width(s) + 2, "");
	}
	putchar('\n');
}

static int
print_table(PGconn *c, const char *sql, int n, const char *const *p,
    const char *noun)
{
	PGresult	*res;
	int		 w[MAX_COLS], row, col, ncols, nrows;

	if ((res = q(c, sql, n, p, NULL)) == NULL)
		return 1;
	ncols = PQnfields(res) < MAX_COLS ? PQnfields(res) : MAX_COLS;
	nrows = PQntuples(res);
	for (col = 0; col < ncols; col++)
		for (w[col] = 0, row = -1; row < nrows; row++)
			if (width(cell(res, row, col)) > w[col])
				w[col] = width(cell(res, row, col));
	for (row = -1; row < nrows; row++)
		print_row(res, row, w, ncols);
	printf("%d %s%s\n", nrows, noun, nrows == 1 ? "" : "s");
	PQclear(res);
	return 0;
}

static int
print_json(PGconn *c, const char *sql, int n, const char *const *p)
{
	PGresult	*res;

	if ((res = q(c, sql, n, p, NULL)) == NULL)
		return 1;
	printf("%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* One row per domain, typed; the table and --json select from it. */
#define DOMAIN_ROWS \
	"SELECT d.name AS domain, d.slug, '~' || d.team AS team, d.title," \
	" d.enabled, d.txt_status, d.txt_checked_at, d.verification_token," \
	" d.alias_limit," \
	" (SELECT count(*) FROM domain_members m WHERE m.domain_id = d.id)" \
	"   AS members," \
	" (SELECT count(*) FROM aliases a WHERE a.domain_id = d.id)" \
	"   AS aliases," \
	" ARRAY(SELECT u.name FROM domain_members m" \
	"   JOIN users u ON u.id = m.user_id WHERE m.domain_id = d.id" \
	"   AND m.role = 'admin' AND u.name IS NOT NULL" \
	"   ORDER BY lower(u.name)) AS admins" \
	" FROM domains d"

static int
domain_list(PGconn *c, const struct opts *o, const char *unused)
{
	(void)unused;
	if (o->arg[O_JSON] != NULL)
		return print_json(c, "SELECT coalesce(json_agg(r ORDER BY "
		    "r.domain), '[]') FROM (" DOMAIN_ROWS ") r", 0, NULL);
	return print_table(c, "SELECT domain, slug, team, CASE WHEN enabled "
	    "THEN 'yes' ELSE 'no' END AS enabled, txt_status AS "
	    "\"txt status\", alias_limit AS \"alias limit\", members, "
	    "aliases, array_to_string(admins, ' ') AS admins "
	    "FROM (" DOMAIN_ROWS ") r ORDER BY domain", 0, NULL, "domain");
}

/* $1 banned only, $2 site admins only, $3 text in name, email or
 * display name (strpos: no LIKE wildcards), or NULL. */
#define USER_ROWS \
	"SELECT u.id, u.name, u.email, u.display_name," \
	" u.is_banned AS banned, u.ban_reason," \
	" u.is_site_admin AS site_admin," \
	" u.last_login_at AS last_login, u.created_at FROM users u" \
	" WHERE ($1::boolean IS NOT TRUE OR u.is_banned)" \
	" AND ($2::boolean IS NOT TRUE OR u.is_site_admin)" \
	" AND ($3::text IS NULL" \
	"  OR strpos(lower(coalesce(u.name, '')), lower($3)) > 0" \
	"  OR strpos(lower(u.email), lower($3)) > 0" \
	"  OR strpos(lower(coalesce(u.display_name, '')), lower($3)) > 0)"

static int
user_list(PGconn *c, const struct opts *o, const char *unused)
{
	const char	*p[3];

	(void)unused;
	p[0] = o->arg[O_BANNED] != NULL ? "true" : "false";
	p[1] = o->arg[O_ADMINS] != NULL ? "true" : "false";
	p[2] = o->arg[O_SEARCH];
	if (o->arg[O_JSON] != NULL)
		return print_json(c, "SELECT coalesce(json_agg(r ORDER BY "
		    "lower(r.name), r.id), '[]') FROM (" USER_ROWS ") r", 3,
		    p);
	return print_table(c, "SELECT name, email, CASE WHEN site_admin THEN "
	    "'yes' ELSE 'no' END AS \"site admin\", to_char(last_login, "
	    "'YYYY-MM-DD HH24:MI:SSOF') AS \"last login\", CASE WHEN banned "
	    "THEN 'yes' || coalesce(': ' || ban_reason, '') ELSE 'no' END "
	    "AS banned FROM (" USER_ROWS ") r ORDER BY lower(name), id", 3, p,
	    "user");
}

/* ---------------------------------------------------------------------
 * domain add: the domain, its token, its admin and their audit rows in
 * one transaction.
 */

/* randombytes_uniform, not % 62: every character equally likely. */
static void
make_token(char *tok)
{
	static const char	 alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t			 i;

	for (i = 0; i < TOKEN_LEN; i++)
		tok[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	tok[TOKEN_LEN] = '\0';
}

static void
insert_failed(const struct pgerr *e, const struct opts *o, const char *name)
{
	if (strcmp(e->state, "23505") != 0)
		cli_warnx("%s", e->msg);
	else if (strcmp(e->constraint, "domains_name_key") == 0)
		cli_warnx("domain %s already exists", name);
	else if (strcmp(e->constraint, "domains_slug_key") == 0)
		cli_warnx("slug \"%s\" is taken by another domain",
		    o->arg[O_SLUG]);
	else if (strcmp(e->constraint, "domains_verification_token_key") == 0)
		cli_warnx("the new verification token is taken (a one in 10^17 "
		    "chance): nothing changed, run the command again");
	else
		cli_warnx("%s", e->msg);
}

/* The DEFAULT of alias_limit stays the schema's unless --alias-limit. */
#define DOMAIN_INSERT \
	"INSERT INTO domains (name, team, slug, title, verification_token," \
	" enabled"

static int
insert_domain(PGconn *c, const struct opts *o, const char *name,
    const char *token, char *id, size_t idsz)
{
	const char	*p[7];
	char		 limit[12];
	struct pgerr	 e;
	PGresult	*res;
	int		 has_limit = o->arg[O_ALIAS_LIMIT] != NULL;

	snprintf(limit, sizeof(limit), "%d", o->alias_limit);
	p[0] = name;
	p[1] = o->arg[O_TEAM] + 1;	/* stored without the '~' */
	p[2] = o->arg[O_SLUG];
	p[3] = o->arg[O_TITLE];
	p[4] = token;
	p[5] = o->arg[O_DISABLED] != NULL ? "false" : "true";
	p[6] = limit;
	res = q(c, has_limit ? DOMAIN_INSERT ", alias_limit) VALUES ($1, $2, "
	    "$3, $4, $5, $6, $7) RETURNING id" : DOMAIN_INSERT ") VALUES ($1, "
	    "$2, $3, $4, $5, $6) RETURNING id", has_limit ? 7 : 6, p, &e);
	if (res == NULL) {
		insert_failed(&e, o, name);
		return -1;
	}
	snprintf(id, idsz, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
audit_domain(PGconn *c, const char *id)
{
	const char	*p[2] = { NULL, id };

	return audit(c, "INSERT INTO audit_log (actor_kind, actor_name, "
	    "action, target_type, target_id, target_label, domain_id, after) "
	    "SELECT 'cli', $1, 'domain.add', 'domain', id, name, id, "
	    "jsonb_build_object('name', name, 'team', team, 'slug', slug, "
	    "'title', title, 'alias_limit', alias_limit, 'enabled', enabled, "
	    "'verification_token', verification_token) "
	    "FROM domains WHERE id = $2", 2, p);
}

static int
audit_member(PGconn *c, const char *domain_id, const char *user_id)
{
	const char	*p[3] = { NULL, domain_id, user_id };

	return audit(c, "INSERT INTO audit_log (actor_kind, actor_name, "
	    "action, target_type, target_id, target_label, domain_id, after) "
	    "SELECT 'cli', $1, 'domain_member.add', 'domain_member', u.id, "
	    "u.name || ' in ' || d.name, d.id, jsonb_build_object('user', "
	    "u.name, 'role', m.role) FROM domain_members m "
	    "JOIN users u ON u.id = m.user_id JOIN domains d ON d.id = "
	    "m.domain_id WHERE m.domain_id = $2 AND m.user_id = $3", 3, p);
}

/* Makes an existing user the admin of the new domain; their stored name. */
static int
add_admin(PGconn *c, const char *admin, const char *domain_id, char *name,
    size_t namesz)
{
	const char	*p[2] = { admin, domain_id };
	PGresult	*res;
	int		 rc = -1;

	res = q(c, "SELECT id, name, is_banned FROM users "
	    "WHERE lower(name) = lower($1)", 1, p, NULL);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		cli_warnx("no user %s (a user exists once they have signed in): "
		    "nothing changed", admin);
		goto done;
	}
	snprintf(name, namesz, "%s", PQgetvalue(res, 0, 1));
	if (strcmp(PQgetvalue(res, 0, 2), "t") == 0)
		cli_warnx("warning: %s is banned", name);
	p[0] = domain_id;
	p[1] = PQgetvalue(res, 0, 0);
	if (exec_ok(c, "INSERT INTO domain_members (domain_id, user_id, role) "
	    "VALUES ($1, $2, 'admin')", 2, p) == 0 &&
	    audit_member(c, domain_id, PQgetvalue(res, 0, 0)) == 0)
		rc = 0;
done:
	PQclear(res);
	return rc;
}

static int
domain_add(PGconn *c, const struct opts *o, const char *name)
{
	char	 token[TOKEN_LEN + 1], id[24], admin[256] = "";
	int	 ok;

	make_token(token);
	if (exec_ok(c, "BEGIN", 0, NULL) == -1)
		return 1;
	ok = insert_domain(c, o, name, token, id, sizeof(id)) == 0 &&
	    audit_domain(c, id) == 0 && (o->arg[O_ADMIN] == NULL ||
	    add_admin(c, o->arg[O_ADMIN], id, admin, sizeof(admin)) == 0) &&
	    exec_ok(c, "COMMIT", 0, NULL) == 0;
	rollback(c);
	if (!ok)
		return 1;
	printf("added %s for ~%s%s%s%s\n", name, o->arg[O_TEAM] + 1,
	    admin[0] != '\0' ? ", admin " : "", admin,
	    o->arg[O_DISABLED] != NULL ? " (disabled)" : "");
	printf("to verify it, publish this TXT record at its apex:\n"
	    "%s. IN TXT \"%s=%s\"\n", name, VERIFICATION_PREFIX, token);
	return 0;
}

/* ---------------------------------------------------------------------
 * user ban | unban | site-admin: one flag, idempotent, audited.
 */

#define USER_STATE \
	"jsonb_build_object('is_banned', is_banned," \
	" 'ban_reason', ban_reason, 'is_site_admin', is_site_admin)"

enum { U_ID, U_NAME, U_BANNED, U_ADMIN, U_REASON, U_STATE };

struct change {
	const char	*action;	/* audit_log.action */
	int		 col;		/* U_BANNED or U_ADMIN */
	int		 want;		/* the flag afterwards */
	const char	*sql;		/* $1 the user's id, $2 the reason */
	const char	*already;	/* "NAME <already>": nothing to do */
	const char	*done;		/* "NAME <done>" */
};

static const struct change ch_ban = { "user.ban", U_BANNED, 1,
	"UPDATE users SET is_banned = true, ban_reason = $2 WHERE id = $1",
	"is already banned", "is now banned" };
static const struct change ch_unban = { "user.unban", U_BANNED, 0,
	"UPDATE users SET is_banned = false, ban_reason = NULL WHERE id = $1",
	"is not banned", "is no longer banned" };
static const struct change ch_grant = { "user.site_admin.grant", U_ADMIN, 1,
	"UPDATE users SET is_site_admin = true WHERE id = $1",
	"is already a site admin", "is now a site admin" };
static const struct change ch_revoke = { "user.site_admin.revoke", U_ADMIN, 0,
	"UPDATE users SET is_site_admin = false WHERE id = $1",
	"is not a site admin", "is no longer a site admin" };

static int
audit_user(PGconn *c, const char *action, const PGresult *before)
{
	const char	*p[4] = { NULL, action, PQgetvalue(before, 0, U_STATE),
	    PQgetvalue(before, 0, U_ID) };

	return audit(c, "INSERT INTO audit_log (actor_kind, actor_name, "
	    "action, target_type, target_id, target_label, before, after) "
	    "SELECT 'cli', $1, $2, 'user', id, name, $3::jsonb, " USER_STATE
	    " FROM users WHERE id = $4", 4, p);
}

static void
say_already(const PGresult *res, const struct change *ch)
{
	printf("%s %s", PQgetvalue(res, 0, U_NAME), ch->already);
	if (ch->col == U_BANNED && ch->want && !PQgetisnull(res, 0, U_REASON))
		printf(" (reason: %s)", PQgetvalue(res, 0, U_REASON));
	putchar('\n');
}

/* The row is locked from the check to the commit: no lost update. */
static int
user_change(PGconn *c, const struct change *ch, const char *name,
    const char *reason)
{
	const char	*p[2] = { name, reason };
	PGresult	*res;
	int		 rc = 1;

	if (exec_ok(c, "BEGIN", 0, NULL) == -1)
		return 1;
	res = q(c, "SELECT id, name, is_banned, is_site_admin, ban_reason, "
	    USER_STATE " FROM users WHERE lower(name) = lower($1) FOR UPDATE",
	    1, p, NULL);
	if (res == NULL)
		goto done;
	if (PQntuples(res) == 0)
		cli_warnx("no user %s", name);
	else if ((strcmp(PQgetvalue(res, 0, ch->col), "t") == 0) == ch->want) {
		say_already(res, ch);
		rc = 0;
	} else {
		p[0] = PQgetvalue(res, 0, U_ID);
		if (exec_ok(c, ch->sql, reason != NULL ? 2 : 1, p) == 0 &&
		    audit_user(c, ch->action, res) == 0 &&
		    exec_ok(c, "COMMIT", 0, NULL) == 0) {
			printf("%s %s\n", PQgetvalue(res, 0, U_NAME),
			    ch->done);
			rc = 0;
		}
	}
done:
	PQclear(res);
	rollback(c);
	return rc;
}

static int
user_ban(PGconn *c, const struct opts *o, const char *name)
{
	return user_change(c, &ch_ban, name, o->arg[O_REASON]);
}

static int
user_unban(PGconn *c, const struct opts *o, const char *name)
{
	(void)o;
	return user_change(c, &ch_unban, name, NULL);
}

static int
user_site_admin(PGconn *c, const struct opts *o, const char *name)
{
	return user_change(c, o->arg[O_REVOKE] != NULL ? &ch_revoke :
	    &ch_grant, name, NULL);
}

/* ---------------------------------------------------------------------
 * Command line.
 */

static const struct cmd domain_cmds[] = {
	{ "add", "add NAME --team ~TEAM [--admin LAUNCHPAD_NAME]\n"
	    "                             [--slug SLUG] [--title TITLE] "
	    "[--alias-limit N] [--disabled]",
	    1, OPT(O_TEAM) | OPT(O_ADMIN) | OPT(O_SLUG) | OPT(O_TITLE) |
	    OPT(O_ALIAS_LIMIT) | OPT(O_DISABLED), OPT(O_TEAM),
	    check_domain_add, domain_add },
	{ "list", "list [--json]", 0, OPT(O_JSON), 0, NULL, domain_list },
	{ NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct cmd user_cmds[] = {
	{ "list", "list [--banned] [--admins] [--search TEXT] [--json]", 0,
	    OPT(O_BANNED) | OPT(O_ADMINS) | OPT(O_SEARCH) | OPT(O_JSON), 0,
	    check_user_list, user_list },
	{ "ban", "ban NAME --reason TEXT", 1, OPT(O_REASON), OPT(O_REASON),
	    check_user_ban, user_ban },
	{ "unban", "unban NAME", 1, 0, 0, check_user, user_unban },
	{ "site-admin", "site-admin NAME [--revoke]", 1, OPT(O_REVOKE), 0,
	    check_user, user_site_admin },
	{ NULL, NULL, 0, 0, 0, NULL, NULL }
};

static void
usage(FILE *f, const char *group, const struct cmd *cmds)
{
	const char	*lead = "usage:";

	for (; cmds->name != NULL; cmds++, lead = "")
		fprintf(f, "%-6s membermail %s %s\n", lead, group,
		    cmds->synopsis);
	fprintf(f, "options: -c FILE, --database CONNINFO\n");
}

static const char *
opt_name(int o)
{
	const struct option	*lo;

	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val == OPT_BASE + o)
			return lo->name;
	return "?";
}

static int
set_opt(const struct cmd *cmd, struct opts *o, int opt)
{
	if (!(cmd->allowed & OPT(opt)))
		return bad("--%s is not an option of this command",
		    opt_name(opt));
	if (o->arg[opt] != NULL)
		return bad("--%s is given twice", opt_name(opt));
	o->arg[opt] = optarg != NULL ? optarg : "";
	return 0;
}

static int
bad_opt(char *argv[], int ch)
{
	if (ch == ':')
		return bad("%s needs a value", argv[optind - 1]);
	if (optopt != 0 && optopt < OPT_BASE)
		return bad("unknown option -%c", optopt);
	return bad("unknown option %s", argv[optind - 1]);
}

/* 0 to run, 1 for --help, -1 on a usage error (said). */
static int
parse_opts(int argc, char *argv[], const struct cmd *cmd, struct opts *o)
{
	int	 ch, i;

	optind = 1;
	opterr = 0;	/* our messages, not getopt's "add: ..." */
	while ((ch = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		if (ch == 'h')
			return 1;
		if (ch == 'c')
			o->cfgpath = optarg;
		else if (ch == 'd')
			o->database = optarg;
		else if (ch < OPT_BASE || ch >= OPT_BASE + O__MAX)
			return bad_opt(argv, ch);
		else if (set_opt(cmd, o, ch - OPT_BASE) == -1)
			return -1;
	}
	for (i = 0; i < O__MAX; i++)
		if ((cmd->required & OPT(i)) && o->arg[i] == NULL)
			return bad("--%s is required", opt_name(i));
	if (argc - optind > cmd->nargs)
		return bad("unexpected argument \"%s\"", argv[optind +
		    cmd->nargs]);
	if (argc - optind < cmd->nargs)
		return bad("NAME is missing");
	return 0;
}

/* The config supplies `database` unless --database overrides it. */
static int
resolve(struct opts *o, struct config *cfg)
{
	char	 err[1024];

	conf_defaults(cfg);
	if (conf_load(cfg, conf_path(o->cfgpath), err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return -1;
	}
	if (o->database == NULL)
		o->database = cfg->database;
	return 0;
}

static const struct cmd *
find_cmd(const char *group, const struct cmd *cmds, const char *name)
{
	char	 label[48];

	for (; cmds->name != NULL; cmds++)
		if (strcmp(cmds->name, name) == 0) {
			snprintf(label, sizeof(label), "%s %s", group, name);
			cli_name(label);
			return cmds;
		}
	cli_name(group);
	if (name[0] != '\0')
		cli_warnx("unknown command \"%s\"", name);
	return NULL;
}

static int
admin_main(const char *group, const struct cmd *cmds, int argc,
    char *argv[])
{
	const struct cmd	*cmd;
	struct config		 cfg;
	struct opts		 o;
	PGconn			*c;
	const char		*sub = argc > 0 ? argv[0] : "", *name;
	int			 rc;

	if (strcmp(sub, "help") == 0 || strcmp(sub, "--help") == 0 ||
	    strcmp(sub, "-h") == 0) {
		usage(stdout, group, cmds);
		return 0;
	}
	if ((cmd = find_cmd(group, cmds, sub)) == NULL) {
		usage(stderr, group, cmds);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	if ((rc = parse_opts(argc, argv, cmd, &o)) != 0) {
		usage(rc == 1 ? stdout : stderr, group, cmds);
		return rc == 1 ? 0 : EXIT_USAGE;
	}
	name = cmd->nargs > 0 ? argv[optind] : NULL;
	if (cmd->check != NULL && cmd->check(&o, name) == -1)
		return EXIT_USAGE;
	if (sodium_init() == -1 || resolve(&o, &cfg) == -1)
		return 1;
	if ((c = connect_db(o.database, cfg.statement_timeout)) == NULL)
		return 1;
	rc = cmd->run(c, &o, name);
	PQfinish(c);
	return rc;
}

int
admin_domain_main(int argc, char *argv[])
{
	return admin_main("domain", domain_cmds, argc, argv);
}

int
admin_user_main(int argc, char *argv[])
{
	return admin_main("user", user_cmds, argc, argv);
}
