/* burrow: the OCI runtime command line (runc's).  main.c parses the global
 * options and dispatches to one file per subcommand; launch.c starts a
 * container (gofer + sentry) for run and create; state.c keeps <root>/<id>. */
#ifndef BURROW_CLI_H
#define BURROW_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"

struct cli_globals {
	const char *root;            /* --root (default /run/burrow) */
	const char *log;             /* --log FILE */
	const char *log_format;      /* text | json */
	bool debug;
	bool proxy;                  /* --file-access proxy (default) | direct */
	bool overlay;
	uint64_t overlay_size;
	const char *overlay_size_arg;
	const char *network;         /* sandbox (default) | none | host */
	bool disable_seccomp;
	bool systemd_cgroup;         /* accepted for runc compatibility */
};

/* Subcommands: argv[0] is the subcommand's name.  Exit status. */
int cmd_spec(const struct cli_globals *g, int argc, char **argv);
int cmd_run(const struct cli_globals *g, int argc, char **argv);

/* Print "burrow: <msg>" on stderr (and to the --log file); returns 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- state.c: <root>/<id> ---- */

/* runc's rule: [A-Za-z0-9_+.-]+, not "." or "..", at most 1024 bytes. */
bool state_id_valid(const char *id);
/* <root>/<id> into buf. */
int state_dir(const struct cli_globals *g, const char *id, char *buf, size_t len);
/* Make <root> and <root>/<id>; -EEXIST when the container exists. */
int state_create(const struct cli_globals *g, const char *id, char *dir, size_t len);
/* Remove <root>/<id> and what burrow put there. */
int state_remove(const char *dir);

struct state_info {
	const char *id, *bundle, *rootfs, *status;
	pid_t pid;                   /* the sentry (the pid file's pid) */
	pid_t app_pid;               /* the app's init (host pid) */
	pid_t control_pid;           /* the sandbox's control server */
	const pid_t *gofer_pids;
	size_t n_gofers;
	const char *cgroup;
	bool proxy, overlay;
};
/* Write <dir>/state.json atomically. */
int state_write(const char *dir, const struct state_info *s);
/* Write a pid file atomically (runc writes the number without newline). */
int state_write_pid_file(const char *path, pid_t pid);

/* ---- launch.c: start a container up to "created" ---- */

struct launch {
	char bundle[4096];
	char rootfs[4096];           /* realpath of root.path */
	char state_dir[4096];
	const char *id;
	struct oci_spec spec;
	pid_t sentry;
	pid_t gofers[2];
	size_t n_gofers;
	pid_t app;                   /* host pid of the app's init */
	pid_t control;               /* the sentry's control server (0: unknown) */
	int controller;              /* our end of the controller socket */
	int console;                 /* pty master (process.terminal), or -1 */
	bool spec_loaded;
};

/* Everything up to the app's init held before execve.  On failure all
 * started processes are gone, the state dir removed; error printed.
 * detach: no terminal without a console socket. */
int launch_create(const struct cli_globals *g, const char *bundle, const char *id,
		  bool detach, struct launch *l);
/* Release the app; the state says "running". */
int launch_start(const struct cli_globals *g, struct launch *l);
/* After the sentry is gone: reap the gofers, remove cgroup and state. */
void launch_cleanup(struct launch *l);
/* Detached: let go of it (fds, memory); processes and state stay. */
void launch_release(struct launch *l);
/* Kill and reap whatever was started, then clean up; launch_abort also
 * shows the gofer's log (for a failed start), launch_kill does not. */
void launch_abort(struct launch *l);
void launch_kill(struct launch *l);

/* ---- launch_opts.c: the options create and run share ---- */

struct launch_opts {
	const char *bundle, *pid_file, *console_socket, *id;
	bool detach;
};
/* Parse create's or run's command line (--detach only when with_detach). */
int launch_opts_parse(int argc, char **argv, const char *cmd, bool with_detach,
		      struct launch_opts *o);

/* ---- launch_hooks.c: hooks while launching (create, run) ---- */

/* config.json as JSON (for its annotations); an empty object if unreadable. */
json_t *launch_read_config(const char *bundle);
/* The OCI state a hook reads on stdin (malloc'd), or NULL. */
char *launch_hook_state(const struct launch *l, json_t *config, const char *status);
/* prestart, createRuntime, createContainer: 0, or 1 with the error printed. */
int launch_create_hooks(const struct launch *l, json_t *config);
/* The hooks of one kind with the state in `status` (hooks_run's rules). */
int launch_hooks_of(const struct launch *l, json_t *config, int kind, const char *status,
		    pid_t in_container, bool warn_only);

/* ---- relay.c: run in the foreground ---- */

/* Block the signals the relay takes (before anything is started, so none
 * is lost); the children unblock them. */
int relay_block_signals(void);

/* Forward signals to the sentry, relay the pty when there is one, and
 * return the sentry's exit status (signal N -> 128+N). */
int relay_until_exit(struct launch *l);

/* ---- locate.c ---- */

/* The path of a sibling program (burrow-sentry, burrow-gofer): next to
 * this executable, in its sentry/ subdirectory (the build tree), or $PATH.
 * $BURROW_SENTRY / $BURROW_GOFER override. */
int locate_program(const char *name, const char *env, char *out, size_t len);

#endif
