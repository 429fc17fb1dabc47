/* The sandbox's control server: the contract between the sentry (which
 * starts it), the server itself and `burrow` (its client).
 *
 * The sentry confines itself after setup (pivot into a tmpfs, uid
 * 65534, a seccomp allowlist), so what needs the host (entering the
 * container's namespaces for exec, reading its cgroup, signalling any of
 * its processes) runs in a helper the sentry starts just before that:
 * `burrow-sentry control`, its child, killed with it (PDEATHSIG).  It
 * listens on the abstract unix socket ControlSocketAddr(id) and talks to
 * the sentry over a SOCK_SEQPACKET "link" (msg.h framing):
 *   control -> sentry  "ready"        listening; the sentry may report "created"
 *                      "error <text>" it could not start
 *                      "start"        application.Start: release the app
 *   sentry -> control  "app <pid>"    the app's init has its namespaces: set up, listen
 *                      "exit <code>"  the app was reaped (signal N -> 128+N);
 *                                     before "app": the sandbox gave up
 *
 * Wire protocol on the socket (SOCK_SEQPACKET): one JSON object per
 * message.  Request {"method": M, "params": {...}}, reply {"result": ...}
 * or {"error": "text"}.  Execute's stdio fds ride on the request and a
 * pty master on the reply (SCM_RIGHTS).  Methods: CONTROL_M_* below. */
#ifndef BURROW_SENTRY_CONTROL_H
#define BURROW_SENTRY_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "boot/boot.h"

#define CONTROL_M_START     "application.Start"
#define CONTROL_M_PROCESSES "application.Processes"
#define CONTROL_M_EXECUTE   "application.Execute"
#define CONTROL_M_EVENT     "application.Event"
#define CONTROL_M_SIGNAL    "application.Signal"
#define CONTROL_M_WAIT      "application.Wait"

/* Largest message either way. */
#define CONTROL_MSG_MAX (192 * 1024)

/* ControlSocketAddr(id): the abstract name "@burrow-sandbox.<id>" (an id
 * too long for sun_path is shortened to a prefix and a hash of it). */
int control_socket_addr(const char *id, struct sockaddr_un *sa, socklen_t *len);

/* ---- the sentry's side (link.c) ---- */

struct control_link {
	pid_t pid;                   /* the server, a child of the sentry */
	int fd;                      /* the link; -1 once gone */
};

/* Fork and exec the server first thing in the sandbox's set-up: it
 * loads what it can and waits for control_link_start.  -errno with
 * boot_errorf's text set. */
int control_link_spawn(const struct boot_config *cfg, struct control_link *cl);
/* Give the spawned server the app's init once its namespaces exist (it
 * sets up while the init builds the root).  -errno with boot_errorf's
 * text set; the server is gone then. */
int control_link_start(pid_t app, struct control_link *cl);
/* Wait until it listens (before the sentry confines itself).  -errno
 * with boot_errorf's text set; the server is gone then. */
int control_link_wait_ready(const struct boot_config *cfg, struct control_link *cl);
/* Kill and reap it (the sandbox failed before "created"). */
void control_link_abort(struct control_link *cl);
/* Handle what the server sent: 1 when it asks to start the app, 0 for
 * nothing, -EPIPE when it is gone (the fd is closed then). */
int control_link_read(struct control_link *cl);
/* The app exited with `code`: tell the server, give it a moment to answer
 * its waiters and finish. */
void control_link_finish(struct control_link *cl, int code);

/* burrow-sentry control (srv_main.c). */
int sentry_control_main(int argc, char **argv);

#endif
