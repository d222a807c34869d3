/*
 * render.c - turn a page template into the response body, and keep the
 * pages every signed-out visitor gets alike (page_render_shared).
 *
 * A shared page is rendered once with a placeholder where the CSRF token
 * goes, and kept as the text around it; a request then costs a copy with
 * its own token spliced in.  The placeholder is 64 random hex digits,
 * drawn once per worker, so neither escaping nor any page's text can
 * make or hide one.  The pages are built from the worker's cached domain
 * lists only, so they are good while db_cache_version stays the same.
 * A page is kept per language (its key starts with the language's tag):
 * the worker owns the kept pages (SHARED_MAX of them, freed at exit).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "handlers/handlers.h"
#include "http/session.h"
#include "lib/i18n.h"
#include "lib/valid.h"
#include "rules/history.h"
#include "store/db.h"
#include "views/view.h"

#define SHARED_MAX  16 /* kept pages per worker */
#define SHARED_KEY  80 /* longest key kept, its language's tag included */
#define SHARED_HOLE 8  /* most tokens in one page */

struct shared_page {
	char          key[SHARED_KEY];
	unsigned long version; /* db_cache_version it was made at */
	char         *text;    /* the page with its holes cut out */
	size_t        len;
	size_t        hole[SHARED_HOLE]; /* offsets in text of the tokens */
	size_t        nhole;
};

static struct shared_page shared[SHARED_MAX];
static size_t             shared_next; /* the next slot to reuse */
static char               placeholder[65];

struct view_dict *
page_dict(struct req *r)
{
	if (r->view == NULL && (r->view = view_dict_new()) != NULL)
		view_set_lang(r->view, r->lang);
	return r->view;
}

void
page_notice(struct view_dict *d, const char *done,
    const struct page_notice *table, size_t n)
{
	size_t i;

	for (i = 0; done != NULL && i < n; i++)
		if (strcmp(done, table[i].done) == 0) {
			view_show(d, "NOTICE");
			view_set(d, "NOTICE_TEXT",
			    tr(view_lang(d), table[i].text));
		}
}

/*
 * Where the language switch comes back to: this page (a GET's whole URI,
 * else its path, as a form's page shows again by GET), if it may be a
 * sign-in's next; a page kept for everyone gives its path only.
 */
static const char *
here(const struct req *r, int kept)
{
	const char *p = r->method & (METHOD_GET | METHOD_HEAD) && !kept ?
	    r->uri :
	    r->path;

	return p != NULL && strlen(p) <= NEXT_PATH_MAX &&
		valid_next_path(p, strlen(p)) ?
	    p :
	    "/";
}

/* Renders the page with `csrf' as its token into r->out. */
static enum app_err
render(struct req *r, int status, const char *title, const char *page,
    const char *csrf, int kept)
{
	struct view_dict *d;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set_lang(d, r->lang);
	view_set(d, "TITLE", title);
	view_set(d, "CSRF_TOKEN", csrf);
	view_set(d, "HERE", here(r, kept));
	if (r->user != NULL) {
		view_show(d, "SIGNED_IN");
		view_set(d, "USER_NAME", r->user->name);
		if (r->user->is_site_admin)
			view_show(d, "SITE_ADMIN");
	}
	buf_reset(&r->out);
	if (view_render(d, page, &r->out) != 0) {
		r->reason = r->out.failed ? N_("page over its bound") :
					    N_("template expansion failed");
		return APP_EINTERNAL;
	}
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	return APP_OK;
}

enum app_err
history_rows(struct req *r, struct view_dict *d, PGresult *res, int named)
{
	struct history_event ev;
	struct view_dict    *row;
	const char          *line;
	int                  i;

	for (i = 0; i < PQntuples(res); i++) {
		ev.at = db_str(res, i, HISTORY_AT);
		ev.actor_kind = db_str(res, i, HISTORY_KIND);
		ev.actor_name = db_str(res, i, HISTORY_NAME);
		ev.action = db_str(res, i, HISTORY_ACTION);
		ev.target = db_str(res, i, HISTORY_TARGET);
		ev.before = db_str(res, i, HISTORY_BEFORE);
		ev.after = db_str(res, i, HISTORY_AFTER);
		if ((row = view_add_section(d, "HISTORY")) == NULL ||
		    (line = history_line(r->arena, r->lang, &ev, named)) ==
			NULL)
			return APP_ENOMEM;
		view_set(row, "LINE", line);
	}
	return APP_OK;
}

enum app_err
page_render(struct req *r, int status, const char *title, const char *page)
{
	const char *csrf;

	if ((csrf = csrf_token(r)) == NULL)
		return APP_ENOMEM;
	return render(r, status, title, page, csrf, 0);
}

static void
shared_free(void)
{
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		free(shared[i].text);
	memset(shared, 0, sizeof(shared));
}

/* The kept page for key, if it was made at this version. */
static struct shared_page *
shared_find(const char *key, unsigned long version)
{
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].text != NULL && shared[i].version == version &&
		    strcmp(shared[i].key, key) == 0)
			return &shared[i];
	return NULL;
}

/* A slot for key: its own, an outdated one, or the next in turn. */
static struct shared_page *
shared_slot(const char *key, unsigned long version)
{
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].text == NULL || shared[i].version != version ||
		    strcmp(shared[i].key, key) == 0)
			return &shared[i];
	return &shared[shared_next++ % SHARED_MAX];
}

/*
 * Keeps r->out (rendered with the placeholder) as key's page: the text
 * with the placeholders cut out and where they were.  A page with more
 * tokens than SHARED_HOLE is not kept.
 */
static void
shared_keep(struct req *r, const char *key)
{
	static int         registered;
	struct shared_page sp, *slot;
	const char        *at, *from = r->out.data, *end = from + r->out.len;
	size_t             n = strlen(placeholder);
	char              *w;

	memset(&sp, 0, sizeof(sp));
	if ((w = sp.text = malloc(r->out.len + 1)) == NULL)
		return;
	while (
	    (at = memmem(from, (size_t)(end - from), placeholder, n)) != NULL) {
		if (sp.nhole == SHARED_HOLE) {
			free(sp.text);
			return;
		}
		memcpy(w, from, (size_t)(at - from));
		w += at - from;
		sp.hole[sp.nhole++] = (size_t)(w - sp.text);
		from = at + n;
	}
	memcpy(w, from, (size_t)(end - from));
	sp.len = (size_t)(w - sp.text) + (size_t)(end - from);
	sp.version = db_cache_version(r->db);
	snprintf(sp.key, sizeof(sp.key), "%s", key);
	if (!registered && atexit(shared_free) == 0)
		registered = 1;
	slot = shared_slot(key, sp.version);
	free(slot->text);
	*slot = sp;
}

/* The kept page with this request's token in its holes, into r->out. */
static enum app_err
shared_send(struct req *r, const struct shared_page *sp, const char *csrf)
{
	size_t i, at = 0;

	buf_reset(&r->out);
	for (i = 0; i < sp->nhole; i++) {
		buf_append(&r->out, sp->text + at, sp->hole[i] - at);
		buf_puts(&r->out, csrf);
		at = sp->hole[i];
	}
	buf_append(&r->out, sp->text + at, sp->len - at);
	if (r->out.failed) {
		r->reason = N_("page over its bound");
		return APP_EINTERNAL;
	}
	r->status = 200;
	r->ctype = "text/html; charset=utf-8";
	return APP_OK;
}

enum app_err
page_render_shared(struct req *r, const char *key, const char *title,
    const char *page, page_fill_fn *fill, const void *arg)
{
	const struct shared_page *sp;
	struct view_dict         *d;
	const char               *csrf;
	char                      lkey[SHARED_KEY];
	int                       n;
	enum app_err              e;

	if ((csrf = csrf_token(r)) == NULL)
		return APP_ENOMEM;
	n = snprintf(lkey, sizeof(lkey), "%s/%s",
	    (r->lang != NULL ? r->lang : i18n_english())->code, key);
	key = lkey;
	if (r->user == NULL && n > 0 && n < SHARED_KEY &&
	    (sp = shared_find(key, db_cache_version(r->db))) != NULL)
		return shared_send(r, sp, csrf);
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	if ((e = fill(r, d, arg)) != APP_OK)
		return e;
	if (r->user != NULL || n <= 0 || n >= SHARED_KEY)
		return render(r, 200, title, page, csrf, 0);
	if (placeholder[0] == '\0') {
		unsigned char raw[32];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(placeholder, sizeof(placeholder), raw,
		    sizeof(raw));
	}
	if ((e = render(r, 200, title, page, placeholder, 1)) != APP_OK)
		return e;
	shared_keep(r, key);
	if ((sp = shared_find(key, db_cache_version(r->db))) == NULL)
		return render(r, 200, title, page, csrf, 0);
	return shared_send(r, sp, csrf);
}

void
page_set_time(const struct req *r, struct view_dict *d, const char *key,
    const char *pgtime)
{
	char out[64];

	view_set(d, key, i18n_time(r->lang, pgtime, out, sizeof(out)));
}

void
page_set_count(const struct req *r, struct view_dict *d, const char *key,
    long long n)
{
	char out[32];

	view_set(d, key, i18n_number(r->lang, n, out, sizeof(out)));
}
