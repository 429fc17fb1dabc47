/* The gofer's seccomp allowlist.  Default action: kill the whole process.
 * The list was built from the server's code and checked with
 * `strace -f` of burrow-gofer under the security and conformance
 * workloads; a syscall missing here shows up as a SIGSYS death (the
 * audit log names it), never as a silent failure.
 *
 * Deliberately absent (each would be a way out of the view or a new
 * privilege): open_by_handle_at and name_to_handle_at (with the kept
 * CAP_DAC_READ_SEARCH, a file handle opens any inode of the filesystem,
 * the "shocker" escape), socket/connect/bind/listen, mount and every
 * new-mount-API call, unshare/setns, execve, ptrace, process_vm_*,
 * pidfd_*, bpf, keyctl, io_uring_*, userfaultfd, perf_event_open, ioctl
 * beyond three harmless requests, kill of other processes. */
#include "confine.h"
#include "seccomp_allowlist.h"
#include "log.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

static const char *const always[] = {
	/* data */
	"read", "write", "pread64", "pwrite64", "lseek",
	/* files, always relative to an fd */
	"openat", "openat2", "close", "newfstatat", "fstat", "statx", "getdents64",
	"mkdirat", "unlinkat", "renameat", "renameat2", "linkat", "symlinkat", "readlinkat",
	"mknodat", "fchmod", "fchmodat", "fchown", "fchownat", "ftruncate", "utimensat",
	"fsync", "fdatasync", "fstatfs", "fcntl", "flock",
	/* xattrs, on open fds only */
	"fgetxattr", "fsetxattr", "flistxattr", "fremovexattr",
	/* the event loop and its wakeups */
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	"eventfd2", "pipe2", "poll", "ppoll", "timerfd_create", "timerfd_settime",
	"timerfd_gettime",
	/* connected sockets (no new ones); sendmsg/recvmsg for fd passing */
	"recvmsg", "sendmsg", "recvfrom", "sendto", "shutdown", "getsockopt", "setsockopt",
	"getsockname",
	/* memory (mmap/mprotect: see add_memory_rules) */
	"munmap", "mremap", "brk", "madvise",
	/* threads and signals (clone: see add_thread_rules) */
	"futex", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity",
	"exit", "exit_group", "gettid", "getpid",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	/* time, randomness, identity queries */
	"clock_gettime", "clock_getres", "gettimeofday", "nanosleep", "clock_nanosleep",
	"getrandom", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
	"getgroups",
};

/* Per-request identity (multi-user and squash modes): per-thread calls. */
static const char *const identity[] = { "setfsuid", "setfsgid", "setgroups" };

static const char *const accepting[] = { "accept4", "accept" };

/* The sanitizer runtimes (ASan, UBSan) report an error with syscalls the
 * gofer itself never makes; only sanitizer builds carry these.  LSan's
 * exit-time check (ptrace, /proc/self/task) cannot work in the view at
 * all: confine_self() runs it once before confining instead. */
static const char *const sanitizer_extras[] = {
	"open", "readlink", "stat", "lstat", "access", "prctl", "getrlimit", "prlimit64",
	"mincore", "uname", "getppid",
};

static int allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;    /* unknown to this libseccomp or arch */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EEXIST) {
			log_error("seccomp: %s: rule refused", names[i]);
			return r;
		}
	}
	return 0;
}

/* No executable mappings: the gofer never loads code after start-up. */
static int add_memory_rules(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return r;
}

/* Threads only.  clone3 passes its flags in memory, where seccomp cannot
 * look: answer ENOSYS so glibc falls back to clone, whose flags must
 * include every bit of a thread (so neither fork nor a new namespace). */
static int add_thread_rules(scmp_filter_ctx ctx)
{
	const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				CLONE_THREAD | CLONE_SYSVSEM;
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				 SCMP_A0(SCMP_CMP_MASKED_EQ, thread, thread));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* abort() and pthread_kill() signal a thread of this process only. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				     SCMP_A0(SCMP_CMP_EQ, (uint64_t)getpid()));
	/* Thread names only. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				     SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				     SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
	/* Reading limits is harmless; setting them is not needed. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2,
				     SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A2(SCMP_CMP_EQ, 0));
	return r;
}

/* isatty() (stdio), FIONBIO and FIOCLEX; no other ioctl reaches a file. */
static int add_ioctl_rules(scmp_filter_ctx ctx)
{
	static const unsigned long reqs[] = { TCGETS, FIONBIO, FIOCLEX };
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					 SCMP_A1(SCMP_CMP_EQ, reqs[i]));
		if (r < 0)
			return r;
	}
	return 0;
}

static int build_filter(scmp_filter_ctx ctx, bool multi_user, bool allow_accept)
{
	int r = allow_names(ctx, always, sizeof always / sizeof always[0]);
	if (r == 0 && multi_user)
		r = allow_names(ctx, identity, sizeof identity / sizeof identity[0]);
	if (r == 0 && allow_accept)
		r = allow_names(ctx, accepting, sizeof accepting / sizeof accepting[0]);
#ifdef BURROW_SANITIZED
	if (r == 0)
		r = allow_names(ctx, sanitizer_extras,
				sizeof sanitizer_extras / sizeof sanitizer_extras[0]);
#else
	(void)sanitizer_extras;
#endif
	if (r == 0)
		r = add_memory_rules(ctx);
	if (r == 0)
		r = add_thread_rules(ctx);
	if (r == 0)
		r = add_ioctl_rules(ctx);
	return r;
}

int confine_install_seccomp(bool multi_user, bool allow_accept)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	/* no_new_privs is set by the caller too; TSYNC covers any thread a
	 * library may have started, and fails the load if it cannot. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = build_filter(ctx, multi_user, allow_accept);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}
