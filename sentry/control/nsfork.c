/* Forking into the app's pid namespace while the server stays in the
 * host's (clone, ptrace-based tools and LeakSanitizer need its own pids
 * to make sense): an intermediate child joins the namespace for its
 * children, forks and exits; the grandchild is reparented to the server,
 * a subreaper, which reaps and reports it as its own. */
#include "srv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t ns_fork(const struct ns_set *ns)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t mid = fork();
	if (mid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (mid == 0) {
		close(p[0]);
		pid_t g = nsset_join_one(ns, NSX_PID) < 0 ? -1 : fork();
		if (g == 0) {
			close(p[1]);
			return 0;
		}
		_exit(write_full(p[1], &g, sizeof g) == 0 && g > 0 ? 0 : 1);
	}
	close(p[1]);
	pid_t g = -1;
	int r = read_full(p[0], &g, sizeof g);
	close(p[0]);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	return r == 0 && g > 0 ? g : -ECHILD;
}
