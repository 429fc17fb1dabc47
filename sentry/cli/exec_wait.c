/* burrow exec: starting the process and waiting for it (exec_wait.h). */
#include "exec_wait.h"
#include "lifecycle.h"
#include "control/client.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

/* Passed on to the process (SIGWINCH resizes its pty instead). */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT,
				 SIGALRM, SIGPWR, SIGWINCH };

static void block_forwarded(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
}

int exec_start(struct exec_ctx *x, json_t *process)
{
	static const int stdio[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	/* Before the process exists: a signal sent to us once it runs waits
	 * for wait_forward's signalfd instead of ending us. */
	sigset_t set;
	block_forwarded(&set);
	int fd __cleanup_close = control_connect(x->id);
	if (fd < 0)
		return cli_fail("exec %s: the sandbox does not answer: %s", x->id, strerror(-fd));
	struct control_reply rep;
	int r = control_call(fd, CONTROL_M_EXECUTE, json_pack("{s:O}", "process", process),
			     x->terminal ? NULL : stdio, x->terminal ? 0 : 3, &rep);
	if (r == -EREMOTEIO)
		return cli_fail("exec failed: %s", rep.error);
	if (r < 0)
		return cli_fail("exec %s: %s", x->id, strerror(-r));
	x->pid = (pid_t)json_integer_value(json_object_get(rep.result, "pid"));
	if (x->terminal && rep.n_fds == 1) {
		x->master = rep.fds[0];
		rep.fds[0] = -1;
		rep.n_fds = 0;
	}
	control_reply_free(&rep);
	if (x->pid <= 0 || (x->terminal && x->master < 0))
		return cli_fail("exec %s: a malformed reply from the sandbox", x->id);
	return 0;
}

struct waiter {
	struct exec_ctx *x;
	int sfd, conn;
	bool relay, in_open, pty_open, raw;
	struct termios saved;
};

static void resize(struct waiter *w)
{
	struct winsize ws;
	if (w->x->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(w->x->master, TIOCSWINSZ, &ws);
}

static void forward(struct waiter *w, int sig)
{
	if (sig == SIGWINCH) {
		resize(w);
		return;
	}
	struct control_reply rep;
	int r = control_call_once(w->x->id, CONTROL_M_SIGNAL,
				  json_pack("{s:i, s:i}", "signal", sig, "pid", (int)w->x->pid), &rep);
	if (r == 0)
		control_reply_free(&rep);
	else
		log_debug("exec: forward signal %d: %s", sig, r == -EREMOTEIO ? rep.error : strerror(-r));
}

static bool pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	return n > 0 && write_full(to, buf, (size_t)n) == 0;
}

static void raw_mode(struct waiter *w)
{
	if (!w->relay || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &w->saved) < 0)
		return;
	struct termios raw = w->saved;
	cfmakeraw(&raw);
	w->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	resize(w);
}

/* The status from the Wait reply, 255 when the sandbox went away. */
static int on_reply(struct waiter *w)
{
	struct control_reply rep;
	int r = control_recv(w->conn, &rep);
	if (r < 0) {
		cli_fail("exec %s: waiting for process %d: %s", w->x->id, (int)w->x->pid,
			 r == -EREMOTEIO ? rep.error : strerror(-r));
		return 255;
	}
	int status = (int)json_integer_value(json_object_get(rep.result, "status"));
	control_reply_free(&rep);
	return status;
}

static void drain(struct waiter *w)
{
	if (!w->pty_open)
		return;
	fcntl(w->x->master, F_SETFL, fcntl(w->x->master, F_GETFL) | O_NONBLOCK);
	while (pump(w->x->master, STDOUT_FILENO))
		;
}

static int loop(struct waiter *w)
{
	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = w->sfd, .events = POLLIN },
			{ .fd = w->conn, .events = POLLIN },
			{ .fd = w->in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = w->pty_open ? w->x->master : -1, .events = POLLIN },
		};
		if (poll(pfd, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return cli_fail("exec: poll: %s", strerror(errno)), 255;
		}
		struct signalfd_siginfo si;
		if (pfd[0].revents && read(w->sfd, &si, sizeof si) == (ssize_t)sizeof si)
			forward(w, (int)si.ssi_signo);
		if (pfd[3].revents && !pump(w->x->master, STDOUT_FILENO))
			w->pty_open = false;
		if (pfd[2].revents && !pump(STDIN_FILENO, w->x->master))
			w->in_open = false;
		if (pfd[1].revents) {
			int status = on_reply(w);
			drain(w);
			return status;
		}
	}
}

/* Wait for the process, forwarding signals (and relaying its pty). */
static int wait_forward(struct exec_ctx *x, bool relay)
{
	sigset_t set;
	block_forwarded(&set);
	struct waiter w = { .x = x, .relay = relay, .in_open = relay, .pty_open = relay };
	w.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	w.conn = control_connect(x->id);
	int r;
	if (w.sfd < 0)
		r = (cli_fail("exec: signalfd: %s", strerror(errno)), 255);
	else if (w.conn < 0)
		r = (cli_fail("exec %s: the sandbox does not answer: %s", x->id, strerror(-w.conn)),
		     255);
	else if ((r = control_send(w.conn, CONTROL_M_WAIT, json_pack("{s:i}", "pid", (int)x->pid),
				   NULL, 0)) < 0)
		r = (cli_fail("exec %s: wait: %s", x->id, strerror(-r)), 255);
	else {
		raw_mode(&w);
		r = loop(&w);
	}
	if (w.raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &w.saved);
	if (w.sfd >= 0)
		close(w.sfd);
	if (w.conn >= 0)
		close(w.conn);
	return r;
}

/* The detached waiter: out of the caller's session and stdio. */
static __attribute__((noreturn)) void waiter_child(struct exec_ctx *x)
{
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (!log_enabled(LOG_LVL_DEBUG))
			dup2(null, STDERR_FILENO);
		close(null);
	}
	if (x->master >= 0)
		close(x->master);
	x->master = -1;
	_exit(wait_forward(x, false));
}

int exec_finish(struct exec_ctx *x)
{
	int r;
	if (x->master >= 0 && x->console_socket &&
	    (r = console_socket_send(x->console_socket, x->master)) < 0) {
		forward(&(struct waiter){ .x = x }, SIGKILL);
		return cli_fail("exec: --console-socket %s: %s", x->console_socket, strerror(-r));
	}
	if (!x->detach) {
		if (x->pid_file && (r = state_write_pid_file(x->pid_file, x->pid)) < 0)
			log_warn("exec: --pid-file %s: %s", x->pid_file, strerror(-r));
		return wait_forward(x, x->master >= 0 && !x->console_socket);
	}
	pid_t w = fork();
	if (w == 0)
		waiter_child(x);
	if (w < 0) {
		r = errno;
		forward(&(struct waiter){ .x = x }, SIGKILL);
		return cli_fail("exec: fork the waiter: %s", strerror(r));
	}
	if (x->pid_file && (r = state_write_pid_file(x->pid_file, w)) < 0) {
		kill(w, SIGKILL);
		forward(&(struct waiter){ .x = x }, SIGKILL);
		return cli_fail("exec: --pid-file %s: %s", x->pid_file, strerror(-r));
	}
	if (x->master >= 0)
		close(x->master);
	return 0;
}
