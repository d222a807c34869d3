/*
 * verify.h - membermail verify-domains: checks the TXT verification of
 * every domain, or of one (rules/domain_txt.h says what each outcome
 * changes), and prints a line per domain and a summary.
 *
 *	membermail verify-domains [-c FILE] [--domain D] [--dry-run]
 *
 * A run holds a session advisory lock: any number of hosts may run the
 * timer, one run at a time checks.  --dry-run asks DNS and prints what
 * would change, and records nothing.  Exit 0; 75 when some domain got no
 * definitive answer (nothing changed for it; the next run asks again); 1
 * on errors (database, unknown --domain); 2 usage; 3 another run holds
 * the lock.
 */
#ifndef MM_VERIFY_H
#define MM_VERIFY_H

int verify_main(int argc, char *argv[]);

#endif
