/* burrow create [--bundle DIR] [--pid-file FILE] [--console-socket PATH] ID
 *
 * Everything up to the app's init held before execve, the hooks of that
 * phase, then burrow leaves: the sentry (the pid file's pid) stays with
 * the stdio burrow was given and exits with the app's status later;
 * `burrow start` releases the app through the control server. */
#include "lifecycle.h"
#include "boot/msg.h"
#include "control/statefile.h"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* What burrow keeps beside launch's state: for liveness checks (start
 * times), `state` (owner, annotations: consumed) and delete (the gofers). */
static json_t *extra_state(const struct launch *l, json_t *annotations)
{
	json_t *starts = json_array();
	for (size_t i = 0; starts && i < l->n_gofers; i++)
		json_array_append_new(starts, json_integer((json_int_t)pid_start_time(l->gofers[i])));
	return json_pack("{s:i, s:o, s:I, s:I, s:I, s:o}", "owner_uid", (int)getuid(), "annotations",
			 annotations, "sentry_start", (json_int_t)pid_start_time(l->sentry),
			 "app_start", (json_int_t)pid_start_time(l->app), "control_start",
			 (json_int_t)pid_start_time(l->control), "gofer_starts", starts);
}

/* runc's rule: a console socket exactly when there is a terminal. */
static int check_terminal(const struct launch_opts *o, json_t *config)
{
	bool terminal = json_is_true(json_object_get(json_object_get(config, "process"),
						     "terminal"));
	if (o->console_socket && !terminal)
		return cli_fail("create: --console-socket needs process.terminal (a console "
				"socket without a terminal is not used)");
	return 0;
}

static int finish(struct launch *l, const struct launch_opts *o, json_t *config)
{
	int r;
	if (launch_create_hooks(l, config))
		return 1;
	if (l->spec.process.terminal && l->console < 0)
		return cli_fail("create: the sandbox sent no pty for process.terminal");
	if (l->spec.process.terminal &&
	    (r = console_socket_send(o->console_socket, l->console)) < 0)
		return cli_fail("create: --console-socket %s: %s", o->console_socket, strerror(-r));
	if (o->pid_file && (r = state_write_pid_file(o->pid_file, l->sentry)) < 0)
		return cli_fail("create: --pid-file %s: %s", o->pid_file, strerror(-r));
	json_t *ann = json_object_get(config, "annotations");
	json_t *extra = extra_state(l, json_is_object(ann) ? json_incref(ann) : json_object());
	r = extra ? statefile_update(l->state_dir, extra, true) : -ENOMEM;
	json_decref(extra);
	if (r < 0)
		return cli_fail("create: record the state of %s: %s", l->id, strerror(-r));
	/* Now the sentry may outlive us. */
	if ((r = msg_send(l->controller, "detach", -1)) < 0)
		return cli_fail("create: the sandbox went away: %s", strerror(-r));
	return 0;
}

int cmd_create(const struct cli_globals *g, int argc, char **argv)
{
	struct launch_opts o;
	if (launch_opts_parse(argc, argv, "create", false, &o))
		return 1;
	json_t *config = launch_read_config(o.bundle);
	if (check_terminal(&o, config)) {
		json_decref(config);
		return 1;
	}
	struct launch l;
	if (launch_create(g, o.bundle, o.id, !o.console_socket, &l)) {
		json_decref(config);
		return 1;
	}
	int r = finish(&l, &o, config);
	json_decref(config);
	if (r) {
		launch_kill(&l); /* these failures are not the gofer's */
		if (o.pid_file)
			unlink(o.pid_file);
		return 1;
	}
	log_debug("created %s: sentry %d, app %d", o.id, (int)l.sentry, (int)l.app);
	launch_release(&l);
	return 0;
}
