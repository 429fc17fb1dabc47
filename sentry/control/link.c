/* The sentry's side of the control server (control.h): start it, relay
 * its "start", tell it when the app exited.  It is started first thing, so
 * its exec and set-up overlap the sandbox's; it waits for the app's pid.
 * The child does only dup2/close_range/execve (async-signal-safe). */
#include "control.h"
#include "boot/msg.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINK_FD 3
#define LOG_FD 4
#define READY_TIMEOUT_MS 10000
#define FINISH_TIMEOUT_MS 3000

struct argv_build {
	char *v[24];
	size_t n;
	char nums[2][24];
};

static void add(struct argv_build *a, const char *s)
{
	if (a->n < ARRAY_SIZE(a->v) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void build_argv(struct argv_build *a, const struct boot_config *cfg, bool log_file)
{
	snprintf(a->nums[0], sizeof a->nums[0], "%d", (int)getpid());
	snprintf(a->nums[1], sizeof a->nums[1], "%d", LINK_FD);
	add(a, "burrow-sentry");
	add(a, "control");
	add(a, "--id");
	add(a, cfg->id);
	add(a, "--bundle");
	add(a, cfg->bundle);
	add(a, "--state-dir");
	add(a, cfg->state_dir);
	add(a, "--sentry-pid");
	add(a, a->nums[0]);
	add(a, "--link-fd");
	add(a, a->nums[1]);
	if (log_file) {
		add(a, "--log");
		add(a, "/proc/self/fd/4");
	}
	if (log_output_json()) {
		add(a, "--log-format");
		add(a, "json");
	}
	if (cfg->debug)
		add(a, "--debug");
}

/* Async-signal-safe only: move both fds out of the way, then in place
 * (dup2 onto itself would keep close-on-exec). */
static __attribute__((noreturn)) void child(int link, int log_fd, char **argv)
{
	int l = fcntl(link, F_DUPFD, 10);
	int g = log_fd >= 0 ? fcntl(log_fd, F_DUPFD, 10) : -1;
	if (l < 0 || (log_fd >= 0 && g < 0) || dup2(l, LINK_FD) < 0 ||
	    (g >= 0 && dup2(g, LOG_FD) < 0))
		_exit(127);
	syscall(SYS_close_range, g >= 0 ? LOG_FD + 1 : LINK_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* The container's procfs at <staging>/proc: /proc once the sentry has
 * pivoted there (see procmount.c).  Best effort. */
static void attach_proc(const struct boot_config *cfg, int proc)
{
	char path[PATH_MAX];
	if (proc < 0)
		return;
	snprintf(path, sizeof path, "%s/" BOOT_STAGING "/proc", cfg->state_dir);
	if ((mkdir(path, 0555) < 0 && errno != EEXIST) ||
	    move_mount(proc, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		log_warn("control: attach the container's proc for the sentry: %m");
	close(proc);
}

static int wait_ready(const struct boot_config *cfg, struct control_link *cl)
{
	struct pollfd pfd = { .fd = cl->fd, .events = POLLIN };
	int n;
	do
		n = poll(&pfd, 1, READY_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return boot_errorf(n == 0 ? -ETIMEDOUT : -errno, "control server: no answer");
	char buf[MSG_MAX];
	const char *arg;
	int proc = -1;
	ssize_t len = msg_recv(cl->fd, buf, sizeof buf, &proc);
	if (len > 0 && msg_is(buf, "ready", NULL)) {
		attach_proc(cfg, proc);
		return 0;
	}
	if (proc >= 0)
		close(proc);
	if (len > 0 && msg_is(buf, "error", &arg))
		return boot_errorf(-EIO, "control server: %s", arg);
	return boot_errorf(-EPIPE, "control server: exited during its setup");
}

int control_link_spawn(const struct boot_config *cfg, struct control_link *cl)
{
	struct argv_build a = { .n = 0 };
	int sv[2];
	int log_fd = log_output_fd();
	bool log_file = log_fd != STDERR_FILENO;
	cl->pid = -1;
	cl->fd = -1;
	build_argv(&a, cfg, log_file);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return boot_errorf(-errno, "control server: socketpair");
	pid_t pid = fork();
	if (pid == 0)
		child(sv[1], log_file ? log_fd : -1, a.v);
	int e = errno;
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return boot_errorf(-e, "control server: fork");
	}
	cl->pid = pid;
	cl->fd = sv[0];
	return 0;
}

void control_link_abort(struct control_link *cl)
{
	if (cl->pid <= 0)
		return;
	if (cl->fd >= 0)
		close(cl->fd);
	cl->fd = -1;
	kill(cl->pid, SIGKILL);
	waitpid(cl->pid, NULL, 0);
	cl->pid = -1;
}

int control_link_start(pid_t app, struct control_link *cl)
{
	char text[32];
	if (cl->fd < 0)
		return boot_errorf(-EPIPE, "control server: not started");
	snprintf(text, sizeof text, "app %d", (int)app);
	int r = msg_send(cl->fd, text, -1);
	if (r < 0) {
		control_link_abort(cl);
		return boot_errorf(r, "control server: exited during its setup");
	}
	return 0;
}

int control_link_wait_ready(const struct boot_config *cfg, struct control_link *cl)
{
	if (cl->fd < 0)
		return boot_errorf(-EPIPE, "control server: not started");
	int r = wait_ready(cfg, cl);
	if (r < 0)
		control_link_abort(cl);
	return r;
}

int control_link_read(struct control_link *cl)
{
	char buf[MSG_MAX];
	ssize_t n = msg_recv(cl->fd, buf, sizeof buf, NULL);
	if (n <= 0) {
		log_warn("the control server is gone: burrow start, exec, kill and events "
			 "no longer reach this sandbox");
		close(cl->fd);
		cl->fd = -1;
		return -EPIPE;
	}
	if (msg_is(buf, "start", NULL))
		return 1;
	log_warn("control server: unexpected message \"%.40s\"", buf);
	return 0;
}

void control_link_finish(struct control_link *cl, int code)
{
	if (cl->fd < 0)
		return;
	char text[32];
	snprintf(text, sizeof text, "exit %d", code);
	if (msg_send(cl->fd, text, -1) == 0) {
		/* Its exit closes the link: then its waiters have their answer. */
		struct pollfd pfd = { .fd = cl->fd, .events = POLLIN };
		char buf[MSG_MAX];
		while (poll(&pfd, 1, FINISH_TIMEOUT_MS) > 0 &&
		       msg_recv(cl->fd, buf, sizeof buf, NULL) > 0)
			;
	}
	close(cl->fd);
	cl->fd = -1;
	/* Reaped here or by the sentry's own reaper; it dies with us anyway. */
	if (cl->pid > 0)
		waitpid(cl->pid, NULL, WNOHANG);
}
