/* The gofer's seccomp allowlist, installed by confine_install_seccomp() in
 * a forked child: a syscall outside it kills the child with SIGSYS, and
 * what the gofer needs (I/O, threads, clone3 -> ENOSYS ...) still works.
 * The allowed probes are the control: a filter that killed everything
 * would fail them. */
#include "check.h"
#include "confine.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

int check_failures;

enum expect { EXPECT_OK, EXPECT_SIGSYS };

struct probe {
	const char *name;
	int (*fn)(void);           /* 0: behaved as expected when allowed */
	enum expect expect;
	bool multi_user, allow_accept;
};

/* ---- forbidden ---- */
static int p_socket(void) { return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1; }
static int p_ptrace(void) { return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL); }
static int p_mount(void) { return mount("none", "/mnt", "tmpfs", 0, NULL); }
static int p_unshare(void) { return unshare(CLONE_NEWNS); }
static int p_fork(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	return p > 0 ? 0 : 1;
}
static int p_exec(void)
{
	char *argv[] = { "true", NULL };
	execve("/bin/true", argv, NULL);
	return 1;
}
static int p_mmap_exec(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED;
}
static int p_mprotect_exec(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	return mprotect(m, 4096, PROT_READ | PROT_EXEC);
}
static int p_open_by_handle(void)
{
	struct { struct file_handle fh; unsigned char b[128]; } h = { .fh.handle_bytes = 8 };
	return (int)syscall(SYS_open_by_handle_at, AT_FDCWD, &h.fh, O_RDONLY);
}
static int p_kill_other(void) { return kill(getppid(), 0); }
static int p_ioctl_tiocsti(void)
{
	char c = 'x';
	return ioctl(0, TIOCSTI, &c);
}
static int p_setfsuid(void) { setfsuid(1000); return 0; }
static int p_accept(void) { return accept4(0, NULL, NULL, SOCK_CLOEXEC); }
static int p_chroot(void) { return chroot("/"); }
static int p_setuid(void) { return setuid(0); }

/* ---- allowed ---- */
static int p_io(void)
{
	int fds[2];
	char b[4] = { 0 };
	if (pipe2(fds, O_CLOEXEC) < 0 || write(fds[1], "abc", 3) != 3 || read(fds[0], b, 3) != 3)
		return 1;
	int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, 1) != 1)
		return 1;
	close(fd);
	return b[0] == 'N' ? 0 : 1;   /* "Name:" */
}
static void *thread_fn(void *arg) { return arg; }
static int p_threads(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_fn, NULL))
			return 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
static int p_clone3_enosys(void)
{
	long r = syscall(SYS_clone3, NULL, 0);
	return r == -1 && errno == ENOSYS ? 0 : 1;
}
static int p_mmap_rw(void)
{
	void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	memset(m, 1, 1 << 20);
	return munmap(m, 1 << 20);
}
static int p_setfsuid_multi(void)
{
	setfsuid(1000);
	return setfsuid((uid_t)-1) == 1000 ? 0 : 1;
}
static int p_accept_allowed(void)
{
	/* fd 0 is /dev/null or a tty: ENOTSOCK, but the filter let it through. */
	return accept4(0, NULL, NULL, SOCK_CLOEXEC) < 0 && errno == ENOTSOCK ? 0 : 1;
}
static int p_tgkill_self(void)
{
	return (int)syscall(SYS_tgkill, getpid(), gettid(), 0);
}

static const struct probe probes[] = {
	{ "socket(AF_INET)", p_socket, EXPECT_SIGSYS, false, false },
	{ "ptrace(TRACEME)", p_ptrace, EXPECT_SIGSYS, false, false },
	{ "mount", p_mount, EXPECT_SIGSYS, false, false },
	{ "unshare(NEWNS)", p_unshare, EXPECT_SIGSYS, false, false },
	{ "fork", p_fork, EXPECT_SIGSYS, false, false },
	{ "execve", p_exec, EXPECT_SIGSYS, false, false },
	{ "mmap(PROT_EXEC)", p_mmap_exec, EXPECT_SIGSYS, false, false },
	{ "mprotect(PROT_EXEC)", p_mprotect_exec, EXPECT_SIGSYS, false, false },
	{ "open_by_handle_at", p_open_by_handle, EXPECT_SIGSYS, false, false },
	{ "kill(parent)", p_kill_other, EXPECT_SIGSYS, false, false },
	{ "ioctl(TIOCSTI)", p_ioctl_tiocsti, EXPECT_SIGSYS, false, false },
	{ "setfsuid (not multi-user)", p_setfsuid, EXPECT_SIGSYS, false, false },
	{ "accept4 (not accepting)", p_accept, EXPECT_SIGSYS, false, false },
	{ "chroot", p_chroot, EXPECT_SIGSYS, false, false },
	{ "setuid", p_setuid, EXPECT_SIGSYS, true, true },
	{ "pipe/read/write/openat", p_io, EXPECT_OK, false, false },
	{ "pthread_create x4", p_threads, EXPECT_OK, false, false },
	{ "clone3 -> ENOSYS", p_clone3_enosys, EXPECT_OK, false, false },
	{ "mmap(RW)", p_mmap_rw, EXPECT_OK, false, false },
	{ "setfsuid (multi-user)", p_setfsuid_multi, EXPECT_OK, true, false },
	{ "accept4 (accepting)", p_accept_allowed, EXPECT_OK, false, true },
	{ "tgkill(self, 0)", p_tgkill_self, EXPECT_OK, false, false },
};

static void run_probe(const struct probe *p)
{
	pid_t pid = fork();
	if (pid < 0) {
		CHECK(0, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int r = confine_install_seccomp(p->multi_user, p->allow_accept);
		if (r < 0)
			_exit(100);
		_exit(p->fn() == 0 ? 0 : 1);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid) {
		CHECK(0, "%s: waitpid: %s", p->name, strerror(errno));
		return;
	}
	if (p->expect == EXPECT_SIGSYS) {
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		      "%s: expected death by SIGSYS, got %s %d", p->name,
		      WIFSIGNALED(st) ? "signal" : "exit",
		      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	} else {
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: expected exit 0, got %s %d",
		      p->name, WIFSIGNALED(st) ? "signal" : "exit",
		      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

int main(void)
{
	size_t ran = 0;
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		int before = check_failures;
		run_probe(&probes[i]);
		NOTE("%s %s", check_failures == before ? "ok" : "not ok", probes[i].name);
		ran++;
	}
	NOTE("%zu probes, %d failed", ran, check_failures);
	return check_failures ? 1 : 0;
}
