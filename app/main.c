/*
 * main.c - the membermail command: one binary, one config file.
 *
 *	membermail serve [-c FILE]		the pre-forked FastCGI server
 *	membermail check-config [-c FILE]	validate and print the config
 *	membermail migrate SUBCOMMAND ...	schema migrations (store/migrate.h)
 *	membermail domain|user SUBCOMMAND ...	operator administration (cli/cli_admin.h)
 *	membermail ctl [-c FILE] COMMAND	signal and inspect the server (pm/ctl.h)
 *	membermail cleanup [-c FILE]		sweep expired rows (jobs/cleanup.h)
 *	membermail outbox [-c FILE] [--limit N]	send notification e-mail (jobs/outbox.h)
 *	membermail sync [-c FILE] [OPTIONS]	Launchpad membership sync (jobs/sync.h)
 *	membermail mailbox create|delivery ...	an alias's mailbox (cli/cli_mailbox.h)
 *	membermail verify-domains [-c FILE] ...	DNS verification of the domains (jobs/verify.h)
 *
 * Everything else lives in libmembermail.a, so the tests link it too.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli_admin.h"
#include "cli/cli_mailbox.h"
#include "handlers/handlers.h"
#include "jobs/cleanup.h"
#include "jobs/outbox.h"
#include "jobs/sync.h"
#include "jobs/verify.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "pm/ctl.h"
#include "pm/master.h"
#include "store/db.h"
#include "store/migrate.h"
#include "views/view.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail serve [-c FILE]\n"
	    "       membermail check-config [-c FILE]\n"
	    "       membermail migrate status|up|verify|new ...\n"
	    "       membermail domain add|list|admin|unadmin|role-recipient ...\n"
	    "       membermail user list|ban|unban|site-admin ...\n"
	    "       membermail alias set LOCAL@DOMAIN --recipients LIST\n"
	    "       membermail ctl [-c FILE] [--pid-file FILE] [--timeout S]\n"
	    "           status|reload|stop|scale N|scale-lmtp N|reopen-logs\n"
	    "       membermail cleanup [-c FILE]\n"
	    "       membermail outbox [-c FILE] [--once] [--limit N]\n"
	    "       membermail sync [-c FILE] [--user NAME] [--dry-run] "
	    "[--accept-shrink TEAM]\n"
	    "       membermail mailbox create|delivery ADDRESS ...\n"
	    "       membermail verify-domains [-c FILE] [--domain D] "
	    "[--dry-run]\n"
	    "       membermail --version\n"
	    "The config file is -c FILE, else $MEMBERMAIL_CONFIG, else %s.\n",
	    conf_path(NULL));
}

/*
 * Loads the config and everything start-up checks: templates, catalogues
 * and the languages the config names.
 */
static int
load(struct config *cfg, const char *arg)
{
	const char *path = conf_path(arg);
	char        err[1024];

	conf_defaults(cfg);
	if (conf_load(cfg, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "membermail: %s\n", err);
		return -1;
	}
	if (view_init(cfg->templates_dir, cfg->locale_dir, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "membermail: templates: %s\n", err);
		return -1;
	}
	if (conf_check_langs(cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "membermail: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int
cmd_check_config(const char *arg)
{
	struct config cfg;

	if (load(&cfg, arg) == -1)
		return 1;
	conf_print(&cfg, stdout);
	fprintf(stderr, "membermail: %s: configuration ok, %zu templates\n",
	    conf_path(arg), view_count());
	return 0;
}

/*
 * The schema must not be behind what this binary needs: serving would fail
 * in confusing ways.  An unreachable database is not fatal at start-up:
 * workers answer 503 and retry until it is back.
 */
static int
check_schema(const struct config *cfg)
{
	struct db *db;
	int        rc = 0;

	if ((db = db_new(cfg, "membermail serve")) == NULL)
		return -1;
	if (db_connect(db) != APP_OK) {
		if (db_schema_behind(db)) {
			log_error("startup_failed",
			    LOG_STR("msg", db_reason(db)));
			rc = -1;
		} else
			log_warn("db_unavailable_at_start",
			    LOG_STR("msg",
				"workers will answer 503 until "
				"the database is back"));
	}
	db_free(db); /* never carried across fork */
	return rc;
}

static int
cmd_serve(const char *arg, char *argv[])
{
	static struct config cfg; /* read-only once workers fork */
	char                 why[256];

	if (load(&cfg, arg) == -1)
		return 1;
	if (sodium_init() == -1) { /* before fork: workers share it */
		fprintf(stderr, "membermail: sodium_init failed\n");
		return 1;
	}
	log_set_level(cfg.log_level);
	if (cfg.log_file[0] != '\0' && log_open(cfg.log_file) == -1) {
		fprintf(stderr, "membermail: log_file %s: %s\n", cfg.log_file,
		    strerror(errno));
		return 1;
	}
	if (check_schema(&cfg) == -1)
		return 1;
	/* A row the dispatcher cannot enforce stops start-up, not a request. */
	if (route_table_check(&router, why, sizeof(why)) == -1) {
		fprintf(stderr, "membermail: %s\n", why);
		return 1;
	}
	return master_run(&cfg, conf_path(arg), argv, &router);
}

int
main(int argc, char *argv[])
{
	const char *cmd, *cfgarg = NULL;
	int         ch;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0) {
		printf("%s\n", PACKAGE_STRING);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "migrate") == 0)
		return migrate_main(argc - 2, argv + 2);
	if (strcmp(cmd, "domain") == 0)
		return admin_domain_main(argc - 2, argv + 2);
	if (strcmp(cmd, "user") == 0)
		return admin_user_main(argc - 2, argv + 2);
	if (strcmp(cmd, "alias") == 0)
		return admin_alias_main(argc - 2, argv + 2);
	if (strcmp(cmd, "ctl") == 0)
		return ctl_main(argc - 1, argv + 1);
	if (strcmp(cmd, "cleanup") == 0)
		return cleanup_main(argc - 1, argv + 1);
	if (strcmp(cmd, "outbox") == 0)
		return outbox_main(argc - 1, argv + 1);
	if (strcmp(cmd, "sync") == 0)
		return sync_main(argc - 1, argv + 1);
	if (strcmp(cmd, "mailbox") == 0)
		return mailbox_main(argc - 1, argv + 1);
	if (strcmp(cmd, "verify-domains") == 0)
		return verify_main(argc - 1, argv + 1);
	optind = 2;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c') {
			usage(stderr);
			return 2;
		}
		cfgarg = optarg;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(cfgarg, argv);
	if (strcmp(cmd, "check-config") == 0)
		return cmd_check_config(cfgarg);
	fprintf(stderr, "membermail: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
