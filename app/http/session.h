/*
 * session.h - who is signed in, and the CSRF token of every form.
 *
 * Two cookies, both HttpOnly, SameSite=Lax and Path=/, never with a Domain.
 * When public_url is https they are Secure and named with the __Host-
 * prefix (__Host-mm_session, __Host-mm_browser): browsers then refuse the
 * name from a sibling subdomain or over plain http, so nobody can plant a
 * browser binding and sign a victim into their own account.  The plain
 * names below are only for the plain-http local demo.
 *	mm_session	256-bit random token of a signed-in session; the
 *			database holds only its SHA-256, so a leaked table
 *			is no credential.  Idle and absolute expiry; a new
 *			token at every sign-in.
 *	mm_browser	256-bit random browser binding, set before sign-in.
 *			A login state is bound to it (login CSRF), and it
 *			derives the CSRF token of anonymous forms.
 * Every state-changing request must carry the form field csrf_token: the
 * session's token when signed in, else the browser's derived one; both are
 * compared in constant time.
 */
#ifndef MM_SESSION_H
#define MM_SESSION_H

#include "lib/err.h"

struct req;

#define SESSION_COOKIE "mm_session"
#define BROWSER_COOKIE "mm_browser"
#define HOST_PREFIX    "__Host-"

struct user {
	long long   id;
	const char *name; /* Launchpad name */
	const char *email;
	const char *display_name;
	int         is_site_admin;
	/* Only from a session (session_load); NULL and 0 through the API. */
	const char *claimed_id;
	const char *person_status; /* users.person_status, or "" */
	int         sync_due;      /* a sync is queued (Launchpad was
					   unreachable) */
	const char *email_stuck;   /* aliases still forward there, or "" */
	const char *mail_problem;  /* why mail cannot reach email, or "" */
	const char *lang;          /* the language they chose, or "" */
};

/*
 * Reads the session cookie and, if it names a live session of a user who
 * is not banned, sets req->user and slides the idle expiry.  A missing,
 * malformed or expired cookie is simply "not signed in" (APP_OK); APP_EDB
 * when the database is unavailable.
 */
enum app_err session_load(struct req *);

/* Starts a session for user_id (a fresh token) and sets its cookie. */
enum app_err session_start(struct req *, long long user_id);
/* Ends the current session, if any, and expires its cookie. */
enum app_err session_end(struct req *);

/*
 * The browser-binding value (from the cookie, or new and set on the
 * response); NULL when out of memory.  The second form never creates one.
 */
const char *browser_binding(struct req *);
const char *browser_binding_sent(const struct req *);

/* The CSRF token forms must carry; NULL when out of memory. */
const char *csrf_token(struct req *);
/* Whether `token` is this request's CSRF token (constant time). */
int csrf_valid(struct req *, const char *token);

#endif
