/*
 * test_hooks.c - routes that exist only in test builds (configure
 * --enable-test-hooks): a request that takes as long as asked, and a
 * worker that crashes.  The process-manager tests need both (request
 * timeouts, graceful reloads with requests in flight, crash handling).
 */
#include "config.h"

#ifdef MM_TEST_HOOKS

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "handlers/handlers.h"

/* GET /_test/sleep?ms=N: answers after N milliseconds (signals or not). */
enum app_err
h_test_sleep(struct req *r)
{
	long            ms = strtol(req_field(r, TEST_SLEEP_MS), NULL, 10);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	resp_body(r, "text/plain; charset=utf-8", "slept\n", 6);
	return APP_OK;
}

/* GET /_test/crash: the worker dies as a crashing one would. */
enum app_err
h_test_crash(struct req *r)
{
	(void)r;
	abort();
}

#endif
