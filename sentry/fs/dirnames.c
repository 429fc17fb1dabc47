/* Complete name sets of directories this mount made (cache=exclusive):
 * a directory born empty through Tmkdir and changed only through this
 * mount holds exactly the names this mount put there, so a lookup of any
 * other name is answered ENOENT without a Twalk (the lookup the kernel
 * sends before every create of a new name).
 *
 * The set holds 64-bit hashes of names with a count each (two names may
 * share a hash: a name counts as present while its hash does, and only a
 * false "present" is possible, which costs a walk).  Any change whose
 * effect on the names is unknown (a failed request, a rename onto a name)
 * or a set grown past DN_MAX drops the set: the directory is then asked
 * as any other.  Guarded by the inode's amu. */
#include "fs_int.h"

#include <errno.h>
#include <stdlib.h>

#define DN_MIN 16u            /* slots; a power of two */
#define DN_MAX (1u << 20)     /* names at most */

struct fs_dirnames {
	size_t cap, used;         /* slots (a power of two), keys in them */
	uint64_t *key;            /* 0: empty */
	uint32_t *count;
};

static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 31;
	return h ? h : 1;
}

static size_t slot_of(const struct fs_dirnames *d, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (d->cap - 1);
}

static void dn_free(struct fs_dirnames *d)
{
	if (!d)
		return;
	free(d->key);
	free(d->count);
	free(d);
}

static struct fs_dirnames *dn_new(size_t cap)
{
	struct fs_dirnames *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cap = cap;
	d->key = calloc(cap, sizeof *d->key);
	d->count = calloc(cap, sizeof *d->count);
	if (!d->key || !d->count) {
		dn_free(d);
		return NULL;
	}
	return d;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find_slot(const struct fs_dirnames *d, uint64_t key)
{
	size_t s = slot_of(d, key);
	while (d->key[s] != 0 && d->key[s] != key)
		s = (s + 1) & (d->cap - 1);
	return s;
}

/* Twice the slots: false (and d unchanged) when out of memory. */
static bool dn_grow(struct fs_dirnames *d)
{
	struct fs_dirnames *n = dn_new(d->cap * 2);
	if (!n)
		return false;
	for (size_t s = 0; s < d->cap; s++) {
		if (d->key[s] == 0)
			continue;
		size_t t = find_slot(n, d->key[s]);
		n->key[t] = d->key[s];
		n->count[t] = d->count[s];
	}
	n->used = d->used;
	free(d->key);
	free(d->count);
	*d = *n;
	free(n);
	return true;
}

/* false: the set can no longer be kept */
static bool dn_add(struct fs_dirnames *d, uint64_t key)
{
	if ((d->used + 1) * 4 > d->cap * 3 && (d->used >= DN_MAX || !dn_grow(d)))
		return false;
	size_t s = find_slot(d, key);
	if (d->key[s] == 0) {
		d->key[s] = key;
		d->used++;
	}
	d->count[s]++;
	return true;
}

/* Linear probing without tombstones: after emptying a slot, move back
 * every key of the run after it that its own home allows. */
static void dn_del_slot(struct fs_dirnames *d, size_t hole)
{
	d->key[hole] = 0;
	d->count[hole] = 0;
	d->used--;
	size_t s = hole;
	for (;;) {
		s = (s + 1) & (d->cap - 1);
		if (d->key[s] == 0)
			return;
		size_t home = slot_of(d, d->key[s]);
		/* may the key at s move to hole?  yes unless home lies
		 * cyclically in (hole, s] */
		bool stays = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
		if (stays)
			continue;
		d->key[hole] = d->key[s];
		d->count[hole] = d->count[s];
		d->key[s] = 0;
		d->count[s] = 0;
		hole = s;
	}
}

/* false: the name was not there (the set was wrong) */
static bool dn_del(struct fs_dirnames *d, uint64_t key)
{
	size_t s = find_slot(d, key);
	if (d->key[s] == 0)
		return false;
	if (--d->count[s] == 0)
		dn_del_slot(d, s);
	return true;
}

void fs_dirnames_made_empty(struct fs *fs, struct fs_inode *dir)
{
	if (!fs->exclusive)
		return;
	struct fs_dirnames *d = dn_new(DN_MIN);
	if (!d)
		return;
	pthread_mutex_lock(&dir->amu);
	struct fs_dirnames *old = dir->dnames;
	dir->dnames = d;
	pthread_mutex_unlock(&dir->amu);
	dn_free(old);
}

void fs_dirnames_free(struct fs_inode *dir)
{
	dn_free(dir->dnames);
	dir->dnames = NULL;
}

/* Under amu: stop keeping dir's set. */
static void drop_locked(struct fs_inode *dir)
{
	dn_free(dir->dnames);
	dir->dnames = NULL;
}

void fs_dirnames_drop(struct fs_inode *dir)
{
	pthread_mutex_lock(&dir->amu);
	drop_locked(dir);
	pthread_mutex_unlock(&dir->amu);
}

bool fs_dirnames_absent(struct fs_inode *dir, const char *name)
{
	uint64_t key = name_hash(name);
	pthread_mutex_lock(&dir->amu);
	struct fs_dirnames *d = dir->dnames;
	bool absent = d && d->key[find_slot(d, key)] == 0;
	pthread_mutex_unlock(&dir->amu);
	return absent;
}

void fs_dirnames_add(struct fs_inode *dir, const char *name)
{
	uint64_t key = name_hash(name);
	pthread_mutex_lock(&dir->amu);
	if (dir->dnames && !dn_add(dir->dnames, key))
		drop_locked(dir);
	pthread_mutex_unlock(&dir->amu);
}

void fs_dirnames_del(struct fs_inode *dir, const char *name)
{
	uint64_t key = name_hash(name);
	pthread_mutex_lock(&dir->amu);
	if (dir->dnames && !dn_del(dir->dnames, key))
		drop_locked(dir);
	pthread_mutex_unlock(&dir->amu);
}

/* Errors after which the request surely changed no name. */
static bool nothing_done(int r)
{
	switch (-r) {
	case EACCES: case EPERM: case EROFS: case ENOSPC: case EDQUOT: case EMLINK:
	case ENAMETOOLONG: case ENOTEMPTY: case EBUSY: case EISDIR: case ENOTDIR:
	case EINVAL: case EXDEV:
		return true;
	default:
		return false;
	}
}

void fs_dirnames_failed(struct fs_inode *dir, const char *name, int r)
{
	/* EEXIST of a name the set holds agrees with it */
	if (nothing_done(r) || (r == -EEXIST && !fs_dirnames_absent(dir, name)))
		return;
	fs_dirnames_drop(dir);
}
