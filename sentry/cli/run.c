/* burrow run [--bundle DIR] [--detach] [--pid-file FILE] ID */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_opts {
	const char *bundle, *pid_file, *id;
	bool detach;
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:d", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': o->bundle = optarg; break;
		case 'd': o->detach = true; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': return cli_fail("run: --console-socket is not supported yet");
		case 'P': case 'K': break; /* burrow always pivots; no keyring is made */
		case 'F':
			if (strcmp(optarg, "0") != 0)
				return cli_fail("run: --preserve-fds is not supported");
			break;
		default: return 1;
		}
	}
	if (argc - optind != 1)
		return cli_fail("run: expected exactly one container id");
	o->id = argv[optind];
	return 0;
}

int cmd_run(const struct cli_globals *g, int argc, char **argv)
{
	struct run_opts o = { .bundle = "." };
	if (parse(argc, argv, &o))
		return 1;
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
