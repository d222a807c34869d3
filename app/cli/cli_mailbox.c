/* cli_mailbox.c - `membermail mailbox`; see cli_mailbox.h. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli_admin.h"
#include "cli/cli_mailbox.h"
#include "lib/climsg.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "mail/mailbox.h"
#include "store/audit.h"
#include "store/db.h"

struct opts {
	const char *cfgpath;
	const char *password_file; /* NULL: standard input */
	const char *delivery;
	const char *command, *address, *mode;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: membermail mailbox create ADDRESS [-c FILE] "
	    "[--delivery keep|both] [--password-file FILE]\n"
	    "       membermail mailbox delivery ADDRESS "
	    "{forward|keep|both} [-c FILE]\n");
}

/* The first line of f, without its line end; -1 if there is none. */
static int
read_password(const char *path, char *pw, size_t sz)
{
	FILE  *f = path != NULL ? fopen(path, "r") : stdin;
	size_t n;

	if (f == NULL) {
		cli_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(pw, (int)sz, f) == NULL)
		pw[0] = '\0';
	if (f != stdin)
		fclose(f);
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (mailbox_password_problem(pw) != NULL) {
		cli_warnx("%s", mailbox_password_problem(pw));
		return -1;
	}
	return 0;
}

static int
parse(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "delivery", required_argument, NULL, 'd' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->delivery = "both";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch == 'c')
			o->cfgpath = optarg;
		else if (ch == 'd')
			o->delivery = optarg;
		else if (ch == 'p')
			o->password_file = optarg;
		else
			return -1;
	}
	if (argc - optind < 2)
		return -1;
	o->command = argv[optind];
	o->address = argv[optind + 1];
	if (strcmp(o->command, "create") == 0 && argc - optind == 2)
		return strcmp(o->delivery, "keep") == 0 ||
			strcmp(o->delivery, "both") == 0 ?
		    0 :
		    -1;
	if (strcmp(o->command, "delivery") == 0 && argc - optind == 3) {
		o->mode = argv[optind + 2];
		return delivery_from_name(o->mode) == -1 ? -1 : 0;
	}
	return -1;
}

static const char *
err_words(enum app_err e)
{
	switch (e) {
	case APP_ENOTFOUND:
		return "no such address";
	case APP_ECONFLICT:
		return "it has a mailbox already (or none, to keep mail in)";
	case APP_ENOMEM:
		return "out of memory (pwhash_memlimit?)";
	default:
		return "failed: see the messages above";
	}
}

static enum app_err
run(struct db *db, const struct config *cfg, const struct opts *o)
{
	struct pwhash_limits l = { (unsigned long long)cfg->pwhash_opslimit,
		cfg->pwhash_memlimit };
	char                 who[256], pw[MBOX_PASSWORD_MAX + 2];
	struct actor         a = { ACTOR_CLI, 0, who, 1, NULL };
	long long            alias, user, id;
	enum app_err         e;

	admin_actor(who, sizeof(who));
	if ((e = mailbox_alias_by_address(db, o->address, &alias, &user)) !=
	    APP_OK)
		return e;
	if (o->mode != NULL)
		return mailbox_set_delivery(db, &a, user, alias,
		    (enum delivery)delivery_from_name(o->mode));
	if (read_password(o->password_file, pw, sizeof(pw)) == -1)
		return APP_EINVALID;
	e = mailbox_create(db, &a, user, alias, pw, &l,
	    (long long)cfg->mailbox_quota, &id);
	sodium_memzero(pw, sizeof(pw));
	if (e == APP_OK)
		e = mailbox_set_delivery(db, &a, user, alias,
		    (enum delivery)delivery_from_name(o->delivery));
	if (e == APP_OK)
		printf("mailbox %lld created for %s (mail is %s)\n", id,
		    o->address,
		    strcmp(o->delivery, "keep") == 0 ? "kept, not forwarded" :
						       "kept and forwarded");
	return e;
}

int
mailbox_main(int argc, char *argv[])
{
	struct config cfg;
	struct opts   o;
	struct db    *db;
	enum app_err  e = APP_EINTERNAL;

	cli_name("mailbox");
	if (parse(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() == -1 || cli_config(&cfg, o.cfgpath) == -1)
		return 1;
	log_set_level(LOG_LEVEL_ERROR);
	if ((db = db_open(&cfg, "membermail admin")) == NULL)
		return 1;
	if ((e = run(db, &cfg, &o)) != APP_OK && e != APP_EINVALID)
		cli_warnx("%s: %s", o.address, err_words(e));
	else if (e == APP_OK && strcmp(o.command, "delivery") == 0)
		printf("mail to %s is now %s\n", o.address, o.mode);
	db_free(db);
	return e == APP_OK ? 0 : 1;
}
