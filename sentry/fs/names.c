/* Name hints (see fs_int.h): (directory, name) -> the file it reached, in
 * a fixed table where a newer name simply takes an older one's slot.  Keys
 * use the directory's qid.path, which a rename does not change, and a hash
 * of the name; every change of a name goes through this mount (the table
 * is used with cache=exclusive only), so a hint is never older than the
 * name it describes: the worst a lost one costs is a getattr. */
#include "fs_int.h"

#include <errno.h>
#include <stdlib.h>

/* 8-way sets, the least recently set entry of a set replaced first: a
 * name looked up just before its unlink (readdirplus, lookup) is there. */
#define NAMES_SETS 2048u      /* a power of two */
#define NAMES_WAYS 8u

struct name_hint {
	uint64_t key;            /* 0: empty */
	uint64_t qpath;
	uint32_t tick;           /* when set: the oldest goes first */
	uint8_t qtype;
};

struct fs_names {
	pthread_mutex_t mu;
	uint32_t tick;
	struct name_hint set[NAMES_SETS][NAMES_WAYS];
};

int fs_names_new(struct fs_names **out)
{
	struct fs_names *n = calloc(1, sizeof *n);
	if (!n)
		return -ENOMEM;
	pthread_mutex_init(&n->mu, NULL);
	*out = n;
	return 0;
}

void fs_names_free(struct fs_names *n)
{
	if (!n)
		return;
	pthread_mutex_destroy(&n->mu);
	free(n);
}

/* FNV-1a over the directory and the name; never 0 (the empty mark). */
static uint64_t key_of(const struct fs_inode *dir, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int b = 0; b < 8; b++) {
		h ^= (dir->qpath >> (8 * b)) & 0xff;
		h *= 0x100000001b3ull;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

/* Under mu: the entry of key in its set, or NULL. */
static struct name_hint *find_locked(struct fs_names *n, uint64_t key)
{
	struct name_hint *set = n->set[(key ^ (key >> 29)) & (NAMES_SETS - 1)];
	for (unsigned w = 0; w < NAMES_WAYS; w++)
		if (set[w].key == key)
			return &set[w];
	return NULL;
}

/* Under mu: the entry for key: its own, an empty one or the oldest. */
static struct name_hint *victim_slot_locked(struct fs_names *n, uint64_t key)
{
	struct name_hint *set = n->set[(key ^ (key >> 29)) & (NAMES_SETS - 1)];
	struct name_hint *pick = &set[0];
	for (unsigned w = 0; w < NAMES_WAYS; w++) {
		if (set[w].key == key || set[w].key == 0)
			return &set[w];
		/* ticks wrap: compare ages, not values */
		if (n->tick - set[w].tick > n->tick - pick->tick)
			pick = &set[w];
	}
	return pick;
}

void fs_name_set(struct fs *fs, struct fs_inode *dir, const char *name, const struct p9_qid *qid)
{
	if (!fs->names)
		return;
	uint64_t key = key_of(dir, name);
	struct fs_names *n = fs->names;
	pthread_mutex_lock(&n->mu);
	*victim_slot_locked(n, key) = (struct name_hint){ key, qid->path, n->tick++, qid->type };
	pthread_mutex_unlock(&n->mu);
}

/* Take the hint of (dir, name) out of the table: false if none. */
static bool name_take(struct fs *fs, struct fs_inode *dir, const char *name, struct p9_qid *qid)
{
	uint64_t key = key_of(dir, name);
	pthread_mutex_lock(&fs->names->mu);
	struct name_hint *h = find_locked(fs->names, key);
	if (h) {
		qid->path = h->qpath;
		qid->type = h->qtype;
		h->key = 0;
	}
	pthread_mutex_unlock(&fs->names->mu);
	return h != NULL;
}

/* qid.type of "no file there": no real type has every bit */
#define QTYPE_ABSENT 0xffu

void fs_name_absent(struct fs *fs, struct fs_inode *dir, const char *name)
{
	struct p9_qid none = { .type = QTYPE_ABSENT };
	fs_name_set(fs, dir, name, &none);
}

bool fs_name_is_absent(struct fs *fs, struct fs_inode *dir, const char *name)
{
	if (!fs->names)
		return false;
	uint64_t key = key_of(dir, name);
	pthread_mutex_lock(&fs->names->mu);
	struct name_hint *h = find_locked(fs->names, key);
	bool absent = h && h->qtype == QTYPE_ABSENT;
	pthread_mutex_unlock(&fs->names->mu);
	return absent;
}

void fs_name_drop(struct fs *fs, struct fs_inode *dir, const char *name)
{
	struct p9_qid qid;
	if (fs->names)
		name_take(fs, dir, name, &qid);
}

int fs_name_victim(struct fs *fs, struct fs_inode *dir, const char *name, struct p9_qid *qid)
{
	if (!fs->names)
		return 0;   /* nothing is cached: nothing to correct */
	if (name_take(fs, dir, name, qid))
		return qid->type == QTYPE_ABSENT ? 0 : 1;
	/* a hint lost to newer ones: ask (the kernel holds the directory
	 * locked, and the export is ours: the answer stays true) */
	uint32_t fid;
	int r = fs_inode_walk1(fs, dir, name, &fid, qid);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	fs_fid_put(fs, fid);
	return 1;
}

void fs_name_gone(struct fs *fs, int victim, const struct p9_qid *qid, bool counted)
{
	if (victim < 0) {
		atomic_fetch_add(&fs->lgen, 1);   /* whose link went is unknown */
		return;
	}
	if (victim == 0)
		return;
	struct fs_inode *i = fs_inode_find_ref(fs, qid);
	if (!i)
		return;   /* nothing cached about it */
	if (counted)
		fs_attr_unlinked(fs, i);
	else
		fs_attr_inval(fs, i);
	fs_inode_forget(fs, i, 1);
}
