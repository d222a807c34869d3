/*
 * test_views.c - the templates and the ctemplate bridge: start-up checks,
 * each page rendered with fixture values, auto-escaping, failure paths.
 * MM_TEST_SRCDIR is the source tree (default ".").
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "test.h"
#include "views/view.h"

#define OUT_MAX (256 * 1024)
#define HOSTILE "<script>alert(\"x\")</script>&'"
#define HOSTILE_HTML \
	"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"

static char srcdir[1024];

static const char *
path(const char *rel)
{
	static char p[2048];

	snprintf(p, sizeof(p), "%s/%s", srcdir, rel);
	return p;
}

/* The number of "*.tpl" files in dir, counted without the bridge. */
static size_t
count_tpl(const char *dir)
{
	DIR           *dp;
	struct dirent *de;
	size_t         n = 0, len;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] != '.' && len > 4 &&
		    strcmp(de->d_name + len - 4, ".tpl") == 0)
			n++;
	}
	closedir(dp);
	return n;
}

/* Checks that every string in want[] occurs in html. */
static void
check_has(const char *page, const char *html, const char *const *want)
{
	for (; *want != NULL; want++)
		CHECK(strstr(html, *want) != NULL, "%s has \"%s\"", page,
		    *want);
}

static void
check_lacks(const char *page, const char *html, const char *const *bad)
{
	for (; *bad != NULL; bad++)
		CHECK(strstr(html, *bad) == NULL, "%s lacks \"%s\"", page,
		    *bad);
}

/* Bad template directories: view_init must fail and name the culprit. */
static void
test_bad_dirs(void)
{
	static const struct {
		const char *dir;
		const char *want; /* in err */
	} tests[] = {
		{ "tests/unit/data/views_noescape", "nopragma.tpl: missing" },
		{ "tests/unit/data/views_broken/unclosed",
		    "unclosed.tpl: File ended before all sections were closed" },
		{ "tests/unit/data/views_broken/unquoted",
		    "unquoted.tpl: Auto-Escape: Value of URL attribute" },
		{ "tests/unit/data/views_broken/nolayout", "no layout.tpl" },
		{ "tests/unit/data/no_such_dir", "No such file" },
	};
	char   err[512];
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		err[0] = '\0';
		CHECK_INT(view_init(path(tests[i].dir), test_localedir(), err,
			      sizeof(err)),
		    -1, "view_init(%s)", tests[i].dir);
		CHECK(strstr(err, tests[i].want) != NULL,
		    "view_init(%s): err \"%s\" wants \"%s\"", tests[i].dir, err,
		    tests[i].want);
	}
	/* A short err is truncated, not overrun. */
	CHECK_INT(view_init(path(tests[0].dir), test_localedir(), err, 4), -1,
	    "short err");
	CHECK_INT((long long)strlen(err), 3, "short err length");
	CHECK_INT(view_init(path(tests[0].dir), test_localedir(), NULL, 0), -1,
	    "NULL err");
}

static void
test_home(void)
{
	static const char *const want[] = { "<!doctype html>",
		"<html lang=\"en\">", "<title>Communities · membermail</title>",
		"href=\"/static/style.css\"", "<main id=\"main\"",
		"href=\"#main\"", "name=\"q\"", "maxlength=\"64\"",
		"href=\"/ubuntu\"", "Ubuntu", "@ubuntu.com", "~ubuntumembers",
		"href=\"/kubuntu\"", "@kubuntu.org", "~kubuntu-members",
		"value=\"ubu\"", NULL };
	static const char *const bad[] = { "No community matches",
		"role=\"status\"", "{{", NULL };
	static const struct {
		const char *slug, *name, *domain, *team;
	} rows[] = {
		{ "ubuntu", "Ubuntu", "ubuntu.com", "~ubuntumembers" },
		{ "kubuntu", "Kubuntu", "kubuntu.org", "~kubuntu-members" },
	};
	struct view_dict *d, *r;
	struct buf        b;
	size_t            i;

	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	CHECK(d != NULL, "view_dict_new");
	view_set(d, "TITLE", "Communities");
	view_set(d, "Q", "ubu");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = view_add_section(d, "DOMAIN");
		CHECK(r != NULL, "row %zu", i);
		view_set(r, "SLUG", rows[i].slug);
		view_set(r, "NAME", rows[i].name);
		view_set(r, "DOMAIN", rows[i].domain);
		view_set(r, "TEAM", rows[i].team);
	}
	CHECK_INT(view_render(d, "home.tpl", &b), 0, "render home");
	CHECK(strncmp(buf_cstr(&b), "<!doctype html>", 15) == 0,
	    "home starts with the doctype");
	check_has("home", buf_cstr(&b), want);
	check_lacks("home", buf_cstr(&b), bad);

	/* A row is not a root: it cannot be freed or rendered alone. */
	view_dict_free(r);
	buf_reset(&b);
	CHECK_INT(view_render(r, "home.tpl", &b), -1, "render a row");
	CHECK_INT((long long)b.len, 0, "nothing appended for a row");

	view_dict_free(d);
	buf_free(&b);
}

/*
 * The same page in Finnish (po/fi.po): the template of that language, its
 * <html lang>, and the language switch offering English.
 */
static void
test_home_fi(void)
{
	static const char *const want[] = { "<html lang=\"fi\">",
		"Etsi yhteisösi", "placeholder=\"esim. ubuntu\"",
		"Haulla ”ubu” ei löytynyt yhteisöä.", "action=\"/language\"",
		"name=\"next\" value=\"/?q=ubu\"",
		"<strong lang=\"fi\" aria-current=\"true\">suomi</strong>",
		"name=\"lang\" value=\"en\" lang=\"en\"", ">English</button>",
		NULL };
	static const char *const bad[] = { "Find your community", "[[", "{{",
		"<html lang=\"en\">", NULL };
	const struct lang       *fi = NULL;
	struct view_dict        *d;
	struct buf               b;
	size_t                   i;

	for (i = 0; i < i18n_count(); i++)
		if (strcmp(i18n_lang(i)->code, "fi") == 0)
			fi = i18n_lang(i);
	CHECK(fi != NULL, "po/fi.po is compiled and found");
	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	CHECK(d != NULL && view_lang(d) == i18n_english(), "English first");
	view_set_lang(d, fi);
	CHECK(view_lang(d) == fi, "the dictionary's language");
	view_set(d, "Q", "ubu");
	view_set(d, "HERE", "/?q=ubu");
	view_show(d, "NO_MATCH");
	CHECK_INT(view_render(d, "home.tpl", &b), 0, "render home in fi");
	check_has("home fi", buf_cstr(&b), want);
	check_lacks("home fi", buf_cstr(&b), bad);
	view_dict_free(d);
	buf_free(&b);
}

/* Many rows: each keeps its own values; all go with the root. */
static void
test_many_rows(void)
{
	struct view_dict *d, *r;
	struct buf        b;
	char              slug[32];
	const char       *p;
	int               i, n;

	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	for (i = 0; i < 200; i++) {
		if ((r = view_add_section(d, "DOMAIN")) == NULL)
			break;
		snprintf(slug, sizeof(slug), "c%d", i);
		view_set(r, "SLUG", slug);
	}
	CHECK_INT(i, 200, "rows added");
	CHECK_INT(view_render(d, "home.tpl", &b), 0, "render 200 rows");
	for (n = 0, p = buf_cstr(&b); (p = strstr(p, "class=\"card\"")); p++)
		n++;
	CHECK_INT(n, 200, "cards rendered");
	CHECK(strstr(buf_cstr(&b), "href=\"/c199\"") != NULL, "last row");
	view_dict_free(d);
	buf_free(&b);
}

/* Everything a client sends comes out as text, never as markup. */
static void
test_escaping(void)
{
	static const char *const want[] = { "value=\"" HOSTILE_HTML "\"",
		"No community matches “" HOSTILE_HTML "”.",
		"<p class=\"notice notice-success\" role=\"status\">" HOSTILE_HTML
		"</p>",
		"<title>" HOSTILE_HTML " · membermail</title>", NULL };
	static const char *const bad[] = { "<script>", "alert(\"x\")", NULL };
	struct view_dict        *d;
	struct buf               b;

	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	view_set(d, "TITLE", HOSTILE);
	view_set(d, "Q", HOSTILE);
	view_show(d, "NO_MATCH");
	view_show(d, "NOTICE");
	view_set(d, "NOTICE_TEXT", HOSTILE);
	CHECK_INT(view_render(d, "home.tpl", &b), 0, "render hostile home");
	check_has("hostile home", buf_cstr(&b), want);
	check_lacks("hostile home", buf_cstr(&b), bad);
	view_dict_free(d);
	buf_free(&b);
}

static void
test_landing(void)
{
	static const char *const want[] = {
		"<title>Ubuntu · membermail</title>",
		"Manage your @ubuntu.com email address", "~ubuntumembers",
		"Ubuntu Code of Conduct", "method=\"post\"",
		"action=\"/auth/ubuntu\"", "name=\"domain\" value=\"ubuntu\"",
		"name=\"csrf_token\" value=\"tok-123\"",
		"Log in with Ubuntu One",
		"<p class=\"notice notice-success\" role=\"status\">You have logged out.</p>",
		NULL
	};
	struct view_dict *d;
	struct buf        b;

	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	view_set(d, "TITLE", "Ubuntu");
	view_set(d, "SLUG", "ubuntu");
	view_set(d, "NAME", "Ubuntu");
	view_set(d, "DOMAIN", "ubuntu.com");
	view_set(d, "TEAM", "~ubuntumembers");
	view_set(d, "CSRF_TOKEN", "tok-123");
	view_show(d, "NOTICE");
	view_set(d, "NOTICE_TEXT", "You have logged out.");
	CHECK_INT(view_render(d, "landing.tpl", &b), 0, "render landing");
	check_has("landing", buf_cstr(&b), want);
	view_dict_free(d);
	buf_free(&b);
}

static void
test_error(void)
{
	static const char *const want[] = {
		"<title>Page not found · membermail</title>", "404",
		"<h1>Page not found</h1>", "There is no page at this address.",
		"href=\"/\"", NULL
	};
	static const char *const bare_bad[] = { "<html", "<title>", NULL };
	struct view_dict        *d;
	struct buf               b;

	buf_init(&b, OUT_MAX);
	d = view_dict_new();
	view_set_int(d, "STATUS", 404);
	view_set(d, "TITLE", "Page not found");
	view_set(d, "MESSAGE", "There is no page at this address.");
	CHECK_INT(view_render(d, "error.tpl", &b), 0, "render error");
	check_has("error", buf_cstr(&b), want);

	/* Alone, without the layout; a NULL value is "". */
	buf_reset(&b);
	view_set(d, "MESSAGE", NULL);
	CHECK_INT(view_render_bare(d, "error.tpl", &b), 0, "bare error");
	CHECK(strstr(buf_cstr(&b), "<h1>Page not found</h1>") != NULL,
	    "bare error has its title");
	CHECK(strstr(buf_cstr(&b), "<p class=\"lead\"></p>") != NULL,
	    "bare error has an empty message");
	check_lacks("bare error", buf_cstr(&b), bare_bad);
	view_dict_free(d);
	buf_free(&b);
}

/* Failures append nothing. */
static void
test_failures(void)
{
	static const char *const pages[] = {
		"nope.tpl",
		"layout.tpl",
		"../views/templates/home.tpl",
		"",
	};
	struct view_dict *d;
	struct buf        b;
	size_t            i;

	d = view_dict_new();
	view_set(d, "TITLE", "x");

	buf_init(&b, 64);
	CHECK_INT(view_render(d, "home.tpl", &b), -1, "tiny buffer");
	CHECK_INT((long long)b.len, 0, "tiny buffer: nothing appended");
	CHECK_INT(b.failed, 1, "tiny buffer: failed is set");
	CHECK_INT(view_render(d, "home.tpl", &b), -1, "failed buffer");
	buf_free(&b);

	buf_init(&b, OUT_MAX);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		CHECK_INT(view_render(d, pages[i], &b), -1, "page \"%s\"",
		    pages[i]);
		CHECK_INT(view_render_bare(d, pages[i], &b),
		    strcmp(pages[i], "layout.tpl") == 0 ? 0 : -1, "bare \"%s\"",
		    pages[i]);
		buf_reset(&b);
	}
	CHECK_INT(view_render(d, NULL, &b), -1, "NULL page");
	CHECK_INT(view_render(NULL, "home.tpl", &b), -1, "NULL dict");
	CHECK_INT(view_render(d, "home.tpl", NULL), -1, "NULL buf");
	CHECK_INT((long long)b.len, 0, "nothing appended");
	buf_free(&b);
	view_dict_free(d);
	view_dict_free(NULL);
}

int
main(void)
{
	const char *s;
	char        dir[2048], err[512];
	size_t      n;

	if ((s = getenv("MM_TEST_SRCDIR")) == NULL || *s == '\0')
		s = ".";
	snprintf(srcdir, sizeof(srcdir), "%s", s);

	CHECK_INT((long long)view_count(), 0, "count before view_init");
	snprintf(dir, sizeof(dir), "%s", path("views/templates"));
	n = count_tpl(dir);
	CHECK(n >= 4, "%zu templates in %s", n, dir);
	err[0] = '\0';
	CHECK_INT(view_init(dir, test_localedir(), err, sizeof(err)), 0,
	    "view_init: %s", err);
	CHECK_INT((long long)view_count(), (long long)n, "view_count");

	test_home();
	test_home_fi();
	test_many_rows();
	test_escaping();
	test_landing();
	test_error();
	test_failures();

	/* Failed reloads keep the templates loaded before. */
	test_bad_dirs();
	CHECK_INT((long long)view_count(), (long long)n,
	    "view_count after failed reloads");
	test_error();

	/* A second successful view_init replaces the set cleanly. */
	CHECK_INT(view_init(dir, test_localedir(), err, sizeof(err)), 0,
	    "view_init again: %s", err);
	CHECK_INT((long long)view_count(), (long long)n, "view_count again");
	test_landing();

	return test_done("test_views");
}
