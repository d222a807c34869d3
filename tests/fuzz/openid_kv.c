/*
 * openid_kv.c - fuzzes the key-value form of Ubuntu One's direct answers
 * (association and check_authentication), as the relying party reads
 * them: openid_kv_parse with its bounds, the duplicate-key check, and an
 * association answer (openid_assoc_answer).
 */
#include "config.h"

#include "fuzz.h"
#include "lib/arena.h"
#include "proto/openid.h"

/* The relying party's bounds on an answer, and smaller ones. */
#define KV_MAX_LINES 64
#define KV_MAX_LINE  4096

static struct arena *arena;

static void
check_pairs(enum openid_err e, const struct kvlist *l)
{
	size_t      i, j, klen;
	const char *dup;

	if (e != OPENID_OK) {
		FUZZ_CHECK(l->v == NULL && l->n == 0);
		FUZZ_CHECK(e == OPENID_ENOMEM || e == OPENID_EKV_LINES ||
		    e == OPENID_EKV_LONG || e == OPENID_EKV_COLON ||
		    e == OPENID_EKV_KEY || e == OPENID_EKV_VALUE);
		FUZZ_CHECK(strcmp(openid_strerror(e), "unknown") != 0);
		return;
	}
	for (i = 0; i < l->n; i++) {
		klen = strlen(l->v[i].key);
		FUZZ_CHECK(klen >= 1 && klen <= FORM_KEY_MAX);
		for (j = 0; j < klen; j++)
			FUZZ_CHECK(l->v[i].key[j] > ' ' &&
			    l->v[i].key[j] < 0x7f && l->v[i].key[j] != ':');
		FUZZ_CHECK(strlen(l->v[i].val) == l->v[i].vlen);
		for (j = 0; j < l->v[i].vlen; j++)
			FUZZ_CHECK((unsigned char)l->v[i].val[j] >= ' ' ||
			    l->v[i].val[j] == '\t');
	}
	dup = openid_kv_dupkey(l);
	FUZZ_CHECK(dup == NULL || kv_count(l, dup) >= 2);
}

/*
 * An association answer: a handle of 1..255 printable ASCII from the
 * answer itself and a key, or an error and a zeroed key.
 */
static void
use_answer(const struct kvlist *l)
{
	unsigned char    key[OPENID_MAC_KEY_LEN];
	const char      *handle = NULL;
	const struct kv *h;
	size_t           i, zero = 0;
	enum openid_err  e;

	memset(key, 0xa5, sizeof(key));
	e = openid_assoc_answer(l, &handle, key);
	if (e != OPENID_OK) {
		FUZZ_CHECK(e == OPENID_EASSOC || e == OPENID_EASSOC_SESSION ||
		    e == OPENID_EMAC_KEY || e == OPENID_ENOMEM);
		for (i = 0; i < sizeof(key); i++)
			zero |= key[i];
		FUZZ_CHECK(zero == 0);
		return;
	}
	FUZZ_CHECK(
	    (h = kv_find(l, "assoc_handle")) != NULL && h->val == handle);
	FUZZ_CHECK(strlen(handle) >= 1 && strlen(handle) <= 255);
	for (i = 0; handle[i] != '\0'; i++)
		FUZZ_CHECK(handle[i] > ' ' && handle[i] < 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char     *s = (const char *)data;
	struct kvlist   l;
	enum openid_err e;

	if (arena == NULL && (arena = arena_new(4u << 20)) == NULL)
		abort();
	arena_reset(arena);
	e = openid_kv_parse(arena, s, size, KV_MAX_LINES, KV_MAX_LINE, &l);
	check_pairs(e, &l);
	if (e == OPENID_OK && openid_kv_dupkey(&l) == NULL)
		use_answer(&l);
	e = openid_kv_parse(arena, s, size, 4, 40, &l);
	check_pairs(e, &l);
	return 0;
}
