/* The child of application.Execute, from fork to execve: into the
 * container's cgroup and namespaces, then the process section in the
 * order the app's init uses (sentry/boot/init.c), then execve.  Any
 * failure goes to err_fd as one line. */
#include "srv.h"
#include "boot/process.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static __attribute__((noreturn, format(printf, 2, 3))) void fail(int err_fd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n > 0 && write(err_fd, msg, strnlen(msg, sizeof msg)) < 0)
		_exit(125);
	_exit(1);
}

static void reset_signals(void)
{
	sigset_t none;
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int setup_stdio(const int *stdio, int tty_slave)
{
	if (tty_slave >= 0) {
		if (ioctl(tty_slave, TIOCSCTTY, 0) < 0)
			return -errno;
		for (int fd = 0; fd < 3; fd++)
			if (dup2(tty_slave, fd) < 0)
				return -errno;
		return 0;
	}
	/* The received fds are above 2 (ours are taken). */
	for (int fd = 0; fd < 3; fd++)
		if (dup2(stdio[fd], fd) < 0)
			return -errno;
	return 0;
}

/* Identity, capabilities and seccomp, as the app's init does it. */
static void apply_creds(const struct oci_process *p, void *seccomp, int err_fd)
{
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(err_fd, "process.noNewPrivileges: %s", strerror(errno));
	if ((!p->no_new_privileges && seccomp_spec_load(seccomp) < 0) ||
	    creds_drop_bounding(p) < 0 || creds_set_user(p) < 0 || creds_set_caps(p) < 0 ||
	    (p->no_new_privileges && seccomp_spec_load(seccomp) < 0))
		fail(err_fd, "%s", boot_error_text());
}

void exec_child(struct srv *s, const struct oci_spec *spec, const int *stdio, int tty_slave,
		int err_fd)
{
	const struct oci_process *p = &spec->process;
	char exe[PATH_MAX], err[512];
	void *seccomp = NULL;
	int r;
	reset_signals();
	if (setsid() < 0)
		fail(err_fd, "setsid: %s", strerror(errno));
	if ((r = srv_cgroup_join(&s->cg)) < 0)
		fail(err_fd, "join the container's cgroup: %s", strerror(-r));
	if (nsset_join(&s->ns, err, sizeof err) < 0)
		fail(err_fd, "%s", err);
	if ((r = setup_stdio(stdio, tty_slave)) < 0)
		fail(err_fd, "stdio: %s", strerror(-r));
	if (chdir(p->cwd) < 0)
		fail(err_fd, "process.cwd: chdir %s: %s", p->cwd, strerror(errno));
	if (process_rlimits(p) < 0 || process_oom_score(p) < 0 ||
	    exec_lookup(p, exe, sizeof exe) < 0 ||
	    seccomp_spec_compile(spec->linux_.seccomp, &seccomp) < 0)
		fail(err_fd, "%s", boot_error_text());
	apply_creds(p, seccomp, err_fd);
	umask(p->has_umask ? p->umask : 022);
	/* Only stdio and err_fd (close-on-exec) cross: the rest closes. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail(err_fd, "close_range: %s", strerror(errno));
	execve(exe, (char *const *)p->args, (char *const *)p->env);
	fail(err_fd, "exec: \"%s\": %s", exe, strerror(errno));
}
