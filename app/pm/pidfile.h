/*
 * pidfile.h - the master's pid file (config key pid_file).
 *
 * The file holds the master's pid in decimal and a newline, mode 0644 so
 * that `membermail ctl`, logrotate and monitoring can read it.  It is
 * written whole or not at all (a temporary file in the same directory,
 * then rename), so a reader never sees half a number.
 *
 * Who is who: a pid in the file is "a live membermail" when the process
 * exists and its /proc/<pid>/cmdline contains "membermail"; a zombie, a
 * dead pid or a recycled one that now belongs to another program is
 * stale.  Only a live membermail other than ourselves (or the master that
 * started us on USR2) stops pidfile_write.
 *
 * The USR2 upgrade moves the file aside to "<pid_file>.oldbin" for the old
 * master (as nginx and unicorn do) and the new master writes pid_file once
 * its workers accept; if the new master fails, the old one moves its file
 * back.  Every function here leaves a file alone that does not hold the
 * pid it is told is ours.
 *
 * Linux only (/proc).  Nothing here logs: errors come back in err or errno.
 */
#ifndef MM_PIDFILE_H
#define MM_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

#define PIDFILE_OLDBIN ".oldbin"

/* What a pid names (pidfile_check). */
enum pid_kind {
	PID_GONE,       /* no such process, or a zombie (it serves nothing) */
	PID_OTHER,      /* alive, but not membermail: a recycled pid */
	PID_MEMBERMAIL, /* alive, and its command line says membermail */
	PID_UNKNOWN     /* alive, command line unreadable (e.g. hidepid) */
};

/*
 * Writes pid to path (O_CREAT, mode 0644 whatever the umask) through
 * "<path>.tmp.<pid>" and rename.  Refuses, returning -1 with a message in
 * err that names the holder, when the file names a live membermail (or an
 * unreadable live process) other than pid itself and our parent; a stale,
 * empty or malformed file is replaced.  0 on success; -1 with err on
 * failure (the file is then as it was).
 */
int pidfile_write(const char *path, pid_t pid, char *err, size_t errsz);

/*
 * Reads the pid in path: only "[1-9][0-9]*" with an optional newline,
 * at most PID_MAX_LIMIT (4194304).  0 with *pid set; -1 with errno (ENOENT
 * and the like from open/read, EINVAL for anything malformed).
 */
int pidfile_read(const char *path, pid_t *pid);

/*
 * Removes path only if it still holds pid.  1 when removed; 0 when absent,
 * malformed or someone else's (kept); -1 with errno if unlink failed.
 */
int pidfile_remove(const char *path, pid_t pid);

/*
 * Renames from to to (e.g. pid_file to pid_file.oldbin on USR2, and back
 * when the new master fails) only if from holds our own pid (getpid()); an
 * existing `to` is replaced.  0, or -1 with errno (ESRCH: from is not
 * ours; ENOENT: no file).
 */
int pidfile_rename(const char *from, const char *to);

/* "<path>.oldbin" into buf; -1 (ENAMETOOLONG) if it does not fit. */
int pidfile_oldbin(const char *path, char *buf, size_t bufsz);

/*
 * What pid is (see enum pid_kind).  When cmd is not NULL it receives the
 * command line, arguments separated by spaces, cut to cmdsz ("" if none).
 */
enum pid_kind pidfile_check(pid_t pid, char *cmd, size_t cmdsz);

#endif
