/* The spec's mounts, in order, below the new root; a default /dev
 * (tmpfs, devpts, shm) where the spec has none. */
#include "mountopts.h"
#include "resolve.h"
#include "rootfs.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
		       MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

static int has_mount_at(const struct oci_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dest) == 0)
			return 1;
	return 0;
}

static int set_propagation(const char *path, unsigned long prop)
{
	if (prop && mount(NULL, path, NULL, prop, NULL) < 0)
		return -errno;
	return 0;
}

/* Re-resolve dest: after a mount the old fd still names what is under it. */
static int remount_at(struct rootfs *rf, const char *dest, const struct mount_opts *o)
{
	unsigned long fl = o->flags & REMOUNT_FLAGS;
	if (!fl && !o->propagation)
		return 0;
	int fd __cleanup_close = resolve_in_root(rf->root_fd, dest, O_PATH);
	if (fd < 0)
		return fd;
	struct fd_path p;
	int r = fl ? remount_bind(fd_path(&p, fd), fl) : 0;
	return r < 0 ? r : set_propagation(fd_path(&p, fd), o->propagation);
}

static int mount_bind(struct rootfs *rf, size_t i, const struct mount_opts *o)
{
	const struct oci_mount *m = &rf->cfg->spec.mounts[i];
	char src[PATH_MAX];
	struct stat st;
	if (rf->src[i])
		snprintf(src, sizeof src, "%s", rf->src[i]);
	else if (m->source[0] == '/')
		snprintf(src, sizeof src, "%s", m->source);
	else
		snprintf(src, sizeof src, "%s/%s", rf->cfg->bundle, m->source);
	if (stat(src, &st) < 0)
		return boot_errorf(-errno, "mount %s: source %s", m->destination, m->source);
	int fd __cleanup_close = resolve_create(rf->root_fd, m->destination,
						 S_ISDIR(st.st_mode) ? RESOLVE_DIR : RESOLVE_FILE);
	if (fd < 0)
		return boot_errorf(fd, "mount %s: make the mount point", m->destination);
	struct fd_path p;
	if (mount(src, fd_path(&p, fd), NULL, MS_BIND | (o->flags & MS_REC), NULL) < 0)
		return boot_errorf(-errno, "bind %s on %s", m->source, m->destination);
	int r = remount_at(rf, m->destination, o);
	return r < 0 ? boot_errorf(r, "mount %s: apply options", m->destination) : 0;
}

/* Without the kernel's blessing (a user namespace without its own net
 * namespace cannot mount sysfs), runc binds the host's /sys; so do we. */
static int sysfs_fallback(const char *target, unsigned long flags)
{
	if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	return remount_bind(target, flags & REMOUNT_FLAGS);
}

/* devpts: gid=5 fails (EINVAL) when gid 5 is not mapped; drop it. */
static int devpts_retry(const char *src, const char *target, unsigned long flags,
			const char *data)
{
	char buf[1024], *out = buf;
	const char *p = data;
	buf[0] = '\0';
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (strncmp(p, "gid=", 4) != 0 && (size_t)(out - buf) + len + 2 < sizeof buf) {
			if (out != buf)
				*out++ = ',';
			memcpy(out, p, len);
			out += len;
			*out = '\0';
		}
		p += len + (comma ? 1 : 0);
	}
	return mount(src, target, "devpts", flags, buf) < 0 ? -errno : 0;
}

static int mount_fs(struct rootfs *rf, const struct oci_mount *m, const char *type,
		    const struct mount_opts *o)
{
	int fd __cleanup_close = resolve_create(rf->root_fd, m->destination, RESOLVE_DIR);
	if (fd < 0)
		return boot_errorf(fd, "mount %s: make the mount point", m->destination);
	struct fd_path p;
	const char *target = fd_path(&p, fd);
	const char *src = m->source && *m->source ? m->source : type;
	unsigned long flags = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	int r = mount(src, target, type, flags, o->data[0] ? o->data : NULL) < 0 ? -errno : 0;
	if (r == -EPERM && strcmp(type, "sysfs") == 0)
		r = sysfs_fallback(target, flags);
	else if (r == -EINVAL && strcmp(type, "devpts") == 0 && strstr(o->data, "gid="))
		r = devpts_retry(src, target, flags, o->data);
	if (r < 0)
		return boot_errorf(r, "mount %s (%s)", m->destination, type);
	if (o->propagation) {
		close(fd);
		fd = resolve_in_root(rf->root_fd, m->destination, O_PATH);
		if (fd < 0 || set_propagation(fd_path(&p, fd), o->propagation) < 0)
			return boot_errorf(fd < 0 ? fd : -errno, "mount %s: propagation",
					   m->destination);
	}
	return 0;
}

/* A "cgroup" mount: the container's own cgroup, read-only. */
static int mount_cgroup(struct rootfs *rf, const struct oci_mount *m, struct mount_opts *o)
{
	struct oci_mount c2 = *m;
	c2.source = "cgroup2";
	/* cgroup v2 hosts mount cgroup2 (the cgroup namespace scopes it); on
	 * v1 hosts only a read-only tmpfs is offered: burrow does not expose
	 * v1 hierarchies to the app. */
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
		return mount_fs(rf, &c2, "cgroup2", o);
	c2.source = "tmpfs";
	o->flags |= MS_RDONLY;
	snprintf(o->data, sizeof o->data, "mode=0755,size=4k");
	return mount_fs(rf, &c2, "tmpfs", o);
}

static int mount_one(struct rootfs *rf, size_t i)
{
	const struct oci_mount *m = &rf->cfg->spec.mounts[i];
	struct mount_opts o;
	const char *bad = NULL;
	int r = mount_opts_parse(m->options, m->n_options, &o, &bad);
	if (r < 0)
		return boot_errorf(r, "mounts[%zu] (%s): option \"%s\" is not supported", i,
				   m->destination, bad ? bad : "?");
	if (oci_mount_is_bind(m))
		return mount_bind(rf, i, &o);
	if (!m->type || !*m->type)
		return boot_errorf(-EINVAL, "mounts[%zu] (%s): no type", i, m->destination);
	if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		return mount_cgroup(rf, m, &o);
	return mount_fs(rf, m, m->type, &o);
}

static int mount_default(struct rootfs *rf, const char *dest, const char *type,
			 const char *const *opts, size_t n)
{
	if (has_mount_at(&rf->cfg->spec, dest))
		return 0;
	struct oci_mount m = { .destination = dest, .type = type, .source = type,
			       .options = (const char **)opts, .n_options = n };
	struct mount_opts o;
	int r = mount_opts_parse(opts, n, &o, NULL);
	return r < 0 ? r : mount_fs(rf, &m, type, &o);
}

int mounts_apply(struct rootfs *rf)
{
	static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755",
						"size=65536k" };
	static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance",
						"ptmxmode=0666", "mode=0620", "gid=5" };
	static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777",
						"size=65536k" };
	int r = mount_default(rf, "/dev", "tmpfs", dev_opts, ARRAY_SIZE(dev_opts));
	for (size_t i = 0; r == 0 && i < rf->cfg->spec.n_mounts; i++)
		r = mount_one(rf, i);
	if (r == 0)
		r = mount_default(rf, "/dev/pts", "devpts", pts_opts, ARRAY_SIZE(pts_opts));
	if (r == 0)
		r = mount_default(rf, "/dev/shm", "tmpfs", shm_opts, ARRAY_SIZE(shm_opts));
	return r;
}
