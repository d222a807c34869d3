/*
 * i18n.h - the languages membermail speaks: GNU gettext catalogues, the
 * choice of a language for a request or a recipient, and dates and
 * numbers in each language's conventions.
 *
 * English is the source language: every msgid is English, and English is
 * always language 0, with no catalogue.  Every other language is one
 * compiled catalogue, <locale_dir>/<ll>/LC_MESSAGES/membermail.mo, found
 * by i18n_init() at start-up (before fork): adding a language is adding
 * po/<ll>.po.  Languages are identified by their BCP 47 tag ("fi",
 * "pt-BR"); the catalogue's directory is its gettext name ("pt_BR").
 *
 * Lookups go through glibc's gettext with the language given explicitly:
 * the LANGUAGE variable is switched only when another language is asked
 * for, and only inside a thread locale of our own (C.UTF-8 for
 * LC_MESSAGES), so the process locale stays "C" and libc's and libpq's
 * own messages (strerror, the log) stay English.  Not thread-safe (there
 * are no threads here).  Translations are never freed: they live in the
 * loaded catalogues for the life of the process.
 *
 * Marking strings for xgettext (make update-po): tr(), trn(), trc() where
 * the language is at hand, N_() and NC_() where a string is translated
 * later (a table, a rule's message, a reason for the error page).  Formats with
 * more than one directive number them ("%1$s ... %2$s") so a translator
 * can reorder them.
 */
#ifndef MM_I18N_H
#define MM_I18N_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define I18N_DOMAIN   "membermail"
#define I18N_MAX      16 /* languages, English included */
#define I18N_CODE_MAX 16 /* a tag, NUL included */
#define I18N_NAME_MAX 64 /* a language's name for itself */

struct lang {
	char   code[I18N_CODE_MAX]; /* "fi", "pt-BR" */
	char   dir[I18N_CODE_MAX];  /* "fi", "pt_BR" */
	char   name[I18N_NAME_MAX]; /* "suomi" */
	size_t index;               /* 0: English */
};

/*
 * Mark s for extraction without translating it (translated later, by
 * tr(), or by trc() with the same context ctx).
 */
#define N_(s)       (s)
#define NC_(ctx, s) (s)

/*
 * Finds the catalogues under locale_dir and loads them.  Returns 0, or -1
 * with the reason in err (no such directory, a catalogue that does not
 * load, no C.UTF-8 locale).  Called again with the same directory it does
 * nothing; with another one it fails: the catalogues a process loaded stay
 * loaded (gettext never reads a file twice), so new ones need a restart.
 */
int i18n_init(const char *locale_dir, char *err, size_t errsz);

/* Languages: 1 (English) before i18n_init; index 0 is English. */
size_t             i18n_count(void);
const struct lang *i18n_lang(size_t index);
const struct lang *i18n_english(void);
/* The language of tag code[0..len) (case-insensitive), or NULL. */
const struct lang *i18n_find(const char *code, size_t len);
/* The language of a NUL-terminated tag; NULL for NULL, "" or not ours. */
const struct lang *i18n_tag(const char *tag);
/*
 * The best of our languages for an Accept-Language header (RFC 9110:
 * highest q wins, then the first listed; "fi-FI" matches "fi"; q=0 never),
 * or NULL when none is acceptable or the header is absent or malformed.
 */
const struct lang *i18n_accept(const char *header);

/* msgid in language l (msgid itself when it has no translation). */
const char *tr(const struct lang *l, const char *msgid)
    __attribute__((format_arg(2)));
/* The plural form for n of singular/plural in language l. */
const char *trn(const struct lang *l, const char *singular, const char *plural,
    unsigned long n) __attribute__((format_arg(2), format_arg(3)));
/* msgid in context ctx (msgctxt), for words that need one. */
const char *trc(const struct lang *l, const char *ctx, const char *msgid)
    __attribute__((format_arg(3)));

/*
 * A time PostgreSQL wrote ("YYYY-MM-DD", "YYYY-MM-DD HH:MI[:SS[.frac]]",
 * with 'T' or ' ', an offset "+HH[:MM]" or "Z" optional) in l's format for
 * a date, a date and time, or one with seconds, e.g. Finnish
 * "6.12.2026 klo 1.50"; an offset of zero is written " UTC", another as
 * " +HH:MM".  Writes at most outsz bytes (NUL included) and returns out;
 * text that is not such a time is copied as it is (truncated to fit).
 */
const char *i18n_time(const struct lang *l, const char *text, char *out,
    size_t outsz);
/* n with l's digit grouping ("12,345"; Finnish "12 345"), into out. */
const char *i18n_number(const struct lang *l, long long n, char *out,
    size_t outsz);

#ifdef __cplusplus
}
#endif

#endif
