/* Entering a running container: the namespaces of its init, opened by
 * fd early (a pid may be reused later) and joined in a forked child.
 * The control server uses it for exec; burrow for the hooks that run
 * inside the container (createContainer, startContainer). */
#ifndef BURROW_CONTROL_NSENTER_H
#define BURROW_CONTROL_NSENTER_H

#include <stdbool.h>
#include <sys/types.h>

enum { NSX_CGROUP, NSX_IPC, NSX_UTS, NSX_NET, NSX_PID, NSX_MNT, NSX_USER, NSX_N };

struct ns_set {
	int fd[NSX_N];               /* -1: the same as ours, nothing to join */
};

/* Open the namespaces of `pid` that differ from the caller's. */
int nsset_open(pid_t pid, struct ns_set *s);
void nsset_close(struct ns_set *s);
/* Does `pid` have a pid namespace of its own (so a fork is needed)? */
static inline bool nsset_has(const struct ns_set *s, int which)
{
	return s->fd[which] >= 0;
}
/* Join one (pid: for the children made afterwards). */
int nsset_join_one(const struct ns_set *s, int which);
/* Join all but the pid namespace: cgroup, ipc, uts, net, mount as the
 * host's root, the user namespace last (its caps then apply inside).
 * Single-threaded callers only.  The error names the namespace. */
int nsset_join(const struct ns_set *s, char *err, size_t errlen);

#endif
