/* pidfile.c - the master's pid file; see pidfile.h. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pm/pidfile.h"

#define PIDFILE_PID_MAX  4194304 /* Linux's PID_MAX_LIMIT */
#define PIDFILE_READ_MAX 16      /* "4194304\n" with room to spare */
#define CMDLINE_MAX      1024

/* Strict decimal: [1-9][0-9]* then at most one '\n', within the bound. */
static int
parse_pid(const char *s, size_t len, pid_t *pid)
{
	size_t i;
	long   v = 0;

	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len == 0 || len > 7 || s[0] < '1' || s[0] > '9')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > PIDFILE_PID_MAX)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int
pidfile_read(const char *path, pid_t *pid)
{
	char    buf[PIDFILE_READ_MAX + 1];
	ssize_t n;
	int     fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	do
		n = read(fd, buf, sizeof(buf));
	while (n == -1 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	/* A longer file is not a pid file, whatever it starts with. */
	if ((size_t)n > PIDFILE_READ_MAX ||
	    parse_pid(buf, (size_t)n, pid) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Arguments joined by spaces, cut to cmdsz; the number of bytes read. */
static ssize_t
read_cmdline(pid_t pid, char *cmd, size_t cmdsz)
{
	char    path[64];
	ssize_t n, i;
	int     fd, saved;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, cmd, cmdsz - 1);
	saved = errno;
	close(fd);
	errno = saved;
	if (n == -1)
		return -1;
	while (n > 0 && cmd[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	cmd[n] = '\0';
	return n;
}

enum pid_kind
pidfile_check(pid_t pid, char *cmd, size_t cmdsz)
{
	char    buf[CMDLINE_MAX];
	ssize_t n;

	if (cmd != NULL && cmdsz > 0)
		cmd[0] = '\0';
	if (pid <= 0 || (kill(pid, 0) == -1 && errno == ESRCH))
		return PID_GONE;
	if ((n = read_cmdline(pid, buf, sizeof(buf))) == -1)
		return errno == ENOENT || errno == ESRCH ? PID_GONE :
							   PID_UNKNOWN;
	if (n == 0)
		return PID_GONE; /* a zombie (or a kernel thread) */
	if (cmd != NULL && cmdsz > 0)
		snprintf(cmd, cmdsz, "%s", buf);
	return strstr(buf, "membermail") != NULL ? PID_MEMBERMAIL : PID_OTHER;
}

/*
 * 0 when path may be (over)written by pid; -1 with err naming who holds
 * it.  Our parent is allowed: that is the master we replace after USR2,
 * should it not have moved its file aside.
 */
static int
may_write(const char *path, pid_t pid, char *err, size_t errsz)
{
	char          cmd[256];
	pid_t         old;
	enum pid_kind kind;

	if (pidfile_read(path, &old) == -1 || old == pid || old == getppid())
		return 0;
	kind = pidfile_check(old, cmd, sizeof(cmd));
	if (kind == PID_MEMBERMAIL) {
		snprintf(err, errsz,
		    "%s names pid %ld, a running membermail "
		    "(%s): stop it first, or remove the file if that process "
		    "is not a membermail master",
		    path, (long)old, cmd);
		return -1;
	}
	if (kind == PID_UNKNOWN) {
		snprintf(err, errsz,
		    "%s names pid %ld, which is running but "
		    "whose command line cannot be read: remove the file if it "
		    "is not a membermail master",
		    path, (long)old);
		return -1;
	}
	return 0;
}

int
pidfile_write(const char *path, pid_t pid, char *err, size_t errsz)
{
	char tmp[PATH_MAX], line[24];
	int  fd, len, ok, saved;

	if (may_write(path, pid, err, errsz) == -1)
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
		(long)getpid()) >= sizeof(tmp)) {
		snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	len = snprintf(line, sizeof(line), "%ld\n", (long)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	errno = EIO; /* a short write sets none */
	ok = fchmod(fd, 0644) == 0 && write(fd, line, (size_t)len) == len;
	saved = errno;
	if (close(fd) == -1 && ok) {
		ok = 0;
		saved = errno;
	}
	if (ok && rename(tmp, path) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	if (!ok) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(saved));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int
pidfile_remove(const char *path, pid_t pid)
{
	pid_t old;

	if (pidfile_read(path, &old) == -1 || old != pid)
		return 0;
	if (unlink(path) == -1)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

int
pidfile_rename(const char *from, const char *to)
{
	pid_t old;

	if (pidfile_read(from, &old) == -1) {
		if (errno == EINVAL)
			errno = ESRCH;
		return -1;
	}
	if (old != getpid()) {
		errno = ESRCH;
		return -1;
	}
	return rename(from, to);
}

int
pidfile_oldbin(const char *path, char *buf, size_t bufsz)
{
	if ((size_t)snprintf(buf, bufsz, "%s" PIDFILE_OLDBIN, path) >= bufsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
