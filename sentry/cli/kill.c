/* burrow kill [--all] ID [SIGNAL]: signal the app (or, with --all, every
 * process of the container) through the control server.  SIGNAL is a
 * name or number; SIGTERM by default. */
#include "lifecycle.h"
#include "control/client.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int cmd_kill(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (opt != 'a')
			return 1;
		all = true;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_fail("kill: expected a container id and an optional signal");
	const char *id = argv[optind], *name = argc - optind == 2 ? argv[optind + 1] : "SIGTERM";
	struct container c;
	if (container_open(g, id, false, &c))
		return 1;
	int sig = signal_parse(name), r = 0;
	if (sig < 0)
		r = cli_fail("unknown signal \"%s\"", name);
	else if (!strcmp(c.status, "stopped"))
		r = cli_fail("container not running");
	if (r) {
		container_close(&c);
		return r;
	}
	struct control_reply rep;
	int e = control_call_once(id, CONTROL_M_SIGNAL,
				  json_pack("{s:i, s:b}", "signal", sig, "all", all), &rep);
	if (e == 0)
		control_reply_free(&rep);
	else if (e == -EREMOTEIO)
		r = cli_fail("%s", rep.error);
	else if (kill(c.sentry, sig) < 0)
		/* No control server: the sentry passes signals on (or dies of KILL). */
		r = cli_fail("kill %s: %s", id, strerror(errno));
	container_close(&c);
	return r;
}
