/* Attributes and entries: 9P Rgetattr -> struct stat, lookups, the
 * ownership rules for new files, open flags. */
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

void fs_attr_to_stat(const struct p9_attr *a, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_ino = a->qid.path;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (off_t)a->size;
	st->st_blksize = a->blksize ? (blksize_t)a->blksize : 4096;
	st->st_blocks = (blkcnt_t)a->blocks;
	st->st_atim.tv_sec = (time_t)a->atime_sec;
	st->st_atim.tv_nsec = (long)(a->atime_nsec % 1000000000u);
	st->st_mtim.tv_sec = (time_t)a->mtime_sec;
	st->st_mtim.tv_nsec = (long)(a->mtime_nsec % 1000000000u);
	st->st_ctim.tv_sec = (time_t)a->ctime_sec;
	st->st_ctim.tv_nsec = (long)(a->ctime_nsec % 1000000000u);
}

static int getattr_raw(struct fs *fs, uint32_t fid, struct p9_attr *a)
{
	int r = p9_getattr(fs->c, fid, P9_GETATTR_BASIC, a);
	if (r < 0)
		return r;
	/* a server that leaves out the basics gives us nothing to show */
	if ((a->valid & (P9_GETATTR_MODE | P9_GETATTR_SIZE)) != (P9_GETATTR_MODE | P9_GETATTR_SIZE))
		return -EIO;
	return 0;
}

int fs_getattr_fid(struct fs *fs, uint32_t fid, struct fs_inode *i, struct stat *st)
{
	struct p9_attr a;
	uint64_t stamp = fs_attr_stamp(fs), lgen = fs_lgen(fs);
	int r = getattr_raw(fs, fid, &a);
	if (r == 0 && i)
		r = fs_qid_check(i, &a.qid);
	if (r < 0)
		return i ? fs_stale_errno(r) : r;
	fs_attr_to_stat(&a, st);
	if (i) {
		atomic_store_explicit(&i->mode, a.mode, memory_order_relaxed);
		atomic_store_explicit(&i->gid, a.gid, memory_order_relaxed);
		fs_attr_store(fs, i, st, stamp, lgen);
	}
	return 0;
}

int fs_getattr_inode(struct fs *fs, struct fs_inode *i, struct stat *st)
{
	for (int tries = 0;; tries++) {
		uint64_t now = atomic_load(&fs->ns_gen);
		struct fs_fidref *h = fs_fid_hold(i);
		int r = fs_getattr_fid(fs, h->fid, i, st);
		if (r == 0)   /* known good now: spares a setattr its check */
			atomic_store(&h->gen, now);
		bool again = r == -ESTALE && tries == 0 && fs_inode_repair(fs, i, h) == 0;
		fs_fid_drop(fs, i, h);
		if (!again)
			return r;
	}
}

void fs_entry_fill(struct fs *fs, struct fs_inode *i, const struct stat *st,
		   struct fuse_entry_param *e)
{
	memset(e, 0, sizeof *e);
	e->ino = fs_nodeid(fs, i);
	e->generation = 0;
	e->attr = *st;
	e->attr_timeout = fs->attr_timeout;
	e->entry_timeout = fs->entry_timeout;
}

/* i (just adopted) is parent/name with attrs st: cache them, remember the
 * name, fill the entry reply. */
static void entry_known(struct fs *fs, struct fs_inode *parent, const char *name,
			struct fs_inode *i, const struct p9_qid *qid, struct stat *st,
			uint64_t stamp, uint64_t lgen, struct fuse_entry_param *e)
{
	atomic_store_explicit(&i->mode, st->st_mode, memory_order_relaxed);
	atomic_store_explicit(&i->gid, st->st_gid, memory_order_relaxed);
	fs_attr_store(fs, i, st, stamp, lgen);
	fs_name_set(fs, parent, name, qid);
	fs_inode_named(fs, i, parent, name);
	fs_entry_fill(fs, i, st, e);
}

static int lookup_entry(struct fs *fs, struct fs_inode *parent, const char *name, bool born,
			struct fuse_entry_param *e)
{
	uint32_t fid;
	struct p9_qid qid;
	struct p9_attr a;
	struct stat st;

	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	uint64_t gen = atomic_load(&fs->ns_gen), stamp = fs_attr_stamp(fs), lgen = fs_lgen(fs);
	int r = fs_inode_walk1(fs, parent, name, &fid, &qid);
	if (r < 0)
		return r;
	r = getattr_raw(fs, fid, &a);
	if (r < 0) {
		fs_fid_put(fs, fid);
		return r;
	}
	/* the name was replaced between walk and getattr (a path-based
	 * server): the fid now names the file the attrs describe */
	if (a.qid.path != qid.path)
		qid = a.qid;
	fs_attr_to_stat(&a, &st);
	struct fs_inode *i;
	r = fs_inode_adopt(fs, fid, &qid, gen, born, &i);   /* consumes fid */
	if (r < 0)
		return r;
	entry_known(fs, parent, name, i, &qid, &st, stamp, lgen, e);
	return 0;
}

int fs_lookup_entry(struct fs *fs, struct fs_inode *parent, const char *name,
		    struct fuse_entry_param *e)
{
	return lookup_entry(fs, parent, name, false, e);
}

int fs_lookup_born(struct fs *fs, struct fs_inode *parent, const char *name,
		   struct fuse_entry_param *e)
{
	return lookup_entry(fs, parent, name, true, e);
}

int fs_lookup_known(struct fs *fs, struct fs_inode *parent, const char *name,
		    const struct p9_qid *qid, const struct stat *st, bool born,
		    struct fuse_entry_param *e)
{
	uint32_t fid;
	struct p9_qid wq;
	uint64_t gen = atomic_load(&fs->ns_gen), stamp = fs_attr_stamp(fs), lgen = fs_lgen(fs);
	int r = fs_inode_walk1(fs, parent, name, &fid, &wq);
	if (r < 0)
		return r;
	if (wq.path != qid->path) {
		/* not the file the attrs describe: the caller's check fails */
		fs_fid_put(fs, fid);
		return -ESTALE;
	}
	struct fs_inode *i;
	r = fs_inode_adopt(fs, fid, &wq, gen, born, &i);   /* consumes fid */
	if (r < 0)
		return r;
	struct stat known = *st;
	entry_known(fs, parent, name, i, &wq, &known, stamp, lgen, e);
	return 0;
}

/* Linux open flags -> 9P2000.L wire flags.  Only what a server should act
 * on: creation flags come separately, O_DIRECT and O_NOATIME stay local. */
uint32_t fs_open_flags(const struct fs *fs, int flags)
{
	uint32_t f;
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		/* the writeback cache reads pages around partial writes */
		f = fs->writeback ? P9_DOTL_RDWR : P9_DOTL_WRONLY;
		break;
	case O_RDWR:
		f = P9_DOTL_RDWR;
		break;
	default:
		f = P9_DOTL_RDONLY;
	}
	if (flags & O_TRUNC)
		f |= P9_DOTL_TRUNC;
	/* with writeback the kernel computes append offsets itself */
	if ((flags & O_APPEND) && !fs->writeback)
		f |= P9_DOTL_APPEND;
	if (flags & O_DSYNC)
		f |= P9_DOTL_DSYNC;
	if ((flags & O_SYNC) == O_SYNC)
		f |= P9_DOTL_SYNC;
	return f;
}

uint32_t fs_new_gid(struct fs_inode *parent, const struct fuse_ctx *ctx)
{
	uint32_t mode = atomic_load_explicit(&parent->mode, memory_order_relaxed);
	if (mode & S_ISGID)
		return atomic_load_explicit(&parent->gid, memory_order_relaxed);
	return ctx->gid;
}

int fs_chown_new(struct fs *fs, uint32_t fid, const struct fuse_ctx *ctx, uint32_t gid)
{
	if (!fs->chown_new || ctx->uid == fs->attach_uid)
		return 0;
	struct p9_iattr ia = {
		.valid = P9_SETATTR_UID | P9_SETATTR_GID,
		.uid = ctx->uid,
		.gid = gid,
	};
	return p9_setattr(fs->c, fid, &ia);
}
