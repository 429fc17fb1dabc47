/* Directories: opendir, readdir, readdirplus, releasedir, fsyncdir.
 * Treaddir cookies are the FUSE offsets, so a listing resumes exactly
 * after the last entry the kernel accepted.
 *
 * With no_opendir (cache=exclusive on burrow-gofer) opendir answers
 * ENOSYS once and the kernel never opens or releases a directory again:
 * a listing is then one READDIRPLUS and the empty one that ends it, not
 * four requests, each a sleep and a wake-up (find over a tree is made of
 * little else).  Calls come without a handle: a listing the mount knows
 * (dirnames.c) is read from a fresh snapshot each call, resumed by its
 * stable cookies; any other through the directory's shared opened fid
 * (rofid.c; the server's cookies survive a new open).  Only on a server
 * whose fids hold their files: a directory renamed on a path-based server
 * would need the open's ESTALE retry.  One seam: should the mount stop
 * knowing a directory's entries between two calls of one listing (a
 * request that failed in a way that may have changed names), the rest of
 * that listing is read from the server at the mount's cookie, and may
 * repeat or miss names once. */
#include "fs_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Clone the directory's fid and open the clone for reading. */
static int dir_open_fid(struct fs *fs, struct fs_inode *i, uint32_t *fid)
{
	struct p9_qid qid;
	uint32_t iounit;
	int r = fs_inode_clone(fs, i, fid);
	if (r < 0)
		return fs_stale_errno(r);
	r = p9_lopen(fs->c, *fid, P9_DOTL_RDONLY, &qid, &iounit);
	if (r == 0)
		r = fs_qid_check(i, &qid);
	if (r < 0)
		fs_fid_put(fs, *fid);
	return fs_stale_errno(r);
}

int fs_file_fid(struct fs *fs, struct fs_file *f, uint32_t *fid)
{
	if (!f->lazy) {
		*fid = f->fid;
		return 0;
	}
	uint32_t cur = atomic_load(&f->lazy_fid);
	if (cur == P9_NOFID) {
		uint32_t fresh;
		int r = dir_open_fid(fs, f->ino, &fresh);
		if (r < 0)
			return r;
		/* two calls raced: keep the first fid, clunk ours */
		if (atomic_compare_exchange_strong(&f->lazy_fid, &cur, fresh))
			cur = fresh;
		else
			fs_fid_put(fs, fresh);
	}
	*fid = cur;
	return 0;
}

/* no_opendir: an opened fid of directory i, the shared one if it can be
 * (*own false), else one of the caller's own to clunk. */
static int dir_fid_get(struct fs *fs, struct fs_inode *i, uint32_t *fid, bool *own)
{
	*own = false;
	if (fs_rofid_dir(i, fid))
		return 0;
	int r = dir_open_fid(fs, i, fid);
	if (r == 0 && !fs_rofid_dir_offer(fs, i, *fid))
		*own = true;
	return r;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	if (fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct fs_file *f = fs_file_new(fs);
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->ino = i;
	f->fid = P9_NOFID;
	atomic_init(&f->lazy_fid, P9_NOFID);
	/* Lazy only while the inode's fid surely reaches the directory (on
	 * a server whose fids are paths a rename may have moved it): an
	 * open refused later cannot be retried by the VFS as opendir's
	 * ESTALE is. */
	f->lazy = fs->exclusive && fs_inode_keep_fid(fs, i);
	/* A directory whose entries are known is listed from them (and
	 * opened on the server only if fsyncdir asks it to) */
	f->listing = fs->exclusive ? fs_dirnames_list(fs, i) : NULL;
	f->listing_fresh = true;
	if (f->listing)
		f->lazy = true;
	int r = f->lazy ? 0 : dir_open_fid(fs, i, &f->fid);
	if (r < 0) {
		fs_file_free(fs, f);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)f;
	/* exclusive: keep the listing across opens; the kernel drops it
	 * itself when this mount changes the directory */
	fi->cache_readdir = fs->exclusive;
	fi->keep_cache = fs->exclusive;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		if (!f->lazy)
			fs_fid_put(fs, f->fid);
		fs_file_free(fs, f);
	}
}

static bool is_dot(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

/* Room one entry takes in the reply, without writing it. */
static size_t entry_size(fuse_req_t req, const char *name, bool plus)
{
	return plus ? fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0)
		    : fuse_add_direntry(req, NULL, 0, name, NULL, 0);
}

/* readdirplus of a file this mount knows (cache=exclusive): its inode
 * and attrs, asked again only if they changed; no walk.  0, or -errno
 * (the caller then looks the name up). */
static int known_entry(struct fs *fs, struct fs_inode *dir, const char *name,
		       const struct p9_dirent *d, struct fuse_entry_param *e)
{
	if (!fs->exclusive)
		return -ENOENT;
	struct p9_qid qid = d->qid;
	struct fs_inode *i = fs_inode_find_ref(fs, &qid);   /* counts the lookup */
	if (!i)
		return -ENOENT;
	struct stat st;
	int r = 0;
	if (!fs_attr_cached(fs, i, FS_ATTR_ENTRY, &st))
		r = fs_getattr_inode(fs, i, &st);
	if (r < 0) {
		fs_inode_forget(fs, i, 1);
		return r;
	}
	fs_name_set(fs, dir, name, &qid);
	fs_inode_named(fs, i, dir, name);
	fs_entry_fill(fs, i, &st, e);
	return 0;
}

/* readdirplus (cache=exclusive) of a file, not a directory, the kernel
 * already holds: its entry is best bare, as the kernel's attrs of it are
 * as new as ours and linking it again costs the kernel a dentry lookup
 * and an attr update (a walk of a tree the mount made runs 10-20 % faster;
 * tests/bench/RESULTS.md).  Directories keep theirs: that refresh spares
 * the walk a GETATTR of each one it enters. */
static bool kernel_holds(struct fs *fs, const struct p9_dirent *d)
{
	return fs->exclusive && d->type != DT_DIR && fs_inode_held(fs, &d->qid);
}

/* An entry without an inode (nodeid 0): the kernel lists the name and
 * links nothing, counts no lookup; a name it has no dentry for is looked
 * up when used, so this is right even if the kernel forgot the file. */
static void bare_entry(const struct p9_dirent *d, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof *e);
	e->attr.st_ino = d->qid.path;
	e->attr.st_mode = (mode_t)d->type << 12;
}

/* Add one 9P entry to out[used..size).  Returns the bytes added, 0 when
 * it does not fit or vanished meanwhile (skip), or -errno. */
static int add_entry(fuse_req_t req, struct fs *fs, struct fs_inode *dir, bool plus,
		     const struct p9_dirent *d, const char *name, char *out, size_t room)
{
	size_t need = entry_size(req, name, plus);
	if (need > room)
		return 0;
	if (!plus) {
		struct stat st = { .st_ino = d->qid.path, .st_mode = (mode_t)d->type << 12 };
		fuse_add_direntry(req, out, room, name, &st, (off_t)d->offset);
		return (int)need;
	}
	struct fuse_entry_param e;
	if (is_dot(name) || kernel_holds(fs, d)) {
		bare_entry(d, &e);   /* the kernel links no "." or ".." either */
	} else if (known_entry(fs, dir, name, d, &e) == 0) {
		;
	} else if (fs_inodes_crowded(fs)) {
		/* a lookup per name would take more inodes than the mount
		 * may hold, faster than the shrinker lets go of them */
		bare_entry(d, &e);
	} else {
		int r = fs_lookup_entry(fs, dir, name, &e);
		if (r == -ENOENT)
			return -ENOENT;
		if (r < 0)
			return r;
	}
	fuse_add_direntry_plus(req, out, room, name, &e, (off_t)d->offset);
	return (int)need;
}

/* A listing of the directory's known entries (dirnames.c): the offset
 * of an entry is its cookie.  Nothing is asked of the server, so the
 * directory's atime stays as it was (man/burrow-sentry.8). */
static void readdir_known(fuse_req_t req, struct fs *fs, struct fs_inode *dir,
			  const struct fs_listing *l, size_t size, off_t off, bool plus)
{
	char *out = fs_tls_buf(FS_BUF_DIR, size);
	if (!out) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	size_t used = 0, n = fs_listing_len(l);
	int r = 0;
	for (size_t k = fs_listing_after(l, (uint64_t)off); k < n; k++) {
		struct p9_dirent d = { 0 };
		const char *name = fs_listing_get(l, k, &d.qid, &d.offset, &d.type);
		int a = add_entry(req, fs, dir, plus, &d, name, out + used, size - used);
		if (a == -ENOENT)
			continue;   /* gone meanwhile */
		if (a <= 0) {
			r = a;
			break;
		}
		used += (size_t)a;
	}
	if (r < 0 && used == 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, out, used);
}

/* Entries after cookie `off` read from the server through fid. */
static void readdir_server(fuse_req_t req, struct fs *fs, struct fs_inode *dir, uint32_t fid,
			   size_t size, off_t off, bool plus)
{
	/* 9P entries are smaller than FUSE's, much smaller than plus ones:
	 * ask for roughly what fits, the rest is fetched again next call */
	size_t count = plus ? size / 4 : size;
	if (count > fs->iounit)
		count = fs->iounit;
	if (count < 512)
		count = 512;
	char *pbuf = fs_tls_buf(FS_BUF_DIR, count + size);
	if (!pbuf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	char *out = pbuf + count;
	int r = 0;
	size_t used = 0;
	uint64_t cookie = (uint64_t)off;
	/* loop only while every entry of a batch was skipped: an empty
	 * reply would read as the end of the directory */
	while (used == 0) {
		fs_attr_inval_atime(fs, dir);
		ssize_t n = p9_readdir(fs->c, fid, cookie, pbuf, (uint32_t)count);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		size_t pos = 0;
		struct p9_dirent d;
		char name[256];
		bool full = false;
		while ((r = p9_dirent_next((const uint8_t *)pbuf, (size_t)n, &pos, &d)) == 1) {
			cookie = d.offset;
			if (p9_str_copy(name, sizeof name, d.name) < 0 || name[0] == '\0' ||
			    strchr(name, '/'))
				continue;   /* a name the kernel must never see */
			int a = add_entry(req, fs, dir, plus, &d, name, out + used, size - used);
			if (a == -ENOENT)
				continue;   /* unlinked between readdir and lookup */
			if (a <= 0) {
				r = a;
				full = true;
				break;
			}
			used += (size_t)a;
		}
		if (r < 0 || full)
			break;
	}
	if (r < 0 && used == 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, out, used);
}

/* no_opendir: no handle, so nothing kept between calls but cookies */
static void readdir_unopened(fuse_req_t req, struct fs *fs, struct fs_inode *dir, size_t size,
			     off_t off, bool plus)
{
	struct fs_listing *l = fs_dirnames_list(fs, dir);
	if (l) {
		readdir_known(req, fs, dir, l, size, off, plus);
		fs_listing_free(l);
		return;
	}
	uint32_t fid;
	bool own;
	int r = dir_fid_get(fs, dir, &fid, &own);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	readdir_server(req, fs, dir, fid, size, off, plus);
	if (own)
		fs_fid_put(fs, fid);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (!f) {
		readdir_unopened(req, fs, fs_inode_of(fs, ino), size, off, plus);
		return;
	}
	if (off == 0 && f->listing && !f->listing_fresh) {   /* rewinddir: a fresh look */
		fs_listing_free(f->listing);
		f->listing = fs_dirnames_list(fs, f->ino);
	}
	f->listing_fresh = false;
	if (f->listing) {
		readdir_known(req, fs, f->ino, f->listing, size, off, plus);
		return;
	}
	uint32_t fid;
	int r = fs_file_fid(fs, f, &fid);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	readdir_server(req, fs, f->ino, fid, size, off, plus);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
	uint32_t fid = f->lazy ? atomic_load(&f->lazy_fid) : f->fid;
	if (fid != P9_NOFID)
		fs_fid_put(fs, fid);
	fs_file_free(fs, f);
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
	uint32_t fid;
	bool own = false;
	int r = f ? fs_file_fid(fs, f, &fid) : dir_fid_get(fs, fs_inode_of(fs, ino), &fid, &own);
	if (r == 0)
		r = p9_fsync(fs->c, fid, datasync ? 1 : 0);
	if (own)
		fs_fid_put(fs, fid);
	fuse_reply_err(req, -r);
}

void fs_ops_dir(struct fuse_lowlevel_ops *ops)
{
	ops->opendir = op_opendir;
	ops->readdir = op_readdir;
	ops->readdirplus = op_readdirplus;
	ops->releasedir = op_releasedir;
	ops->fsyncdir = op_fsyncdir;
}
