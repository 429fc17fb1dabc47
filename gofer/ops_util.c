#include "ops.h"
#include "qid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int check_writable(const struct op_ctx *x)
{
	return x->cfg->ro ? -EROFS : 0;
}

int fid_use(struct op_ctx *x, uint32_t num, struct fid **out)
{
	struct fid *f = fid_get(x->fids, num);
	if (!f)
		return -EBADF;
	int rc = ident_apply(x->cfg, &f->cred);
	if (rc < 0) {
		fid_put(f);
		return rc;
	}
	*out = f;
	return 0;
}

int name_check(struct p9_str s, char out[256])
{
	if (s.len == 0)
		return -ENOENT;
	if (s.len > 255)
		return -ENAMETOOLONG;
	if (memchr(s.s, '/', s.len) || memchr(s.s, '\0', s.len))
		return -EINVAL;
	if ((s.len == 1 && s.s[0] == '.') || (s.len == 2 && s.s[0] == '.' && s.s[1] == '.'))
		return -EINVAL;
	memcpy(out, s.s, s.len);
	out[s.len] = '\0';
	return 0;
}

int fid_stat(struct fid *f, struct stat *st)
{
	if (fstat(f->node->fd, st) < 0)
		return -errno;
	f->fmt = st->st_mode & S_IFMT;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->qid = qid_from_stat(st);
	return 0;
}

void proc_name(int fd, char buf[16])
{
	snprintf(buf, 16, "%d", fd);
}

/* Regular files are reopened through /proc/self/fd (opened before
 * confinement): the magic link names exactly the inode the fid holds, so
 * there is no name to race on.  The result is checked once more. */
static int reopen_regular(struct op_ctx *x, const struct fid *f, int flags)
{
	char name[16];
	proc_name(f->node->fd, name);
	int fd __cleanup_close = openat(x->cfg->proc_fd, name,
					flags | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_ino != f->ino || st.st_dev != f->dev)
		return -ESTALE;
	return steal_fd(&fd);
}

int fid_reopen(struct op_ctx *x, const struct fid *f, int flags)
{
	int fd;
	switch (f->fmt) {
	case S_IFREG:
		return reopen_regular(x, f, flags);
	case S_IFDIR:
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
			return -EISDIR;
		fd = openat(f->node->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	case S_IFLNK:
		return -ELOOP;
	case S_IFSOCK:
		return -ENXIO;
	default:        /* fifos and devices: never opened by the gofer */
		return -EACCES;
	}
}

void clear_suid_after_write(struct op_ctx *x, const struct fid *f, int fd)
{
	/* With a switched fs identity the kernel already did it. */
	if (x->cfg->ident != IDENT_SERVER || f->cred.uid == 0 || geteuid() != 0)
		return;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return;
	mode_t kill = S_ISUID;
	if (st.st_mode & S_IXGRP)
		kill |= S_ISGID;
	if (st.st_mode & kill)
		(void)fchmod(fd, st.st_mode & 07777 & ~kill);   /* best effort, as the kernel */
}
