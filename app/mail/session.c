/* session.c - one LMTP connection; see session.h. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "mail/deliver.h"
#include "mail/mime.h"
#include "mail/session.h"
#include "mail/summary.h"
#include "proto/lmtp.h"

#define READ_CHUNK   (64 * 1024)
#define MAX_RCPTS    100  /* per transaction, as Postfix sends at most */
#define POLL_MS      1000 /* a stop is noticed within this */
#define FLUSH_AT     (16 * 1024)
#define QUEUE_ID_MAX 32

struct session {
	const struct lmtp_env *env;
	int                    fd;
	struct lmtp            l;
	struct deliver_box    *boxes; /* MAX_RCPTS, by accepted recipient */
	unsigned long          stored;
	int                    broken; /* the connection failed */
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the replies waiting; -1 when the client is gone. */
static int
flush(struct session *s)
{
	struct buf *out = &s->l.out;
	size_t      off = 0;
	ssize_t     n;

	while (off < out->len && !s->broken) {
		n = write(s->fd, out->data + off, out->len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n == -1 && errno == EINTR)
			continue;
		else
			s->broken = 1;
	}
	buf_reset(out);
	return s->broken ? -1 : 0;
}

/*
 * Waits for input: 1 when there is some, 0 when the client stayed silent
 * for lmtp_timeout, -1 when told to stop between transactions.
 */
static int
wait_input(struct session *s)
{
	struct pollfd p = { s->fd, POLLIN, 0 };
	double        until = mono() + s->env->cfg->lmtp_timeout;
	int           rc;

	for (;;) {
		if (*s->env->stopping && !s->l.in_mail)
			return -1;
		if ((rc = poll(&p, 1, POLL_MS)) > 0)
			return 1;
		if (rc == -1 && errno != EINTR)
			return 1; /* read() will tell */
		if (mono() >= until)
			return 0;
	}
}

static const char *
full_reply(const struct session *s)
{
	return s->env->cfg->over_quota_reply == OVER_QUOTA_TEMPORARY ?
	    "452 4.2.2 Mailbox full, try again later" :
	    "552 5.2.2 Mailbox full";
}

static const char *
reply_for(const struct session *s, enum deliver_outcome o, int at_rcpt)
{
	switch (o) {
	case DELIVER_OK:
		return at_rcpt ? "250 2.1.5 OK" : "250 2.0.0 Stored";
	case DELIVER_UNKNOWN:
	case DELIVER_BAD_ADDRESS:
		return "550 5.1.1 Unknown mailbox";
	case DELIVER_FULL:
		return full_reply(s);
	default:
		return "451 4.3.0 Temporary failure, try again later";
	}
}

static void
judge_rcpt(struct session *s)
{
	struct deliver_box  *b = &s->boxes[s->l.nrcpt];
	enum deliver_outcome o;

	o = deliver_find(s->env->db, lmtp_pending_rcpt(&s->l), s->l.size_hint,
	    b);
	if (o != DELIVER_OK)
		log_info("lmtp_rcpt_refused", LOG_INT("mailbox", b->mailbox_id),
		    LOG_STRN("reply", reply_for(s, o, 1), 3));
	lmtp_rcpt_verdict(&s->l, reply_for(s, o, 1));
}

/*
 * Postfix's queue id (XFORWARD IDENT), the key that stores a retried
 * delivery once.  Without it (a client that does not send XFORWARD) a
 * random one stands in: stored, but a retry would be stored again.
 */
static void
queue_id(struct session *s, char id[QUEUE_ID_MAX + 1])
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	size_t            i;

	if (lmtp_ident(&s->l)[0] != '\0') {
		memcpy(id, lmtp_ident(&s->l), strlen(lmtp_ident(&s->l)) + 1);
		return;
	}
	for (i = 0; i < 20; i++)
		id[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	id[i] = '\0';
	log_warn("lmtp_no_queue_id",
	    LOG_STR("msg",
		"the client sent no XFORWARD IDENT: a retried delivery "
		"would be stored twice (Postfix: "
		"lmtp_send_xforward_command = yes)"));
}

#ifdef MM_TEST_HOOKS
/*
 * The tests' lost 250: when the file $MM_TEST_LMTP_DROP_REPLY exists, it
 * is removed and the connection dropped after the first copy is stored,
 * as if the reply had been lost.  Postfix then tries again.
 */
static int
drop_reply(void)
{
	const char *f = getenv("MM_TEST_LMTP_DROP_REPLY");

	return f != NULL && unlink(f) == 0;
}

/*
 * The tests' database stopped mid-delivery: while the file
 * $MM_TEST_LMTP_STALL exists (30 s at most), a message that arrived waits
 * before it is stored, and says so in the log once.
 */
static void
stall(void)
{
	const char *f = getenv("MM_TEST_LMTP_STALL");
	int         i;

	if (f == NULL || access(f, F_OK) != 0)
		return;
	log_info("test_lmtp_stall");
	for (i = 0; i < 600 && access(f, F_OK) == 0; i++)
		nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
}
#endif

static void
store_copy(struct session *s, size_t i, const char *qid, const struct buf *sum,
    double t0)
{
	const struct deliver_box *b = &s->boxes[i];
	enum deliver_outcome      o = DELIVER_TEMPFAIL;
	const char               *why = "deadline";

	if (mono() - t0 < s->env->cfg->lmtp_timeout) {
		o = deliver_store(s->env->db, b, qid, s->l.msg.data,
		    s->l.msg.len, (const unsigned char *)sum->data, sum->len);
		why = NULL;
	}
	if (o == DELIVER_OK)
		s->stored++;
	log_info("lmtp_delivery", LOG_INT("mailbox", b->mailbox_id),
	    LOG_INT("message", b->message_id), LOG_WORD("queue_id", qid),
	    LOG_UINT("size", s->l.msg.len),
	    LOG_STRN("reply", reply_for(s, o, 0), 3), LOG_OPT("why", why));
#ifdef MM_TEST_HOOKS
	if (o == DELIVER_OK && drop_reply()) {
		s->broken = 1;
		return;
	}
#endif
	lmtp_deliver_reply(&s->l, reply_for(s, o, 0));
}

/* A message is complete: its summary once, then a sealed copy each. */
static void
deliver_message(struct session *s)
{
	struct mime_view v;
	struct buf       sum;
	char             qid[QUEUE_ID_MAX + 1];
	double           t0 = mono();
	size_t           i, n = lmtp_nrcpt(&s->l);

	arena_reset(s->env->arena);
	buf_init(&sum, SUMMARY_MAX);
	if (mime_read(&v, s->l.msg.data, s->l.msg.len, MIME_SUMMARY,
		s->env->arena) == 0)
		summary_encode(&sum, &v.sum);
	queue_id(s, qid);
#ifdef MM_TEST_HOOKS
	stall();
#endif
	for (i = 0; i < n && !s->broken; i++) {
		if (sum.failed || sum.len == 0)
			lmtp_deliver_reply(&s->l,
			    "451 4.3.0 Out of memory, try again later");
		else
			store_copy(s, i, qid, &sum, t0);
	}
	buf_free(&sum);
	arena_reset(s->env->arena);
}

/* Feeds what was read, acting on each event; -1 to end the session. */
static int
feed(struct session *s, const char *in, size_t len)
{
	enum lmtp_event ev;
	size_t          used;

	while (len > 0 || s->l.out.len > 0) {
		ev = lmtp_feed(&s->l, in, len, &used);
		in += used;
		len -= used;
		if (ev == LMTP_RCPT)
			judge_rcpt(s);
		else if (ev == LMTP_MESSAGE)
			deliver_message(s);
		if (s->env->progress != NULL && ev != LMTP_MORE)
			s->env->progress(s->env->ctx, s->stored);
		if ((ev == LMTP_CLOSE || len == 0 ||
			s->l.out.len >= FLUSH_AT) &&
		    flush(s) == -1)
			return -1;
		if (ev == LMTP_CLOSE || s->broken)
			return -1;
	}
	return 0;
}

static void
serve(struct session *s, char *buf)
{
	ssize_t n;
	int     rc;

	for (;;) {
		if ((rc = wait_input(s)) != 1) {
			lmtp_say(&s->l,
			    rc == 0 ?
				"421 4.4.2 Idle for too long, closing" :
				"421 4.3.2 Shutting down, try again later");
			(void)flush(s);
			return;
		}
		if ((n = read(s->fd, buf, READ_CHUNK)) == -1 && errno == EINTR)
			continue;
		if (n <= 0 || feed(s, buf, (size_t)n) == -1)
			return;
	}
}

unsigned long
lmtp_session(int fd, const struct lmtp_env *env)
{
	struct lmtp_settings set = { env->hostname, env->cfg->max_message_size,
		MAX_RCPTS };
	struct session       s;
	char                *buf;

	memset(&s, 0, sizeof(s));
	s.env = env;
	s.fd = fd;
	lmtp_init(&s.l, &set);
	s.boxes = calloc(MAX_RCPTS, sizeof(*s.boxes));
	buf = malloc(READ_CHUNK);
	lmtp_greeting(&s.l);
	if (s.boxes == NULL || buf == NULL)
		lmtp_say(&s.l, "421 4.3.1 Out of memory");
	if (flush(&s) == 0 && s.boxes != NULL && buf != NULL)
		serve(&s, buf);
	free(buf);
	free(s.boxes);
	lmtp_free(&s.l);
	return s.stored;
}
