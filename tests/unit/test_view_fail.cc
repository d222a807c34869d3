/*
 * test_view_fail.cc - a dictionary that lost a value is never rendered.
 *
 * ctemplate reports running out of memory by throwing, which the bridge
 * catches.  This program replaces the global operator new (a replaceable
 * function: libctemplate and libstdc++ call this one too) with one that
 * throws std::bad_alloc while armed, so each entry point of view.h meets
 * the exception it would meet in a starved worker.  MM_TEST_SRCDIR is the
 * source tree (default ".").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#include "lib/buf.h"
#include "test.h"
#include "views/view.h"

#define OUT_MAX (256 * 1024)

static bool armed; /* every allocation throws */

void *
operator new(size_t n)
{
	void *p;

	if (armed || (p = malloc(n != 0 ? n : 1)) == NULL)
		throw std::bad_alloc();
	return p;
}

void
operator delete(void *p) noexcept
{
	free(p);
}

void
operator delete(void *p, size_t) noexcept
{
	free(p);
}

/* A page with something of its own, as the handlers make them. */
static struct view_dict *
page(void)
{
	struct view_dict *d = view_dict_new();

	view_set(d, "TITLE", "A page");
	view_set(d, "CSRF_TOKEN", "token");
	return d;
}

/* Renders d: 0 and a page, or -1 and nothing in the buffer. */
static int
render(struct view_dict *d, const char *what)
{
	struct buf b;
	int        rc;

	buf_init(&b, OUT_MAX);
	rc = view_render(d, "home.tpl", &b);
	CHECK(rc == 0 ? b.len > 0 : b.len == 0, "%s: output matches %d", what,
	    rc);
	buf_free(&b);
	return rc;
}

static int
render_bare(struct view_dict *d)
{
	struct buf b;
	int        rc;

	buf_init(&b, OUT_MAX);
	rc = view_render_bare(d, "home.tpl", &b);
	buf_free(&b);
	return rc;
}

/*
 * Each way a value can be lost.  A key never set before makes ctemplate
 * allocate (it interns the name), so the first attempt always throws.
 */
static void
test_lost(void)
{
	struct view_dict *d, *row;

	d = page();
	CHECK(d != NULL, "a dictionary");
	CHECK_INT(render(d, "untouched"), 0, "a whole page renders");
	armed = true;
	view_set(d, "FIRST_TIME_KEY_A", "a value");
	armed = false;
	CHECK_INT(render(d, "view_set lost"), -1, "view_set lost a value");
	CHECK_INT(render_bare(d), -1, "nor on its own");
	view_dict_free(d);

	d = page();
	armed = true;
	view_set_int(d, "FIRST_TIME_KEY_B", 42);
	armed = false;
	CHECK_INT(render(d, "view_set_int lost"), -1, "view_set_int lost one");
	view_dict_free(d);

	d = page();
	armed = true;
	view_show(d, "FIRST_TIME_SECTION_C");
	armed = false;
	CHECK_INT(render(d, "view_show lost"), -1, "view_show lost a section");
	view_dict_free(d);

	d = page();
	armed = true;
	row = view_add_section(d, "FIRST_TIME_SECTION_D");
	armed = false;
	CHECK(row == NULL, "view_add_section says it failed");
	CHECK_INT(render(d, "row lost"), -1, "a lost row fails the page");
	view_dict_free(d);

	/* A row's loss is its root's: the page is what would have a hole. */
	d = page();
	row = view_add_section(d, "FIRST_TIME_SECTION_E");
	CHECK(row != NULL, "a row");
	armed = true;
	view_set(row, "FIRST_TIME_KEY_F", "a value");
	armed = false;
	CHECK_INT(render(d, "a row's value lost"), -1,
	    "a value lost in a row fails the page");
	view_dict_free(d);
}

int
main(void)
{
	const char *s;
	char        dir[2048], err[512];

	if ((s = getenv("MM_TEST_SRCDIR")) == NULL || *s == '\0')
		s = ".";
	snprintf(dir, sizeof(dir), "%s/views/templates", s);
	CHECK_INT(view_init(dir, test_localedir(), err, sizeof(err)), 0,
	    "view_init: %s", err);
	test_lost();
	return test_done("test_view_fail");
}
