/*
 * view.h - the C face of the templates (Google ctemplate, through the one
 * C++ file views/view_bridge.cc).
 *
 * Every template lives in templates_dir, starts with
 * {{%AUTOESCAPE context="HTML"}} and is loaded and parsed by view_init(), in
 * the master before fork, so workers share the parsed templates and a broken
 * template stops start-up instead of a request.  A page is rendered inside
 * the one shared layout (layout.tpl includes the page as {{>CONTENT}}).
 *
 * ctemplate gives an include a dictionary with no parent, so a root
 * dictionary from view_dict_new() is really two: what is set or shown on it
 * reaches both layout.tpl and the page, while rows (view_add_section) are
 * the page's only; layout.tpl has no repeated sections.  A section shown on
 * the root sees root values, not those of a row it is nested in.
 *
 * Text in templates is translated when they are loaded, and their
 * language sections (LANG, LANGUAGES, LANGUAGE: the language switch)
 * filled in: see views/markers.h.  A root dictionary has a language
 * (view_set_lang; English until set), and renders the templates of that
 * language.
 *
 * Key and section names must be string literals: ctemplate interns every
 * distinct name for the life of the process and never frees one, so
 * names built at run time would grow a worker without bound.
 *
 * No C++ exception crosses this interface: every entry point catches them
 * all and reports failure instead.  A value, a shown section or a row that
 * could not be added (ctemplate threw, e.g. out of memory) marks the whole
 * dictionary failed: rendering it then fails, rather than sending a page
 * with a hole where the value should be.
 */
#ifndef MM_VIEW_H
#define MM_VIEW_H

#include <stddef.h>

#include "lib/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lang;
struct view_dict; /* opaque; defined in view_bridge.cc */

/*
 * Loads the catalogues of locale_dir (lib/i18n.h's i18n_init), then every
 * "*.tpl" in dir (dot files excepted), once per language, its markers
 * translated; layout.tpl must be one of them.  Returns 0, or -1 with the
 * template's name and the reason in err (e.g. "home.tpl: missing
 * {{%AUTOESCAPE context=\"HTML\"}} on its first line", "fi/my.tpl: line
 * 12: [[Hello, {{NAME}}]]: its translation does not keep ...").  The parsed set is frozen: later calls never touch
 * the disk.  Calling it again replaces the set only on success; on failure
 * the set loaded before (if any) stays in use.  Not for use while another
 * view_* call runs (there are no threads here).
 */
int view_init(const char *dir, const char *locale_dir, char *err, size_t errsz);
/* Number of templates view_init loaded. */
size_t view_count(void);

/*
 * A new root dictionary; NULL on failure.  Free with view_dict_free, which
 * also frees every row added under it (and ignores a row).
 */
struct view_dict *view_dict_new(void);
void              view_dict_free(struct view_dict *);

/* The language d (a root) renders in; NULL is English. */
void               view_set_lang(struct view_dict *, const struct lang *);
const struct lang *view_lang(const struct view_dict *);

/* Values are copied; a NULL value is stored as "". */
void view_set(struct view_dict *, const char *key, const char *value);
void view_set_int(struct view_dict *, const char *key, long value);
/* Shows {{#name}}...{{/name}} once. */
void view_show(struct view_dict *, const char *section);
/*
 * Adds one repetition of a section and returns its dictionary (NULL on
 * failure); it is owned by the root and valid until view_dict_free(root).
 */
struct view_dict *view_add_section(struct view_dict *, const char *section);

/*
 * Renders `page` (e.g. "home.tpl") inside layout.tpl and appends it to out;
 * the root `d' now names page as its CONTENT (so a second call may name
 * another page).  Returns 0, or -1 if page is not a loaded template (or is
 * layout.tpl), if d is a row, if d lost a value (above), if expansion
 * failed or if out has failed or would go over its max; nothing is
 * appended then, and out->failed is set in the last case.
 */
int view_render(struct view_dict *, const char *page, struct buf *out);
/*
 * Renders one loaded template on its own (no layout), e.g. a mail body,
 * with d's page dictionary; appends like view_render.
 */
int view_render_bare(const struct view_dict *, const char *name,
    struct buf *out);

#ifdef __cplusplus
}
#endif

#endif
