/* The new root: private propagation, the overlay (lower = the FUSE mount
 * or the host directory, upper and work on a size-limited tmpfs), the
 * root bind, pivot_root and the final read-only remount. */
#include "mountopts.h"
#include "rootfs.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int remount_bind(const char *path, unsigned long flags)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return -errno;
	/* Keep what is there (a user namespace locks nosuid/nodev/noexec/ro
	 * and the atime flags), add what was asked. */
	unsigned long keep = mount_flags_from_statvfs(sv.f_flag);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | keep | flags, NULL) < 0)
		return -errno;
	return 0;
}

static int path_printf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int path_printf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The host path a served mount's files come from, before any overlay. */
static int lower_path(struct rootfs *rf, size_t k, char *buf, size_t len)
{
	const struct boot_conn *c = &rf->cfg->conns[k];
	if (rf->cfg->proxy)
		return path_printf(buf, len, "%s/%zu", rf->staging, k);
	if (c->mount_index < 0)
		return path_printf(buf, len, "%s", rf->cfg->rootfs);
	const char *src = rf->cfg->spec.mounts[c->mount_index].source;
	if (src[0] == '/')
		return path_printf(buf, len, "%s", src);
	return path_printf(buf, len, "%s/%s", rf->cfg->bundle, src);
}

/* upper and work dirs for mount k on the overlay tmpfs; the upper root
 * takes the lower root's owner and mode (it is the merged root's). */
static int make_upper(struct rootfs *rf, size_t k, const char *lower, char *upper, char *work)
{
	struct stat st;
	int r;
	if ((r = path_printf(upper, PATH_MAX, "%s/ovl/u%zu", rf->staging, k)) < 0 ||
	    (r = path_printf(work, PATH_MAX, "%s/ovl/w%zu", rf->staging, k)) < 0)
		return r;
	if (stat(lower, &st) < 0)
		return boot_errorf(-errno, "overlay: stat lower %zu", k);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		return boot_errorf(-errno, "overlay: mkdir on the upper tmpfs");
	if (chmod(upper, st.st_mode & 07777) < 0)
		return boot_errorf(-errno, "overlay: chmod upper");
	/* Unmapped owners (user namespace) stay the tmpfs owner's. */
	if (chown(upper, st.st_uid, st.st_gid) < 0 && errno != EINVAL)
		return boot_errorf(-errno, "overlay: chown upper");
	return 0;
}

static int mount_overlay(struct rootfs *rf, size_t k, const char *lower, char *merged)
{
	char upper[PATH_MAX], work[PATH_MAX], data[3 * PATH_MAX + 64];
	int r = make_upper(rf, k, lower, upper, work);
	if (r < 0)
		return r;
	if ((r = path_printf(merged, PATH_MAX, "%s/merged%zu", rf->staging, k)) < 0)
		return r;
	if ((r = path_printf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s", lower,
			     upper, work)) < 0)
		return r;
	if (mount("overlay", merged, "overlay", 0, data) == 0)
		return 0;
	/* In a user namespace trusted.* xattrs are out of reach. */
	if (strlen(data) + 12 < sizeof data)
		strcat(data, ",userxattr");
	if (mount("overlay", merged, "overlay", 0, data) < 0)
		return boot_errorf(-errno, "mount overlay for %s",
				   rf->cfg->conns[k].mount_index < 0 ? "the root" : "a bind mount");
	return 0;
}

static int mount_overlay_tmpfs(struct rootfs *rf)
{
	char dir[PATH_MAX], data[64];
	int r = path_printf(dir, sizeof dir, "%s/ovl", rf->staging);
	if (r < 0)
		return r;
	snprintf(data, sizeof data, "size=%llu,mode=0755",
		 (unsigned long long)rf->cfg->overlay_size);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return boot_errorf(-errno, "mount the overlay tmpfs (%s)", data);
	return 0;
}

/* Where each served mount comes from now: the lower path or the overlay. */
static int place_served(struct rootfs *rf)
{
	struct boot_config *cfg = rf->cfg;
	bool any_overlay = false;
	for (size_t k = 0; k < cfg->n_conns; k++)
		any_overlay |= cfg->overlay && !cfg->conns[k].ro;
	if (any_overlay) {
		int r = mount_overlay_tmpfs(rf);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < cfg->n_conns; k++) {
		char lower[PATH_MAX], merged[PATH_MAX];
		int r = lower_path(rf, k, lower, sizeof lower);
		if (r < 0)
			return boot_errorf(r, "served mount %zu", k);
		const char *use = lower;
		if (cfg->overlay && !cfg->conns[k].ro) {
			if ((r = mount_overlay(rf, k, lower, merged)) < 0)
				return r;
			use = merged;
		}
		ssize_t mi = cfg->conns[k].mount_index;
		if (mi < 0) {
			if ((r = path_printf(rf->root, sizeof rf->root, "%s", use)) < 0)
				return r;
		} else if (!(rf->src[mi] = strdup(use))) {
			return -ENOMEM;
		}
	}
	return 0;
}

int rootfs_prepare(struct rootfs *rf)
{
	const struct oci_spec *s = &rf->cfg->spec;
	rf->root_fd = -1;
	rf->src = calloc(s->n_mounts + 1, sizeof *rf->src);
	if (!rf->src)
		return -ENOMEM;
	/* Nothing we mount from here on may reach the sentry or the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return boot_errorf(-errno, "make / private");
	int r = place_served(rf);
	if (r < 0)
		return r;
	if (!rf->root[0])
		return boot_errorf(-EINVAL, "no root among the served mounts");
	/* pivot_root needs a mount point; a plain host directory gets a bind. */
	if (!rf->cfg->proxy && !(rf->cfg->overlay && !rf->cfg->conns[0].ro) &&
	    mount(rf->root, rf->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return boot_errorf(-errno, "bind the root %s", rf->root);
	rf->root_fd = open(rf->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rf->root_fd < 0)
		return boot_errorf(-errno, "open the root %s", rf->root);
	return 0;
}

void rootfs_release(struct rootfs *rf)
{
	if (rf->src)
		for (size_t i = 0; i < rf->cfg->spec.n_mounts; i++)
			free(rf->src[i]);
	free(rf->src);
	rf->src = NULL;
	if (rf->root_fd >= 0)
		close(rf->root_fd);
	rf->root_fd = -1;
}

int rootfs_pivot(struct rootfs *rf)
{
	if (fchdir(rf->root_fd) < 0)
		return boot_errorf(-errno, "chdir to the new root");
	/* pivot_root(".", "."): the old root ends up stacked on the new one
	 * and is detached at once, with every host mount below it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return boot_errorf(-errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return boot_errorf(-errno, "detach the old root");
	if (chdir("/") < 0)
		return boot_errorf(-errno, "chdir /");
	close(rf->root_fd);
	rf->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rf->root_fd < 0)
		return boot_errorf(-errno, "open the new /");
	return 0;
}

static unsigned long propagation_flags(const char *name)
{
	static const struct {
		const char *n;
		unsigned long f;
	} t[] = {
		{ "private", MS_PRIVATE },	{ "rprivate", MS_PRIVATE | MS_REC },
		{ "slave", MS_SLAVE },		{ "rslave", MS_SLAVE | MS_REC },
		{ "shared", MS_SHARED },	{ "rshared", MS_SHARED | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].n, name) == 0)
			return t[i].f;
	return 0;
}

int rootfs_finish(struct rootfs *rf)
{
	const struct oci_spec *s = &rf->cfg->spec;
	if (s->root_readonly) {
		int r = remount_bind("/", MS_RDONLY);
		if (r < 0)
			return boot_errorf(r, "remount the root read-only");
	}
	if (s->linux_.rootfs_propagation &&
	    mount(NULL, "/", NULL, propagation_flags(s->linux_.rootfs_propagation), NULL) < 0)
		return boot_errorf(-errno, "linux.rootfsPropagation %s", s->linux_.rootfs_propagation);
	return 0;
}
