/*
 * i18n_fmt.c - dates and numbers in a language's conventions; see
 * i18n.h.  The formats are the catalogue's (a translator writes them, in
 * strftime's notation), so a new language needs no code: the source
 * language's are ISO 8601's.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"

/* The parts of a time PostgreSQL wrote; -1 where absent. */
struct when {
	int year, mon, day, hour, min, sec;
	int offset;     /* minutes east of UTC, when has_offset */
	int has_offset; /* an offset or "Z" was written */
};

/* n digits at *p into *v; advances *p.  0, or -1. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* "+HH", "+HH:MM", "+HHMM", "-..." or "Z" at p, to its end; 0 or -1. */
static int
parse_offset(const char *p, struct when *w)
{
	int sign, h, m = 0;

	if (*p == '\0')
		return 0;
	w->has_offset = 1;
	if (strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &h) == -1)
		return -1;
	if (*p == ':')
		p++;
	if (*p != '\0' && digits(&p, 2, &m) == -1)
		return -1;
	w->offset = sign * (h * 60 + m);
	return *p == '\0' && h < 24 && m < 60 ? 0 : -1;
}

static int
parse_time(const char *p, struct when *w)
{
	memset(w, 0, sizeof(*w));
	w->hour = w->min = w->sec = -1;
	if (digits(&p, 4, &w->year) == -1 || *p++ != '-' ||
	    digits(&p, 2, &w->mon) == -1 || *p++ != '-' ||
	    digits(&p, 2, &w->day) == -1)
		return -1;
	if (w->mon < 1 || w->mon > 12 || w->day < 1 || w->day > 31)
		return -1;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (digits(&p, 2, &w->hour) == -1 || *p++ != ':' ||
		    digits(&p, 2, &w->min) == -1 || w->hour > 23 || w->min > 59)
			return -1;
		if (*p == ':' &&
		    (p++, digits(&p, 2, &w->sec) == -1 || w->sec > 60))
			return -1;
		if (*p == '.' && w->sec >= 0)
			for (p++; isdigit((unsigned char)*p); p++)
				continue;
	}
	return parse_offset(p, w);
}

static const char *
month_name(const struct lang *l, int mon, int full)
{
	static const char *const abbr[] = {
		NC_("abbreviated month", "Jan"),
		NC_("abbreviated month", "Feb"),
		NC_("abbreviated month", "Mar"),
		NC_("abbreviated month", "Apr"),
		NC_("abbreviated month", "May"),
		NC_("abbreviated month", "Jun"),
		NC_("abbreviated month", "Jul"),
		NC_("abbreviated month", "Aug"),
		NC_("abbreviated month", "Sep"),
		NC_("abbreviated month", "Oct"),
		NC_("abbreviated month", "Nov"),
		NC_("abbreviated month", "Dec"),
	};
	static const char *const name[] = {
		NC_("month", "January"),
		NC_("month", "February"),
		NC_("month", "March"),
		NC_("month", "April"),
		NC_("month", "May"),
		NC_("month", "June"),
		NC_("month", "July"),
		NC_("month", "August"),
		NC_("month", "September"),
		NC_("month", "October"),
		NC_("month", "November"),
		NC_("month", "December"),
	};

	return full ? trc(l, "month", name[mon - 1]) :
		      trc(l, "abbreviated month", abbr[mon - 1]);
}

/* One conversion of fmt ("%d", "%-d", ...) for w, appended to b. */
static void
convert(struct buf *b, const struct lang *l, const struct when *w, int pad,
    char c)
{
	int v;

	switch (c) {
	case 'Y':
		buf_printf(b, "%04d", w->year);
		return;
	case 'b':
	case 'B':
		buf_puts(b, month_name(l, w->mon, c == 'B'));
		return;
	case 'm':
		v = w->mon;
		break;
	case 'd':
		v = w->day;
		break;
	case 'H':
		v = w->hour;
		break;
	case 'M':
		v = w->min;
		break;
	case 'S':
		v = w->sec < 0 ? 0 : w->sec;
		break;
	default:
		buf_putc(b, '%');
		buf_putc(b, c);
		return;
	}
	buf_printf(b, pad ? "%02d" : "%d", v);
}

/* fmt expanded for w: %Y %m %d %H %M %S %b %B %%, "%-x" unpadded. */
static void
expand(struct buf *b, const struct lang *l, const char *fmt,
    const struct when *w)
{
	const char *p;
	int         pad;

	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf_putc(b, *p);
			continue;
		}
		pad = p[1] != '-';
		if (!pad && p[2] == '\0')
			break;
		p += pad ? 1 : 2;
		if (*p == '%')
			buf_putc(b, '%');
		else
			convert(b, l, w, pad, *p);
	}
}

/* The catalogue's format for what w has. */
static const char *
time_format(const struct lang *l, const struct when *w)
{
	if (w->hour < 0)
		/* TRANSLATORS: strftime notation; "%-d" has no leading 0. */
		return trc(l, "date format", "%Y-%m-%d");
	if (w->sec < 0)
		/* TRANSLATORS: strftime notation; "%-H" has no leading 0. */
		return trc(l, "date and time format", "%Y-%m-%d %H:%M");
	return trc(l, "date and time with seconds format", "%Y-%m-%d %H:%M:%S");
}

const char *
i18n_time(const struct lang *l, const char *text, char *out, size_t outsz)
{
	struct when w;
	struct buf  b;
	int         off;

	if (outsz == 0)
		return out;
	if (text == NULL || parse_time(text, &w) == -1) {
		snprintf(out, outsz, "%s", text != NULL ? text : "");
		return out;
	}
	buf_init(&b, outsz);
	expand(&b, l, time_format(l, &w), &w);
	if (w.has_offset && w.offset == 0)
		buf_puts(&b, " UTC");
	else if (w.has_offset) {
		off = w.offset < 0 ? -w.offset : w.offset;
		buf_printf(&b, " %c%02d:%02d", w.offset < 0 ? '-' : '+',
		    off / 60, off % 60);
	}
	snprintf(out, outsz, "%s", b.failed ? text : buf_cstr(&b));
	buf_free(&b);
	return out;
}

const char *
i18n_number(const struct lang *l, long long n, char *out, size_t outsz)
{
	char               digits_[24], *w = out;
	const char        *sep, *d;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n :
				       (unsigned long long)n;
	size_t             len, seplen, need;
	int                i;

	if (outsz == 0)
		return out;
	/* TRANSLATORS: between groups of three digits: "12,345". */
	sep = trc(l, "thousands separator", ",");
	seplen = strlen(sep);
	len = (size_t)snprintf(digits_, sizeof(digits_), "%llu", u);
	need = (n < 0) + len + (len - 1) / 3 * seplen + 1;
	if (need > outsz) {
		snprintf(out, outsz, "%lld", n);
		return out;
	}
	if (n < 0)
		*w++ = '-';
	for (d = digits_, i = (int)len; *d != '\0'; d++, i--) {
		*w++ = *d;
		if (i > 1 && (i - 1) % 3 == 0) {
			memcpy(w, sep, seplen);
			w += seplen;
		}
	}
	*w = '\0';
	return out;
}
