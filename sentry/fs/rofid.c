/* Read-only opens of a file opened read-only before share one opened fid
 * (cache=exclusive): a program run again and again (every exec opens its
 * binary), a header read by every compile, cost no Twalk + Tlopen and no
 * Tclunk after the second time.  Reads are positional, so sharers cannot
 * disturb each other; locks never use this fid (ops_lock.c opens its own
 * per owner).  The fid lives as long as the inode; at most RO_MAX files
 * of a mount hold one, so a tree read once (tar, cp) keeps nothing open
 * on the server.  A directory read without opens (ops_dir.c) keeps its
 * listing fid here too, from the first listing. */
#include "fs_int.h"

#include <unistd.h>

#define RO_MAX 256u

/* Only plain read-only opens share: the same 9P open mode for all. */
static bool shareable(struct fs *fs, uint32_t flags)
{
	return fs->exclusive && flags == P9_DOTL_RDONLY;
}

bool fs_rofid_take(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file *f)
{
	if (!shareable(fs, flags))
		return false;
	uint32_t fid = atomic_load(&i->ro_fid);
	if (fid == P9_NOFID)
		return false;
	f->fid = fid;
	f->host_fd = atomic_load(&i->ro_host_fd);
	f->shared_ro = true;
	return true;
}

/* Make fid the inode's shared one, if the mount may keep one more and
 * the inode has none yet. */
static bool keep(struct fs *fs, struct fs_inode *i, uint32_t fid)
{
	if (atomic_fetch_add(&fs->ro_fids, 1) >= RO_MAX) {
		atomic_fetch_sub(&fs->ro_fids, 1);
		return false;
	}
	uint32_t none = P9_NOFID;
	if (atomic_compare_exchange_strong(&i->ro_fid, &none, fid))
		return true;
	atomic_fetch_sub(&fs->ro_fids, 1);
	return false;
}

void fs_rofid_offer(struct fs *fs, struct fs_inode *i, uint32_t flags, struct fs_file *f)
{
	/* the first read-only open keeps nothing: most files are read once */
	if (!shareable(fs, flags) || !atomic_exchange(&i->ro_seen, true))
		return;
	/* a sharer that comes between the two stores does its I/O by 9P */
	if (keep(fs, i, f->fid)) {
		atomic_store(&i->ro_host_fd, f->host_fd);
		f->shared_ro = true;
	}
}

bool fs_rofid_dir(struct fs_inode *i, uint32_t *fid)
{
	*fid = atomic_load(&i->ro_fid);
	return *fid != P9_NOFID;
}

bool fs_rofid_dir_offer(struct fs *fs, struct fs_inode *i, uint32_t fid)
{
	return keep(fs, i, fid);
}

void fs_rofid_free(struct fs *fs, struct fs_inode *i, bool clunk)
{
	uint32_t fid = atomic_exchange(&i->ro_fid, P9_NOFID);
	if (fid == P9_NOFID)
		return;
	int hfd = atomic_exchange(&i->ro_host_fd, -1);
	if (hfd >= 0)
		close(hfd);
	if (clunk)
		fs_fid_put(fs, fid);
	atomic_fetch_sub(&fs->ro_fids, 1);
}
