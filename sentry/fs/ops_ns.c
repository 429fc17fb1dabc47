/* Namespace changes: mknod, mkdir, symlink, link, unlink, rmdir, rename. */
#include "fs_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

/* After a server-side create: walk to the new name for its inode fid, give
 * it the caller's uid if we may, and answer with its entry. */
static void reply_new_entry(fuse_req_t req, struct fs *fs, struct fs_inode *parent,
			    const char *name, uint32_t gid, bool is_dir,
			    const struct fs_newfile *q, const struct p9_qid *qid)
{
	struct fuse_entry_param e;
	/* a chown follows: what it leaves is asked */
	if (fs->chown_new && fuse_req_ctx(req)->uid != fs->attach_uid)
		q = NULL;
	int r = fs_new_entry(fs, parent, name, q, qid, true, &e);
	if (r == 0)
		fs_xneg_new_file(fs, parent, fs_inode_of(fs, e.ino));
	/* born empty: before the kernel may create anything in it */
	if (r == 0 && is_dir)
		fs_dirnames_made_empty(fs, fs_inode_of(fs, e.ino), parent->qpath);
	if (r == 0 && fs->chown_new && fuse_req_ctx(req)->uid != fs->attach_uid) {
		struct fs_inode *i = fs_inode_of(fs, e.ino);
		struct fs_fidref *h = fs_fid_hold(i);
		r = fs_chown_new(fs, h->fid, fuse_req_ctx(req), gid);
		if (r == 0)
			r = fs_getattr_fid(fs, h->fid, i, &e.attr);
		fs_fid_drop(fs, i, h);
		if (r < 0)
			fs_inode_forget(fs, i, 1);
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static int check_name(const char *name)
{
	return strlen(name) > 255 ? -ENAMETOOLONG : 0;
}

/* What a create in directory p needs: the gid and p's fid, held. */
struct mk {
	struct fs_inode *p;
	struct fs_fidref *h;
	uint32_t gid;
	struct fs_dirchg dc;
};

static void mk_begin(fuse_req_t req, struct fs *fs, fuse_ino_t parent, const char *name,
		     struct mk *m)
{
	m->p = fs_inode_of(fs, parent);
	fs_name_drop(fs, m->p, name);   /* a failure below leaves it unknown */
	fs_attr_dir_begin(fs, m->p, &m->dc);
	m->gid = fs_new_gid(m->p, fuse_req_ctx(req));
	m->h = fs_fid_hold(m->p);
}

/* Drop the hold and answer: the new entry (of type `mode`), or the
 * error.  `dnlink`: the parent's links the new file adds (a directory's
 * ".."). */
static void mk_end(fuse_req_t req, struct fs *fs, struct mk *m, const char *name, int r,
		   mode_t mode, int dnlink, const struct fs_newfile *q, const struct p9_qid *qid)
{
	fs_fid_drop(fs, m->p, m->h);
	if (r == 0) {
		fs_attr_dir_done(fs, m->p, &m->dc, dnlink);
		fs_dirnames_put(m->p, name, qid, fs_dtype(mode));
	} else {
		fs_dirnames_failed(m->p, name, r);
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_new_entry(req, fs, m->p, name, m->gid, dnlink == 1, q, qid);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	struct fs *fs = fs_of(req);
	struct mk m;
	struct p9_qid qid;
	mk_begin(req, fs, parent, name, &m);
	int r = check_name(name);
	if (r == 0)
		r = p9_mknod(fs->c, m.h->fid, name, mode, major(rdev), minor(rdev), m.gid, &qid);
	mk_end(req, fs, &m, name, r, (mode & S_IFMT) ? mode : S_IFREG, 0, NULL, &qid);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fs *fs = fs_of(req);
	struct mk m;
	struct p9_qid qid;
	mk_begin(req, fs, parent, name, &m);
	int r = check_name(name);
	if (r == 0)
		r = p9_mkdir(fs->c, m.h->fid, name, mode & 07777, m.gid, &qid);
	mk_end(req, fs, &m, name, r, S_IFDIR, 1, NULL, &qid);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct mk m;
	struct p9_qid qid;
	mk_begin(req, fs, parent, name, &m);
	int r = check_name(name);
	if (r == 0 && strlen(link) > 4095)
		r = -ENAMETOOLONG;
	if (r == 0)
		r = p9_symlink(fs->c, m.h->fid, name, link, m.gid, &qid);
	/* Tsymlink never reuses a name: the file is new */
	struct fs_newfile q = {
		.mode = S_IFLNK | 0777, .uid = FS_NEW_UID_SERVER, .gid = m.gid, .size = strlen(link),
	};
	mk_end(req, fs, &m, name, r, S_IFLNK, 0, &q, &qid);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino), *np = fs_inode_of(fs, newparent);
	struct fuse_entry_param e;
	struct stat st;
	int r = check_name(newname);
	struct fs_fidref *hi = NULL;
	/* Tlink names the file by its fid: on a server whose fids are
	 * paths, one whose name went must not be used (nor another file's) */
	if (r == 0)
		r = fs_fid_hold_verified(fs, i, &hi);
	if (r == 0) {
		struct fs_dirchg dc;
		fs_name_drop(fs, np, newname);
		fs_attr_dir_begin(fs, np, &dc);
		fs_attr_inval(fs, i);
		struct fs_fidref *hp = fs_fid_hold(np);
		r = p9_link(fs->c, hp->fid, hi->fid, newname);
		bool linked = r == 0;
		if (linked)
			fs_attr_dir_done(fs, np, &dc, 0);
		else
			fs_dirnames_failed(np, newname, r);
		if (linked)
			r = fs_getattr_fid(fs, hi->fid, i, &st);
		if (linked && r == 0) {
			struct p9_qid q = { .type = i->qtype, .path = i->qpath };
			fs_dirnames_put(np, newname, &q, fs_dtype(st.st_mode));
		} else if (linked) {
			fs_dirnames_drop(np);   /* its type is not known */
		}
		fs_fid_drop(fs, np, hp);
		fs_fid_drop(fs, i, hi);
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	/* the new name is the same inode: the reply counts as a lookup */
	fs_inode_ref(fs, i);
	/* and it takes a fid at the new name: on a server whose fids are
	 * paths the old name may be unlinked next */
	uint32_t fid;
	struct p9_qid qid;
	uint64_t gen = atomic_load(&fs->ns_gen);
	if (fs_inode_walk1(fs, np, newname, &fid, &qid) == 0) {
		fs_name_set(fs, np, newname, &qid);
		fs_inode_refresh(fs, fid, &qid, gen, true);
	}
	fs_inode_named(fs, i, np, newname);
	fs_entry_fill(fs, i, &st, &e);
	fuse_reply_entry(req, &e);
}

static bool fallback_errno(int r)
{
	return r == -EOPNOTSUPP || r == -ENOSYS;
}

static int do_unlink(struct fs *fs, struct fs_inode *p, const char *name, uint32_t flags)
{
	int r;
	if (!atomic_load(&fs->no_unlinkat)) {
		struct fs_fidref *h = fs_fid_hold(p);
		r = p9_unlinkat(fs->c, h->fid, name, flags);
		fs_fid_drop(fs, p, h);
		if (!fallback_errno(r))
			return r;
		atomic_store(&fs->no_unlinkat, true);
	}
	/* Tremove clunks the fid whatever it answers */
	uint32_t fid;
	struct p9_qid qid;
	r = fs_inode_walk1(fs, p, name, &fid, &qid);
	if (r < 0)
		return r;
	r = p9_remove(fs->c, fid);
	p9_fid_release(fs->c, fid);
	return r;
}

/* Unlink or rmdir, then correct what is cached about the file that lost
 * the name. */
static int unlink_name(struct fs *fs, struct fs_inode *p, const char *name, uint32_t flags)
{
	struct p9_qid victim;
	struct fs_dirchg dc;
	int known = fs_name_victim(fs, p, name, &victim);
	fs_attr_dir_begin(fs, p, &dc);
	int r = do_unlink(fs, p, name, flags);
	if (r == 0) {
		fs_attr_dir_done(fs, p, &dc, flags & P9_AT_REMOVEDIR ? -1 : 0);
		fs_ns_changed(fs);
		fs_name_gone(fs, known, &victim, true);
		fs_name_absent(fs, p, name);
		fs_dirnames_del(p, name);
	} else {
		fs_dirnames_failed(p, name, r);
		if (known == 1)
			fs_name_set(fs, p, name, &victim);   /* still there */
	}
	return r;
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	int r = unlink_name(fs, fs_inode_of(fs, parent), name, 0);
	fuse_reply_err(req, -r);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	int r = unlink_name(fs, fs_inode_of(fs, parent), name, P9_AT_REMOVEDIR);
	fuse_reply_err(req, -r);
}

static int do_rename(struct fs *fs, struct fs_inode *op, const char *oname,
		     struct fs_inode *np, const char *nname)
{
	fs_attr_inval(fs, op);
	fs_attr_inval(fs, np);
	struct fs_fidref *ho = fs_fid_hold(op), *hn = fs_fid_hold(np);
	int r = -EOPNOTSUPP;
	if (!atomic_load(&fs->no_renameat)) {
		r = p9_renameat(fs->c, ho->fid, oname, hn->fid, nname);
		if (fallback_errno(r))
			atomic_store(&fs->no_renameat, true);
	}
	if (fallback_errno(r)) {
		uint32_t fid;
		struct p9_qid qid;
		r = fs_fid_walk1(fs, ho->fid, oname, &fid, &qid);
		if (r == 0) {
			r = p9_rename(fs->c, fid, hn->fid, nname);
			fs_fid_put(fs, fid);
		}
	}
	fs_fid_drop(fs, np, hn);
	fs_fid_drop(fs, op, ho);
	return r;
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct fs *fs = fs_of(req);
	/* RENAME_NOREPLACE/EXCHANGE/WHITEOUT have no 9P form; callers such
	 * as mv fall back on EINVAL */
	int r = flags ? -EINVAL : check_name(newname);
	struct fs_inode *op = fs_inode_of(fs, parent), *np = fs_inode_of(fs, newparent);
	struct p9_qid victim, moved;
	uint8_t moved_type = DT_UNKNOWN;
	bool was_known = false;
	int known = 0;
	if (r == 0 && !fs_dirnames_absent(np, newname))
		known = fs_name_victim(fs, np, newname, &victim);
	if (r == 0)
		r = do_rename(fs, op, name, np, newname);
	if (r < 0) {
		fs_dirnames_failed(op, name, r);
		fs_dirnames_failed(np, newname, r);
	} else if (fs_dirnames_take(op, name, &moved, &moved_type)) {
		was_known = true;
		fs_dirnames_put(np, newname, &moved, moved_type);
	} else {
		fs_dirnames_drop(np);   /* what newname is now is not known */
	}
	if (r < 0 && known == 1)
		fs_name_set(fs, np, newname, &victim);   /* still there */
	if (r == 0) {
		fs_ns_changed(fs);
		/* the new name's old file (which may be the moved one, a
		 * link of it: drop its attrs rather than count) */
		fs_name_gone(fs, known, &victim, false);
		fs_name_drop(fs, op, name);
		/* the moved file's inode takes a fid at its new name (before the
		 * reply: np is pinned only while the request lives) */
		uint32_t fid;
		struct p9_qid qid;
		uint64_t gen = atomic_load(&fs->ns_gen);
		if (fs_inode_walk1(fs, np, newname, &fid, &qid) == 0) {
			fs_name_set(fs, np, newname, &qid);
			fs_inode_moved(fs, &qid, np, newname);
			if (qid.type & P9_QTDIR)   /* its ".." is np now */
				fs_dirnames_reparent(fs, &qid, np->qpath);
			fs_inode_refresh(fs, fid, &qid, gen, false);
		} else if (was_known && moved_type == DT_DIR) {
			fs_dirnames_reparent(fs, &moved, np->qpath);
		} else if (!was_known) {
			fs_dirnames_lost_move(fs);
		}
	}
	fuse_reply_err(req, -r);
}

void fs_ops_ns(struct fuse_lowlevel_ops *ops)
{
	ops->mknod = op_mknod;
	ops->mkdir = op_mkdir;
	ops->symlink = op_symlink;
	ops->link = op_link;
	ops->unlink = op_unlink;
	ops->rmdir = op_rmdir;
	ops->rename = op_rename;
}
