/* Paths inside the container's root, resolved the way the container
 * will see them: symlinks and ".." never leave the root (openat2 with
 * RESOLVE_IN_ROOT), so a hostile rootfs cannot point a mount at the host. */
#ifndef BURROW_SENTRY_RESOLVE_H
#define BURROW_SENTRY_RESOLVE_H

#include <stdbool.h>
#include <sys/types.h>

/* openat2(root_fd, path, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS). */
int resolve_in_root(int root_fd, const char *path, int flags);

enum resolve_kind { RESOLVE_DIR, RESOLVE_FILE };

/* Resolve `path` below root_fd, creating missing directories (mode 0755)
 * and, for RESOLVE_FILE, an empty final file.  Returns an O_PATH fd of
 * the final component or -errno. */
int resolve_create(int root_fd, const char *path, enum resolve_kind kind);

/* "/proc/self/fd/N" for mount(2) calls on a resolved fd. */
struct fd_path {
	char s[40];
};
const char *fd_path(struct fd_path *b, int fd);

#endif
