/* Tgetattr Tsetattr Tstatfs: metadata through the fid's O_PATH fd, which
 * keeps working for files unlinked while a fid holds them. */
#include "ops.h"
#include "qid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static void attr_from_stat(const struct stat *st, struct p9_attr *a)
{
	a->valid = P9_GETATTR_BASIC;
	a->qid = qid_from_stat(st);
	a->mode = st->st_mode;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->nlink = st->st_nlink;
	a->rdev = st->st_rdev;
	a->size = (uint64_t)st->st_size;
	a->blksize = (uint64_t)st->st_blksize;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime_sec = (uint64_t)st->st_atim.tv_sec;
	a->atime_nsec = (uint64_t)st->st_atim.tv_nsec;
	a->mtime_sec = (uint64_t)st->st_mtim.tv_sec;
	a->mtime_nsec = (uint64_t)st->st_mtim.tv_nsec;
	a->ctime_sec = (uint64_t)st->st_ctim.tv_sec;
	a->ctime_nsec = (uint64_t)st->st_ctim.tv_nsec;
}

int op_getattr(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f;
	int rc = fid_use(x, m->u.tgetattr.fid, &f);
	if (rc < 0)
		return rc;
	struct stat st;
	if (f->kind != FID_FILE)
		rc = -EBADF;
	else if (fstat(f->node->fd, &st) < 0)
		rc = -errno;
	else
		attr_from_stat(&st, &r->u.rgetattr);
	fid_put(f);
	return rc;
}

/* chmod follows /proc/self/fd/N to the inode (chmod never opens it);
 * symlinks have no mode of their own to change. */
static int set_mode(struct op_ctx *x, struct fid *f, uint32_t mode)
{
	int fd = atomic_load(&f->open_fd);
	if (fd >= 0)
		return fchmod(fd, mode & 07777) < 0 ? -errno : 0;
	if (f->fmt == S_IFLNK)
		return -EOPNOTSUPP;
	char name[16];
	proc_name(f->node->fd, name);
	return fchmodat(x->cfg->proc_fd, name, mode & 07777, 0) < 0 ? -errno : 0;
}

static struct timespec ts_of(uint32_t valid, uint32_t set_bit, uint32_t now_bit,
			     uint64_t sec, uint64_t nsec)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = UTIME_OMIT };
	if (valid & set_bit) {
		ts.tv_sec = (time_t)sec;
		ts.tv_nsec = (long)nsec;
	} else if (valid & now_bit) {
		ts.tv_nsec = UTIME_NOW;
	}
	return ts;
}

static int set_times(const struct fid *f, const struct p9_iattr *a)
{
	if ((a->valid & P9_SETATTR_ATIME_SET && a->atime_nsec >= 1000000000u) ||
	    (a->valid & P9_SETATTR_MTIME_SET && a->mtime_nsec >= 1000000000u))
		return -EINVAL;
	struct timespec ts[2] = {
		ts_of(a->valid, P9_SETATTR_ATIME_SET, P9_SETATTR_ATIME, a->atime_sec, a->atime_nsec),
		ts_of(a->valid, P9_SETATTR_MTIME_SET, P9_SETATTR_MTIME, a->mtime_sec, a->mtime_nsec),
	};
	return utimensat(f->node->fd, "", ts, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

static int set_owner(const struct fid *f, const struct p9_iattr *a)
{
	uid_t uid = a->valid & P9_SETATTR_UID ? (uid_t)a->uid : (uid_t)-1;
	gid_t gid = a->valid & P9_SETATTR_GID ? (gid_t)a->gid : (gid_t)-1;
	return fchownat(f->node->fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

static int set_size(struct op_ctx *x, struct fid *f, uint64_t size)
{
	if (size > INT64_MAX)
		return -EINVAL;
	if (f->fmt == S_IFDIR)
		return -EISDIR;
	if (f->fmt != S_IFREG)
		return -EINVAL;
	int fd = atomic_load(&f->open_fd);
	int own __cleanup_close = -1;
	if (fd < 0 || f->open_acc == O_RDONLY) {
		own = fid_reopen(x, f, O_WRONLY);
		if (own < 0)
			return own;
		fd = own;
	}
	if (ftruncate(fd, (off_t)size) < 0)
		return -errno;
	clear_suid_after_write(x, f, fd);
	return 0;
}

int op_setattr(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	int rc = check_writable(x);
	struct fid *f;
	if (rc == 0)
		rc = fid_use(x, m->u.tsetattr.fid, &f);
	if (rc < 0)
		return rc;
	const struct p9_iattr *a = &m->u.tsetattr.attr;
	if (f->kind != FID_FILE)
		rc = -EBADF;
	/* The order other servers use: mode, times, owner, size. */
	if (rc == 0 && (a->valid & P9_SETATTR_MODE))
		rc = set_mode(x, f, a->mode);
	if (rc == 0 && (a->valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)))
		rc = set_times(f, a);
	if (rc == 0 && (a->valid & (P9_SETATTR_UID | P9_SETATTR_GID)))
		rc = set_owner(f, a);
	if (rc == 0 && (a->valid & P9_SETATTR_SIZE))
		rc = set_size(x, f, a->size);
	fid_put(f);
	return rc;
}

int op_statfs(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f;
	int rc = fid_use(x, m->u.tstatfs.fid, &f);
	if (rc < 0)
		return rc;
	struct statfs sf;
	if (fstatfs(f->node->fd, &sf) < 0) {
		rc = -errno;
	} else {
		struct p9_statfs *s = &r->u.rstatfs;
		s->type = (uint32_t)sf.f_type;
		s->bsize = (uint32_t)sf.f_bsize;
		s->blocks = sf.f_blocks;
		s->bfree = sf.f_bfree;
		s->bavail = sf.f_bavail;
		s->files = sf.f_files;
		s->ffree = sf.f_ffree;
		uint64_t fsid;
		memcpy(&fsid, &sf.f_fsid, sizeof fsid);
		s->fsid = fsid;
		s->namelen = (uint32_t)sf.f_namelen;
	}
	fid_put(f);
	return rc;
}
