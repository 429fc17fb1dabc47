/* The control server's internals (burrow-sentry control): one libev loop
 * owns the listening socket, the clients, the link to the sentry and
 * SIGCHLD for the processes it started with application.Execute. */
#ifndef BURROW_CONTROL_SRV_H
#define BURROW_CONTROL_SRV_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups.h"
#include "nsenter.h"
#include "oci/spec.h"
#include "wire.h"

struct srv;

struct conn {
	struct srv *s;
	int fd;
	ev_io w;
	uid_t uid;
	bool busy;                   /* a reply is owed (Wait, Execute) */
	bool dead;                   /* closed after the current callback */
	bool refused;                /* not root nor the owner: one refusal, then closed */
	pid_t wait_pid;              /* Wait pending for this pid (app: its pid) */
	struct conn *next;
};

/* A process started by Execute, until a Wait collected its status. */
struct child {
	pid_t pid;
	bool exited;
	bool discard;                /* failed before execve: nobody will wait */
	int code;                    /* exit code (signal N -> 128+N) */
	struct child *next;
};

/* An Execute whose child has not yet execve'd (or failed). */
struct pending_exec {
	struct srv *s;
	struct conn *c;
	pid_t pid;
	int err_fd;                  /* CLOEXEC pipe: EOF = execve happened */
	int master;                  /* pty master for the reply, or -1 */
	ev_io w;
	struct pending_exec *next;
};

struct srv {
	struct ev_loop *loop;
	const char *id, *bundle, *state_dir;
	json_t *config;              /* config.json as read: Execute's base */
	struct oci_spec spec;
	pid_t app, sentry;
	uid_t owner;                 /* besides root, who may connect */
	int listen_fd, link_fd;
	ev_io listen_w, link_w;
	ev_child chld_w;             /* libev reaps; any pid */
	struct ns_set ns;            /* the app's namespaces */
	dev_t pidns_dev;
	ino_t pidns_ino;
	bool own_pidns;
	struct srv_cgroup cg;
	bool started, app_exited;
	int app_code;
	struct conn *conns;
	struct child *children;
	size_t n_children;
	struct pending_exec *pending;
};

/* Replies: result consumed (NULL: {}); a failed send closes the client. */
void conn_reply(struct conn *c, json_t *result, const int *fds, size_t n_fds);
void conn_error(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* server.c */
void server_start_accepting(struct srv *s);
/* Free the clients whose reply could not be sent. */
void server_sweep(struct srv *s);
void server_close_all(struct srv *s);

/* Methods (params: a JSON object; fds: what came with the request,
 * owned by the method, which closes what it does not keep). */
void m_start(struct conn *c, json_t *params, int *fds, size_t n_fds);
void m_processes(struct conn *c, json_t *params, int *fds, size_t n_fds);
void m_execute(struct conn *c, json_t *params, int *fds, size_t n_fds);
void m_event(struct conn *c, json_t *params, int *fds, size_t n_fds);
void m_signal(struct conn *c, json_t *params, int *fds, size_t n_fds);
void m_wait(struct conn *c, json_t *params, int *fds, size_t n_fds);

/* children.c */
struct child *child_add(struct srv *s, pid_t pid);
struct child *child_find(struct srv *s, pid_t pid);
void child_drop(struct srv *s, struct child *ch);
/* A child exited (libev reaped it): answer the Waits for it. */
void children_exited(struct srv *s, pid_t pid, int status);
/* Reap what exited without libev (at the end). */
void children_reap(struct srv *s);
/* The app exited: answer its waiters. */
void children_app_exited(struct srv *s, int code);
/* Answer every Wait still pending with an error (shutting down). */
void children_fail_waiters(struct srv *s, const char *why);
/* A client went away: forget its pending exec. */
void pending_exec_forget(struct srv *s, struct conn *c);

/* procs.c: the container's processes (host pids), sorted.  -errno. */
int procs_list(struct srv *s, pid_t **out, size_t *n);
/* Is `pid` one of the container's processes? */
bool procs_in_container(struct srv *s, pid_t pid);

/* exec_child.c: the forked child of Execute; never returns.  stdio[3]
 * (or the pty slave when tty), err_fd gets one line on failure. */
__attribute__((noreturn)) void exec_child(struct srv *s, const struct oci_spec *spec,
					  const int *stdio, int tty_slave, int err_fd);

/* nsfork.c: fork a process into the app's pid namespace (the server
 * stays in the host's; it is a subreaper and gets the process as its
 * child).  0 in the new process, its host pid here, or -errno. */
pid_t ns_fork(const struct ns_set *ns);

/* procmount.c: a detached procfs of the app's pid namespace, for the
 * sentry's root (podman top joins the sentry's mount namespace). */
int procmount_make(const struct ns_set *ns, int *fd);

/* stats.c: runc's stats event {"type":"stats","id","data"}. */
json_t *stats_event(struct srv *s);

#endif
