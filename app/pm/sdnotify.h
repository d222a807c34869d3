/*
 * sdnotify.h - the systemd notification protocol (Type=notify), without
 * libsystemd: one datagram to $NOTIFY_SOCKET.  Without that variable (not
 * under systemd) it does nothing.  Lines such as "READY=1",
 * "RELOADING=1", "STOPPING=1", "MAINPID=1234", "STATUS=...".
 */
#ifndef MM_SDNOTIFY_H
#define MM_SDNOTIFY_H

void sd_notifyf(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
