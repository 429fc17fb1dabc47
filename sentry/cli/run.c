/* burrow run [--bundle DIR] [--detach] [--pid-file FILE] [--console-socket PATH] ID
 *
 * create + start in one process, hooks included (runc's order): prestart,
 * createRuntime and createContainer once the app's init is held,
 * startContainer (inside) before it is released, poststart after; in the
 * foreground, poststop once the app has exited (a detached container's
 * come with `burrow delete`). */
#include "cli.h"
#include "lifecycle.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --console-socket: the pty goes to its listener, not through us. */
static int send_console(struct launch *l, const char *path)
{
	if (l->console < 0)
		return cli_fail("run: the sandbox sent no pty for process.terminal");
	int r = console_socket_send(path, l->console);
	if (r < 0)
		return cli_fail("run: --console-socket %s: %s", path, strerror(-r));
	close(l->console);
	l->console = -1;
	return 0;
}

/* From the held app to the running one; 0, or 1 with the error printed
 * and everything started gone. */
static int start_with_hooks(const struct cli_globals *g, struct launch *l, json_t *config,
			    const struct launch_opts *o)
{
	int r = launch_create_hooks(l, config);
	if (!r && o->console_socket)
		r = send_console(l, o->console_socket);
	if (!r && o->pid_file && (r = state_write_pid_file(o->pid_file, l->sentry)) < 0)
		r = cli_fail("run: --pid-file %s: %s", o->pid_file, strerror(-r));
	if (!r)
		r = launch_hooks_of(l, config, OCI_HOOK_START_CONTAINER, "created", l->app, false);
	if (r) {
		launch_kill(l); /* the hook's or our failure, not the gofer's */
		return 1;
	}
	if (launch_start(g, l)) {
		launch_abort(l);
		return 1;
	}
	launch_hooks_of(l, config, OCI_HOOK_POSTSTART, "running", 0, true);
	return 0;
}

int cmd_run(const struct cli_globals *g, int argc, char **argv)
{
	struct launch_opts o;
	if (launch_opts_parse(argc, argv, "run", true, &o))
		return 1;
	if (!o.detach && relay_block_signals() < 0)
		return cli_fail("run: block signals: %s", strerror(errno));
	json_t *config = launch_read_config(o.bundle);
	if (o.console_socket && !json_is_true(json_object_get(json_object_get(config, "process"),
							     "terminal"))) {
		json_decref(config);
		return cli_fail("run: --console-socket needs process.terminal (a console "
				"socket without a terminal is not used)");
	}
	struct launch l;
	if (launch_create(g, o.bundle, o.id, o.detach && !o.console_socket, &l)) {
		json_decref(config);
		return 1;
	}
	if (start_with_hooks(g, &l, config, &o)) {
		if (o.pid_file)
			unlink(o.pid_file);
		json_decref(config);
		return 1;
	}
	if (o.detach) {
		launch_release(&l);
		json_decref(config);
		return 0;
	}
	int status = relay_until_exit(&l);
	launch_hooks_of(&l, config, OCI_HOOK_POSTSTOP, "stopped", 0, true);
	json_decref(config);
	launch_cleanup(&l);
	return status;
}
