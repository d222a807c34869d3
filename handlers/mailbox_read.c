/*
 * mailbox_read.c - an unlocked mailbox's messages: the listing (50 a
 * page, newest first), a message as text, its attachments, deleting, and
 * the mboxrd export.  A locked mailbox shows its unlock form instead.
 * Decrypted text lives in the request only, is wiped before it is freed,
 * and is never cached: downloads are streamed past nginx's buffers, so no
 * plaintext reaches a disk.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/arena.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "mail/mailbox.h"
#include "mail/mime.h"
#include "store/audit.h"
#include "views/view.h"

#define SANDBOX_CSP "sandbox; default-src 'none'"
#define DELETE_MAX  (MAILBOX_PAGE * 2) /* messages deleted at once */

/* The unlock form of a locked mailbox (its address from STMT_MBOX_GET). */
static enum app_err
locked_page(struct req *r, long long id)
{
	struct view_dict *d;
	PGresult         *res;
	enum app_err      e;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	if ((res = mailbox_row(r, id, &e)) == NULL)
		return e;
	view_set(d, "ID", db_str(res, 0, MBOX_GET_ID));
	view_set(d, "ADDRESS", db_str(res, 0, MBOX_GET_ADDRESS));
	if ((e = mailbox_no_store(r)) != APP_OK)
		return e;
	return page_render(r, 200, tr(r->lang, "Locked mailbox"),
	    "mailbox_locked.tpl");
}

/* Opens the mailbox of the path; *shown when the locked page was made. */
static enum app_err
open_or_locked(struct req *r, long long id, struct mailbox_open *o, int *shown)
{
	int          opened;
	enum app_err e;

	*shown = 0;
	if (id == 0)
		return APP_ENOTFOUND;
	if ((e = mailbox_opened(r, id, o, &opened)) != APP_OK)
		return e;
	if (opened)
		return APP_OK;
	*shown = 1;
	return locked_page(r, id);
}

static void
message_row(struct req *r, struct view_dict *d, const struct mailbox_row *m)
{
	struct view_dict *row = view_add_section(d, "MESSAGE");
	char              when[64];

	if (row == NULL)
		return;
	view_set(row, "MID", arena_printf(r->arena, "%lld", m->id));
	view_set(row, "WHEN",
	    i18n_time(r->lang, m->received, when, sizeof(when)));
	view_set(row, "SIZE", mailbox_size_words(r->arena, r->lang, m->size));
	if (m->unreadable) {
		view_show(row, "UNREADABLE");
		view_set(row, "SUBJECT", tr(r->lang, "(message)"));
		return;
	}
	view_set(row, "FROM", m->sum.from);
	view_set(row, "SUBJECT",
	    *m->sum.subject != '\0' ? m->sum.subject :
				      tr(r->lang, "(no subject)"));
	if (m->sum.nattach > 0)
		view_show(row, "ATTACHED");
}

/* GET /my/mailbox/:id[?before=CURSOR][&done=...] */
enum app_err
h_mailbox(struct req *r)
{
	struct mailbox_open o;
	struct mailbox_page p;
	struct view_dict   *d;
	size_t              i;
	int                 shown;
	enum app_err        e;

	if ((e = open_or_locked(r, req_param_id(r, PARAM_ID), &o, &shown)) !=
		APP_OK ||
	    shown)
		return e;
	e = mailbox_list(r->db, r->arena, &o, req_field(r, MB_LIST_BEFORE), &p);
	mailbox_close(&o);
	if (e != APP_OK || (d = page_dict(r)) == NULL)
		return e != APP_OK ? e : APP_ENOMEM;
	mailbox_notice(d, req_field(r, MB_LIST_DONE));
	view_set(d, "ID", arena_printf(r->arena, "%lld", o.id));
	view_set(d, "ADDRESS", o.address);
	view_set(d, "USED", mailbox_size_words(r->arena, r->lang, o.used));
	view_set(d, "QUOTA", mailbox_size_words(r->arena, r->lang, o.quota));
	view_show(d, p.n > 0 ? "LIST" : "NO_MESSAGES");
	for (i = 0; i < p.n; i++)
		message_row(r, d, &p.rows[i]);
	if (p.next != NULL) {
		view_show(d, "NEXT");
		view_set(d, "CURSOR", p.next);
	}
	if (req_field(r, MB_LIST_BEFORE) != NULL)
		view_show(d, "FIRST");
	if ((e = mailbox_no_store(r)) != APP_OK)
		return e;
	return page_render(r, 200, o.address, "mailbox.tpl");
}

/* The decrypted message of the path (the caller frees it). */
static enum app_err
read_message(struct req *r, const struct mailbox_open *o, char **text,
    size_t *len, long long *received)
{
	long long    mid = req_param_id(r, PARAM_MESSAGE);
	enum app_err e;

	if (mid == 0)
		return APP_ENOTFOUND;
	e = mailbox_read(r->db, o, mid, text, len, received);
	if (e == APP_ENOTFOUND)
		r->reason = N_("no such message in this mailbox");
	else if (e == APP_EINTERNAL)
		r->reason = N_("the message does not open");
	return e;
}

static void
message_view(struct req *r, struct view_dict *d, const struct mime_view *v)
{
	struct view_dict *row;
	size_t            i;

	view_set(d, "FROM", v->sum.from);
	view_set(d, "TO", v->sum.to);
	if (*v->cc != '\0') {
		view_show(d, "HAS_CC");
		view_set(d, "CC", v->cc);
	}
	view_set(d, "SUBJECT",
	    *v->sum.subject != '\0' ? v->sum.subject :
				      tr(r->lang, "(no subject)"));
	view_set(d, "DATE",
	    *v->date_text != '\0' ? v->date_text : tr(r->lang, "unknown"));
	view_set(d, "TEXT", v->text);
	if (v->text_cut)
		view_show(d, "CUT");
	if (v->sum.flags & SUMMARY_MALFORMED)
		view_show(d, "MALFORMED");
	if (v->sum.flags & SUMMARY_HTML_ONLY)
		view_show(d, "HTML_ONLY");
	if (v->sum.flags & SUMMARY_NO_TEXT)
		view_show(d, "NO_TEXT");
	if (v->sum.nattach > 0)
		view_show(d, "HAS_ATTACHMENTS");
	for (i = 0; i < v->sum.nattach; i++) {
		if ((row = view_add_section(d, "ATTACHMENT")) == NULL)
			return;
		view_set_int(row, "N", (long)i);
		view_set(row, "NAME",
		    *v->sum.attach[i].name != '\0' ? v->sum.attach[i].name :
						     tr(r->lang, "(unnamed)"));
		view_set(row, "TYPE", v->sum.attach[i].type);
		view_set(row, "SIZE",
		    mailbox_size_words(r->arena, r->lang,
			(long long)v->sum.attach[i].size));
	}
}

/* Unix time in the language's format, in UTC (arena). */
static const char *
utc_time(struct req *r, long long t)
{
	time_t    tt = (time_t)t;
	struct tm tm;
	char      iso[32], out[64];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(iso, sizeof(iso), "%Y-%m-%d %H:%MZ", &tm) == 0)
		return "?";
	return arena_strdup(r->arena,
	    i18n_time(r->lang, iso, out, sizeof(out)));
}

/* GET /my/mailbox/:id/messages/:mid */
enum app_err
h_mailbox_message(struct req *r)
{
	struct mailbox_open o;
	struct mime_view    v;
	struct view_dict   *d;
	char               *text = NULL;
	size_t              len = 0;
	long long           received;
	int                 shown;
	enum app_err        e;

	if ((e = open_or_locked(r, req_param_id(r, PARAM_ID), &o, &shown)) !=
		APP_OK ||
	    shown)
		return e;
	e = read_message(r, &o, &text, &len, &received);
	mailbox_close(&o);
	if (e == APP_OK &&
	    mime_read(&v, text, len, MIME_WANT_TEXT, r->arena) != 0)
		e = APP_ENOMEM;
	if (e == APP_OK && (d = page_dict(r)) != NULL) {
		view_set(d, "ID", arena_printf(r->arena, "%lld", o.id));
		view_set(d, "MID", req_param(r, PARAM_MESSAGE));
		view_set(d, "ADDRESS", o.address);
		view_set(d, "RECEIVED", utc_time(r, received));
		view_set(d, "SIZE",
		    mailbox_size_words(r->arena, r->lang, (long long)len));
		message_view(r, d, &v);
	}
	mailbox_text_free(text, len);
	if (e != APP_OK)
		return e;
	if ((e = mailbox_no_store(r)) != APP_OK)
		return e;
	return page_render(r, 200, tr(r->lang, "Message"),
	    "mailbox_message.tpl");
}

/*
 * Content-Disposition for a file name from a message: an ASCII fallback
 * (anything else, and quotes and backslashes, as '_') and the exact name
 * in RFC 5987 form.
 */
static const char *
disposition(struct req *r, const char *name, const char *fallback)
{
	char       *ascii, *p;
	const char *pct;

	if (*name == '\0')
		name = fallback;
	if ((ascii = arena_strdup(r->arena, name)) == NULL ||
	    (pct = form_pct_encode(r->arena, name)) == NULL)
		return NULL;
	for (p = ascii; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == '"' || *p == '\\' || *p == ';')
			*p = '_';
	return arena_printf(r->arena,
	    "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

/* The headers every decrypted download carries, then its head. */
static enum app_err
download_head(struct req *r, const char *ctype, const char *disp,
    long long length)
{
	enum app_err e;

	if (disp == NULL)
		return APP_ENOMEM;
	if ((e = resp_header(r, "Content-Disposition", disp)) != APP_OK ||
	    (e = resp_header(r, "X-Content-Type-Options", "nosniff")) !=
		APP_OK ||
	    (e = resp_header(r, "Content-Security-Policy", SANDBOX_CSP)) !=
		APP_OK ||
	    (e = mailbox_no_store(r)) != APP_OK)
		return e;
	return resp_stream_begin(r, ctype, length);
}

/* Attachment n of the message: its decoded bytes into out. */
static enum app_err
attachment(struct req *r, const char *text, size_t len, struct buf *out,
    struct summary_attachment *info)
{
	const char *n = req_param(r, PARAM_PART);
	char       *end;
	long        i = strtol(n, &end, 10);

	if (!isdigit((unsigned char)*n) || *end != '\0' || i < 0 ||
	    i >= SUMMARY_ATTACH_MAX ||
	    mime_attachment(text, len, (size_t)i, out, info, r->arena) != 0) {
		r->reason = out->failed ? N_("attachment over its bound") :
					  N_("no such attachment");
		return out->failed ? APP_ETOOBIG : APP_ENOTFOUND;
	}
	return APP_OK;
}

/* GET /my/mailbox/:id/messages/:mid/attachments/:n */
enum app_err
h_mailbox_attachment(struct req *r)
{
	struct mailbox_open       o;
	struct summary_attachment info;
	struct buf                out;
	char                     *text = NULL;
	size_t                    len = 0;
	int                       shown;
	enum app_err              e;

	if ((e = open_or_locked(r, req_param_id(r, PARAM_ID), &o, &shown)) !=
		APP_OK ||
	    shown)
		return e;
	e = read_message(r, &o, &text, &len, NULL);
	mailbox_close(&o);
	buf_init(&out, r->cfg->max_message_size);
	if (e == APP_OK &&
	    (e = attachment(r, text, len, &out, &info)) == APP_OK &&
	    (e = download_head(r, info.type,
		 disposition(r, info.name, "attachment"),
		 (long long)out.len)) == APP_OK)
		e = resp_stream(r, out.data, out.len);
	mailbox_text_free(text, len);
	if (out.data != NULL)
		sodium_memzero(out.data, out.cap);
	buf_free(&out);
	return e;
}

static int
stream_write(void *ctx, const char *data, size_t len)
{
	return resp_stream(ctx, data, len) == APP_OK ? 0 : -1;
}

/* GET /my/mailbox/:id/export: the whole mailbox, mboxrd, streamed. */
enum app_err
h_mailbox_export(struct req *r)
{
	struct mailbox_open o;
	int                 shown;
	enum app_err        e;

	if ((e = open_or_locked(r, req_param_id(r, PARAM_ID), &o, &shown)) !=
		APP_OK ||
	    shown)
		return e;
	e = download_head(r, "application/mbox",
	    disposition(r, arena_printf(r->arena, "%s.mbox", o.address),
		"mailbox.mbox"),
	    -1);
	if (e == APP_OK)
		e = mailbox_export(r->db, &o, stream_write, r);
	mailbox_close(&o);
	if (e != APP_OK)
		log_warn("export_failed", LOG_INT("mailbox", o.id));
	return e;
}

/* The message ids of the form (every "message" field), at most max. */
static size_t
form_ids(const struct req *r, long long *ids, size_t max, int *bad)
{
	size_t i, n = 0;
	char  *end;

	*bad = 0;
	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.v[i].key, "message") != 0)
			continue;
		if (n == max || !isdigit((unsigned char)r->form.v[i].val[0]) ||
		    (ids[n] = strtoll(r->form.v[i].val, &end, 10)) <= 0 ||
		    *end != '\0') {
			*bad = 1;
			return n;
		}
		n++;
	}
	return n;
}

/*
 * POST /my/mailbox/:id/delete (message=ID, given once per message).  The
 * repeated field is read here: the declared-field checker takes each
 * field once.
 */
enum app_err
h_mailbox_delete(struct req *r)
{
	struct mailbox_open o;
	struct actor        a;
	long long           ids[DELETE_MAX], n = 0;
	size_t              nids;
	int                 shown, bad;
	enum app_err        e;

	if ((e = open_or_locked(r, req_param_id(r, PARAM_ID), &o, &shown)) !=
		APP_OK ||
	    shown)
		return e;
	mailbox_close(&o);
	nids = form_ids(r, ids, DELETE_MAX, &bad);
	if (bad || nids == 0) {
		r->reason = bad ? N_("bad or too many message ids") :
				  N_("no message selected");
		return APP_EINPUT;
	}
	req_actor(r, ACTOR_USER, &a);
	if ((e = mailbox_delete(r->db, &a, &o, ids, nids, &n)) != APP_OK)
		return e;
	return resp_redirect(r, 303,
	    arena_printf(r->arena, "/my/mailbox/%lld?done=deleted", o.id));
}
