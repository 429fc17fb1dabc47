/* The app's init, from clone to execve: namespaces, root, process
 * settings, the hold until start, then identity, capabilities, seccomp. */
#include "msg.h"
#include "namespaces.h"
#include "process.h"
#include "resolve.h"
#include "rootfs.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct init_state {
	struct boot_init_args *a;
	struct rootfs rf;
	int console_slave;
	void *seccomp;
	char exe[PATH_MAX];
};

/* Wait for `want` from the sentry; EOF means it is gone. */
static int wait_for(int sync_fd, const char *want)
{
	char buf[MSG_MAX];
	ssize_t n = msg_recv(sync_fd, buf, sizeof buf, NULL);
	if (n <= 0)
		return boot_errorf(n < 0 ? (int)n : -EPIPE, "waiting for \"%s\" from the sentry", want);
	if (!msg_is(buf, want, NULL))
		return boot_errorf(-EPROTO, "expected \"%s\" from the sentry, got \"%.40s\"", want, buf);
	return 0;
}

static int reset_signals(void)
{
	sigset_t all;
	sigemptyset(&all);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	return sigprocmask(SIG_SETMASK, &all, NULL) < 0 ? -errno : 0;
}

/* In a new user namespace, become its root (when 0 is mapped) so files
 * made during setup belong to the container's root. */
static void become_ns_root(const struct boot_config *cfg)
{
	if (!ns_is_new(cfg, CLONE_NEWUSER))
		return;
	if (setresgid(0, 0, 0) == 0)
		setgroups(0, NULL);
	if (setresuid(0, 0, 0) < 0)
		log_debug("uid 0 is not mapped in the user namespace; staying unmapped");
}

static int make_cwd(struct rootfs *rf)
{
	int fd = resolve_create(rf->root_fd, rf->cfg->spec.process.cwd, RESOLVE_DIR);
	if (fd < 0)
		return boot_errorf(fd, "process.cwd: %s", rf->cfg->spec.process.cwd);
	close(fd);
	return 0;
}

static int build_root(struct init_state *st)
{
	struct boot_config *cfg = st->a->cfg;
	st->rf.cfg = cfg;
	st->rf.staging = st->a->staging;
	int r;
	if ((r = rootfs_prepare(&st->rf)) < 0 || (r = mounts_apply(&st->rf)) < 0 ||
	    (r = devices_create(&st->rf)) < 0 || (r = make_cwd(&st->rf)) < 0 ||
	    (r = rootfs_pivot(&st->rf)) < 0)
		return r;
	return 0;
}

static int send_console(struct init_state *st)
{
	int master __cleanup_close = -1;
	int r = console_open(&st->a->cfg->spec.process, &master, &st->console_slave);
	if (r < 0)
		return r;
	r = msg_send(st->a->sync_fd, "console", master);
	return r < 0 ? boot_errorf(r, "hand the pty to the sentry") : 0;
}

/* Everything up to the hold. */
static int setup(struct init_state *st)
{
	struct boot_config *cfg = st->a->cfg;
	const struct oci_process *p = &cfg->spec.process;
	int r;
	if ((r = wait_for(st->a->sync_fd, "go")) < 0)
		return r;
	become_ns_root(cfg);
	/* These need neither the cgroup nor the sentry's mounts ("root"). */
	if ((r = ns_enter(cfg)) < 0 || (r = process_hostname(cfg)) < 0 ||
	    (r = wait_for(st->a->sync_fd, "root")) < 0 || (r = ns_enter_mount(cfg)) < 0 ||
	    (r = ns_enter_cgroup(cfg)) < 0)
		return r;
	/* The sentry's control server may join them now. */
	if ((r = msg_send(st->a->sync_fd, "ns", -1)) < 0)
		return boot_errorf(r, "tell the sentry");
	if ((r = build_root(st)) < 0 ||
	    (r = process_sysctls(cfg)) < 0 || (r = paths_apply(&cfg->spec.linux_)) < 0)
		return r;
	if (p->terminal && (r = send_console(st)) < 0)
		return r;
	/* From now on the pty is the app's stdio: let go of burrow's (a
	 * caller may wait for EOF on it before it starts us: containerd). */
	for (int fd = 0; p->terminal && fd < 3; fd++)
		if (dup2(st->console_slave, fd) < 0)
			return boot_errorf(-errno, "process.terminal: dup2 the pty");
	if ((r = rootfs_finish(&st->rf)) < 0 || (r = process_oom_score(p)) < 0 ||
	    (r = process_rlimits(p)) < 0 || (r = creds_check_caps(p)) < 0)
		return r;
	if (chdir(p->cwd) < 0)
		return boot_errorf(-errno, "process.cwd: chdir %s", p->cwd);
	if ((r = exec_lookup(p, st->exe, sizeof st->exe)) < 0)
		return r;
	return seccomp_spec_compile(cfg->spec.linux_.seccomp, &st->seccomp);
}

/* After start: the order matters.  Without noNewPrivileges the filter
 * goes in while we still hold CAP_SYS_ADMIN; with it, last. */
static int finish(struct init_state *st)
{
	const struct oci_process *p = &st->a->cfg->spec.process;
	int r;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return boot_errorf(-errno, "process.noNewPrivileges");
	if (!p->no_new_privileges && (r = seccomp_spec_load(st->seccomp)) < 0)
		return r;
	if ((r = creds_drop_bounding(p)) < 0 || (r = creds_set_user(p)) < 0 ||
	    (r = creds_set_caps(p)) < 0)
		return r;
	/* A uid change cleared it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return boot_errorf(-errno, "prctl PR_SET_PDEATHSIG");
	if (p->no_new_privileges && (r = seccomp_spec_load(st->seccomp)) < 0)
		return r;
	if (p->terminal && (r = console_attach(st->console_slave)) < 0)
		return r;
	umask(p->has_umask ? p->umask : 022);
	/* Only stdio crosses execve. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return boot_errorf(-errno, "close_range");
	return 0;
}

static __attribute__((noreturn)) void fail(struct init_state *st)
{
	char text[MSG_MAX];
	snprintf(text, sizeof text, "error %s", boot_error_text());
	msg_send(st->a->sync_fd, text, -1);
	_exit(1);
}

void boot_init(struct boot_init_args *a)
{
	struct init_state st = { .a = a, .console_slave = -1, .rf = { .root_fd = -1 } };
	umask(0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || reset_signals() < 0)
		_exit(1);
	if (setup(&st) < 0)
		fail(&st);
	rootfs_release(&st.rf);
	if (msg_send(a->sync_fd, "ready", -1) < 0)
		_exit(1);
	if (wait_for(a->sync_fd, "start") < 0 || finish(&st) < 0)
		fail(&st);
	exec_app(&a->cfg->spec.process, st.exe);
}
