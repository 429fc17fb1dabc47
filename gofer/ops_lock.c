/* Tlock Tgetlock: POSIX byte-range locks as open-file-description locks
 * on the fid's own open fd, so fids and clients conflict like processes.
 * Never blocking: a lock that would wait answers BLOCKED and the client
 * polls (as Linux's v9fs does). */
#include "ops.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

static int to_flock(const struct p9_flock *l, struct flock *fl)
{
	memset(fl, 0, sizeof *fl);
	switch (l->type) {
	case P9_LOCK_TYPE_RDLCK:
		fl->l_type = F_RDLCK;
		break;
	case P9_LOCK_TYPE_WRLCK:
		fl->l_type = F_WRLCK;
		break;
	case P9_LOCK_TYPE_UNLCK:
		fl->l_type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (l->start > INT64_MAX || l->length > INT64_MAX)
		return -EINVAL;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)l->start;
	fl->l_len = (off_t)l->length;      /* 0: to the end of the file */
	return 0;
}

/* The fid's open fd, or -EBADF. */
static int lock_fd(struct op_ctx *x, uint32_t num, struct fid **f)
{
	int rc = fid_use(x, num, f);
	if (rc < 0)
		return rc;
	int fd = atomic_load(&(*f)->open_fd);
	if ((*f)->kind != FID_FILE || fd < 0) {
		fid_put(*f);
		return -EBADF;
	}
	return fd;
}

int op_lock(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct flock fl;
	int rc = to_flock(&m->u.tlock.lock, &fl);
	if (rc < 0)
		return rc;
	struct fid *f;
	int fd = lock_fd(x, m->u.tlock.fid, &f);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		r->u.rlock.status = P9_LOCK_SUCCESS;
	else if (errno == EAGAIN || errno == EACCES)
		r->u.rlock.status = P9_LOCK_BLOCKED;
	else
		rc = -errno;
	fid_put(f);
	return rc;
}

int op_getlock(struct op_ctx *x, const struct p9_msg *m, struct p9_msg *r)
{
	struct flock fl;
	int rc = to_flock(&m->u.tgetlock.lock, &fl);
	if (rc < 0)
		return rc;
	struct fid *f;
	int fd = lock_fd(x, m->u.tgetlock.fid, &f);
	if (fd < 0)
		return fd;
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		rc = -errno;
	} else {
		struct p9_flock *o = &r->u.rgetlock;
		o->type = fl.l_type == F_RDLCK ? P9_LOCK_TYPE_RDLCK :
			  fl.l_type == F_WRLCK ? P9_LOCK_TYPE_WRLCK : P9_LOCK_TYPE_UNLCK;
		o->start = (uint64_t)fl.l_start;
		o->length = (uint64_t)fl.l_len;
		/* OFD locks have no owning process; keep the asker's ids. */
		o->proc_id = m->u.tgetlock.lock.proc_id;
		o->client_id = m->u.tgetlock.lock.client_id;
	}
	fid_put(f);
	return rc;
}
