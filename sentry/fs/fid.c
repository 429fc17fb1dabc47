/* Fid helpers: allocate + walk, clunk + release, in one place so every
 * path gives fids back exactly once. */
#include "fs_int.h"

#include <errno.h>

int fs_fid_clone(struct fs *fs, uint32_t fid, uint32_t *newfid)
{
	int r = p9_fid_alloc(fs->c, newfid);
	if (r < 0)
		return r;
	r = p9_walk(fs->c, fid, *newfid, 0, NULL, NULL);
	if (r < 0) {
		p9_fid_release(fs->c, *newfid);
		return r;
	}
	return 0;
}

int fs_fid_walk1(struct fs *fs, uint32_t dfid, const char *name, uint32_t *newfid,
		 struct p9_qid *qid)
{
	int r = p9_fid_alloc(fs->c, newfid);
	if (r < 0)
		return r;
	r = p9_walk(fs->c, dfid, *newfid, 1, &name, qid);
	if (r != 1) {
		/* a walk of one name either succeeds or errors; anything else
		 * is a confused server, and newfid was not set */
		p9_fid_release(fs->c, *newfid);
		return r < 0 ? r : -ENOENT;
	}
	return 0;
}

/* The fid number is ours again whatever the server says: a failed clunk
 * still frees the fid in 9P. */
void fs_fid_put(struct fs *fs, uint32_t fid)
{
	p9_clunk(fs->c, fid);
	p9_fid_release(fs->c, fid);
}
