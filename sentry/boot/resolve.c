/* Resolution of container paths below the new root (see resolve.h). */
#include "resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int resolve_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

const char *fd_path(struct fd_path *b, int fd)
{
	snprintf(b->s, sizeof b->s, "/proc/self/fd/%d", fd);
	return b->s;
}

/* Make the last component `name` in `parent` (a resolved directory). */
static int make_component(int parent, const char *name, bool is_file)
{
	if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
		return 0;
	if (!is_file)
		return mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

int resolve_create(int root_fd, const char *path, enum resolve_kind kind)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof buf)
		return -ENAMETOOLONG;
	strcpy(buf, path);

	int parent __cleanup_close = dup(root_fd);
	if (parent < 0)
		return -errno;
	char *p = buf;
	while (*p == '/')
		p++;
	if (!*p)
		return kind == RESOLVE_DIR ? steal_fd(&parent) : -EISDIR;
	for (;;) {
		char *slash = strchr(p, '/');
		bool last = true;
		if (slash) {
			*slash = '\0';
			const char *rest = slash + 1;
			while (*rest == '/')
				rest++;
			last = *rest == '\0';
		}
		/* buf now holds the prefix up to and including this component. */
		int fd = resolve_in_root(root_fd, buf, O_PATH);
		if (fd == -ENOENT) {
			int r = make_component(parent, p, last && kind == RESOLVE_FILE);
			if (r < 0)
				return r;
			fd = resolve_in_root(root_fd, buf, O_PATH);
		}
		if (fd < 0)
			return fd;
		close(parent);
		parent = fd;
		if (last)
			return steal_fd(&parent);
		*slash = '/';
		p = slash + 1;
		while (*p == '/')
			p++;
	}
}
