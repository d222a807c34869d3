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

#include "db.h"
#include "handlers.h"
#include "outbox.h"

/* GET /_test/sleep?ms=N: answers after N milliseconds (signals or not). */
enum app_err
h_test_sleep(struct req *r)
{
	long		 ms = strtol(r->fields[0], NULL, 10);
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000 };

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

/* outbox (outbox.c) */
static enum app_err
retry_tx(struct db *db, void *arg)
{
	return outbox_retry(db, *(const long long *)arg);
}

/*
 * GET /_test/outbox-retry?id=N: outbox_retry in a transaction of its own,
 * as the site-admin page will call it; 404 unless N is a failed message.
 * A GET that changes state: tolerable only in a test build.
 */
enum app_err
h_test_outbox_retry(struct req *r)
{
	long long	 id = strtoll(r->fields[0], NULL, 10);
	enum app_err	 e;

	if ((e = db_tx(r->db, retry_tx, &id)) != APP_OK)
		return e;
	resp_body(r, "text/plain; charset=utf-8", "retried\n", 8);
	return APP_OK;
}

#endif
