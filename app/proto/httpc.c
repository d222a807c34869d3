/* httpc.c - bounded outgoing HTTP with libcurl; see httpc.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "proto/httpc.h"

static CURL *handle;

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, p, size * n);
	return b->failed ? 0 : size * n; /* 0 aborts the transfer */
}

static CURL *
get_handle(void)
{
	if (handle == NULL && curl_global_init(CURL_GLOBAL_DEFAULT) == 0)
		handle = curl_easy_init();
	return handle;
}

static void
set_common(CURL *c, const char *url, long timeout, struct http_response *res)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 5 ? timeout : 5L);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &res->body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, res->error);
}

enum http_outcome
http_post_form(const char *url, const char *body, long timeout,
    struct http_response *res)
{
	CURL    *c;
	CURLcode rc;

	memset(res, 0, sizeof(*res));
	buf_init(&res->body, HTTP_RESPONSE_MAX);
	if ((c = get_handle()) == NULL) {
		snprintf(res->error, sizeof(res->error), "curl init failed");
		return HTTP_NOT_SENT;
	}
	set_common(c, url, timeout, res);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if ((rc = curl_easy_perform(c)) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
		return HTTP_OK;
	}
	if (res->error[0] == '\0')
		snprintf(res->error, sizeof(res->error), "%s",
		    curl_easy_strerror(rc));
	if (res->body.failed)
		snprintf(res->error, sizeof(res->error),
		    "response over %d "
		    "bytes",
		    HTTP_RESPONSE_MAX);
	/* Only a refused or unresolved connection certainly sent nothing. */
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ?
	    HTTP_NOT_SENT :
	    HTTP_FAILED;
}

void
http_response_free(struct http_response *res)
{
	buf_free(&res->body);
}

void
http_cleanup(void)
{
	if (handle != NULL)
		curl_easy_cleanup(handle);
	handle = NULL;
}
