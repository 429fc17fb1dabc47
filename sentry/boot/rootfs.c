/* The new root: private propagation, the overlay (lower = the FUSE mount
 * or the host directory, upper and work on a size-limited tmpfs), the
 * root bind, pivot_root and the final read-only remount. */
#include "mountopts.h"
#include "resolve.h"
#include "rootfs.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
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

/* The kernel's id for "unmapped in this user namespace". */
static bool is_overflow_id(unsigned id, const char *file)
{
	char buf[16] = "";
	FILE *f = fopen(file, "re");
	if (!f)
		return false;
	bool r = fgets(buf, sizeof buf, f) && (unsigned)strtoul(buf, NULL, 10) == id;
	fclose(f);
	return r;
}

/* upper and work dirs for mount k on the overlay tmpfs (paths relative to
 * the staging dir, our cwd); the upper root takes the lower root's mode
 * and, where it is mapped, its owner: it is the merged root's. */
static int make_upper(size_t k, const char *lower, char *upper, char *work)
{
	struct stat st;
	int r;
	if ((r = path_printf(upper, PATH_MAX, "ovl/u%zu", k)) < 0 ||
	    (r = path_printf(work, PATH_MAX, "ovl/w%zu", k)) < 0)
		return r;
	if (stat(lower, &st) < 0)
		return boot_errorf(-errno, "overlay: stat lower %zu", k);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		return boot_errorf(-errno, "overlay: mkdir on the upper tmpfs");
	if (chmod(upper, st.st_mode & 07777) < 0)
		return boot_errorf(-errno, "overlay: chmod upper");
	if (is_overflow_id(st.st_uid, "/proc/sys/fs/overflowuid") ||
	    is_overflow_id(st.st_gid, "/proc/sys/fs/overflowgid"))
		return 0;
	if (chown(upper, st.st_uid, st.st_gid) < 0)
		return boot_errorf(-errno, "overlay: chown upper");
	return 0;
}

/* Relative paths keep host paths out of the options the app can read in
 * /proc/self/mountinfo; the lower is staging/<k> (a direct mode host
 * directory is bound there first). */
static int mount_overlay(struct rootfs *rf, size_t k, const char *lower, char *merged)
{
	char rel_lower[32], upper[PATH_MAX], work[PATH_MAX], data[3 * PATH_MAX + 64];
	int r;
	snprintf(rel_lower, sizeof rel_lower, "%zu", k);
	if (!rf->cfg->proxy && mount(lower, rel_lower, NULL, MS_BIND | MS_REC, NULL) < 0)
		return boot_errorf(-errno, "overlay: bind the lower dir %zu", k);
	if ((r = make_upper(k, rel_lower, upper, work)) < 0)
		return r;
	if ((r = path_printf(merged, PATH_MAX, "%s/merged%zu", rf->staging, k)) < 0)
		return r;
	if ((r = path_printf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s", rel_lower,
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
	char data[64];
	snprintf(data, sizeof data, "size=%llu,mode=0755",
		 (unsigned long long)rf->cfg->overlay_size);
	if (chdir(rf->staging) < 0)
		return boot_errorf(-errno, "chdir to the staging dir");
	if (mount("tmpfs", "ovl", "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return boot_errorf(-errno, "mount the overlay tmpfs (%s)", data);
	return 0;
}

/* Is `dest` below another mount's destination (made inside that one)? */
static bool nested(const struct oci_spec *s, const char *dest)
{
	for (size_t j = 0; j < s->n_mounts; j++) {
		const char *d = s->mounts[j].destination;
		size_t n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			n--;
		if (strncmp(dest, d, n) == 0 && dest[n] == '/' && dest[n + 1])
			return true;
	}
	return false;
}

/* Does the root lack a mount point or the cwd?  A read-only served root
 * cannot get them, and the host must not be written for them. */
static bool needs_mountpoints(const struct boot_config *cfg, const char *lower)
{
	const struct oci_spec *s = &cfg->spec;
	int root __cleanup_close = open(lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return false;
	int fd = resolve_in_root(root, s->process.cwd, O_PATH);
	bool missing = fd == -ENOENT;
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; !missing && i < s->n_mounts; i++) {
		if (nested(s, s->mounts[i].destination))
			continue;
		fd = resolve_in_root(root, s->mounts[i].destination, O_PATH);
		missing = fd == -ENOENT;
		if (fd >= 0)
			close(fd);
	}
	return missing;
}

/* Which served mounts get an overlay: the writable ones with --overlay,
 * and a read-only root that lacks mount points (then its tmpfs upper
 * holds just those, as gVisor makes them up; the root goes read-only
 * again at the end) when files come from the gofer or the overlay. */
static bool wants_overlay(struct rootfs *rf, size_t k, const char *lower)
{
	const struct boot_config *cfg = rf->cfg;
	const struct boot_conn *c = &cfg->conns[k];
	if (!c->ro)
		return cfg->overlay;
	return c->mount_index < 0 && (cfg->proxy || cfg->overlay) &&
	       needs_mountpoints(cfg, lower);
}

/* Where each served mount comes from now: the lower path or the overlay. */
static int place_served(struct rootfs *rf)
{
	struct boot_config *cfg = rf->cfg;
	bool ovl[64] = { false }, tmpfs_done = false;
	if (cfg->n_conns > ARRAY_SIZE(ovl))
		return boot_errorf(-E2BIG, "more than %zu served mounts", ARRAY_SIZE(ovl));
	for (size_t k = 0; k < cfg->n_conns; k++) {
		char lower[PATH_MAX], merged[PATH_MAX];
		int r = lower_path(rf, k, lower, sizeof lower);
		if (r < 0)
			return boot_errorf(r, "served mount %zu", k);
		const char *use = lower;
		ovl[k] = wants_overlay(rf, k, lower);
		if (ovl[k] && !tmpfs_done) {
			if ((r = mount_overlay_tmpfs(rf)) < 0)
				return r;
			tmpfs_done = true;
		}
		if (ovl[k]) {
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
	/* pivot_root wants a mount point of our own: a host directory is none,
	 * and a mount inherited into a user namespace is locked. */
	if (mount(rf->root, rf->root, NULL, MS_BIND | MS_REC, NULL) < 0)
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
