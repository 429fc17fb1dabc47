/* Namespaces of the app: which to create at clone, which to unshare or
 * join in its init, the id maps the sentry writes, loopback up. */
#ifndef BURROW_SENTRY_NAMESPACES_H
#define BURROW_SENTRY_NAMESPACES_H

#include <sys/types.h>

#include "boot.h"

/* Flags for clone(): new user and pid namespaces (the others are
 * unshared or joined by the init: ns_enter, ns_enter_mount). */
int ns_clone_flags(const struct boot_config *cfg);
/* Sentry, before clone: join a pid namespace given by path. */
int ns_join_pid(const struct boot_config *cfg);
/* Sentry, after clone: write uid_map and gid_map of `pid`. */
int ns_write_idmaps(const struct boot_config *cfg, pid_t pid);
/* Init, while the sentry enters its cgroup: join the user namespace
 * given by path, then unshare or join the uts, ipc and network ones. */
int ns_enter(const struct boot_config *cfg);
/* Init, once the sentry's mounts are in place: the mount namespace. */
int ns_enter_mount(const struct boot_config *cfg);
/* Init, once in its cgroup: the cgroup namespace. */
int ns_enter_cgroup(const struct boot_config *cfg);
/* Does the app get a namespace of `type` of its own (new, not joined)? */
int ns_is_new(const struct boot_config *cfg, int type);

#endif
