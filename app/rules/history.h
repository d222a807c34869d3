/*
 * history.h - audit rows in plain words: "6 Dec 2026, 01:50 — created by
 * the Launchpad check, forwarding to ada@example.com".  Used by an alias's
 * history, a domain's log and a user's page for site admins, and by no
 * one to decide anything.
 *
 * Each sentence is whole, from a table of templates with named
 * placeholders ({who}, {target}, {before}, {after}, ...), so that a
 * translation may order its words freely.  Who did it: "~name" (a
 * person), "~name (API)", "the Launchpad check" (the sync),
 * "the operator NAME" (the CLI), "membermail" (other jobs).
 *
 * Ownership: strings live in the caller's arena.
 */
#ifndef MM_HISTORY_H
#define MM_HISTORY_H

struct arena;
struct lang;

/* One audit row, as the statements give it. */
struct history_event {
	const char *at;         /* "6 Dec 2026, 01:50" (UTC) */
	const char *actor_kind; /* user, api, sync, cli, system */
	const char *actor_name; /* "" when none */
	const char *action;     /* alias.create, ... */
	const char *target;     /* its label: "ada@ubuntu.com", ... */
	const char *before;     /* JSON object text, or NULL / "" */
	const char *after;
};

/*
 * What happened, in one or more whole sentences, without the time.
 * named: say which object (a domain's log, a user's page); an alias's
 * own history leaves its address out.  In language l (NULL: English).
 * NULL when out of memory.
 */
const char *history_words(struct arena *, const struct lang *,
    const struct history_event *, int named);

/* "<at> — <words>": the line the pages show.  NULL when out of memory. */
const char *history_line(struct arena *, const struct lang *,
    const struct history_event *, int named);

#endif
