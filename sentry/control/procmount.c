/* A procfs of the container's pid namespace for the sentry's own root.
 *
 * Engines find a container's processes by joining the mount namespace of
 * the pid they were given (the sentry's: the pid file's) and reading
 * /proc there (podman top through psgo).  The confined sentry's root is
 * its staging tmpfs; this proc mount, made by a process of ours in the
 * container's pid namespace (a procfs belongs to the mounter's),
 * is attached at <staging>/proc by the sentry before it pivots there. */
#include "srv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/msg.h"

static __attribute__((noreturn)) void make_in_child(int sock)
{
	int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		_exit(1);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC,
			  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0 || msg_send(sock, "proc", mnt) < 0)
		_exit(1);
	_exit(0);
}

int procmount_make(const struct ns_set *ns, int *out)
{
	int sv[2];
	*out = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t pid = ns_fork(ns);
	if (pid == 0) {
		close(sv[0]);
		make_in_child(sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return pid;
	}
	char buf[MSG_MAX];
	int fd = -1;
	ssize_t n = msg_recv(sv[0], buf, sizeof buf, &fd);
	close(sv[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n <= 0 || fd < 0 || !msg_is(buf, "proc", NULL)) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	*out = fd;
	return 0;
}
