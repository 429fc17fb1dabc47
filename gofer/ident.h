/* Who a request runs as.  Every fid carries the credentials of the attach
 * it descends from; a worker thread switches its fs identity to them before
 * touching the host (setfsuid/setfsgid and the raw setgroups syscall are
 * per-thread on Linux, so workers do not disturb each other). */
#ifndef BURROW_GOFER_IDENT_H
#define BURROW_GOFER_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gofer.h"

struct cred {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;      /* supplementary groups, owned by the user table */
	size_t ngroups;
};

/* Credentials for an attach: from n_uname (P9_NONUNAME: look uname up). */
int ident_for_attach(const struct gofer_config *cfg, uint32_t n_uname, const char *uname,
		     struct cred *out);

/* Make the calling thread act as `c` for file system checks.  No-op in
 * server mode and when the thread already acts as `c`.  0 or -EPERM. */
int ident_apply(const struct gofer_config *cfg, const struct cred *c);

/* The group a new inode should get: the requested gid when the caller may
 * use it, its primary group otherwise.  (uint32_t)-1 means "the caller's". */
gid_t ident_create_gid(const struct cred *c, uint32_t requested);

/* Apply `c` with `gid` as the fs group for one creation. */
int ident_apply_create(const struct gofer_config *cfg, const struct cred *c, gid_t gid);

/* Server mode: give a freshly created inode (dirfd/name, not followed, or
 * fd when name is NULL) the caller's uid and the requested gid. */
int ident_chown_new(const struct gofer_config *cfg, const struct cred *c, uint32_t gid,
		    int dirfd, const char *name);

#endif
