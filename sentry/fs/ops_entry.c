/* Lookup, forget, attributes, readlink, statfs. */
#include "fs_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct fs_inode *p = fs_inode_of(fs, parent);
	int r;
	if (strlen(name) > 255)
		r = -ENAMETOOLONG;
	else if (fs_dirnames_absent(p, name))
		r = -ENOENT;   /* a directory whose every name we know */
	else
		r = fs_lookup_entry(fs, p, name, &e);
	if (r == -ENOENT)
		fs_name_absent(fs, p, name);
	if (r == -ENOENT && fs->neg_timeout > 0) {
		/* a negative entry: the kernel remembers the name is absent */
		memset(&e, 0, sizeof e);
		e.entry_timeout = fs->neg_timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs *fs = fs_of(req);
	fs_inode_forget(fs, fs_inode_of(fs, ino), nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	struct fs *fs = fs_of(req);
	for (size_t k = 0; k < count; k++)
		fs_inode_forget(fs, fs_inode_of(fs, f[k].ino), f[k].nlookup);
	fuse_reply_none(req);
}

/* The handle whose fid a call may use: none for a lazy directory. */
static struct fuse_file_info *with_fid(struct fuse_file_info *fi)
{
	return fi && !fs_file_of(fi)->lazy ? fi : NULL;
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct stat st;
	int r;
	fi = with_fid(fi);
	if (fs_attr_cached(fs, i, FS_ATTR_ALL, &st)) {
		fuse_reply_attr(req, &st, fs->attr_timeout);
		return;
	}
	/* an open fid reaches an unlinked file on servers that keep a
	 * descriptor per open fid (Debian's diod 1.0.24 does not) */
	if (fi)
		r = fs_getattr_fid(fs, fs_file_of(fi)->fid, i, &st);
	else
		r = fs_getattr_inode(fs, i, &st);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->attr_timeout);
}

/* FUSE setattr bits -> Tsetattr. *_NOW without *_SET means "now" in 9P;
 * an omitted time is simply not asked for. */
static void setattr_to_iattr(const struct stat *a, int to_set, struct p9_iattr *ia)
{
	memset(ia, 0, sizeof *ia);
	if (to_set & FUSE_SET_ATTR_MODE) {
		ia->valid |= P9_SETATTR_MODE;
		ia->mode = a->st_mode & 07777;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		ia->valid |= P9_SETATTR_UID;
		ia->uid = a->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		ia->valid |= P9_SETATTR_GID;
		ia->gid = a->st_gid;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		ia->valid |= P9_SETATTR_SIZE;
		ia->size = (uint64_t)a->st_size;
	}
	if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
		ia->valid |= P9_SETATTR_ATIME;
	} else if (to_set & FUSE_SET_ATTR_ATIME) {
		ia->valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		ia->atime_sec = (uint64_t)a->st_atim.tv_sec;
		ia->atime_nsec = (uint64_t)a->st_atim.tv_nsec;
	}
	if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
		ia->valid |= P9_SETATTR_MTIME;
	} else if (to_set & FUSE_SET_ATTR_MTIME) {
		ia->valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		ia->mtime_sec = (uint64_t)a->st_mtim.tv_sec;
		ia->mtime_nsec = (uint64_t)a->st_mtim.tv_nsec;
	}
	/* ctime cannot be set to a value on Linux; "touch it" is all 9P has */
	if (to_set & FUSE_SET_ATTR_CTIME)
		ia->valid |= P9_SETATTR_CTIME;
}

/* The writeback cache sends a file's times back when it stamped them
 * itself (its ctime at unlink, mtime after writes): mtime as the server
 * has it and a ctime, which 9P cannot set anyway.  Nothing to change. */
static bool times_flush_noop(struct fs *fs, struct fs_inode *i, const struct stat *attr,
			     int to_set)
{
	struct stat st;
	if (!fs->writeback || to_set != (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_CTIME) ||
	    !fs_attr_cached(fs, i, FS_ATTR_CONTENT, &st))
		return false;
	return st.st_mtim.tv_sec == attr->st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == attr->st_mtim.tv_nsec;
}

/* A chown of a regular file to the owner it has (tar and cp -a as root
 * restore root's own files): with the writeback cache the kernel stamps
 * ctime itself, so nothing is left for the server to do unless the file
 * has set-id bits or may have file capabilities (a chown drops both). */
static bool chown_noop(struct fs *fs, struct fs_inode *i, const struct stat *attr, int to_set)
{
	struct stat st;
	int owner = FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID;
	if (!fs->writeback || !(to_set & owner) || (to_set & ~(owner | FUSE_SET_ATTR_CTIME)) ||
	    !fs_attr_cached(fs, i, FS_ATTR_CONTENT, &st) || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_ISUID | S_ISGID)))
		return false;
	if (((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != st.st_uid) ||
	    ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != st.st_gid))
		return false;
	return fs_xneg_absent(fs, i, fs_xneg_bit(fs, "security.capability"));
}

/* Answer a setattr that changes nothing with the file's attrs. */
static void reply_unchanged(fuse_req_t req, struct fs *fs, struct fs_inode *i,
			    struct fuse_file_info *fi)
{
	struct stat st;
	int r = 0;
	if (!fs_attr_cached(fs, i, FS_ATTR_ALL, &st))
		r = fi ? fs_getattr_fid(fs, fs_file_of(fi)->fid, i, &st) : fs_getattr_inode(fs, i, &st);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->attr_timeout);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct p9_iattr ia;
	struct stat st;

	fi = with_fid(fi);
	if (times_flush_noop(fs, i, attr, to_set) || chown_noop(fs, i, attr, to_set)) {
		reply_unchanged(req, fs, i, fi);
		return;
	}

	setattr_to_iattr(attr, to_set, &ia);
	/* with a handle use the open fid: ftruncate of an unlinked file.
	 * Rsetattr names no file: make sure the fid still reaches this one
	 * before changing anything through it. */
	struct fs_fidref *h = NULL;
	int r;
	if (fi)
		r = fs_fid_verify(fs, i, fs_file_of(fi)->fid, &fs_file_of(fi)->gen);
	else
		r = fs_fid_hold_verified(fs, i, &h);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	uint32_t fid = fi ? fs_file_of(fi)->fid : h->fid;
	uint64_t lgen;
	bool known = fs_attr_predict(fs, i, attr, to_set, &st, &lgen);
	fs_attr_inval(fs, i);
	uint64_t stamp = fs_attr_stamp(fs);
	if (ia.valid)
		r = p9_setattr(fs->c, fid, &ia);
	if (r == 0 && known) {
		/* not a regular file: the kernel takes its ctime from us;
		 * the host stamped it just now (see fs_attr_dir_done) */
		if (!S_ISREG(st.st_mode))
			clock_gettime(CLOCK_REALTIME, &st.st_ctim);
		fs_attr_store(fs, i, &st, stamp, lgen);   /* no getattr needed */
	}
	else if (r == 0)
		r = fs_getattr_fid(fs, fid, i, &st);
	if (h)
		fs_fid_drop(fs, i, h);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->attr_timeout);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fs_of(req);
	char buf[PATH_MAX + 1];
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct fs_fidref *h;
	int r = fs_fid_hold_verified(fs, i, &h);
	if (r == 0) {
		r = p9_readlink(fs->c, h->fid, buf, sizeof buf);
		fs_fid_drop(fs, i, h);
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_readlink(req, buf);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fs_of(req);
	struct p9_statfs s;
	struct statvfs v;
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct fs_fidref *h = fs_fid_hold(i);
	int r = p9_statfs(fs->c, h->fid, &s);
	fs_fid_drop(fs, i, h);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	memset(&v, 0, sizeof v);
	v.f_bsize = s.bsize;
	v.f_frsize = s.bsize;
	v.f_blocks = s.blocks;
	v.f_bfree = s.bfree;
	v.f_bavail = s.bavail;
	v.f_files = s.files;
	v.f_ffree = s.ffree;
	v.f_favail = s.ffree;
	v.f_fsid = s.fsid;
	v.f_namemax = s.namelen;
	fuse_reply_statfs(req, &v);
}

void fs_ops_entry(struct fuse_lowlevel_ops *ops)
{
	ops->lookup = op_lookup;
	ops->forget = op_forget;
	ops->forget_multi = op_forget_multi;
	ops->getattr = op_getattr;
	ops->setattr = op_setattr;
	ops->readlink = op_readlink;
	ops->statfs = op_statfs;
}
