/* The options `create` and `run` share (runc's spelling), parsed once. */
#include "cli.h"
#include "lifecycle.h"

#include <getopt.h>
#include <string.h>

int launch_opts_parse(int argc, char **argv, const char *cmd, bool with_detach,
		      struct launch_opts *o)
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
	*o = (struct launch_opts){ .bundle = "." };
	optind = 1;
	while ((opt = getopt_long(argc, argv, with_detach ? "+b:d" : "+b:", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': o->bundle = optarg; break;
		case 'd':
			if (!with_detach)
				return cli_fail("%s: unknown option --detach", cmd);
			o->detach = true;
			break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'P': case 'K': break; /* burrow always pivots and makes no keyring */
		case 'F':
			if (strcmp(optarg, "0") != 0)
				return cli_fail("%s: --preserve-fds is not supported", cmd);
			break;
		default: return 1;
		}
	}
	return one_id(argc, argv, cmd, &o->id);
}
