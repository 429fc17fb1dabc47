/* The negative xattr cache (see fs_int.h).  GNU ls -l asks two or three
 * xattrs per file and the kernel asks security.capability before writes;
 * on an export without them every answer is ENODATA, so remember it. */
#include "fs_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

enum { XN_FCAPS, XN_SELINUX, XN_ACL_ACCESS, XN_ACL_DEFAULT, XN_COUNT };

static const char *const xn_names[XN_COUNT] = {
	[XN_FCAPS] = "security.capability",
	[XN_SELINUX] = "security.selinux",
	[XN_ACL_ACCESS] = "system.posix_acl_access",
	[XN_ACL_DEFAULT] = "system.posix_acl_default",
};

#define LOW_BITS 0xffffffffull

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t gen_tag(uint32_t gen)
{
	return (uint64_t)(uint32_t)(gen + 1u) << 32;
}

int fs_xneg_bit(struct fs *fs, const char *name)
{
	/* shared: others may set file caps; only the write path's check,
	 * briefly, is worth remembering */
	int n = fs->exclusive ? XN_COUNT : XN_FCAPS + 1;
	for (int b = 0; b < n; b++)
		if (strcmp(name, xn_names[b]) == 0)
			return b;
	return -1;
}

uint32_t fs_xneg_gen(struct fs_inode *i)
{
	return atomic_load(&i->xgen);
}

bool fs_xneg_absent(struct fs *fs, struct fs_inode *i, int bit)
{
	if (bit < 0)
		return false;
	if (bit == XN_SELINUX && atomic_load(&i->made_here) && atomic_load(&fs->new_unlabeled))
		return true;
	uint64_t v = atomic_load(&i->xneg);
	if ((v & ~LOW_BITS) != gen_tag(atomic_load(&i->xgen)) || !(v & (1ull << bit)))
		return false;
	return fs->exclusive || now_ns() < atomic_load(&i->xneg_until);
}

static void add_bits(struct fs_inode *i, uint32_t gen, uint64_t bits)
{
	uint64_t tag = gen_tag(gen), v = atomic_load(&i->xneg), n;
	do {
		/* bits learnt under another generation are dropped */
		n = ((v & ~LOW_BITS) == tag ? v : tag) | bits;
	} while (!atomic_compare_exchange_weak(&i->xneg, &v, n));
}

void fs_xneg_learn(struct fs *fs, struct fs_inode *i, uint32_t gen, int bit, int r)
{
	if (bit == XN_SELINUX && atomic_load(&i->made_here)) {
		/* labels come from the server's policy, the same for every
		 * new file: one answer tells for all */
		if (r == 0)
			atomic_store(&fs->labels_seen, true);
		atomic_store(&fs->new_unlabeled, r == -ENODATA && !atomic_load(&fs->labels_seen));
	}
	if (bit < 0 || r != -ENODATA)
		return;
	if (!fs->exclusive)
		atomic_store(&i->xneg_until, now_ns() + (uint64_t)(fs->attr_timeout * 1e9));
	add_bits(i, gen, 1ull << bit);
}

void fs_xneg_forget(struct fs_inode *i)
{
	atomic_store(&i->made_here, false);   /* its xattrs are no longer the new file's */
	atomic_fetch_add(&i->xgen, 1);
}

/* Has dir a default ACL?  Asked once, then remembered like the rest. */
static bool has_default_acl(struct fs *fs, struct fs_inode *dir)
{
	if (atomic_load(&fs->no_acls) || fs_xneg_absent(fs, dir, XN_ACL_DEFAULT))
		return false;
	uint32_t gen = fs_xneg_gen(dir);
	char *buf = NULL;
	size_t len = 0;
	int r = fs_xattr_fetch(fs, dir, xn_names[XN_ACL_DEFAULT], 0, &buf, &len);
	if (r == -ENOENT)
		r = -ENODATA;
	if (r == -EOPNOTSUPP) {
		atomic_store(&fs->no_acls, true);
		return false;
	}
	fs_xneg_learn(fs, dir, gen, XN_ACL_DEFAULT, r);
	return r != -ENODATA;   /* unsure counts as yes */
}

bool fs_xneg_no_default_acl(struct fs *fs, struct fs_inode *dir)
{
	return fs->exclusive && !has_default_acl(fs, dir);
}

void fs_xneg_new_file(struct fs *fs, struct fs_inode *parent, struct fs_inode *i)
{
	if (!fs->exclusive)
		return;
	atomic_store(&i->made_here, true);
	/* nothing gives a new file capabilities; ACLs come only from the
	 * parent's default ACL */
	uint64_t bits = 1ull << XN_FCAPS;
	if (!has_default_acl(fs, parent))
		bits |= 1ull << XN_ACL_ACCESS | 1ull << XN_ACL_DEFAULT;
	add_bits(i, fs_xneg_gen(i), bits);
}
