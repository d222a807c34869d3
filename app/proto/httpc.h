/*
 * httpc.h - the worker's outgoing HTTP client (libcurl), bounded.
 *
 * One easy handle per process, created lazily and reused so connections
 * to Ubuntu One and Launchpad are kept alive between requests.  Responses
 * are read into a bounded buffer; a larger one is an error, never a
 * truncation.  Only http and https, no redirects followed, no proxy from
 * the environment (httpoxy), and a total timeout on every request.
 */
#ifndef MM_HTTPC_H
#define MM_HTTPC_H

#include <stddef.h>

#include "lib/buf.h"

#define HTTP_RESPONSE_MAX (256 * 1024)

enum http_outcome {
	HTTP_OK,       /* a response arrived (any status) */
	HTTP_NOT_SENT, /* could not connect: safe to retry */
	HTTP_FAILED    /* the request may have reached the server */
};

struct http_response {
	long       status;
	struct buf body; /* owned; http_response_free releases it */
	char       error[256];
};

/*
 * POSTs an application/x-www-form-urlencoded body to url.  The response
 * must be freed with http_response_free whatever the outcome.
 */
enum http_outcome http_post_form(const char *url, const char *body,
    long timeout_sec, struct http_response *);
void              http_response_free(struct http_response *);
/* Releases the process's handle (at worker exit). */
void http_cleanup(void);

#endif
