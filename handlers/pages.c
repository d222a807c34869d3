/*
 * pages.c - the public pages: what membermail is, and each community's
 * landing page with its "Log in with Ubuntu One" button.
 *
 * The communities are fixed here until domains live in the database.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "view.h"

struct community {
	const char	*slug;		/* landing page path, without '/' */
	const char	*name;
	const char	*domain;
	const char	*team;
};

static const struct community communities[] = {
	{ "ubuntu", "Ubuntu", "ubuntu.com", "~ubuntumembers" },
	{ "kubuntu", "Kubuntu", "kubuntu.org", "~kubuntu-members" },
	{ "lubuntu", "Lubuntu", "lubuntu.me", "~lubuntu-members" },
	{ "edubuntu", "Edubuntu", "edubuntu.org", "~edubuntu-members" },
	{ "ubuntustudio", "Ubuntu Studio", "ubuntustudio.com",
	    "~ubuntustudio-core" },
};
#define NCOMMUNITIES	(sizeof(communities) / sizeof(communities[0]))

static void
set_community(struct view_dict *d, const struct community *c)
{
	view_set(d, "SLUG", c->slug);
	view_set(d, "NAME", c->name);
	view_set(d, "DOMAIN", c->domain);
	view_set(d, "TEAM", c->team);
}

static int
matches(const struct community *c, const char *q)
{
	return q == NULL || *q == '\0' || strcasestr(c->name, q) != NULL ||
	    strcasestr(c->domain, q) != NULL || strcasestr(c->team, q) != NULL;
}

/* GET /[?q=text]: what membermail is, and the communities (filtered). */
enum app_err
h_home(struct req *r)
{
	struct view_dict	*d, *row;
	const char		*q = r->fields[0];
	size_t			 i, shown = 0;

	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	view_set(d, "Q", q);
	for (i = 0; i < NCOMMUNITIES; i++) {
		if (!matches(&communities[i], q))
			continue;
		if ((row = view_add_section(d, "DOMAIN")) == NULL)
			return APP_ENOMEM;
		set_community(row, &communities[i]);
		shown++;
	}
	if (shown == 0)
		view_show(d, "NO_MATCH");
	return page_render(r, 200, "Community email addresses", "home.tpl");
}

/* GET /ubuntu, /kubuntu, ...: one community's landing page. */
enum app_err
h_landing(struct req *r)
{
	const struct community	*c = NULL;
	struct view_dict	*d;
	size_t			 i;

	for (i = 0; i < NCOMMUNITIES; i++)
		if (strcmp(r->path + 1, communities[i].slug) == 0)
			c = &communities[i];
	if (c == NULL)
		return APP_ENOTFOUND;
	if ((d = page_dict(r)) == NULL)
		return APP_ENOMEM;
	set_community(d, c);
	view_set(d, "CSRF_TOKEN", "");
	return page_render(r, 200, c->name, "landing.tpl");
}
