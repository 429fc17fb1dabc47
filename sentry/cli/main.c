/* burrow: global options and subcommand dispatch. */
#include "boot/boot.h"
#include "cli.h"
#include "lifecycle.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void usage(FILE *out)
{
	fputs("Usage: burrow [global options] COMMAND [options] [ID]\n"
	      "\n"
	      "An OCI runtime: the app's files come from a confined 9P file server\n"
	      "(burrow-gofer) through burrow-sentry's FUSE client.\n"
	      "\n"
	      "Commands:\n"
	      "  run [--bundle DIR] [--detach] [--pid-file FILE] ID\n"
	      "                      create and start a container, wait for it\n"
	      "  spec [--bundle DIR] write a default config.json\n"
	      "  create [--bundle DIR] [--pid-file F] [--console-socket S] ID\n"
	      "                      set a container up, its app held until start\n"
	      "  start ID            release a created container's app\n"
	      "  state ID            its OCI state (JSON)\n"
	      "  kill [--all] ID [SIGNAL]  signal the app (or every process)\n"
	      "  delete [--force] ID remove a stopped container (--force: any)\n"
	      "  list [-q] [--format table|json]\n"
	      "  exec [options] ID COMMAND...  run a process in a container\n"
	      "  ps [--format table|json] ID   its processes\n"
	      "  events [--stats] [--interval D] ID  cgroup stats (JSON lines)\n"
	      "  wait ID             wait for the app's exit status\n"
	      "\n"
	      "Global options:\n"
	      "  --root DIR              state directory (default /run/burrow)\n"
	      "  --log FILE              log here instead of stderr\n"
	      "  --log-format text|json  log line format (json: runc's)\n"
	      "  --debug                 log debug messages\n"
	      "  --file-access MODE      proxy (default: files through the gofer) or direct\n"
	      "  --overlay               writes go to a tmpfs inside the sandbox\n"
	      "  --overlay-size SIZE     its size (default 256m)\n"
	      "  --network MODE          sandbox (the spec's, default), none, host\n"
	      "  --disable-seccomp       no seccomp filter on the sentry (debugging only)\n"
	      "  --help, --version\n"
	      "See burrow(8).\n", out);
}

/* With --log FILE errors go there too; without, stderr has them once. */
static bool log_is_file;

int cli_fail(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "burrow: %s\n", msg);
	if (log_is_file)
		log_error("%s", msg);
	return 1;
}

enum {
	G_ROOT = 1, G_LOG, G_LOG_FORMAT, G_DEBUG, G_FILE_ACCESS, G_OVERLAY, G_OVERLAY_SIZE,
	G_NETWORK, G_NO_SECCOMP, G_SYSTEMD_CGROUP, G_HELP, G_VERSION,
};

static const struct option global_opts[] = {
	{ "root", required_argument, NULL, G_ROOT },
	{ "log", required_argument, NULL, G_LOG },
	{ "log-format", required_argument, NULL, G_LOG_FORMAT },
	{ "debug", no_argument, NULL, G_DEBUG },
	{ "file-access", required_argument, NULL, G_FILE_ACCESS },
	{ "overlay", no_argument, NULL, G_OVERLAY },
	{ "overlay-size", required_argument, NULL, G_OVERLAY_SIZE },
	{ "network", required_argument, NULL, G_NETWORK },
	{ "disable-seccomp", no_argument, NULL, G_NO_SECCOMP },
	{ "systemd-cgroup", no_argument, NULL, G_SYSTEMD_CGROUP },
	{ "help", no_argument, NULL, G_HELP },
	{ "version", no_argument, NULL, G_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int parse_global(int opt, const char *arg, struct cli_globals *g)
{
	switch (opt) {
	case G_ROOT:
		if (arg[0] != '/')
			return cli_fail("--root must be an absolute path");
		g->root = arg;
		return 0;
	case G_LOG: g->log = arg; return 0;
	case G_LOG_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return cli_fail("--log-format: text or json, not \"%s\"", arg);
		g->log_format = arg;
		return 0;
	case G_DEBUG: g->debug = true; return 0;
	case G_FILE_ACCESS:
		if (strcmp(arg, "proxy") && strcmp(arg, "direct"))
			return cli_fail("--file-access: proxy or direct, not \"%s\"", arg);
		g->proxy = strcmp(arg, "proxy") == 0;
		return 0;
	case G_OVERLAY: g->overlay = true; return 0;
	case G_OVERLAY_SIZE:
		if (boot_parse_size(arg, &g->overlay_size) < 0)
			return cli_fail("--overlay-size: not a size: \"%s\"", arg);
		g->overlay_size_arg = arg;
		return 0;
	case G_NETWORK:
		if (strcmp(arg, "sandbox") && strcmp(arg, "none") && strcmp(arg, "host"))
			return cli_fail("--network: sandbox, none or host, not \"%s\"", arg);
		g->network = arg;
		return 0;
	case G_NO_SECCOMP: g->disable_seccomp = true; return 0;
	case G_SYSTEMD_CGROUP: g->systemd_cgroup = true; return 0;
	default: return 1;
	}
}

static const struct {
	const char *name;
	int (*fn)(const struct cli_globals *, int, char **);
} commands[] = {
	{ "run", cmd_run },
	{ "spec", cmd_spec },
	{ "create", cmd_create },
	{ "start", cmd_start },
	{ "state", cmd_state },
	{ "kill", cmd_kill },
	{ "delete", cmd_delete },
	{ "list", cmd_list },
	{ "exec", cmd_exec },
	{ "ps", cmd_ps },
	{ "events", cmd_events },
	{ "wait", cmd_wait },
};

int main(int argc, char **argv)
{
	struct cli_globals g = { .root = "/run/burrow", .proxy = true, .network = "sandbox",
				 .overlay_size = 256ull << 20, .overlay_size_arg = "256m" };
	int opt;
	while ((opt = getopt_long(argc, argv, "+h", global_opts, NULL)) != -1) {
		if (opt == G_HELP || opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == G_VERSION) {
			printf("burrow version %s\nspec: 1.1.0\n", PACKAGE_VERSION);
			return 0;
		}
		if (opt == '?' || parse_global(opt, optarg, &g) != 0) {
			if (opt == '?')
				usage(stderr);
			return 1;
		}
	}
	int r = log_init("burrow", g.log, g.log_format && !strcmp(g.log_format, "json"),
			 g.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (r < 0) {
		fprintf(stderr, "burrow: --log %s: %s\n", g.log, strerror(-r));
		return 1;
	}
	log_is_file = g.log && *g.log;
	if (g.systemd_cgroup)
		log_debug("--systemd-cgroup: ignored (burrow manages cgroupfs paths itself)");
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].fn(&g, argc - optind, argv + optind);
	return cli_fail("unknown command \"%s\" (see burrow --help)", argv[optind]);
}
