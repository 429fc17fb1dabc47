/* burrow's lifecycle commands beyond run and spec (runc's command line):
 * create start state kill delete list exec ps events wait, one file
 * each, and what they share: the container record (container.c),
 * signal names (signals.c), hooks (hooks.c), the console socket
 * (console_socket.c). */
#ifndef BURROW_CLI_LIFECYCLE_H
#define BURROW_CLI_LIFECYCLE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"

int cmd_create(const struct cli_globals *g, int argc, char **argv);
int cmd_start(const struct cli_globals *g, int argc, char **argv);
int cmd_state(const struct cli_globals *g, int argc, char **argv);
int cmd_kill(const struct cli_globals *g, int argc, char **argv);
int cmd_delete(const struct cli_globals *g, int argc, char **argv);
int cmd_list(const struct cli_globals *g, int argc, char **argv);
int cmd_exec(const struct cli_globals *g, int argc, char **argv);
int cmd_ps(const struct cli_globals *g, int argc, char **argv);
int cmd_events(const struct cli_globals *g, int argc, char **argv);
int cmd_wait(const struct cli_globals *g, int argc, char **argv);

/* ---- container.c: <root>/<id> as the commands see it ---- */

struct container {
	const char *id;
	char dir[4096];
	int lock_fd;                 /* the directory, flock'ed (or -1) */
	json_t *state;               /* state.json */
	pid_t sentry, app;
	const char *status;          /* creating created running stopped */
};

/* Open (and with lock, lock) the container.  Prints the error (runc's
 * wording for an unknown id) and returns 1, or 0. */
int container_open(const struct cli_globals *g, const char *id, bool lock,
		   struct container *c);
/* The same without printing: -ENOENT for an unknown id, the text in err. */
int container_load(const struct cli_globals *g, const char *id, bool lock, struct container *c,
		   char *err, size_t errlen);
void container_close(struct container *c);
/* Merge `changes` (consumed) into state.json (the lock must be held). */
int container_update(struct container *c, json_t *changes);
/* The OCI state: ociVersion id status pid bundle rootfs created owner
 * annotations.  New reference. */
json_t *container_oci_state(const struct container *c);
/* Is the process alive and the one we started (start time in jiffies,
 * 0: unknown)?  Zombies count as dead. */
bool pid_alive(pid_t pid, unsigned long long start);
unsigned long long pid_start_time(pid_t pid);
/* Wait up to ms for pid to be dead; true when it is. */
bool pid_wait_dead(pid_t pid, unsigned long long start, int ms);
/* Exactly one ID argument after the options, valid. */
int one_id(int argc, char **argv, const char *cmd, const char **id);

/* ---- signals.c ---- */

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+3": the number, or -1. */
int signal_parse(const char *s);

/* ---- hooks.c ---- */

/* Run the spec's hooks of `kind` with the state (JSON) on stdin.
 * in_container: pid whose namespaces they run in (0: burrow's).
 * Prints a one-line error naming the hook and returns 1 on the first
 * failure; with warn_only logs it and goes on (poststart, poststop). */
int hooks_run(const struct oci_spec *spec, int kind, const char *state, pid_t in_container,
	      bool warn_only);
const char *hooks_name(int kind);

/* ---- console_socket.c ---- */

/* Send the pty master to the unix socket at path, as runc does (one
 * SCM_RIGHTS fd, the payload its name).  0 or -errno. */
int console_socket_send(const char *path, int master);

#endif
