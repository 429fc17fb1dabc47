/* The inode table: qid.path -> inode, with the kernel's lookup count.
 * A file the kernel already knows (a hard link, a second lookup) maps to
 * the same inode so the page cache stays coherent; the inode then moves to
 * the freshly walked fid (inode_fid.c).  Forget drops counts and clunks at
 * zero. */
#include "fs_int.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ITAB_MIN_BUCKETS 1024u

static size_t bucket_of(const struct fs_itable *t, uint64_t qpath)
{
	/* Fibonacci hashing: qid paths are often sequential inode numbers */
	return (size_t)((qpath * 0x9E3779B97F4A7C15ull) >> 20) & (t->nbuckets - 1);
}

int fs_itable_init(struct fs_itable *t)
{
	t->buckets = calloc(ITAB_MIN_BUCKETS, sizeof *t->buckets);
	if (!t->buckets)
		return -ENOMEM;
	t->nbuckets = ITAB_MIN_BUCKETS;
	t->count = 0;
	t->all = t->all_tail = NULL;
	t->nall = 0;
	t->room_waiters = 0;
	pthread_mutex_init(&t->mu, NULL);
	fs_cond_init_monotonic(&t->room);
	return 0;
}

static void itab_insert(struct fs_itable *t, struct fs_inode *i)
{
	size_t b = bucket_of(t, i->qpath);
	i->hnext = t->buckets[b];
	t->buckets[b] = i;
	i->hashed = true;
	t->count++;
}

static void itab_remove(struct fs_itable *t, struct fs_inode *i)
{
	struct fs_inode **pp = &t->buckets[bucket_of(t, i->qpath)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == i) {
			*pp = i->hnext;
			i->hashed = false;
			t->count--;
			return;
		}
	}
}

/* Double the table when chains get long; a failed allocation just keeps
 * the old size (lookups stay correct, only slower). */
static void itab_maybe_grow(struct fs_itable *t)
{
	if (t->count < t->nbuckets * 2)
		return;
	size_t n = t->nbuckets * 2;
	struct fs_inode **nb = calloc(n, sizeof *nb);
	if (!nb)
		return;
	struct fs_inode **old = t->buckets;
	size_t oldn = t->nbuckets;
	t->buckets = nb;
	t->nbuckets = n;
	t->count = 0;
	for (size_t b = 0; b < oldn; b++) {
		struct fs_inode *i = old[b], *next;
		for (; i; i = next) {
			next = i->hnext;
			itab_insert(t, i);
		}
	}
	free(old);
}

static struct fs_inode *itab_find(struct fs_itable *t, uint64_t qpath)
{
	struct fs_inode *i = t->buckets[bucket_of(t, qpath)];
	while (i && i->qpath != qpath)
		i = i->hnext;
	return i;
}

static void all_link(struct fs_itable *t, struct fs_inode *i)
{
	i->aprev = NULL;
	i->anext = t->all;
	if (t->all)
		t->all->aprev = i;
	else
		t->all_tail = i;
	t->all = i;
	t->nall++;
}

static void all_unlink(struct fs_itable *t, struct fs_inode *i)
{
	if (i->aprev)
		i->aprev->anext = i->anext;
	else
		t->all = i->anext;
	if (i->anext)
		i->anext->aprev = i->aprev;
	else
		t->all_tail = i->aprev;
	t->nall--;
}

static struct fs_inode *inode_new(uint32_t fid, const struct p9_qid *qid, uint64_t gen)
{
	struct fs_inode *i = calloc(1, sizeof *i);
	if (!i)
		return NULL;
	i->qpath = qid->path;
	i->qtype = qid->type;
	atomic_init(&i->ro_fid, P9_NOFID);
	atomic_init(&i->ro_host_fd, -1);
	fs_inode_fids_init(i, fid, gen);
	pthread_mutex_init(&i->lk_mu, NULL);
	pthread_mutex_init(&i->amu, NULL);
	return i;
}

/* Free the inode; clunk its fids unless the connection is going away. */
static void inode_free(struct fs *fs, struct fs_inode *i, bool clunk)
{
	fs_rofid_free(fs, i, clunk);
	fs_inode_fids_free(fs, i, clunk);
	fs_dirnames_free(i);
	free(i->ename);
	pthread_mutex_destroy(&i->lk_mu);
	pthread_mutex_destroy(&i->amu);
	free(i);
}

int fs_root_init(struct fs *fs, uint32_t fid, const struct p9_qid *qid)
{
	struct fs_inode *i = inode_new(fid, qid, atomic_load(&fs->ns_gen));
	if (!i)
		return -ENOMEM;
	i->nlookup = 1;       /* the kernel never forgets the root */
	fs->root = i;
	pthread_mutex_lock(&fs->itab.mu);
	itab_insert(&fs->itab, i);
	all_link(&fs->itab, i);
	pthread_mutex_unlock(&fs->itab.mu);
	return 0;
}

/* Directory, symlink and file bits must match: a reused qid.path of a
 * different kind is a new file, and the kernel rejects a type change. */
#define QTYPE_KIND (P9_QTDIR | P9_QTSYMLINK)

static bool same_kind(const struct fs_inode *i, const struct p9_qid *qid)
{
	return (i->qtype & QTYPE_KIND) == (qid->type & QTYPE_KIND);
}

/* Under itab.mu: the live inode of qid, or NULL.  A stale one is
 * unhashed (it lives on until forgotten): one of another kind, or any one
 * when the server has just made the file (`born`), since then the file
 * system reused the number of a file the kernel may still cache, with its
 * attrs, pages and write errors, under the old inode. */
static struct fs_inode *find_live(struct fs_itable *t, const struct p9_qid *qid, bool born)
{
	struct fs_inode *i = itab_find(t, qid->path);
	if (i && (born || !same_kind(i, qid))) {
		itab_remove(t, i);
		i = NULL;
	}
	return i;
}

/* Under itab.mu.  The shrinker works beside the lookups; a stream of them
 * fast enough (a busy machine, a program stat'ing a big directory) could
 * outrun it and the server's fds.  At max_inodes a new inode waits for
 * forgets to make room, ROOM_WAIT_NS at most: never a deadlock, if all
 * the mount holds is in use. */
#define ROOM_WAIT_NS (200 * 1000 * 1000)

static void wait_for_room_locked(struct fs *fs)
{
	struct fs_itable *t = &fs->itab;
	if (!fs->max_inodes || fs_fids_held_locked(fs) < fs->max_inodes)
		return;
	fs_shrink_kick(fs);
	struct timespec until;
	fs_deadline_in(&until, ROOM_WAIT_NS);
	t->room_waiters++;
	while (fs_fids_held_locked(fs) >= fs->max_inodes &&
	       pthread_cond_timedwait(&t->room, &t->mu, &until) != ETIMEDOUT)
		;
	t->room_waiters--;
}

int fs_inode_adopt(struct fs *fs, uint32_t fid, const struct p9_qid *qid, uint64_t gen,
		   bool born, struct fs_inode **out)
{
	struct fs_itable *t = &fs->itab;

	pthread_mutex_lock(&t->mu);
	struct fs_inode *i = find_live(t, qid, born);
	if (i)
		i->nlookup++;   /* pins i: it cannot be forgotten meanwhile */
	pthread_mutex_unlock(&t->mu);
	if (i) {
		if (i == fs->root || fs_inode_keep_fid(fs, i))
			fs_fid_put(fs, fid);
		else
			fs_inode_take_fid(fs, i, fid, gen, false);
		*out = i;
		return 0;
	}

	/* allocate outside the lock, then re-check for a racing adopt */
	struct fs_inode *fresh = inode_new(fid, qid, gen);
	if (!fresh) {
		fs_fid_put(fs, fid);
		return -ENOMEM;
	}
	/* not `born` again: a racing adopt of the new file is that file */
	pthread_mutex_lock(&t->mu);
	wait_for_room_locked(fs);
	i = find_live(t, qid, false);
	if (i) {
		i->nlookup++;
		pthread_mutex_unlock(&t->mu);
		inode_free(fs, fresh, true);
		*out = i;
		return 0;
	}
	fresh->nlookup = 1;
	itab_insert(t, fresh);
	all_link(t, fresh);
	itab_maybe_grow(t);
	bool over = fs->max_inodes && fs_fids_held_locked(fs) > fs->max_inodes;
	pthread_mutex_unlock(&t->mu);
	if (over)
		fs_shrink_kick(fs);
	*out = fresh;
	return 0;
}

size_t fs_fids_held_locked(struct fs *fs)
{
	return fs->itab.nall + atomic_load_explicit(&fs->ro_fids, memory_order_relaxed);
}

/* Under itab.mu: i's name is now copy (NULL: none, the shrinker skips it). */
static void set_ename(struct fs_inode *i, fuse_ino_t parent, char *copy)
{
	free(i->ename);
	i->ename = copy;
	i->ename_parent = parent;
}

void fs_inode_named(struct fs *fs, struct fs_inode *i, struct fs_inode *parent, const char *name)
{
	if (!fs->max_inodes || i == fs->root)
		return;
	fuse_ino_t p = fs_nodeid(fs, parent);
	pthread_mutex_lock(&fs->itab.mu);
	if (i->ename_parent != p || !i->ename || strcmp(i->ename, name) != 0)
		set_ename(i, p, strdup(name));   /* NULL: unnamed, see set_ename */
	pthread_mutex_unlock(&fs->itab.mu);
}

void fs_inode_moved(struct fs *fs, const struct p9_qid *qid, struct fs_inode *parent,
		    const char *name)
{
	if (!fs->max_inodes)
		return;
	char *copy = strdup(name);
	pthread_mutex_lock(&fs->itab.mu);
	struct fs_inode *i = find_live(&fs->itab, qid, false);
	if (i && i != fs->root) {
		set_ename(i, fs_nodeid(fs, parent), copy);
		copy = NULL;
	}
	pthread_mutex_unlock(&fs->itab.mu);
	free(copy);
}

bool fs_inodes_crowded(struct fs *fs)
{
	if (!fs->max_inodes)
		return false;
	pthread_mutex_lock(&fs->itab.mu);
	bool crowded = fs_fids_held_locked(fs) >= fs->max_inodes - fs->max_inodes / 4;
	pthread_mutex_unlock(&fs->itab.mu);
	return crowded;
}

bool fs_inode_held(struct fs *fs, const struct p9_qid *qid)
{
	pthread_mutex_lock(&fs->itab.mu);
	struct fs_inode *i = find_live(&fs->itab, qid, false);
	bool held = i && i->nlookup > 0;
	pthread_mutex_unlock(&fs->itab.mu);
	return held;
}

struct fs_inode *fs_inode_find_ref(struct fs *fs, const struct p9_qid *qid)
{
	pthread_mutex_lock(&fs->itab.mu);
	struct fs_inode *i = find_live(&fs->itab, qid, false);
	if (i)
		i->nlookup++;
	pthread_mutex_unlock(&fs->itab.mu);
	return i;
}

void fs_inode_refresh(struct fs *fs, uint32_t fid, const struct p9_qid *qid, uint64_t gen,
		      bool keep_spare)
{
	struct fs_itable *t = &fs->itab;
	pthread_mutex_lock(&t->mu);
	struct fs_inode *i = find_live(t, qid, false);
	if (i == fs->root)
		i = NULL;
	if (i)
		i->nlookup++;   /* pin it across the swap */
	pthread_mutex_unlock(&t->mu);
	if (!i) {
		fs_fid_put(fs, fid);
		return;
	}
	fs_attr_inval(fs, i);   /* its ctime (and after a link its nlink) moved */
	fs_inode_take_fid(fs, i, fid, gen, keep_spare);
	fs_inode_forget(fs, i, 1);
}

void fs_inode_ref(struct fs *fs, struct fs_inode *i)
{
	pthread_mutex_lock(&fs->itab.mu);
	i->nlookup++;
	pthread_mutex_unlock(&fs->itab.mu);
}

void fs_inode_forget(struct fs *fs, struct fs_inode *i, uint64_t n)
{
	if (i == fs->root)
		return;
	pthread_mutex_lock(&fs->itab.mu);
	if (n > i->nlookup)      /* a kernel bug; never underflow */
		n = i->nlookup;
	i->nlookup -= n;
	bool gone = i->nlookup == 0;
	if (gone && i->hashed)
		itab_remove(&fs->itab, i);
	if (gone) {
		all_unlink(&fs->itab, i);
		if (fs->itab.room_waiters)
			pthread_cond_broadcast(&fs->itab.room);
	}
	pthread_mutex_unlock(&fs->itab.mu);
	if (!gone)
		return;
	/* forgotten: the kernel has no call on it, we hold no fid of it */
	fs_lock_drop_all(fs, i, true);
	inode_free(fs, i, true);
}

/* At unmount the kernel does not forget every inode: free what is left.
 * The fids die with the connection, so no clunks. */
void fs_itable_destroy(struct fs *fs)
{
	struct fs_itable *t = &fs->itab;
	struct fs_inode *i = t->all, *next;
	for (; i; i = next) {
		next = i->anext;
		fs_lock_drop_all(fs, i, false);
		inode_free(fs, i, false);
	}
	t->all = NULL;
	fs->root = NULL;
	free(t->buckets);
	t->buckets = NULL;
	pthread_cond_destroy(&t->room);
	pthread_mutex_destroy(&t->mu);
}
