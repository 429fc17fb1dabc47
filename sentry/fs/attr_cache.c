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

void fs_attr_store(struct fs *fs, struct fs_inode *i, const struct stat *st, uint64_t stamp,
		   uint64_t ns)
{
	if (!fs->exclusive)
		return;
	uint64_t until = now_ns() + (uint64_t)(fs->attr_timeout * 1e9);
	pthread_mutex_lock(&i->amu);
	if (i->inval_at <= stamp) {
		i->attr = *st;
		i->attr_ok = true;
		i->attr_ns = ns;
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
	i->inval_at = seq;
	pthread_mutex_unlock(&i->amu);
}

bool fs_attr_cached(struct fs *fs, struct fs_inode *i, enum fs_attr_use use, struct stat *st)
{
	if (!fs->exclusive)
		return false;
	uint64_t ns = atomic_load(&fs->ns_gen), now = now_ns();
	pthread_mutex_lock(&i->amu);
	bool ok = i->attr_ok && now < i->attr_until;
	if (ok && i->attr_ns != ns && use != FS_ATTR_CONTENT) {
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
