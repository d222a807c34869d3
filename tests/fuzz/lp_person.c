/*
 * lp_person.c - fuzzes the readers of Launchpad's person answers: GET
 * ~name (person_answer) and the look-up by OpenID identity
 * (identity_answer), from status, Content-Type and body on.  They are
 * static, so the harness includes launchpad.c itself and feeds them the
 * transfer a real GET would have left.
 *
 * Input: one byte choosing the status and Content-Type, then the body.
 */
#include "proto/launchpad.c"

#include "fuzz.h"

static const long  statuses[] = { 200, 200, 200, 404, 500, 503, 0, 410 };
static const char *ctypes[] = { "application/json",
	"application/json; charset=UTF-8", "text/plain", NULL };

/* Whether all of the body's bytes are JSON null, white space around. */
static int
is_null(const char *b, size_t len)
{
	size_t i = 0, end = len;

	while (i < len && strchr(" \t\r\n", b[i]) != NULL && b[i] != '\0')
		i++;
	while (end > i && strchr(" \t\r\n", b[end - 1]) != NULL &&
	    b[end - 1] != '\0')
		end--;
	return end - i == 4 && memcmp(b + i, "null", 4) == 0;
}

/* What LP_OK promises; a reason otherwise. */
static void
check_person(enum lp_outcome rv, const struct lp_person *p, const char *why)
{
	size_t i;

	if (rv != LP_OK) {
		FUZZ_CHECK(rv == LP_NOT_FOUND || rv == LP_BAD_DATA);
		FUZZ_CHECK(why[0] != '\0');
		return;
	}
	FUZZ_CHECK(lp_name_valid(p->name));
	for (i = 0; p->name[i] != '\0'; i++)
		FUZZ_CHECK(p->name[i] < 'A' || p->name[i] > 'Z');
	FUZZ_CHECK(p->is_valid == 0 || p->is_valid == 1);
	FUZZ_CHECK(p->is_coc_signer == 0 || p->is_coc_signer == 1);
	FUZZ_CHECK(p->is_team == 0 || p->is_team == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char      ctype[64];
	struct xfer      x;
	struct lp_person p;
	enum lp_outcome  rv;
	char             why[256];
	const char      *ct;

	if (size == 0)
		return 0;
	log_set_level(LOG_LEVEL_ERROR); /* bad data is logged as a warning */
	memset(&x, 0, sizeof(x));
	buf_init(&x.body, LP_BODY_MAX);
	buf_append(&x.body, data + 1, size - 1);
	x.status = statuses[data[0] & 7];
	ct = ctypes[(data[0] >> 3) & 3];
	if (ct != NULL) {
		snprintf(ctype, sizeof(ctype), "%s", ct);
		x.ctype = ctype;
	}

	memset(&p, 0, sizeof(p));
	why[0] = '\0';
	rv = person_answer(&x, "ada", &p, why, sizeof(why));
	check_person(rv, &p, why);
	FUZZ_CHECK((rv == LP_NOT_FOUND) == (x.status == 404));

	memset(&p, 0, sizeof(p));
	why[0] = '\0';
	rv = identity_answer(&x, &p, why, sizeof(why));
	check_person(rv, &p, why);
	FUZZ_CHECK((rv == LP_NOT_FOUND) ==
	    (x.status == 200 && is_json(&x) &&
		is_null((const char *)data + 1, size - 1)));
	buf_free(&x.body);
	return 0;
}
