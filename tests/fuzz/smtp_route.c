/*
 * smtp_route.c - fuzzes how a notification's recipients go out (routed:
 * an IDN domain as its A-label, a non-ASCII local part only when the relay
 * offers SMTPUTF8, refused ones named) and the RCPT TO paths made of them
 * (add_rcpts).  Recipients are members' own addresses.  The functions are
 * static, so the harness includes smtp.c; the relay's answer to EHLO is
 * taken as read.
 *
 * Input: one byte (bit 0: the relay offers SMTPUTF8), then To, Cc and Bcc,
 * each a comma-separated list, separated by NUL bytes.
 */
#include "proto/smtp.c"

#include "fuzz.h"

#define LIST_MAX 4

/*
 * An address as it went out: same local part, an ASCII domain.  One
 * without '@' goes as it is, for smtp_build to refuse.
 */
static void
check_routed(const char *in, const char *out, int utf8)
{
	const char *at = strrchr(in, '@'), *oat = strrchr(out, '@');
	size_t      len = at != NULL ? (size_t)(at - in) : strlen(in);

	FUZZ_CHECK((at == NULL) == (oat == NULL));
	if (at == NULL) {
		FUZZ_CHECK(strcmp(in, out) == 0);
		return;
	}
	FUZZ_CHECK(strncmp(in, out, len) == 0);
	FUZZ_CHECK(utf8 || is_ascii(out, strlen(out)));
	if (oat != NULL)
		FUZZ_CHECK(is_ascii(oat, strlen(oat)));
}

/* Pairs each recipient not refused with what went out for it. */
static void
check_all(const struct smtp_message *m, char *const *l, int utf8)
{
	const char *const *lists[] = { m->to, m->cc, m->bcc };
	const size_t       counts[] = { m->nto, m->ncc, m->nbcc };
	const char        *at;
	size_t             i, k, j = 0;

	for (i = 0; i < 3; i++)
		for (k = 0; k < counts[i]; k++) {
			at = strrchr(lists[i][k], '@');
			if (at != NULL && !utf8 &&
			    !is_ascii(lists[i][k], (size_t)(at - lists[i][k])))
				continue; /* refused: named in s->refused */
			check_routed(lists[i][k], l[j++], utf8);
		}
}

/* Every RCPT TO path is "<" address ">", whole. */
static void
check_rcpts(const struct smtp_message *r)
{
	const char *const *lists[] = { r->to, r->cc, r->bcc };
	const size_t       counts[] = { r->nto, r->ncc, r->nbcc };
	struct curl_slist *l = NULL, *e;
	size_t             i, k, len;
	int                ok = 1;

	for (i = 0; i < 3; i++)
		l = add_rcpts(l, lists[i], counts[i], &ok);
	FUZZ_CHECK(ok);
	for (e = l, i = 0; i < 3; i++)
		for (k = 0; k < counts[i]; k++, e = e->next) {
			FUZZ_CHECK(e != NULL);
			len = strlen(lists[i][k]);
			FUZZ_CHECK(strlen(e->data) == len + 2 &&
			    e->data[0] == '<' &&
			    strncmp(e->data + 1, lists[i][k], len) == 0 &&
			    e->data[len + 1] == '>');
		}
	curl_slist_free_all(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields  ff;
	struct smtp         s;
	struct smtp_message m, r;
	const char         *to[LIST_MAX], *cc[LIST_MAX], *bcc[LIST_MAX];
	char                err[256] = "", **l;
	size_t              n, i;
	enum smtp_outcome   o;

	if (size == 0)
		return 0;
	memset(&s, 0, sizeof(s));
	s.ehlo_seen = 1;
	s.utf8 = data[0] & 1;
	fuzz_split(data + 1, size - 1, 3, &ff);
	memset(&m, 0, sizeof(m));
	m.to = to;
	m.nto = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 0, NULL), to,
	    LIST_MAX);
	m.cc = cc;
	m.ncc = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 1, NULL), cc,
	    LIST_MAX);
	m.bcc = bcc;
	m.nbcc = fuzz_list((char *)(uintptr_t)fuzz_field(&ff, 2, NULL), bcc,
	    LIST_MAX);
	n = m.nto + m.ncc + m.nbcc;
	if ((l = calloc(n + 1, sizeof(*l))) == NULL)
		abort();
	o = routed(&s, &m, &r, l, err, sizeof(err));
	FUZZ_CHECK(o == SMTP_SENT || o == SMTP_PERMANENT);
	if (o == SMTP_SENT) {
		FUZZ_CHECK(r.nto > 0 || r.nbcc > 0);
		FUZZ_CHECK(r.nto + r.ncc + r.nbcc <= n);
		for (i = 0; i < r.nto + r.ncc + r.nbcc; i++)
			FUZZ_CHECK(l[i] != NULL);
		check_all(&m, l, s.utf8);
		check_rcpts(&r);
	} else
		FUZZ_CHECK(err[0] != '\0');
	if (s.utf8)
		FUZZ_CHECK(s.refused[0] == '\0');
	free_list(l, n);
	fuzz_fields_free(&ff);
	return 0;
}
