/*
 * test_pidfile.c - the pid file: strict reading, atomic writing, refusing a
 * live membermail, replacing stale files, removing only our own.
 *
 * "A live membermail" is made with fork + exec of sleep(1) under the
 * argv[0] "membermail-test"; "another program" is sleep under "sleeper".
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm/pidfile.h"
#include "test.h"

static char dir[64];

static void
pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void
put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
put_pid(const char *path, pid_t pid)
{
	char line[32];

	snprintf(line, sizeof(line), "%ld\n", (long)pid);
	put(path, line, strlen(line));
}

static pid_t
read_back(const char *path)
{
	pid_t pid = -1;

	return pidfile_read(path, &pid) == 0 ? pid : -1;
}

/* sleep(1) running under the given argv[0], once exec has happened. */
static pid_t
spawn_named(const char *argv0)
{
	char  cmd[128];
	pid_t pid;
	int   i;

	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		execlp("sleep", argv0, "60", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 400; i++) {
		(void)pidfile_check(pid, cmd, sizeof(cmd));
		if (strncmp(cmd, argv0, strlen(argv0)) == 0)
			return pid;
		pause_ms(5);
	}
	fprintf(stderr, "sleep never ran as %s\n", argv0);
	exit(1);
}

static void
stop_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A pid that was ours a moment ago and is now reaped. */
static pid_t
dead_pid(void)
{
	pid_t pid;

	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void
test_read(const char *path)
{
	static const struct {
		const char *text;
		long        want; /* -1: EINVAL */
	} cases[] = {
		{ "42", 42 },
		{ "42\n", 42 },
		{ "1\n", 1 },
		{ "4194304\n", 4194304 },
		{ "4194305\n", -1 },
		{ "9999999\n", -1 },
		{ "12345678\n", -1 },
		{ "99999999999999999999\n", -1 },
		{ "", -1 },
		{ "\n", -1 },
		{ "0\n", -1 },
		{ "042\n", -1 },
		{ "-1\n", -1 },
		{ "+1\n", -1 },
		{ " 42\n", -1 },
		{ "42 \n", -1 },
		{ "42\n\n", -1 },
		{ "42\r\n", -1 },
		{ "4x\n", -1 },
		{ "0x2a\n", -1 },
		{ "garbage", -1 },
		{ "123\n456\n", -1 },
		{ "1234567890123456789012345678901234567890", -1 },
	};
	const char *full = "4194304\n";
	size_t      i, len;
	pid_t       pid;
	int         rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(path, cases[i].text, strlen(cases[i].text));
		pid = 0;
		errno = 0;
		rc = pidfile_read(path, &pid);
		if (cases[i].want == -1) {
			CHECK_INT(rc, -1, "read \"%s\"", cases[i].text);
			CHECK_INT(errno, EINVAL, "read \"%s\": errno",
			    cases[i].text);
		} else {
			CHECK_INT(rc, 0, "read \"%s\"", cases[i].text);
			CHECK_INT(pid, cases[i].want, "read \"%s\"",
			    cases[i].text);
		}
	}
	/* A NUL inside is not a digit. */
	put(path, "4\0002\n", 4);
	CHECK_INT(pidfile_read(path, &pid), -1, "read with a NUL");
	/* Every prefix of a good file but the empty one is a good pid. */
	for (len = 0; len <= strlen(full); len++) {
		put(path, full, len);
		rc = pidfile_read(path, &pid);
		CHECK_INT(rc, len == 0 ? -1 : 0, "prefix of %zu bytes", len);
	}
	unlink(path);
	errno = 0;
	CHECK_INT(pidfile_read(path, &pid), -1, "missing file");
	CHECK_INT(errno, ENOENT, "missing file: errno");
}

static void
test_write_fresh(const char *path)
{
	struct stat st;
	char        err[512], text[32], want[32];
	mode_t      old = umask(077);
	FILE       *f;
	size_t      n;

	unlink(path);
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "fresh write");
	umask(old);
	CHECK_INT(read_back(path), getpid(), "fresh write reads back");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644,
	    "mode 0644 whatever the umask (got %o)", st.st_mode & 07777);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		snprintf(want, sizeof(want), "%ld\n", (long)getpid());
		CHECK_STR(text, want, "file content");
	}
	/* Our own pid already there: rewritten, not refused. */
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "rewrite of our own file");
}

static void
test_write_stale(const char *path)
{
	char  err[512];
	pid_t gone = dead_pid(), other;

	put_pid(path, gone);
	CHECK_INT(pidfile_check(gone, NULL, 0), PID_GONE, "dead pid is gone");
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "stale file (dead pid %ld) replaced: %s", (long)gone, err);
	CHECK_INT(read_back(path), getpid(), "stale file now ours");

	/* A recycled pid: alive, but another program. */
	other = spawn_named("sleeper");
	put_pid(path, other);
	CHECK_INT(pidfile_check(other, NULL, 0), PID_OTHER, "sleeper");
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "file naming another program replaced: %s", err);
	CHECK_INT(read_back(path), getpid(), "recycled pid's file now ours");
	stop_child(other);

	put(path, "garbage\n", 8);
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "garbage replaced: %s", err);
	CHECK_INT(read_back(path), getpid(), "garbage file now ours");
	put(path, "", 0);
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "empty file replaced: %s", err);
	CHECK_INT(read_back(path), getpid(), "empty file now ours");
}

static void
test_write_live(const char *path)
{
	char  err[512] = "", cmd[128], pidstr[32];
	pid_t live = spawn_named("membermail-test");

	CHECK_INT(pidfile_check(live, cmd, sizeof(cmd)), PID_MEMBERMAIL,
	    "membermail-test is a membermail");
	CHECK_STR(cmd, "membermail-test 60", "its command line");
	put_pid(path, live);
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), -1,
	    "a live membermail's file is refused");
	snprintf(pidstr, sizeof(pidstr), "pid %ld", (long)live);
	CHECK(strstr(err, pidstr) != NULL, "message names the pid: %s", err);
	CHECK(strstr(err, "membermail-test 60") != NULL,
	    "message names the command: %s", err);
	CHECK(strstr(err, path) != NULL, "message names the file: %s", err);
	CHECK_INT(read_back(path), live, "refused file left as it was");
	/* It may rewrite its own file. */
	CHECK_INT(pidfile_write(path, live, err, sizeof(err)), 0,
	    "the holder itself may rewrite");
	stop_child(live);
	CHECK_INT(pidfile_check(live, NULL, 0), PID_GONE, "killed and reaped");
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), 0,
	    "once it has gone, the file is stale: %s", err);
}

static void
test_zombie(void)
{
	char  stat_path[64], buf[256];
	pid_t pid;
	FILE *f;
	int   i, zombie = 0;

	if ((pid = fork()) == 0)
		_exit(0);
	snprintf(stat_path, sizeof(stat_path), "/proc/%ld/stat", (long)pid);
	for (i = 0; i < 400 && !zombie; i++) {
		if ((f = fopen(stat_path, "r")) != NULL) {
			zombie = fgets(buf, sizeof(buf), f) != NULL &&
			    strstr(buf, ") Z ") != NULL;
			fclose(f);
		}
		if (!zombie)
			pause_ms(5);
	}
	CHECK(zombie, "child %ld became a zombie", (long)pid);
	CHECK_INT(pidfile_check(pid, NULL, 0), PID_GONE, "a zombie is gone");
	waitpid(pid, NULL, 0);
	CHECK_INT(pidfile_check(0, NULL, 0), PID_GONE, "pid 0");
	CHECK_INT(pidfile_check(-1, NULL, 0), PID_GONE, "pid -1");
	CHECK(pidfile_check(getpid(), NULL, 0) != PID_GONE, "we are alive");
}

static void
test_remove(const char *path)
{
	pid_t other = getpid() + 1;

	put_pid(path, other);
	CHECK_INT(pidfile_remove(path, getpid()), 0, "someone else's: kept");
	CHECK_INT(read_back(path), other, "someone else's still there");
	put(path, "junk", 4);
	CHECK_INT(pidfile_remove(path, getpid()), 0, "garbage: kept");
	CHECK(access(path, F_OK) == 0, "garbage still there");
	put_pid(path, getpid());
	CHECK_INT(pidfile_remove(path, getpid()), 1, "ours: removed");
	CHECK(access(path, F_OK) == -1 && errno == ENOENT, "ours gone");
	CHECK_INT(pidfile_remove(path, getpid()), 0, "absent: nothing to do");
}

static void
test_rename(const char *path)
{
	char  old[PATH_MAX], tiny[8];
	pid_t other = getpid() + 1;

	CHECK_INT(pidfile_oldbin(path, old, sizeof(old)), 0, "oldbin name");
	CHECK(strlen(old) == strlen(path) + 7 &&
		strcmp(old + strlen(path), ".oldbin") == 0,
	    "oldbin: %s", old);
	errno = 0;
	CHECK_INT(pidfile_oldbin(path, tiny, sizeof(tiny)), -1,
	    "oldbin too long");
	CHECK_INT(errno, ENAMETOOLONG, "oldbin too long: errno");

	put_pid(path, getpid());
	unlink(old);
	CHECK_INT(pidfile_rename(path, old), 0, "ours moved to .oldbin");
	CHECK(access(path, F_OK) == -1, "pid_file gone after the move");
	CHECK_INT(read_back(old), getpid(), ".oldbin holds our pid");
	/* The failed upgrade: back over whatever the new master left. */
	put_pid(path, other);
	CHECK_INT(pidfile_rename(old, path), 0, "moved back");
	CHECK_INT(read_back(path), getpid(), "pid_file ours again");
	CHECK(access(old, F_OK) == -1, ".oldbin gone after moving back");

	put_pid(path, other);
	errno = 0;
	CHECK_INT(pidfile_rename(path, old), -1, "someone else's: not moved");
	CHECK_INT(errno, ESRCH, "someone else's: errno");
	CHECK_INT(read_back(path), other, "someone else's left in place");
	CHECK(access(old, F_OK) == -1, "no .oldbin made");
	unlink(path);
	errno = 0;
	CHECK_INT(pidfile_rename(path, old), -1, "absent: not moved");
	CHECK_INT(errno, ENOENT, "absent: errno");
}

static void
test_write_fails(void)
{
	char path[128], err[512] = "";

	snprintf(path, sizeof(path), "%s/no/such/dir.pid", dir);
	CHECK_INT(pidfile_write(path, getpid(), err, sizeof(err)), -1,
	    "missing directory");
	CHECK(strstr(err, "No such file") != NULL, "says why: %s", err);
}

/* Only the pid files the tests named: no temporary file left behind. */
static void
test_no_leftovers(void)
{
	DIR           *d;
	struct dirent *de;
	int            n = 0;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL) {
			fprintf(stderr, "left behind: %s\n", de->d_name);
			n++;
		}
	closedir(d);
	CHECK_INT(n, 0, "temporary files left behind");
}

static void
clean_dir(void)
{
	DIR           *d;
	struct dirent *de;
	char           path[PATH_MAX];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int
main(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/test_pidfile.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/membermail.pid", dir);
	test_read(path);
	test_write_fresh(path);
	test_write_stale(path);
	test_write_live(path);
	test_zombie();
	test_remove(path);
	test_rename(path);
	test_write_fails();
	test_no_leftovers();
	clean_dir();
	return test_done("test_pidfile");
}
