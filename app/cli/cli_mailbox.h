/*
 * cli_mailbox.h - `membermail mailbox`: an operator's way to give a user's
 * alias an encrypted mailbox (the local stack's demo mailbox is made so).
 *
 *	membermail mailbox create ADDRESS [-c FILE] [--delivery keep|both]
 *	    [--password-file FILE]
 *	membermail mailbox delivery ADDRESS forward|keep|both [-c FILE]
 *
 * The password is the first line of --password-file, else of standard
 * input; it is never an argument (argv shows in ps).  create makes the
 * key pair wrapped by it (Argon2id with the config's pwhash limits, the
 * config's mailbox_quota) and keeps the alias's mail (--delivery both, the
 * default, also forwards it).  The same rules as the member's pages
 * (mail/mailbox.h), one transaction with its audit row (actor 'cli').
 *
 * Exit status: 0 done; 1 error (no such address, it has a mailbox
 * already, database or config trouble); 2 usage.
 */
#ifndef MM_CLI_MAILBOX_H
#define MM_CLI_MAILBOX_H

/* argv[0] is "mailbox"; returns the exit status. */
int mailbox_main(int argc, char *argv[]);

#endif
