/*
 * lp_page.c - fuzzes the reader of a team's participants, a paged JSON
 * collection: each page through walk_answer (entries, total_size, start,
 * the next link and its origin) and the walk's guards (page cap, repeated
 * links), then walk_result.  The functions are static, so the harness
 * includes launchpad.c and stands in for the GETs.
 *
 * Input: the bodies of the pages in order, separated by NUL bytes; the
 * walk follows each page's next link to the next body.
 */
#include "proto/launchpad.c"

#include "fuzz.h"

#define BASE      "https://api.launchpad.net/1.0"
#define FIRST     BASE "/~ubuntumembers/participants"
#define MAX_PAGES 6

static struct arena *arena;

/* What LP_OK promises: names valid, lower case, sorted, each once. */
static void
check_entries(const struct lp_entry *e, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(lp_name_valid(e[i].name));
		for (j = 0; e[i].name[j] != '\0'; j++)
			FUZZ_CHECK(e[i].name[j] < 'A' || e[i].name[j] > 'Z');
		FUZZ_CHECK(e[i].valid == 0 || e[i].valid == 1);
		FUZZ_CHECK(e[i].coc >= -1 && e[i].coc <= 1);
		FUZZ_CHECK(e[i].team >= -1 && e[i].team <= 1);
		if (i > 0)
			FUZZ_CHECK(strcmp(e[i - 1].name, e[i].name) < 0);
	}
}

/* Takes the pages as lp_participants would; 1 when the walk ended. */
static int
walk_pages(struct lp_client *c, struct walk *w, const struct fuzz_fields *ff,
    enum lp_outcome *rv, char *why, size_t whysz)
{
	struct xfer x;
	char       *url, *next = NULL;
	size_t      i;

	memset(&x, 0, sizeof(x));
	x.status = 200;
	x.ctype = (char *)(uintptr_t) "application/json";
	if ((url = strdup(FIRST)) == NULL)
		abort();
	*rv = LP_OK;
	for (i = 0; *rv == LP_OK && url != NULL && i < ff->n; i++) {
		buf_init(&x.body, LP_BODY_MAX);
		buf_puts(&x.body, ff->f[i]);
		if ((*rv = walk_next_ok(w, url, why, whysz)) == LP_OK)
			*rv = walk_answer(c, &x, w, &next, why, whysz);
		buf_free(&x.body);
		free(url);
		url = next;
		next = NULL;
		if (*rv == LP_OK && url != NULL)
			FUZZ_CHECK(same_origin(c, url));
	}
	free(url);
	return *rv != LP_OK || url == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_client   c;
	struct walk        w;
	struct fuzz_fields ff;
	struct lp_entry   *entries;
	enum lp_outcome    rv;
	char               why[256] = "";
	size_t             n;

	if (arena == NULL && (arena = arena_new(4u << 20)) == NULL)
		abort();
	arena_reset(arena);
	log_set_level(LOG_LEVEL_ERROR); /* drift and bad data are warnings */
	memset(&c, 0, sizeof(c));
	c.base = (char *)(uintptr_t)BASE;
	memset(&w, 0, sizeof(w));
	w.cap_pages = MAX_PAGES;
	fuzz_split(data, size, MAX_PAGES + 1, &ff);
	if (walk_pages(&c, &w, &ff, &rv, why, sizeof(why))) {
		if (rv == LP_OK &&
		    (rv = walk_result(&w, arena, &entries, &n, why,
			 sizeof(why))) == LP_OK) {
			check_entries(entries, n);
			FUZZ_CHECK(n <= w.n);
		} else
			FUZZ_CHECK(rv == LP_BAD_DATA && why[0] != '\0');
	}
	FUZZ_CHECK(w.pages <= MAX_PAGES + 1); /* the one refused counts */
	walk_free(&w);
	fuzz_fields_free(&ff);
	return 0;
}
