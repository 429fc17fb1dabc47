/* The attrs cache of cache=exclusive (see fs_int.h).  Every change this
 * mount makes to a file calls fs_attr_inval first; a getattr stores its
 * answer only if no change of that file happened since it was asked. */
#include "fs_int.h"

#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool ts_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* Under amu: put the times this mount set over the server's, which are
 * a little earlier; a later mtime is someone else's change. */
static void keep_our_times(struct fs_inode *i, struct stat *st)
{
	if (!i->times_ours)
		return;
	if (!S_ISDIR(st->st_mode) || ts_after(&st->st_mtim, &i->our_mtime) ||
	    ts_after(&st->st_ctim, &i->our_ctime)) {
		i->times_ours = false;
		return;
	}
	st->st_mtim = i->our_mtime;
	st->st_ctim = i->our_ctime;
}

void fs_attr_store(struct fs *fs, struct fs_inode *i, struct stat *st, uint64_t stamp,
		   uint64_t lgen)
{
	if (!fs->exclusive)
		return;
	uint64_t until = now_ns() + (uint64_t)(fs->attr_timeout * 1e9);
	pthread_mutex_lock(&i->amu);
	if (i->inval_at <= stamp) {
		keep_our_times(i, st);
		i->attr = *st;
		i->attr_ok = true;
		i->attr_lgen = lgen;
		i->attr_until = until;
	}
	pthread_mutex_unlock(&i->amu);
}

void fs_attr_inval(struct fs *fs, struct fs_inode *i)
{
	if (!fs->exclusive)
		return;
	uint64_t seq = atomic_fetch_add(&fs->aseq, 1) + 1;
	pthread_mutex_lock(&i->amu);
	i->attr_ok = false;
	i->times_ours = false;
	i->inval_at = seq;
	pthread_mutex_unlock(&i->amu);
}

void fs_attr_inval_atime(struct fs *fs, struct fs_inode *i)
{
	if (!fs->exclusive)
		return;
	uint64_t seq = atomic_fetch_add(&fs->aseq, 1) + 1;
	pthread_mutex_lock(&i->amu);
	i->attr_ok = false;
	i->inval_at = seq;
	pthread_mutex_unlock(&i->amu);
}

void fs_attr_unlinked(struct fs *fs, struct fs_inode *i)
{
	if (!fs->exclusive)
		return;
	uint64_t seq = atomic_fetch_add(&fs->aseq, 1) + 1;
	pthread_mutex_lock(&i->amu);
	/* a regular file's ctime is the kernel's own with the writeback
	 * cache: only the link count moved.  Others: ask again. */
	if (fs->writeback && S_ISREG(i->attr.st_mode) && i->attr.st_nlink > 0)
		i->attr.st_nlink--;
	else
		i->attr_ok = false;
	i->inval_at = seq;   /* a getattr asked before must not undo this */
	pthread_mutex_unlock(&i->amu);
}

bool fs_attr_cached(struct fs *fs, struct fs_inode *i, enum fs_attr_use use, struct stat *st)
{
	if (!fs->exclusive)
		return false;
	uint64_t lgen = fs_lgen(fs), now = now_ns();
	pthread_mutex_lock(&i->amu);
	bool ok = i->attr_ok && now < i->attr_until;
	if (ok && i->attr_lgen != lgen && use != FS_ATTR_CONTENT) {
		/* a directory's own changes are invalidated by name; a file
		 * with one name still reached by it kept that name */
		bool lone = S_ISDIR(i->attr.st_mode) || i->attr.st_nlink <= 1;
		ok = use == FS_ATTR_ENTRY && lone;
	}
	if (ok)
		*st = i->attr;
	pthread_mutex_unlock(&i->amu);
	return ok;
}

/* What a setattr may change to be predicted: no size (blocks move), no
 * "now" (the server's clock). */
#define PREDICTABLE (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | \
		     FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_CTIME)

/* Would the server change mode bits of its own accord?  chown clears
 * setuid/setgid; chmod clears setgid when the caller is not in the
 * file's group: only the server knows, so never predict those. */
static bool mode_side_effects(const struct stat *cur, const struct stat *attr, int to_set)
{
	if ((to_set & FUSE_SET_ATTR_MODE) && (attr->st_mode & (S_ISUID | S_ISGID)))
		return true;
	if ((to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    ((to_set & FUSE_SET_ATTR_MODE) || (cur->st_mode & (S_ISUID | S_ISGID))))
		return true;
	return false;
}

bool fs_attr_predict(struct fs *fs, struct fs_inode *i, const struct stat *attr, int to_set,
		     struct stat *st, uint64_t *lgen)
{
	/* With the writeback cache the kernel keeps a regular file's size,
	 * mtime and ctime itself and ignores them in replies; what it takes
	 * from a reply (mode, owner, atime, links, blocks) a setattr of
	 * times, owner or mode sets to the values asked.  Other files keep
	 * their size and blocks; their new ctime is the caller's to set
	 * (the clock just after the reply, as fs_attr_dir_done). */
	if ((to_set & ~PREDICTABLE) || !to_set)
		return false;
	uint64_t now = now_ns();
	pthread_mutex_lock(&i->amu);
	bool reg = S_ISREG(i->attr.st_mode);
	bool ok = i->attr_ok && now < i->attr_until && i->attr_lgen == fs_lgen(fs) &&
		  (!reg || fs->writeback) && !mode_side_effects(&i->attr, attr, to_set);
	if (ok) {
		*st = i->attr;
		*lgen = i->attr_lgen;
	}
	pthread_mutex_unlock(&i->amu);
	if (!ok)
		return false;
	if (to_set & FUSE_SET_ATTR_MODE)
		st->st_mode = (st->st_mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		st->st_uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		st->st_gid = attr->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME)
		st->st_atim = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME)
		st->st_mtim = attr->st_mtim;
	return true;
}

void fs_attr_dir_begin(struct fs *fs, struct fs_inode *dir, struct fs_dirchg *c)
{
	c->ok = false;
	if (!fs->exclusive)
		return;
	c->lgen = fs_lgen(fs);
	uint64_t seq = atomic_fetch_add(&fs->aseq, 1) + 1, now = now_ns();
	pthread_mutex_lock(&dir->amu);
	/* a directory's attrs do not depend on lgen: its own links move by
	 * the subdirectories made and removed here, counted below */
	c->ok = dir->attr_ok && now < dir->attr_until && S_ISDIR(dir->attr.st_mode);
	if (c->ok) {
		c->st = dir->attr;
		c->until = dir->attr_until;
	}
	dir->attr_ok = false;
	dir->times_ours = false;
	dir->inval_at = seq;
	pthread_mutex_unlock(&dir->amu);
	c->stamp = seq;
}

void fs_attr_dir_done(struct fs *fs, struct fs_inode *dir, struct fs_dirchg *c, int dnlink)
{
	if (!c->ok)
		return;
	/* read after the reply: later than the host's stamp of the change
	 * (by microseconds) and earlier than any change that follows, so
	 * times seen through the mount keep their order */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->st.st_mtim = ts;
	c->st.st_ctim = ts;
	/* filesystems that do not count subdirectories say 1 (btrfs) */
	if (c->st.st_nlink >= 2 && (dnlink >= 0 || c->st.st_nlink > 2))
		c->st.st_nlink = (nlink_t)((long)c->st.st_nlink + dnlink);
	pthread_mutex_lock(&dir->amu);
	/* not if another change (or a readdir's atime) came meanwhile; the
	 * expiry stays the server's answer's: a stale guess does not live on */
	if (dir->inval_at <= c->stamp) {
		dir->attr = c->st;
		dir->attr_ok = true;
		dir->attr_lgen = c->lgen;
		dir->attr_until = c->until;
		dir->times_ours = true;
		dir->our_mtime = ts;
		dir->our_ctime = ts;
	}
	pthread_mutex_unlock(&dir->amu);
}
