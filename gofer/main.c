/* burrow-gofer: parse -> open log -> listen -> confine -> workers -> loop.
 * Nothing reads a client byte before the process is confined. */
#include "addr.h"
#include "cli.h"
#include "confine.h"
#include "log.h"
#include "qid.h"
#include "server.h"
#include "users.h"
#include "util.h"
#include "workers.h"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

static struct gofer_export exports[CLI_MAX_EXPORTS];

/* Every fid holds an fd: allow as many as the hard limit does. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int start_listening(const struct cli_opts *o)
{
	if (!o->listen) {
		for (size_t i = 0; i < o->n_io_fds; i++) {
			int rc = server_add_conn(o->io_fds[i], &exports[i]);
			if (rc < 0) {
				log_error("--io-fds %d: %s", o->io_fds[i], strerror(-rc));
				return rc;
			}
		}
		return 0;
	}
	bool connected;
	int fd = addr_listen(o->listen, &connected);
	if (fd < 0) {
		log_error("listen on %s: %s", o->listen, strerror(-fd));
		return fd;
	}
	int rc = connected ? server_add_conn(fd, &exports[0]) : server_add_listener(fd, &exports[0]);
	if (rc < 0)
		log_error("serve %s: %s", o->listen, strerror(-rc));
	return rc;
}

static int confine(struct cli_opts *o, bool accepting)
{
	bool ro[CLI_MAX_EXPORTS];
	int root_fds[CLI_MAX_EXPORTS];
	for (size_t i = 0; i < o->n_exports; i++)
		ro[i] = o->cfg.ro;
	struct confine_opts co = {
		.exports = o->exports,
		.n_exports = o->n_exports,
		.multi_user = o->cfg.ident != IDENT_SERVER,
		.allow_accept = accepting,
		.read_only = ro,
	};
	int rc;
	if (o->no_confine) {
		log_warn("--no-confine: serving WITHOUT confinement (debugging only)");
		rc = confine_open_exports(&co, root_fds);
	} else {
		rc = confine_self(&co, root_fds);
	}
	if (rc < 0) {
		log_error("confinement failed: %s", strerror(-rc));
		return rc;
	}
	o->cfg.proc_fd = confine_proc_self_fd();
	for (size_t i = 0; i < o->n_exports; i++) {
		struct stat st;
		if (fstat(root_fds[i], &st) < 0)
			return -errno;
		exports[i] = (struct gofer_export){
			.root_fd = root_fds[i], .host_path = o->exports[i],
			.root_dev = st.st_dev, .root_ino = st.st_ino,
		};
		qid_register_dev(st.st_dev);
	}
	return o->cfg.proc_fd < 0 ? o->cfg.proc_fd : 0;
}

static int serve(struct cli_opts *o)
{
	int rc = log_init("burrow-gofer", o->log_file, false, o->cfg.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (rc < 0) {
		fprintf(stderr, "burrow-gofer: --log %s: %s\n", o->log_file, strerror(-rc));
		return rc;
	}
	umask(0);              /* clients send modes with their umask applied */
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (o->cfg.ident == IDENT_MULTI && (rc = users_load()) < 0) {
		log_error("reading the user database: %s", strerror(-rc));
		return rc;
	}
	if ((rc = server_init(&o->cfg)) < 0)
		return rc;
	/* The export fds come from confinement; connections only reference
	 * exports[], filled in before the loop runs. */
	if ((rc = start_listening(o)) < 0)
		return rc;
	bool accepting = o->listen && strncmp(o->listen, "fd:", 3) != 0;
	if ((rc = confine(o, accepting)) < 0)
		return rc;
	if ((rc = workers_start(o->cfg.workers)) < 0) {
		log_error("starting %u workers: %s", o->cfg.workers, strerror(-rc));
		return rc;
	}
	log_info("serving %zu export(s)%s", o->n_exports, o->cfg.ro ? " read-only" : "");
	return server_run();
}

int main(int argc, char **argv)
{
	static struct cli_opts o;
	if (cli_parse(argc, argv, &o) < 0) {
		fputs("Try 'burrow-gofer --help'.\n", stderr);
		return 2;
	}
	if (o.help) {
		cli_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("burrow-gofer %s\n", PACKAGE_VERSION);
		return 0;
	}
	return serve(&o) < 0 ? 1 : 0;
}
