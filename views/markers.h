/*
 * markers.h - the translatable text of the templates.
 *
 * In a template, text a person reads is written inside a marker:
 *
 *     <h1>[[Hello, {{DISPLAY_NAME}}]]</h1>
 *     <p>[[Read the <a href="/domains/{{DOMAIN}}">members of {{DOMAIN}}</a>
 *        before you change anything.]]</p>
 *
 * The marker's text, its runs of white space made one space, is the
 * msgid (po/membermail.pot, extracted by po/extract-templates).  It holds
 * plain text (no &entities: write the character), {{NAME}} placeholders
 * and the inline tags a, abbr, br, code, em, kbd, span and strong, each
 * written whole ("<a href=...>", "</a>"); never a section, an include or
 * a comment.  A translation may reorder these but must keep each of them
 * exactly, no more and no fewer: a placeholder the translator moves is a
 * sentence they can reorder, and one they cannot add or drop is a value
 * that cannot go missing or get in unescaped.  A translation's text is
 * HTML-escaped (& < > "), as every value is; the placeholders are
 * ctemplate's, auto-escaped when the page is expanded.
 *
 * A comment right before a marker that starts "TRANSLATORS:" goes into
 * the catalogue with it: {{! TRANSLATORS: a button }}[[Save]].
 * Plurals are not for markers: a count's sentence comes from C, with
 * trn() (lib/i18n.h).
 *
 * What a template says about languages is also filled in when it is
 * loaded, once per language, never per request (markers_languages):
 *
 *     {{LANG}}                 the template's language tag ("fi")
 *     {{#LANGUAGES}}..{{/LANGUAGES}}   kept when there is more than one
 *                              language, else left out
 *     {{#LANGUAGE}}..{{/LANGUAGE}}     repeated for each language, in
 *                              which {{LANG_CODE}} and {{LANG_NAME}} are
 *                              that language's, {{#LANG_CURRENT}}..{{/..}}
 *                              is kept for the template's own language
 *                              and {{#LANG_OTHER}}..{{/..}} for the others
 */
#ifndef MM_MARKERS_H
#define MM_MARKERS_H

#include <stddef.h>

#include "lib/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lang;

#define MARKER_MAX 4096 /* bytes of one msgid */

/*
 * Appends text[0..len) to out with every marker replaced by its
 * translation into l (English: the msgid itself).  Returns 0, or -1 with
 * why ("line 12: ...") for a marker that is unterminated, empty, too long
 * or holds what it may not, or a translation that does not keep the
 * msgid's placeholders and tags; out is then incomplete.
 */
int markers_translate(const char *text, size_t len, const struct lang *l,
    struct buf *out, char *why, size_t whysz);

/*
 * Appends text[0..len) to out with the language sections and values
 * above filled in for language l.  0, or -1 with why for a section
 * without its end.
 */
int markers_languages(const char *text, size_t len, const struct lang *l,
    struct buf *out, char *why, size_t whysz);

#ifdef __cplusplus
}
#endif

#endif
