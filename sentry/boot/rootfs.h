/* The app's root, built by its init in its own mount namespace:
 * rootfs.c (root, overlay, pivot), mounts.c (the spec's mounts and /dev),
 * devices.c (device nodes), paths.c (masked and read-only paths). */
#ifndef BURROW_SENTRY_ROOTFS_H
#define BURROW_SENTRY_ROOTFS_H

#include <limits.h>
#include <stdbool.h>

#include "boot.h"

struct rootfs {
	struct boot_config *cfg;
	const char *staging;         /* the sentry's staging dir */
	char root[PATH_MAX];         /* host path of the new root, before pivot */
	int root_fd;                 /* O_PATH of it */
	char **src;                  /* per spec mount: replacement source or NULL */
};

int rootfs_prepare(struct rootfs *rf);
void rootfs_release(struct rootfs *rf);
int mounts_apply(struct rootfs *rf);
int devices_create(struct rootfs *rf);
int rootfs_pivot(struct rootfs *rf);
int paths_apply(const struct oci_linux *l);
int rootfs_finish(struct rootfs *rf);

/* Remount the mount at `path` (a /proc/self/fd path or real path) with
 * MS_BIND|MS_REMOUNT|flags, keeping the flags the kernel locked. */
int remount_bind(const char *path, unsigned long flags);

#endif
