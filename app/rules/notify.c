/*
 * notify.c - notification e-mail rendered and queued in the outbox; see
 * notify.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "rules/notify.h"
#include "store/audit.h"
#include "store/db.h"
#include "views/view.h"

#define MAIL_BODY_MAX (256 * 1024)
#define SUBJECT_MAX   998 /* outbox_subject_check */
#define ADDR_MAX      254

int
mail_address_ok(const char *a)
{
	const char *at, *p;
	size_t      len = strlen(a);

	if (len == 0 || len > ADDR_MAX || (at = strchr(a, '@')) == NULL ||
	    at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f ||
		    strchr("<>,;\"()", *p) != NULL)
			return 0;
	return 1;
}

/* Decodes the five entities ctemplate's HTML escaper writes, in place. */
static void
unescape(char *s)
{
	static const struct {
		const char *ent;
		char        c;
	} ents[] = {
		{ "&amp;", '&' },
		{ "&lt;", '<' },
		{ "&gt;", '>' },
		{ "&quot;", '"' },
		{ "&#39;", '\'' },
	};
	char  *r = s, *w = s;
	size_t i, n;

	while (*r != '\0') {
		for (i = 0; *r == '&' && i < sizeof(ents) / sizeof(ents[0]);
		     i++) {
			n = strlen(ents[i].ent);
			if (strncmp(r, ents[i].ent, n) == 0)
				break;
		}
		if (*r == '&' && i < sizeof(ents) / sizeof(ents[0])) {
			*w++ = ents[i].c;
			r += strlen(ents[i].ent);
		} else
			*w++ = *r++;
	}
	*w = '\0';
}

static const struct lang *
rcpt_lang(const struct mail_rcpt *r)
{
	return r->lang != NULL ? r->lang : i18n_english();
}

/* Whether to[i]'s address came before it (in any case). */
static int
seen_before(const struct mail_rcpt *to, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (strcasecmp(to[k].address, to[i].address) == 0)
			return 1;
	return 0;
}

/* The number of distinct addresses of to, or -1 when one is bad. */
static long
count_rcpts(const struct mail_rcpt *to, size_t nto)
{
	size_t i;
	long   n = 0;

	for (i = 0; i < nto; i++) {
		if (to[i].address == NULL || !mail_address_ok(to[i].address))
			return -1;
		if (!seen_before(to, i))
			n++;
	}
	return n;
}

/* The addresses in m's language into m->to, ' '-joined, counted. */
static void
add_lang(struct mail_text *m, const struct mail_rcpt *to, size_t nto)
{
	size_t i;

	for (i = 0; i < nto; i++)
		if (rcpt_lang(&to[i]) == m->lang && !seen_before(to, i)) {
			buf_printf(&m->to, "%s%s", m->to.len > 0 ? " " : "",
			    to[i].address);
			m->copies++;
		}
}

/* Splits the expansion into subject and body; -1 if no good subject. */
static int
split(char *text, const char **subject, const char **body)
{
	char *nl = strchr(text, '\n'), *p;

	if (nl == NULL || nl == text || nl - text > SUBJECT_MAX)
		return -1;
	*nl = '\0';
	for (p = text; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return -1;
	*subject = text;
	for (p = nl + 1; *p == '\n'; p++)
		continue;
	*body = p;
	return 0;
}

static void
mail_text_init(struct mail_text *m, const struct lang *l)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->text, MAIL_BODY_MAX);
	buf_init(&m->to, 8192);
	m->lang = l;
}

static void
mail_text_free(struct mail_text *m)
{
	buf_free(&m->text);
	buf_free(&m->to);
}

static enum app_err
refused(const char *tpl, const char *why)
{
	log_error("mail_refused", LOG_WORD("template", tpl),
	    LOG_STR("reason", why));
	return APP_EINVALID;
}

/* m, in its language, for its recipients (add_lang): filled, rendered. */
static enum app_err
render_lang(const struct config *cfg, const char *tpl, mail_fill_fn *fill,
    const void *arg, struct mail_text *m)
{
	struct view_dict *d;
	enum app_err      e;

	if ((d = view_dict_new()) == NULL)
		return APP_ENOMEM;
	view_set_lang(d, m->lang);
	view_set(d, "PUBLIC_URL", cfg->public_url);
	if ((e = fill(d, arg)) == APP_OK) {
		if (view_render_bare(d, tpl, &m->text) == -1 ||
		    m->text.failed || m->text.len == 0)
			e = refused(tpl, "does not render");
		else {
			unescape(m->text.data); /* NUL-terminated */
			if (split(m->text.data, &m->subject, &m->body) == -1)
				e = refused(tpl, "no one-line subject");
		}
	}
	view_dict_free(d);
	return e;
}

enum app_err
mail_render(const struct config *cfg, const char *tpl,
    const struct mail_rcpt *to, size_t nto, mail_fill_fn *fill,
    const void *fill_arg, mail_emit_fn *emit, void *emit_arg)
{
	struct mail_text m;
	long             n = count_rcpts(to, nto);
	size_t           i;
	enum app_err     e = APP_OK;

	if (n <= 0 || n > MAIL_RCPT_MAX)
		return refused(tpl, "bad or no recipients");
	for (i = 0; e == APP_OK && i < i18n_count(); i++) {
		mail_text_init(&m, i18n_lang(i));
		add_lang(&m, to, nto);
		if (m.to.failed)
			e = APP_ENOMEM;
		else if (m.copies > 0 &&
		    (e = render_lang(cfg, tpl, fill, fill_arg, &m)) == APP_OK &&
		    (buf_cstr(&m.to) == NULL || emit(&m, emit_arg) == -1))
			e = APP_EDB;
		mail_text_free(&m);
	}
	return e;
}

struct queued {
	struct db   *db;
	const char  *tpl;
	enum app_err e;
};

/* One outbox row per copy of m. */
static int
insert(const struct mail_text *m, void *arg)
{
	struct queued *q = arg;
	const char    *p[3];
	PGresult      *res;

	p[0] = m->to.data;
	p[1] = m->subject;
	p[2] = m->body;
	if ((res = db_exec(q->db, STMT_OUTBOX_INSERT, 3, p, &q->e)) == NULL)
		return -1;
	PQclear(res);
	log_info("mail_queued", LOG_WORD("template", q->tpl),
	    LOG_WORD("lang", m->lang->code), LOG_UINT("copies", m->copies));
	return 0;
}

struct mail_rcpt
mail_operators(const struct config *cfg)
{
	struct mail_rcpt to = { cfg->alerts_to, i18n_tag(cfg->alerts_lang) };

	return to;
}

enum app_err
mail_queue(struct db *db, const struct config *cfg, const char *tpl,
    const struct mail_rcpt *to, size_t nto, mail_fill_fn *fill,
    const void *fill_arg)
{
	struct queued q = { db, tpl, APP_OK };
	enum app_err  e;

	e = mail_render(cfg, tpl, to, nto, fill, fill_arg, insert, &q);
	return e == APP_EDB && q.e != APP_OK ? q.e : e;
}

struct failed_tx {
	const struct actor *actor;
	long long           id;
	char                idtext[24];
};

/* The message's state, locked: NULL (*e set) unless it is a failed one. */
static PGresult *
failed_state(struct db *db, struct failed_tx *t, enum app_err *e)
{
	const char *p = t->idtext;
	PGresult   *res;

	if ((res = db_exec(db, STMT_SA_OUTBOX_STATE, 1, &p, e)) == NULL)
		return NULL;
	if (PQntuples(res) == 1 && db_bool(res, 0, SA_OUTBOX_STATE_FAILED))
		return res;
	PQclear(res);
	*e = APP_ENOTFOUND;
	return NULL;
}

static enum app_err
retry_tx(struct db *db, void *arg)
{
	struct failed_tx  *t = arg;
	struct audit_event ev = { "outbox.retry", "outbox", t->id, NULL, 0,
		NULL, NULL };
	const char        *p = t->idtext;
	PGresult          *before, *after = NULL;
	enum app_err       e;

	if ((before = failed_state(db, t, &e)) == NULL)
		return e;
	if ((e = db_run(db, STMT_OUTBOX_RETRY, 1, &p)) == APP_OK &&
	    (after = db_exec(db, STMT_SA_OUTBOX_STATE, 1, &p, &e)) != NULL) {
		ev.target_label = db_str(before, 0, SA_OUTBOX_STATE_LABEL);
		ev.before = db_str(before, 0, SA_OUTBOX_STATE_STATE);
		ev.after = db_str(after, 0, SA_OUTBOX_STATE_STATE);
		e = audit_write(db, t->actor, &ev);
	}
	PQclear(after);
	PQclear(before);
	return e;
}

static enum app_err
delete_tx(struct db *db, void *arg)
{
	struct failed_tx  *t = arg;
	struct audit_event ev = { "outbox.delete", "outbox", t->id, NULL, 0,
		NULL, NULL };
	const char        *p = t->idtext;
	PGresult          *res;
	enum app_err       e;

	if ((res = db_exec(db, STMT_SA_OUTBOX_DELETE, 1, &p, &e)) == NULL)
		return e;
	if (PQntuples(res) != 1)
		e = APP_ENOTFOUND;
	else {
		ev.target_label = db_str(res, 0, SA_OUTBOX_DELETE_LABEL);
		ev.before = db_str(res, 0, SA_OUTBOX_DELETE_BEFORE);
		e = audit_write(db, t->actor, &ev);
	}
	PQclear(res);
	return e;
}

static enum app_err
failed_change(struct db *db, const struct actor *a, long long id,
    enum app_err (*tx)(struct db *, void *))
{
	struct failed_tx t = { a, id, "" };

	snprintf(t.idtext, sizeof(t.idtext), "%lld", id);
	return db_tx(db, tx, &t);
}

enum app_err
mail_retry(struct db *db, const struct actor *a, long long id)
{
	return failed_change(db, a, id, retry_tx);
}

enum app_err
mail_delete(struct db *db, const struct actor *a, long long id)
{
	return failed_change(db, a, id, delete_tx);
}
