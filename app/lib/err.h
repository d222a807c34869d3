/*
 * err.h - the one error vocabulary of membermail.
 *
 * Functions that can fail return an enum app_err and, where a person will
 * read it, a short reason.  Only the dispatcher turns an error into an HTTP
 * status and a page (app_err_status); everything below it just reports.
 */
#ifndef MM_ERR_H
#define MM_ERR_H

enum app_err {
	APP_OK = 0,      /* success */
	APP_EINPUT,      /* malformed or invalid client input (400) */
	APP_EAUTH,       /* not signed in (401) */
	APP_EFORBIDDEN,  /* signed in but not allowed, or CSRF failure (403) */
	APP_ENOTFOUND,   /* no such page or object (404) */
	APP_EMETHOD,     /* path exists, method does not (405) */
	APP_ECONFLICT,   /* the change conflicts with the current state (409) */
	APP_ETOOBIG,     /* input over a configured bound (413) */
	APP_EURITOOLONG, /* request URI over its bound (414) */
	APP_EINVALID,    /* well-formed, but a field's value is refused (422) */
	APP_ERATELIMIT,  /* too many attempts; Retry-After says when (429) */
	APP_EINTERNAL,   /* a bug or an unexpected local failure (500) */
	APP_ENOMEM,      /* allocation or arena bound exhausted (500) */
	APP_ENOTIMPL,    /* feature not available yet (501) */
	APP_EDB,         /* database unavailable (503) */
	APP_EUPSTREAM,   /* an upstream service is unavailable (503) */
	APP_EMEDIATYPE,  /* a body of a type the route does not take (415) */
	APP_ERR__MAX
};

/* The HTTP status the dispatcher answers with for this error. */
int app_err_status(enum app_err);

#endif
