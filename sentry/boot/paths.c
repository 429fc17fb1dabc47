/* linux.maskedPaths (hidden under an empty read-only tmpfs or /dev/null)
 * and linux.readonlyPaths (bind-remounted read-only), after pivot_root. */
#include "resolve.h"
#include "rootfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int mask_path(int root, const char *path)
{
	int fd __cleanup_close = resolve_in_root(root, path, O_PATH);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	struct fd_path p;
	if (S_ISDIR(st.st_mode))
		return mount("tmpfs", fd_path(&p, fd), "tmpfs", MS_RDONLY, NULL) < 0 ? -errno : 0;
	return mount("/dev/null", fd_path(&p, fd), NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

static int readonly_path(int root, const char *path)
{
	int fd __cleanup_close = resolve_in_root(root, path, O_PATH);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	struct fd_path p;
	if (mount(fd_path(&p, fd), fd_path(&p, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	close(fd);
	fd = resolve_in_root(root, path, O_PATH);
	if (fd < 0)
		return fd;
	return remount_bind(fd_path(&p, fd), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

int paths_apply(const struct oci_linux *l)
{
	int root __cleanup_close = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return boot_errorf(-errno, "open /");
	for (size_t i = 0; i < l->n_readonly_paths; i++) {
		int r = readonly_path(root, l->readonly_paths[i]);
		if (r < 0)
			return boot_errorf(r, "linux.readonlyPaths[%zu] %s", i, l->readonly_paths[i]);
	}
	for (size_t i = 0; i < l->n_masked_paths; i++) {
		int r = mask_path(root, l->masked_paths[i]);
		if (r < 0)
			return boot_errorf(r, "linux.maskedPaths[%zu] %s", i, l->masked_paths[i]);
	}
	return 0;
}
