/*
 * privs.h - whom workers run as.
 *
 * The master may start as root to bind the socket with its owner and mode;
 * workers never serve as root.  The user and group are resolved once, in
 * the master before fork, so a typo stops start-up instead of every worker.
 */
#ifndef MM_PRIVS_H
#define MM_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

struct config;

struct privs {
	int   drop; /* switch user in workers */
	uid_t uid;
	gid_t gid;
};

/*
 * Resolves cfg->user and cfg->group.  Refuses (-1, reason in err) when
 * running as root without a user to switch to, or naming a user or group
 * that does not exist.
 */
int privs_resolve(struct privs *, const struct config *, char *err,
    size_t errsz);
/* In a worker: become p->uid/p->gid for good; -1 with errno on failure. */
int privs_drop(const struct privs *);

#endif
