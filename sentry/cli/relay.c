/* burrow run in the foreground: forward signals to the sentry (which
 * passes them to the app), relay the pty with the caller's terminal in
 * raw mode, and wait for the sentry's exit status. */
#include "cli.h"
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
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

struct relay {
	struct launch *l;
	int sfd;
	bool tty_raw;
	struct termios saved;
	bool in_open, pty_open;
	int status;
	bool exited;
};

static void relay_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

int relay_block_signals(void)
{
	sigset_t set;
	relay_sigset(&set);
	signal(SIGPIPE, SIG_IGN);
	return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

static int open_signalfd(struct relay *r)
{
	sigset_t set;
	relay_sigset(&set);
	r->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return r->sfd < 0 ? -errno : 0;
}

static void copy_winsize(struct relay *r)
{
	struct winsize ws;
	if (r->l->console >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(r->l->console, TIOCSWINSZ, &ws);
}

static void tty_raw(struct relay *r)
{
	if (r->l->console < 0 || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &r->saved) < 0)
		return;
	struct termios raw = r->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
		r->tty_raw = true;
	copy_winsize(r);
}

static void tty_restore(struct relay *r)
{
	if (r->tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &r->saved);
	r->tty_raw = false;
}

static void on_signal(struct relay *r)
{
	struct signalfd_siginfo si;
	while (read(r->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			int st;
			if (!r->exited && waitpid(r->l->sentry, &st, WNOHANG) == r->l->sentry) {
				r->exited = true;
				r->status = WIFEXITED(st) ? WEXITSTATUS(st)
					  : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
			}
		} else if (si.ssi_signo == SIGWINCH) {
			copy_winsize(r);
		} else if (!r->exited) {
			kill(r->l->sentry, (int)si.ssi_signo);
		}
	}
}

/* Copy what is there from `from` to `to`; false at EOF or error. */
static bool pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	return write_full(to, buf, (size_t)n) == 0;
}

static void drain_pty(struct relay *r)
{
	int fl = fcntl(r->l->console, F_GETFL);
	fcntl(r->l->console, F_SETFL, fl | O_NONBLOCK);
	char buf[16384];
	ssize_t n;
	while ((n = read(r->l->console, buf, sizeof buf)) > 0)
		if (write_full(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
}

static void loop(struct relay *r)
{
	int pty = r->l->console;
	while (!r->exited) {
		struct pollfd pfd[3] = {
			{ .fd = r->sfd, .events = POLLIN },
			{ .fd = r->in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = r->pty_open ? pty : -1, .events = POLLIN },
		};
		if (poll(pfd, 3, -1) < 0) {
			if (errno != EINTR)
				break;
			continue;
		}
		if (pfd[0].revents)
			on_signal(r);
		if (pfd[1].revents && !pump(STDIN_FILENO, pty))
			r->in_open = false;
		if (pfd[2].revents && !pump(pty, STDOUT_FILENO))
			r->pty_open = false;
	}
	if (r->pty_open)
		drain_pty(r);
}

int relay_until_exit(struct launch *l)
{
	struct relay r = { .l = l, .sfd = -1, .in_open = l->console >= 0,
			   .pty_open = l->console >= 0 };
	if (relay_block_signals() < 0 || open_signalfd(&r) < 0) {
		cli_fail("signalfd: %s", strerror(errno));
		kill(l->sentry, SIGKILL);
	}
	tty_raw(&r);
	/* The sentry may be gone already. */
	if (r.sfd >= 0) {
		int st;
		if (waitpid(l->sentry, &st, WNOHANG) == l->sentry) {
			r.exited = true;
			r.status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
			if (r.pty_open)
				drain_pty(&r);
		} else {
			loop(&r);
		}
	}
	if (!r.exited) {
		int st;
		waitpid(l->sentry, &st, 0);
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	}
	tty_restore(&r);
	if (r.sfd >= 0)
		close(r.sfd);
	l->sentry = -1;
	return r.status;
}
