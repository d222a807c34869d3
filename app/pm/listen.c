/* listen.c - create the listening socket; see listen.h. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "pm/listen.h"

#define SOMAXCONN_PATH "/proc/sys/net/core/somaxconn"

/* The kernel silently caps the backlog; say so, since it bounds a reload. */
static void
warn_somaxconn(int backlog)
{
	FILE *f;
	long  max = 0;
	char  line[32], *end;

	if ((f = fopen(SOMAXCONN_PATH, "re")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL)
		max = strtol(line, &end, 10);
	fclose(f);
	if (max > 0 && max < backlog)
		log_warn("backlog_capped", LOG_INT("backlog", backlog),
		    LOG_INT("somaxconn", max),
		    LOG_STR("msg", "raise net.core.somaxconn"));
}

/*
 * Decides what to do with an existing path: 0 = free to bind (absent, or a
 * stale socket now removed), -1 = refuse.
 */
static int
clear_stale(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sun;
	struct stat        st;
	int                fd, rc;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsz, "%s: exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errsz, "%s: another server is listening there",
		    path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		snprintf(err, errsz, "%s: cannot tell if stale: %s", path,
		    strerror(errno));
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(err, errsz, "%s: removing stale socket: %s", path,
		    strerror(errno));
		return -1;
	}
	log_info("stale_socket_removed", LOG_STR("path", path));
	return 0;
}

/* Mode and group are set on the path: fchmod does not reach it on Linux. */
static int
set_owner(const struct listen_opts *o, const char *path, char *err,
    size_t errsz)
{
	struct group *gr;

	if (chmod(path, o->mode) == -1) {
		snprintf(err, errsz, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	if (o->group[0] == '\0')
		return 0;
	if ((gr = getgrnam(o->group)) == NULL) {
		snprintf(err, errsz, "%s: no group \"%s\"", o->group_key,
		    o->group);
		return -1;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
		snprintf(err, errsz, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_unix(struct listener *l, const char *spec, const struct listen_opts *o,
    char *err, size_t errsz)
{
	struct sockaddr_un sun;
	struct stat        st;
	const char        *path = spec + strlen("unix:");
	mode_t             old;
	int                rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errsz, "%s: socket path too long", path);
		return -1;
	}
	if (clear_stale(path, err, errsz) == -1)
		return -1;
	if ((l->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	old = umask(0177); /* nobody may connect before chmod/chown */
	rc = bind(l->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1) {
		snprintf(err, errsz, "bind %s: %s", path, strerror(errno));
		return -1;
	}
	l->is_unix = 1;
	memcpy(l->path, path, strlen(path) + 1);
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	return set_owner(o, path, err, errsz);
}

/* Splits "host:port" or "[v6]:port"; conf.c has checked the syntax. */
static int
split_hostport(const char *s, char *host, size_t hostsz, const char **port)
{
	const char *colon, *h = s;
	size_t      hlen;

	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	hlen = (size_t)(colon - s);
	if (*s == '[') {
		h = s + 1;
		hlen = hlen >= 2 ? hlen - 2 : 0;
	}
	if (hlen == 0 || hlen >= hostsz)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = colon + 1;
	return 0;
}

static int
open_tcp(struct listener *l, const char *spec, char *err, size_t errsz)
{
	struct addrinfo hints, *res;
	char            host[256];
	const char     *port;
	int             rc, one = 1;

	if (split_hostport(spec, host, sizeof(host), &port) == -1) {
		snprintf(err, errsz, "listen: bad address \"%s\"", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errsz, "listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	rc = -1;
	if ((l->fd = socket(res->ai_family, SOCK_STREAM, 0)) == -1)
		snprintf(err, errsz, "socket: %s", strerror(errno));
	else if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one,
		     sizeof(one)) == -1 ||
	    bind(l->fd, res->ai_addr, res->ai_addrlen) == -1)
		snprintf(err, errsz, "bind %s: %s", spec, strerror(errno));
	else
		rc = 0;
	freeaddrinfo(res);
	return rc;
}

int
listener_open(struct listener *l, const char *spec, const struct listen_opts *o,
    char *err, size_t errsz)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (strncmp(spec, "unix:", 5) == 0)
		rc = open_unix(l, spec, o, err, errsz);
	else
		rc = open_tcp(l, spec, err, errsz);
	if (rc == 0 && listen(l->fd, o->backlog) == -1) {
		snprintf(err, errsz, "listen %s: %s", spec, strerror(errno));
		rc = -1;
	}
	if (rc == -1) {
		listener_close(l);
		return -1;
	}
	warn_somaxconn(o->backlog);
	return 0;
}

int
listener_adopt(struct listener *l, int fd, const char *spec, char *err,
    size_t errsz)
{
	struct stat st;
	int         yes = 0;
	socklen_t   len = sizeof(yes);

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &yes, &len) == -1 ||
	    !yes) {
		snprintf(err, errsz,
		    "inherited descriptor %d is not a listening "
		    "socket",
		    fd);
		return -1;
	}
	l->fd = fd;
	l->keep_path = 1; /* the old master's, until we are in charge */
	if (strncmp(spec, "unix:", 5) == 0 &&
	    strlen(spec + 5) < sizeof(l->path) && stat(spec + 5, &st) == 0) {
		l->is_unix = 1;
		memcpy(l->path, spec + 5, strlen(spec + 5) + 1);
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	return 0;
}

void
listener_close(struct listener *l)
{
	struct stat st;

	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	if (l->is_unix && !l->keep_path && stat(l->path, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->path);
	l->is_unix = 0;
}
