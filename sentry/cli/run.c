/* burrow run [--bundle DIR] [--detach] [--pid-file FILE] ID */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_run(const struct cli_globals *g, int argc, char **argv)
{
	struct launch_opts o;
	if (launch_opts_parse(argc, argv, "run", true, &o))
		return 1;
	if (o.console_socket)
		return cli_fail("run: --console-socket is not supported yet");
	struct launch l;
	if (!o.detach && relay_block_signals() < 0)
		return cli_fail("run: block signals: %s", strerror(errno));
	if (launch_create(g, o.bundle, o.id, o.detach, &l))
		return 1;
	if (o.pid_file) {
		int r = state_write_pid_file(o.pid_file, l.sentry);
		if (r < 0) {
			launch_abort(&l);
			return cli_fail("run: --pid-file %s: %s", o.pid_file, strerror(-r));
		}
	}
	if (launch_start(g, &l)) {
		launch_abort(&l);
		return 1;
	}
	if (o.detach) {
		launch_release(&l);
		return 0;
	}
	int status = relay_until_exit(&l);
	launch_cleanup(&l);
	return status;
}
