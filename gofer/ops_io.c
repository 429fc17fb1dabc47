/* Tlopen Tlcreate Tread Twrite Tfsync: file I/O on opened fids. */
#include "ops.h"
#include "qid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* The 9P2000.L open flags the gofer honours, as host flags.  Creation,
 * tty, async and cloexec bits are the gofer's business, not the client's. */
static int host_open_flags(uint32_t f)
{
	int h = (int)(f & 3);
	if (f & P9_DOTL_TRUNC)
		h |= O_TRUNC;
	if (f & P9_DOTL_APPEND)
		h |= O_APPEND;
	if (f & P9_DOTL_DSYNC)
		h |= O_DSYNC;
	if (f & P9_DOTL_SYNC)
		h |= O_SYNC;
	return h;
}

static int check_open_flags(const struct op_ctx *x, uint32_t flags)
{
	if ((flags & 3) == P9_DOTL_NOACCESS)
		return -EINVAL;
	if (x->cfg->ro && ((flags & 3) != P9_DOTL_RDONLY || (flags & P9_DOTL_TRUNC)))
		return -EROFS;
	return 0;
}

/* With the host-fd extension, a regular file's open fd goes out with the
 * reply (a copy: the fid keeps its own).  The client counts on one fd
 * per such reply, so failing to copy fails the request. */
static int pass_copy(struct op_ctx *x, int fd)
{
	if (!x->pass_fds)
		return 0;
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (d < 0)
		return -errno;
	*x->pass_fd = d;
	return 0;
}

static int lopen_locked(struct op_ctx *x, struct fid *f, uint32_t flags, struct p9_qid *qid)
{
	if (atomic_load(&f->open_fd) >= 0)
		return -EBUSY;
	if ((flags & P9_DOTL_DIRECTORY) && f->fmt != S_IFDIR)
		return -ENOTDIR;
	int h = host_open_flags(flags);
	int fd = fid_reopen(x, f, h);
	if (fd < 0)
		return fd;
	int rc = f->fmt == S_IFREG ? pass_copy(x, fd) : 0;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	if (h & O_TRUNC)
		clear_suid_after_write(x, f, fd);
	*qid = f->qid;
	f->open_acc = h & O_ACCMODE;
	atomic_store(&f->open_fd, fd);
	return 0;
}

int op_lopen(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	int rc = check_open_flags(x, m->u.tlopen.flags);
	if (rc < 0)
		return rc;
	struct fid *f;
	rc = fid_use(x, m->u.tlopen.fid, &f);
	if (rc < 0)
		return rc;
	if (f->kind != FID_FILE) {
		fid_put(f);
		return -EBADF;
	}
	pthread_mutex_lock(&f->lock);
	rc = lopen_locked(x, f, m->u.tlopen.flags, &r->u.rlopen.qid);
	pthread_mutex_unlock(&f->lock);
	r->u.rlopen.iounit = 0;    /* the client uses msize - 24 */
	fid_put(f);
	return rc;
}

/* O_CREAT without O_EXCL on an existing name: open it like Tlopen would,
 * regular files only (never a fifo or device someone placed there). */
static int open_existing(struct op_ctx *x, int dirfd, const char *name, int h)
{
	int pfd __cleanup_close = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	struct stat st;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EEXIST;
	struct fid tmp = { .fmt = S_IFREG, .dev = st.st_dev, .ino = st.st_ino };
	struct node n = { .fd = pfd };
	tmp.node = &n;
	return fid_reopen(x, &tmp, h);
}

/* Create and open dir/name; on success the opened fd. */
static int create_file(struct op_ctx *x, struct fid *dir, const char *name,
		       const struct p9_msg *m)
{
	int h = host_open_flags(m->u.tlcreate.flags);
	gid_t gid = ident_create_gid(&dir->cred, m->u.tlcreate.gid);
	int rc = ident_apply_create(x->cfg, &dir->cred, gid);
	if (rc < 0)
		return rc;
	int fd __cleanup_close = openat(dir->node->fd, name,
					h | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
					m->u.tlcreate.mode & 07777);
	if (fd < 0 && errno == EEXIST && !(m->u.tlcreate.flags & P9_DOTL_EXCL)) {
		fd = open_existing(x, dir->node->fd, name, h);
		rc = fd < 0 ? fd : pass_copy(x, fd);
		return rc < 0 ? rc : steal_fd(&fd);
	}
	if (fd < 0)
		return -errno;
	rc = ident_chown_new(x->cfg, &dir->cred, m->u.tlcreate.gid, fd, NULL);
	if (rc == 0)
		rc = pass_copy(x, fd);
	if (rc < 0) {
		unlinkat(dir->node->fd, name, 0);
		return rc;
	}
	return steal_fd(&fd);
}

/* The fid that replaces `dir` once the file is created: same number. */
static int created_fid(struct op_ctx *x, struct fid *dir, const char *name, int *fd,
		       int acc, struct fid **out)
{
	char pname[16];
	proc_name(*fd, pname);
	int pfd = openat(x->cfg->proc_fd, pname, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	struct fid *f = fid_alloc(dir->num);
	if (!f) {
		close(pfd);
		return -ENOMEM;
	}
	f->node = node_new(pfd);
	f->parent = node_ref(dir->node);
	f->name = strdup(name);
	f->root_dev = dir->root_dev;
	f->root_ino = dir->root_ino;
	f->cred = dir->cred;
	struct stat st;
	int rc = !f->node || !f->name ? -ENOMEM : fid_stat(f, &st);
	if (rc < 0) {
		fid_put(f);
		return rc;
	}
	f->open_acc = acc;
	atomic_store(&f->open_fd, steal_fd(fd));
	*out = f;
	return 0;
}

int op_lcreate(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	int rc = check_writable(x);
	if (rc == 0)
		rc = check_open_flags(x, m->u.tlcreate.flags);
	if (rc == 0)
		rc = name_check(m->u.tlcreate.name, name);
	if (rc < 0)
		return rc;
	struct fid *dir;
	rc = fid_use(x, m->u.tlcreate.fid, &dir);
	if (rc < 0)
		return rc;
	struct fid *f = NULL;
	int fd __cleanup_close = -1;
	if (dir->kind != FID_FILE || dir->fmt != S_IFDIR)
		rc = dir->kind != FID_FILE ? -EBADF : -ENOTDIR;
	else
		rc = fd = create_file(x, dir, name, m);
	if (rc >= 0)
		rc = created_fid(x, dir, name, &fd, host_open_flags(m->u.tlcreate.flags) & O_ACCMODE, &f);
	if (rc >= 0)
		rc = fid_insert(x->fids, f, true);
	if (f) {
		r->u.rlcreate.qid = f->qid;
		fid_put(f);
	}
	r->u.rlcreate.iounit = 0;
	fid_put(dir);
	return rc < 0 ? rc : 0;
}

static uint32_t io_count(const struct op_ctx *x, uint32_t count)
{
	uint32_t max = x->msize - P9_IOHDRSZ;
	if (count > max)
		count = max;
	if (count > x->out_cap - P9_RREAD_HDRSZ)
		count = x->out_cap - P9_RREAD_HDRSZ;
	return count;
}

int op_read(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	if (m->u.tread.offset > INT64_MAX)
		return -EINVAL;
	struct fid *f;
	int rc = fid_use(x, m->u.tread.fid, &f);
	if (rc < 0)
		return rc;
	uint8_t *dst = x->out + P9_RREAD_HDRSZ;
	uint32_t count = io_count(x, m->u.tread.count);
	int fd = atomic_load(&f->open_fd);
	ssize_t n;
	if (f->kind == FID_XATTR_READ)
		n = xattr_read(f, m->u.tread.offset, dst, count);
	else if (f->kind != FID_FILE || fd < 0 || f->open_acc == O_WRONLY)
		n = -EBADF;
	else {
		do
			n = pread(fd, dst, count, (off_t)m->u.tread.offset);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = -errno;
	}
	fid_put(f);
	if (n < 0)
		return (int)n;
	r->u.rread.count = (uint32_t)n;
	r->u.rread.data = dst;
	return 0;
}

int op_write(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	if (m->u.twrite.offset > INT64_MAX)
		return -EINVAL;
	int rc = check_writable(x);
	struct fid *f;
	if (rc == 0)
		rc = fid_use(x, m->u.twrite.fid, &f);
	if (rc < 0)
		return rc;
	int fd = atomic_load(&f->open_fd);
	ssize_t n;
	if (f->kind == FID_XATTR_WRITE)
		n = xattr_write(f, m->u.twrite.offset, m->u.twrite.data, m->u.twrite.count);
	else if (f->kind != FID_FILE || fd < 0 || f->open_acc == O_RDONLY)
		n = -EBADF;
	else {
		do
			n = pwrite(fd, m->u.twrite.data, m->u.twrite.count, (off_t)m->u.twrite.offset);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = -errno;
		else if (n > 0)
			clear_suid_after_write(x, f, fd);
	}
	fid_put(f);
	if (n < 0)
		return (int)n;
	r->u.rwrite.count = (uint32_t)n;
	return 0;
}

int op_fsync(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f;
	int rc = fid_use(x, m->u.tfsync.fid, &f);
	if (rc < 0)
		return rc;
	int fd = atomic_load(&f->open_fd);
	if (f->kind != FID_FILE || fd < 0)
		rc = -EBADF;
	else if ((m->u.tfsync.datasync ? fdatasync(fd) : fsync(fd)) < 0)
		rc = -errno;
	fid_put(f);
	return rc;
}
