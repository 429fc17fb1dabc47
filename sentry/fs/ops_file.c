/* Open files: open, create, flush, release, fsync; read and write. */
#include "fs_int.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The host fd the server handed with an open (or -1) serves f's I/O,
 * except with O_APPEND: pwrite(2) on it would append wherever the
 * kernel asked to write. */
static void file_keep_host_fd(struct fs_file *f, uint32_t flags, int hfd)
{
	if (hfd >= 0 && (flags & P9_DOTL_APPEND)) {
		close(hfd);
		hfd = -1;
	}
	f->host_fd = hfd;
}

/* Clone the held fid of i into f->fid and open it as i's file. */
static int open_clone(struct fs *fs, struct fs_inode *i, uint32_t dfid, uint32_t flags,
		      struct fs_file *f)
{
	int r = fs_fid_clone(fs, dfid, &f->fid);
	if (r < 0)
		return r;
	struct p9_qid qid;
	uint32_t iounit;
	atomic_init(&f->gen, atomic_load(&fs->ns_gen));
	int hfd;
	r = p9_lopen_fd(fs->c, f->fid, flags, &qid, &iounit, &hfd);
	if (r == 0)
		r = fs_qid_check(i, &qid);
	if (r < 0) {
		if (hfd >= 0)
			close(hfd);
		fs_fid_put(fs, f->fid);
	} else {
		file_keep_host_fd(f, flags, hfd);
	}
	return fs_stale_errno(r);
}

/* Clone the inode's fid and open the clone: every open has its own fid.
 * A fid that lost the file is repaired once (its spare after a link). */
static int file_open(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file **out)
{
	struct fs_file *f = fs_file_new(fs);
	if (!f)
		return -ENOMEM;
	int r;
	for (int tries = 0;; tries++) {
		struct fs_fidref *h = fs_fid_hold(i);
		r = open_clone(fs, i, h->fid, flags, f);
		bool again = r == -ESTALE && tries == 0 && fs_inode_repair(fs, i, h) == 0;
		fs_fid_drop(fs, i, h);
		if (!again)
			break;
	}
	if (r < 0) {
		fs_file_free(fs, f);
		return r;
	}
	f->ino = i;
	f->flags = flags;
	*out = f;
	return 0;
}

/* A plain read-only open of a file whose read-only fid is shared
 * (rofid.c): no message.  -ENOENT when there is none. */
static int open_shared(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file **out)
{
	/* opens fail once the server is gone, as they would have asking it */
	if (!p9_client_alive(fs->c))
		return -EIO;
	struct fs_file *f = fs_file_new(fs);
	if (!f)
		return -ENOMEM;
	if (!fs_rofid_take(fs, i, flags, f)) {
		fs_file_free(fs, f);
		return -ENOENT;
	}
	f->ino = i;
	f->flags = flags;
	atomic_init(&f->gen, 0);   /* opened long ago: a setattr through it checks first */
	*out = f;
	return 0;
}

/* The file's own fid, unless it is the inode's shared one. */
static void file_put_fid(struct fs *fs, struct fs_file *f)
{
	if (!f->shared_ro)
		fs_fid_put(fs, f->fid);
}

static void set_cache_flags(struct fs *fs, struct fuse_file_info *fi)
{
	/* exclusive: nobody else changes the file, keep the page cache
	 * across opens; shared: drop it at open (close-to-open) */
	fi->keep_cache = fs->exclusive;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct fs_file *f;
	uint32_t flags = fs_open_flags(fs, fi->flags);
	if (flags & P9_DOTL_TRUNC)
		fs_attr_inval(fs, i);
	int r = open_shared(fs, i, flags, &f);
	if (r == -ENOENT) {
		r = file_open(fs, i, flags, &f);
		if (r == 0)
			fs_rofid_offer(fs, i, flags, f);
	}
	if (r == -EACCES && (fi->flags & O_ACCMODE) == O_WRONLY && fs->writeback) {
		/* write-only for the server's user: the cache then cannot fill
		 * partial pages, but the open must not fail */
		flags = (flags & ~(uint32_t)P9_DOTL_RDWR) | P9_DOTL_WRONLY;
		r = file_open(fs, i, flags, &f);
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)f;
	set_cache_flags(fs, fi);
	if (fuse_reply_open(req, fi) == -ENOENT) {   /* interrupted meanwhile */
		file_put_fid(fs, f);
		fs_file_free(fs, f);
	}
}

/* Tlcreate turns a clone of the directory fid into the new file's open
 * fid; the inode then gets its own fid by a walk. */
static int do_create(fuse_req_t req, struct fs *fs, struct fs_inode *p, const char *name,
		     mode_t mode, uint32_t flags, struct fs_file **fout,
		     struct fuse_entry_param *e)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	uint32_t gid = fs_new_gid(p, ctx);
	struct p9_qid qid;
	uint32_t iounit;

	if (strlen(name) > 255)
		return -ENAMETOOLONG;
	struct fs_file *f = fs_file_new(fs);
	if (!f)
		return -ENOMEM;
	int r = fs_inode_clone(fs, p, &f->fid);
	if (r < 0) {
		fs_file_free(fs, f);
		return r;
	}
	uint64_t gen = atomic_load(&fs->ns_gen);
	bool fresh = (flags & P9_DOTL_EXCL) || fs_name_is_absent(fs, p, name) ||
		     fs_dirnames_absent(p, name);
	fs_name_drop(fs, p, name);   /* a failure below leaves it unknown */
	struct fs_newfile q = {
		.mode = S_IFREG | (mode & 07777),
		.uid = fs->chown_new && ctx->uid != fs->attach_uid ? ctx->uid : FS_NEW_UID_SERVER,
		.gid = gid,
	};
	struct fs_dirchg dc;
	fs_attr_dir_begin(fs, p, &dc);
	int hfd;
	r = p9_lcreate_fd(fs->c, f->fid, name, flags, mode & 07777, gid, &qid, &iounit, &hfd);
	if (r == 0)
		file_keep_host_fd(f, flags, hfd);
	if (r == 0) {
		/* else it may have opened a file already there (which a
		 * complete set holds already) */
		if (fresh) {
			fs_attr_dir_done(fs, p, &dc, 0);
			fs_dirnames_put(p, name, &qid, DT_REG);
		}
	} else {
		fs_dirnames_failed(p, name, r);
	}
	if (r == 0)
		r = fs_chown_new(fs, f->fid, ctx, gid);
	if (r == 0)   /* attrs predicted only for a name surely free (see above) */
		r = fs_new_entry(fs, p, name, fresh ? &q : NULL, &qid, fresh, e);
	if (r == 0 && fs_qid_check(fs_inode_of(fs, e->ino), &qid) < 0) {
		/* replaced between create and lookup: the open fid and the
		 * inode would be two files */
		fs_inode_forget(fs, fs_inode_of(fs, e->ino), 1);
		r = -ESTALE;
	}
	if (r < 0) {
		fs_fid_put(fs, f->fid);
		fs_file_free(fs, f);
		return r;
	}
	f->ino = fs_inode_of(fs, e->ino);
	fs_xneg_new_file(fs, p, f->ino);
	f->flags = flags;
	atomic_init(&f->gen, gen);
	*fout = f;
	return 0;
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f;
	struct fuse_entry_param e;
	uint32_t flags = fs_open_flags(fs, fi->flags) | P9_DOTL_CREATE;
	if (fi->flags & O_EXCL)
		flags |= P9_DOTL_EXCL;
	int r = do_create(req, fs, fs_inode_of(fs, parent), name, mode, flags, &f, &e);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)f;
	set_cache_flags(fs, fi);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		fs_fid_put(fs, f->fid);
		fs_inode_forget(fs, f->ino, 1);
		fs_file_free(fs, f);
	}
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	/* close(2) of any fd drops the process's POSIX locks on the file */
	fs_lock_flush(fs, fs_inode_of(fs, ino), fi->lock_owner);
	fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
	/* the last close of an open file drops its flock locks */
	if (fi->flock_release)
		fs_lock_flush(fs, f->ino, fi->lock_owner);
	file_put_fid(fs, f);
	fs_file_free(fs, f);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct fs_file *f = fs_file_of(fi);
	int r;
	if (f->host_fd >= 0 && !p9_client_alive(fs->c))
		r = -EIO;
	else if (f->host_fd >= 0)
		r = (datasync ? fdatasync(f->host_fd) : fsync(f->host_fd)) < 0 ? -errno : 0;
	else
		r = p9_fsync(fs->c, f->fid, datasync ? 1 : 0);
	fuse_reply_err(req, -r);
}

/* I/O on the host fd: the whole range (a short read is the end of file).
 * Once the server is gone the mount fails every operation with EIO, host
 * fds or not. */
static ssize_t host_pread(struct fs *fs, int fd, void *buf, size_t len, off_t off)
{
	if (!p9_client_alive(fs->c))
		return -EIO;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t host_pwrite(struct fs *fs, int fd, const void *buf, size_t len, off_t off)
{
	if (!p9_client_alive(fs->c))
		return -EIO;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	char *buf = fs_tls_buf(FS_BUF_IO, size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* the server moves atime; the kernel asks for it after reads */
	struct fs_file *f = fs_file_of(fi);
	fs_attr_inval(fs, f->ino);
	ssize_t n = f->host_fd >= 0 ? host_pread(fs, f->host_fd, buf, size, off)
				    : fs_pread(fs, f->fid, buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	struct fs_file *f = fs_file_of(fi);
	fs_attr_inval(fs, f->ino);
	ssize_t n = f->host_fd >= 0 ? host_pwrite(fs, f->host_fd, buf, size, off)
				    : fs_pwrite(fs, f->fid, buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

/* 9P2000.L has no fallocate: say so, and posix_fallocate(3) falls back to
 * writing.  (copy_file_range stays unset: the kernel then copies through
 * read and write itself, and remembers not to ask again.) */
static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	fuse_reply_err(req, EOPNOTSUPP);
}

void fs_ops_file(struct fuse_lowlevel_ops *ops)
{
	ops->open = op_open;
	ops->create = op_create;
	ops->flush = op_flush;
	ops->release = op_release;
	ops->fsync = op_fsync;
	ops->read = op_read;
	ops->write = op_write;
	ops->fallocate = op_fallocate;
}
