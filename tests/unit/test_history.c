/*
 * test_history.c - history_words (rules/history.c): audit rows become
 * whole sentences, table-driven; and every audit action the sources name
 * has a sentence of its own (none falls back to "changed X (action)").
 */
#include "config.h"

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/arena.h"
#include "rules/history.h"
#include "test.h"

struct words_case {
	const char          *name;
	struct history_event ev;
	int                  named;
	const char          *want;
};

static const struct words_case cases[] = {
	{ "create, plain",
	    { "", "user", "ada", "alias.create", "ada@ubuntu.com", NULL,
		"{\"recipients\": [\"a@x.org\", \"b@y.org\"]}" },
	    0, "Created by ~ada, forwarding to a@x.org, b@y.org." },
	{ "create, named, by the sync",
	    { "", "sync", "", "alias.create", "ada@ubuntu.com", NULL,
		"{\"recipients\": [\"a@x.org\"]}" },
	    1,
	    "ada@ubuntu.com created by the Launchpad check, forwarding to "
	    "a@x.org." },
	{ "recipients changed",
	    { "", "api", "kim", "alias.update", "k@ubuntu.com",
		"{\"recipients\": [\"a@x.org\"]}",
		"{\"recipients\": [\"b@x.org\"]}" },
	    0, "Forwarding changed by ~kim (API) from a@x.org to b@x.org." },
	{ "two fields, two sentences",
	    { "", "user", "ada", "alias.update", "ada@ubuntu.com",
		"{\"enabled\": true, \"reply_code\": 550}",
		"{\"enabled\": false, \"reply_code\": 421}" },
	    0,
	    "Disabled by ~ada. While it is disabled, senders now get 421 (try "
	    "again later) (set by ~ada)." },
	{ "the sync's name starts a sentence in capitals",
	    { "", "sync", "", "team_snapshot.hold", "~kubuntu", NULL,
		"{\"total\": 3, \"trusted\": 40}" },
	    1,
	    "The Launchpad check held back a new member list of ~kubuntu (3 "
	    "people) for an operator to review." },
	{ "an operator",
	    { "", "cli", "root", "domain.reserved_add", "kubuntu.org", NULL,
		"{\"reserved\": \"board\"}" },
	    1, "The operator root reserved the address board on kubuntu.org." },
	{ "undo",
	    { "", "system", "", "alias.undo", "ada@ubuntu.com", NULL,
		"{\"recipients\": [\"a@x.org\"]}" },
	    0,
	    "A receipt's link put the forwarding back to a@x.org; changes are "
	    "locked until its owner signs in." },
	{ "a value missing reads none",
	    { "", "sync", "", "user.rename", "newname", NULL,
		"{\"name\": \"newname\"}" },
	    1,
	    "Launchpad reported a new name for this account: newname (it was "
	    "none)." },
	{ "a reason with no row of its own: the action's \"*\" row",
	    { "", "user", "ada", "alias.disable", "ada@ubuntu.com", NULL,
		"{\"disabled_reason\": \"by-admin\"}" },
	    1, "ada@ubuntu.com disabled by ~ada." },
	{ "a TXT check, in words",
	    { "", "sync", "", "domain.txt", "kubuntu.org",
		"{\"txt_status\": \"verified\", \"txt_grace_until\": null}",
		"{\"txt_status\": \"missing\", \"txt_grace_until\": null}" },
	    1,
	    "The Launchpad check checked the TXT record of kubuntu.org: no record." },
	{ "a TXT record gone, its grace",
	    { "", "user", "ada", "domain.txt", "kubuntu.org",
		"{\"txt_status\": \"verified\", \"txt_grace_until\": null}",
		"{\"txt_status\": \"verified\", \"txt_grace_until\": "
		"\"9 Dec 2026, 04:00 UTC\"}" },
	    1,
	    "~ada found the TXT record of kubuntu.org gone: its mail is still "
	    "routed until 9 Dec 2026, 04:00 UTC." },
	{ "an action with no sentence",
	    { "", "user", "ada", "alias.frobnicate", "ada@ubuntu.com", NULL,
		NULL },
	    1, "~ada changed ada@ubuntu.com (alias.frobnicate)." },
};

static struct arena *arena;
static int           nactions;

/* Each audit action named by a C source under dir has a sentence. */
static void
scan(const char *dir, const regex_t *re)
{
	DIR           *d;
	struct dirent *de;
	char           path[4096], line[4096];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		size_t      n = strlen(de->d_name);
		FILE       *f;

		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
			(int)sizeof(path) ||
		    stat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan(path, re);
			continue;
		}
		if (n < 2 || strcmp(de->d_name + n - 2, ".c") != 0 ||
		    strcmp(de->d_name, "history.c") == 0 ||
		    (f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			const char *p = line;
			regmatch_t  m[2];

			while (regexec(re, p, 2, m, 0) == 0) {
				struct history_event ev = { "", "user", "ada",
					NULL, "x", "{}", "{}" };
				const char          *w, *action;

				action = arena_strndup(arena, p + m[1].rm_so,
				    (size_t)(m[1].rm_eo - m[1].rm_so));
				p += m[0].rm_eo;
				n = strlen(action);
				if (n > 4 &&
				    strcmp(action + n - 4, ".tpl") == 0)
					continue; /* a template's name */
				ev.action = action;
				w = history_words(arena, NULL, &ev, 1);
				nactions++;
				CHECK(w != NULL &&
					strstr(w, "changed x (") == NULL,
				    "%s: %s has no sentence in rules/history.c",
				    path, action);
			}
		}
		fclose(f);
	}
	closedir(d);
}

int
main(void)
{
	const char *src = getenv("MM_TEST_SRCDIR");
	char        dir[4096];
	regex_t     re;
	size_t      i;

	if ((arena = arena_new(1 << 20)) == NULL)
		return 2;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(history_words(arena, NULL, &cases[i].ev,
			      cases[i].named),
		    cases[i].want, "case %s", cases[i].name);
	CHECK(regcomp(&re,
		  "\"((alias|domain|domain_member|user|api_token|outbox|"
		  "team_snapshot|sync)\\.[a-z_]+(\\.[a-z_]+)?)\"",
		  REG_EXTENDED) == 0,
	    "regcomp");
	if (src == NULL || *src == '\0')
		src = ".";
	snprintf(dir, sizeof(dir), "%s/app", src);
	scan(dir, &re);
	snprintf(dir, sizeof(dir), "%s/handlers", src);
	scan(dir, &re);
	CHECK(nactions > 30, "the sources name %d audit actions", nactions);
	regfree(&re);
	arena_free(arena);
	return test_done("test_history");
}
