/*
 * confdoc.c - builds membermail.conf(5) from its source,
 * docs/membermail.conf.5.in, and the config table (conf_doc in
 * lib/conf.h), so that the page gives every key the type, default and
 * bounds the loader applies, and cannot disagree with it.
 *
 *	confdoc IN > OUT	the page (problems are said on stderr)
 *	confdoc --check IN	the problems only; exit 1 when there are any
 *
 * The list of keys in IN is the one whose .Bl follows the comment line
 * ".\" @keys@".  Every key of the table has an entry there, ".It Cm KEY"
 * and a paragraph on what it is for; confdoc ends each entry with its
 * facts.  A key of the table without an entry, an entry the table does not
 * have, and one given twice are the problems: whoever adds a key to the
 * table writes its entry.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"

#define LINE_MAX_ 1024
#define KEYS_MAX  256
#define KEYS_MARK ".\\\" @keys@"

struct page {
	const char *path;
	FILE       *out;     /* NULL: check only */
	int         in_keys; /* inside the list of keys */
	int         depth;   /* .Bl nesting within it */
	int         open;    /* index of the entry whose facts are due */
	int         seen[KEYS_MAX];
	int         problems;
};

/* s as one argument of a macro line: quoted, roff escapes neutral. */
static void
put_arg(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++)
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '"')
			fputs("\\(dq", out);
		else
			fputc(*s, out);
	fputc('"', out);
}

/* The end of entry i: what a value looks like, its bounds, its default. */
static void
put_facts(FILE *out, size_t i)
{
	struct conf_doc d;

	if (out == NULL || conf_doc(i, &d) == -1)
		return;
	fprintf(out, ".Pp\nValue: %s%s%s.\nDefault:\n", d.type,
	    d.bounds[0] != '\0' ? ", " : "", d.bounds);
	if (d.def[0] == '\0')
		fputs("empty.\n", out);
	else {
		fputs(".Ql ", out);
		put_arg(out, d.def);
		fputs(" .\n", out);
	}
}

static int
key_index(const char *name)
{
	struct conf_doc d;
	size_t          i;

	for (i = 0; conf_doc(i, &d) == 0; i++)
		if (strcmp(d.name, name) == 0)
			return (int)i;
	return -1;
}

static void problem(struct page *, unsigned, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Says one problem, at a line of IN (0: of the page as a whole). */
static void
problem(struct page *p, unsigned lineno, const char *fmt, ...)
{
	va_list ap;

	if (lineno > 0)
		fprintf(stderr, "%s:%u: ", p->path, lineno);
	else
		fprintf(stderr, "%s: ", p->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	p->problems++;
}

/* An ".It Cm KEY" line of the list: its entry starts. */
static void
entry(struct page *p, unsigned lineno, const char *line)
{
	char name[128];
	int  i;

	if (sscanf(line, ".It Cm %127s", name) != 1)
		return;
	if ((i = key_index(name)) == -1)
		problem(p, lineno,
		    "%s: documented here but not a key of the config table "
		    "(app/lib/conf.c): remove its entry, or add the key",
		    name);
	else if (p->seen[i]++)
		problem(p, lineno, "%s: documented twice", name);
	p->open = i;
}

/* Follows one line of IN; ends an entry before the next starts. */
static void
follow(struct page *p, unsigned lineno, const char *line)
{
	if (strncmp(line, KEYS_MARK, strlen(KEYS_MARK)) == 0) {
		p->in_keys = 1;
		return;
	}
	if (!p->in_keys)
		return;
	if (strncmp(line, ".Bl", 3) == 0 && p->depth++ > 0)
		return;
	if (strncmp(line, ".El", 3) == 0 && --p->depth > 0)
		return;
	if (p->depth <= 1 && p->open >= 0 &&
	    (strncmp(line, ".It", 3) == 0 || strncmp(line, ".El", 3) == 0)) {
		put_facts(p->out, (size_t)p->open);
		p->open = -1;
	}
	if (p->depth == 1 && strncmp(line, ".It", 3) == 0)
		entry(p, lineno, line);
	if (p->depth == 0)
		p->in_keys = 0;
}

/* Every key of the table has its entry. */
static void
check_all(struct page *p)
{
	struct conf_doc d;
	size_t          i;

	for (i = 0; conf_doc(i, &d) == 0; i++)
		if (i >= KEYS_MAX || !p->seen[i])
			problem(p, 0,
			    "%s: a key of the config table (app/lib/conf.c) "
			    "that this page does not document.  Every key must "
			    "be: add \".It Cm %s\" and a paragraph on what it "
			    "is for to the list after \"%s\" (its type, "
			    "default and bounds come from the table)",
			    d.name, d.name, KEYS_MARK);
}

int
main(int argc, char *argv[])
{
	struct page p;
	char        line[LINE_MAX_];
	unsigned    lineno = 0;
	FILE       *in;
	int         check = argc == 3 && strcmp(argv[1], "--check") == 0;

	if (argc != 2 && !check) {
		fprintf(stderr,
		    "usage: confdoc [--check] membermail.conf.5.in\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.path = argv[argc - 1];
	p.out = check ? NULL : stdout;
	p.open = -1;
	if ((in = fopen(p.path, "r")) == NULL) {
		perror(p.path);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		follow(&p, lineno, line);
		if (p.out != NULL)
			fputs(line, p.out);
	}
	fclose(in);
	check_all(&p);
	return check && p.problems > 0 ? 1 : 0;
}
