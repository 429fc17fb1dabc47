/* Waiting for a process to exit without sleeping in steps. */
#ifndef BURROW_PIDWAIT_H
#define BURROW_PIDWAIT_H

#include <sys/types.h>

/* Wait up to timeout_ms for pid to exit (become a zombie or vanish); works for
 * children and non-children alike.  Returns 1 when it has exited, 0 on timeout,
 * -ENOSYS when the kernel has no pidfd_open (callers fall back to polling),
 * or another -errno. */
int pid_wait_exit(pid_t pid, int timeout_ms);

#endif
