/* Byte-range (POSIX) and flock locks through Tlock/Tgetlock.
 *
 * The server locks per fid (OFD-style), the kernel per owner: a process
 * (POSIX) or an open file (flock).  So each (inode, owner) gets a lock fid
 * of its own, opened read-write when allowed: two fds of one process never
 * conflict, a forked child with an inherited fd conflicts with its parent,
 * and close(2) (flush) drops the owner's POSIX locks by clunking it.
 * A BLOCKED answer is polled with backoff; a FUSE interrupt ends the wait
 * with EINTR and flushes a Tlock the server is sitting on. */
#include "fs_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#define LOCK_CLIENT_ID "burrow"

struct fs_lockfid {
	struct fs_lockfid *next;
	uint64_t owner;
	uint32_t fid;
	unsigned users;    /* calls using fid now, under lk_mu */
};

static struct fs_lockfid *lf_find(struct fs_inode *i, uint64_t owner)
{
	struct fs_lockfid *lf = i->lockfids;
	while (lf && lf->owner != owner)
		lf = lf->next;
	return lf;
}

static void lf_unlink(struct fs_inode *i, struct fs_lockfid *lf)
{
	struct fs_lockfid **pp = &i->lockfids;
	while (*pp != lf)
		pp = &(*pp)->next;
	*pp = lf->next;
}

/* Open a new lock fid: read-write so any lock type is allowed, else the
 * access mode the caller's file has. */
static int lf_open(struct fs *fs, struct fs_inode *i, const struct fs_file *f, uint32_t *fid)
{
	int r = fs_inode_clone(fs, i, fid);
	if (r < 0)
		return r;
	struct p9_qid qid;
	uint32_t iounit;
	r = p9_lopen(fs->c, *fid, P9_DOTL_RDWR, &qid, &iounit);
	if ((r == -EACCES || r == -EPERM || r == -EROFS) && f)
		r = p9_lopen(fs->c, *fid, f->flags & P9_DOTL_NOACCESS, &qid, &iounit);
	if (r == 0)
		r = fs_qid_check(i, &qid);   /* never lock another file */
	if (r < 0)
		fs_fid_put(fs, *fid);
	return fs_stale_errno(r);
}

/* The owner's lock fid with one more user; created if `f` is given. */
static int lf_get(struct fs *fs, struct fs_inode *i, uint64_t owner, const struct fs_file *f,
		  struct fs_lockfid **out)
{
	pthread_mutex_lock(&i->lk_mu);
	struct fs_lockfid *lf = lf_find(i, owner);
	if (lf)
		lf->users++;
	pthread_mutex_unlock(&i->lk_mu);
	if (lf || !f) {
		*out = lf;
		return 0;
	}

	struct fs_lockfid *fresh = calloc(1, sizeof *fresh);
	if (!fresh)
		return -ENOMEM;
	int r = lf_open(fs, i, f, &fresh->fid);
	if (r < 0) {
		free(fresh);
		return r;
	}
	fresh->owner = owner;
	fresh->users = 1;
	pthread_mutex_lock(&i->lk_mu);
	lf = lf_find(i, owner);     /* another thread of the owner won */
	if (lf) {
		lf->users++;
	} else {
		fresh->next = i->lockfids;
		i->lockfids = fresh;
		lf = fresh;
		fresh = NULL;
	}
	pthread_mutex_unlock(&i->lk_mu);
	if (fresh) {
		fs_fid_put(fs, fresh->fid);
		free(fresh);
	}
	*out = lf;
	return 0;
}

static void lf_put(struct fs_inode *i, struct fs_lockfid *lf)
{
	pthread_mutex_lock(&i->lk_mu);
	lf->users--;
	pthread_mutex_unlock(&i->lk_mu);
}

/* Drop every lock of `owner` on the inode: clunk its lock fid, or unlock
 * all if another call is still using it. */
static void lf_release_owner(struct fs *fs, struct fs_inode *i, uint64_t owner)
{
	pthread_mutex_lock(&i->lk_mu);
	struct fs_lockfid *lf = lf_find(i, owner);
	bool busy = lf && lf->users > 0;
	if (lf && !busy)
		lf_unlink(i, lf);
	else if (lf)
		lf->users++;
	pthread_mutex_unlock(&i->lk_mu);
	if (!lf)
		return;
	if (!busy) {
		fs_fid_put(fs, lf->fid);
		free(lf);
		return;
	}
	struct p9_flock unl = { .type = P9_LOCK_TYPE_UNLCK, .client_id = p9_str_of(LOCK_CLIENT_ID) };
	p9_lock(fs->c, lf->fid, &unl);
	lf_put(i, lf);
}

void fs_lock_flush(struct fs *fs, struct fs_inode *i, uint64_t owner)
{
	lf_release_owner(fs, i, owner);
}

void fs_lock_drop_all(struct fs *fs, struct fs_inode *i, bool clunk)
{
	pthread_mutex_lock(&i->lk_mu);
	struct fs_lockfid *lf = i->lockfids, *next;
	i->lockfids = NULL;
	pthread_mutex_unlock(&i->lk_mu);
	for (; lf; lf = next) {
		next = lf->next;
		if (clunk)
			fs_fid_put(fs, lf->fid);
		free(lf);
	}
}

static void interrupt_cb(fuse_req_t req, void *data)
{
	p9_cancel_fire(data);
}

/* One Tlock, flushed if the FUSE request is interrupted meanwhile. */
static int lock_once(fuse_req_t req, struct fs *fs, uint32_t fid, const struct p9_flock *lk)
{
	struct p9_cancel k;
	struct p9_msg m = { .type = P9_TLOCK };
	struct p9_reply rep;
	m.u.tlock.fid = fid;
	m.u.tlock.lock = *lk;
	p9_cancel_init(&k);
	fuse_req_interrupt_func(req, interrupt_cb, &k);
	int r = p9_rpc(fs->c, &m, &rep, &k);
	fuse_req_interrupt_func(req, NULL, NULL);   /* no callback after this */
	if (r < 0)
		return r;
	r = rep.msg.u.rlock.status;
	p9_reply_free(&rep);
	return r;
}

/* Tlock until granted; BLOCKED is polled (1 ms doubling to 100 ms). */
static int lock_wait(fuse_req_t req, struct fs *fs, uint32_t fid, struct p9_flock *lk, bool wait)
{
	long delay_ns = 1000000;
	if (wait)
		lk->flags |= P9_LOCK_FLAGS_BLOCK;
	for (;;) {
		int st = lock_once(req, fs, fid, lk);
		if (st < 0)
			return st;
		if (st == P9_LOCK_SUCCESS)
			return 0;
		if (st != P9_LOCK_BLOCKED)
			return -ENOLCK;   /* ERROR, GRACE or nonsense */
		if (!wait)
			return -EAGAIN;
		if (fuse_req_interrupted(req) || atomic_load(&fs->exiting))
			return -EINTR;
		if (!p9_client_alive(fs->c))
			return -EIO;
		struct timespec ts = { 0, delay_ns };
		nanosleep(&ts, NULL);
		if (delay_ns < 100000000)
			delay_ns *= 2;
	}
}

static int flock_type(short t)
{
	switch (t) {
	case F_RDLCK: return P9_LOCK_TYPE_RDLCK;
	case F_WRLCK: return P9_LOCK_TYPE_WRLCK;
	case F_UNLCK: return P9_LOCK_TYPE_UNLCK;
	default: return -EINVAL;
	}
}

/* struct flock as the kernel passes it (l_whence SEEK_SET, l_len 0 = to
 * the end) -> the 9P range. */
static int flock_to_p9(const struct flock *l, struct p9_flock *lk)
{
	int t = flock_type(l->l_type);
	if (t < 0 || l->l_start < 0 || l->l_len < 0)
		return -EINVAL;
	memset(lk, 0, sizeof *lk);
	lk->type = (uint8_t)t;
	lk->start = (uint64_t)l->l_start;
	lk->length = (uint64_t)l->l_len;
	lk->proc_id = (uint32_t)l->l_pid;
	lk->client_id = p9_str_of(LOCK_CLIENT_ID);
	return 0;
}

static void op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct flock *lock)
{
	struct fs *fs = fs_of(req);
	struct fs_inode *i = fs_inode_of(fs, ino);
	struct p9_flock lk, out;
	char cid[256];
	int r = flock_to_p9(lock, &lk);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	/* test through the owner's own fid so its locks never conflict */
	struct fs_lockfid *lf = NULL;
	r = lf_get(fs, i, fi->lock_owner, NULL, &lf);
	uint32_t fid = lf ? lf->fid : P9_NOFID;
	r = lf ? 0 : fs_file_fid(fs, fs_file_of(fi), &fid);
	if (r == 0)
		r = p9_getlock(fs->c, fid, &lk, &out, cid, sizeof cid);
	if (lf)
		lf_put(i, lf);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	if (out.type == P9_LOCK_TYPE_UNLCK) {
		lock->l_type = F_UNLCK;
	} else {
		lock->l_type = out.type == P9_LOCK_TYPE_WRLCK ? F_WRLCK : F_RDLCK;
		lock->l_whence = SEEK_SET;
		lock->l_start = (off_t)(out.start > INT64_MAX ? INT64_MAX : out.start);
		lock->l_len = (off_t)(out.length > INT64_MAX ? 0 : out.length);
		lock->l_pid = (pid_t)out.proc_id;
	}
	fuse_reply_lock(req, lock);
}

static int do_lock(fuse_req_t req, struct fs *fs, struct fs_inode *i, uint64_t owner,
		   struct fs_file *f, struct p9_flock *lk, bool wait)
{
	struct fs_lockfid *lf;
	/* unlocking with no lock fid: the owner holds nothing here */
	int r = lf_get(fs, i, owner, lk->type == P9_LOCK_TYPE_UNLCK ? NULL : f, &lf);
	if (r < 0 || !lf)
		return r;
	r = lock_wait(req, fs, lf->fid, lk, wait);
	lf_put(i, lf);
	return r;
}

static void op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct flock *lock, int sleep)
{
	struct fs *fs = fs_of(req);
	struct p9_flock lk;
	int r = flock_to_p9(lock, &lk);
	if (r == 0)
		r = do_lock(req, fs, fs_inode_of(fs, ino), fi->lock_owner, fs_file_of(fi), &lk,
			    sleep != 0);
	fuse_reply_err(req, -r);
}

static void op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	struct fs *fs = fs_of(req);
	struct p9_flock lk = { .client_id = p9_str_of(LOCK_CLIENT_ID) };
	switch (op & ~LOCK_NB) {
	case LOCK_SH: lk.type = P9_LOCK_TYPE_RDLCK; break;
	case LOCK_EX: lk.type = P9_LOCK_TYPE_WRLCK; break;
	case LOCK_UN: lk.type = P9_LOCK_TYPE_UNLCK; break;
	default:
		fuse_reply_err(req, EINVAL);
		return;
	}
	lk.proc_id = (uint32_t)fuse_req_ctx(req)->pid;
	int r = do_lock(req, fs, fs_inode_of(fs, ino), fi->lock_owner, fs_file_of(fi), &lk,
			!(op & LOCK_NB));
	/* flock(2) reports a held lock as EWOULDBLOCK (== EAGAIN) */
	fuse_reply_err(req, -r);
}

void fs_ops_lock(struct fuse_lowlevel_ops *ops)
{
	ops->getlk = op_getlk;
	ops->setlk = op_setlk;
	ops->flock = op_flock;
}
