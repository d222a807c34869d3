/*
 * i18n.c - catalogues, language choice, dates and numbers; see i18n.h.
 */
#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/i18n.h"

#define ACCEPT_MAX 1024 /* bytes of Accept-Language looked at */
#define CTX_MAX    512  /* msgctxt + msgid, for trc */

/*
 * glibc's cache of lookups does not know LANGUAGE: the gettext manual's
 * way to tell it the language changed is to bump this counter.
 */
extern int _nl_msg_cat_cntr;

static struct lang langs[I18N_MAX] = {
	{ "en", "en", "English", 0 },
};
static size_t             nlangs = 1;
static char               loaded_dir[1024];
static locale_t           msgloc;  /* LC_MESSAGES C.UTF-8, for lookups */
static const struct lang *current; /* the catalogue LANGUAGE names */

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * One lookup in l's catalogue: LANGUAGE names it while our own thread
 * locale is in use, so that nothing else in the process sees it.
 */
static const char *
lookup(const struct lang *l, const char *msgid, const char *plural,
    unsigned long n)
{
	const char *s = msgid;
	locale_t    old;

	if ((old = uselocale(msgloc)) == (locale_t)0)
		return msgid;
	if (l != current) {
		current = NULL;
		if (setenv("LANGUAGE", l->dir, 1) == 0) {
			_nl_msg_cat_cntr++;
			current = l;
		}
	}
	if (current == l)
		s = plural != NULL ? dngettext(I18N_DOMAIN, msgid, plural, n) :
				     dgettext(I18N_DOMAIN, msgid);
	uselocale(old);
	return s;
}

/*
 * glibc's dgettext takes a lock, reads LANGUAGE and hashes on every call:
 * most of a translated page's cost.  A per-process memo of (language,
 * msgid text) answers the repeats: the catalogues never change inside a
 * process (new ones are read at a restart or an upgrade).  Keyed by the
 * text, not the pointer, since some msgids are read from the database;
 * bounded: once full, lookups go to gettext as before.
 */
#define MEMO_SLOTS 2048 /* a power of two */
#define MEMO_PROBE 8
#define MEMO_BYTES (48 * 1024)

struct memo {
	const char *msgid;  /* a copy in memo_text; NULL: a free slot */
	const char *result; /* in the catalogue; NULL: untranslated */
	unsigned    hash;
	size_t      lang;
};

static struct memo memo[MEMO_SLOTS];
static char        memo_text[MEMO_BYTES];
static size_t      memo_used;

static unsigned
memo_hash(const char *s, size_t lang)
{
	unsigned h = 2166136261u ^ (unsigned)lang; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* tr()'s lookup for a language with a catalogue, through the memo. */
static const char *
memoized(const struct lang *l, const char *msgid)
{
	struct memo *m, *free_slot = NULL;
	const char  *s;
	unsigned     h = memo_hash(msgid, l->index), k;
	size_t       len;

	for (k = 0; k < MEMO_PROBE; k++) {
		m = &memo[(h + k) & (MEMO_SLOTS - 1)];
		if (m->msgid == NULL) {
			free_slot = m;
			break;
		}
		if (m->hash == h && m->lang == l->index &&
		    strcmp(m->msgid, msgid) == 0)
			return m->result != NULL ? m->result : msgid;
	}
	s = lookup(l, msgid, NULL, 0);
	len = strlen(msgid) + 1;
	if (free_slot == NULL || current != l || len > MEMO_BYTES - memo_used)
		return s; /* not kept: full, or the lookup itself failed */
	memcpy(memo_text + memo_used, msgid, len);
	free_slot->msgid = memo_text + memo_used;
	free_slot->result = s != msgid ? s : NULL;
	free_slot->hash = h;
	free_slot->lang = l->index;
	memo_used += len;
	return s;
}

const char *
tr(const struct lang *l, const char *msgid)
{
	if (l == NULL || l->index == 0 || msgid == NULL || *msgid == '\0')
		return msgid;
	return memoized(l, msgid);
}

const char *
trn(const struct lang *l, const char *singular, const char *plural,
    unsigned long n)
{
	if (l == NULL || l->index == 0)
		return n == 1 ? singular : plural;
	return lookup(l, singular, plural, n);
}

const char *
trc(const struct lang *l, const char *ctx, const char *msgid)
{
	char        key[CTX_MAX];
	const char *s;
	int         len;

	if (l == NULL || l->index == 0)
		return msgid;
	/* gettext's msgctxt: "context\004msgid" */
	len = snprintf(key, sizeof(key), "%s\004%s", ctx, msgid);
	if (len < 0 || (size_t)len >= sizeof(key))
		return msgid;
	s = memoized(l, key);
	return s == key ? msgid : s;
}

size_t
i18n_count(void)
{
	return nlangs;
}

const struct lang *
i18n_lang(size_t index)
{
	return index < nlangs ? &langs[index] : NULL;
}

const struct lang *
i18n_english(void)
{
	return &langs[0];
}

const struct lang *
i18n_find(const char *code, size_t len)
{
	size_t i;

	for (i = 0; code != NULL && i < nlangs; i++)
		if (strlen(langs[i].code) == len &&
		    strncasecmp(langs[i].code, code, len) == 0)
			return &langs[i];
	return NULL;
}

/*
 * A q value (RFC 9110 "qvalue") in thousandths, or -1 when malformed:
 * "1", "1.000", "0", "0.8", "0.125".
 */
static int
qvalue(const char *s, size_t len)
{
	int    q, scale = 100;
	size_t i;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (!isdigit((unsigned char)s[i]) || (q == 1000 && s[i] != '0'))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q;
}

/* The language a range ("fi", "fi-FI", "pt") asks for, or NULL. */
static const struct lang *
range_lang(const char *range, size_t len)
{
	const struct lang *l;
	size_t             i, primary = strcspn(range, "-");

	if ((l = i18n_find(range, len)) != NULL)
		return l;
	if (primary > len)
		primary = len;
	for (i = 0; i < nlangs; i++)
		if (strncasecmp(langs[i].code, range, primary) == 0 &&
		    (langs[i].code[primary] == '\0' ||
			langs[i].code[primary] == '-'))
			return &langs[i];
	return NULL;
}

/* The q of one element's parameters (";q=0.5"), 1000 if none, -1 if bad. */
static int
element_q(const char *p, size_t len)
{
	const char *end = p + len, *v;

	while (p < end) {
		p += strspn(p, " \t;");
		if (p >= end)
			break;
		v = p;
		p += strcspn(p, ";");
		if (p > end)
			p = end;
		if ((size_t)(p - v) > 2 && (v[0] == 'q' || v[0] == 'Q') &&
		    v[1] == '=') {
			while (p > v + 2 && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			return qvalue(v + 2, (size_t)(p - v - 2));
		}
	}
	return 1000;
}

const struct lang *
i18n_accept(const char *h)
{
	const struct lang *best = NULL, *l;
	const char        *end, *p;
	size_t             len, rlen;
	int                q, bestq = 0;

	if (h == NULL || (len = strnlen(h, ACCEPT_MAX + 1)) > ACCEPT_MAX)
		return NULL;
	for (end = h + len; h < end; h = p + 1) {
		h += strspn(h, " \t");
		p = h + strcspn(h, ",");
		rlen = strcspn(h, " \t;,");
		if (rlen == 0 || (rlen == 1 && *h == '*'))
			continue;
		q = element_q(h + rlen, (size_t)(p - h) - rlen);
		if (q > bestq && (l = range_lang(h, rlen)) != NULL) {
			best = l;
			bestq = q;
		}
		if (*p == '\0')
			break;
	}
	return best;
}

const struct lang *
i18n_tag(const char *tag)
{
	return tag != NULL && *tag != '\0' ? i18n_find(tag, strlen(tag)) : NULL;
}

/* A catalogue directory's name: "fi", "fil", "pt_BR". */
static int
dir_name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	if (n < 2 || n > 3)
		return 0;
	if (s[n] == '\0')
		return 1;
	return s[n] == '_' && isupper((unsigned char)s[n + 1]) &&
	    isupper((unsigned char)s[n + 2]) && s[n + 3] == '\0';
}

static int
by_code(const void *a, const void *b)
{
	return strcmp(((const struct lang *)a)->code,
	    ((const struct lang *)b)->code);
}

/* Adds dir/name if it holds our catalogue; 0, or -1 when full. */
static int
add_found(struct lang *found, size_t *n, const char *dir, const char *name)
{
	char        path[1200];
	struct lang l;
	char       *u;

	if (!dir_name_ok(name) || strcmp(name, "en") == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", dir, name,
	    I18N_DOMAIN);
	if (access(path, R_OK) != 0)
		return 0;
	if (*n == I18N_MAX - 1)
		return -1;
	memset(&l, 0, sizeof(l));
	memcpy(l.dir, name, strlen(name) + 1); /* dir_name_ok: <= 6 bytes */
	memcpy(l.code, name, strlen(name) + 1);
	if ((u = strchr(l.code, '_')) != NULL)
		*u = '-';
	found[(*n)++] = l;
	return 0;
}

/* The catalogues' directories under dir, sorted by tag. */
static int
scan(const char *dir, struct lang *found, size_t *n, char *err, size_t errsz)
{
	DIR           *dp;
	struct dirent *de;
	int            full = 0;

	*n = 0;
	if ((dp = opendir(dir)) == NULL)
		return fail(err, errsz, "locale_dir %s: %s", dir,
		    strerror(errno));
	while ((de = readdir(dp)) != NULL && !full)
		full = add_found(found, n, dir, de->d_name) == -1;
	closedir(dp);
	if (full)
		return fail(err, errsz, "locale_dir %s: more than %d languages",
		    dir, I18N_MAX - 1);
	qsort(found, *n, sizeof(*found), by_code);
	return 0;
}

/*
 * Makes the found languages ours, each with its name for itself; a
 * catalogue that does not load (its header cannot be looked up) fails.
 */
static int
adopt(const struct lang *found, size_t n, char *err, size_t errsz)
{
	const char *name;
	size_t      i;

	for (i = 0; i < n; i++) {
		langs[i + 1] = found[i];
		langs[i + 1].index = i + 1;
		current = NULL;
		if (*lookup(&langs[i + 1], "", NULL, 0) == '\0') {
			nlangs = 1;
			return fail(err, errsz,
			    "%s: the catalogue %s.mo does not load",
			    found[i].dir, I18N_DOMAIN);
		}
		/* TRANSLATORS: your language's name in your language. */
		name = trc(&langs[i + 1], "language name", "English");
		if (strcmp(name, "English") == 0 ||
		    snprintf(langs[i + 1].name, sizeof(langs[i + 1].name), "%s",
			name) >= (int)sizeof(langs[i + 1].name))
			memcpy(langs[i + 1].name, found[i].code,
			    sizeof(found[i].code));
	}
	nlangs = n + 1;
	return 0;
}

int
i18n_init(const char *dir, char *err, size_t errsz)
{
	struct lang found[I18N_MAX];
	size_t      n;

	if (dir == NULL || *dir == '\0' || strlen(dir) >= sizeof(loaded_dir))
		return fail(err, errsz, "locale_dir: empty or too long");
	if (loaded_dir[0] != '\0')
		return strcmp(dir, loaded_dir) == 0 ?
		    0 :
		    fail(err, errsz,
			"locale_dir %s: the catalogues of %s are loaded; "
			"a restart changes them",
			dir, loaded_dir);
	if (msgloc == (locale_t)0 &&
	    (msgloc = newlocale(LC_MESSAGES_MASK, "C.UTF-8", (locale_t)0)) ==
		(locale_t)0)
		return fail(err, errsz, "the C.UTF-8 locale: %s",
		    strerror(errno));
	if (scan(dir, found, &n, err, errsz) == -1)
		return -1;
	if (bindtextdomain(I18N_DOMAIN, dir) == NULL ||
	    bind_textdomain_codeset(I18N_DOMAIN, "UTF-8") == NULL)
		return fail(err, errsz, "bindtextdomain %s: %s", dir,
		    strerror(errno));
	if (adopt(found, n, err, errsz) == -1)
		return -1;
	snprintf(loaded_dir, sizeof(loaded_dir), "%s", dir);
	return 0;
}
