/* OCI hooks: each runs with the container's state on stdin, its args and
 * env from the spec, and its timeout.  createRuntime, prestart,
 * poststart and poststop run in burrow's namespaces; createContainer
 * (path resolved here) and startContainer (path resolved inside) run in
 * the container's.  The hook's output is kept for the error line. */
#include "lifecycle.h"
#include "control/nsenter.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

static const char *const names[OCI_HOOK_NKINDS] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

const char *hooks_name(int kind)
{
	return kind >= 0 && kind < OCI_HOOK_NKINDS ? names[kind] : "?";
}

struct hook_run {
	const struct oci_hook *h;
	const struct ns_set *ns;     /* NULL: our namespaces */
	int exe_fd;                  /* createContainer: the program, opened here */
	int in, out;                 /* the child's stdin, stdout+stderr */
	int in_w, out_r;             /* our ends: the child closes them */
};

static __attribute__((noreturn)) void hook_exec(const struct hook_run *hr)
{
	const struct oci_hook *h = hr->h;
	static const char *const none[] = { NULL };
	const char *argv0[] = { h->path, NULL };
	char *const *argv = (char *const *)(h->n_args ? h->args : argv0);
	char *const *envp = (char *const *)(h->n_env ? h->env : none);
	if (hr->exe_fd >= 0) {
		/* A script needs the fd across exec (/dev/fd/N). */
		fcntl(hr->exe_fd, F_SETFD, 0);
		syscall(SYS_execveat, hr->exe_fd, "", argv, envp, AT_EMPTY_PATH);
	} else {
		execve(h->path, argv, envp);
	}
	dprintf(STDERR_FILENO, "exec %s: %s\n", h->path, strerror(errno));
	_exit(127);
}

/* The child: its own process group (a timeout kills all of it), stdio,
 * the container's namespaces (a pid namespace needs one more fork). */
static __attribute__((noreturn)) void hook_child(const struct hook_run *hr)
{
	char err[256];
	setpgid(0, 0);
	/* Not only exec closes them: the pid namespace's waiter lives on. */
	close(hr->in_w);
	close(hr->out_r);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(hr->in, 0) < 0 || dup2(hr->out, 1) < 0 || dup2(hr->out, 2) < 0)
		_exit(127);
	if (!hr->ns)
		hook_exec(hr);
	if (nsset_join_one(hr->ns, NSX_PID) < 0 || nsset_join(hr->ns, err, sizeof err) < 0) {
		dprintf(STDERR_FILENO, "%s\n", err);
		_exit(127);
	}
	if (chdir("/") < 0)
		_exit(127);
	if (!nsset_has(hr->ns, NSX_PID))
		hook_exec(hr);
	pid_t pid = fork();
	if (pid == 0)
		hook_exec(hr);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(pid < 0 ? 127 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

struct io {
	const char *state;
	size_t state_len, sent;
	char out[4096];
	size_t out_len;
	int in_fd, out_fd;
};

static void pump(struct io *io, int timeout_ms)
{
	struct pollfd pfd[2] = { { .fd = io->in_fd, .events = POLLOUT },
				 { .fd = io->out_fd, .events = POLLIN } };
	if (poll(pfd, 2, timeout_ms) <= 0)
		return;
	if (io->in_fd >= 0 && pfd[0].revents) {
		ssize_t n = write(io->in_fd, io->state + io->sent, io->state_len - io->sent);
		if (n > 0)
			io->sent += (size_t)n;
		if (n < 0 || io->sent == io->state_len) {
			close(io->in_fd);
			io->in_fd = -1;
		}
	}
	if (io->out_fd >= 0 && pfd[1].revents) {
		char buf[4096];
		ssize_t n = read(io->out_fd, buf, sizeof buf);
		if (n <= 0) {
			close(io->out_fd);
			io->out_fd = -1;
			return;
		}
		size_t keep = sizeof io->out - 1 - io->out_len;
		if ((size_t)n < keep)
			keep = (size_t)n;
		memcpy(io->out + io->out_len, buf, keep);
		io->out_len += keep;
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Feed stdin, collect output, reap; kill the group at the deadline. */
static int supervise(pid_t pid, struct io *io, int timeout_s, int *status, bool *timed_out)
{
	long long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000LL : 0, exited_at = 0;
	bool exited = false;
	*timed_out = false;
	while (!exited || io->out_fd >= 0) {
		if (!exited) {
			pid_t p = waitpid(pid, status, WNOHANG);
			exited = p == pid || (p < 0 && errno != EINTR);
			if (exited)
				exited_at = now_ms();
		}
		if (!exited && deadline && !*timed_out && now_ms() >= deadline) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		pump(io, 20);
		/* A daemon the hook left behind may hold the pipe: not our wait. */
		if (exited && now_ms() - exited_at > 1000)
			break;
	}
	if (io->in_fd >= 0)
		close(io->in_fd);
	if (io->out_fd >= 0)
		close(io->out_fd);
	return 0;
}

static void first_line(const char *text, char *out, size_t len)
{
	size_t n = strcspn(text, "\n");
	snprintf(out, len, "%.*s", (int)(n < 300 ? n : 300), text);
}

static int run_one(const struct oci_hook *h, int kind, size_t idx, const char *state,
		   const struct ns_set *ns, char *err, size_t errlen)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
	}
	struct hook_run hr = { .h = h, .ns = ns, .exe_fd = -1, .in = in[0], .out = out[1],
			       .in_w = in[1], .out_r = out[0] };
	if (ns && kind == OCI_HOOK_CREATE_CONTAINER)
		hr.exe_fd = open(h->path, O_PATH | O_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0)
		hook_child(&hr);
	int e = errno;
	close(in[0]);
	close(out[1]);
	if (hr.exe_fd >= 0)
		close(hr.exe_fd);
	struct io io = { .state = state, .state_len = strlen(state), .in_fd = in[1],
			 .out_fd = out[0] };
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return snprintf(err, errlen, "fork: %s", strerror(e)), -1;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	int st = 0;
	bool timed_out;
	supervise(pid, &io, h->has_timeout ? h->timeout : 0, &st, &timed_out);
	io.out[io.out_len] = '\0';
	if (io.out_len)
		log_debug("%s hook #%zu (%s) said: %s", names[kind], idx, h->path, io.out);
	char line[320];
	first_line(io.out, line, sizeof line);
	if (timed_out)
		snprintf(err, errlen, "%s hook #%zu (%s) timed out after %d s", names[kind], idx,
			 h->path, h->timeout);
	else if (WIFSIGNALED(st))
		snprintf(err, errlen, "%s hook #%zu (%s) killed by signal %d%s%s", names[kind], idx,
			 h->path, WTERMSIG(st), *line ? ": " : "", line);
	else if (WEXITSTATUS(st) != 0)
		snprintf(err, errlen, "%s hook #%zu (%s) exited with status %d%s%s", names[kind],
			 idx, h->path, WEXITSTATUS(st), *line ? ": " : "", line);
	else
		return 0;
	return -1;
}

int hooks_run(const struct oci_spec *spec, int kind, const char *state, pid_t in_container,
	      bool warn_only)
{
	struct ns_set ns;
	bool have_ns = false;
	if (spec->n_hooks[kind] == 0)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	if (in_container > 0) {
		int r = nsset_open(in_container, &ns);
		if (r < 0)
			return cli_fail("%s hooks: the container's namespaces: %s", names[kind],
					strerror(-r));
		have_ns = true;
	}
	int ret = 0;
	for (size_t i = 0; i < spec->n_hooks[kind]; i++) {
		char err[1024];
		log_debug("running %s hook #%zu: %s", names[kind], i, spec->hooks[kind][i].path);
		if (run_one(&spec->hooks[kind][i], kind, i, state, have_ns ? &ns : NULL, err,
			    sizeof err) == 0)
			continue;
		if (warn_only) {
			log_warn("%s", err);
			continue;
		}
		ret = cli_fail("%s", err);
		break;
	}
	if (have_ns)
		nsset_close(&ns);
	return ret;
}
