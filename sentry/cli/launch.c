/* Start a container up to "created": the state dir, one socketpair per
 * served mount, burrow-gofer in paired mode (two when read-only and
 * read-write exports mix: --ro is per process), burrow-sentry boot with
 * the other ends and the controller socket. */
#include "boot/boot.h"
#include "boot/cgroup.h"
#include "boot/msg.h"
#include "cli.h"
#include "log.h"
#include "pidwait.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 160
#define GOFER_LOG "gofer.log"
#define GOFER_EXIT_MS 2000

/* An argv under construction; strings are copied into one arena. */
struct argv_buf {
	char *v[MAX_ARGS + 1];
	size_t n;
	char arena[32768];
	size_t used;
	bool overflow;
};

static void arg_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg_add(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof a->arena - a->used;
	int n = vsnprintf(a->arena + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room || a->n == MAX_ARGS) {
		a->overflow = true;
		return;
	}
	a->v[a->n++] = a->arena + a->used;
	a->v[a->n] = NULL;
	a->used += (size_t)n + 1;
}

/* The gofer logs into the state dir unless --log says where (and is not
 * JSON, which the gofer does not write): its info lines are not for the
 * app's terminal; launch prints them on failure. */
static void add_log_args(struct argv_buf *a, const struct cli_globals *g, bool gofer,
			 const char *state_dir)
{
	bool json = g->log_format && !strcmp(g->log_format, "json");
	if (g->log && *g->log && !(gofer && json)) {
		arg_add(a, "--log");
		arg_add(a, "%s", g->log);
	} else if (gofer) {
		arg_add(a, "--log");
		arg_add(a, "%s/" GOFER_LOG, state_dir);
	}
	if (!gofer && g->log_format) {
		arg_add(a, "--log-format");
		arg_add(a, "%s", g->log_format);
	}
	if (g->debug && !gofer)
		arg_add(a, "--debug");
}

/* fork + exec with `keep` fds inherited (their CLOEXEC cleared in the
 * child only).  new_session: out of the caller's terminal signals. */
static pid_t spawn(const char *path, char *const *argv, const int *keep, size_t n_keep,
		   bool new_session)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0 ? -errno : pid;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	for (size_t i = 0; i < n_keep; i++)
		if (fcntl(keep[i], F_SETFD, 0) < 0)
			_exit(127);
	int err_fd = STDERR_FILENO;
	if (new_session) {
		setsid();
		/* The gofer logs to a file: it keeps none of the caller's stdio
		 * (containerd waits for their EOF). */
		err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > 2)
				close(null);
		}
	}
	execv(path, argv);
	dprintf(err_fd >= 0 ? err_fd : STDERR_FILENO, "burrow: exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

static int host_path(const struct launch *l, const struct boot_conn *c, char *out, size_t len)
{
	char raw[2 * PATH_MAX + 2];
	const char *p = c->mount_index < 0 ? l->spec.root_path
					   : l->spec.mounts[c->mount_index].source;
	int n = snprintf(raw, sizeof raw, "%s%s%s", p[0] == '/' ? "" : l->bundle,
			 p[0] == '/' ? "" : "/", p);
	if (n < 0 || (size_t)n >= sizeof raw || len < PATH_MAX)
		return -ENAMETOOLONG;
	if (!realpath(raw, out))
		return -errno;
	return 0;
}

/* One gofer for the exports whose read-only-ness is `ro`. */
static int start_gofer(const struct cli_globals *g, struct launch *l, struct boot_conn *conns,
		       size_t n, const int *gofer_ends, bool ro)
{
	char prog[PATH_MAX], path[PATH_MAX];
	int r = locate_program("burrow-gofer", "BURROW_GOFER", prog, sizeof prog);
	if (r < 0)
		return cli_fail("cannot find burrow-gofer: %s", strerror(-r)), r;
	static struct argv_buf a;
	int keep[64];
	size_t nk = 0;
	char fds[1024] = "";
	memset(&a, 0, sizeof a);
	arg_add(&a, "burrow-gofer");
	arg_add(&a, "serve");
	for (size_t k = 0; k < n; k++) {
		bool k_ro = conns[k].ro || g->overlay;
		if (k_ro != ro)
			continue;
		if ((r = host_path(l, &conns[k], path, sizeof path)) < 0)
			return cli_fail("served mount %zu: %s", k, strerror(-r)), r;
		arg_add(&a, "--export");
		arg_add(&a, "%s", path);
		size_t used = strlen(fds);
		snprintf(fds + used, sizeof fds - used, "%s%d", used ? "," : "", gofer_ends[k]);
		keep[nk++] = gofer_ends[k];
	}
	if (nk == 0)
		return 0;
	arg_add(&a, "--io-fds");
	arg_add(&a, "%s", fds);
	if (ro)
		arg_add(&a, "--ro");
	add_log_args(&a, g, true, l->state_dir);
	if (a.overflow)
		return cli_fail("too many served mounts"), -E2BIG;
	pid_t pid = spawn(prog, a.v, keep, nk, true);
	if (pid < 0)
		return cli_fail("start burrow-gofer: %s", strerror(-pid)), pid;
	l->gofers[l->n_gofers++] = pid;
	log_debug("started burrow-gofer (pid %d) for %zu export(s)%s", (int)pid, nk,
		  ro ? " read-only" : "");
	return 0;
}

static int start_sentry(const struct cli_globals *g, struct launch *l, const int *sentry_ends,
			size_t n, int ctl_end)
{
	char prog[PATH_MAX], fds[1024] = "";
	int r = locate_program("burrow-sentry", "BURROW_SENTRY", prog, sizeof prog);
	if (r < 0)
		return cli_fail("cannot find burrow-sentry: %s", strerror(-r)), r;
	static struct argv_buf a;
	int keep[66];
	size_t nk = 0;
	memset(&a, 0, sizeof a);
	arg_add(&a, "burrow-sentry");
	arg_add(&a, "boot");
	arg_add(&a, "--bundle");
	arg_add(&a, "%s", l->bundle);
	arg_add(&a, "--id");
	arg_add(&a, "%s", l->id);
	arg_add(&a, "--state-dir");
	arg_add(&a, "%s", l->state_dir);
	arg_add(&a, "--controller-fd");
	arg_add(&a, "%d", ctl_end);
	keep[nk++] = ctl_end;
	arg_add(&a, "--file-access");
	arg_add(&a, "%s", g->proxy ? "proxy" : "direct");
	for (size_t k = 0; g->proxy && k < n; k++) {
		size_t used = strlen(fds);
		snprintf(fds + used, sizeof fds - used, "%s%d", used ? "," : "", sentry_ends[k]);
		keep[nk++] = sentry_ends[k];
	}
	if (g->proxy) {
		arg_add(&a, "--io-fds");
		arg_add(&a, "%s", fds);
	}
	if (g->overlay) {
		arg_add(&a, "--overlay");
		arg_add(&a, "--overlay-size");
		arg_add(&a, "%llu", (unsigned long long)g->overlay_size);
	}
	arg_add(&a, "--network");
	arg_add(&a, "%s", g->network);
	if (g->disable_seccomp)
		arg_add(&a, "--disable-seccomp");
	add_log_args(&a, g, false, l->state_dir);
	if (a.overflow)
		return cli_fail("too many served mounts"), -E2BIG;
	pid_t pid = spawn(prog, a.v, keep, nk, false);
	if (pid < 0)
		return cli_fail("start burrow-sentry: %s", strerror(-pid)), pid;
	l->sentry = pid;
	return 0;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* The processes: gofer(s) first (the sentry mounts their connections). */
static int start_processes(const struct cli_globals *g, struct launch *l)
{
	struct boot_conn *conns = NULL;
	size_t n = 0;
	int gofer_ends[64], sentry_ends[64], ctl[2] = { -1, -1 }, r = 0;
	if (g->proxy && (r = boot_served_mounts(&l->spec, l->bundle, &conns, &n)) < 0)
		return cli_fail("served mounts: %s", strerror(-r));
	if (n > ARRAY_SIZE(gofer_ends)) {
		free(conns);
		return cli_fail("at most %zu served mounts", ARRAY_SIZE(gofer_ends));
	}
	for (size_t k = 0; k < n; k++)
		gofer_ends[k] = sentry_ends[k] = -1;
	for (size_t k = 0; k < n && r == 0; k++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			r = cli_fail("socketpair: %s", strerror(errno));
		else {
			gofer_ends[k] = sv[0];
			sentry_ends[k] = sv[1];
		}
	}
	if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
		r = cli_fail("socketpair: %s", strerror(errno));
	if (r == 0 && n)
		r = start_gofer(g, l, conns, n, gofer_ends, false) < 0 ? 1 : 0;
	if (r == 0 && n)
		r = start_gofer(g, l, conns, n, gofer_ends, true) < 0 ? 1 : 0;
	if (r == 0)
		r = start_sentry(g, l, sentry_ends, n, ctl[1]) < 0 ? 1 : 0;
	close_all(gofer_ends, n);
	close_all(sentry_ends, n);
	close_all(&ctl[1], 1);
	free(conns);
	l->controller = ctl[0];
	return r;
}

/* Until "created": the pty master may come first; an error or the
 * sentry's death ends it. */
static int wait_created(struct launch *l)
{
	for (;;) {
		char buf[MSG_MAX];
		int fd = -1;
		ssize_t n = msg_recv(l->controller, buf, sizeof buf, &fd);
		const char *arg;
		if (n <= 0) {
			int st = 0;
			if (waitpid(l->sentry, &st, 0) == l->sentry)
				l->sentry = -1;
			return cli_fail("the sandbox failed to start (burrow-sentry %s %d)",
					WIFSIGNALED(st) ? "killed by signal" : "exited with",
					WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
		if (msg_is(buf, "console", NULL) && fd >= 0) {
			if (l->console >= 0)
				close(l->console);
			l->console = fd;
			continue;
		}
		if (fd >= 0)
			close(fd);
		int app = 0, control = 0;
		if (msg_is(buf, "created", &arg) && sscanf(arg, "%d %d", &app, &control) >= 1 &&
		    app > 0) {
			l->app = (pid_t)app;
			l->control = control > 0 ? (pid_t)control : 0;
			return 0;
		}
		if (msg_is(buf, "error", &arg))
			return cli_fail("%s", arg);
		return cli_fail("unexpected message from burrow-sentry");
	}
}

static int write_state(const struct cli_globals *g, struct launch *l, const char *status)
{
	char cg[2048] = "";
	cgroup_rel_path(&l->spec, l->id, cg, sizeof cg);
	struct state_info s = {
		.id = l->id, .bundle = l->bundle, .rootfs = l->rootfs, .status = status,
		.pid = l->sentry, .app_pid = l->app, .control_pid = l->control,
		.gofer_pids = l->gofers,
		.n_gofers = l->n_gofers, .cgroup = cg, .proxy = g->proxy, .overlay = g->overlay,
	};
	int r = state_write(l->state_dir, &s);
	return r < 0 ? cli_fail("write the state of %s: %s", l->id, strerror(-r)) : 0;
}

/* What burrow cannot honour: refused before anything starts. */
static int check_supported(const struct launch *l, bool detach)
{
	if (detach && l->spec.process.terminal)
		return cli_fail("config.json: process.terminal: a detached container needs "
				"--console-socket for its terminal");
	return 0;
}

int launch_create(const struct cli_globals *g, const char *bundle, const char *id,
		  bool detach, struct launch *l)
{
	char err[1024], path[2 * PATH_MAX + 16];
	memset(l, 0, sizeof *l);
	l->controller = l->console = l->sentry = -1;
	l->id = id;
	/* First thing: the app's move into its cgroup will not wait for a
	 * grace period (a no-op move of ours, even if the config is bad). */
	cgroup_warm_start();
	if (!state_id_valid(id))
		return cli_fail("invalid container id \"%s\"", id);
	if (!realpath(bundle, l->bundle))
		return cli_fail("bundle %s: %s", bundle, strerror(errno));
	snprintf(path, sizeof path, "%s/config.json", l->bundle);
	if (oci_spec_load(path, &l->spec, err, sizeof err) < 0)
		return cli_fail("%s", err);
	l->spec_loaded = true;
	if (check_supported(l, detach)) {
		oci_spec_free(&l->spec);
		l->spec_loaded = false;
		return 1;
	}
	const char *root = l->spec.root_path;
	snprintf(path, sizeof path, "%s%s%s", root[0] == '/' ? "" : l->bundle,
		 root[0] == '/' ? "" : "/", root);
	if (!realpath(path, l->rootfs)) {
		int e = errno;
		oci_spec_free(&l->spec);
		l->spec_loaded = false;
		return cli_fail("config.json: root.path: %s: %s", path, strerror(e));
	}
	int r = state_create(g, id, l->state_dir, sizeof l->state_dir);
	if (r < 0) {
		l->state_dir[0] = '\0';
		oci_spec_free(&l->spec);
		l->spec_loaded = false;
		if (r == -EEXIST)
			return cli_fail("container \"%s\" already exists", id);
		return cli_fail("state directory for %s: %s", id, strerror(-r));
	}
	if (write_state(g, l, "creating") || start_processes(g, l) || wait_created(l) ||
	    write_state(g, l, "created")) {
		launch_abort(l);
		return 1;
	}
	return 0;
}

int launch_start(const struct cli_globals *g, struct launch *l)
{
	int r = msg_send(l->controller, "start", -1);
	if (r < 0)
		return cli_fail("start %s: %s", l->id, strerror(-r));
	return write_state(g, l, "running");
}

/* Reap a gofer; after the sentry is gone its connections are closed and
 * it exits by itself.  Give it 2 s. */
static void reap_gofer(pid_t pid)
{
	int r = pid_wait_exit(pid, GOFER_EXIT_MS);
	for (int i = 0; r == -ENOSYS && i < GOFER_EXIT_MS / 10; i++) {
		pid_t p = waitpid(pid, NULL, WNOHANG);
		if (p == pid || (p < 0 && errno == ECHILD))
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (r != 1 && waitpid(pid, NULL, WNOHANG) == 0) {
		log_warn("burrow-gofer (pid %d) did not exit: killing it", (int)pid);
		kill(pid, SIGKILL);
	}
	waitpid(pid, NULL, 0);
}

void launch_cleanup(struct launch *l)
{
	for (size_t i = 0; i < l->n_gofers; i++)
		reap_gofer(l->gofers[i]);
	l->n_gofers = 0;
	if (l->controller >= 0)
		close(l->controller);
	if (l->console >= 0)
		close(l->console);
	l->controller = l->console = -1;
	if (l->spec_loaded) {
		if (cgroup_destroy(&l->spec, l->id) < 0)
			log_warn("cgroup of %s: could not remove it", l->id);
		oci_spec_free(&l->spec);
		l->spec_loaded = false;
	}
	if (l->state_dir[0] && state_remove(l->state_dir) < 0)
		log_warn("state dir %s: could not remove it", l->state_dir);
	l->state_dir[0] = '\0';
}

void launch_release(struct launch *l)
{
	if (l->controller >= 0)
		close(l->controller);
	if (l->console >= 0)
		close(l->console);
	l->controller = l->console = -1;
	if (l->spec_loaded)
		oci_spec_free(&l->spec);
	l->spec_loaded = false;
}

/* What the gofer said, for a failed start. */
static void show_gofer_log(const struct launch *l)
{
	char path[PATH_MAX + 32], buf[4096];
	snprintf(path, sizeof path, "%s/" GOFER_LOG, l->state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (write_full(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
	close(fd);
}

void launch_abort(struct launch *l)
{
	if (l->state_dir[0] && l->n_gofers)
		show_gofer_log(l);
	launch_kill(l);
}

void launch_kill(struct launch *l)
{
	if (l->sentry > 0) {
		kill(l->sentry, SIGKILL);
		waitpid(l->sentry, NULL, 0);
		l->sentry = -1;
	}
	for (size_t i = 0; i < l->n_gofers; i++)
		kill(l->gofers[i], SIGKILL);
	launch_cleanup(l);
}
