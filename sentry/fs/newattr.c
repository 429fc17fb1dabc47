/* The attrs of a regular file or symlink this mount has just created,
 * without a Tgetattr (cache=exclusive).  What the server gives a new file
 * (its owner when we do not chown it, whether it keeps the gid and mode
 * asked, the block size) is learnt from the first creates, which still
 * ask; once NEW_SAMPLES of them matched the request, later creates with
 * the same owner and group asked are predicted.  A single mismatch turns
 * prediction off for the mount's life. */
#include "fs_int.h"

#include <string.h>
#include <time.h>

#define NEW_SAMPLES 3
/* Shorter symlinks live in the inode on the common filesystems (ext4's
 * fast symlinks, tmpfs): no blocks. */
#define NEW_INLINE_LINK 60

/* Which learnt state applies to q, or -1: never predicted. */
static int kind_of(const struct fs_newfile *q)
{
	/* the server (or the host kernel) may drop set-id bits on its own */
	if (S_ISREG(q->mode) && !(q->mode & (S_ISUID | S_ISGID)))
		return FS_NEW_REG;
	if (S_ISLNK(q->mode) && q->size < NEW_INLINE_LINK)
		return FS_NEW_LNK;
	return -1;
}

void fs_new_learn(struct fs *fs, const struct fs_newfile *q, const struct stat *st)
{
	int k = kind_of(q);
	if (!fs->exclusive || k < 0)
		return;
	pthread_mutex_lock(&fs->new_mu);
	struct fs_newlearn *l = &fs->new_learn[k];
	if (l->samples == 0) {
		/* the first: the request later ones must repeat to be predicted */
		l->req_uid = q->uid;
		l->req_gid = q->gid;
		l->uid = (uint32_t)st->st_uid;
	}
	/* a request of another user or group teaches nothing about this one */
	if (l->samples >= 0 && q->uid == l->req_uid && q->gid == l->req_gid) {
		bool match = st->st_mode == q->mode && st->st_uid == l->uid &&
			     (q->uid == FS_NEW_UID_SERVER || st->st_uid == q->uid) &&
			     st->st_gid == q->gid && st->st_size == (off_t)q->size &&
			     st->st_nlink == 1 && st->st_blocks == 0;
		if (!match)
			l->samples = -1;
		else if (l->samples < NEW_SAMPLES)
			l->samples++;
		if (match)
			l->modes |= (uint32_t)q->mode & 07777;
		l->blksize = (uint32_t)st->st_blksize;
	}
	pthread_mutex_unlock(&fs->new_mu);
}

bool fs_new_predict(struct fs *fs, struct fs_inode *parent, const struct fs_newfile *q,
		    uint64_t qpath, struct stat *st)
{
	int k = kind_of(q);
	/* a default ACL masks the mode; a server's umask shows as bits
	 * never seen kept */
	if (!fs->exclusive || k < 0 || !fs_xneg_no_default_acl(fs, parent))
		return false;
	pthread_mutex_lock(&fs->new_mu);
	const struct fs_newlearn *l = &fs->new_learn[k];
	bool ok = l->samples >= NEW_SAMPLES && q->uid == l->req_uid && q->gid == l->req_gid &&
		  ((uint32_t)q->mode & 07777 & ~l->modes) == 0;
	uint32_t uid = l->uid, blksize = l->blksize;
	pthread_mutex_unlock(&fs->new_mu);
	if (!ok)
		return false;
	memset(st, 0, sizeof *st);
	st->st_ino = qpath;
	st->st_mode = q->mode;
	st->st_nlink = 1;
	st->st_uid = uid;
	st->st_gid = q->gid;
	st->st_size = (off_t)q->size;
	st->st_blksize = (blksize_t)blksize;
	/* A regular file's times are the kernel's own with the writeback
	 * cache, which stamps writes with its coarse clock: start on that
	 * clock, so a write never moves mtime back.  Others: the clock just
	 * after the reply (see fs_attr_dir_done).  Either is within a clock
	 * tick of the host's stamp. */
	struct timespec ts;
	clock_gettime(k == FS_NEW_REG ? CLOCK_REALTIME_COARSE : CLOCK_REALTIME, &ts);
	st->st_atim = st->st_mtim = st->st_ctim = ts;
	return true;
}

int fs_new_entry(struct fs *fs, struct fs_inode *parent, const char *name,
		 const struct fs_newfile *q, const struct p9_qid *qid, bool born,
		 struct fuse_entry_param *e)
{
	struct stat st;
	if (q && fs_new_predict(fs, parent, q, qid->path, &st))
		return fs_lookup_known(fs, parent, name, qid, &st, born, e);
	int r = born ? fs_lookup_born(fs, parent, name, e) : fs_lookup_entry(fs, parent, name, e);
	if (r == 0 && q)
		fs_new_learn(fs, q, &e->attr);
	return r;
}
