/*
 * view_bridge.cc - view.h on top of Google ctemplate; the project's only
 * C++ file.
 *
 * The templates live in a TemplateCache of our own, not in ctemplate's
 * default one: view_init() fills a new cache, freezes it and only then
 * swaps it in, so a failed (re)load leaves the previous templates in use
 * and a frozen cache never has to be thawed.  Requests expand with
 * ExpandNoLoad(), which never touches the disk and never loads an include
 * that was not parsed at start-up.
 *
 * ctemplate gives an include ({{>CONTENT}}) a dictionary of its own with no
 * parent, so nothing set on the layout's dictionary reaches the page.  A
 * root handle is therefore a pair: `layout' (layout.tpl's dictionary) and
 * `td' (the CONTENT include, i.e. the page's dictionary).  Values and shown
 * sections set on the root go into both; rows go into the page only.  Row
 * handles are small wrappers owned by their root.
 *
 * Translation happens here, once per language, when the templates are
 * loaded (before fork): a template's [[...]] markers are replaced by the
 * catalogue's text for the language (views/view.h says what a marker may
 * hold), and the result is parsed into the cache under "<tag>/<name>"
 * ("fi/my.tpl"; English under the bare name).  A request expands the
 * templates of its dictionary's language and looks nothing up.
 *
 * No exception may unwind into C: every extern "C" function catches them
 * all and reports failure.  One that cannot say so in its own result
 * (view_set, view_set_int, view_show; a row view_add_section could not
 * make) marks the root failed, and view_render and view_render_bare then
 * refuse it: a page missing a value it was given is never sent.
 */
#include "config.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ctemplate/template.h>
#include <ctemplate/template_cache.h>
#include <ctemplate/template_dictionary.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "views/markers.h"
#include "views/view.h"

using ctemplate::TemplateCache;
using ctemplate::TemplateDictionary;

namespace
{

/*
 * One strip mode for loading and expanding: it is part of ctemplate's
 * cache key, so expanding with another mode would miss the frozen cache.
 */
const ctemplate::Strip kStrip = ctemplate::STRIP_BLANK_LINES;
const char             kPragma[] = "{{%AUTOESCAPE context=\"HTML\"}}";
const char             kLayout[] = "layout.tpl";
const char             kSuffix[] = ".tpl";
const size_t           kTemplateMax = 1024 * 1024; /* bytes, translated */

/*
 * Owned here; replaced whole by view_init(), freed at exit.  keys[l][t] is
 * the cache key of template names[t] in language l: made once, so that a
 * request builds no string to name what it expands.
 */
std::unique_ptr<TemplateCache>        cache;
std::vector<std::string>              names; /* sorted */
std::vector<std::vector<std::string>> keys;

/*
 * ctemplate reports parse and auto-escape errors on std::cerr only.  While
 * one of these lives, that text is collected, so view_init() can put the
 * reason into err (and from there into our log) instead of a stray line
 * on stderr.
 */
class cerr_capture
{
      public:
	cerr_capture() : old_(std::cerr.rdbuf(text_.rdbuf()))
	{
	}
	~cerr_capture()
	{
		std::cerr.rdbuf(old_);
	}
	std::string
	text() const
	{
		return text_.str();
	}

      private:
	std::ostringstream text_;
	std::streambuf    *old_;
};

void
set_err(char *err, size_t errsz, const std::string &name,
    const std::string &why)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "%s: %s", name.c_str(), why.c_str());
}

/*
 * The first line of ctemplate's complaint, without its "ERROR: " prefix
 * and the name it gives the template (the caller names it already; a
 * template parsed from a string has none: "Template : ERROR: why").
 */
std::string
first_reason(const std::string &text)
{
	std::string line, s;
	size_t      i;

	std::istringstream in(text);
	while (std::getline(in, line))
		if (!line.empty())
			break;
	if (line.empty())
		return "cannot be parsed";
	s = line;
	while (s.compare(0, 7, "ERROR: ") == 0)
		s.erase(0, 7);
	/* "Template x.tpl: ERROR: why" -> "why" */
	if (s.compare(0, 9, "Template ") == 0 &&
	    (i = s.find(": ERROR: ", 8)) != std::string::npos) {
		s.erase(0, i + 2);
		while (s.compare(0, 7, "ERROR: ") == 0)
			s.erase(0, 7);
	}
	return s;
}

bool
has_suffix(const char *name)
{
	size_t n = strlen(name), k = sizeof(kSuffix) - 1;

	return n > k && strcmp(name + n - k, kSuffix) == 0;
}

/*
 * The sorted names of the templates in dir.  Dot files (editor backups,
 * "._x.tpl") are not templates.  Returns false with the reason in why.
 */
bool
list_templates(const std::string &dir, std::vector<std::string> &out,
    std::string &why)
{
	DIR           *dp;
	struct dirent *de;
	int            saved;

	if ((dp = opendir(dir.c_str())) == NULL) {
		why = strerror(errno);
		return false;
	}
	try {
		errno = 0;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] != '.' && has_suffix(de->d_name))
				out.push_back(de->d_name);
			errno = 0;
		}
	} catch (...) {
		closedir(dp);
		throw;
	}
	saved = errno;
	closedir(dp);
	if (saved != 0) {
		why = strerror(saved);
		return false;
	}
	std::sort(out.begin(), out.end());
	return true;
}

/* The whole of the file at path into text; false with the reason. */
bool
read_file(const std::string &path, std::string &text, std::string &why)
{
	char   chunk[8192];
	FILE  *fp;
	size_t n;

	if ((fp = fopen(path.c_str(), "r")) == NULL) {
		why = strerror(errno);
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		text.append(chunk, n);
	if (ferror(fp)) {
		why = strerror(errno);
		fclose(fp);
		return false;
	}
	fclose(fp);
	return true;
}

/*
 * Our policy, which ctemplate cannot enforce (it loads a template without
 * the pragma and escapes nothing): every template opts into HTML
 * auto-escaping on its very first line.
 */
bool
check_pragma(const std::string &text, std::string &why)
{
	size_t n = sizeof(kPragma) - 1;

	if (text.compare(0, n, kPragma) == 0 &&
	    (text.size() == n || text[n] == '\n'))
		return true;
	why = std::string("missing ") + kPragma + " on its first line";
	return false;
}

/* The cache's key of template name in language l. */
std::string
lang_key(const struct lang *l, const std::string &name)
{
	if (l == NULL || l->index == 0)
		return name;
	return std::string(l->code) + "/" + name;
}

/* A struct buf released however the scope is left. */
struct scoped_buf {
	struct buf b;
	explicit scoped_buf(size_t max)
	{
		buf_init(&b, max);
	}
	~scoped_buf()
	{
		buf_free(&b);
	}
};

/*
 * text for language l: its markers translated, its language sections
 * filled in (views/markers.h); into out.
 */
bool
translate(const std::string &text, const struct lang *l, std::string &out,
    std::string &why)
{
	scoped_buf t(kTemplateMax), sb(kTemplateMax);
	char       w[256];

	if (markers_translate(text.data(), text.size(), l, &t.b, w,
		sizeof(w)) == -1 ||
	    markers_languages(buf_cstr(&t.b), t.b.len, l, &sb.b, w,
		sizeof(w)) == -1) {
		why = w;
		return false;
	}
	out.assign(sb.b.len > 0 ? sb.b.data : "", sb.b.len);
	return true;
}

/* Parses every template, in every language, into c; err names the one. */
bool
load_all(TemplateCache &c, const std::string &dir,
    const std::vector<std::string>        &list,
    std::vector<std::vector<std::string>> &k, char *err, size_t errsz)
{
	std::string text, out, why, key;
	size_t      i;

	k.assign(i18n_count(), std::vector<std::string>());
	for (const std::string &name : list) {
		text.clear();
		if (!read_file(dir + "/" + name, text, why) ||
		    !check_pragma(text, why)) {
			set_err(err, errsz, name, why);
			return false;
		}
		for (i = 0; i < i18n_count(); i++) {
			const struct lang *l = i18n_lang(i);

			key = lang_key(l, name);
			if (!translate(text, l, out, why)) {
				set_err(err, errsz, key, why);
				return false;
			}
			cerr_capture cap;
			if (!c.StringToTemplateCache(key, out, kStrip)) {
				set_err(err, errsz, key,
				    first_reason(cap.text()));
				return false;
			}
			k[i].push_back(key);
		}
	}
	return true;
}

/* The cache key of template name in language l, or NULL if not loaded. */
const std::string *
key_of(const char *name, const struct lang *l)
{
	std::vector<std::string>::const_iterator it;

	if (name == NULL || !cache)
		return NULL;
	it = std::lower_bound(names.begin(), names.end(), name);
	if (it == names.end() || *it != name)
		return NULL;
	if (l == NULL || l->index >= keys.size())
		l = i18n_english();
	return &keys[l->index][(size_t)(it - names.begin())];
}

/*
 * Expands the template of cache key `key' into a string first: ctemplate
 * may emit part of a page before it notices a failure, and the caller's
 * buffer must not get that part.
 */
int
expand(const std::string &key, const TemplateDictionary *d, struct buf *out)
{
	std::string s;

	if (out->failed || !cache)
		return -1;
	if (!cache->ExpandNoLoad(key, kStrip, d, NULL, &s))
		return -1;
	buf_append(out, s.data(), s.size());
	return out->failed ? -1 : 0;
}

} /* namespace */

struct view_dict {
	TemplateDictionary *td = nullptr;     /* values, sections, rows */
	TemplateDictionary *layout = nullptr; /* root only: the mirror */
	struct view_dict   *root = nullptr;   /* the owner of this handle */
	bool                failed = false;   /* root only: a set was lost */
	const struct lang  *lang = nullptr;   /* root only; NULL: English */
	std::unique_ptr<TemplateDictionary>            tree; /* root only */
	std::vector<std::unique_ptr<struct view_dict>> rows; /* root only */
};

int
view_init(const char *dir, const char *locale_dir, char *err, size_t errsz)
{
	std::vector<std::string> list;
	std::string              why;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (dir == NULL || *dir == '\0') {
		set_err(err, errsz, "view_init", "no template directory");
		return -1;
	}
	if (i18n_init(locale_dir, err, errsz) == -1)
		return -1;
	try {
		if (!list_templates(dir, list, why)) {
			set_err(err, errsz, dir, why);
			return -1;
		}
		if (!std::binary_search(list.begin(), list.end(), kLayout)) {
			set_err(err, errsz, dir, std::string("no ") + kLayout);
			return -1;
		}
		std::unique_ptr<TemplateCache> c(new TemplateCache());
		if (!c->SetTemplateRootDirectory(dir)) {
			set_err(err, errsz, dir, "cannot use as template root");
			return -1;
		}
		std::vector<std::vector<std::string>> k;
		if (!load_all(*c, dir, list, k, err, errsz))
			return -1;
		c->Freeze();
		cache.swap(c);
		names.swap(list);
		keys.swap(k);
		return 0;
	} catch (const std::exception &e) {
		set_err(err, errsz, dir, e.what());
	} catch (...) {
		set_err(err, errsz, dir, "unknown C++ exception");
	}
	return -1;
}

size_t
view_count(void)
{
	return cache ? names.size() : 0;
}

struct view_dict *
view_dict_new(void)
{
	try {
		std::unique_ptr<struct view_dict> v(new view_dict());

		v->tree.reset(new TemplateDictionary("layout"));
		v->layout = v->tree.get();
		v->td = v->layout->AddIncludeDictionary("CONTENT");
		v->root = v.get();
		return v.release();
	} catch (...) {
		return NULL;
	}
}

void
view_dict_free(struct view_dict *d)
{
	/* A row belongs to its root and goes with it. */
	if (d == NULL || d->root != d)
		return;
	try {
		delete d;
	} catch (...) {
		/* a destructor that throws: nothing left to do */
	}
}

void
view_set(struct view_dict *d, const char *key, const char *value)
{
	if (d == NULL || key == NULL)
		return;
	if (value == NULL)
		value = "";
	try {
		d->td->SetValue(key, value);
		if (d->layout != NULL)
			d->layout->SetValue(key, value);
	} catch (...) {
		d->root->failed = true;
	}
}

void
view_set_int(struct view_dict *d, const char *key, long value)
{
	if (d == NULL || key == NULL)
		return;
	try {
		d->td->SetIntValue(key, value);
		if (d->layout != NULL)
			d->layout->SetIntValue(key, value);
	} catch (...) {
		d->root->failed = true;
	}
}

void
view_show(struct view_dict *d, const char *section)
{
	if (d == NULL || section == NULL)
		return;
	try {
		d->td->ShowSection(section);
		if (d->layout != NULL)
			d->layout->ShowSection(section);
	} catch (...) {
		d->root->failed = true;
	}
}

struct view_dict *
view_add_section(struct view_dict *d, const char *section)
{
	struct view_dict *root;

	if (d == NULL || section == NULL)
		return NULL;
	try {
		root = d->root;
		/* Room first: a failed push_back would leave a handleless row. */
		if (root->rows.size() == root->rows.capacity())
			root->rows.reserve(
			    root->rows.empty() ? 16 : 2 * root->rows.size());
		std::unique_ptr<struct view_dict> v(new view_dict());
		v->td = d->td->AddSectionDictionary(section);
		v->root = root;
		root->rows.push_back(std::move(v));
		return root->rows.back().get();
	} catch (...) {
		d->root->failed = true;
		return NULL;
	}
}

void
view_set_lang(struct view_dict *d, const struct lang *l)
{
	if (d != NULL && d->root == d)
		d->lang = l;
}

const struct lang *
view_lang(const struct view_dict *d)
{
	if (d == NULL || d->root->lang == NULL)
		return i18n_english();
	return d->root->lang;
}

int
view_render(struct view_dict *d, const char *page, struct buf *out)
{
	const std::string *key, *layout;

	if (d == NULL || d->layout == NULL || out == NULL || page == NULL ||
	    d->failed)
		return -1;
	try {
		/* layout.tpl including itself would recurse without end */
		if ((key = key_of(page, view_lang(d))) == NULL ||
		    (layout = key_of(kLayout, view_lang(d))) == NULL ||
		    strcmp(page, kLayout) == 0)
			return -1;
		d->td->SetFilename(*key);
		return expand(*layout, d->layout, out);
	} catch (...) {
		return -1;
	}
}

int
view_render_bare(const struct view_dict *d, const char *name, struct buf *out)
{
	if (d == NULL || out == NULL || d->root->failed)
		return -1;
	try {
		const std::string *key = key_of(name, view_lang(d));

		return key != NULL ? expand(*key, d->td, out) : -1;
	} catch (...) {
		return -1;
	}
}
