/*
 * cli_admin.c - the operator commands `domain ...` and `user ...`; see
 * cli_admin.h.
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "cli/cli_admin.h"
#include "lib/arena.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/valid.h"
#include "rules/alias.h"
#include "rules/domain_members.h"
#include "rules/recipients.h"
#include "rules/site.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

#define EXIT_USAGE 2
#define ACTOR_MAX  256 /* audit_log_actor_name_check: 255 chars */
#define MAX_COLS   16
#define OPT_BASE   256        /* getopt_long values of long-only options */
#define CLI_ARENA  (1u << 20) /* one change's memory, rules' and mails' */

/* The options after the common -c and --database, as bits of a mask. */
enum opt {
	O_TEAM,
	O_ADMIN,
	O_SLUG,
	O_TITLE,
	O_ALIAS_LIMIT,
	O_DISABLED,
	O_JSON,
	O_BANNED,
	O_ADMINS,
	O_SEARCH,
	O_REASON,
	O_REVOKE,
	O_RECIPIENTS,
	O__MAX
};
#define OPT(o) (1u << (o))

static const struct option longopts[] = { { "database", required_argument, NULL,
					      'd' },
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
	{ "recipients", required_argument, NULL, OPT_BASE + O_RECIPIENTS },
	{ NULL, 0, NULL, 0 } };

struct opts {
	const struct config *cfg; /* loaded before the command runs */
	const char          *cfgpath, *database;
	const char          *name2;       /* a second argument */
	const char          *arg[O__MAX]; /* NULL: not given; "" for a flag */
	int                  alias_limit;
};

struct cmd {
	const char  *name;
	const char  *synopsis;
	int          nargs;             /* 1: NAME, 2: and a second */
	unsigned int allowed, required; /* OPT() masks */
	int (*check)(struct opts *, const char *);
	/* A listing reads; a change goes through the rules. */
	int (*run)(struct db *, const struct opts *, const char *);
};

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_warnx for input checks: always -1. */
static int
bad(const char *fmt, ...)
{
	va_list ap;

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
check_team(const char *team)
{
	switch (sa_team_check(team)) {
	case SA_TEAM_OK:
		return 0;
	case SA_TEAM_HOME:
		return bad("--team: \"%s\" looks like a home directory: the "
			   "shell expanded ~TEAM; quote it: --team '~team'",
		    team);
	case SA_TEAM_NO_TILDE:
		return bad("--team: write the team as ~%s", team);
	case SA_TEAM_BAD:
		break;
	}
	return bad(
	    "--team: \"%s\" is not ~TEAM, where TEAM is a Launchpad "
	    "name: lower-case letters, digits, '+', '.', '-', starting with a "
	    "letter or digit, at least 2 characters",
	    team);
}

static int
check_user_name(const char *name)
{
	if (sa_lp_name_ok(name, 1))
		return 0;
	return bad("\"%s\" is not a Launchpad name", name);
}

static int
check_domain_add(struct opts *o, const char *name)
{
	const char *why, *a = o->arg[O_ADMIN];

	if ((why = domain_problem(name)) != NULL)
		return bad("\"%s\" is not a lower-case DNS name (IDNs in "
			   "their xn-- form): %s",
		    name, why);
	if (check_team(o->arg[O_TEAM]) == -1)
		return -1;
	if (a != NULL && !sa_lp_name_ok(a, 1))
		return bad("--admin: \"%s\" is not a Launchpad name", a);
	if (o->arg[O_SLUG] != NULL && !sa_slug_ok(o->arg[O_SLUG]))
		return bad("--slug: \"%s\" is not 1..32 of a-z, 0-9 and '-', "
			   "starting with a letter or digit",
		    o->arg[O_SLUG]);
	if (o->arg[O_TITLE] != NULL &&
	    !sa_line_ok(o->arg[O_TITLE], SA_TITLE_MAX))
		return bad("--title: want one line of 1..64 characters");
	if (o->arg[O_ALIAS_LIMIT] != NULL &&
	    (o->alias_limit = sa_alias_limit(o->arg[O_ALIAS_LIMIT])) == -1)
		return bad("--alias-limit: \"%s\" is not a number of 0..%d",
		    o->arg[O_ALIAS_LIMIT], SA_ALIAS_LIMIT_MAX);
	return 0;
}

static int
check_user_list(struct opts *o, const char *unused)
{
	(void)unused;
	if (o->arg[O_SEARCH] != NULL && !sa_line_ok(o->arg[O_SEARCH], 255))
		return bad("--search: want one line of 1..255 characters");
	return 0;
}

static int
check_user_ban(struct opts *o, const char *name)
{
	if (check_user_name(name) == -1)
		return -1;
	if (!sa_line_ok(o->arg[O_REASON], SA_REASON_MAX))
		return bad("--reason: want one line of 1..500 characters");
	return 0;
}

static int
check_user(struct opts *o, const char *name)
{
	(void)o;
	return check_user_name(name);
}

static int
check_domain_admin(struct opts *o, const char *domain)
{
	const char *why;

	if ((why = domain_problem(domain)) != NULL)
		return bad("\"%s\" is not a lower-case DNS name: %s", domain,
		    why);
	return check_user_name(o->name2);
}

static int
check_domain_role(struct opts *o, const char *domain)
{
	const char *why;
	char        norm[SA_ADDRESS_MAX];

	if ((why = domain_problem(domain)) != NULL)
		return bad("\"%s\" is not a lower-case DNS name: %s", domain,
		    why);
	if (strcmp(o->name2, "admins") != 0 &&
	    sa_role_recipient(o->name2, norm, sizeof(norm)) == -1)
		return bad("\"%s\" is not an address (local@domain) or "
			   "\"admins\"",
		    o->name2);
	return 0;
}

/* ---------------------------------------------------------------------
 * The database.
 */

/* Who runs the command: the login, and who became it through sudo. */
void
admin_actor(char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(geteuid());
	const char    *sudo = getenv("SUDO_USER");
	char           me[64];

	if (pw != NULL)
		snprintf(me, sizeof(me), "%s", pw->pw_name);
	else
		snprintf(me, sizeof(me), "uid %u", (unsigned int)geteuid());
	/* Unchecked text would fail audit_log_actor_name_check. */
	if (sudo != NULL && strcmp(sudo, me) != 0 && sa_line_ok(sudo, 64))
		snprintf(buf, sz, "%s (sudo from %s)", me, sudo);
	else
		snprintf(buf, sz, "%s", me);
}

/* ---------------------------------------------------------------------
 * Listing: a table for people, --json for scripts (built by PostgreSQL).
 */

/* Display width: code points, so that UTF-8 text lines up. */
static int
width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Row -1 is the header; NULL and empty show as "-". */
static const char *
cell(const PGresult *res, int row, int col)
{
	const char *v;

	if (row < 0)
		return PQfname(res, col);
	v = db_str(res, row, col);
	return db_null(res, row, col) || *v == '\0' ? "-" : v;
}

static void
print_row(const PGresult *res, int row, const int *w, int ncols)
{
	const char *s;
	int         col;

	for (col = 0; col < ncols; col++) {
		s = cell(res, row, col);
		fputs(s, stdout);
		if (col + 1 < ncols)
			printf("%*s", w[col] - width(s) + 2, "");
	}
	putchar('\n');
}

/* The listing's result; NULL after saying why. */
static PGresult *
query(struct db *db, enum stmt st, int n, const char *const *p)
{
	PGresult    *res;
	enum app_err e;

	if ((res = db_exec(db, st, n, p, &e)) == NULL)
		cli_warnx("%s", db_reason(db));
	return res;
}

static int
print_table(struct db *db, enum stmt st, int n, const char *const *p,
    const char *noun)
{
	PGresult *res;
	int       w[MAX_COLS], row, col, ncols, nrows;

	if ((res = query(db, st, n, p)) == NULL)
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
print_json(struct db *db, enum stmt st, int n, const char *const *p)
{
	PGresult *res;

	if ((res = query(db, st, n, p)) == NULL)
		return 1;
	printf("%s\n", db_str(res, 0, CLI_JSON_ARRAY));
	PQclear(res);
	return 0;
}

static int
domain_list(struct db *db, const struct opts *o, const char *unused)
{
	(void)unused;
	if (o->arg[O_JSON] != NULL)
		return print_json(db, STMT_CLI_DOMAINS_JSON, 0, NULL);
	return print_table(db, STMT_CLI_DOMAINS, 0, NULL, "domain");
}

static int
user_list(struct db *db, const struct opts *o, const char *unused)
{
	const char *p[3];

	(void)unused;
	p[0] = o->arg[O_BANNED] != NULL ? "true" : "false";
	p[1] = o->arg[O_ADMINS] != NULL ? "true" : "false";
	p[2] = o->arg[O_SEARCH];
	if (o->arg[O_JSON] != NULL)
		return print_json(db, STMT_CLI_USERS_JSON, 3, p);
	return print_table(db, STMT_CLI_USERS, 3, p, "user");
}

/* ---------------------------------------------------------------------
 * The changes: rules/site.c makes them, here only what they say.
 */

/* The login of whoever runs the command, as the actor of the changes. */
static struct actor
cli_actor(char *name, size_t namesz)
{
	struct actor a = { ACTOR_CLI, 0, name, 1, NULL };

	admin_actor(name, namesz);
	return a;
}

static int
domain_add(struct db *db, const struct opts *o, const char *name)
{
	struct sa_domain_new   in = { name, o->arg[O_TEAM], o->arg[O_SLUG],
		  o->arg[O_TITLE],
                o->arg[O_ALIAS_LIMIT] != NULL ? o->alias_limit :
						  SA_ALIAS_LIMIT_DEFAULT,
		  o->arg[O_DISABLED] == NULL, o->arg[O_ADMIN] };
	struct sa_domain_added out;
	char                   who[ACTOR_MAX];
	struct actor           a = cli_actor(who, sizeof(who));
	enum app_err           e;

	e = sa_domain_add(db, &a, &in, &out);
	if (out.refused == SA_NAME_TAKEN)
		cli_warnx("domain %s already exists", name);
	else if (out.refused == SA_SLUG_TAKEN)
		cli_warnx("slug \"%s\" is taken by another domain", in.slug);
	else if (out.refused == SA_TOKEN_TAKEN)
		cli_warnx("the new verification token is taken (a one in 10^17 "
			  "chance): nothing changed, run the command again");
	else if (out.refused == SA_NO_USER)
		cli_warnx(
		    "no user %s (a user exists once they have signed in): "
		    "nothing changed",
		    in.admin);
	else if (e != APP_OK)
		cli_warnx("nothing changed: %s", db_reason(db));
	if (e != APP_OK)
		return 1;
	if (out.admin_banned)
		cli_warnx("warning: %s is banned", out.admin);
	printf("added %s for ~%s%s%s%s\n", name, in.team + 1,
	    in.admin != NULL ? ", admin " : "", out.admin,
	    in.enabled ? "" : " (disabled)");
	printf("to verify it, publish this TXT record at its apex:\n"
	       "%s. IN TXT \"%s=%s\"\n",
	    name, SA_VERIFICATION_PREFIX, out.token);
	return 0;
}

/* What ban, unban and site-admin say: "NAME <already>" or "NAME <done>". */
struct change {
	enum sa_user_op op;
	const char     *already;
	const char     *done;
};

static const struct change ch_ban = { SA_BAN, "is already banned",
	"is now banned" };
static const struct change ch_unban = { SA_UNBAN, "is not banned",
	"is no longer banned" };
static const struct change ch_grant = { SA_GRANT, "is already a site admin",
	"is now a site admin" };
static const struct change ch_revoke = { SA_REVOKE, "is not a site admin",
	"is no longer a site admin" };

static int
user_change(struct db *db, const struct opts *o, const struct change *ch,
    const char *name, const char *reason)
{
	struct sa_user_done out;
	char                who[ACTOR_MAX], err[512];
	struct actor        a = cli_actor(who, sizeof(who));
	struct arena       *arena;
	enum app_err        e;

	/* A ban mails the user and the admins: the templates are needed. */
	if (ch->op == SA_BAN &&
	    view_init(o->cfg->templates_dir, o->cfg->locale_dir, err,
		sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return 1;
	}
	if ((arena = arena_new(CLI_ARENA)) == NULL) {
		cli_warnx("out of memory");
		return 1;
	}
	e = sa_user_change(db, o->cfg, arena, &a, 0, name, ch->op, reason,
	    &out);
	arena_free(arena);
	if (out.refused == SA_NO_USER) {
		cli_warnx("no user %s", name);
		return 1;
	}
	if (e != APP_OK) {
		cli_warnx("nothing changed: %s", db_reason(db));
		return 1;
	}
	printf("%s %s", out.name, out.changed ? ch->done : ch->already);
	if (!out.changed && ch->op == SA_BAN && out.reason[0] != '\0')
		printf(" (reason: %s)", out.reason);
	putchar('\n');
	return 0;
}

static int
user_ban(struct db *db, const struct opts *o, const char *name)
{
	return user_change(db, o, &ch_ban, name, o->arg[O_REASON]);
}

static int
user_unban(struct db *db, const struct opts *o, const char *name)
{
	return user_change(db, o, &ch_unban, name, NULL);
}

static int
user_site_admin(struct db *db, const struct opts *o, const char *name)
{
	return user_change(db, o,
	    o->arg[O_REVOKE] != NULL ? &ch_revoke : &ch_grant, name, NULL);
}

/* ---------------------------------------------------------------------
 * domain admin | unadmin DOMAIN LPNAME: who administers a domain (the
 * provisioning sync never changes admins).  rules/domain_members.c's rule,
 * which the domain pages and the API use too; the operator acts as a site
 * admin.
 */

static int
domain_role(struct db *db, const char *domain, const char *name,
    enum member_role role)
{
	char                 actor_name[ACTOR_MAX];
	struct actor         a = cli_actor(actor_name, sizeof(actor_name));
	struct alias_problem why = { NULL, NULL, NULL };
	struct arena        *ar;
	enum app_err         e;

	if ((ar = arena_new(CLI_ARENA)) == NULL) {
		cli_warnx("out of memory");
		return 1;
	}
	e = member_set_role(db, ar, &a, domain, name, role, &why);
	arena_free(ar);
	if (e == APP_OK) {
		printf("%s is %s of %s\n", name,
		    role == MEMBER_ROLE_ADMIN ? "an admin" : "not an admin",
		    domain);
		return 0;
	}
	if (why.message != NULL)
		cli_warnx("%s: nothing changed", why.message);
	else
		cli_warnx("%s: nothing changed",
		    e == APP_ENOTFOUND ? "no such domain" : db_reason(db));
	return 1;
}

/* Where postmaster@ and abuse@ of the domain go. */
static int
domain_role_recipient(struct db *db, const struct opts *o, const char *domain)
{
	char         actor_name[ACTOR_MAX];
	struct actor a = cli_actor(actor_name, sizeof(actor_name));
	int          admins = strcmp(o->name2, "admins") == 0, changed;
	enum app_err e;

	e = sa_domain_role_recipient(db, &a, domain, admins ? NULL : o->name2,
	    &changed);
	if (e == APP_OK) {
		printf("postmaster@%s and abuse@%s go to %s%s\n", domain,
		    domain, admins ? "its admins" : o->name2,
		    changed ? "" : " (unchanged)");
		return 0;
	}
	cli_warnx("%s: nothing changed",
	    e == APP_ENOTFOUND    ? "no such domain" :
		e == APP_EINVALID ? "not a valid address" :
				    db_reason(db));
	return 1;
}

static int
domain_admin(struct db *db, const struct opts *o, const char *domain)
{
	return domain_role(db, domain, o->name2, MEMBER_ROLE_ADMIN);
}

static int
domain_unadmin(struct db *db, const struct opts *o, const char *domain)
{
	return domain_role(db, domain, o->name2, MEMBER_ROLE_MEMBER);
}

/* ---------------------------------------------------------------------
 * Aliases: the rules of rules/alias.c, as a site admin would apply them.
 */

static int
check_alias_set(struct opts *o, const char *address)
{
	struct arena        *a;
	struct alias_problem why;
	const char         **l;
	size_t               n;
	int                  rc = 0;

	if (strchr(address, '@') == NULL)
		return bad("\"%s\" is not an alias address (LOCAL@DOMAIN)",
		    address);
	if ((a = arena_new(4096)) == NULL)
		return bad("out of memory");
	if (alias_parse_recipients(a, o->arg[O_RECIPIENTS], &l, &n, &why) == -1)
		rc = bad("--recipients: %s", why.message);
	arena_free(a);
	return rc;
}

/* The alias at address (local@domain), or 0. */
static long long
alias_id(struct db *db, const char *address)
{
	const char  *p[1] = { address };
	PGresult    *res;
	enum app_err e;
	long long    id = 0;

	if ((res = db_exec(db, STMT_ALIAS_BY_ADDRESS, 1, p, &e)) == NULL)
		return 0;
	if (PQntuples(res) == 1)
		id = db_ll(res, 0, ALIAS_BY_ADDRESS_ID);
	PQclear(res);
	return id;
}

/* What became of a change: the recipients now, or those waiting. */
static void
print_alias(const struct alias_view *v)
{
	size_t i;

	printf("%s forwards to", v->address);
	for (i = 0; i < v->nrecipients; i++)
		printf("%s %s", i ? "," : "", v->recipients[i]);
	printf("\n");
	if (v->npending == 0)
		return;
	printf("waiting for confirmation (a link went to each new address):");
	for (i = 0; i < v->npending; i++)
		printf("%s %s", i ? "," : "", v->pending[i]);
	printf("\n");
}

static int
alias_set(struct db *db, const struct opts *o, const char *address)
{
	struct alias_change  c;
	struct alias_problem why;
	struct alias_view    v;
	char                 who[ACTOR_MAX], err[1024];
	struct actor         a = cli_actor(who, sizeof(who));
	struct arena        *ar;
	long long            id;
	enum app_err         e;
	int                  rc = 1;

	/* Its mail (confirmations, receipts) is rendered from templates. */
	if (view_init(db_config(db)->templates_dir, db_config(db)->locale_dir,
		err, sizeof(err)) == -1) {
		cli_warnx("templates: %s", err);
		return 1;
	}
	if ((id = alias_id(db, address)) == 0) {
		cli_warnx("no alias %s: nothing changed", address);
		return 1;
	}
	if ((ar = arena_new(16384)) == NULL) {
		cli_warnx("out of memory");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.set = ALIAS_SET_RECIPIENTS;
	c.recipients = o->arg[O_RECIPIENTS];
	e = alias_update(db, ar, &a, id, &c, &why, &v);
	if (e == APP_OK) {
		print_alias(&v);
		rc = 0;
	} else if (why.message != NULL)
		cli_warnx("%s: %s Nothing changed.", address, why.message);
	else
		cli_warnx("nothing changed: %s", db_reason(db));
	arena_free(ar);
	return rc;
}

/* ---------------------------------------------------------------------
 * Command line.
 */

static const struct cmd domain_cmds[] = {
	{ "add",
	    "add NAME --team ~TEAM [--admin LAUNCHPAD_NAME]\n"
	    "                             [--slug SLUG] [--title TITLE] "
	    "[--alias-limit N] [--disabled]",
	    1,
	    OPT(O_TEAM) | OPT(O_ADMIN) | OPT(O_SLUG) | OPT(O_TITLE) |
		OPT(O_ALIAS_LIMIT) | OPT(O_DISABLED),
	    OPT(O_TEAM), check_domain_add, domain_add },
	{ "list", "list [--json]", 0, OPT(O_JSON), 0, NULL, domain_list },
	{ "admin", "admin DOMAIN LAUNCHPAD_NAME", 2, 0, 0, check_domain_admin,
	    domain_admin },
	{ "unadmin", "unadmin DOMAIN LAUNCHPAD_NAME (never the last admin)", 2,
	    0, 0, check_domain_admin, domain_unadmin },
	{ "role-recipient",
	    "role-recipient DOMAIN ADDRESS|admins (postmaster@, abuse@)", 2, 0,
	    0, check_domain_role, domain_role_recipient },
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

static const struct cmd alias_cmds[] = {
	{ "set", "set LOCAL@DOMAIN --recipients \"ADDRESS ...\"", 1,
	    OPT(O_RECIPIENTS), OPT(O_RECIPIENTS), check_alias_set, alias_set },
	{ NULL, NULL, 0, 0, 0, NULL, NULL }
};

static void
usage(FILE *f, const char *group, const struct cmd *cmds)
{
	const char *lead = "usage:";

	for (; cmds->name != NULL; cmds++, lead = "")
		fprintf(f, "%-6s membermail %s %s\n", lead, group,
		    cmds->synopsis);
	fprintf(f, "options: -c FILE, --database CONNINFO\n");
}

static const char *
opt_name(int o)
{
	const struct option *lo;

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
	int ch, i;

	optind = 1;
	opterr = 0; /* our messages, not getopt's "add: ..." */
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
		return bad("unexpected argument \"%s\"",
		    argv[optind + cmd->nargs]);
	if (argc - optind < cmd->nargs)
		return bad("NAME is missing");
	return 0;
}

/* The config supplies `database` unless --database overrides it. */
static int
resolve(struct opts *o, struct config *cfg)
{
	if (cli_config(cfg, o->cfgpath) == -1)
		return -1;
	if (o->database == NULL)
		o->database = cfg->database;
	return 0;
}

/*
 * Every command runs on the workers' kind of connection (db.h: the
 * catalogue's statements, the statement timeout and the schema check),
 * which the rules use.
 */
static int
run_cmd(const struct cmd *cmd, const struct opts *o, struct config *cfg,
    const char *name)
{
	struct db *db;
	int        rc;

	if (o->database != cfg->database &&
	    (size_t)snprintf(cfg->database, sizeof(cfg->database), "%s",
		o->database) >= sizeof(cfg->database)) {
		cli_warnx("--database: longer than %zu bytes",
		    sizeof(cfg->database) - 1);
		return 1;
	}
	log_set_level(LOG_LEVEL_ERROR); /* no connection events here */
	if ((db = db_open(cfg, "membermail admin")) == NULL)
		return 1;
	rc = cmd->run(db, o, name);
	db_free(db);
	return rc;
}

static const struct cmd *
find_cmd(const char *group, const struct cmd *cmds, const char *name)
{
	char label[48];

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
admin_main(const char *group, const struct cmd *cmds, int argc, char *argv[])
{
	const struct cmd *cmd;
	struct config     cfg;
	struct opts       o;
	const char       *sub = argc > 0 ? argv[0] : "", *name;
	int               rc;

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
	o.name2 = cmd->nargs > 1 ? argv[optind + 1] : NULL;
	if (cmd->check != NULL && cmd->check(&o, name) == -1)
		return EXIT_USAGE;
	if (sodium_init() == -1 || resolve(&o, &cfg) == -1)
		return 1;
	o.cfg = &cfg;
	return run_cmd(cmd, &o, &cfg, name);
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

int
admin_alias_main(int argc, char *argv[])
{
	return admin_main("alias", alias_cmds, argc, argv);
}
