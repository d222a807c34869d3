/*
 * htmltext.h - the text of an HTML-only message, for showing it as text.
 *
 * Not an HTML parser: it drops tags, comments and the contents of
 * <script>, <style>, <head> and <template>, turns block ends (<br>, </p>,
 * </div>, </li>, </tr>, headings) into line breaks, collapses other white
 * space as a browser would, and decodes character references (the common
 * named ones and numeric ones; others are kept as written).  The output is
 * text for an auto-escaping template: nothing of the HTML is ever active,
 * and no URL in it is fetched.
 */
#ifndef MM_MAIL_HTMLTEXT_H
#define MM_MAIL_HTMLTEXT_H

#include <stddef.h>

struct buf;

/* Appends the text of html[0..len) (UTF-8) to out. */
void html_to_text(struct buf *out, const char *html, size_t len);

#endif
