/* The container's cgroup (made by the sentry, sentry/boot/cgroup.h) as
 * the control server sees it: dir fds for the stats, cgroup.procs fds so
 * exec'd processes join it. */
#ifndef BURROW_CONTROL_CGROUPS_H
#define BURROW_CONTROL_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"

enum { CGX_MEMORY, CGX_PIDS, CGX_CPUACCT, CGX_DEVICES, CGX_N };

struct srv_cgroup {
	bool v2;                     /* one dir: dir[CGX_MEMORY] */
	int dir[CGX_N];              /* O_PATH directories, -1 when absent */
	int procs[CGX_N];            /* their cgroup.procs, write-only */
};

void srv_cgroup_init(struct srv_cgroup *cg);
/* Open the container's groups; missing hierarchies are skipped. */
int srv_cgroup_open(struct srv_cgroup *cg, const struct oci_spec *spec, const char *id);
/* The directory holding controller `which`'s files, or -1. */
int srv_cgroup_dir(const struct srv_cgroup *cg, int which);
/* In a forked child: move the caller into every group.  -errno. */
int srv_cgroup_join(const struct srv_cgroup *cg);
/* The pids listed in the group (pids, else memory, else v2).  -ENOENT
 * when there is no group. */
int srv_cgroup_pids(const struct srv_cgroup *cg, pid_t **out, size_t *n);
void srv_cgroup_close(struct srv_cgroup *cg);

#endif
