/* The confined sentry's seccomp allowlist: the main loop (poll, signals,
 * the controller and sync sockets, wait, kill of the app), the FUSE
 * workers and the 9P client (read/write on /dev/fuse and the sockets,
 * threads, memory).  Anything else kills the process. */
#include "sentry_confine.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <unistd.h>

static const int allowed[] = {
	/* I/O on fds we hold */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fcntl), SCMP_SYS(fstat),
	SCMP_SYS(newfstatat), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate),
	SCMP_SYS(fallocate), SCMP_SYS(flock), SCMP_SYS(dup), SCMP_SYS(dup3),
	SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(shutdown), SCMP_SYS(poll), SCMP_SYS(ppoll),
	/* signals, children */
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigaction),
	SCMP_SYS(sigaltstack), SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(restart_syscall),
	/* threads and memory */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(brk),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
	SCMP_SYS(madvise), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* identity and time */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep), SCMP_SYS(getrandom),
};

static int add_rules(scmp_filter_ctx ctx, pid_t app)
{
	int r;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0)) < 0)
			return r;
	/* New FUSE workers are threads; glibc falls back from clone3. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0)
		return r;
	/* glibc asks the memory size now and then (qsort of a large array
	 * calls sysconf(_SC_PHYS_PAGES)) and copes without: refuse quietly. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(sysinfo), 0)) < 0)
		return r;
	/* strerror() may look for message catalogs: refuse quietly. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0)) < 0)
		return r;
	/* Signals: to the app, or to our own threads (pthread_cancel). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				  SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)app))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				  SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()))) < 0)
		return r;
	return 0;
}

int sentry_install_seccomp(pid_t app)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = add_rules(ctx, app);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
