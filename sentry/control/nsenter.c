/* Joining a container's namespaces (nsenter.h). */
#include "nsenter.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	int type;
} kinds[NSX_N] = {
	[NSX_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
	[NSX_IPC] = { "ipc", CLONE_NEWIPC },
	[NSX_UTS] = { "uts", CLONE_NEWUTS },
	[NSX_NET] = { "net", CLONE_NEWNET },
	[NSX_PID] = { "pid", CLONE_NEWPID },
	[NSX_MNT] = { "mnt", CLONE_NEWNS },
	[NSX_USER] = { "user", CLONE_NEWUSER },
};

void nsset_close(struct ns_set *s)
{
	for (int i = 0; i < NSX_N; i++)
		if (s->fd[i] >= 0) {
			close(s->fd[i]);
			s->fd[i] = -1;
		}
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int nsset_open(pid_t pid, struct ns_set *s)
{
	for (int i = 0; i < NSX_N; i++)
		s->fd[i] = -1;
	for (int i = 0; i < NSX_N; i++) {
		char theirs[64], ours[64];
		snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)pid, kinds[i].name);
		snprintf(ours, sizeof ours, "/proc/self/ns/%s", kinds[i].name);
		int fd = open(theirs, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			/* A kernel without this namespace type. */
			if (e == ENOENT && access("/proc/self/ns", F_OK) == 0 && access(ours, F_OK) < 0)
				continue;
			nsset_close(s);
			return e == ENOENT ? -ESRCH : -e;
		}
		if (same_file(fd, ours))
			close(fd);
		else
			s->fd[i] = fd;
	}
	return 0;
}

int nsset_join_one(const struct ns_set *s, int which)
{
	if (s->fd[which] < 0)
		return 0;
	return setns(s->fd[which], kinds[which].type) < 0 ? -errno : 0;
}

int nsset_join(const struct ns_set *s, char *err, size_t errlen)
{
	static const int order[] = { NSX_CGROUP, NSX_IPC, NSX_UTS, NSX_NET, NSX_MNT, NSX_USER };
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		int r = nsset_join_one(s, order[i]);
		if (r < 0) {
			snprintf(err, errlen, "join the container's %s namespace: %s",
				 kinds[order[i]].name, strerror(-r));
			return r;
		}
	}
	return 0;
}
