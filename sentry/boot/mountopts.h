/* OCI mount options -> mount(2) flags, propagation flags and the data
 * string handed to the filesystem. */
#ifndef BURROW_SENTRY_MOUNTOPTS_H
#define BURROW_SENTRY_MOUNTOPTS_H

#include <stdbool.h>
#include <stddef.h>

struct mount_opts {
	unsigned long flags;         /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, ... */
	unsigned long clear;         /* flags explicitly turned off (rw, suid, ...) */
	unsigned long propagation;   /* MS_PRIVATE|MS_REC, ... or 0 */
	char data[1024];             /* the remaining options, comma-separated */
};

/* Parse `opts` (n of them).  -EINVAL with *bad set for an option burrow
 * cannot honour (e.g. idmap); -ENAMETOOLONG when data overflows. */
int mount_opts_parse(const char *const *opts, size_t n, struct mount_opts *out,
		     const char **bad);

/* MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RDONLY|atime flags from statvfs f_flag:
 * a read-only bind remount must keep the flags a user namespace locked. */
unsigned long mount_flags_from_statvfs(unsigned long f_flag);

#endif
