/* burrow-sentry boot: the command line `burrow` runs.
 *
 *   burrow-sentry boot --bundle DIR --id ID --state-dir DIR
 *       [--controller-fd N] [--io-fds A,B,...] [--file-access proxy|direct]
 *       [--overlay] [--overlay-size BYTES] [--network sandbox|none|host]
 *       [--disable-seccomp] [--log FILE] [--log-format text|json] [--debug]
 *
 * --io-fds: one connected socket per served mount (boot_served_mounts). */
#include "boot.h"
#include "log.h"
#include "msg.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct boot_args {
	const char *bundle, *id, *state_dir, *io_fds, *log, *log_format;
	bool debug;
};

enum {
	OPT_BUNDLE = 1, OPT_ID, OPT_STATE_DIR, OPT_CONTROLLER, OPT_IO_FDS, OPT_FILE_ACCESS,
	OPT_OVERLAY, OPT_OVERLAY_SIZE, OPT_NETWORK, OPT_NO_SECCOMP, OPT_LOG, OPT_LOG_FORMAT,
	OPT_DEBUG, OPT_HELP,
};

static const struct option boot_opts[] = {
	{ "bundle", required_argument, NULL, OPT_BUNDLE },
	{ "id", required_argument, NULL, OPT_ID },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "controller-fd", required_argument, NULL, OPT_CONTROLLER },
	{ "io-fds", required_argument, NULL, OPT_IO_FDS },
	{ "file-access", required_argument, NULL, OPT_FILE_ACCESS },
	{ "overlay", no_argument, NULL, OPT_OVERLAY },
	{ "overlay-size", required_argument, NULL, OPT_OVERLAY_SIZE },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "disable-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void boot_usage(FILE *out)
{
	fputs("Usage: burrow-sentry boot --bundle DIR --id ID --state-dir DIR [options]\n"
	      "Run the sandbox of an OCI bundle; started by burrow(8), see burrow-sentry(8).\n"
	      "  --controller-fd N        talk to burrow here (else start at once)\n"
	      "  --io-fds A,B,...         gofer connections: the root, then directory binds\n"
	      "  --file-access MODE       proxy (default) or direct\n"
	      "  --overlay                writes go to a tmpfs overlay inside the sandbox\n"
	      "  --overlay-size BYTES     size of that tmpfs (default 256m)\n"
	      "  --network MODE           sandbox (the spec's), none or host\n"
	      "  --disable-seccomp        the sentry does not confine itself (debugging only)\n"
	      "  --log FILE  --log-format text|json  --debug\n", out);
}

static int parse_fd(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_opt(int opt, const char *arg, struct boot_config *cfg, struct boot_args *a)
{
	switch (opt) {
	case OPT_BUNDLE: a->bundle = arg; return 0;
	case OPT_ID: a->id = arg; return 0;
	case OPT_STATE_DIR: a->state_dir = arg; return 0;
	case OPT_CONTROLLER: return parse_fd(arg, &cfg->controller_fd);
	case OPT_IO_FDS: a->io_fds = arg; return 0;
	case OPT_FILE_ACCESS:
		if (strcmp(arg, "proxy") && strcmp(arg, "direct"))
			return -EINVAL;
		cfg->proxy = strcmp(arg, "proxy") == 0;
		return 0;
	case OPT_OVERLAY: cfg->overlay = true; return 0;
	case OPT_OVERLAY_SIZE: return boot_parse_size(arg, &cfg->overlay_size);
	case OPT_NETWORK:
		if (!strcmp(arg, "sandbox"))
			cfg->network = BOOT_NET_SANDBOX;
		else if (!strcmp(arg, "none"))
			cfg->network = BOOT_NET_NONE;
		else if (!strcmp(arg, "host"))
			cfg->network = BOOT_NET_HOST;
		else
			return -EINVAL;
		return 0;
	case OPT_NO_SECCOMP: cfg->disable_seccomp = true; return 0;
	case OPT_LOG: a->log = arg; return 0;
	case OPT_LOG_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return -EINVAL;
		a->log_format = arg;
		return 0;
	case OPT_DEBUG: a->debug = true; return 0;
	default: return -EINVAL;
	}
}

/* Hand each connection fd to its served mount, in order. */
static int assign_io_fds(struct boot_config *cfg, const char *list)
{
	char buf[1024];
	size_t k = 0;
	if (!list || !*list)
		return cfg->n_conns ? boot_errorf(-EINVAL, "--io-fds: %zu connections needed",
						  cfg->n_conns) : 0;
	if (strlen(list) >= sizeof buf)
		return boot_errorf(-E2BIG, "--io-fds: too long");
	strcpy(buf, list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int fd;
		if (parse_fd(t, &fd) < 0 || fd < 3)
			return boot_errorf(-EINVAL, "--io-fds: bad fd \"%s\"", t);
		if (k == cfg->n_conns)
			return boot_errorf(-EINVAL, "--io-fds: more fds than served mounts (%zu)",
					   cfg->n_conns);
		cfg->conns[k++].fd = fd;
	}
	if (k != cfg->n_conns)
		return boot_errorf(-EINVAL, "--io-fds: %zu fds for %zu served mounts", k, cfg->n_conns);
	return 0;
}

static int load(struct boot_config *cfg, const struct boot_args *a)
{
	char path[PATH_MAX], err[1024];
	if (!a->bundle || !a->id || !a->state_dir)
		return boot_errorf(-EINVAL, "--bundle, --id and --state-dir are required");
	if (a->bundle[0] != '/' || a->state_dir[0] != '/')
		return boot_errorf(-EINVAL, "--bundle and --state-dir must be absolute");
	snprintf(path, sizeof path, "%s/config.json", a->bundle);
	int r = oci_spec_load(path, &cfg->spec, err, sizeof err);
	if (r < 0)
		return boot_errorf(0, "%s", err);
	const struct oci_namespace *mnt = oci_spec_namespace(&cfg->spec, CLONE_NEWNS);
	if (!mnt || mnt->path)
		return boot_errorf(-EINVAL, "config.json: linux.namespaces: burrow needs a new "
				   "mount namespace (type \"mount\" without a path)");
	const char *root = cfg->spec.root_path;
	snprintf(path, sizeof path, "%s%s%s", root[0] == '/' ? "" : a->bundle,
		 root[0] == '/' ? "" : "/", root);
	if (!realpath(path, cfg->rootfs))
		return boot_errorf(-errno, "config.json: root.path: %s", root);
	struct stat st;
	if (stat(cfg->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return boot_errorf(-ENOTDIR, "config.json: root.path: %s is not a directory", root);
	cfg->id = a->id;
	cfg->bundle = a->bundle;
	cfg->state_dir = a->state_dir;
	if ((r = boot_served_mounts(&cfg->spec, cfg->bundle, &cfg->conns, &cfg->n_conns)) < 0)
		return boot_errorf(r, "served mounts");
	return cfg->proxy ? assign_io_fds(cfg, a->io_fds) : 0;
}

int sentry_boot_main(int argc, char **argv)
{
	static struct boot_config cfg = { .controller_fd = -1, .proxy = true,
					  .overlay_size = 256ull << 20 };
	struct boot_args a = { 0 };
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", boot_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			boot_usage(stdout);
			return 0;
		}
		if (parse_opt(opt, optarg, &cfg, &a) < 0) {
			fprintf(stderr, "burrow-sentry boot: bad option %s%s\n", argv[optind - 1],
				optarg ? "" : "");
			boot_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		boot_usage(stderr);
		return 2;
	}
	int r = log_init("burrow-sentry", a.log, a.log_format && !strcmp(a.log_format, "json"),
			 a.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (r < 0) {
		fprintf(stderr, "burrow-sentry boot: --log %s: %s\n", a.log, strerror(-r));
		return 1;
	}
	cfg.debug = a.debug;
	cfg.log_to_file = a.log && *a.log;
	if (load(&cfg, &a) < 0) {
		char text[1100];
		snprintf(text, sizeof text, "error %s", boot_error_text());
		/* burrow prints what it is told; the log gets it when apart */
		if (cfg.controller_fd < 0 || msg_send(cfg.controller_fd, text, -1) < 0 ||
		    cfg.log_to_file)
			log_error("%s", boot_error_text());
		return 1;
	}
	int status = boot_sandbox(&cfg);
	/* FUSE workers may still be running: leave without atexit handlers;
	 * the mount namespace and its mounts go with us. */
	_exit(status);
}
