/* burrow-sentry: the sandbox.  For now one subcommand:
 *   burrow-sentry mount [-f] [-o OPTS] ADDR MOUNTPOINT
 * mounts any 9P2000.L server at MOUNTPOINT through FUSE. */
#include "addr.h"
#include "boot/boot.h"
#include "control/control.h"
#include "fs/fs.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "config.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: burrow-sentry mount [-f] [-d] [-o OPTIONS] ADDR MOUNTPOINT\n"
		"       burrow-sentry --help | --version\n"
		"\n"
		"Mount the 9P2000.L server at ADDR (unix:PATH, tcp:HOST:PORT, fd:N) on\n"
		"MOUNTPOINT through FUSE.  Stays in the background unless -f.\n"
		"\n"
		"  -f              stay in the foreground\n"
		"  -d              debug: log every FUSE request (implies -f)\n"
		"  -o OPTIONS      comma separated, repeatable:\n"
		"     ro|rw                 read-only or read-write (rw)\n"
		"     cache=exclusive|shared  exclusive (default): the export is this\n"
		"                           mount's alone (60 s caches, writeback);\n"
		"                           shared: changed from outside (1 s, no writeback)\n"
		"     msize=N               largest 9P message (default 1048600)\n"
		"     aname=A uname=U uid=N attach name, user name, user id\n"
		"     allow_other|noallow_other  (default: allow_other when root)\n"
		"     fsname=NAME           source shown in the mount table\n"
		"     max_threads=N         FUSE worker threads at most (32)\n"
		"     max_inodes=N          inodes (fids) held before old ones are dropped\n"
		"                           (half the hard fd limit; 0: no bound)\n"
		"     hostfds|nohostfds     ask a burrow-gofer --pass-fds for the host fds\n"
		"                           of opened files (default: no)\n"
		"     nosuid,nodev,noexec,noatime,... kernel mount flags\n"
		"See burrow-sentry(8).\n");
}

/* A forked child reports "mounted" (0) or its error (1) on a pipe; the
 * parent exits with it.  Returns the write end in the child, -errno. */
static int daemonize_begin(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid > 0) {
		close(p[1]);
		char st = 1;
		ssize_t n;
		do
			n = read(p[0], &st, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 && st == 0 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		log_warn("setsid: %m");
	return p[1];
}

static void daemonize_end(int fd, bool ok)
{
	if (fd < 0)
		return;
	char st = ok ? 0 : 1;
	if (write(fd, &st, 1) != 1)
		log_warn("cannot report to the parent: %m");
	close(fd);
	if (!ok)
		return;
	if (chdir("/") < 0)
		log_warn("chdir /: %m");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

/* Serve until the mount goes away or a signal asks us to unmount. */
static int serve(struct fs_mount *m, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = fs_mount_event_fd(m), .events = POLLIN },
	};
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll: %m");
			fs_mount_stop(m);
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
				log_info("signal %u: unmounting", si.ssi_signo);
			fs_mount_stop(m);
			break;
		}
		if (pfd[1].revents)
			break;
	}
	int r = fs_mount_wait(m);
	if (r == -EIO)
		log_error("the connection to the 9P server was lost");
	else if (r < 0)
		log_error("FUSE session failed: %s", strerror(-r));
	return r < 0 ? 1 : 0;
}

/* Connect, mount, report to the waiting parent, serve. Exit status. */
static int run_mount(const char *addr, const char *mp, const struct fs_opts *o, bool foreground)
{
	int report = foreground ? -1 : daemonize_begin();
	if (!foreground && report < 0) {
		log_error("cannot daemonize: %s", strerror(-report));
		return 1;
	}
	/* signals come through a signalfd; SIGPIPE never kills us: a dead
	 * server is reported by the 9P client as EIO */
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd __cleanup_close = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		log_error("signalfd: %m");
		daemonize_end(report, false);
		return 1;
	}
	int fd = addr_connect(addr);
	if (fd < 0) {
		log_error("cannot connect to %s: %s", addr, strerror(-fd));
		daemonize_end(report, false);
		return 1;
	}
	struct fs_mount *m;
	int r = fs_mount_start(fd, mp, o, &m);
	if (r < 0) {
		log_error("cannot mount %s: %s", mp, strerror(-r));
		daemonize_end(report, false);
		return 1;
	}
	daemonize_end(report, true);
	return serve(m, sfd);
}

static int cmd_mount(int argc, char **argv)
{
	struct fs_opts o;
	bool foreground = false;
	char *optbufs[64];
	size_t nopt = 0;
	int ret = -1;

	fs_opts_init(&o);
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while (ret < 0 && (c = getopt_long(argc, argv, "fdo:h", longopts, NULL)) != -1) {
		const char *bad;
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'd':
			foreground = true;
			o.debug = true;
			break;
		case 'o':
			if (nopt == ARRAY_SIZE(optbufs) || !(optbufs[nopt] = strdup(optarg))) {
				fprintf(stderr, "burrow-sentry mount: too many -o\n");
				ret = 2;
			} else if (fs_opts_parse(&o, optbufs[nopt++], &bad) < 0) {
				fprintf(stderr, "burrow-sentry mount: bad option '%s'\n",
					bad ? bad : optarg);
				ret = 2;
			}
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			break;
		default:
			usage(stderr);
			ret = 2;
		}
	}
	char mp[PATH_MAX];
	if (ret < 0 && argc - optind != 2) {
		usage(stderr);
		ret = 2;
	}
	if (ret < 0 && !realpath(argv[optind + 1], mp)) {
		fprintf(stderr, "burrow-sentry mount: %s: %m\n", argv[optind + 1]);
		ret = 1;
	}
	if (ret < 0) {
		log_init("burrow-sentry", NULL, false, o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
		ret = run_mount(argv[optind], mp, &o, foreground);
	}
	for (size_t k = 0; k < nopt; k++)
		free(optbufs[k]);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("burrow-sentry %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "mount"))
		return cmd_mount(argc - 1, argv + 1);
	if (!strcmp(cmd, "boot"))
		return sentry_boot_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "control"))
		return sentry_control_main(argc - 1, argv + 1);
	fprintf(stderr, "burrow-sentry: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
