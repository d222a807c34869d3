/*
 * climsg.h - what the operator commands (migrate, domain, user, ctl,
 * cleanup, outbox, sync) share: messages prefixed with the command's
 * name, and the config read with its problems said that way.
 */
#ifndef MM_CLIMSG_H
#define MM_CLIMSG_H

#include <stdarg.h>

/* Sets the prefix of messages, e.g. "migrate" or "domain add" (copied). */
void cli_name(const char *);
/* "name: message" on stderr. */
void cli_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void cli_vwarnx(const char *, va_list) __attribute__((format(printf, 1, 0)));

struct config;

/*
 * The defaults, then the config file (-c path, $MEMBERMAIL_CONFIG or the
 * default: conf_path); 0, or -1 after saying what is wrong with it.
 */
int cli_config(struct config *, const char *path);

#endif
