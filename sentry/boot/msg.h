/* Messages between burrow, the sentry and the app's init: one short text
 * per SOCK_SEQPACKET datagram ("created 1234", "start", "error ..."),
 * optionally carrying one fd (SCM_RIGHTS).
 *
 * Controller (burrow <-> sentry):
 *   sentry -> burrow  "console" + fd   the pty master (process.terminal)
 *                     "created <pid>"  the app's init waits before execve
 *                     "error <text>"   setup failed; the sentry exits 1
 *   burrow -> sentry  "start"          release the app
 * Sync (sentry <-> init): "go", "console" + fd, "ready", "start",
 * "error <text>". */
#ifndef BURROW_SENTRY_MSG_H
#define BURROW_SENTRY_MSG_H

#include <stddef.h>
#include <sys/types.h>

#define MSG_MAX 2048

/* Send `text` (and fd when >= 0).  0 or -errno. */
int msg_send(int sock, const char *text, int fd);
/* Receive one message into buf (NUL-terminated, at most MSG_MAX).  *fd gets
 * a received fd (close-on-exec) or -1; pass fd NULL to refuse fds (any is
 * closed).  Returns the length, 0 at EOF, or -errno. */
ssize_t msg_recv(int sock, char *buf, size_t len, int *fd);
/* Is `text` the command `cmd` (alone or followed by a space)?  Sets *arg
 * to what follows the space (or ""). */
int msg_is(const char *text, const char *cmd, const char **arg);

#endif
