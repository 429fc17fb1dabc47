/* Tauth Tattach Twalk Tclunk Tremove: fids come into being and go. */
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
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <stdatomic.h>

/* Where a walk stands: the node reached and how it was reached. */
struct cursor {
	struct node *node;
	struct node *parent;       /* NULL after '..' or at the start of an attach */
	char name[256];            /* valid when parent != NULL */
	mode_t fmt;
	dev_t dev;
	ino_t ino;
	struct p9_qid qid;
	dev_t root_dev;            /* '..' never leaves this directory */
	ino_t root_ino;
};

static void cursor_release(struct cursor *c)
{
	node_unref(c->node);
	node_unref(c->parent);
	c->node = c->parent = NULL;
}

static void cursor_set_stat(struct cursor *c, const struct stat *st)
{
	c->fmt = st->st_mode & S_IFMT;
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->qid = qid_from_stat(st);
}

static bool is_dotdot(struct p9_str s)
{
	return s.len == 2 && s.s[0] == '.' && s.s[1] == '.';
}

static bool is_dot(struct p9_str s)
{
	return s.len == 1 && s.s[0] == '.';
}

/* Move to the parent directory, or stay at the attach point. */
static int step_up(struct cursor *c)
{
	if (c->dev == c->root_dev && c->ino == c->root_ino)
		return 0;
	int fd __cleanup_close = openat(c->node->fd, "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	struct node *n = node_new(steal_fd(&fd));
	if (!n)
		return -ENOMEM;
	cursor_release(c);
	c->node = n;
	cursor_set_stat(c, &st);
	return 0;
}

/* openat of one checked name, never following anything.  openat2's
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS is a second line behind the name
 * check and O_NOFOLLOW (a symlink as the last component is still returned
 * as itself); kernels without openat2 get plain openat. */
static int open_child(int dirfd, const char *name)
{
	static atomic_bool no_openat2;
	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		struct open_how how = {
			.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
		};
		long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
		if (fd >= 0 || errno != ENOSYS)
			return fd < 0 ? -errno : (int)fd;
		atomic_store(&no_openat2, true);
	}
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* One component: never follows a symlink, never more than one name. */
static int step(struct cursor *c, struct p9_str s)
{
	if (c->fmt != S_IFDIR)
		return -ENOTDIR;
	if (is_dot(s))
		return 0;
	if (is_dotdot(s))
		return step_up(c);
	char name[256];
	int rc = name_check(s, name);
	if (rc < 0)
		return rc;
	int fd __cleanup_close = open_child(c->node->fd, name);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	struct node *n = node_new(steal_fd(&fd));
	if (!n)
		return -ENOMEM;
	node_unref(c->parent);
	c->parent = c->node;
	c->node = n;
	memcpy(c->name, name, sizeof name);
	cursor_set_stat(c, &st);
	return 0;
}

/* A fid (one reference, not in the table) owning the cursor's nodes. */
static int fid_from_cursor(struct cursor *c, uint32_t num, const struct cred *cred,
			   struct fid **out)
{
	struct fid *f = fid_alloc(num);
	char *name = c->parent ? strdup(c->name) : NULL;
	if (!f || (c->parent && !name)) {
		fid_put(f);
		free(name);
		return -ENOMEM;
	}
	f->node = steal_ptr(&c->node);
	f->parent = steal_ptr(&c->parent);
	f->name = name;
	f->fmt = c->fmt;
	f->dev = c->dev;
	f->ino = c->ino;
	f->qid = c->qid;
	f->root_dev = c->root_dev;
	f->root_ino = c->root_ino;
	f->cred = *cred;
	*out = f;
	return 0;
}

int op_auth(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	/* No authentication is configured: 9P2000.L clients then attach
	 * with afid NOFID. */
	return -ENOENT;
}

/* diod's clients name the export by its host path: accept that, or a path
 * inside the export.  Returns the part to walk below the export root. */
static const char *aname_rest(const struct gofer_export *exp, const char *aname)
{
	const char *hp = exp->host_path;
	size_t n = hp ? strlen(hp) : 0;
	while (n > 1 && hp[n - 1] == '/')
		n--;
	if (n > 0 && strncmp(aname, hp, n) == 0 && (aname[n] == '\0' || aname[n] == '/'))
		return aname + n;
	return aname;
}

/* Resolve the aname one component at a time, as a walk would. */
static int walk_aname(struct cursor *c, const char *path)
{
	while (*path) {
		while (*path == '/')
			path++;
		const char *end = strchrnul(path, '/');
		size_t len = (size_t)(end - path);
		if (len == 0)
			break;
		if (len > 255)
			return -ENAMETOOLONG;
		struct p9_str s = { .len = (uint16_t)len, .s = path };
		int rc = step(c, s);
		if (rc < 0)
			return rc;
		path = end;
	}
	return c->fmt == S_IFDIR ? 0 : -ENOTDIR;
}

static int attach_root(const struct gofer_export *exp, struct cursor *c)
{
	memset(c, 0, sizeof *c);
	int fd = fcntl(exp->root_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	c->node = node_new(fd);
	if (!c->node)
		return -ENOMEM;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	cursor_set_stat(c, &st);
	c->root_dev = c->dev;
	c->root_ino = c->ino;
	return 0;
}

int op_attach(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	char uname[256], aname[4096];
	if (m->u.tattach.afid != P9_NOFID)
		return -EBADF;
	int rc = p9_str_copy(uname, sizeof uname, m->u.tattach.uname);
	if (rc == 0)
		rc = p9_str_copy(aname, sizeof aname, m->u.tattach.aname);
	if (rc < 0)
		return rc;
	struct cred cred;
	rc = ident_for_attach(x->cfg, m->u.tattach.n_uname, uname, &cred);
	if (rc == 0)
		rc = ident_apply(x->cfg, &cred);
	if (rc < 0)
		return rc;

	struct cursor c;
	rc = attach_root(x->exp, &c);
	if (rc == 0)
		rc = walk_aname(&c, aname_rest(x->exp, aname));
	/* The attach point bounds '..' for every fid walked from it. */
	c.root_dev = c.dev;
	c.root_ino = c.ino;
	struct fid *f = NULL;
	if (rc == 0)
		rc = fid_from_cursor(&c, m->u.tattach.fid, &cred, &f);
	cursor_release(&c);
	if (rc < 0)
		return rc;
	rc = fid_insert(x->fids, f, false);
	r->u.rattach.qid = f->qid;
	fid_put(f);
	return rc;
}

static void cursor_from_fid(struct cursor *c, struct fid *f)
{
	memset(c, 0, sizeof *c);
	c->node = node_ref(f->node);
	pthread_mutex_lock(&f->lock);
	if (f->parent && f->name) {
		c->parent = node_ref(f->parent);
		snprintf(c->name, sizeof c->name, "%s", f->name);
	}
	pthread_mutex_unlock(&f->lock);
	c->fmt = f->fmt;
	c->dev = f->dev;
	c->ino = f->ino;
	c->qid = f->qid;
	c->root_dev = f->root_dev;
	c->root_ino = f->root_ino;
}

int op_walk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	uint32_t newfid = m->u.twalk.newfid;
	uint16_t nwname = m->u.twalk.nwname;
	struct fid *f;
	int rc = fid_use(x, m->u.twalk.fid, &f);
	if (rc < 0)
		return rc;
	if (f->kind != FID_FILE) {
		fid_put(f);
		return -EBADF;
	}
	if (nwname == 0 && newfid == f->num) {
		fid_put(f);
		r->u.rwalk.nwqid = 0;
		return 0;
	}
	struct cursor c;
	cursor_from_fid(&c, f);
	uint16_t i;
	for (i = 0; i < nwname; i++) {
		rc = step(&c, m->u.twalk.wnames[i]);
		if (rc < 0)
			break;
		r->u.rwalk.wqids[i] = c.qid;
	}
	r->u.rwalk.nwqid = i;
	struct fid *nf = NULL;
	if (i == nwname)        /* partial walks leave newfid unset */
		rc = fid_from_cursor(&c, newfid, &f->cred, &nf);
	else if (i > 0)
		rc = 0;
	cursor_release(&c);
	if (nf) {
		rc = fid_insert(x->fids, nf, newfid == f->num);
		fid_put(nf);
	}
	fid_put(f);
	return rc;
}

int op_clunk(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct fid *f = fid_remove(x->fids, m->u.tclunk.fid);
	if (!f)
		return -EBADF;
	int rc = 0;
	if (f->kind == FID_XATTR_WRITE) {
		/* The value is set now; the clunk reports how that went. */
		rc = ident_apply(x->cfg, &f->cred);
		if (rc == 0)
			rc = xattr_commit(x, f);
	}
	fid_put(f);
	return rc;
}

/* Remove the file f holds through the directory it was found in, after
 * checking that the name still refers to it. */
static int remove_locked(const struct fid *f)
{
	if (!f->parent || !f->name)
		return fid_is_root(f) ? -EBUSY : -EINVAL;
	struct stat st;
	if (fstatat(f->parent->fd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return -ESTALE;
	if (unlinkat(f->parent->fd, f->name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return -errno;
	return 0;
}

static int remove_fid(struct fid *f)
{
	pthread_mutex_lock(&f->lock);
	int rc = remove_locked(f);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

int op_remove(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	/* The fid is clunked whatever happens. */
	struct fid *f = fid_remove(x->fids, m->u.tremove.fid);
	if (!f)
		return -EBADF;
	int rc = check_writable(x);
	if (rc == 0)
		rc = ident_apply(x->cfg, &f->cred);
	if (rc == 0)
		rc = f->kind == FID_FILE ? remove_fid(f) : -EBADF;
	fid_put(f);
	return rc;
}
