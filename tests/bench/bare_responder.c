/*
 * bare_responder.c - the benchmark's baseline: the least a pre-forked libfcgi
 * server can do.  A master creates one unix socket, forks N workers that loop
 * on FCGX_Accept_r and answer every request with the same page, and stops
 * them on SIGTERM, SIGINT or SIGQUIT.
 *
 *	bare_responder [-c] [-d CONNINFO -u USER_ID] SOCKET WORKERS PAGE_FILE
 *	    [GROUP]
 *
 * With -d, every request also runs one primary-key SELECT over its own
 * libpq connection (per worker, a prepared statement: SELECT email FROM
 * users WHERE id = USER_ID) and answers 500 unless it finds the row: the
 * baseline of a page that needs the database (GET /my in tests/bench).
 * PAGE_FILE is the HTML body to send (tests/bench/run saves membermail's own
 * /ubuntu page there, so both servers send the same number of bytes).  When
 * started as root, the socket is given to GROUP (default nogroup) with mode
 * 0660 and the workers switch to nobody:GROUP, like membermail's.
 *
 * A request ends with libfcgi's FCGX_Finish_r, whose close waits for nginx
 * to close first: a bare libfcgi responder, the baseline the targets are
 * set against.  With -c it ends as membermail's do (app/pm/child.c,
 * child_finish): stdin read up to its end (nginx sends it with the
 * request), the response and END_REQUEST written, then close(2) at once:
 * a stricter baseline, which has membermail's own saving too.
 *
 * Build: cc -O2 -o bare_responder bare_responder.c \
 *	$(pkg-config --cflags --libs fcgi libpq)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcgiapp.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS 64

static volatile sig_atomic_t stop_sig;
static const char           *conninfo;      /* -d: a SELECT per request */
static const char           *user_id;       /* -u: its parameter */
static int                   close_at_once; /* -c */

static void
on_signal(int sig)
{
	stop_sig = sig;
}

static void
die(const char *what)
{
	fprintf(stderr, "bare_responder: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;

	if (f == NULL)
		die(path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		die(path);
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL)
		die("malloc");
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
open_socket(const char *path, gid_t gid)
{
	struct sockaddr_un sun;
	int                fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "bare_responder: socket path too long\n");
		exit(1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("bind");
	if (geteuid() == 0 && chown(path, 0, gid) < 0)
		die("chown");
	if (chmod(path, geteuid() == 0 ? 0660 : 0600) < 0)
		die("chmod");
	if (listen(fd, 511) < 0)
		die("listen");
	return fd;
}

/* One primary-key SELECT; 1 if the row is there. */
static int
select_user(PGconn *db)
{
	PGresult *res = PQexecPrepared(db, "user", 1, &user_id, NULL, NULL, 0);
	int       found = PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1;

	PQclear(res);
	return found;
}

static PGconn *
connect_db(void)
{
	PGconn   *db = PQconnectdb(conninfo);
	PGresult *res;

	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "bare_responder: %s", PQerrorMessage(db));
		exit(1);
	}
	res = PQprepare(db, "user",
	    "SELECT email FROM users WHERE id = $1::bigint", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bare_responder: %s", PQerrorMessage(db));
		exit(1);
	}
	PQclear(res);
	return db;
}

/* The end of a request: see the comment at the top. */
static void
finish(FCGX_Request *req)
{
	char trash[512];
	int  fd;

	if (!close_at_once) {
		FCGX_Finish_r(req);
		return;
	}
	while (FCGX_GetStr(trash, sizeof(trash), req->in) > 0)
		;
	if (req->keepConnection || !FCGX_HasSeenEOF(req->in)) {
		FCGX_Finish_r(req);
		return;
	}
	req->keepConnection = 1;
	FCGX_Finish_r(req);
	if ((fd = req->ipcFd) == -1)
		return;
	close(fd);
	req->ipcFd = -1;
}

static void
worker(int fd, const char *page, size_t len, uid_t uid, gid_t gid)
{
	static const char fail[] =
	    "Status: 500 Internal Server Error\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n";
	PGconn          *db = NULL;
	FCGX_Request     req;
	struct sigaction sa;
	char             head[256];
	int              hlen;

	if (geteuid() == 0) {
		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 ||
		    setuid(uid) < 0)
			die("dropping privileges");
	}
	if (FCGX_Init() != 0)
		die("FCGX_Init");
	/* After FCGX_Init, which would otherwise turn SIGTERM into a
	 * "shutdown pending" flag that a worker idle in accept() ignores. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (FCGX_InitRequest(&req, fd, 0) != 0)
		die("FCGX_InitRequest");
	if (conninfo != NULL)
		db = connect_db();
	hlen = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    len);
	while (FCGX_Accept_r(&req) >= 0) {
		const char *m = FCGX_GetParam("REQUEST_METHOD", req.envp);

		if (db != NULL && !select_user(db)) {
			FCGX_PutStr(fail, (int)sizeof(fail) - 1, req.out);
			finish(&req);
			continue;
		}
		FCGX_PutStr(head, hlen, req.out);
		if (m == NULL || strcmp(m, "HEAD") != 0)
			FCGX_PutStr(page, (int)len, req.out);
		finish(&req);
	}
	_exit(0);
}

int
main(int argc, char *argv[])
{
	pid_t            pids[MAX_WORKERS];
	struct sigaction sa;
	const char      *sock, *grname;
	struct passwd   *pw;
	struct group    *gr;
	uid_t            uid = 0;
	gid_t            gid = 0;
	size_t           len;
	char            *page;
	int              fd, i, n, alive;
	long             workers;

	while ((i = getopt(argc, argv, "cd:u:")) != -1) {
		if (i == 'c')
			close_at_once = 1;
		else if (i == 'd')
			conninfo = optarg;
		else if (i == 'u')
			user_id = optarg;
		else
			return 2;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 4 || argc > 5 || (conninfo == NULL) != (user_id == NULL)) {
		fprintf(stderr,
		    "usage: bare_responder [-l] [-d CONNINFO -u USER_ID] "
		    "SOCKET WORKERS PAGE_FILE [GROUP]\n");
		return 2;
	}
	sock = argv[1];
	workers = strtol(argv[2], NULL, 10);
	if (workers < 1 || workers > MAX_WORKERS) {
		fprintf(stderr, "bare_responder: WORKERS must be 1..%d\n",
		    MAX_WORKERS);
		return 2;
	}
	n = (int)workers;
	page = read_file(argv[3], &len);
	grname = argc == 5 ? argv[4] : "nogroup";
	if (geteuid() == 0) {
		if ((pw = getpwnam("nobody")) == NULL ||
		    (gr = getgrnam(grname)) == NULL) {
			fprintf(stderr,
			    "bare_responder: no user nobody or group %s\n",
			    grname);
			return 1;
		}
		uid = pw->pw_uid;
		gid = gr->gr_gid;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	fd = open_socket(sock, gid);
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) < 0)
			die("fork");
		if (pids[i] == 0)
			worker(fd, page, len, uid, gid);
	}
	fprintf(stderr, "bare_responder: listening on %s with %d workers\n",
	    sock, n);

	alive = n;
	while (alive > 0 && stop_sig == 0) {
		pid_t p = wait(NULL);

		if (p > 0)
			alive--;
		else if (errno != EINTR)
			break;
	}
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	close(fd);
	unlink(sock);
	fprintf(stderr, "bare_responder: stopped\n");
	return 0;
}
