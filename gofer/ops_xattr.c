/* Txattrwalk Txattrcreate, and the xattr fids they make: a read handle
 * holding a snapshot of a value (or of the name list), and a write buffer
 * committed at Tclunk.  user.* and POSIX ACLs always; trusted.* and
 * security.* only when the export opts in. */
#include "ops.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool ns_allowed(const struct gofer_config *cfg, const char *name)
{
	if (has_prefix(name, "user."))
		return true;
	if (strcmp(name, "system.posix_acl_access") == 0 || strcmp(name, "system.posix_acl_default") == 0)
		return true;
	if (has_prefix(name, "trusted."))
		return cfg->xattr_trusted;
	if (has_prefix(name, "security."))
		return cfg->xattr_security;
	return false;
}

/* An fd xattr syscalls accept (not O_PATH): the open one, or a read-only
 * reopen of a regular file or directory.  *own receives an fd to close.
 * Other types have no xattrs the gofer reaches: -ENODATA. */
static int xattr_fd(struct op_ctx *x, const struct fid *f, int *own)
{
	int fd = atomic_load(&f->open_fd);
	if (fd >= 0)
		return fd;
	if (f->fmt != S_IFREG && f->fmt != S_IFDIR)
		return -ENODATA;
	*own = fid_reopen(x, f, O_RDONLY);
	return *own;
}

static int get_value(int fd, const char *name, struct xattr_buf *xa)
{
	for (int tries = 0; tries < 3; tries++) {
		ssize_t size = fgetxattr(fd, name, NULL, 0);
		if (size < 0)
			return -errno;
		if ((size_t)size > GOFER_XATTR_MAX)
			return -E2BIG;
		uint8_t *buf = malloc(size ? (size_t)size : 1);
		if (!buf)
			return -ENOMEM;
		ssize_t n = fgetxattr(fd, name, buf, (size_t)size);
		if (n >= 0) {
			xa->data = buf;
			xa->size = (size_t)n;
			return 0;
		}
		free(buf);
		if (errno != ERANGE)
			return -errno;
	}
	return -ERANGE;
}

/* The name list, without the namespaces this export does not serve. */
static int get_list(const struct gofer_config *cfg, int fd, struct xattr_buf *xa)
{
	char *buf = malloc(GOFER_XATTR_MAX);
	if (!buf)
		return -ENOMEM;
	ssize_t n = fd >= 0 ? flistxattr(fd, buf, GOFER_XATTR_MAX) : 0;
	if (n < 0) {
		int err = errno;
		free(buf);
		return err == ERANGE ? -E2BIG : -err;
	}
	size_t out = 0;
	for (size_t pos = 0; pos < (size_t)n;) {
		size_t len = strnlen(buf + pos, (size_t)n - pos);
		if (pos + len < (size_t)n && ns_allowed(cfg, buf + pos)) {
			memmove(buf + out, buf + pos, len + 1);
			out += len + 1;
		}
		pos += len + 1;
	}
	xa->data = (uint8_t *)buf;
	xa->size = out;
	return 0;
}

static int snapshot(struct op_ctx *x, const struct fid *f, const char *name, struct xattr_buf *xa)
{
	int own __cleanup_close = -1;
	bool list = name[0] == '\0';
	if (!list && !ns_allowed(x->cfg, name))
		return -ENODATA;       /* as absent: the client's kernel then carries on */
	int fd = xattr_fd(x, f, &own);
	if (fd == -ENODATA && list)
		return get_list(x->cfg, -1, xa);
	if (fd < 0)
		return fd;
	return list ? get_list(x->cfg, fd, xa) : get_value(fd, name, xa);
}

static struct fid *xattr_fid(const struct fid *f, uint32_t num, enum fid_kind kind)
{
	struct fid *nf = fid_alloc(num);
	if (!nf)
		return NULL;
	nf->node = node_ref(f->node);
	nf->fmt = f->fmt;
	nf->dev = f->dev;
	nf->ino = f->ino;
	nf->qid = f->qid;
	nf->root_dev = f->root_dev;
	nf->root_ino = f->root_ino;
	nf->cred = f->cred;
	nf->kind = kind;
	nf->xa = calloc(1, sizeof *nf->xa);
	if (!nf->xa) {
		fid_put(nf);
		return NULL;
	}
	return nf;
}

int op_xattrwalk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	int rc = p9_str_copy(name, sizeof name, m->u.txattrwalk.name);
	if (rc < 0)
		return rc == -ENAMETOOLONG ? -ERANGE : rc;
	struct fid *f;
	rc = fid_use(x, m->u.txattrwalk.fid, &f);
	if (rc < 0)
		return rc;
	struct fid *nf = NULL;
	if (f->kind != FID_FILE)
		rc = -EBADF;
	else if (!(nf = xattr_fid(f, m->u.txattrwalk.newfid, FID_XATTR_READ)))
		rc = -ENOMEM;
	else
		rc = snapshot(x, f, name, nf->xa);
	if (rc == 0) {
		r->u.rxattrwalk.size = nf->xa->size;
		rc = fid_insert(x->fids, nf, nf->num == f->num);
	}
	fid_put(nf);
	fid_put(f);
	return rc;
}

static int xattrcreate_locked(struct fid *f, const char *name, uint64_t size, uint32_t flags)
{
	if (f->kind != FID_FILE || atomic_load(&f->open_fd) >= 0)
		return -EBADF;
	struct xattr_buf *xa = calloc(1, sizeof *xa);
	if (!xa)
		return -ENOMEM;
	xa->data = malloc(size ? size : 1);
	if (!xa->data) {
		free(xa);
		return -ENOMEM;
	}
	xa->size = size;
	xa->flags = (int)flags;
	snprintf(xa->name, sizeof xa->name, "%s", name);
	f->xa = xa;
	f->kind = FID_XATTR_WRITE;
	return 0;
}

int op_xattrcreate(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	int rc = check_writable(x);
	if (rc == 0)
		rc = p9_str_copy(name, sizeof name, m->u.txattrcreate.name);
	if (rc < 0)
		return rc == -ENAMETOOLONG ? -ERANGE : rc;
	if (name[0] == '\0' || (m->u.txattrcreate.flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE)))
		return -EINVAL;
	if (!ns_allowed(x->cfg, name))
		return -EOPNOTSUPP;
	if (m->u.txattrcreate.attr_size > GOFER_XATTR_MAX)
		return -E2BIG;
	struct fid *f;
	rc = fid_use(x, m->u.txattrcreate.fid, &f);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&f->lock);
	rc = xattrcreate_locked(f, name, m->u.txattrcreate.attr_size, m->u.txattrcreate.flags);
	pthread_mutex_unlock(&f->lock);
	fid_put(f);
	return rc;
}

int xattr_read(struct fid *f, uint64_t offset, uint8_t *dst, uint32_t count)
{
	pthread_mutex_lock(&f->lock);
	const struct xattr_buf *xa = f->xa;
	size_t n = 0;
	if (offset < xa->size) {
		n = xa->size - (size_t)offset;
		if (n > count)
			n = count;
		memcpy(dst, xa->data + offset, n);
	}
	pthread_mutex_unlock(&f->lock);
	return (int)n;
}

int xattr_write(struct fid *f, uint64_t offset, const uint8_t *src, uint32_t count)
{
	int rc;
	pthread_mutex_lock(&f->lock);
	struct xattr_buf *xa = f->xa;
	if (offset > xa->size || count > xa->size - offset) {
		rc = -EINVAL;     /* beyond the announced size (CVE-2016-9104) */
	} else {
		memcpy(xa->data + offset, src, count);
		if (offset + count > xa->filled)
			xa->filled = (size_t)offset + count;
		rc = (int)count;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

int xattr_commit(struct op_ctx *x, struct fid *f)
{
	const struct xattr_buf *xa = f->xa;
	if (xa->filled != xa->size)
		return -EINVAL;            /* a short write */
	if (f->fmt == S_IFLNK)
		return -EPERM;             /* user.* is not allowed on symlinks */
	int own __cleanup_close = -1;
	int fd = xattr_fd(x, f, &own);
	if (fd < 0)
		return fd == -ENODATA ? -EPERM : fd;
	int rc;
	if (xa->size == 0 && (xa->flags & XATTR_REPLACE))
		rc = fremovexattr(fd, xa->name);
	else
		rc = fsetxattr(fd, xa->name, xa->data, xa->size, xa->flags);
	return rc < 0 ? -errno : 0;
}
