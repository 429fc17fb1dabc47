/* The container's cgroup: memory and pids limits from linux.resources,
 * through cgroup v1 (each controller's hierarchy under /sys/fs/cgroup/<ctl>;
 * a hybrid host's /sys/fs/cgroup/unified is not where they live) or a pure
 * cgroup v2 host.  The path is linux.cgroupsPath (taken below each
 * hierarchy's root) or /burrow/<id>.  Used by the sentry (create, enter)
 * and by burrow (destroy, after the sentry is gone). */
#ifndef BURROW_SENTRY_CGROUP_H
#define BURROW_SENTRY_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/spec.h"

/* Where the hierarchies are mounted (v1: one directory per controller). */
#define CG_ROOT "/sys/fs/cgroup"

/* The cgroup path relative to each hierarchy root ("/burrow/ID"). */
int cgroup_rel_path(const struct oci_spec *spec, const char *id, char *out, size_t len);
/* Is /sys/fs/cgroup a cgroup2 mount (a pure v2 host)? */
bool cgroup_is_v2(void);
/* Make the cgroup and write the limits.  -errno with the error text set
 * (boot_errorf); a host without writable cgroups is an error only when the
 * spec sets limits. */
int cgroup_create(const struct oci_spec *spec, const char *id);
int cgroup_enter(const struct oci_spec *spec, const char *id, pid_t pid);
/* Start, in a detached thread, the RCU grace period the first cgroup
 * migration after a quiet spell waits for, so cgroup_enter does not
 * (cgroup_warm.c).  Best effort. */
void cgroup_warm_start(void);
/* Remove the cgroup directories (waiting briefly for the last exits). */
int cgroup_destroy(const struct oci_spec *spec, const char *id);

#endif
