/*
 * notify.c - notification e-mail rendered and queued in the outbox; see
 * notify.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "rules/notify.h"
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

/* Appends the addresses of l not already in the list to b, ' '-joined. */
static int
add_list(struct buf *b, const char *const *l, size_t n, const char *const *skip,
    size_t nskip, size_t *count)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (!mail_address_ok(l[i]))
			return -1;
		for (k = 0; k < nskip; k++)
			if (strcasecmp(skip[k], l[i]) == 0)
				break;
		if (k < nskip)
			continue;
		for (k = 0; k < i; k++)
			if (strcasecmp(l[k], l[i]) == 0)
				break;
		if (k < i)
			continue;
		buf_printf(b, "%s%s", b->len > 0 ? " " : "", l[i]);
		(*count)++;
	}
	return 0;
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

enum app_err
mail_queue(struct db *db, const struct config *cfg, const char *tpl,
    const char *const *to, size_t nto, const char *const *cc, size_t ncc,
    struct view_dict *d)
{
	struct buf   out, tos, ccs;
	const char  *p[4], *subject, *body;
	size_t       nt = 0, nc = 0;
	PGresult    *res;
	enum app_err e = APP_EINVALID;
	char        *text;

	buf_init(&out, MAIL_BODY_MAX);
	buf_init(&tos, 8192);
	buf_init(&ccs, 8192);
	if (add_list(&tos, to, nto, NULL, 0, &nt) == -1 ||
	    add_list(&ccs, cc, ncc, to, nto, &nc) == -1 || nt == 0 ||
	    nt > MAIL_RCPT_MAX || nc > MAIL_RCPT_MAX) {
		log_error("event=mail_refused template=%s reason=\"bad or no "
			  "recipients\"",
		    tpl);
		goto done;
	}
	view_set(d, "PUBLIC_URL", cfg->public_url);
	if (view_render_bare(d, tpl, &out) == -1 || out.failed ||
	    out.len == 0) {
		log_error("event=mail_refused template=%s reason=\"does not "
			  "render\"",
		    tpl);
		goto done;
	}
	text = out.data; /* NUL-terminated, not empty */
	unescape(text);
	if (split(text, &subject, &body) == -1) {
		log_error("event=mail_refused template=%s reason=\"no one-line "
			  "subject\"",
		    tpl);
		goto done;
	}
	p[0] = buf_cstr(&tos);
	p[1] = buf_cstr(&ccs);
	p[2] = subject;
	p[3] = body;
	if ((res = db_exec(db, STMT_OUTBOX_INSERT, 4, p, &e)) != NULL) {
		PQclear(res);
		log_info("event=mail_queued template=%s to=%zu cc=%zu", tpl, nt,
		    nc);
	}
done:
	buf_free(&out);
	buf_free(&tos);
	buf_free(&ccs);
	return e;
}
