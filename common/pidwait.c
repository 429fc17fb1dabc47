/* pidfd_open + poll: woken the moment the process exits, where a WNOHANG
 * loop with a sleep would add up to one sleep period to every wait. */
#include "pidwait.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int pid_wait_exit(pid_t pid, int timeout_ms)
{
	if (pid <= 0)
		return -EINVAL;
	__cleanup_close int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 1 : -errno;
	long deadline = now_ms() + timeout_ms;
	for (;;) {
		long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}
