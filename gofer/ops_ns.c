/* Tmkdir Tsymlink Tmknod Tlink Trename Trenameat Tunlinkat Treadlink:
 * directory entries, always one checked name relative to a directory fid. */
#include "ops.h"
#include "qid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* The directory fid `num`, the calling thread acting as its owner. */
static int use_dir(struct op_ctx *x, uint32_t num, struct fid **out)
{
	struct fid *d = NULL;
	int rc = fid_use(x, num, &d);
	if (rc < 0)
		return rc;
	if (d->kind != FID_FILE || d->fmt != S_IFDIR) {
		rc = d->kind != FID_FILE ? -EBADF : -ENOTDIR;
		fid_put(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* Common prologue of the creating messages. */
static int prepare_create(struct op_ctx *x, uint32_t dfid, struct p9_str s, uint32_t gid,
			  char name[256], struct fid **dir)
{
	int rc = check_writable(x);
	if (rc == 0)
		rc = name_check(s, name);
	if (rc == 0)
		rc = use_dir(x, dfid, dir);
	if (rc < 0)
		return rc;
	rc = ident_apply_create(x->cfg, &(*dir)->cred, ident_create_gid(&(*dir)->cred, gid));
	if (rc < 0)
		fid_put(*dir);
	return rc;
}

/* After a creation: the caller's ownership (server mode) and the qid.
 * If ownership cannot be given, the new entry is taken back. */
static int finish_create(struct op_ctx *x, struct fid *dir, const char *name, uint32_t gid,
			 bool is_dir, struct p9_qid *qid)
{
	int rc = ident_chown_new(x->cfg, &dir->cred, gid, dir->node->fd, name);
	if (rc < 0) {
		unlinkat(dir->node->fd, name, is_dir ? AT_REMOVEDIR : 0);
		return rc;
	}
	struct stat st;
	if (fstatat(dir->node->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	*qid = qid_from_stat(&st);
	return 0;
}

int op_mkdir(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	struct fid *d = NULL;
	int rc = prepare_create(x, m->u.tmkdir.dfid, m->u.tmkdir.name, m->u.tmkdir.gid, name, &d);
	if (rc < 0)
		return rc;
	if (mkdirat(d->node->fd, name, m->u.tmkdir.mode & 07777) < 0)
		rc = -errno;
	else
		rc = finish_create(x, d, name, m->u.tmkdir.gid, true, &r->u.rmkdir.qid);
	fid_put(d);
	return rc;
}

int op_symlink(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	if (m->u.tsymlink.symtgt.len == 0)
		return -ENOENT;
	/* The target is only text for the client to resolve: never followed here. */
	int rc = p9_str_copy(x->scratch, sizeof x->scratch, m->u.tsymlink.symtgt);
	if (rc < 0)
		return rc == -EINVAL ? -EINVAL : -ENAMETOOLONG;
	struct fid *d = NULL;
	rc = prepare_create(x, m->u.tsymlink.fid, m->u.tsymlink.name, m->u.tsymlink.gid, name, &d);
	if (rc < 0)
		return rc;
	if (symlinkat(x->scratch, d->node->fd, name) < 0)
		rc = -errno;
	else
		rc = finish_create(x, d, name, m->u.tsymlink.gid, false, &r->u.rsymlink.qid);
	fid_put(d);
	return rc;
}

int op_mknod(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	mode_t mode = m->u.tmknod.mode;
	switch (mode & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		return -EPERM;        /* device nodes are never made for a client */
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFREG:
		break;
	case 0:
		mode |= S_IFREG;
		break;
	default:
		return -EINVAL;
	}
	struct fid *d = NULL;
	int rc = prepare_create(x, m->u.tmknod.dfid, m->u.tmknod.name, m->u.tmknod.gid, name, &d);
	if (rc < 0)
		return rc;
	if (mknodat(d->node->fd, name, mode & (S_IFMT | 07777), 0) < 0)
		rc = -errno;
	else
		rc = finish_create(x, d, name, m->u.tmknod.gid, false, &r->u.rmknod.qid);
	fid_put(d);
	return rc;
}

/* Re-check that f's remembered parent/name still names f (under f->lock). */
static int verify_name(const struct fid *f)
{
	if (!f->parent || !f->name)
		return fid_is_root(f) ? -EBUSY : -EINVAL;
	struct stat st;
	if (fstatat(f->parent->fd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return st.st_dev == f->dev && st.st_ino == f->ino ? 0 : -ESTALE;
}

/* Hard link of f: through /proc/self/fd for everything but symlinks (no
 * name involved), through the verified name for symlinks. */
static int link_fid(struct op_ctx *x, struct fid *f, int dirfd, const char *name)
{
	if (f->fmt == S_IFDIR)
		return -EPERM;
	if (f->fmt != S_IFLNK) {
		char pname[16];
		proc_name(f->node->fd, pname);
		return linkat(x->cfg->proc_fd, pname, dirfd, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	}
	pthread_mutex_lock(&f->lock);
	int rc = verify_name(f);
	if (rc == 0 && linkat(f->parent->fd, f->name, dirfd, name, 0) < 0)
		rc = -errno;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

int op_link(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	int rc = check_writable(x);
	if (rc == 0)
		rc = name_check(m->u.tlink.name, name);
	struct fid *d = NULL, *f;
	if (rc == 0)
		rc = use_dir(x, m->u.tlink.dfid, &d);
	if (rc < 0)
		return rc;
	f = fid_get(x->fids, m->u.tlink.fid);
	if (!f)
		rc = -EBADF;
	else
		rc = f->kind == FID_FILE ? link_fid(x, f, d->node->fd, name) : -EBADF;
	fid_put(f);
	fid_put(d);
	return rc;
}

static int rename_locked(struct fid *f, struct fid *d, const char *name)
{
	int rc = verify_name(f);
	if (rc < 0)
		return rc;
	char *nname = strdup(name);
	if (!nname)
		return -ENOMEM;
	if (renameat(f->parent->fd, f->name, d->node->fd, name) < 0) {
		free(nname);
		return -errno;
	}
	node_unref(f->parent);
	f->parent = node_ref(d->node);
	free(f->name);
	f->name = nname;
	return 0;
}

int op_rename(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	int rc = check_writable(x);
	if (rc == 0)
		rc = name_check(m->u.trename.name, name);
	struct fid *d = NULL, *f;
	if (rc == 0)
		rc = use_dir(x, m->u.trename.dfid, &d);
	if (rc < 0)
		return rc;
	f = fid_get(x->fids, m->u.trename.fid);
	if (!f) {
		rc = -EBADF;
	} else if (f->kind != FID_FILE) {
		rc = -EBADF;
	} else {
		pthread_mutex_lock(&f->lock);
		rc = rename_locked(f, d, name);
		pthread_mutex_unlock(&f->lock);
	}
	fid_put(f);
	fid_put(d);
	return rc;
}

int op_renameat(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char oldname[256], newname[256];
	int rc = check_writable(x);
	if (rc == 0)
		rc = name_check(m->u.trenameat.oldname, oldname);
	if (rc == 0)
		rc = name_check(m->u.trenameat.newname, newname);
	struct fid *od = NULL, *nd = NULL;
	if (rc == 0)
		rc = use_dir(x, m->u.trenameat.olddirfid, &od);
	if (rc < 0)
		return rc;
	rc = use_dir(x, m->u.trenameat.newdirfid, &nd);
	if (rc == 0 && renameat(od->node->fd, oldname, nd->node->fd, newname) < 0)
		rc = -errno;
	fid_put(nd);
	fid_put(od);
	return rc;
}

int op_unlinkat(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char name[256];
	uint32_t flags = m->u.tunlinkat.flags;
	int rc = check_writable(x);
	if (rc == 0 && (flags & ~(uint32_t)P9_AT_REMOVEDIR))
		rc = -EINVAL;
	if (rc == 0)
		rc = name_check(m->u.tunlinkat.name, name);
	struct fid *d = NULL;
	if (rc == 0)
		rc = use_dir(x, m->u.tunlinkat.dirfid, &d);
	if (rc < 0)
		return rc;
	if (unlinkat(d->node->fd, name, flags & P9_AT_REMOVEDIR ? AT_REMOVEDIR : 0) < 0)
		rc = -errno;
	fid_put(d);
	return rc;
}

int op_readlink(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f;
	int rc = fid_use(x, m->u.treadlink.fid, &f);
	if (rc < 0)
		return rc;
	ssize_t n = -EINVAL;
	if (f->kind == FID_FILE && f->fmt == S_IFLNK) {
		n = readlinkat(f->node->fd, "", x->scratch, sizeof x->scratch);
		if (n < 0)
			n = -errno;
		else if ((size_t)n >= sizeof x->scratch)
			n = -ENAMETOOLONG;
	}
	fid_put(f);
	if (n < 0)
		return (int)n;
	r->u.rreadlink.target.s = x->scratch;
	r->u.rreadlink.target.len = (uint16_t)n;
	return 0;
}
