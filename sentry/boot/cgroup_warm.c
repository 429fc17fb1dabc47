/* Warming the cgroup migration lock (cgroup.h: cgroup_warm_start).
 *
 * Every cgroup.procs write takes the kernel's cgroup_threadgroup_rwsem
 * for writing; after a quiet spell that first waits for an RCU grace
 * period (its rcu_sync goes back to the readers' fast path), 6 to 10 ms
 * here, while later writes within about a grace period are free.  Moving
 * the app's init into its cgroup is on the start-up's critical path, so a
 * thread makes a no-op move of this process (into the cgroup it is in)
 * as soon as burrow starts: the grace period runs while the sentry is
 * being started.  Best effort: any failure just leaves the wait where it
 * was. */
#include "cgroup.h"
#include "util.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* cgroup.procs of the cgroup we are in, in the hierarchy of one line of
 * /proc/self/cgroup ("ID:CONTROLLERS:PATH"); -1 when it is not there. */
static int open_own_procs(char *line)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char path[4096];
	if (!c2)
		return -1;
	*c2 = '\0';
	const char *ctl = c1 + 1;
	char *rel = c2 + 1;
	rel[strcspn(rel, "\n")] = '\0';
	if (!strncmp(ctl, "name=", 5))
		return -1;
	if (*ctl)
		snprintf(path, sizeof path, CG_ROOT "/%s%s/cgroup.procs", ctl, rel);
	else if (cgroup_is_v2())
		snprintf(path, sizeof path, CG_ROOT "%s/cgroup.procs", rel);
	else
		snprintf(path, sizeof path, CG_ROOT "/unified%s/cgroup.procs", rel);
	return open(path, O_WRONLY | O_CLOEXEC);
}

static void *warm(void *unused)
{
	(void)unused;
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int fd = -1;
	while (f && fd < 0 && fgets(line, sizeof line, f))
		fd = open_own_procs(line);
	if (f)
		fclose(f);
	if (fd >= 0) {
		/* "0": this thread's process, into the cgroup it is in */
		if (write(fd, "0", 1) < 0) {
			/* not ours to move (rootless, delegation): nothing gained */
		}
		close(fd);
	}
	return NULL;
}

void cgroup_warm_start(void)
{
	pthread_t t;
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &attr, warm, NULL);
	pthread_attr_destroy(&attr);
}
