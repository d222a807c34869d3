/*
 * test_status.c - the status pages rendered from a scoreboard in plain
 * memory, who may read them, and the accept-queue measurement on real
 * unix and TCP sockets.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/buf.h"
#include "pm/scoreboard.h"
#include "pm/sockdiag.h"
#include "pm/status.h"
#include "test.h"

#define START_MS 1795854600000ULL     /* 28/Nov/2026:08:30:00 UTC */
#define NOW_MS   (START_MS + 3723456) /* 1 h 2 min 3.456 s later */
#define NOW_MONO 500000ULL
#define NCLIENTS 3

static struct scoreboard   sb;
static struct status_extra ex;

static void
worker(int slot, int32_t pid, enum sb_state st, uint64_t requests,
    const char *method, const char *uri)
{
	struct sb_worker *w = &sb.workers[slot];

	w->pid = pid;
	w->state = st;
	w->generation = 2;
	w->started_ms = START_MS + 60000; /* a minute after the master */
	w->requests = requests;
	w->req_start_ms = NOW_MS - 1000;
	w->req_start_mono = NOW_MONO - 1000;
	w->req_duration_us = 1500;
	memcpy(w->method, method, strlen(method));
	memcpy(w->uri, uri, strlen(uri));
}

/*
 * Five live workers: two Idle, one Running for 250 ms, one Starting, one
 * Exiting; and slots that are not workers: a FREE slot with a stale pid, a
 * slot with a state out of range.
 */
static void
fixture(void)
{
	memset(&sb, 0, sizeof(sb));
	sb.start_ms = START_MS;
	sb.master_pid = 1000;
	sb.generation = 2;
	sb.want_workers = 5;
	sb.listen_backlog = 511;
	sb.accepted = 12345;
	sb.slow_requests = 7;
	sb.killed_by_timeout = 2;
	sb.crashes = 3;
	sb.max_children_reached = 4;
	sb.max_active = 3;
	sb.max_listen_queue = 9;
	worker(0, 1001, SB_IDLE, 10, "GET", "/a");
	worker(1, 1002, SB_BUSY, 11, "POST", "/login x\n\x01\xc3\xa9");
	sb.workers[1].req_start_mono = NOW_MONO - 250;
	worker(2, 1003, SB_STARTING, 0, "", "");
	sb.workers[2].started_ms = 0; /* not written yet */
	worker(3, 1004, SB_EXITING, 99, "GET", "/bye");
	worker(6, 999, SB_FREE, 5, "GET", "/stale");
	worker(7, 1007, SB_IDLE, 12, "HEAD", "/");
	worker(9, 1009, (enum sb_state)17, 1, "GET", "/odd");
	/* A full-length method and URI: not NUL-terminated in the slot. */
	memset(sb.workers[7].method, 'M', SB_METHOD_MAX);
	memset(sb.workers[7].uri, 'u', SB_URI_MAX);

	memset(&ex, 0, sizeof(ex));
	ex.pool = "membermail";
	ex.pm = "static";
	ex.now_ms = NOW_MS;
	ex.now_mono_ms = NOW_MONO;
	ex.fcgi.known = 1;
	ex.fcgi.listen_queue = 4;
	ex.fcgi.listen_backlog = 128;
	ex.fcgi.max_listen_queue = 6;
	ex.rss_kib[0] = 2048;
	ex.rss_kib[1] = 4096;
}

/* Splits b into lines (in place); returns how many. */
static size_t
split(struct buf *b, char **lines, size_t max)
{
	size_t n = 0;
	char  *p = b->data, *nl;

	while (p != NULL && *p != '\0' && n < max) {
		lines[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

static const char *const want_pool[] = {
	"pool:                 membermail",
	"process manager:      static",
	"start time:           28/Nov/2026:08:30:00 +0000",
	"start since:          3723",
	"accepted conn:        12345",
	"listen queue:         4",
	"max listen queue:     9",
	"listen queue len:     128",
	"idle processes:       2",
	"active processes:     1",
	"total processes:      5",
	"max active processes: 3",
	"max children reached: 4",
	"slow requests:        7",
	"killed by timeout:    2",
	"crashes:              3",
	"generation:           2",
	"workers wanted:       5",
};
#define NPOOL (sizeof(want_pool) / sizeof(want_pool[0]))

static const char *const want_running[] = {
	"",
	"************************",
	"pid:                  1002",
	"state:                Running",
	"generation:           2",
	"start time:           28/Nov/2026:08:31:00 +0000",
	"start since:          3663",
	"requests:             11",
	"request duration:     250000",
	"request method:       POST",
	"request URI:          /login%20x%0A%01%C3%A9",
	"RSS:                  4096",
};
#define NRUNNING (sizeof(want_running) / sizeof(want_running[0]))
#define NRECORD  NRUNNING /* every record has as many lines */

static void
test_text(void)
{
	struct buf b;
	char      *lines[256];
	size_t     n, i;

	fixture();
	buf_init(&b, STATUS_OUT_MAX);
	status_text(&sb, &ex, 0, &b);
	CHECK(!b.failed, "text fits");
	CHECK(b.len > 0 && b.data[b.len - 1] == '\n', "text ends a line");
	n = split(&b, lines, 256);
	CHECK_INT(n, NPOOL, "text lines");
	for (i = 0; i < n && i < NPOOL; i++)
		CHECK_STR(lines[i], want_pool[i], "text line %zu", i);
	for (i = 0; i < n; i++) /* php-fpm's column */
		CHECK(strlen(lines[i]) > 22 && lines[i][21] == ' ' &&
			lines[i][22] != ' ',
		    "value at column 22: %s", lines[i]);

	buf_reset(&b);
	status_text(&sb, &ex, 1, &b);
	n = split(&b, lines, 256);
	CHECK_INT(n, NPOOL + 5 * NRECORD, "full text lines");
	for (i = 0; i < NRUNNING && NPOOL + NRECORD + i < n; i++)
		CHECK_STR(lines[NPOOL + NRECORD + i], want_running[i],
		    "running record line %zu", i);
	/* Records in slot order, one per live worker, states named. */
	CHECK_STR(lines[NPOOL + 3], "state:                Idle", "slot 0");
	CHECK_STR(lines[NPOOL + 8], "request duration:     1500",
	    "idle: last request's duration");
	CHECK_STR(lines[NPOOL + 11], "RSS:                  2048", "rss 0");
	CHECK_STR(lines[NPOOL + 2 * NRECORD + 3],
	    "state:                Starting", "slot 2");
	CHECK_STR(lines[NPOOL + 2 * NRECORD + 5], "start time:           -",
	    "no start time yet");
	CHECK_STR(lines[NPOOL + 2 * NRECORD + 6], "start since:          0",
	    "no start time: since 0");
	CHECK_STR(lines[NPOOL + 2 * NRECORD + 9], "request method:       -",
	    "nothing served yet");
	CHECK_STR(lines[NPOOL + 3 * NRECORD + 3],
	    "state:                Exiting", "slot 3");
	CHECK_STR(lines[NPOOL + 4 * NRECORD + 2], "pid:                  1007",
	    "slot 7");
	CHECK_STR(lines[NPOOL + 4 * NRECORD + 9],
	    "request method:       MMMMMMMM", "method cut at its slot");
	CHECK_INT(strlen(lines[NPOOL + 4 * NRECORD + 10]), 22 + SB_URI_MAX,
	    "URI cut at its slot");
	CHECK_STR(lines[NPOOL + 4 * NRECORD + 11], "RSS:                  0",
	    "rss unknown");
	for (i = 0; i < n; i++)
		CHECK(strstr(lines[i], "stale") == NULL &&
			strstr(lines[i], "odd") == NULL &&
			strstr(lines[i], "999") == NULL &&
			strstr(lines[i], "1009") == NULL,
		    "no records for dead or odd slots: %s", lines[i]);
	buf_free(&b);
}

/* The queue not measured; the status process's max the largest. */
static void
test_text_queue(void)
{
	struct buf b;
	char      *lines[64];
	size_t     n;

	fixture();
	ex.fcgi.known = 0;
	buf_init(&b, 4096);
	status_text(&sb, &ex, 0, &b);
	n = split(&b, lines, 64);
	CHECK(n == NPOOL && strcmp(lines[5], "listen queue:         0") == 0 &&
		strcmp(lines[7], "listen queue len:     511") == 0,
	    "unknown queue: 0 and the configured backlog");
	fixture();
	ex.fcgi.listen_queue = 12;
	sb.workers[3].state = SB_BUSY;
	sb.workers[7].state = SB_BUSY;
	sb.workers[0].state = SB_BUSY;
	buf_reset(&b);
	status_text(&sb, &ex, 0, &b);
	n = split(&b, lines, 64);
	CHECK(n == NPOOL && strcmp(lines[6], "max listen queue:     12") == 0,
	    "max listen queue includes now");
	CHECK(n == NPOOL && strcmp(lines[11], "max active processes: 4") == 0,
	    "max active includes now");
	buf_free(&b);

	fixture();
	buf_init(&b, 100);
	status_text(&sb, &ex, 1, &b);
	CHECK(b.failed, "bounded: a short buffer fails");
	buf_free(&b);
}

static int64_t
jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static const struct {
	const char *key;
	int64_t     want;
} want_json[] = {
	{ "start time", 1795854600 },
	{ "start since", 3723 },
	{ "accepted conn", 12345 },
	{ "listen queue", 4 },
	{ "max listen queue", 9 },
	{ "listen queue len", 128 },
	{ "idle processes", 2 },
	{ "active processes", 1 },
	{ "total processes", 5 },
	{ "max active processes", 3 },
	{ "max children reached", 4 },
	{ "slow requests", 7 },
	{ "killed by timeout", 2 },
	{ "crashes", 3 },
	{ "generation", 2 },
	{ "workers wanted", 5 },
};

static void
test_json_proc(struct json_object *p)
{
	CHECK_INT(jint(p, "pid"), 1002, "json pid");
	CHECK_STR(jstr(p, "state"), "Running", "json state");
	CHECK_INT(jint(p, "generation"), 2, "json generation");
	CHECK_INT(jint(p, "start time"), 1795854660, "json proc start");
	CHECK_INT(jint(p, "start since"), 3663, "json proc since");
	CHECK_INT(jint(p, "requests"), 11, "json requests");
	CHECK_INT(jint(p, "request duration"), 250000, "json duration");
	CHECK_STR(jstr(p, "request method"), "POST", "json method");
	CHECK_STR(jstr(p, "request uri"), "/login%20x%0A%01%C3%A9", "json uri");
	CHECK_INT(jint(p, "rss"), 4096, "json rss");
}

static void
test_json(void)
{
	struct json_object *o, *procs;
	struct buf          b;
	size_t              i;

	fixture();
	buf_init(&b, STATUS_OUT_MAX);
	status_json(&sb, &ex, 0, &b);
	CHECK(!b.failed, "json fits");
	o = json_tokener_parse(buf_cstr(&b));
	CHECK(o != NULL && json_object_is_type(o, json_type_object),
	    "json parses: %s", buf_cstr(&b));
	CHECK_STR(jstr(o, "pool"), "membermail", "json pool");
	CHECK_STR(jstr(o, "process manager"), "static", "json pm");
	for (i = 0; i < sizeof(want_json) / sizeof(want_json[0]); i++)
		CHECK_INT(jint(o, want_json[i].key), want_json[i].want,
		    "json \"%s\"", want_json[i].key);
	CHECK(!json_object_object_get_ex(o, "processes", NULL),
	    "no processes unless full");
	CHECK(strstr(buf_cstr(&b), "\\/") == NULL, "slashes not escaped");
	json_object_put(o);

	buf_reset(&b);
	status_json(&sb, &ex, 1, &b);
	o = json_tokener_parse(buf_cstr(&b));
	CHECK(o != NULL && json_object_object_get_ex(o, "processes", &procs) &&
		json_object_is_type(procs, json_type_array) &&
		json_object_array_length(procs) == 5,
	    "full: five processes");
	if (o != NULL && json_object_object_get_ex(o, "processes", &procs) &&
	    json_object_array_length(procs) == 5) {
		test_json_proc(json_object_array_get_idx(procs, 1));
		CHECK_STR(jstr(json_object_array_get_idx(procs, 2),
			      "request uri"),
		    "-", "json empty uri");
	}
	json_object_put(o);
	buf_free(&b);
}

/* A metric name as the exposition format allows it. */
static int
metric_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
			s[i] == ':' || (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return n > 0;
}

/*
 * Checks the exposition format: every sample "name value" preceded by its
 * HELP and TYPE lines; counters named *_total.  Returns the samples seen.
 */
static int
check_exposition(char **lines, size_t n)
{
	char   help[128] = "", type[128] = "", *sp, *end;
	size_t i, len;
	int    samples = 0;
	double v;

	for (i = 0; i < n; i++) {
		if (strncmp(lines[i], "# HELP ", 7) == 0) {
			len = strcspn(lines[i] + 7, " ");
			CHECK(metric_name(lines[i] + 7, len) &&
				lines[i][7 + len] == ' ' &&
				lines[i][8 + len] != '\0',
			    "HELP line: %s", lines[i]);
			snprintf(help, sizeof(help), "%.*s", (int)len,
			    lines[i] + 7);
			continue;
		}
		if (strncmp(lines[i], "# TYPE ", 7) == 0) {
			len = strcspn(lines[i] + 7, " ");
			snprintf(type, sizeof(type), "%.*s", (int)len,
			    lines[i] + 7);
			sp = lines[i] + 7 + len;
			CHECK(strcmp(type, help) == 0 &&
				(strcmp(sp, " gauge") == 0 ||
				    strcmp(sp, " counter") == 0),
			    "TYPE line after its HELP: %s", lines[i]);
			CHECK((strcmp(sp, " counter") == 0) ==
				(len > 6 &&
				    strncmp(lines[i] + 7 + len - 6, "_total",
					6) == 0),
			    "counters end in _total: %s", lines[i]);
			continue;
		}
		sp = strchr(lines[i], ' ');
		CHECK(sp != NULL &&
			metric_name(lines[i], (size_t)(sp - lines[i])) &&
			strlen(type) == (size_t)(sp - lines[i]) &&
			strncmp(lines[i], type, strlen(type)) == 0,
		    "sample after its TYPE: %s", lines[i]);
		if (sp == NULL)
			continue;
		errno = 0;
		v = strtod(sp + 1, &end);
		CHECK(errno == 0 && *end == '\0' && end != sp + 1 &&
			isfinite(v),
		    "sample value: %s", lines[i]);
		samples++;
		type[0] = help[0] = '\0'; /* one sample per family */
	}
	return samples;
}

static const struct {
	const char *sample;
} want_metrics[] = {
	{ "membermail_up 1" },
	{ "membermail_start_time_seconds 1795854600.000" },
	{ "membermail_accepted_connections_total 12345" },
	{ "membermail_listen_queue 4" },
	{ "membermail_max_listen_queue 9" },
	{ "membermail_listen_queue_length 128" },
	{ "membermail_idle_processes 2" },
	{ "membermail_active_processes 1" },
	{ "membermail_total_processes 5" },
	{ "membermail_max_active_processes 3" },
	{ "membermail_max_children_reached_total 4" },
	{ "membermail_slow_requests_total 7" },
	{ "membermail_killed_by_timeout_total 2" },
	{ "membermail_crashes_total 3" },
	{ "membermail_workers_wanted 5" },
};
#define NMETRICS (sizeof(want_metrics) / sizeof(want_metrics[0]))

static void
test_metrics(void)
{
	struct buf b;
	char      *lines[128];
	size_t     n, i;

	fixture();
	sb.start_ms += 250;
	buf_init(&b, STATUS_OUT_MAX);
	status_metrics(&sb, &ex, &b);
	CHECK(!b.failed && b.len > 0 && b.data[b.len - 1] == '\n',
	    "metrics end a line");
	CHECK(strstr(buf_cstr(&b), "start_time_seconds 1795854600.250\n") !=
		NULL,
	    "start time with milliseconds");
	sb.start_ms -= 250;
	buf_reset(&b);
	status_metrics(&sb, &ex, &b);
	n = split(&b, lines, 128);
	CHECK_INT(n, 3 * NMETRICS, "metrics lines");
	CHECK_INT(check_exposition(lines, n), NMETRICS, "samples");
	for (i = 0; i < NMETRICS && 3 * i + 2 < n; i++)
		CHECK_STR(lines[3 * i + 2], want_metrics[i].sample,
		    "metric %zu", i);

	ex.fcgi.known = 0;
	buf_reset(&b);
	status_metrics(&sb, &ex, &b);
	CHECK(strstr(buf_cstr(&b), "membermail_listen_queue ") == NULL &&
		strstr(buf_cstr(&b), "membermail_listen_queue_length 511\n") !=
		    NULL,
	    "unknown queue left out");
	n = split(&b, lines, 128);
	CHECK_INT(check_exposition(lines, n), NMETRICS - 1,
	    "samples, no queue");
	buf_free(&b);
}

/* Connects NCLIENTS clients to a listening socket, then checks the queue. */
static void
check_queue(const char *what, int lfd, const struct sockaddr *sa,
    socklen_t salen)
{
	int      c[NCLIENTS], i, a, tries;
	uint32_t queued = 0, backlog = 0;

	CHECK(listen_queue(lfd, &queued, &backlog) == 0, "%s: listen_queue: %s",
	    what, strerror(errno));
	CHECK_INT(queued, 0, "%s: nothing queued", what);
	CHECK_INT(backlog, 5, "%s: backlog", what);
	for (i = 0; i < NCLIENTS; i++) {
		c[i] = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(c[i] != -1 && connect(c[i], sa, salen) == 0,
		    "%s: connect %d: %s", what, i, strerror(errno));
	}
	/* TCP: the handshake ends in softirq context; give it a moment. */
	for (tries = 0; tries < 100; tries++) {
		if (listen_queue(lfd, &queued, &backlog) == 0 &&
		    queued == NCLIENTS)
			break;
		usleep(10000);
	}
	CHECK_INT(queued, NCLIENTS, "%s: queued", what);
	CHECK_INT(backlog, 5, "%s: backlog with clients", what);
	a = accept(lfd, NULL, NULL);
	CHECK(a != -1, "%s: accept", what);
	CHECK(listen_queue(lfd, &queued, &backlog) == 0 &&
		queued == NCLIENTS - 1,
	    "%s: one accepted, %u left", what, queued);
	if (a != -1)
		close(a);
	for (i = 0; i < NCLIENTS; i++)
		if (c[i] != -1)
			close(c[i]);
}

static void
test_queue_unix(void)
{
	char               dir[] = "/tmp/test_status.XXXXXX";
	struct sockaddr_un sun;
	int                fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd != -1 && bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
		listen(fd, 5) == 0,
	    "unix listen: %s", strerror(errno));
	if (fd != -1) {
		check_queue("unix", fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
	}
	unlink(sun.sun_path);
	rmdir(dir);
}

static void
test_queue_tcp(int family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in     *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6    *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t               len;
	const char             *what = family == AF_INET ? "tcp" : "tcp6";
	int                     fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1) {
		if (family == AF_INET6) { /* no IPv6 here: not ours */
			printf("# skip tcp6: %s\n", strerror(errno));
			if (fd != -1)
				close(fd);
			return;
		}
		CHECK(0, "%s bind: %s", what, strerror(errno));
		return;
	}
	CHECK(listen(fd, 5) == 0 &&
		getsockname(fd, (struct sockaddr *)&ss, &len) == 0,
	    "%s listen", what);
	check_queue(what, fd, (struct sockaddr *)&ss, len);
	close(fd);
}

static void
test_queue_errors(void)
{
	uint32_t q, b;
	int      fd, p[2];

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	errno = 0;
	CHECK(listen_queue(fd, &q, &b) == -1 && errno == EINVAL,
	    "not listening: EINVAL, got %s", strerror(errno));
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	errno = 0;
	CHECK(listen_queue(fd, &q, &b) == -1 && errno == EINVAL,
	    "tcp not listening: EINVAL, got %s", strerror(errno));
	close(fd);
	CHECK(pipe(p) == 0, "pipe");
	errno = 0;
	CHECK(listen_queue(p[0], &q, &b) == -1 && errno == ENOTSOCK,
	    "a pipe: ENOTSOCK, got %s", strerror(errno));
	close(p[0]);
	close(p[1]);
	errno = 0;
	CHECK(listen_queue(-1, &q, &b) == -1 && errno == EBADF, "EBADF");
}

int
main(void)
{
	test_text();
	test_text_queue();
	test_json();
	test_metrics();
	test_queue_unix();
	test_queue_tcp(AF_INET);
	test_queue_tcp(AF_INET6);
	test_queue_errors();
	return test_done("test_status");
}
