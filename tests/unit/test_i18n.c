/*
 * test_i18n.c - catalogues and lookups (lib/i18n.c), Accept-Language,
 * dates and numbers (lib/i18n_fmt.c) and the templates' markers
 * (views/markers.c), with the tests' own catalogues: the .po files of
 * tests/unit/data/i18n, compiled into MM_TEST_I18N_DIR by make check.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "test.h"
#include "views/markers.h"

static const struct lang *fi, *pt, *en;

static void
test_init(const char *dir)
{
	char err[512];

	CHECK_INT((long long)i18n_count(), 1, "English only before init");
	CHECK_STR(tr(i18n_english(), "Hello"), "Hello", "English before init");
	CHECK_INT(i18n_init("/nonexistent/locale", err, sizeof(err)), -1,
	    "a missing locale_dir");
	CHECK(strstr(err, "No such file") != NULL, "says why: %s", err);
	CHECK_INT((long long)i18n_count(), 1, "still English only");
	CHECK_INT(i18n_init(dir, err, sizeof(err)), 0, "init: %s", err);
	CHECK_INT((long long)i18n_count(), 3, "en, fi, pt-BR");
	CHECK_INT(i18n_init(dir, err, sizeof(err)), 0, "the same dir again");
	CHECK_INT(i18n_init("/tmp", err, sizeof(err)), -1, "another dir");
	CHECK(strstr(err, "restart") != NULL, "needs a restart: %s", err);

	en = i18n_lang(0);
	fi = i18n_find("fi", 2);
	pt = i18n_find("PT-br", 5);
	CHECK(en == i18n_english() && en->index == 0, "English is 0");
	CHECK(fi != NULL && fi->index == 1, "fi found, sorted first");
	CHECK(pt != NULL && pt->index == 2, "pt-BR found");
	if (fi == NULL || pt == NULL)
		exit(test_done("test_i18n"));
	CHECK_STR(fi->name, "suomi", "fi's name for itself");
	CHECK_STR(pt->code, "pt-BR", "pt_BR's tag");
	CHECK_STR(pt->dir, "pt_BR", "pt-BR's catalogue");
	CHECK_STR(pt->name, "português do Brasil", "pt-BR's name");
	CHECK(i18n_find("pt", 2) == NULL, "no bare pt");
	CHECK(i18n_find("fi-FI", 5) == NULL, "no fi-FI tag");
	CHECK(i18n_lang(3) == NULL, "no fourth language");
}

static void
test_lookups(void)
{
	const char *id = "Not in any catalogue";
	int         round;

	/* Back and forth: each lookup names its own language. */
	for (round = 0; round < 3; round++) {
		CHECK_STR(tr(fi, "Hello"), "Hei", "fi, round %d", round);
		CHECK_STR(tr(en, "Hello"), "Hello", "en, round %d", round);
		CHECK_STR(tr(pt, "Hello"), "Olá", "pt-BR, round %d", round);
	}
	CHECK(tr(fi, id) == id, "no translation: the msgid itself");
	CHECK_STR(tr(fi, ""), "", "the empty msgid is not the header");
	CHECK_STR(trn(fi, "%lu alias", "%lu aliases", 1), "%lu alias", "fi, 1");
	CHECK_STR(trn(fi, "%lu alias", "%lu aliases", 2), "%lu aliasta",
	    "fi, 2");
	CHECK_STR(trn(en, "%lu alias", "%lu aliases", 0), "%lu aliases",
	    "en, 0");
	CHECK_STR(trn(pt, "%lu alias", "%lu aliases", 2), "%lu aliases",
	    "pt-BR, untranslated: English's plural");
	CHECK_STR(trc(fi, "a button", "Save"), "Tallenna", "fi, in context");
	CHECK_STR(tr(fi, "Save"), "Säästä", "fi, without context");
	CHECK(trc(fi, "no such context", id) == id, "context, untranslated");
	CHECK_STR(trc(en, "a button", "Save"), "Save", "en, in context");
	/* The memo is keyed by the text: another msgid at the same address. */
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%s", "Hello");
		CHECK_STR(tr(fi, buf), "Hei", "fi, from a buffer");
		snprintf(buf, sizeof(buf), "%s", "Save");
		CHECK_STR(tr(fi, buf), "Säästä", "fi, the same buffer");
		snprintf(buf, sizeof(buf), "%s", id);
		CHECK(tr(fi, buf) == buf, "untranslated: the caller's msgid");
		CHECK_STR(tr(pt, "Save"), "Save", "pt-BR: its own answer");
	}
	/* The process's own messages stay English (the log is English). */
	(void)tr(fi, "Hello");
	CHECK_STR(strerror(ENOENT), "No such file or directory",
	    "libc's messages after a Finnish lookup");
}

static void
test_accept(void)
{
	static const struct {
		const char *header;
		const char *want; /* a tag, or NULL */
	} cases[] = {
		{ NULL, NULL },
		{ "", NULL },
		{ "fi", "fi" },
		{ "FI", "fi" },
		{ "fi-FI,fi;q=0.9,en-US;q=0.8,en;q=0.7", "fi" },
		{ "en-US,en;q=0.9,fi;q=0.8", "en" },
		{ "de, fi;q=0.5", "fi" },
		{ "de, en-GB;q=0.1, fi;q=0.5", "fi" },
		{ "fi;q=0", NULL },
		{ "fi;q=0.000, en;q=0.001", "en" },
		{ "*", NULL },
		{ "*;q=1, fi;q=0.2", "fi" },
		{ "pt", "pt-BR" },
		{ "pt-PT;q=0.9, fi;q=0.8", "pt-BR" },
		{ "pt-br", "pt-BR" },
		{ "fi;q=1.5", NULL },
		{ "fi;q=abc, en", "en" },
		{ "fi ; q=0.8 , en ; q=0.9", "en" },
		{ "sv, de, fr", NULL },
		{ ",,, ;;;, fi", "fi" },
		{ "f, i", NULL },
		{ "fi;level=1;q=0.7, en;q=0.6", "fi" },
	};
	const struct lang *l;
	size_t             i;
	char               huge[2048];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = i18n_accept(cases[i].header);
		CHECK_STR(l != NULL ? l->code : NULL, cases[i].want,
		    "Accept-Language: %s",
		    cases[i].header ? cases[i].header : "(none)");
	}
	memset(huge, ' ', sizeof(huge) - 3);
	memcpy(huge + sizeof(huge) - 3, "fi", 3);
	CHECK(i18n_accept(huge) == NULL, "over 1024 bytes: ignored");
}

static void
test_formats(void)
{
	static const struct {
		int         lang; /* 0 en, 1 fi */
		const char *in, *want;
	} cases[] = {
		{ 0, "2026-12-06", "2026-12-06" },
		{ 1, "2026-12-06", "6.12.2026" },
		{ 0, "2026-12-06 01:50", "2026-12-06 01:50" },
		{ 1, "2026-12-06 01:50", "6.12.2026 klo 1.50" },
		{ 1, "2026-12-06T13:05", "6.12.2026 klo 13.05" },
		{ 1, "2026-12-06 01:50+00", "6.12.2026 klo 1.50 UTC" },
		{ 0, "2026-12-06 01:50:33+00", "2026-12-06 01:50:33 UTC" },
		{ 0, "2026-12-06 01:50:33.123456+02",
		    "2026-12-06 01:50:33 +02:00" },
		{ 0, "2026-12-06 01:50:33-05:30",
		    "2026-12-06 01:50:33 -05:30" },
		{ 0, "2026-12-06T01:50:33Z", "2026-12-06 01:50:33 UTC" },
		{ 1, "2026-12-06 01:50:07",
		    "%e jouluk. joulukuu %, 6.12.2026 klo 1.50.07" },
		{ 1, "never", "never" },
		{ 1, "2026-13-06", "2026-13-06" },
		{ 1, "2026-12-06 25:00", "2026-12-06 25:00" },
		{ 1, "2026-12-06 01:50 junk", "2026-12-06 01:50 junk" },
		{ 1, "", "" },
	};
	static const struct {
		int         lang;
		long long   n;
		const char *want;
	} numbers[] = {
		{ 0, 0, "0" },
		{ 0, 999, "999" },
		{ 0, 1000, "1,000" },
		{ 0, -1234567, "-1,234,567" },
		{ 1, 12345, "12 345" },
		{ 1, 100, "100" },
		{ 0, -9223372036854775807LL - 1, "-9,223,372,036,854,775,808" },
	};
	char   out[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(i18n_time(i18n_lang((size_t)cases[i].lang),
			      cases[i].in, out, sizeof(out)),
		    cases[i].want, "time %s in %d", cases[i].in, cases[i].lang);
	CHECK_STR(i18n_time(fi, "2026-12-06 01:50", out, 8), "2026-12",
	    "truncated, not overrun");
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		CHECK_STR(i18n_number(i18n_lang((size_t)numbers[i].lang),
			      numbers[i].n, out, sizeof(out)),
		    numbers[i].want, "number %lld", numbers[i].n);
	CHECK_STR(i18n_number(en, 1234567, out, 5), "1234", "too small");
}

/* markers_translate of text into l: the output, or "ERROR: why". */
typedef int (*fill_fn)(const char *, size_t, const struct lang *, struct buf *,
    char *, size_t);

/* The text one of markers.c's load-time passes makes of a template. */
static const char *
filled(fill_fn fill, const char *text, const struct lang *l)
{
	static char out[4096];
	char        why[256];
	struct buf  b;

	buf_init(&b, sizeof(out) - 1);
	if (fill(text, strlen(text), l, &b, why, sizeof(why)) == -1)
		snprintf(out, sizeof(out), "ERROR: %s", why);
	else
		snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static const char *
translate(const char *text, const struct lang *l)
{
	return filled(markers_translate, text, l);
}

static void
test_markers(void)
{
	static const struct {
		int         lang;
		const char *in, *want;
	} cases[] = {
		{ 0, "no markers {{X}}", "no markers {{X}}" },
		{ 0, "<p>[[Hello]]</p>", "<p>Hello</p>" },
		{ 1, "<p>[[Hello]]</p>", "<p>Hei</p>" },
		{ 1, "<p>[[  Hello\n\t ]]</p>", "<p>Hei</p>" },
		{ 1, "[[Hello, {{NAME}}]]!", "Hei, {{NAME}}!" },
		{ 1,
		    "[[Read <a href=\"/rules\">the\n  rules</a> before {{WHEN}}.]]",
		    "Lue <a href=\"/rules\">säännöt</a> ennen kuin {{WHEN}}." },
		{ 0, "[[Less & more]]", "Less &amp; more" },
		{ 1, "[[Less & more]]",
		    "Vähemmän &amp; &quot;enemmän&quot; &lt;b&gt;" },
		{ 0, "[[x < y > z \"q\" 'a']]",
		    "x &lt; y &gt; z &quot;q&quot; 'a'" },
		{ 1, "{{! a comment with [[ in it }}[[Hello]]",
		    "{{! a comment with [[ in it }}Hei" },
		{ 1, "[[Not translated, {{X}}]]", "Not translated, {{X}}" },
		{ 0, "a [[b", "ERROR: line 1: a [[ without its ]]" },
		{ 0, "\n\n[[a [[b]]", "ERROR: line 3: a [[ without its ]]" },
		{ 0, "[[ ]]", "ERROR: line 1: [[ ]]: an empty [[]]" },
		{ 0, "[[{{#S}}x{{/S}}]]",
		    "ERROR: line 1: [[{{#S}}x{{/S}}]]: a {{ that is not a "
		    "{{PLACEHOLDER}}" },
		{ 0, "[[a }} b]]",
		    "ERROR: line 1: [[a }} b]]: a }} without its {{" },
		{ 0, "[[a &amp; b]]",
		    "ERROR: line 1: [[a &amp; b]]: an &entity; (write the "
		    "character itself)" },
		{ 1, "[[Bad {{ONE}}]]",
		    "ERROR: line 1: [[Bad {{ONE}}]]: its translation does not "
		    "keep its {{PLACEHOLDERS}} and tags exactly" },
		{ 1, "[[Bad {{ONE}} twice]]",
		    "ERROR: line 1: [[Bad {{ONE}} twice]]: its translation does "
		    "not keep its {{PLACEHOLDERS}} and tags exactly" },
		{ 1, "[[Bad <em>tag</em>]]",
		    "ERROR: line 1: [[Bad <em>tag</em>]]: its translation does "
		    "not keep its {{PLACEHOLDERS}} and tags exactly" },
		{ 1, "[[Bad section]]",
		    "ERROR: line 1: [[Bad section]]: its translation does not "
		    "keep its {{PLACEHOLDERS}} and tags exactly" },
	};
	char   big[MARKER_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(translate(cases[i].in,
			      i18n_lang((size_t)cases[i].lang)),
		    cases[i].want, "marker case %zu", i);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = big[1] = '[';
	big[sizeof(big) - 3] = big[sizeof(big) - 2] = ']';
	big[sizeof(big) - 1] = '\0';
	CHECK(strstr(translate(big, en), "longer than 4096 bytes") != NULL,
	    "an overlong marker");
}

/* markers_languages of text for l: the output, or "ERROR: why". */
static const char *
languages(const char *text, const struct lang *l)
{
	return filled(markers_languages, text, l);
}

/* The language switch, filled in when a template is loaded. */
static void
test_language_sections(void)
{
	static const char sw[] =
	    "<html lang=\"{{LANG}}\">{{#LANGUAGES}}<form>{{#LANGUAGE}}"
	    "{{#LANG_CURRENT}}<b lang=\"{{LANG_CODE}}\">{{LANG_NAME}}</b>"
	    "{{/LANG_CURRENT}}{{#LANG_OTHER}}<button value=\"{{LANG_CODE}}\">"
	    "{{LANG_NAME}}</button>{{/LANG_OTHER}}{{/LANGUAGE}}</form>"
	    "{{/LANGUAGES}}{{OTHER}}";
	char en_page[1024];

	CHECK_STR(languages(sw, fi),
	    "<html lang=\"fi\"><form><button value=\"en\">English</button>"
	    "<b lang=\"fi\">suomi</b><button value=\"pt-BR\">português do "
	    "Brasil</button></form>{{OTHER}}",
	    "the switch of a Finnish page");
	CHECK_STR(languages(sw, en),
	    "<html lang=\"en\"><form><b lang=\"en\">English</b><button "
	    "value=\"fi\">suomi</button><button value=\"pt-BR\">português "
	    "do Brasil</button></form>{{OTHER}}",
	    "the switch of an English page");
	snprintf(en_page, sizeof(en_page), "%s", languages(sw, en));
	CHECK_STR(languages(sw, NULL), en_page, "no language: English");
	CHECK_STR(languages("a {{#LANGUAGES}}b", fi),
	    "ERROR: a language section without its end", "unclosed");
	CHECK_STR(languages("{{#LANGUAGE}}x", fi),
	    "ERROR: a language section without its end", "unclosed row");
	CHECK_STR(languages("no sections, {{LANGX}}", fi),
	    "no sections, {{LANGX}}", "other values untouched");
}

int
main(void)
{
	const char *dir = getenv("MM_TEST_I18N_DIR");

	test_init(dir != NULL && *dir != '\0' ? dir : "tests/unit/i18n");
	test_lookups();
	test_accept();
	test_formats();
	test_markers();
	test_language_sections();
	return test_done("test_i18n");
}
