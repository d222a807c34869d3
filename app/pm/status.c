/* status.c - the status process and its pages; see status.h. */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "pm/child.h"
#include "pm/privs.h"
#include "pm/scoreboard.h"
#include "pm/sockdiag.h"
#include "pm/status.h"

#define LABEL_COL    22          /* php-fpm's: values start in this column */
#define TIME_MAX     32          /* "28/Nov/2026:08:30:00 +0000" */
#define CLEAN_MAX(n) ((n)*3 + 1) /* every byte as %HH, and a NUL */

/* ------------------------------------------------------------------ */
/* What every page shows, computed once from the scoreboard. */

struct totals {
	uint32_t idle;
	uint32_t active;
	uint32_t total;
	uint32_t max_active;
	uint32_t listen_queue;
	uint32_t max_listen_queue;
	uint32_t backlog;
	uint64_t since; /* seconds since the master started */
};

/* One live worker as the pages show it; strings are cleaned copies. */
struct proc {
	int32_t     pid;
	const char *state;
	uint32_t    generation;
	uint64_t    started_ms;
	uint64_t    since; /* seconds */
	uint64_t    requests;
	uint64_t    duration_us;
	char        method[CLEAN_MAX(SB_METHOD_MAX)];
	char        uri[CLEAN_MAX(SB_URI_MAX)];
	uint32_t    rss_kib;
	const char *pool; /* shown when the LMTP pool runs */
};

static const char *const pool_names[SB_POOLS] = { "membermail", "lmtp" };

static const char *const state_names[] = { [SB_FREE] = "Free",
	[SB_STARTING] = "Starting",
	[SB_IDLE] = "Idle",
	[SB_BUSY] = "Running",
	[SB_EXITING] = "Exiting" };

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint64_t
seconds_since(uint64_t now_ms, uint64_t then_ms)
{
	return then_ms != 0 && now_ms > then_ms ? (now_ms - then_ms) / 1000 : 0;
}

/* Whether the LMTP pool runs (its figures and the pool of each worker). */
static int
lmtp_runs(const struct scoreboard *sb)
{
	return sb->lmtp.want > 0;
}

static void
get_totals(const struct scoreboard *sb, const struct status_extra *x,
    enum sb_pool pool, struct totals *t)
{
	const struct status_queue *q = pool == SB_POOL_LMTP ? &x->lmtp :
							      &x->fcgi;
	uint32_t                   n[5], peak, backlog;

	sb_count(sb, pool, n);
	peak = pool == SB_POOL_LMTP ? sb->lmtp.max_active : sb->max_active;
	t->idle = n[SB_IDLE];
	t->active = n[SB_BUSY];
	t->total = n[SB_STARTING] + n[SB_IDLE] + n[SB_BUSY] + n[SB_EXITING];
	t->max_active = max_u32(peak, t->active);
	t->listen_queue = q->known ? q->listen_queue : 0;
	peak = pool == SB_POOL_LMTP ? sb->lmtp.max_listen_queue :
				      sb->max_listen_queue;
	t->max_listen_queue = max_u32(max_u32(peak, q->max_listen_queue),
	    t->listen_queue);
	backlog = pool == SB_POOL_LMTP ? sb->lmtp.listen_backlog :
					 sb->listen_backlog;
	t->backlog = q->known ? q->listen_backlog : backlog;
	t->since = seconds_since(x->now_ms, sb->start_ms);
}

/*
 * Copies `src` (at most `max` bytes, maybe not NUL-terminated: the
 * scoreboard is written while we read) into dst: printable ASCII other
 * than the space as is, anything else as %HH; "-" when empty.
 */
static void
clean(char *dst, const char *src, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t            i, o = 0;
	unsigned char     c;

	for (i = 0; i < max && src[i] != '\0'; i++) {
		c = (unsigned char)src[i];
		if (c > 0x20 && c < 0x7f)
			dst[o++] = (char)c;
		else {
			dst[o++] = '%';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	if (o == 0)
		dst[o++] = '-';
	dst[o] = '\0';
}

/* Fills p from slot i; 0 when the slot holds no live worker. */
static int
get_proc(const struct scoreboard *sb, const struct status_extra *x, int i,
    struct proc *p)
{
	struct sb_worker w = sb->workers[i]; /* one look */

	if (w.pid == 0 || w.state <= SB_FREE || w.state > SB_EXITING)
		return 0;
	p->pid = w.pid;
	p->state = state_names[w.state];
	p->generation = w.generation;
	p->started_ms = w.started_ms;
	p->since = seconds_since(x->now_ms, w.started_ms);
	p->requests = w.requests;
	if (w.state == SB_BUSY && w.req_start_mono != 0 &&
	    x->now_mono_ms >= w.req_start_mono)
		p->duration_us = (x->now_mono_ms - w.req_start_mono) * 1000;
	else
		p->duration_us = w.req_duration_us;
	clean(p->method, w.method, sizeof(w.method));
	clean(p->uri, w.uri, sizeof(w.uri));
	p->rss_kib = x->rss_kib[i];
	p->pool = lmtp_runs(sb) && w.pool >= 0 && w.pool < SB_POOLS ?
	    pool_names[w.pool] :
	    NULL;
	return 1;
}

/* php-fpm's text time, "28/Nov/2026:08:30:00 +0000", in UTC; 0 is "-". */
static const char *
fmt_time(char *dst, size_t dstsz, uint64_t ms)
{
	time_t    t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(dst, dstsz, "%d/%b/%Y:%H:%M:%S +0000", &tm) == 0)
		snprintf(dst, dstsz, "-");
	return dst;
}

/* ------------------------------------------------------------------ */
/* Text. */

static void
text_str(struct buf *out, const char *label, const char *value)
{
	buf_printf(out, "%-*s%s\n", LABEL_COL, label, value);
}

static void
text_num(struct buf *out, const char *label, uint64_t value)
{
	buf_printf(out, "%-*s%" PRIu64 "\n", LABEL_COL, label, value);
}

static void
text_proc(struct buf *out, const struct proc *p)
{
	char when[TIME_MAX];

	buf_puts(out, "\n************************\n");
	text_num(out, "pid:", (uint64_t)p->pid);
	if (p->pool != NULL)
		text_str(out, "pool:", p->pool);
	text_str(out, "state:", p->state);
	text_num(out, "generation:", p->generation);
	text_str(out,
	    "start time:", fmt_time(when, sizeof(when), p->started_ms));
	text_num(out, "start since:", p->since);
	text_num(out, "requests:", p->requests);
	text_num(out, "request duration:", p->duration_us);
	text_str(out, "request method:", p->method);
	text_str(out, "request URI:", p->uri);
	text_num(out, "RSS:", p->rss_kib);
}

/* A pool's queue and process counts, alike in both pools' blocks. */
static void
text_counts(struct buf *out, const struct totals *t)
{
	text_num(out, "listen queue:", t->listen_queue);
	text_num(out, "max listen queue:", t->max_listen_queue);
	text_num(out, "listen queue len:", t->backlog);
	text_num(out, "idle processes:", t->idle);
	text_num(out, "active processes:", t->active);
	text_num(out, "total processes:", t->total);
	text_num(out, "max active processes:", t->max_active);
}

/* The LMTP pool's block, after the FastCGI pool's. */
static void
text_lmtp(const struct scoreboard *sb, const struct status_extra *x,
    struct buf *out)
{
	struct totals t;

	get_totals(sb, x, SB_POOL_LMTP, &t);
	buf_putc(out, '\n');
	text_str(out, "pool:", pool_names[SB_POOL_LMTP]);
	text_str(out, "process manager:", x->pm);
	text_num(out, "accepted conn:", sb->lmtp.accepted);
	text_num(out, "messages stored:", sb->lmtp.messages);
	text_counts(out, &t);
	text_num(out, "max children reached:", sb->lmtp.max_children_reached);
	text_num(out, "workers wanted:", sb->lmtp.want);
}

void
status_text(const struct scoreboard *sb, const struct status_extra *x, int full,
    struct buf *out)
{
	struct totals t;
	struct proc   p;
	char          when[TIME_MAX];
	int           i;

	get_totals(sb, x, SB_POOL_FCGI, &t);
	text_str(out, "pool:", x->pool);
	text_str(out, "process manager:", x->pm);
	text_str(out,
	    "start time:", fmt_time(when, sizeof(when), sb->start_ms));
	text_num(out, "start since:", t.since);
	text_num(out, "accepted conn:", sb->accepted);
	text_counts(out, &t);
	text_num(out, "max children reached:", sb->max_children_reached);
	text_num(out, "slow requests:", sb->slow_requests);
	text_num(out, "killed by timeout:", sb->killed_by_timeout);
	text_num(out, "crashes:", sb->crashes);
	text_num(out, "generation:", sb->generation);
	text_num(out, "workers wanted:", sb->want_workers);
	if (lmtp_runs(sb))
		text_lmtp(sb, x, out);
	for (i = 0; full && i < SB_MAX_WORKERS; i++)
		if (get_proc(sb, x, i, &p))
			text_proc(out, &p);
}

/* ------------------------------------------------------------------ */
/* JSON: php-fpm's keys, times as Unix epoch seconds. */

/*
 * Adds v (which may be NULL: a failed json_object_new_*) under the
 * constant key k.  Takes the reference to v in every case; a failure sets
 * *bad, so a page is built in full and checked once.
 */
static void
jadd(struct json_object *o, const char *k, struct json_object *v, int *bad)
{
	const unsigned opts = JSON_C_OBJECT_ADD_KEY_IS_NEW |
	    JSON_C_OBJECT_KEY_IS_CONSTANT;

	if (v == NULL || json_object_object_add_ex(o, k, v, opts) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

static struct json_object *
json_proc(const struct proc *p, int *bad)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	jadd(o, "pid", json_object_new_int(p->pid), bad);
	if (p->pool != NULL)
		jadd(o, "pool", json_object_new_string(p->pool), bad);
	jadd(o, "state", json_object_new_string(p->state), bad);
	jadd(o, "generation", json_object_new_uint64(p->generation), bad);
	jadd(o, "start time", json_object_new_uint64(p->started_ms / 1000),
	    bad);
	jadd(o, "start since", json_object_new_uint64(p->since), bad);
	jadd(o, "requests", json_object_new_uint64(p->requests), bad);
	jadd(o, "request duration", json_object_new_uint64(p->duration_us),
	    bad);
	jadd(o, "request method", json_object_new_string(p->method), bad);
	jadd(o, "request uri", json_object_new_string(p->uri), bad);
	jadd(o, "rss", json_object_new_uint64(p->rss_kib), bad);
	return o;
}

static struct json_object *
json_procs(const struct scoreboard *sb, const struct status_extra *x, int *bad)
{
	struct json_object *a, *o;
	struct proc         p;
	int                 i;

	if ((a = json_object_new_array()) == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < SB_MAX_WORKERS; i++) {
		if (!get_proc(sb, x, i, &p))
			continue;
		if ((o = json_proc(&p, bad)) == NULL ||
		    json_object_array_add(a, o) != 0) {
			json_object_put(o);
			*bad = 1;
		}
	}
	return a;
}

static void
json_pool(struct json_object *o, const struct scoreboard *sb,
    const struct status_extra *x, const struct totals *t, int *bad)
{
	jadd(o, "pool", json_object_new_string(x->pool), bad);
	jadd(o, "process manager", json_object_new_string(x->pm), bad);
	jadd(o, "start time", json_object_new_uint64(sb->start_ms / 1000), bad);
	jadd(o, "start since", json_object_new_uint64(t->since), bad);
	jadd(o, "accepted conn", json_object_new_uint64(sb->accepted), bad);
	jadd(o, "listen queue", json_object_new_uint64(t->listen_queue), bad);
	jadd(o, "max listen queue", json_object_new_uint64(t->max_listen_queue),
	    bad);
	jadd(o, "listen queue len", json_object_new_uint64(t->backlog), bad);
	jadd(o, "idle processes", json_object_new_uint64(t->idle), bad);
	jadd(o, "active processes", json_object_new_uint64(t->active), bad);
	jadd(o, "total processes", json_object_new_uint64(t->total), bad);
	jadd(o, "max active processes", json_object_new_uint64(t->max_active),
	    bad);
	jadd(o, "max children reached",
	    json_object_new_uint64(sb->max_children_reached), bad);
	jadd(o, "slow requests", json_object_new_uint64(sb->slow_requests),
	    bad);
	jadd(o, "killed by timeout",
	    json_object_new_uint64(sb->killed_by_timeout), bad);
	jadd(o, "crashes", json_object_new_uint64(sb->crashes), bad);
	jadd(o, "generation", json_object_new_uint64(sb->generation), bad);
	jadd(o, "workers wanted", json_object_new_uint64(sb->want_workers),
	    bad);
}

static struct json_object *
json_lmtp(const struct scoreboard *sb, const struct status_extra *x, int *bad)
{
	struct json_object *o;
	struct totals       t;

	if ((o = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	get_totals(sb, x, SB_POOL_LMTP, &t);
	jadd(o, "pool", json_object_new_string(pool_names[SB_POOL_LMTP]), bad);
	jadd(o, "process manager", json_object_new_string(x->pm), bad);
	jadd(o, "accepted conn", json_object_new_uint64(sb->lmtp.accepted),
	    bad);
	jadd(o, "messages stored", json_object_new_uint64(sb->lmtp.messages),
	    bad);
	jadd(o, "listen queue", json_object_new_uint64(t.listen_queue), bad);
	jadd(o, "max listen queue", json_object_new_uint64(t.max_listen_queue),
	    bad);
	jadd(o, "listen queue len", json_object_new_uint64(t.backlog), bad);
	jadd(o, "idle processes", json_object_new_uint64(t.idle), bad);
	jadd(o, "active processes", json_object_new_uint64(t.active), bad);
	jadd(o, "total processes", json_object_new_uint64(t.total), bad);
	jadd(o, "max active processes", json_object_new_uint64(t.max_active),
	    bad);
	jadd(o, "max children reached",
	    json_object_new_uint64(sb->lmtp.max_children_reached), bad);
	jadd(o, "workers wanted", json_object_new_uint64(sb->lmtp.want), bad);
	return o;
}

void
status_json(const struct scoreboard *sb, const struct status_extra *x, int full,
    struct buf *out)
{
	struct json_object *o;
	struct totals       t;
	const char         *s;
	size_t              len;
	int                 bad = 0;

	if ((o = json_object_new_object()) == NULL) {
		out->failed = 1;
		return;
	}
	get_totals(sb, x, SB_POOL_FCGI, &t);
	json_pool(o, sb, x, &t, &bad);
	if (lmtp_runs(sb))
		jadd(o, "lmtp", json_lmtp(sb, x, &bad), &bad);
	if (full)
		jadd(o, "processes", json_procs(sb, x, &bad), &bad);
	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (bad || s == NULL)
		out->failed = 1;
	else {
		buf_append(out, s, len);
		buf_putc(out, '\n');
	}
	json_object_put(o); /* frees s too */
}

/* ------------------------------------------------------------------ */
/* Prometheus text exposition format 0.0.4. */

enum metric {
	M_UP,
	M_START_TIME,
	M_ACCEPTED,
	M_LISTEN_QUEUE,
	M_MAX_LISTEN_QUEUE,
	M_LISTEN_QUEUE_LEN,
	M_IDLE,
	M_ACTIVE,
	M_TOTAL,
	M_MAX_ACTIVE,
	M_MAX_CHILDREN,
	M_SLOW,
	M_KILLED,
	M_CRASHES,
	M_WANTED,
	M__MAX
};

static const struct {
	const char *name;
	const char *type;
	const char *help;
} metrics[M__MAX] = {
	[M_UP] = { "membermail_up", "gauge",
	    "Whether the status process answers (always 1 when it does)." },
	[M_START_TIME] = { "membermail_start_time_seconds", "gauge",
	    "When the master started, in seconds since the Unix epoch." },
	[M_ACCEPTED] = { "membermail_accepted_connections_total", "counter",
	    "Requests accepted by the workers." },
	[M_LISTEN_QUEUE] = { "membermail_listen_queue", "gauge",
	    "Connections waiting in the app socket's accept queue." },
	[M_MAX_LISTEN_QUEUE] = { "membermail_max_listen_queue", "gauge",
	    "Most connections seen waiting in the accept queue." },
	[M_LISTEN_QUEUE_LEN] = { "membermail_listen_queue_length", "gauge",
	    "Size of the accept queue (the socket's backlog)." },
	[M_IDLE] = { "membermail_idle_processes", "gauge",
	    "Workers waiting for a request." },
	[M_ACTIVE] = { "membermail_active_processes", "gauge",
	    "Workers serving a request." },
	[M_TOTAL] = { "membermail_total_processes", "gauge",
	    "Live workers, starting and exiting ones included." },
	[M_MAX_ACTIVE] = { "membermail_max_active_processes", "gauge",
	    "Most workers serving requests at once." },
	[M_MAX_CHILDREN] = { "membermail_max_children_reached_total", "counter",
	    "Times every worker was busy at once." },
	[M_SLOW] = { "membermail_slow_requests_total", "counter",
	    "Requests slower than slow_request." },
	[M_KILLED] = { "membermail_killed_by_timeout_total", "counter",
	    "Workers killed for running past request_timeout." },
	[M_CRASHES] = { "membermail_crashes_total", "counter",
	    "Workers that exited abnormally." },
	[M_WANTED] = { "membermail_workers_wanted", "gauge",
	    "Workers the master is keeping (workers, TTIN, TTOU)." },
};

/* A pool's values (the LMTP pool has no request or crash figures). */
static void
pool_values(const struct scoreboard *sb, const struct status_extra *x,
    enum sb_pool pool, uint64_t v[M__MAX])
{
	struct totals t;
	int           lmtp = pool == SB_POOL_LMTP;

	get_totals(sb, x, pool, &t);
	v[M_UP] = 1;
	v[M_START_TIME] = sb->start_ms; /* written as seconds below */
	v[M_ACCEPTED] = lmtp ? sb->lmtp.accepted : sb->accepted;
	v[M_LISTEN_QUEUE] = t.listen_queue;
	v[M_MAX_LISTEN_QUEUE] = t.max_listen_queue;
	v[M_LISTEN_QUEUE_LEN] = t.backlog;
	v[M_IDLE] = t.idle;
	v[M_ACTIVE] = t.active;
	v[M_TOTAL] = t.total;
	v[M_MAX_ACTIVE] = t.max_active;
	v[M_MAX_CHILDREN] = lmtp ? sb->lmtp.max_children_reached :
				   sb->max_children_reached;
	v[M_SLOW] = sb->slow_requests;
	v[M_KILLED] = sb->killed_by_timeout;
	v[M_CRASHES] = sb->crashes;
	v[M_WANTED] = lmtp ? sb->lmtp.want : sb->want_workers;
}

/* Whether metric m has a series of the LMTP pool, and it is known. */
static int
lmtp_series(const struct scoreboard *sb, const struct status_extra *x, int m)
{
	if (!lmtp_runs(sb) || m == M_UP || m == M_START_TIME || m == M_SLOW ||
	    m == M_KILLED || m == M_CRASHES)
		return 0;
	return m != M_LISTEN_QUEUE || x->lmtp.known;
}

/*
 * The FastCGI pool's series carry no label (they came first); the LMTP
 * pool's, when it runs, the label pool="lmtp".
 */
void
status_metrics(const struct scoreboard *sb, const struct status_extra *x,
    struct buf *out)
{
	uint64_t v[M__MAX], l[M__MAX];
	int      m, fcgi, lmtp;

	pool_values(sb, x, SB_POOL_FCGI, v);
	pool_values(sb, x, SB_POOL_LMTP, l);
	for (m = 0; m < M__MAX; m++) {
		fcgi = m != M_LISTEN_QUEUE || x->fcgi.known; /* unknown != 0 */
		lmtp = lmtp_series(sb, x, m);
		if (!fcgi && !lmtp)
			continue;
		buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", metrics[m].name,
		    metrics[m].help, metrics[m].name, metrics[m].type);
		if (m == M_START_TIME)
			buf_printf(out, "%s %" PRIu64 ".%03u\n",
			    metrics[m].name, v[m] / 1000,
			    (unsigned int)(v[m] % 1000));
		else if (fcgi)
			buf_printf(out, "%s %" PRIu64 "\n", metrics[m].name,
			    v[m]);
		if (lmtp)
			buf_printf(out, "%s{pool=\"lmtp\"} %" PRIu64 "\n",
			    metrics[m].name, l[m]);
	}
	if (lmtp_runs(sb))
		buf_printf(out,
		    "# HELP membermail_lmtp_messages_total Message copies "
		    "the LMTP workers stored (one per recipient).\n"
		    "# TYPE membermail_lmtp_messages_total counter\n"
		    "membermail_lmtp_messages_total %" PRIu64 "\n",
		    sb->lmtp.messages);
}

/* ------------------------------------------------------------------ */
/* Who may read the pages. */

/* ------------------------------------------------------------------ */
/* The process. */

enum page {
	PAGE_PING,
	PAGE_STATUS,
	PAGE_METRICS,
	PAGE_NONE
};

/*
 * One request.  The FastCGI params die at FCGX_Finish_r, so what the log
 * line needs afterwards is copied (quoted) when the request is read.
 */
struct sreq {
	const char     *method; /* params: until FCGX_Finish_r */
	const char     *uri;
	const char     *remote;
	char            id[65];         /* copies, for the log */
	char            log_method[16]; /* raw copies, cut */
	char            log_path[LOG_QUOTE_MAX];
	size_t          log_pathlen;
	size_t          pathlen; /* uri[0..pathlen) is the path */
	const char     *query;   /* after '?', or "" */
	int             head;    /* HEAD: no body */
	int             status;
	const char     *ctype;
	const char     *allow;  /* Allow header for 405, or NULL */
	const char     *reason; /* for the log */
	size_t          bytes;
	struct timespec start;
};

/* State of the status process, set up once. */
struct sproc {
	const struct config     *cfg;
	const struct scoreboard *sb;
	int                      app_fd;
	int                      lmtp_fd; /* -1: no LMTP pool */
	FCGX_Request             fr;
	struct buf               out;
	struct scoreboard        snap; /* a consistent copy per page */
	struct status_extra      extra;
	uint32_t                 max_queue; /* most we have seen */
	uint32_t                 max_lmtp_queue;
	int                      queue_warned;
	long                     page_kib;
};

/* nginx's $request_id, or "-" when absent or odd (as req.c). */
static void
request_id(char *dst, size_t dstsz, const char *v)
{
	size_t i, n = v != NULL ? strlen(v) : 0;

	for (i = 0; i < n; i++)
		if (!(v[i] >= '0' && v[i] <= '9') &&
		    !(v[i] >= 'a' && v[i] <= 'z') &&
		    !(v[i] >= 'A' && v[i] <= 'Z') && v[i] != '-')
			break;
	if (n == 0 || n >= dstsz || i < n) {
		snprintf(dst, dstsz, "-");
		return;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void
read_params(struct sreq *q, FCGX_ParamArray envp)
{
	const char *uri, *mark;

	memset(q, 0, sizeof(*q));
	clock_gettime(CLOCK_MONOTONIC, &q->start);
	q->method = FCGX_GetParam("REQUEST_METHOD", envp);
	uri = FCGX_GetParam("REQUEST_URI", envp);
	q->uri = uri != NULL ? uri : "";
	q->remote = FCGX_GetParam("REMOTE_ADDR", envp);
	request_id(q->id, sizeof(q->id), FCGX_GetParam("REQUEST_ID", envp));
	if ((mark = strchr(q->uri, '?')) != NULL) {
		q->pathlen = (size_t)(mark - q->uri);
		q->query = mark + 1;
	} else {
		q->pathlen = strlen(q->uri);
		q->query = "";
	}
	q->head = q->method != NULL && strcmp(q->method, "HEAD") == 0;
	snprintf(q->log_method, sizeof(q->log_method), "%s",
	    q->method != NULL ? q->method : "-");
	q->log_pathlen = q->pathlen < sizeof(q->log_path) ? q->pathlen :
							    sizeof(q->log_path);
	memcpy(q->log_path, q->uri, q->log_pathlen);
}

static enum page
which_page(const struct sreq *q)
{
	static const struct {
		const char *path;
		enum page   page;
	} pages[] = {
		{ "/ping", PAGE_PING },
		{ "/status", PAGE_STATUS },
		{ "/metrics", PAGE_METRICS },
	};
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strlen(pages[i].path) == q->pathlen &&
		    memcmp(pages[i].path, q->uri, q->pathlen) == 0)
			return pages[i].page;
	return PAGE_NONE;
}

/* Whether the query string has the flag `name` ("json", "full"). */
static int
query_flag(const char *query, const char *name)
{
	size_t n, key, len = strlen(name);

	while (*query != '\0') {
		n = strcspn(query, "&");
		key = strcspn(query, "=&");
		if (key == len && memcmp(query, name, len) == 0)
			return 1;
		query += n;
		if (*query == '&')
			query++;
	}
	return 0;
}

static void
reply(struct sproc *sp, struct sreq *q, int status, const char *ctype,
    const char *body)
{
	buf_reset(&sp->out);
	buf_puts(&sp->out, body);
	q->status = status;
	q->ctype = ctype;
}

/* Resident set of a process in KiB from /proc/<pid>/statm; 0 if unknown. */
static uint32_t
rss_kib(pid_t pid, long page_kib)
{
	char        path[64], b[128];
	const char *p;
	uint64_t    pages = 0;
	ssize_t     n;
	int         fd;

	snprintf(path, sizeof(path), "/proc/%ld/statm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	if ((p = strchr(b, ' ')) == NULL) /* "size resident shared ..." */
		return 0;
	for (p++; *p >= '0' && *p <= '9' && pages < (1ULL << 40); p++)
		pages = pages * 10 + (uint64_t)(*p - '0');
	pages *= (uint64_t)page_kib;
	return pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
}

/* A socket's accept queue now, and the peak this process saw. */
static void
measure(struct sproc *sp, int fd, struct status_queue *q, uint32_t *peak)
{
	uint32_t queued, backlog;

	if (listen_queue(fd, &queued, &backlog) == 0) {
		q->known = 1;
		q->listen_queue = queued;
		q->listen_backlog = backlog;
		*peak = max_u32(*peak, queued);
	} else if (!sp->queue_warned) {
		sp->queue_warned = 1;
		log_warn("listen_queue_unknown",
		    LOG_STR("msg", strerror(errno)));
	}
	q->max_listen_queue = *peak;
}

/* Copies the scoreboard and gathers what it does not hold. */
static void
gather(struct sproc *sp, int full)
{
	struct status_extra *x = &sp->extra;
	int                  i;

	memcpy(&sp->snap, sp->sb, sizeof(sp->snap));
	memset(x, 0, sizeof(*x));
	x->pool = "membermail";
	x->pm = "static";
	x->now_ms = sb_now_ms();
	x->now_mono_ms = sb_mono_ms();
	measure(sp, sp->app_fd, &x->fcgi, &sp->max_queue);
	if (sp->lmtp_fd != -1)
		measure(sp, sp->lmtp_fd, &x->lmtp, &sp->max_lmtp_queue);
	for (i = 0; full && i < SB_MAX_WORKERS; i++)
		if (sp->snap.workers[i].pid > 0 &&
		    sp->snap.workers[i].state != SB_FREE)
			x->rss_kib[i] = rss_kib(sp->snap.workers[i].pid,
			    sp->page_kib);
}

static void
render(struct sproc *sp, struct sreq *q, enum page page)
{
	int json = query_flag(q->query, "json");
	int full = query_flag(q->query, "full");

	gather(sp, full && page == PAGE_STATUS);
	buf_reset(&sp->out);
	q->status = 200;
	if (page == PAGE_METRICS) {
		q->ctype = "text/plain; version=0.0.4; charset=utf-8";
		status_metrics(&sp->snap, &sp->extra, &sp->out);
	} else if (json) {
		q->ctype = "application/json";
		status_json(&sp->snap, &sp->extra, full, &sp->out);
	} else {
		q->ctype = "text/plain; charset=utf-8";
		status_text(&sp->snap, &sp->extra, full, &sp->out);
	}
	if (sp->out.failed) {
		q->reason = "page over its bound or out of memory";
		reply(sp, q, 500, "text/plain; charset=utf-8",
		    "Internal Server Error\n");
	}
}

static void
dispatch(struct sproc *sp, struct sreq *q)
{
	enum page   page = which_page(q);
	const char *m = q->method != NULL ? q->method : "";
	const char *text = "text/plain; charset=utf-8";

	if (page == PAGE_NONE)
		reply(sp, q, 404, text, "Not Found\n");
	else if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		q->allow = "GET, HEAD";
		reply(sp, q, 405, text, "Method Not Allowed\n");
	} else if (page == PAGE_PING)
		reply(sp, q, 200, text, "pong\n");
	else if (!netaddr_in_list(sp->cfg->status_allow, q->remote)) {
		q->reason = "address not in status_allow";
		reply(sp, q, 403, text, "Forbidden\n");
	} else
		render(sp, q, page);
}

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

/* Writes the response; -1 if the web server went away. */
static int
send_reply(struct sproc *sp, struct sreq *q)
{
	char head[256];
	int  n;

	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n%s%s%s\r\n",
	    q->status, reason_phrase(q->status), q->ctype, sp->out.len,
	    q->allow != NULL ? "Allow: " : "", q->allow != NULL ? q->allow : "",
	    q->allow != NULL ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    FCGX_PutStr(head, n, sp->fr.out) < 0)
		return -1;
	if (!q->head && sp->out.len > 0 &&
	    FCGX_PutStr(sp->out.data, (int)sp->out.len, sp->fr.out) < 0)
		return -1;
	q->bytes = q->head ? 0 : sp->out.len;
	return 0;
}

/* One line per status request, like req_log, but at debug level. */
static void
log_request(const struct sreq *q)
{
	struct timespec now;
	double          ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - q->start.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - q->start.tv_nsec) / 1e6;
	if (q->reason != NULL)
		log_debug("status_request", LOG_WORD("id", q->id),
		    LOG_STR("method", q->log_method),
		    LOG_STRN("path", q->log_path, q->log_pathlen),
		    LOG_INT("status", q->status), LOG_UINT("bytes", q->bytes),
		    LOG_MS("ms", ms), LOG_STR("reason", q->reason));
	else
		log_debug("status_request", LOG_WORD("id", q->id),
		    LOG_STR("method", q->log_method),
		    LOG_STRN("path", q->log_path, q->log_pathlen),
		    LOG_INT("status", q->status), LOG_UINT("bytes", q->bytes),
		    LOG_MS("ms", ms));
}

/* Between requests: USR1 reopens the log file (as a worker does). */
/* Serves requests; returns why it stopped, for the log. */
static const char *
serve(struct sproc *sp)
{
	struct sreq q;
	int         rc;

	while ((rc = child_accept(&sp->fr)) == 1) {
		read_params(&q, sp->fr.envp);
		dispatch(sp, &q);
		if (send_reply(sp, &q) == -1 && q.reason == NULL)
			q.reason = "client went away";
		FCGX_Finish_r(&sp->fr);
		log_request(&q);
	}
	return rc == 0 ? "stop" : "accept failed";
}

void
status_main(const struct config *cfg, int fd, int app_fd, int lmtp_fd,
    const struct scoreboard *sb, const struct privs *privs,
    const sigset_t *unblock)
{
	static struct sproc sp; /* static: the snapshot is 47 KiB */
	const char         *why;
	long                page;

	child_setup("mm-status", fd, privs, unblock);
	sp.cfg = cfg;
	sp.sb = sb;
	sp.app_fd = app_fd;
	sp.lmtp_fd = lmtp_fd;
	page = sysconf(_SC_PAGESIZE);
	sp.page_kib = page > 0 ? page / 1024 : 4;
	buf_init(&sp.out, STATUS_OUT_MAX);
	if (FCGX_InitRequest(&sp.fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		log_fatal("status_setup_failed",
		    LOG_STR("msg", "out of memory"));
	log_debug("status_ready");
	why = serve(&sp);
	log_debug("status_done", LOG_STR("why", why));
	FCGX_Free(&sp.fr, 1);
	buf_free(&sp.out);
	exit(strcmp(why, "accept failed") == 0 ? 1 : 0);
}
