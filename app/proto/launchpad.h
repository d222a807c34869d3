/*
 * launchpad.h - the Launchpad REST API client (libcurl + json-c).
 *
 * Anonymous GETs of person entries and of a team's participants, checked
 * as an answer membership depends on must be: strict JSON types (a missing
 * or non-boolean flag, e.g. the redacted tag string, is bad data, never
 * false), the plain-text 404 as "not found", and every paging guard (next
 * links only to our scheme+host, no repeated link, a page cap, valid
 * total_size and entries, drift logged).
 *
 * Each request has connect and total timeouts.  Connection errors,
 * timeouts, 502, 503 and 504 are retried with exponential backoff and
 * jitter (a 500 once), honouring a Retry-After of at most
 * retry_after_max seconds; other 4xx are never retried.  The outcome is
 * one of four: ok, not found, bad data (upstream answered something we
 * cannot trust) and unavailable (retries exhausted).  Callers must treat
 * anything but LP_OK and LP_NOT_FOUND as "change nothing".
 *
 * A client owns one CURL easy handle, reused so connections stay alive;
 * it is not thread-safe (one client per process or thread).
 */
#ifndef MM_LAUNCHPAD_H
#define MM_LAUNCHPAD_H

#include <stddef.h>

struct arena;
struct lp_client;

#define LP_NAME_MAX 255 /* longest Launchpad name we accept */

enum lp_outcome {
	LP_OK,         /* the answer is complete and valid */
	LP_NOT_FOUND,  /* 404: no such (public) person or team */
	LP_BAD_DATA,   /* an answer we cannot trust (types, 4xx) */
	LP_UNAVAILABLE /* no usable answer after the retries */
};

struct lp_options {
	const char *base;                /* API root, e.g. {lp}/1.0 */
	long        timeout_sec;         /* total per attempt (0: 15) */
	long        connect_timeout_sec; /* (0: 5, at most timeout_sec) */
	int         max_retries;         /* attempts after the first (-1: 0) */
	int         max_pages;       /* hard cap on a collection (0: 1000) */
	long        backoff_ms;      /* first retry delay (0: 500) */
	long        backoff_max_ms;  /* cap on one delay (0: 4000) */
	long        retry_after_max; /* largest Retry-After, s (0: 5) */
	int         page_size;       /* ws.size of a collection's first
					   page (0: Launchpad's default) */
};

struct lp_person {
	char name[LP_NAME_MAX + 1];
	int  is_valid;
	int  is_coc_signer; /* is_ubuntu_coc_signer */
	int  is_team;
};

/* A client for opt->base (copied); NULL if the base or curl is unusable. */
struct lp_client *lp_client_new(const struct lp_options *opt);
/* Releases the client and its handle; NULL is allowed. */
void lp_client_free(struct lp_client *);

/*
 * Bounds every later request by a deadline ms milliseconds from now (a
 * sign-in's budget): each attempt's total timeout is cut to what remains,
 * and no retry starts that could not finish before it.  0 removes it.
 */
void lp_set_deadline(struct lp_client *, long ms);

/* "ok", "not found", "bad data", "unavailable". */
const char *lp_outcome_name(enum lp_outcome);

/*
 * Non-zero if name (any case) is a Launchpad name:
 * [a-z0-9][a-z0-9+.-]+ of at most LP_NAME_MAX bytes.
 */
int lp_name_valid(const char *name);

/*
 * GET {base}/~name.  On LP_OK *out holds the entry's lower-case name and
 * flags; the name may differ from the one asked for (Launchpad answered
 * with another person's entry): the caller decides what that means.  A name that is not a Launchpad name is LP_NOT_FOUND without a
 * request (Launchpad answers 404 for those too).  Except on LP_OK, why
 * holds a one-line reason (why may be NULL).
 */
enum lp_outcome lp_person(struct lp_client *, const char *name,
    struct lp_person *out, char *why, size_t whysz);

/*
 * The person whose Ubuntu One claimed id is claimed_id, which stays when
 * a person renames (GET {devel}/people?ws.op=getByOpenIDIdentifier, where
 * {devel} is the
 * base with its last path segment replaced by "devel").  LP_NOT_FOUND when
 * Launchpad knows no (public) person of that identity.
 */
enum lp_outcome lp_person_by_identity(struct lp_client *,
    const char *claimed_id, struct lp_person *out, char *why, size_t whysz);

/*
 * lp_person, and when Launchpad has nobody of that name (a 404, or no
 * name at all) and claimed_id is not NULL, lp_person_by_identity: a
 * person who renamed is found under their new name (*by_identity is then
 * 1 and out->name the name Launchpad has now).
 */
enum lp_outcome lp_person_or_identity(struct lp_client *, const char *name,
    const char *claimed_id, struct lp_person *out, int *by_identity, char *why,
    size_t whysz);

/* One lookup of a batch: name (and claimed_id) in, the rest out. */
struct lp_query {
	const char      *name;       /* NULL: by identity only */
	const char      *claimed_id; /* NULL: no identity fallback */
	enum lp_outcome  outcome;
	struct lp_person person;      /* valid on LP_OK */
	int              by_identity; /* found by claimed_id */
	char             why[128];    /* set unless LP_OK */
	int              done;        /* the outcome is final */
};

#define LP_CONCURRENCY_MAX 32

/*
 * lp_person_or_identity for each of n queries, at most `concurrency` requests in
 * flight at once (curl multi; 1..LP_CONCURRENCY_MAX), each with the same
 * timeouts and retry policy.  Returns LP_OK when every query has its
 * outcome, else LP_UNAVAILABLE (a local failure: then the queries not
 * done say so).
 */
enum lp_outcome lp_persons(struct lp_client *, struct lp_query *q, size_t n,
    int concurrency);

/*
 * lp_persons in steps, so that a caller can do other work (a sync writes
 * to the database) while requests are in flight.  lp_batch_new readies
 * the queries (done 0) and returns NULL on a local failure.  Each
 * lp_batch_step starts and finishes what it can, waiting at most wait_ms
 * for the network (0: not at all); a finished query has done set.  It
 * returns 1 once every query is done, 0 while some are not, -1 on a local
 * failure (the queries not done say so).  The queries must outlive the
 * batch.
 */
struct lp_batch;
struct lp_batch *lp_batch_new(struct lp_client *, struct lp_query *q, size_t n,
    int concurrency);
int              lp_batch_step(struct lp_batch *, long wait_ms);
void             lp_batch_free(struct lp_batch *);

/*
 * A participant of a team as its collection shows it (entries are full
 * person entries): valid is is_valid, which every entry
 * must have; coc (is_ubuntu_coc_signer) and team (is_team) are 1 or 0, or
 * -1 when the entry does not say.  is_probationary is not looked at.
 */
struct lp_entry {
	const char *name; /* lower case */
	signed char valid, coc, team;
};

/*
 * All participants of team (direct and indirect, people and teams):
 * every page followed with the guards.  An entry without a valid name or
 * without a boolean is_valid, or whose is_ubuntu_coc_signer or is_team is
 * there but not a boolean, is bad data.  On LP_OK *entries is an array of
 * *n entries sorted by name, each name once; the array and the strings
 * belong to the arena.  On any other outcome *entries is NULL and *n is 0.
 */
enum lp_outcome lp_participants(struct lp_client *, struct arena *,
    const char *team, struct lp_entry **entries, size_t *n, char *why,
    size_t whysz);

/* One team of lp_participants_all: team in, the rest out. */
struct lp_team {
	const char      *team;
	enum lp_outcome  outcome;
	struct lp_entry *entries; /* on LP_OK, in the arena */
	size_t           n;
	char             why[256]; /* set unless LP_OK */
};

/*
 * lp_participants for n teams at once (curl multi: each team's pages in
 * order, the teams side by side), each with the same guards, timeouts
 * and retries.  LP_OK when every team has its outcome; else a local
 * failure left the teams not done LP_UNAVAILABLE.
 */
enum lp_outcome lp_participants_all(struct lp_client *, struct arena *,
    struct lp_team *t, size_t n);

#endif
