/* Extended attributes through Txattrwalk (get, list) and Txattrcreate
 * (set, remove): the value travels as Tread/Twrite on a scratch fid. */
#include "fs_int.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define XATTR_MAX (64u * 1024u)   /* Linux' XATTR_SIZE_MAX */
#define XATTR_NAME_MAX 255u

/* Read the xattr (or the list, name "") into a fresh buffer. */
int fs_xattr_fetch(struct fs *fs, struct fs_inode *i, const char *name, size_t want, char **out,
		   size_t *len)
{
	uint32_t fid;
	uint64_t size;
	struct fs_fidref *h;
	int r = fs_fid_hold_verified(fs, i, &h);
	if (r < 0)
		return r;
	r = p9_fid_alloc(fs->c, &fid);
	if (r == 0) {
		r = p9_xattrwalk(fs->c, h->fid, fid, name, &size);
		if (r < 0)
			p9_fid_release(fs->c, fid);
	}
	fs_fid_drop(fs, i, h);
	if (r < 0)
		return r;
	if (size > XATTR_MAX) {
		r = -E2BIG;
	} else if (want == 0) {
		*out = NULL;   /* only the size was asked */
		*len = (size_t)size;
	} else if (size > want) {
		r = -ERANGE;
	} else {
		char *buf = malloc(size ? size : 1);
		ssize_t n = buf ? fs_pread(fs, fid, buf, (size_t)size, 0) : -ENOMEM;
		if (n >= 0 && (uint64_t)n != size)
			n = -EIO;   /* the server promised more than it sent */
		if (n < 0) {
			free(buf);
			r = (int)n;
		} else {
			*out = buf;
			*len = (size_t)size;
		}
	}
	fs_fid_put(fs, fid);
	return r;
}

static void reply_xattr(fuse_req_t req, size_t want, int r, char *buf, size_t len)
{
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (want == 0)
		fuse_reply_xattr(req, len);
	else
		fuse_reply_buf(req, buf, len);
	free(buf);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	char *buf = NULL;
	size_t len = 0;
	/* ls -l and every write(2) ask these: remember that they are absent */
	int bit = fs_xneg_bit(fs, name);
	uint32_t gen = fs_xneg_gen(i);
	if (fs_xneg_absent(fs, i, bit)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	int r = name[0] ? fs_xattr_fetch(fs, i, name, size, &buf, &len) : -EINVAL;
	/* Linux servers answer ENODATA; some answer ENOENT or EOPNOTSUPP */
	if (r == -ENOENT)
		r = -ENODATA;
	fs_xneg_learn(fs, i, gen, bit, r);   /* ignored if xgen moved */
	reply_xattr(req, size, r, buf, len);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fs *fs = fs_of(req);
	char *buf = NULL;
	size_t len = 0;
	int r = fs_xattr_fetch(fs, fs_inode_of(fs, ino), "", size, &buf, &len);
	/* the list is NUL-separated names: refuse one that is not */
	if (r == 0 && buf && len && buf[len - 1] != '\0')
		r = -EIO;
	reply_xattr(req, size, r, buf, len);
}

/* Txattrcreate on a clone, the value written, then Tclunk commits it:
 * the clunk's answer is the setxattr's. */
static int xattr_store(struct fs *fs, struct fs_inode *i, const char *name, const char *value,
		       size_t size, uint32_t flags)
{
	uint32_t fid;
	/* forget what a get learnt, before and after: a get that overlapped
	 * the change must not be believed */
	fs_xneg_forget(i);
	fs_attr_inval(fs, i);   /* ctime */
	struct fs_fidref *h;
	int r = fs_fid_hold_verified(fs, i, &h);
	if (r < 0)
		return r;
	r = fs_fid_clone(fs, h->fid, &fid);
	fs_fid_drop(fs, i, h);
	if (r < 0)
		return r;
	r = p9_xattrcreate(fs->c, fid, name, size, flags);
	if (r == 0 && size) {
		ssize_t n = fs_pwrite(fs, fid, value, size, 0);
		if (n >= 0 && (size_t)n != size)
			n = -EIO;
		r = n < 0 ? (int)n : 0;
	}
	int rc = p9_clunk(fs->c, fid);
	p9_fid_release(fs->c, fid);
	fs_xneg_forget(i);
	return r < 0 ? r : rc;
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	struct fs *fs = fs_of(req);
	int r = 0;
	if (!name[0] || strlen(name) > XATTR_NAME_MAX)
		r = name[0] ? -ERANGE : -EINVAL;
	else if (size > XATTR_MAX)
		r = -E2BIG;
	else if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		r = -EINVAL;
	if (r == 0) {
		uint32_t f = 0;
		if (flags & XATTR_CREATE)
			f |= P9_XATTR_CREATE;
		if (flags & XATTR_REPLACE)
			f |= P9_XATTR_REPLACE;
		r = xattr_store(fs, fs_inode_of(fs, ino), name, value, size, f);
	}
	fuse_reply_err(req, -r);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct fs *fs = fs_of(req);
	/* 9P2000.L has no remove: an empty value with REPLACE, as v9fs does */
	int r = name[0] ? xattr_store(fs, fs_inode_of(fs, ino), name, NULL, 0, P9_XATTR_REPLACE)
			: -EINVAL;
	if (r == -ENOENT)
		r = -ENODATA;
	fuse_reply_err(req, -r);
}

void fs_ops_xattr(struct fuse_lowlevel_ops *ops)
{
	ops->getxattr = op_getxattr;
	ops->listxattr = op_listxattr;
	ops->setxattr = op_setxattr;
	ops->removexattr = op_removexattr;
}
