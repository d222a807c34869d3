/* lmtp.c - the LMTP server state machine; see lmtp.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/lmtp.h"

#define REPLIES_MAX     (64 * 1024)   /* bound on unwritten replies */
#define KEEP_BUFFER     (1024 * 1024) /* a larger message buffer is freed */
#define RETURN_PATH_MAX (LMTP_ADDR_MAX + 20) /* the header we add */

/* Dot-unstuffing states of DATA. */
enum {
	D_BOL,   /* at the start of a line */
	D_DOT,   /* a '.' began the line */
	D_DOTCR, /* ".\r" */
	D_TEXT,  /* inside a line */
	D_CR     /* a '\r' inside a line */
};

static void
reply(struct lmtp *l, const char *line)
{
	buf_puts(&l->out, line);
	buf_append(&l->out, "\r\n", 2);
}

/* A refused command: counted, and too many end the session. */
static void
refuse(struct lmtp *l, const char *line)
{
	if (++l->errors > LMTP_ERRORS_MAX) {
		reply(l, "421 4.7.0 Too many errors, closing the connection");
		l->state = LMTP_S_CLOSED;
		return;
	}
	reply(l, line);
}

static void
reset_transaction(struct lmtp *l)
{
	size_t i;

	for (i = 0; i < l->nrcpt; i++)
		free(l->rcpts[i]);
	l->nrcpt = 0;
	l->replied = 0;
	l->in_mail = 0;
	l->size_hint = 0;
	l->too_big = 0;
	l->sender[0] = '\0';
	l->ident[0] = '\0';
	if (l->msg.cap > KEEP_BUFFER)
		buf_free(&l->msg);
	buf_reset(&l->msg);
	l->msg.max = l->set.max_message + RETURN_PATH_MAX;
}

void
lmtp_init(struct lmtp *l, const struct lmtp_settings *set)
{
	memset(l, 0, sizeof(*l));
	l->set = *set;
	if (l->set.max_rcpts == 0)
		l->set.max_rcpts = 1;
	l->rcpts = calloc(l->set.max_rcpts, sizeof(*l->rcpts));
	buf_init(&l->out, REPLIES_MAX);
	buf_init(&l->msg, set->max_message + RETURN_PATH_MAX);
	l->state = LMTP_S_COMMAND;
	if (l->rcpts == NULL)
		l->state = LMTP_S_CLOSED;
}

void
lmtp_free(struct lmtp *l)
{
	reset_transaction(l);
	free(l->rcpts);
	buf_free(&l->out);
	buf_free(&l->msg);
	memset(l, 0, sizeof(*l));
}

void
lmtp_greeting(struct lmtp *l)
{
	if (l->state == LMTP_S_CLOSED) {
		reply(l, "421 4.3.2 Service not available");
		return;
	}
	buf_printf(&l->out, "220 %s LMTP membermail ready\r\n",
	    l->set.hostname);
}

/* The verb's arguments if line starts with verb and a space (or ends). */
static char *
match_verb(char *line, const char *verb)
{
	size_t n = strlen(verb);

	if (strncasecmp(line, verb, n) != 0)
		return NULL;
	if (line[n] == '\0')
		return line + n;
	if (line[n] != ' ')
		return NULL;
	return line + n + 1;
}

/* Printable ASCII or UTF-8 bytes (SMTPUTF8 addresses are not refused). */
static int
path_char_ok(unsigned char c)
{
	return c > ' ' && c != 0x7f;
}

/*
 * Parses "<path>" at *p (after "FROM:" or "TO:" and optional spaces) into
 * out; an "@a,@b:" source route is dropped.  *p moves past the '>'.
 */
static int
parse_path(char **p, char *out, size_t outsz)
{
	char  *s = *p, *end, *addr;
	size_t n;
	int    quoted = 0;

	while (*s == ' ')
		s++;
	if (*s++ != '<')
		return -1;
	for (end = s; *end != '\0' && (quoted || *end != '>'); end++) {
		if (*end == '"')
			quoted = !quoted;
		else if (*end == '\\' && quoted && end[1] != '\0')
			end++;
		else if (!quoted && !path_char_ok((unsigned char)*end))
			return -1;
	}
	if (*end != '>')
		return -1;
	addr = s;
	if (*addr == '@' && (addr = memchr(s, ':', (size_t)(end - s))) != NULL)
		addr++;
	else
		addr = s;
	n = (size_t)(end - addr);
	if (n >= outsz)
		return -1;
	memcpy(out, addr, n);
	out[n] = '\0';
	*p = end + 1;
	return 0;
}

/*
 * The next KEY=VALUE parameter at *p, after spaces: 1, or 0 at the end.
 * Parameters follow a path after a space: params_start checks that one.
 */
static int
next_param(char **p, char **key, char **value)
{
	char *s = *p, *eq;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	*key = s;
	while (*s != '\0' && *s != ' ')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	if ((eq = strchr(*key, '=')) != NULL)
		*eq++ = '\0';
	*value = eq != NULL ? eq : *key + strlen(*key);
	return 1;
}

static int
params_start(const char *s)
{
	return *s == '\0' || *s == ' ';
}

static void
cmd_lhlo(struct lmtp *l, char *arg)
{
	if (*arg == '\0') {
		refuse(l, "501 5.5.4 LHLO needs a host name");
		return;
	}
	reset_transaction(l);
	l->greeted = 1;
	buf_printf(&l->out,
	    "250-%s\r\n250-PIPELINING\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE %zu\r\n"
	    "250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n",
	    l->set.hostname, l->set.max_message);
}

/* MAIL's SIZE and BODY parameters; a reply line when refused, or NULL. */
static const char *
mail_params(struct lmtp *l, char *p)
{
	char              *key, *value, *end;
	unsigned long long size;

	if (!params_start(p))
		return "501 5.5.4 Syntax error in parameters";
	while (next_param(&p, &key, &value) == 1) {
		if (strcasecmp(key, "SIZE") == 0) {
			if (!isdigit((unsigned char)*value))
				return "501 5.5.4 Bad SIZE parameter";
			size = strtoull(value, &end, 10);
			if (*end != '\0')
				return "501 5.5.4 Bad SIZE parameter";
			if (size > l->set.max_message)
				return "552 5.3.4 Message size exceeds fixed "
				       "maximum message size";
			l->size_hint = size;
		} else if (strcasecmp(key, "BODY") == 0) {
			if (strcasecmp(value, "7BIT") != 0 &&
			    strcasecmp(value, "8BITMIME") != 0)
				return "501 5.5.4 Bad BODY parameter";
		} else
			return "555 5.5.4 Unsupported parameter";
	}
	return NULL;
}

/* What follows a case-insensitive prefix ("FROM:"), or NULL. */
static char *
after_prefix(char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

static void
cmd_mail(struct lmtp *l, char *arg)
{
	const char *why;

	if (!l->greeted) {
		refuse(l, "503 5.5.1 Send LHLO first");
		return;
	}
	if (l->in_mail) {
		refuse(l, "503 5.5.1 Nested MAIL command");
		return;
	}
	if ((arg = after_prefix(arg, "FROM:")) == NULL ||
	    parse_path(&arg, l->sender, sizeof(l->sender)) == -1) {
		refuse(l, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	if ((why = mail_params(l, arg)) != NULL) {
		l->sender[0] = '\0';
		refuse(l, why);
		return;
	}
	l->in_mail = 1;
	reply(l, "250 2.1.0 Sender OK");
}

static void
cmd_rcpt(struct lmtp *l, char *arg)
{
	char *key, *value;

	if (!l->in_mail) {
		refuse(l, "503 5.5.1 Need MAIL before RCPT");
		return;
	}
	if ((arg = after_prefix(arg, "TO:")) == NULL ||
	    parse_path(&arg, l->pending, sizeof(l->pending)) == -1 ||
	    l->pending[0] == '\0') {
		refuse(l, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	if (!params_start(arg)) {
		refuse(l, "501 5.5.4 Syntax error in parameters");
		return;
	}
	if (next_param(&arg, &key, &value) == 1) {
		refuse(l, "555 5.5.4 Unsupported parameter");
		return;
	}
	if (l->nrcpt >= l->set.max_rcpts) {
		reply(l, "452 4.5.3 Too many recipients");
		return;
	}
	l->state = LMTP_S_RCPT_WAIT;
}

static void
cmd_data(struct lmtp *l, char *arg)
{
	if (*arg != '\0') {
		refuse(l, "501 5.5.4 DATA takes no arguments");
		return;
	}
	if (!l->in_mail) {
		refuse(l, "503 5.5.1 Need MAIL before DATA");
		return;
	}
	if (l->nrcpt == 0) {
		refuse(l, "503 5.5.1 No valid recipients");
		return;
	}
	reply(l, "354 Start mail input; end with <CRLF>.<CRLF>");
	l->state = LMTP_S_DATA;
	l->data_state = D_BOL;
	/* The final delivery records the envelope sender (RFC 5321 4.4). */
	buf_reset(&l->msg);
	buf_printf(&l->msg, "Return-Path: <%s>\r\n", l->sender);
	l->text_start = l->msg.len;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An xtext (RFC 3461) queue id, decoded, if it is [0-9A-Za-z]{1,32}. */
static void
set_ident(struct lmtp *l, const char *x)
{
	char   id[LMTP_IDENT_MAX + 1];
	size_t n = 0;
	int    hi, lo;

	for (; *x != '\0'; x++) {
		if (n == LMTP_IDENT_MAX)
			return;
		if (*x == '+') {
			if ((hi = hexval(x[1])) == -1 ||
			    (lo = hexval(x[2])) == -1)
				return;
			id[n++] = (char)(hi << 4 | lo);
			x += 2;
		} else
			id[n++] = *x;
		if (!isalnum((unsigned char)id[n - 1]))
			return;
	}
	if (n == 0)
		return;
	memcpy(l->ident, id, n);
	l->ident[n] = '\0';
}

static void
cmd_xforward(struct lmtp *l, char *arg)
{
	char *key, *value;

	if (!l->greeted || l->in_mail) {
		refuse(l, "503 5.5.1 XFORWARD only between transactions");
		return;
	}
	if (*arg == '\0') {
		refuse(l, "501 5.5.4 XFORWARD needs attributes");
		return;
	}
	while (next_param(&arg, &key, &value) == 1)
		if (strcasecmp(key, "IDENT") == 0)
			set_ident(l, value);
	reply(l, "250 2.0.0 OK");
}

static void
cmd_rset(struct lmtp *l, char *arg)
{
	(void)arg;
	reset_transaction(l);
	reply(l, "250 2.0.0 OK");
}

static void
cmd_noop(struct lmtp *l, char *arg)
{
	(void)arg;
	reply(l, "250 2.0.0 OK");
}

static void
cmd_quit(struct lmtp *l, char *arg)
{
	(void)arg;
	reply(l, "221 2.0.0 Bye");
	l->state = LMTP_S_CLOSED;
}

static void
cmd_vrfy(struct lmtp *l, char *arg)
{
	(void)arg;
	reply(l, "252 2.5.2 Cannot VRFY; send some mail");
}

static void
cmd_helo(struct lmtp *l, char *arg)
{
	(void)arg;
	refuse(l, "500 5.5.1 This is an LMTP server: use LHLO");
}

static const struct {
	const char *verb;
	void (*fn)(struct lmtp *, char *);
} commands[] = {
	{ "LHLO", cmd_lhlo },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "XFORWARD", cmd_xforward },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "QUIT", cmd_quit },
	{ "VRFY", cmd_vrfy },
	{ "HELO", cmd_helo },
	{ "EHLO", cmd_helo },
};

static void
command(struct lmtp *l, char *line, size_t len)
{
	char  *arg;
	size_t i;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL) {
		refuse(l, "500 5.5.2 Syntax error");
		return;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((arg = match_verb(line, commands[i].verb)) != NULL) {
			commands[i].fn(l, arg);
			return;
		}
	refuse(l, "500 5.5.2 Command unrecognized");
}

/*
 * Command bytes: up to and including the next LF, into l->line; a line
 * completed is run.  Returns the bytes consumed.
 */
static size_t
feed_command(struct lmtp *l, const char *in, size_t len)
{
	const char *lf = memchr(in, '\n', len);
	size_t      n = lf != NULL ? (size_t)(lf - in) + 1 : len;
	size_t      take = lf != NULL ? n - 1 : n;

	if (!l->overlong && l->linelen + take >= LMTP_LINE_MAX)
		l->overlong = 1;
	if (!l->overlong) {
		memcpy(l->line + l->linelen, in, take);
		l->linelen += take;
	}
	if (lf == NULL)
		return n;
	if (l->overlong)
		refuse(l, "500 5.5.2 Line too long");
	else {
		l->line[l->linelen] = '\0';
		command(l, l->line, l->linelen);
	}
	l->linelen = 0;
	l->overlong = 0;
	return n;
}

/* Message text out, unless over the bound (then only counted as such). */
static void
data_out(struct lmtp *l, const char *s, size_t n)
{
	if (l->too_big)
		return;
	if (n > l->set.max_message - (l->msg.len - l->text_start)) {
		l->too_big = 1;
		return;
	}
	buf_append(&l->msg, s, n);
}

/* The message is complete: hand it over, or refuse it for everyone. */
static void
end_data(struct lmtp *l)
{
	const char *why = NULL;
	size_t      i;

	if (l->too_big)
		why = "552 5.3.4 Message too big for system";
	else if (l->msg.failed)
		why = "452 4.3.1 Insufficient system storage";
	if (why == NULL) {
		l->state = LMTP_S_DELIVER;
		l->replied = 0;
		return;
	}
	for (i = 0; i < l->nrcpt; i++)
		reply(l, why);
	reset_transaction(l);
	l->state = LMTP_S_COMMAND;
}

/* A run of text without CR or LF, appended at once. */
static size_t
data_run(struct lmtp *l, const char *in, size_t len)
{
	size_t n = 0;

	while (n < len && in[n] != '\r' && in[n] != '\n')
		n++;
	data_out(l, in, n);
	return n;
}

/* One byte of DATA (or a run of text); returns the bytes consumed. */
static size_t
feed_data(struct lmtp *l, const char *in, size_t len)
{
	char c = in[0];

	switch (l->data_state) {
	case D_BOL:
		if (c == '.') {
			l->data_state = D_DOT;
			return 1;
		}
		l->data_state = D_TEXT;
		return feed_data(l, in, len);
	case D_DOT:
		if (c == '\r') {
			l->data_state = D_DOTCR;
			return 1;
		}
		if (c == '\n') {
			end_data(l);
			return 1;
		}
		l->data_state = D_TEXT; /* the stuffed dot goes */
		return feed_data(l, in, len);
	case D_DOTCR:
		if (c == '\n') {
			end_data(l);
			return 1;
		}
		l->data_state = D_CR; /* ".\rx": dot gone, CR kept */
		return feed_data(l, in, len);
	case D_CR:
		if (c == '\n') {
			data_out(l, "\r\n", 2);
			l->data_state = D_BOL;
			return 1;
		}
		data_out(l, "\r", 1); /* a bare CR, kept */
		if (c == '\r')
			return 1;
		l->data_state = D_TEXT;
		return 0;
	default:
		if (c == '\r') {
			l->data_state = D_CR;
			return 1;
		}
		if (c == '\n') { /* a bare LF ends a line too */
			data_out(l, "\r\n", 2);
			l->data_state = D_BOL;
			return 1;
		}
		return data_run(l, in, len);
	}
}

enum lmtp_event
lmtp_feed(struct lmtp *l, const char *in, size_t len, size_t *used)
{
	size_t i = 0;

	/* Unwritten replies stop the intake: the caller writes them first. */
	while (i < len && l->out.len < REPLIES_MAX / 2) {
		if (l->state == LMTP_S_COMMAND)
			i += feed_command(l, in + i, len - i);
		else if (l->state == LMTP_S_DATA)
			i += feed_data(l, in + i, len - i);
		if (l->state != LMTP_S_COMMAND && l->state != LMTP_S_DATA)
			break;
	}
	*used = i;
	switch (l->state) {
	case LMTP_S_RCPT_WAIT:
		return LMTP_RCPT;
	case LMTP_S_DELIVER:
		return LMTP_MESSAGE;
	case LMTP_S_CLOSED:
		return LMTP_CLOSE;
	default:
		return LMTP_MORE;
	}
}

void
lmtp_say(struct lmtp *l, const char *line)
{
	reply(l, line);
	l->state = LMTP_S_CLOSED;
}

const char *
lmtp_pending_rcpt(const struct lmtp *l)
{
	return l->state == LMTP_S_RCPT_WAIT ? l->pending : NULL;
}

void
lmtp_rcpt_verdict(struct lmtp *l, const char *line)
{
	char *copy;

	if (l->state != LMTP_S_RCPT_WAIT)
		return;
	l->state = LMTP_S_COMMAND;
	if (line[0] != '2') {
		reply(l, line);
		return;
	}
	if ((copy = strdup(l->pending)) == NULL) {
		reply(l, "452 4.3.1 Insufficient system storage");
		return;
	}
	l->rcpts[l->nrcpt++] = copy;
	reply(l, line);
}

void
lmtp_deliver_reply(struct lmtp *l, const char *line)
{
	if (l->state != LMTP_S_DELIVER)
		return;
	reply(l, line);
	if (++l->replied < l->nrcpt)
		return;
	reset_transaction(l);
	l->state = LMTP_S_COMMAND;
}

const char *
lmtp_sender(const struct lmtp *l)
{
	return l->sender;
}

const char *
lmtp_ident(const struct lmtp *l)
{
	return l->ident;
}

size_t
lmtp_nrcpt(const struct lmtp *l)
{
	return l->nrcpt;
}

const char *
lmtp_rcpt(const struct lmtp *l, size_t i)
{
	return i < l->nrcpt ? l->rcpts[i] : NULL;
}

size_t
lmtp_next_reply(const struct lmtp *l)
{
	return l->replied;
}
