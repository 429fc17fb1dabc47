/* Directories: opendir, readdir, readdirplus, releasedir, fsyncdir.
 * Treaddir cookies are the FUSE offsets, so a listing resumes exactly
 * after the last entry the kernel accepted. */
#include "fs_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct fs_file *f = calloc(1, sizeof *f);
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	struct p9_qid qid;
	uint32_t iounit;
	int r = fs_inode_clone(fs, i, &f->fid);
	if (r == 0) {
		r = p9_lopen(fs->c, f->fid, P9_DOTL_RDONLY, &qid, &iounit);
		if (r == 0)
			r = fs_qid_check(i, &qid);
		if (r < 0)
			fs_fid_put(fs, f->fid);
	}
	if (r < 0) {
		free(f);
		fuse_reply_err(req, -fs_stale_errno(r));
		return;
	}
	f->ino = i;
	fi->fh = (uintptr_t)f;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		fs_fid_put(fs, f->fid);
		free(f);
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
	if (is_dot(name)) {
		/* the kernel ignores these in readdirplus: no lookup counted */
		memset(&e, 0, sizeof e);
		e.attr.st_ino = d->qid.path;
		e.attr.st_mode = (mode_t)d->type << 12;
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

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
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

	size_t used = 0;
	uint64_t cookie = (uint64_t)off;
	int r = 0;
	/* loop only while every entry of a batch was skipped: an empty
	 * reply would read as the end of the directory */
	while (used == 0) {
		ssize_t n = p9_readdir(fs->c, f->fid, cookie, pbuf, (uint32_t)count);
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
			int a = add_entry(req, fs, f->ino, plus, &d, name, out + used, size - used);
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
	fs_fid_put(fs, f->fid);
	free(f);
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	int r = p9_fsync(fs->c, fs_file_of(fi)->fid, datasync ? 1 : 0);
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
