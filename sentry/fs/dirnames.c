/* Complete name sets of directories this mount made (cache=exclusive):
 * a directory born empty through Tmkdir and changed only through this
 * mount holds exactly the entries this mount put there.  So a lookup of
 * any other name is answered ENOENT without a Twalk (the lookup the
 * kernel sends before every create of a new name), and a listing is
 * answered from the set (ops_dir.c) without opening the directory on the
 * server: no Twalk, Tlopen, Treaddir or Tclunk for the first `find` or
 * `rm -rf` of a tree this mount just wrote.
 *
 * Each entry keeps its name, qid and d_type, so the set is exact (not a
 * hint): any change whose effect on the names is unknown (a failed
 * request that may have done something, a name the set should hold but
 * does not) or a set grown past DN_MAX drops it, and the directory is
 * then asked as any other.  Each entry has a cookie, its place in the
 * order names came in, so a listing read in parts (directories read
 * without opens, ops_dir.c) resumes after the last entry it returned
 * whatever changed meanwhile: a new name comes after every old one.
 * The set also knows its parent (for ".."):
 * a directory this mount moves learns its new parent; one whose move
 * cannot be traced makes every set forget its parent (fs->dn_moves).
 * Guarded by the inode's amu. */
#include "fs_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DN_MIN 16u            /* slots; a power of two */
#define DN_MAX (1u << 18)     /* names at most */

struct dn_ent {
	struct dn_ent *prev, *next; /* in cookie order */
	struct p9_qid qid;
	uint64_t cookie;
	uint8_t dtype;
	char name[];
};

struct fs_dirnames {
	size_t cap, used;         /* slots (a power of two), entries in them */
	uint64_t *key;            /* name hashes, 0: empty slot */
	struct dn_ent **ent;
	uint64_t next_cookie;     /* the next new name's */
	struct dn_ent *first, *last; /* the entries in cookie order */
	uint64_t parent;          /* qid path of ".." */
	uint64_t moves;           /* fs->dn_moves when parent was known */
};

/* "." and ".." have cookies 1 and 2 */
#define DN_FIRST_COOKIE 3u

struct fs_listing {
	size_t n;
	struct fs_listent {
		struct p9_qid qid;
		uint64_t cookie;
		uint8_t dtype;
		const char *name;
	} e[];
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
	for (size_t s = 0; s < d->cap; s++)
		free(d->ent[s]);
	free(d->key);
	free(d->ent);
	free(d);
}

static struct fs_dirnames *dn_new(size_t cap)
{
	struct fs_dirnames *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cap = cap;
	d->next_cookie = DN_FIRST_COOKIE;
	d->key = calloc(cap, sizeof *d->key);
	d->ent = calloc(cap, sizeof *d->ent);
	if (!d->key || !d->ent) {
		dn_free(d);
		return NULL;
	}
	return d;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t find_slot(const struct fs_dirnames *d, uint64_t key, const char *name)
{
	size_t s = slot_of(d, key);
	while (d->key[s] != 0 && (d->key[s] != key || strcmp(d->ent[s]->name, name) != 0))
		s = (s + 1) & (d->cap - 1);
	return s;
}

/* The empty slot a key goes to (its name surely absent). */
static size_t free_slot(const struct fs_dirnames *d, uint64_t key)
{
	size_t s = slot_of(d, key);
	while (d->key[s] != 0)
		s = (s + 1) & (d->cap - 1);
	return s;
}

/* Twice the slots: false (and d unchanged) when out of memory. */
static bool dn_grow(struct fs_dirnames *d)
{
	size_t cap = d->cap * 2;
	uint64_t *key = calloc(cap, sizeof *key);
	struct dn_ent **ent = calloc(cap, sizeof *ent);
	if (!key || !ent) {
		free(key);
		free(ent);
		return false;
	}
	struct fs_dirnames n = { .cap = cap, .key = key, .ent = ent };
	for (size_t s = 0; s < d->cap; s++) {
		if (d->key[s] == 0)
			continue;
		size_t t = free_slot(&n, d->key[s]);
		key[t] = d->key[s];
		ent[t] = d->ent[s];
	}
	free(d->key);
	free(d->ent);
	d->key = key;
	d->ent = ent;
	d->cap = cap;
	return true;
}

/* Name is qid now, whether it was there or not.  false: the set can no
 * longer be kept. */
static bool dn_put(struct fs_dirnames *d, const char *name, const struct p9_qid *qid,
		   uint8_t dtype)
{
	uint64_t key = name_hash(name);
	size_t s = find_slot(d, key, name);
	if (d->key[s] == 0) {
		if ((d->used + 1) * 4 > d->cap * 3) {
			if (d->used >= DN_MAX || !dn_grow(d))
				return false;
			s = free_slot(d, key);
		}
		size_t len = strlen(name);
		struct dn_ent *e = malloc(sizeof *e + len + 1);
		if (!e)
			return false;
		memcpy(e->name, name, len + 1);
		e->cookie = d->next_cookie++;
		e->next = NULL;
		e->prev = d->last;
		if (d->last)
			d->last->next = e;
		else
			d->first = e;
		d->last = e;
		d->key[s] = key;
		d->ent[s] = e;
		d->used++;
	}
	d->ent[s]->qid = *qid;
	d->ent[s]->dtype = dtype;
	return true;
}

/* Linear probing without tombstones: after emptying a slot, move back
 * every entry of the run after it that its own home allows. */
static void dn_del_slot(struct fs_dirnames *d, size_t hole)
{
	struct dn_ent *e = d->ent[hole];
	if (e->prev)
		e->prev->next = e->next;
	else
		d->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->last = e->prev;
	free(e);
	d->key[hole] = 0;
	d->ent[hole] = NULL;
	d->used--;
	size_t s = hole;
	for (;;) {
		s = (s + 1) & (d->cap - 1);
		if (d->key[s] == 0)
			return;
		size_t home = slot_of(d, d->key[s]);
		/* may the entry at s move to hole?  yes unless home lies
		 * cyclically in (hole, s] */
		bool stays = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
		if (stays)
			continue;
		d->key[hole] = d->key[s];
		d->ent[hole] = d->ent[s];
		d->key[s] = 0;
		d->ent[s] = NULL;
		hole = s;
	}
}

void fs_dirnames_made_empty(struct fs *fs, struct fs_inode *dir, uint64_t parent)
{
	if (!fs->exclusive)
		return;
	struct fs_dirnames *d = dn_new(DN_MIN);
	if (!d)
		return;
	d->parent = parent;
	d->moves = atomic_load(&fs->dn_moves);
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
	bool absent = d && d->key[find_slot(d, key, name)] == 0;
	pthread_mutex_unlock(&dir->amu);
	return absent;
}

void fs_dirnames_put(struct fs_inode *dir, const char *name, const struct p9_qid *qid,
		     uint8_t dtype)
{
	pthread_mutex_lock(&dir->amu);
	if (dir->dnames && !dn_put(dir->dnames, name, qid, dtype))
		drop_locked(dir);
	pthread_mutex_unlock(&dir->amu);
}

bool fs_dirnames_take(struct fs_inode *dir, const char *name, struct p9_qid *qid,
		      uint8_t *dtype)
{
	uint64_t key = name_hash(name);
	bool found = false;
	pthread_mutex_lock(&dir->amu);
	struct fs_dirnames *d = dir->dnames;
	if (d) {
		size_t s = find_slot(d, key, name);
		if (d->key[s] == 0) {
			drop_locked(dir);   /* the set was wrong */
		} else {
			*qid = d->ent[s]->qid;
			*dtype = d->ent[s]->dtype;
			dn_del_slot(d, s);
			found = true;
		}
	}
	pthread_mutex_unlock(&dir->amu);
	return found;
}

void fs_dirnames_del(struct fs_inode *dir, const char *name)
{
	struct p9_qid qid;
	uint8_t dtype;
	fs_dirnames_take(dir, name, &qid, &dtype);
}

void fs_dirnames_reparent(struct fs *fs, const struct p9_qid *qid, uint64_t parent)
{
	struct fs_inode *i = fs_inode_find_ref(fs, qid);
	if (!i)
		return;   /* no inode, no set */
	pthread_mutex_lock(&i->amu);
	if (i->dnames)
		i->dnames->parent = parent;
	pthread_mutex_unlock(&i->amu);
	fs_inode_forget(fs, i, 1);
}

void fs_dirnames_lost_move(struct fs *fs)
{
	atomic_fetch_add(&fs->dn_moves, 1);
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

/* ---- listings ---- */

static void listent_set(struct fs_listent *le, const struct p9_qid *qid, uint64_t cookie,
			uint8_t dtype, const char *name)
{
	le->qid = *qid;
	le->cookie = cookie;
	le->dtype = dtype;
	le->name = name;
}


/* The entries in one block: the array, then the names. */
static struct fs_listing *listing_of(const struct fs_dirnames *d, const struct fs_inode *dir)
{
	size_t bytes = 0;
	for (const struct dn_ent *e = d->first; e; e = e->next)
		bytes += strlen(e->name) + 1;
	size_t n = d->used + 2;
	struct fs_listing *l = malloc(sizeof *l + n * sizeof l->e[0] + bytes);
	if (!l)
		return NULL;
	char *names = (char *)&l->e[n];
	struct p9_qid self = { .type = P9_QTDIR, .path = dir->qpath };
	struct p9_qid up = { .type = P9_QTDIR, .path = d->parent };
	listent_set(&l->e[0], &self, 1, DT_DIR, ".");
	listent_set(&l->e[1], &up, 2, DT_DIR, "..");
	size_t k = 2;
	for (const struct dn_ent *e = d->first; e; e = e->next) {
		size_t len = strlen(e->name) + 1;
		memcpy(names, e->name, len);
		listent_set(&l->e[k++], &e->qid, e->cookie, e->dtype, names);
		names += len;
	}
	l->n = n;
	return l;
}

struct fs_listing *fs_dirnames_list(struct fs *fs, struct fs_inode *dir)
{
	struct fs_listing *l = NULL;
	pthread_mutex_lock(&dir->amu);
	struct fs_dirnames *d = dir->dnames;
	if (d && d->moves == atomic_load(&fs->dn_moves))
		l = listing_of(d, dir);
	pthread_mutex_unlock(&dir->amu);
	return l;
}

size_t fs_listing_len(const struct fs_listing *l)
{
	return l->n;
}

size_t fs_listing_after(const struct fs_listing *l, uint64_t cookie)
{
	size_t lo = 0, hi = l->n;   /* cookies ascend */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->e[mid].cookie <= cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *fs_listing_get(const struct fs_listing *l, size_t k, struct p9_qid *qid,
			   uint64_t *cookie, uint8_t *dtype)
{
	*qid = l->e[k].qid;
	*cookie = l->e[k].cookie;
	*dtype = l->e[k].dtype;
	return l->e[k].name;
}

void fs_listing_free(struct fs_listing *l)
{
	free(l);
}
