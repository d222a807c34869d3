/*
 * domain_txt.c - a domain's TXT verification: the verdict, the grace
 * period and the recorded change; see domain_txt.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/domain_txt.h"
#include "rules/notify.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

#define ID_LEN     24 /* a long long as text */
#define QUOTED_MAX 120
#define WHEN_LEN   32
#define RCPT_ARENA (64 * 1024) /* a domain's admins' addresses */

static const char *const outcome_names[] = { "verified", "missing", "multiple",
	"wrong", "nxdomain", "temporary-failure" };
static const char *const status_names[] = { "unverified", "verified", "missing",
	"multiple", "wrong", "nxdomain" };

const char *
txt_outcome_name(enum txt_outcome o)
{
	return outcome_names[o];
}

const char *
txt_status_name(enum txt_status s)
{
	return status_names[s];
}

int
txt_status_parse(const char *s, enum txt_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum txt_status)i;
			return 0;
		}
	return -1;
}

/* A record's first bytes, quoted, printable ASCII only (for details). */
static void
quote(const struct dns_record *r, char *out, size_t outsz)
{
	size_t i, n = r->len < DNS_TXT_LEN ? r->len : DNS_TXT_LEN, w = 0;
	int    c;

	for (i = 0; i < n && w + 8 < outsz && w < QUOTED_MAX; i++) {
		c = (unsigned char)r->text[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[w++] = (char)c;
		else
			w += (size_t)snprintf(out + w, outsz - w, "\\x%02x", c);
	}
	if (i < r->len && w + 4 < outsz)
		w += (size_t)snprintf(out + w, outsz - w, "...");
	out[w < outsz ? w : outsz - 1] = '\0';
}

static int
starts_with(const struct dns_record *r, const char *p, size_t plen)
{
	return r->len > plen && memcmp(r->text, p, plen) == 0 &&
	    r->text[plen] == '=';
}

/* The one record with the prefix says token, or another value. */
static enum txt_outcome
one_record(const struct lang *l, const struct dns_record *r, size_t plen,
    const char *token, char *detail, size_t detailsz)
{
	char   q[QUOTED_MAX + 16];
	size_t tlen = strlen(token);

	if (r->len == plen + 1 + tlen &&
	    memcmp(r->text + plen + 1, token, tlen) == 0) {
		snprintf(detail, detailsz, "%s", tr(l, "the record is there"));
		return TXT_VERIFIED;
	}
	quote(r, q, sizeof(q));
	snprintf(detail, detailsz,
	    tr(l, "the record reads \"%s\", not this domain's token"), q);
	return TXT_WRONG;
}

/* The outcome of records that answered: none, several or one. */
static enum txt_outcome
records_verdict(const struct lang *l, const struct dns_txt *txt,
    const char *prefix, const char *token, char *detail, size_t detailsz)
{
	size_t i, n = 0, plen = strlen(prefix), which = 0;

	if (txt->total > txt->n) {
		snprintf(detail, detailsz,
		    tr(l,
			"%1$zu TXT records, more than the %2$d membermail "
			"reads"),
		    txt->total, DNS_TXT_MAX);
		return TXT_TEMPFAIL;
	}
	for (i = 0; i < txt->n; i++)
		if (starts_with(&txt->rec[i], prefix, plen)) {
			n++;
			which = i;
		}
	if (n == 0) {
		snprintf(detail, detailsz,
		    tr(l, "none of the %1$zu TXT record(s) starts with %2$s="),
		    txt->total, prefix);
		return TXT_MISSING;
	}
	if (n > 1) {
		snprintf(detail, detailsz,
		    tr(l,
			"%1$zu TXT records start with %2$s=; keep only the "
			"one with this domain's token"),
		    n, prefix);
		return TXT_MULTIPLE;
	}
	return one_record(l, &txt->rec[which], plen, token, detail, detailsz);
}

enum txt_outcome
txt_verdict(const struct lang *l, enum dns_result res,
    const struct dns_txt *txt, const char *prefix, const char *token,
    char *detail, size_t detailsz)
{
	switch (res) {
	case DNS_RECORDS:
		return records_verdict(l, txt, prefix, token, detail, detailsz);
	case DNS_NODATA:
		snprintf(detail, detailsz, "%s", tr(l, "no TXT record at all"));
		return TXT_MISSING;
	case DNS_NXDOMAIN:
		snprintf(detail, detailsz, "%s",
		    tr(l, "the name does not exist (NXDOMAIN)"));
		return TXT_NXDOMAIN;
	default:
		return TXT_TEMPFAIL; /* detail: the lookup's */
	}
}

static enum txt_status
lost_status(enum txt_outcome o)
{
	switch (o) {
	case TXT_MULTIPLE:
		return TXT_ST_MULTIPLE;
	case TXT_WRONG:
		return TXT_ST_WRONG;
	case TXT_NXDOMAIN:
		return TXT_ST_NXDOMAIN;
	default:
		return TXT_ST_MISSING;
	}
}

enum txt_event
txt_next(const struct txt_state *cur, enum txt_outcome o, long long now,
    long long grace, struct txt_state *next)
{
	*next = *cur;
	if (o == TXT_TEMPFAIL)
		return TXT_EV_NONE;
	if (o == TXT_VERIFIED) {
		next->status = TXT_ST_VERIFIED;
		next->grace_until = 0;
		if (cur->status != TXT_ST_VERIFIED)
			return TXT_EV_VERIFIED;
		return cur->grace_until != 0 ? TXT_EV_RESTORED : TXT_EV_NONE;
	}
	if (cur->status == TXT_ST_VERIFIED) {
		if (cur->grace_until == 0 && grace > 0) {
			next->grace_until = now + grace;
			return TXT_EV_GRACE;
		}
		if (cur->grace_until > now)
			return TXT_EV_NONE;
		next->status = lost_status(o);
		next->grace_until = 0;
		return TXT_EV_STOPPED;
	}
	next->status = lost_status(o);
	return next->status == cur->status ? TXT_EV_NONE : TXT_EV_CHANGED;
}

/* ---------------------------------------------------------------- recording */

/* What the transaction needs. */
struct txt_tx {
	const struct config  *cfg;
	const struct actor   *actor;
	struct txt_check     *out;
	long long             id;
	long long             now;
	const struct dns_txt *txt; /* the answer, for the mail's words */
	const char           *token;
};

void
txt_time_words(long long t, char *out, size_t outsz)
{
	time_t    tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, outsz, "%lld", t);
}

/* The state from a row's status and grace columns. */
static enum app_err
row_state(PGresult *res, int status_col, int grace_col, struct txt_state *st)
{
	if (txt_status_parse(db_str(res, 0, status_col), &st->status) == -1)
		return APP_EINTERNAL;
	st->grace_until = db_ll(res, 0, grace_col);
	return APP_OK;
}

/* The audit row's JSON for a state (fixed words and a time only). */
static void
state_json(const struct txt_state *st, char *out, size_t outsz)
{
	char w[WHEN_LEN];

	if (st->grace_until == 0) {
		snprintf(out, outsz,
		    "{\"txt_status\": \"%s\", "
		    "\"txt_grace_until\": null}",
		    txt_status_name(st->status));
		return;
	}
	txt_time_words(st->grace_until, w, sizeof(w));
	snprintf(out, outsz,
	    "{\"txt_status\": \"%s\", \"txt_grace_until\": "
	    "\"%s\"}",
	    txt_status_name(st->status), w);
}

static enum app_err
write_row(struct db *db, struct txt_tx *t)
{
	const struct txt_check *c = t->out;
	char                    id[ID_LEN], grace[ID_LEN];
	const char             *p[6];
	PGresult               *res;
	enum app_err            e;

	snprintf(id, sizeof(id), "%lld", t->id);
	snprintf(grace, sizeof(grace), "%lld", c->after.grace_until);
	p[0] = id;
	p[1] = txt_status_name(c->after.status);
	p[2] = c->outcome != TXT_TEMPFAIL ? "t" : "f";
	p[3] = c->after.grace_until != 0 ? grace : NULL;
	p[4] = txt_outcome_name(c->outcome);
	p[5] = c->detail;
	if ((res = db_exec(db, STMT_TXT_RECORD, 6, p, &e)) == NULL)
		return e;
	PQclear(res);
	return APP_OK;
}

static enum app_err
write_audit(struct db *db, struct txt_tx *t)
{
	const struct txt_check *c = t->out;
	char                    before[160], after[160];
	struct audit_event      ev;

	memset(&ev, 0, sizeof(ev));
	state_json(&c->before, before, sizeof(before));
	state_json(&c->after, after, sizeof(after));
	ev.action = "domain.txt";
	ev.target_type = "domain";
	ev.target_id = ev.domain_id = t->id;
	ev.target_label = c->domain;
	ev.before = before;
	ev.after = after;
	return audit_write(db, t->actor, &ev);
}

/* The template of an event's mail, or NULL: none for that event. */
static const char *
mail_template(enum txt_event ev)
{
	switch (ev) {
	case TXT_EV_VERIFIED:
	case TXT_EV_RESTORED:
		return "mail_txt_verified.tpl";
	case TXT_EV_GRACE:
		return "mail_txt_grace.tpl";
	case TXT_EV_STOPPED:
		return "mail_txt_stopped.tpl";
	default:
		return NULL;
	}
}

/*
 * The domain's admins (in ar), each in their language, or the operators
 * (alerts_to, in alerts_lang): *to and *n; *n is 0 when there is none.
 */
static enum app_err
recipients(struct db *db, struct arena *ar, struct txt_tx *t,
    struct mail_rcpt **to, size_t *n)
{
	char         id[ID_LEN];
	const char  *p[] = { id }, **emails, **langs;
	size_t       nlangs, i;
	PGresult    *res;
	enum app_err e;

	snprintf(id, sizeof(id), "%lld", t->id);
	if ((res = db_exec(db, STMT_TXT_ADMINS, 1, p, &e)) == NULL)
		return e;
	if ((e = db_array(ar, res, 0, TXT_ADMINS_EMAILS, &emails, n)) == APP_OK)
		e = db_array(ar, res, 0, TXT_ADMINS_LANGS, &langs, &nlangs);
	PQclear(res);
	if (e == APP_OK &&
	    (*to = arena_calloc(ar, *n + 1, sizeof(**to))) == NULL)
		e = APP_ENOMEM;
	for (i = 0; e == APP_OK && i < *n; i++) {
		(*to)[i].address = emails[i];
		(*to)[i].lang = i < nlangs ? i18n_tag(langs[i]) : NULL;
	}
	if (e == APP_OK && *n == 0 && t->cfg->alerts_to[0] != '\0') {
		(*to)[0] = mail_operators(t->cfg);
		*n = 1;
	}
	return e;
}

/*
 * The event's mail's values (mail_fill_fn), in the mail's language: what
 * was found is said again in it from the answer (the row keeps English).
 */
static enum app_err
mail_fill(struct view_dict *d, const void *arg)
{
	const struct txt_tx    *t = arg;
	const struct txt_check *c = t->out;
	const struct lang      *l = view_lang(d);
	char                    w[WHEN_LEN], when[64], detail[TXT_DETAIL_MAX];
	struct tm               tm;
	time_t                  tt = (time_t)c->after.grace_until;

	view_set(d, "DOMAIN", c->domain);
	view_set(d, "RECORD", c->record);
	snprintf(detail, sizeof(detail), "%s", c->detail);
	if (c->outcome != TXT_TEMPFAIL)
		(void)txt_verdict(l, c->dns, t->txt,
		    t->cfg->verification_prefix, t->token, detail,
		    sizeof(detail));
	view_set(d, "DETAIL", detail);
	/* As PostgreSQL writes a time, for i18n_time. */
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(w, sizeof(w), "%Y-%m-%d %H:%M+00", &tm) == 0)
		snprintf(w, sizeof(w), "%lld", c->after.grace_until);
	view_set(d, "DEADLINE", i18n_time(l, w, when, sizeof(when)));
	view_show(d, c->event == TXT_EV_RESTORED ? "RESTORED" : "FIRST");
	return APP_OK;
}

static enum app_err
write_mail(struct db *db, struct txt_tx *t)
{
	const char       *tpl = mail_template(t->out->event);
	struct mail_rcpt *to = NULL;
	struct arena     *ar;
	size_t            n = 0;
	enum app_err      e;

	if (tpl == NULL)
		return APP_OK;
	if ((ar = arena_new(RCPT_ARENA)) == NULL)
		return APP_ENOMEM;
	if ((e = recipients(db, ar, t, &to, &n)) == APP_OK && n == 0)
		log_warn("txt_mail_skipped", LOG_WORD("domain", t->out->domain),
		    LOG_STR("msg", "no admin and no alerts_to"));
	else if (e == APP_OK)
		e = mail_queue(db, t->cfg, tpl, to,
		    n > MAIL_RCPT_MAX ? MAIL_RCPT_MAX : n, mail_fill, t);
	arena_free(ar);
	return e;
}

/* Inside the transaction: the row as it is now decides. */
static enum app_err
record_tx(struct db *db, void *arg)
{
	struct txt_tx    *t = arg;
	struct txt_check *c = t->out;
	char              id[ID_LEN];
	const char       *p[] = { id };
	PGresult         *res;
	enum app_err      e;

	snprintf(id, sizeof(id), "%lld", t->id);
	if ((res = db_exec(db, STMT_TXT_LOCK, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ENOTFOUND;
	}
	e = row_state(res, TXT_LOCK_STATUS, TXT_LOCK_GRACE, &c->before);
	PQclear(res);
	if (e != APP_OK)
		return e;
	c->event = txt_next(&c->before, c->outcome, t->now,
	    (long long)t->cfg->verification_grace_hours * 3600, &c->after);
	if ((e = write_row(db, t)) != APP_OK)
		return e;
	if (c->event == TXT_EV_NONE)
		return APP_OK;
	if ((e = write_audit(db, t)) != APP_OK)
		return e;
	return write_mail(db, t);
}

/* Loads the domain: its id, token and state into t and c. */
static enum app_err
load(struct db *db, const char *domain, struct txt_tx *t, char *token,
    size_t tokensz)
{
	struct txt_check *c = t->out;
	const char       *p[] = { domain };
	PGresult         *res;
	enum app_err      e;

	if ((res = db_exec(db, STMT_TXT_DOMAIN, 1, p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return APP_ENOTFOUND;
	}
	t->id = db_ll(res, 0, TXT_DOMAIN_ID);
	snprintf(c->domain, sizeof(c->domain), "%s",
	    db_str(res, 0, TXT_DOMAIN_NAME));
	snprintf(token, tokensz, "%s", db_str(res, 0, TXT_DOMAIN_TOKEN));
	e = row_state(res, TXT_DOMAIN_STATUS, TXT_DOMAIN_GRACE, &c->before);
	PQclear(res);
	return e;
}

enum app_err
txt_check_domain(struct db *db, const struct config *cfg, const struct actor *a,
    const char *domain, int dry_run, struct txt_check *out)
{
	struct txt_tx   t = { cfg, a, out, 0, 0, NULL, NULL };
	struct dns_opts o = { cfg->dns_server, cfg->dns_timeout,
		cfg->dns_attempts };
	struct dns_txt *txt;
	char            token[64];
	enum app_err    e;

	memset(out, 0, sizeof(*out));
	if ((e = load(db, domain, &t, token, sizeof(token))) != APP_OK)
		return e;
	snprintf(out->record, sizeof(out->record), "%s. IN TXT \"%s=%s\"",
	    out->domain, cfg->verification_prefix, token);
	if ((txt = malloc(sizeof(*txt))) == NULL)
		return APP_ENOMEM;
	out->dns = dns_txt_lookup(&o, out->domain, txt, out->detail,
	    sizeof(out->detail));
	out->outcome = txt_verdict(NULL, out->dns, txt,
	    cfg->verification_prefix, token, out->detail, sizeof(out->detail));
	t.now = (long long)time(NULL);
	out->event = txt_next(&out->before, out->outcome, t.now,
	    (long long)cfg->verification_grace_hours * 3600, &out->after);
	t.txt = txt;
	t.token = token;
	e = dry_run ? APP_OK : db_tx(db, record_tx, &t);
	free(txt);
	return e;
}
