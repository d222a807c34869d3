/* climsg.c - messages and the config of the operator commands. */
#include "config.h"

#include <stdio.h>

#include "lib/climsg.h"
#include "lib/conf.h"

static char prefix[48] = "membermail";

void
cli_name(const char *name)
{
	snprintf(prefix, sizeof(prefix), "%s", name);
}

void
cli_vwarnx(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vwarnx(fmt, ap);
	va_end(ap);
}

int
cli_config(struct config *cfg, const char *path)
{
	char err[1024];

	conf_defaults(cfg);
	if (conf_load(cfg, conf_path(path), err, sizeof(err)) == -1) {
		cli_warnx("%s", err);
		return -1;
	}
	return 0;
}
