/* An inode's fids: the one calls use (cur), a spare at another name after
 * a link (alt), and older ones still in use by calls (retired).
 *
 * On a server whose fids are paths (diod) a fid reaches its file only
 * while its name does: the inode moves to fresher walks, checks a fid
 * before a call whose reply names no file once names changed, and falls
 * back to the spare when its fid lost the file.  On burrow-gofer every fid
 * reaches its file for good and none of this costs a round trip. */
#include "fs_int.h"

#include <errno.h>
#include <stdlib.h>

static void fidref_free(struct fs_inode *i, struct fs_fidref *r)
{
	if (r != &i->first)
		free(r);
}

void fs_inode_fids_init(struct fs_inode *i, uint32_t fid, uint64_t gen)
{
	i->first.fid = fid;
	atomic_init(&i->first.gen, gen);
	i->cur = &i->first;
	pthread_mutex_init(&i->fmu, NULL);
}

void fs_inode_fids_free(struct fs *fs, struct fs_inode *i, bool clunk)
{
	struct fs_fidref *r = i->retired, *next;
	for (; r; r = next) {   /* empty unless calls were cut short */
		next = r->next;
		if (clunk)
			fs_fid_put(fs, r->fid);
		fidref_free(i, r);
	}
	if (i->alt) {
		if (clunk)
			fs_fid_put(fs, i->alt->fid);
		fidref_free(i, i->alt);
	}
	if (clunk)
		fs_fid_put(fs, i->cur->fid);
	fidref_free(i, i->cur);
	pthread_mutex_destroy(&i->fmu);
}

/* Under fmu: r is neither cur nor alt any more.  Returns it if nobody
 * uses it (the caller clunks it, unlocked), else its last user will. */
static struct fs_fidref *let_go_locked(struct fs_inode *i, struct fs_fidref *r)
{
	if (!r || r->refs == 0)
		return r;
	r->next = i->retired;
	i->retired = r;
	return NULL;
}

static void put_ref(struct fs *fs, struct fs_inode *i, struct fs_fidref *r)
{
	if (r) {
		fs_fid_put(fs, r->fid);
		fidref_free(i, r);
	}
}

struct fs_fidref *fs_fid_hold(struct fs_inode *i)
{
	pthread_mutex_lock(&i->fmu);
	struct fs_fidref *r = i->cur;
	r->refs++;
	pthread_mutex_unlock(&i->fmu);
	return r;
}

void fs_fid_drop(struct fs *fs, struct fs_inode *i, struct fs_fidref *h)
{
	pthread_mutex_lock(&i->fmu);
	bool dead = --h->refs == 0 && h != i->cur && h != i->alt;
	if (dead) {
		struct fs_fidref **pp = &i->retired;
		while (*pp != h)
			pp = &(*pp)->next;
		*pp = h->next;
	}
	pthread_mutex_unlock(&i->fmu);
	if (dead)
		put_ref(fs, i, h);
}

int fs_fid_verify(struct fs *fs, struct fs_inode *i, uint32_t fid, _Atomic uint64_t *gen)
{
	uint64_t now = atomic_load(&fs->ns_gen);
	if (atomic_load_explicit(gen, memory_order_relaxed) == now)
		return 0;   /* the common case: nothing was unlinked or renamed */
	struct stat st;
	int r = fs_getattr_fid(fs, fid, i, &st);
	if (r == 0)
		atomic_store_explicit(gen, now, memory_order_relaxed);
	return r;
}

int fs_inode_repair(struct fs *fs, struct fs_inode *i, struct fs_fidref *stale)
{
	pthread_mutex_lock(&i->fmu);
	struct fs_fidref *alt = i->alt;
	bool moved = i->cur != stale;   /* another call repaired it already */
	if (alt && !moved)
		alt->refs++;
	pthread_mutex_unlock(&i->fmu);
	if (moved)
		return 0;
	if (!alt)
		return -ESTALE;

	uint64_t now = atomic_load(&fs->ns_gen);
	struct stat st;
	int r = fs_getattr_fid(fs, alt->fid, i, &st);

	struct fs_fidref *dead = NULL;
	pthread_mutex_lock(&i->fmu);
	alt->refs--;
	if (i->alt == alt && r == 0 && i->cur == stale) {
		atomic_store(&alt->gen, now);
		i->alt = NULL;
		i->cur = alt;
		dead = let_go_locked(i, stale);
	} else if (i->alt == alt && r < 0) {
		i->alt = NULL;   /* the spare lost the file too */
		dead = let_go_locked(i, alt);
	}
	pthread_mutex_unlock(&i->fmu);
	put_ref(fs, i, dead);
	return r < 0 ? -ESTALE : 0;
}

int fs_fid_hold_verified(struct fs *fs, struct fs_inode *i, struct fs_fidref **out)
{
	for (int tries = 0;; tries++) {
		struct fs_fidref *h = fs_fid_hold(i);
		int r = fs_fid_verify(fs, i, h->fid, &h->gen);
		if (r == 0) {
			*out = h;
			return 0;
		}
		bool again = r == -ESTALE && tries == 0 && fs_inode_repair(fs, i, h) == 0;
		fs_fid_drop(fs, i, h);
		if (!again)
			return r;
	}
}

int fs_inode_clone(struct fs *fs, struct fs_inode *i, uint32_t *newfid)
{
	struct fs_fidref *h = fs_fid_hold(i);
	int r = fs_fid_clone(fs, h->fid, newfid);
	fs_fid_drop(fs, i, h);
	return r;
}

int fs_inode_walk1(struct fs *fs, struct fs_inode *dir, const char *name, uint32_t *newfid,
		   struct p9_qid *qid)
{
	struct fs_fidref *h = fs_fid_hold(dir);
	int r = fs_fid_walk1(fs, h->fid, name, newfid, qid);
	fs_fid_drop(fs, dir, h);
	return r;
}

void fs_inode_take_fid(struct fs *fs, struct fs_inode *i, uint32_t fid, uint64_t gen,
		       bool keep_spare)
{
	struct fs_fidref *n = calloc(1, sizeof *n);
	if (!n) {
		fs_fid_put(fs, fid);   /* keep the old fid: still a fid of the file */
		return;
	}
	n->fid = fid;
	atomic_init(&n->gen, gen);
	struct fs_fidref *dead1 = NULL, *dead2 = NULL;
	pthread_mutex_lock(&i->fmu);
	struct fs_fidref *old = i->cur;
	i->cur = n;
	if (keep_spare) {
		dead2 = let_go_locked(i, i->alt);
		i->alt = old;
	} else {
		dead1 = let_go_locked(i, old);
	}
	pthread_mutex_unlock(&i->fmu);
	put_ref(fs, i, dead1);
	put_ref(fs, i, dead2);
}

bool fs_inode_keep_fid(struct fs *fs, struct fs_inode *i)
{
	if (!fs->exclusive)
		return false;   /* others change names: the fresh walk is surer */
	pthread_mutex_lock(&i->fmu);
	bool fresh = atomic_load(&i->cur->gen) == atomic_load(&fs->ns_gen);
	pthread_mutex_unlock(&i->fmu);
	return fresh;
}
