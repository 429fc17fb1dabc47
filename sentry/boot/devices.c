/* /dev: the default nodes (null, zero, full, random, urandom, tty), the
 * spec's linux.devices and the usual symlinks.  mknod where allowed;
 * inside a user namespace the host's node is bind-mounted instead. */
#include "resolve.h"
#include "rootfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct oci_device default_devices[] = {
	{ .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
	{ .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
	{ .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
	{ .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
	{ .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
	{ .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },        { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },  { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

static mode_t type_bits(char t)
{
	return t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : S_IFCHR;
}

/* Bind the host's node at the same path over an empty file. */
static int bind_host_node(int parent, const char *name, const char *host_path)
{
	int fd = openat(parent, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	int at __cleanup_close = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (at < 0)
		return -errno;
	struct fd_path p;
	if (mount(host_path, fd_path(&p, at), NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

static int make_node(struct rootfs *rf, const struct oci_device *d, bool replace)
{
	char dir[PATH_MAX], base[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", d->path);
	snprintf(base, sizeof base, "%s", d->path);
	const char *name = basename(base);
	int parent __cleanup_close = resolve_create(rf->root_fd, dirname(dir), RESOLVE_DIR);
	if (parent < 0)
		return parent;
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!replace)
			return 0;
		if (unlinkat(parent, name, 0) < 0)
			return -errno;
	}
	mode_t mode = d->has_mode ? d->file_mode : 0666;
	if (mknodat(parent, name, type_bits(d->type) | mode,
		    makedev((unsigned)d->major, (unsigned)d->minor)) < 0) {
		if (errno != EPERM || d->type == 'p')
			return -errno;
		return bind_host_node(parent, name, d->path);
	}
	/* mknod applied no umask (init runs with umask 0); owners as asked. */
	uid_t uid = d->has_uid ? d->uid : 0;
	gid_t gid = d->has_gid ? d->gid : 0;
	if (fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

int devices_create(struct rootfs *rf)
{
	const struct oci_linux *l = &rf->cfg->spec.linux_;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		int r = make_node(rf, &default_devices[i], false);
		if (r < 0)
			return boot_errorf(r, "create %s", default_devices[i].path);
	}
	for (size_t i = 0; i < l->n_devices; i++) {
		int r = make_node(rf, &l->devices[i], true);
		if (r < 0)
			return boot_errorf(r, "linux.devices[%zu]: create %s", i, l->devices[i].path);
	}
	int dev __cleanup_close = resolve_in_root(rf->root_fd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return boot_errorf(dev, "open /dev");
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0 && errno != EEXIST)
			return boot_errorf(-errno, "symlink /dev/%s", dev_links[i].name);
	return 0;
}
