#include "cli.h"
#include "addr.h"
#include "p9/p9.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_EXPORT = 256, OPT_LISTEN, OPT_IO_FDS, OPT_RO, OPT_SQUASH, OPT_MULTI, OPT_MSIZE,
	OPT_MAX_FIDS, OPT_MAX_CONNS, OPT_WORKERS, OPT_SPIN_US, OPT_PASS_FDS, OPT_NO_CONFINE, OPT_LOG, OPT_DEBUG,
	OPT_XATTR_NS, OPT_ALLOW_REMOTE, OPT_HELP, OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "io-fds", required_argument, NULL, OPT_IO_FDS },
	{ "ro", no_argument, NULL, OPT_RO },
	{ "squash", required_argument, NULL, OPT_SQUASH },
	{ "multi-user", no_argument, NULL, OPT_MULTI },
	{ "msize", required_argument, NULL, OPT_MSIZE },
	{ "max-fids", required_argument, NULL, OPT_MAX_FIDS },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "spin-us", required_argument, NULL, OPT_SPIN_US },
	{ "pass-fds", no_argument, NULL, OPT_PASS_FDS },
	{ "no-confine", no_argument, NULL, OPT_NO_CONFINE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "allow-xattr-ns", required_argument, NULL, OPT_XATTR_NS },
	{ "allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *out)
{
	fputs("Usage: burrow-gofer serve --export DIR --listen ADDR [options]\n"
	      "       burrow-gofer serve --export DIR [--export DIR ...] --io-fds FD[,FD...] [options]\n"
	      "\n"
	      "Serve DIR over 9P2000.L.  ADDR is unix:PATH, tcp:HOST:PORT or fd:N.\n"
	      "\n"
	      "  --export DIR            directory to export (once per --io-fds fd)\n"
	      "  --listen ADDR           where to accept clients\n"
	      "  --io-fds A,B,...        serve these connected sockets, one per --export\n"
	      "  --ro                    read-only export: mutations answer EROFS\n"
	      "  --squash UID:GID        every operation as this uid and gid\n"
	      "  --multi-user            every operation as the attaching user (n_uname)\n"
	      "  --msize N               largest message, 4096..4194304 (default 1048576)\n"
	      "  --max-fids N            fids per connection (default 65536)\n"
	      "  --max-conns N           simultaneous connections (default 256)\n"
	      "  --workers N             worker threads (default: 2 per CPU, 4..64)\n"
	      "  --spin-us N             after answering a loop's only client, watch its\n"
	      "                          socket N us before sleeping (default 50, 0: never)\n"
	      "  --pass-fds              hand clients that ask (unix sockets) the host fd\n"
	      "                          of each regular file they open (always on with\n"
	      "                          --io-fds)\n"
	      "  --allow-xattr-ns LIST   also serve these xattr namespaces: trusted,security\n"
	      "  --allow-remote          allow a TCP address that is not loopback\n"
	      "  --no-confine            do not confine the server (debugging only)\n"
	      "  --log FILE              log here instead of stderr\n"
	      "  --debug                 log one line per 9P message\n"
	      "  --help, --version\n", out);
}

static int parse_u32(const char *s, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || *s == '-' || v < min || v > max) {
		fprintf(stderr, "burrow-gofer: %s: '%s' is not a number in %u..%u\n", what, s, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_squash(const char *s, struct gofer_config *cfg)
{
	const char *colon = strchr(s, ':');
	char uid[16];
	uint32_t u, g;
	if (!colon || (size_t)(colon - s) >= sizeof uid) {
		fprintf(stderr, "burrow-gofer: --squash wants UID:GID, got '%s'\n", s);
		return -EINVAL;
	}
	memcpy(uid, s, (size_t)(colon - s));
	uid[colon - s] = '\0';
	if (parse_u32(uid, "--squash uid", 0, UINT32_MAX - 1, &u) < 0 ||
	    parse_u32(colon + 1, "--squash gid", 0, UINT32_MAX - 1, &g) < 0)
		return -EINVAL;
	cfg->ident = IDENT_SQUASH;
	cfg->squash_uid = u;
	cfg->squash_gid = g;
	return 0;
}

static int parse_fds(char *s, struct cli_opts *o)
{
	for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t fd;
		if (o->n_io_fds == CLI_MAX_EXPORTS) {
			fprintf(stderr, "burrow-gofer: at most %d --io-fds\n", CLI_MAX_EXPORTS);
			return -EINVAL;
		}
		if (parse_u32(tok, "--io-fds", 0, INT_MAX, &fd) < 0)
			return -EINVAL;
		o->io_fds[o->n_io_fds++] = (int)fd;
	}
	return 0;
}

static int parse_xattr_ns(char *s, struct gofer_config *cfg)
{
	for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "trusted") == 0) {
			cfg->xattr_trusted = true;
		} else if (strcmp(tok, "security") == 0) {
			cfg->xattr_security = true;
		} else {
			fprintf(stderr, "burrow-gofer: --allow-xattr-ns: unknown namespace '%s'\n", tok);
			return -EINVAL;
		}
	}
	return 0;
}

static unsigned default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) * 2;
	return n < 4 ? 4 : n > 64 ? 64 : (unsigned)n;
}

static int parse_one(int opt, char *arg, struct cli_opts *o)
{
	struct gofer_config *cfg = &o->cfg;
	switch (opt) {
	case OPT_EXPORT:
		if (o->n_exports == CLI_MAX_EXPORTS) {
			fprintf(stderr, "burrow-gofer: at most %d exports\n", CLI_MAX_EXPORTS);
			return -EINVAL;
		}
		o->exports[o->n_exports++] = arg;
		return 0;
	case OPT_LISTEN: o->listen = arg; return 0;
	case OPT_IO_FDS: return parse_fds(arg, o);
	case OPT_RO: cfg->ro = true; return 0;
	case OPT_SQUASH: return parse_squash(arg, cfg);
	case OPT_MULTI: cfg->ident = IDENT_MULTI; return 0;
	case OPT_MSIZE: return parse_u32(arg, "--msize", P9_MIN_MSIZE, P9_MAX_MSIZE, &cfg->msize);
	case OPT_MAX_FIDS: return parse_u32(arg, "--max-fids", 1, 1u << 24, &cfg->max_fids);
	case OPT_MAX_CONNS: return parse_u32(arg, "--max-conns", 1, 1u << 16, &cfg->max_conns);
	case OPT_WORKERS: return parse_u32(arg, "--workers", 1, 1024, &cfg->workers);
	case OPT_SPIN_US: return parse_u32(arg, "--spin-us", 0, 1000, &cfg->spin_us);
	case OPT_PASS_FDS: cfg->pass_fds = true; return 0;
	case OPT_NO_CONFINE: o->no_confine = true; return 0;
	case OPT_LOG: o->log_file = arg; return 0;
	case OPT_DEBUG: cfg->debug = true; return 0;
	case OPT_XATTR_NS: return parse_xattr_ns(arg, cfg);
	case OPT_ALLOW_REMOTE: o->allow_remote = true; return 0;
	case OPT_HELP: o->help = true; return 0;
	case OPT_VERSION: o->version = true; return 0;
	default: return -EINVAL;
	}
}

static int check(struct cli_opts *o, int squash_seen)
{
	if (!!o->listen == !!o->n_io_fds) {
		fputs("burrow-gofer: give exactly one of --listen and --io-fds\n", stderr);
		return -EINVAL;
	}
	if (o->listen && o->n_exports != 1) {
		fputs("burrow-gofer: --listen serves exactly one --export\n", stderr);
		return -EINVAL;
	}
	if (o->n_io_fds && o->n_exports != o->n_io_fds) {
		fputs("burrow-gofer: --io-fds needs one --export per fd\n", stderr);
		return -EINVAL;
	}
	if (squash_seen && o->cfg.ident == IDENT_MULTI) {
		fputs("burrow-gofer: --squash and --multi-user exclude each other\n", stderr);
		return -EINVAL;
	}
	if (o->listen && strncmp(o->listen, "tcp:", 4) == 0 && !addr_is_tcp_loopback(o->listen) &&
	    !o->allow_remote) {
		fprintf(stderr, "burrow-gofer: %s is not loopback: add --allow-remote to serve it\n",
			o->listen);
		return -EINVAL;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->cfg.msize = GOFER_DEFAULT_MSIZE;
	o->cfg.max_fids = GOFER_DEFAULT_MAX_FIDS;
	o->cfg.max_conns = GOFER_DEFAULT_MAX_CONNS;
	o->cfg.workers = default_workers();
	o->cfg.spin_us = GOFER_DEFAULT_SPIN_US;
	o->cfg.proc_fd = -1;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		first = 2;
	optind = first;
	int opt, squash_seen = 0;
	bool multi_seen = false;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt == '?' || parse_one(opt, optarg, o) < 0)
			return -EINVAL;
		squash_seen |= opt == OPT_SQUASH;
		multi_seen |= opt == OPT_MULTI;
	}
	if (o->help || o->version)
		return 0;
	if (first == 1) {
		fputs("burrow-gofer: expected the command 'serve' (see --help)\n", stderr);
		return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "burrow-gofer: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (squash_seen && multi_seen)
		o->cfg.ident = IDENT_MULTI;    /* reported by check() */
	/* paired with a sandbox: its sentry is the only client */
	if (o->n_io_fds)
		o->cfg.pass_fds = true;
	return check(o, squash_seen);
}
