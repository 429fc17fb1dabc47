/* burrow-gofer's command line. */
#ifndef BURROW_GOFER_CLI_H
#define BURROW_GOFER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gofer.h"

#define CLI_MAX_EXPORTS 64

struct cli_opts {
	struct gofer_config cfg;
	const char *exports[CLI_MAX_EXPORTS];
	size_t n_exports;
	const char *listen;            /* --listen ADDR, or NULL with --io-fds */
	int io_fds[CLI_MAX_EXPORTS];
	size_t n_io_fds;
	bool allow_remote;
	bool no_confine;
	const char *log_file;
	bool help, version;
};

/* Parse argv ("serve" first).  0, or -EINVAL after printing why. */
int cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_usage(FILE *out);

#endif
