/* The sentry's side of boot: staging, cgroup, clone of the app's init,
 * id maps, FUSE mounts of the gofer's connections, then the loop that
 * relays start, forwards signals, watches the gofer and reaps the app. */
#include "cgroup.h"
#include "control/control.h"
#include "sentry_confine.h"
#include "fs/fs.h"
#include "msg.h"
#include "namespaces.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals the sentry takes for the app. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
				 SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGPWR };

struct sandbox {
	struct boot_config *cfg;
	char staging[PATH_MAX];
	int sfd;                     /* signalfd */
	int sync_fd;
	pid_t app;
	int app_status;              /* wait status once reaped */
	bool reaped, started, ready;
	bool ns_ready;               /* the init's namespaces are made ("ns") */
	struct fs_mount **mounts;
	int *watch;                  /* dups of the gofer connections (hangup) */
	bool gofer_lost;
	bool killed;                 /* SIGKILL sent after the grace period */
	struct control_link ctl;     /* the control server (sentry/control) */
	bool detached;               /* burrow left after "created" (burrow create) */
};

/* After the gofer is lost the app sees EIO; it gets SIGTERM and this
 * long to finish before SIGKILL. */
#define GOFER_LOST_GRACE_MS 1000

static int block_signals(struct sandbox *sb)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sb->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sb->sfd < 0 ? -errno : 0;
}

/* <base>/<prefix><k> (k < 0: no number). */
static int mkdir_staging(const char *base, const char *prefix, ssize_t k)
{
	char path[PATH_MAX + 64];
	if (k < 0)
		snprintf(path, sizeof path, "%s/%s", base, prefix);
	else
		snprintf(path, sizeof path, "%s/%s%zd", base, prefix, k);
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* A private mount namespace and, in it, a small tmpfs for the FUSE
 * mounts (<k>), overlay mount points (merged<k>) and the overlay's tmpfs
 * (ovl).  The init's user namespace root may not own it: all made here. */
static int make_staging(struct sandbox *sb)
{
	struct boot_config *cfg = sb->cfg;
	if (unshare(CLONE_NEWNS) < 0)
		return boot_errorf(-errno, "unshare the sentry's mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return boot_errorf(-errno, "make / private");
	int n = snprintf(sb->staging, sizeof sb->staging, "%s/" BOOT_STAGING, cfg->state_dir);
	if (n < 0 || (size_t)n >= sizeof sb->staging)
		return boot_errorf(-ENAMETOOLONG, "staging dir");
	if (mkdir(sb->staging, 0755) < 0 && errno != EEXIST)
		return boot_errorf(-errno, "mkdir %s", sb->staging);
	if (mount("tmpfs", sb->staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=64k,mode=0755") < 0)
		return boot_errorf(-errno, "mount the staging tmpfs");
	int r = mkdir_staging(sb->staging, "ovl", -1);
	for (size_t k = 0; r == 0 && k < cfg->n_conns; k++) {
		r = mkdir_staging(sb->staging, "", (ssize_t)k);
		if (r == 0)
			r = mkdir_staging(sb->staging, "merged", (ssize_t)k);
	}
	return r < 0 ? boot_errorf(r, "make the staging dirs") : 0;
}

/* The app's init: a fork-like clone (no new stack) into new user and pid
 * namespaces as asked.  We are single-threaded here: no FUSE yet. */
static int spawn_init(struct sandbox *sb)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return boot_errorf(-errno, "socketpair");
	int r = ns_join_pid(sb->cfg);
	if (r < 0)
		return r;
	long pid = syscall(SYS_clone, (unsigned long)(ns_clone_flags(sb->cfg) | SIGCHLD), NULL,
			   NULL, NULL, 0);
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return boot_errorf(r, "clone the app's init");
	}
	if (pid == 0) {
		close(sv[0]);
		close(sb->sfd);
		struct boot_init_args a = { .cfg = sb->cfg, .sync_fd = sv[1],
					    .staging = sb->staging };
		boot_init(&a);
	}
	close(sv[1]);
	sb->sync_fd = sv[0];
	sb->app = (pid_t)pid;
	return 0;
}

static int mount_conns(struct sandbox *sb)
{
	struct boot_config *cfg = sb->cfg;
	sb->mounts = calloc(cfg->n_conns + 1, sizeof *sb->mounts);
	sb->watch = calloc(cfg->n_conns + 1, sizeof *sb->watch);
	if (!sb->mounts || !sb->watch)
		return -ENOMEM;
	for (size_t k = 0; k < cfg->n_conns; k++)
		sb->watch[k] = -1;
	if (!cfg->proxy)
		return 0;
	for (size_t k = 0; k < cfg->n_conns; k++) {
		char mp[PATH_MAX + 32];
		struct fs_opts o;
		fs_opts_init(&o);
		o.ro = cfg->conns[k].ro || cfg->overlay;
		o.fsname = "burrow";
		o.allow_other = true;
		o.hostfds = true;       /* our own gofer, paired: it offers them */
		snprintf(mp, sizeof mp, "%s/%zu", sb->staging, k);
		sb->watch[k] = fcntl(cfg->conns[k].fd, F_DUPFD_CLOEXEC, 3);
		if (sb->watch[k] < 0)
			return boot_errorf(-errno, "dup a gofer connection");
		int fd = cfg->conns[k].fd;
		cfg->conns[k].fd = -1;  /* fs_mount_start owns it now */
		int r = fs_mount_start(fd, mp, &o, &sb->mounts[k]);
		if (r < 0)
			return boot_errorf(r, "mount the gofer's connection %zu (%s)", k,
					   cfg->conns[k].mount_index < 0 ? "root" : "bind mount");
	}
	return 0;
}

static void reap(struct sandbox *sb)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == sb->app) {
			sb->app_status = st;
			sb->reaped = true;
		}
		if (p == sb->ctl.pid)
			sb->ctl.pid = -1;   /* its pid is free for reuse now */
	}
}

static void kill_app(struct sandbox *sb)
{
	if (!sb->reaped)
		kill(sb->app, SIGKILL);
}

/* To burrow; false when nobody listens. */
static bool report(struct sandbox *sb, const char *text, int fd)
{
	int cfd = sb->cfg->controller_fd;
	if (cfd >= 0 && msg_send(cfd, text, fd) == 0)
		return true;
	log_debug("controller gone; dropping \"%.20s\"", text);
	return false;
}

/* A message from the init: ns, console, ready, error. */
static int on_sync(struct sandbox *sb)
{
	char buf[MSG_MAX];
	int fd = -1;
	ssize_t n = msg_recv(sb->sync_fd, buf, sizeof buf, &fd);
	if (n <= 0) {
		close(sb->sync_fd);
		sb->sync_fd = -1;
		return sb->ready ? 0 : boot_errorf(-EPIPE, "the app's init died during setup");
	}
	const char *arg;
	int r = 0;
	if (msg_is(buf, "console", NULL) && fd >= 0)
		report(sb, "console", fd);
	else if (msg_is(buf, "ns", NULL))
		sb->ns_ready = true;
	else if (msg_is(buf, "ready", NULL))
		sb->ready = sb->ns_ready = true;
	else if (msg_is(buf, "error", &arg))
		r = boot_errorf(0, "%s", arg);
	else
		r = boot_errorf(-EPROTO, "unexpected message from the app's init");
	if (fd >= 0)
		close(fd);
	return r;
}

static int start_app(struct sandbox *sb)
{
	if (sb->started)
		return 0;
	sb->started = true;
	int r = msg_send(sb->sync_fd, "start", -1);
	return r < 0 ? boot_errorf(r, "release the app") : 0;
}

static int on_controller(struct sandbox *sb)
{
	char buf[MSG_MAX];
	ssize_t n = msg_recv(sb->cfg->controller_fd, buf, sizeof buf, NULL);
	if (n <= 0) {
		close(sb->cfg->controller_fd);
		sb->cfg->controller_fd = -1;
		if (!sb->started && !sb->detached) {
			kill_app(sb);
			return boot_errorf(-EPIPE, "burrow went away before starting the app");
		}
		return 0;
	}
	if (msg_is(buf, "start", NULL))
		return start_app(sb);
	/* burrow create is leaving; `burrow start` comes through the control server */
	if (msg_is(buf, "detach", NULL)) {
		sb->detached = true;
		return 0;
	}
	log_warn("controller: unknown request \"%.40s\"", buf);
	return 0;
}

static void on_signal(struct sandbox *sb)
{
	struct signalfd_siginfo si;
	while (read(sb->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			reap(sb);
		else if (!sb->reaped && kill(sb->app, (int)si.ssi_signo) < 0)
			log_debug("forward signal %u: %m", si.ssi_signo);
	}
}

static void on_gofer_lost(struct sandbox *sb, size_t k)
{
	close(sb->watch[k]);
	sb->watch[k] = -1;
	if (sb->gofer_lost)
		return;
	sb->gofer_lost = true;
	log_error("the gofer's connection %zu was lost: stopping the sandbox", k);
	if (!sb->reaped)
		kill(sb->app, SIGTERM);
}

/* Poll until the init is reaped; during setup (`until` set) only until
 * *until turns true. */
static int loop(struct sandbox *sb, const bool *until)
{
	struct boot_config *cfg = sb->cfg;
	bool setup_only = until != NULL;
	while (!sb->reaped && !(setup_only && *until)) {
		struct pollfd pfd[4 + 64];
		size_t n = 0, first_watch;
		pfd[n++] = (struct pollfd){ .fd = sb->sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sb->sync_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = setup_only ? -1 : cfg->controller_fd,
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = setup_only ? -1 : sb->ctl.fd, .events = POLLIN };
		first_watch = n;
		for (size_t k = 0; k < cfg->n_conns && n < ARRAY_SIZE(pfd); k++)
			pfd[n++] = (struct pollfd){ .fd = sb->watch[k], .events = POLLRDHUP };
		int timeout = sb->gofer_lost && !sb->killed ? GOFER_LOST_GRACE_MS : -1;
		int ready = poll(pfd, n, timeout);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return boot_errorf(-errno, "poll");
		}
		if (ready == 0 && sb->gofer_lost && !sb->killed) {
			sb->killed = true;
			kill_app(sb);
			continue;
		}
		int r = 0;
		if (pfd[0].revents)
			on_signal(sb);
		if (pfd[1].revents && sb->sync_fd >= 0)
			r = on_sync(sb);
		if (r == 0 && pfd[2].revents && cfg->controller_fd >= 0)
			r = on_controller(sb);
		if (r == 0 && pfd[3].revents && sb->ctl.fd >= 0 && control_link_read(&sb->ctl) == 1)
			r = start_app(sb);
		for (size_t i = first_watch; i < n; i++)
			if (pfd[i].revents && pfd[i].fd >= 0)
				on_gofer_lost(sb, i - first_watch);
		if (r < 0)
			return r;
	}
	return 0;
}

static int exit_status(const struct sandbox *sb)
{
	if (WIFEXITED(sb->app_status))
		return WEXITSTATUS(sb->app_status);
	if (WIFSIGNALED(sb->app_status))
		return 128 + WTERMSIG(sb->app_status);
	return 1;
}

static void release_stdio(bool stderr_too)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	for (int fd = 0; fd <= (stderr_too ? 2 : 1); fd++)
		dup2(null, fd);
	close(null);
}

static bool sync_pending(const struct sandbox *sb)
{
	struct pollfd p = { .fd = sb->sync_fd, .events = POLLIN };
	return sb->sync_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* During setup: serve events until the init reports *flag; its exit
 * first is an error.  The loop reads one message a turn and stops at the
 * exit, so the init's last words (the error that made it exit) may still
 * be queued then: they are the better message. */
static int await_init(struct sandbox *sb, const bool *flag)
{
	int r = loop(sb, flag);
	while (r == 0 && sb->reaped && sync_pending(sb))
		r = on_sync(sb);
	if (r == 0 && sb->reaped)
		r = boot_errorf(-ECHILD, "the app's init exited during setup");
	return r;
}

/* Everything up to "created". */
static int setup(struct sandbox *sb)
{
	struct boot_config *cfg = sb->cfg;
	int r;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return boot_errorf(-errno, "become a subreaper");
	if ((r = block_signals(sb)) < 0)
		return boot_errorf(r, "signalfd");
	/* Its exec and loading overlap ours; it waits for the app's pid. */
	if ((r = control_link_spawn(cfg, &sb->ctl)) < 0)
		return r;
	if ((r = make_staging(sb)) < 0 || (r = cgroup_create(&cfg->spec, cfg->id)) < 0 ||
	    (r = spawn_init(sb)) < 0)
		return r;
	/* The init makes its uts, ipc and net namespaces while we mount the
	 * gofer's exports and move it into its cgroup (last: burrow started
	 * the grace period that waits for, cgroup_warm.c); "root" lets it
	 * copy our mounts and go on. */
	if ((r = ns_write_idmaps(cfg, sb->app)) < 0)
		return r;
	if ((r = msg_send(sb->sync_fd, "go", -1)) < 0)
		return boot_errorf(r, "signal the app's init");
	if ((r = mount_conns(sb)) < 0 || (r = cgroup_enter(&cfg->spec, cfg->id, sb->app)) < 0)
		return r;
	if ((r = msg_send(sb->sync_fd, "root", -1)) < 0) {
		on_sync(sb);   /* its "error", when it failed first, is the one kept */
		return boot_errorf(r, "signal the app's init");
	}
	/* The control server sets up (it needs the namespaces) while the
	 * init builds the root. */
	if ((r = await_init(sb, &sb->ns_ready)) < 0 ||
	    (r = control_link_start(sb->app, &sb->ctl)) < 0 || (r = await_init(sb, &sb->ready)) < 0)
		return r;
	/* While we still reach the host: it outlives confinement. */
	if ((r = control_link_wait_ready(cfg, &sb->ctl)) < 0)
		return r;
	/* With a pty the app does not need burrow's stdio, and we hold it
	 * no longer than burrow (containerd waits for its EOF). */
	if (cfg->spec.process.terminal)
		release_stdio(cfg->log_to_file);
	if (!cfg->disable_seccomp && (r = sentry_confine(sb->staging, sb->app, cfg->debug)) < 0)
		return r;
	return 0;
}

int boot_sandbox(struct boot_config *cfg)
{
	struct sandbox sb = { .cfg = cfg, .sfd = -1, .sync_fd = -1, .app = -1,
			      .ctl = { .pid = -1, .fd = -1 } };
	int r = setup(&sb);
	/* Nobody has reached it yet: no waiter to answer, no status to
	 * record; gone before burrow hears of the failure and cleans up. */
	if (r < 0)
		control_link_abort(&sb.ctl);
	if (r == 0) {
		char text[64];
		snprintf(text, sizeof text, "created %d %d", (int)sb.app, (int)sb.ctl.pid);
		report(&sb, text, -1);
		if (cfg->controller_fd < 0)
			r = start_app(&sb);
	}
	if (r == 0)
		r = loop(&sb, NULL);
	if (r < 0) {
		char text[MSG_MAX];
		snprintf(text, sizeof text, "error %s", boot_error_text());
		/* Before start burrow prints the error; after, only we can. */
		if (!sb.started ? !report(&sb, text, -1) || cfg->log_to_file : true)
			log_error("%s", boot_error_text());
		if (sb.app > 0) {
			kill_app(&sb);
			while (!sb.reaped && waitpid(sb.app, &sb.app_status, 0) == sb.app)
				sb.reaped = true;
		}
		control_link_finish(&sb.ctl, exit_status(&sb));
		return 1;
	}
	int status = exit_status(&sb);
	log_debug("the app exited with status %d", status);
	control_link_finish(&sb.ctl, status);
	return status;
}
