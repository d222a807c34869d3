/* privs.c - resolve and drop the workers' privileges; see privs.h. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "pm/privs.h"

int
privs_resolve(struct privs *p, const struct config *cfg, char *err,
    size_t errsz)
{
	struct passwd *pw;
	struct group  *gr;

	memset(p, 0, sizeof(*p));
	if (cfg->user[0] == '\0') {
		if (geteuid() == 0) {
			snprintf(err, errsz,
			    "refusing to run workers as root: "
			    "set user (and group) in the config");
			return -1;
		}
		return 0;
	}
	if ((pw = getpwnam(cfg->user)) == NULL) {
		snprintf(err, errsz, "user: no user \"%s\"", cfg->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "user: \"%s\" is root", cfg->user);
		return -1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (cfg->group[0] != '\0') {
		if ((gr = getgrnam(cfg->group)) == NULL) {
			snprintf(err, errsz, "group: no group \"%s\"",
			    cfg->group);
			return -1;
		}
		p->gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() != p->uid) {
			snprintf(err, errsz,
			    "user: only root can switch to "
			    "\"%s\"",
			    cfg->user);
			return -1;
		}
		return 0; /* already that user */
	}
	p->drop = 1;
	return 0;
}

int
privs_drop(const struct privs *p)
{
	if (!p->drop)
		return 0;
	if (setgroups(1, &p->gid) == -1 ||
	    setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1)
		return -1;
	/* Paranoia: root must be gone for good. */
	if (setuid(0) != -1 || geteuid() == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
